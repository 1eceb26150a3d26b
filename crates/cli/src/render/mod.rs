//! What users see: Flyway-like tables and JSON documents. File paths and times are formatted
//! here and nowhere else.

pub mod findings;
pub mod table;

use std::path::Path;

use serde_json::{Value, json};
use tidemark_engine::{MigrateReport, Snapshot};
use tidemark_ledger::plan::{Entry, Plan};

pub use table::ascii_table;

/// `info` as Flyway prints it: `Schema version: X`, then the table; tidemark adds the deploy
/// `Stage:` (the phase of the highest applied migration) and a `Phase` column.
pub fn info_table(plan: &Plan<'_>, snapshot: &Snapshot) -> Vec<String> {
    let stage = snapshot
        .stage(plan)
        .map_or("-".to_string(), |p| p.to_string());
    let mut lines = vec![
        format!("Schema version: {}", plan.schema_version()),
        format!("Stage: {stage}"),
        String::new(),
    ];
    if plan.entries.is_empty() {
        lines.push("No migrations found".to_string());
        return lines;
    }
    let header = [
        "Category",
        "Version",
        "Description",
        "Type",
        "Installed On",
        "State",
        "Undoable",
        "Phase",
    ];
    let rows: Vec<Vec<String>> = plan
        .entries
        .iter()
        .map(|e| {
            vec![
                e.category().to_string(),
                e.version().map(ToString::to_string).unwrap_or_default(),
                e.description().to_string(),
                e.kind().to_string(),
                e.applied
                    .map(|a| local_time(&a.installed_on))
                    .unwrap_or_default(),
                e.state.display().to_string(),
                e.undoable.display().to_string(),
                snapshot.phase(e).map(|p| p.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    lines.extend(ascii_table(&header, &rows));
    lines
}

/// `info` as one JSON document (Flyway's fields plus `script`, `checksum`, `installedRank` and
/// the file's `sha256`).
pub fn info_json(plan: &Plan<'_>, snapshot: &Snapshot, cwd: &Path, warnings: &[String]) -> Value {
    let migrations: Vec<Value> = plan
        .entries
        .iter()
        .map(|e| {
            let mut v = entry_json(e, cwd);
            v["phase"] = json!(snapshot.phase(e).map(|p| p.as_str()));
            v
        })
        .collect();
    json!({
        "operation": "info",
        "schemaName": snapshot.schema.trim_matches(['"', '`']),
        "schemaVersion": plan.current().and_then(Entry::version).map(ToString::to_string),
        "stage": snapshot.stage(plan).map(|p| p.as_str()),
        "migrations": migrations,
        "warnings": warnings,
    })
}

fn entry_json(e: &Entry<'_>, cwd: &Path) -> Value {
    json!({
        "category": e.category(),
        "version": e.version().map(ToString::to_string),
        "description": e.description(),
        "type": e.kind().as_str(),
        "installedOnUTC": e.applied.map(|a| utc_iso(&a.installed_on)),
        "state": e.state.display(),
        "undoable": e.undoable.display(),
        "filepath": e.resolved.map(|r| super::commands::display_path(&r.path, cwd)),
        "installedBy": e.applied.map(|a| a.installed_by.clone()),
        "executionTime": e.applied.map(|a| a.execution_time),
        "script": e.script(),
        "checksum": e.checksum(),
        "installedRank": e.applied.map(|a| a.installed_rank),
        "sha256": e.resolved.map(|r| r.sha256()),
    })
}

/// `migrate`'s JSON document (Flyway's `MigrateResult` fields).
pub fn migrate_json(
    report: &MigrateReport,
    cwd: &Path,
    warnings: &[String],
    success: bool,
) -> Value {
    let migrations: Vec<Value> = report
        .applied
        .iter()
        .map(|s| {
            json!({
                "category": if s.version.is_some() { "Versioned" } else { "Repeatable" },
                "version": s.version.clone().unwrap_or_default(),
                "description": s.description,
                "type": s.kind,
                "filepath": super::commands::display_path(&s.path, cwd),
                "executionTime": s.execution_time,
                "phase": s.phase,
            })
        })
        .collect();
    json!({
        "operation": "migrate",
        "schemaName": report.schema.trim_matches(['"', '`']),
        "initialSchemaVersion": report.initial_version,
        "targetSchemaVersion": report.target_version,
        "migrations": migrations,
        "migrationsExecuted": report.applied.len(),
        "stoppedBefore": report.stopped_before,
        "success": success,
        "warnings": warnings,
        "totalMigrationTime": report.execution_time,
    })
}

fn parse_utc(text: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()
}

/// A history timestamp (UTC text) in local time, `yyyy-MM-dd HH:mm:ss` as Flyway shows it.
fn local_time(text: &str) -> String {
    use chrono::{Datelike, Timelike};
    match parse_utc(text) {
        Some(t) => {
            let local = t.and_utc().with_timezone(&chrono::Local);
            // Written out rather than through `format`, which reads its pattern again for
            // each of the thousand rows `info` may show (the same text for years 0-9999).
            if (0..=9999).contains(&local.year()) {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                    local.year(),
                    local.month(),
                    local.day(),
                    local.hour(),
                    local.minute(),
                    local.second()
                )
            } else {
                local.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        }
        None => text.to_string(),
    }
}

/// A history timestamp as ISO-8601 UTC.
fn utc_iso(text: &str) -> String {
    match parse_utc(text) {
        Some(t) => t.and_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => text.to_string(),
    }
}
