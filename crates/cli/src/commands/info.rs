//! `tidemark info`: every migration with its state (Flyway's `info`). Read-only.

use super::{Context, with_engine_configured};
use crate::failure::Failure;
use crate::render;
use tidemark_engine::ReadAheadMode;

/// Runs the command (`--fleet`: on every target of a fleet file, see `fleet`).
pub fn run(ctx: &mut Context<'_>, args: &crate::args::InfoArgs) -> Result<(), Failure> {
    if let Some(file) = &args.fleet.fleet {
        return super::fleet::info(ctx, file, args.fleet.jobs);
    }
    let cwd = ctx.cwd.clone();
    // The history is this command's first read: read it while the files load.
    let ahead = |c: &mut tidemark_engine::Config| c.read_ahead = ReadAheadMode::History;
    let snapshot = with_engine_configured(ctx, ahead, |engine| Ok(engine.info()?))?;
    let plan = snapshot.plan()?;
    if ctx.out.format == crate::settings::Format::Json {
        let doc = render::info_json(&plan, &snapshot, &cwd, &ctx.out.warnings);
        ctx.out.json(&doc);
    } else {
        for line in render::info_table(&plan, &snapshot) {
            ctx.out.result(&line);
        }
    }
    Ok(())
}
