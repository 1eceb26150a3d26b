//! `tidemark repair`: realign the history table with the files (Flyway's `repair`).

use serde_json::json;

use super::{Context, with_engine};
use crate::failure::Failure;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let report = with_engine(ctx, |engine| Ok(engine.repair()?))?;
    let doc = json!({
        "operation": "repair",
        "repairActions": actions(&report),
        "removedFailed": report.removed_failed,
        "markedDeleted": report.marked_deleted,
        "aligned": report.aligned,
        "warnings": ctx.out.warnings,
    });
    ctx.out.json(&doc);
    Ok(())
}

fn actions(report: &tidemark_engine::RepairReport) -> Vec<&'static str> {
    let mut actions = Vec::new();
    if report.removed_failed > 0 {
        actions.push("Removed failed migrations");
    }
    if report.marked_deleted > 0 {
        actions.push("Marked missing migrations as deleted");
    }
    if report.aligned > 0 {
        actions.push("Aligned applied migration checksums");
    }
    actions
}
