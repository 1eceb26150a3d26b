//! `tidemark info`: every migration with its state (Flyway's `info`). Read-only.

use super::{Context, with_engine};
use crate::failure::Failure;
use crate::render;

/// Runs the command (`--fleet`: on every target of a fleet file, see `fleet`).
pub fn run(ctx: &mut Context<'_>, args: &crate::args::InfoArgs) -> Result<(), Failure> {
    if let Some(file) = &args.fleet.fleet {
        return super::fleet::info(ctx, file, args.fleet.jobs);
    }
    let cwd = ctx.cwd.clone();
    let snapshot = with_engine(ctx, |engine| Ok(engine.info()?))?;
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
