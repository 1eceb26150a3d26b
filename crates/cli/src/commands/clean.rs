//! `tidemark clean`: drop every object in the configured schemas. Refused unless
//! `cleanDisabled=false`.

use serde_json::json;

use super::{Context, with_engine};
use crate::failure::Failure;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let cleaned = with_engine(ctx, |engine| Ok(engine.clean()?))?;
    let doc = json!({
        "operation": "clean",
        "schemasCleaned": cleaned,
        "warnings": ctx.out.warnings,
    });
    ctx.out.json(&doc);
    Ok(())
}
