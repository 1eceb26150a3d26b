//! `tidemark info`: every migration with its state (Flyway's `info`). Read-only.

use super::{Context, with_engine};
use crate::failure::Failure;
use crate::render;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let cwd = ctx.cwd.clone();
    let snapshot = with_engine(ctx, |engine| Ok(engine.info()?))?;
    let plan = snapshot.plan()?;
    match ctx.out.format {
        crate::settings::Format::Text => {
            for line in render::info_table(&plan, &snapshot) {
                ctx.out.result(&line);
            }
        }
        crate::settings::Format::Json => {
            let doc = render::info_json(&plan, &snapshot, &cwd, &ctx.out.warnings);
            ctx.out.json(&doc);
        }
    }
    Ok(())
}
