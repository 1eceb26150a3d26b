//! `tidemark diff VERSION`: what changed in an applied migration's file since it was applied,
//! from the text kept in the companion table.

use serde_json::json;
use tidemark_engine::DiffOutcome;
use tidemark_ledger::version::Version;

use super::{Context, with_engine};
use crate::args::DiffArgs;
use crate::failure::Failure;

/// Runs the command. Exit 0 when unchanged, 1 when the file changed or the text is unknown.
pub fn run(ctx: &mut Context<'_>, args: &DiffArgs) -> Result<(), Failure> {
    let version = Version::parse(&args.version)
        .map_err(|e| Failure::usage(format!("Invalid version '{}': {e}", args.version)))?;
    let outcome = with_engine(ctx, |engine| Ok(engine.diff(&version)?))?;
    let (changed, text) = match &outcome {
        DiffOutcome::Unchanged => (
            false,
            format!("Version {version} is unchanged since it was applied."),
        ),
        DiffOutcome::Changed(diff) => (true, diff.clone()),
        DiffOutcome::Unknown(note) => (true, note.clone()),
    };
    ctx.out.result(text.trim_end());
    ctx.out.json(&json!({
        "operation": "diff",
        "version": version.to_string(),
        "changed": matches!(outcome, DiffOutcome::Changed(_)),
        "known": !matches!(outcome, DiffOutcome::Unknown(_)),
        "diff": text,
    }));
    if changed {
        return Err(Failure {
            exit: 1,
            code: "CHANGED".into(),
            message: format!(
                "Version {version} differs from what was applied (or the applied text is unknown)"
            ),
            details: None,
        });
    }
    Ok(())
}
