//! `tidemark new DESCRIPTION [--phase P]`: create the next versioned migration and its undo file
//! in the first location, with a phase directive in the header.
//!
//! The next version is the highest first version part + 1 (`V7__x` -> `V8`), or a UTC timestamp
//! (`V20261128093000`) when the existing files use timestamps, so teams keep whichever scheme
//! they have. No database is needed.

use std::path::Path;

use serde_json::json;
use tidemark_ledger::name::{self, Kind};
use tidemark_ledger::phase::Phase;

use super::{Context, display_path, engine_config};
use crate::args::NewArgs;
use crate::failure::Failure;

/// A first version part this long is a timestamp (`yyyyMMddHHmm` and longer).
const TIMESTAMP_DIGITS: usize = 12;

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

    let mut highest: Option<String> = None;
    for location in &ctx.settings.locations {
        for entry in walkdir(location) {
            let file_name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Ok(Some(parsed)) = name::parse(&file_name, naming) {
                if matches!(parsed.kind, Kind::Versioned | Kind::Undo | Kind::Baseline) {
                    let first_part = parsed
                        .version
                        .as_ref()
                        .map(|v| v.as_str().split('.').next().unwrap_or("0").to_string());
                    if let Some(part) = first_part {
                        let part = part.trim_start_matches('0').to_string();
                        let bigger = match &highest {
                            None => true,
                            Some(h) => (part.len(), &part) > (h.len(), h),
                        };
                        if bigger {
                            highest = Some(part);
                        }
                    }
                }
            }
        }
    }
    let next = next_version(highest.as_deref(), chrono::Utc::now());

    std::fs::create_dir_all(&first)
        .map_err(|e| Failure::usage(format!("Unable to create {}: {e}", first.display())))?;
    let suffix = naming
        .suffixes
        .first()
        .cloned()
        .unwrap_or_else(|| ".sql".into());
    let sep = &naming.separator;
    let v_name = format!(
        "{}{next}{sep}{description}{suffix}",
        naming.versioned_prefix
    );
    let u_name = format!("{}{next}{sep}{description}{suffix}", naming.undo_prefix);
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

fn walkdir(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let hidden = path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if !hidden {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The next first version part after `highest` (digits without leading zeros).
fn next_version(highest: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> String {
    let timestamp = now.format("%Y%m%d%H%M%S").to_string();
    match highest {
        None | Some("") => "1".to_string(),
        Some(h) if h.len() >= TIMESTAMP_DIGITS => {
            // Timestamps: now, or one past the highest if the clock is behind it.
            let past = increment(h);
            if (timestamp.len(), &timestamp) > (past.len(), &past) {
                timestamp
            } else {
                past
            }
        }
        Some(h) => increment(h),
    }
}

/// Decimal string + 1, any length.
fn increment(digits: &str) -> String {
    let mut bytes: Vec<u8> = digits.bytes().collect();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    format!("1{}", String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn next_versions() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
            .unwrap();
        assert_eq!(next_version(None, now), "1");
        assert_eq!(next_version(Some("7"), now), "8");
        assert_eq!(next_version(Some("99"), now), "100");
        assert_eq!(next_version(Some("20240105123000"), now), "20261128093000");
        assert_eq!(next_version(Some("20991231000000"), now), "20991231000001");
        assert_eq!(
            increment("999999999999999999999999"),
            "1000000000000000000000000"
        );
    }
}
