//! `tidemark baseline`: mark an existing database as being at `baselineVersion`.

use serde_json::json;

use super::{Context, with_engine};
use crate::failure::Failure;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let message = with_engine(ctx, |engine| Ok(engine.baseline()?))?;
    let doc = json!({
        "operation": "baseline",
        "successfullyBaselined": true,
        "baselineVersion": ctx.settings.baseline_version,
        "message": message,
        "warnings": ctx.out.warnings,
    });
    ctx.out.json(&doc);
    Ok(())
}
