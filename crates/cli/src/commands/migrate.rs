//! `tidemark migrate`: apply every pending migration (Flyway's `migrate`).

use serde_json::json;

use super::{Context, with_engine};
use crate::failure::Failure;
use crate::render;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let cwd = ctx.cwd.clone();
    let outcome = with_engine(ctx, |engine| Ok(engine.migrate()))?;
    match outcome {
        Ok(report) => {
            let doc = render::migrate_json(&report, &cwd, &ctx.out.warnings, true);
            ctx.out.json(&doc);
            Ok(())
        }
        Err(failure) => {
            let mut f = Failure::from(failure.error);
            let partial = render::migrate_json(&failure.report, &cwd, &ctx.out.warnings, false);
            f.details = Some(json!({ "migrate": partial }));
            Err(f)
        }
    }
}
