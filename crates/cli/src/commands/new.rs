//! `tidemark new DESCRIPTION [--phase P]`: create the next versioned migration and its undo file
//! in the first location, with a phase directive in the header.
//!
//! The version comes from [`crate::numbering`] (shared with `plan`): the highest first version
//! part + 1, or a timestamp when the existing files use timestamps. No database is needed.

use serde_json::json;
use tidemark_ledger::phase::Phase;

use super::{Context, display_path, engine_config};
use crate::args::NewArgs;
use crate::failure::Failure;
use crate::numbering;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &NewArgs) -> Result<(), Failure> {
    let config = engine_config(ctx.settings)?;
    let naming = &config.resolve.naming;
    let phase: Phase = match &args.phase {
        Some(p) => p.parse().map_err(Failure::usage)?,
        None => Phase::Expand,
    };
    let description: String = args
        .description
        .iter()
        .flat_map(|w| w.split_whitespace())
        .collect::<Vec<_>>()
        .join("_")
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    if description.is_empty() {
        return Err(Failure::usage(
            "new needs a description, e.g. `tidemark new add orders table`",
        ));
    }
    let first = ctx
        .settings
        .locations
        .first()
        .cloned()
        .ok_or_else(|| Failure::usage("no location configured"))?;

    let next = numbering::next_versions(&ctx.settings.locations, naming, 1, chrono::Utc::now())
        .pop()
        .unwrap_or_else(|| "1".into());

    std::fs::create_dir_all(&first)
        .map_err(|e| Failure::usage(format!("Unable to create {}: {e}", first.display())))?;
    let (v_name, u_name) = numbering::file_names(naming, &next, &description);
    let v_path = first.join(&v_name);
    let u_path = first.join(&u_name);
    for path in [&v_path, &u_path] {
        if path.exists() {
            return Err(Failure::usage(format!("{} already exists", path.display())));
        }
    }
    let human = description.replace('_', " ");
    let v_text = format!("-- tidemark:phase={phase}\n-- {human}\n\n");
    let u_text = format!(
        "-- Undoes {v_name}: revert its changes, last change first.\n-- Generate it with `tidemark undo-script {next}` once the migration is written.\n\n"
    );
    std::fs::write(&v_path, v_text)
        .map_err(|e| Failure::usage(format!("Unable to write {}: {e}", v_path.display())))?;
    std::fs::write(&u_path, u_text)
        .map_err(|e| Failure::usage(format!("Unable to write {}: {e}", u_path.display())))?;
    let (v_show, u_show) = (
        display_path(&v_path, &ctx.cwd),
        display_path(&u_path, &ctx.cwd),
    );
    ctx.out
        .result(&format!("Created {v_show}\nCreated {u_show}"));
    ctx.out.json(&json!({ "operation": "new", "version": next, "phase": phase.as_str(), "files": [v_show, u_show] }));
    Ok(())
}
