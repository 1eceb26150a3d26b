//! `update`, `update-count`, `update-to-tag` and their `-sql` forms (and Flyway's `migrate` in
//! Liquibase mode): deploy the pending changesets, print Liquibase's UPDATE SUMMARY.

use tidemark_engine::liquibase::{Limit, UpdateReport};
use tidemark_ledger::phase::Phase;

use super::{Access, Context, failure, note, print_sql, script_header, with_changelog};
use crate::failure::Failure;
use crate::settings::Format;

/// Which form of update.
pub enum Kind {
    /// `update`.
    All,
    /// `update-count`.
    Count(usize),
    /// `update-to-tag`.
    ToTag(String),
}

/// Runs the update; `sql` = the `-sql` form (prints, writes nothing).
pub fn run(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    kind: Kind,
    phase: Option<&str>,
    sql: bool,
) -> Result<(), Failure> {
    let phase = phase
        .map(|p| p.parse::<Phase>().map_err(Failure::usage))
        .transpose()?;
    let (limit, verb) = match kind {
        Kind::All => (phase.map_or(Limit::All, Limit::Phase), "Update"),
        Kind::Count(n) => (Limit::Count(n), "Update-count"),
        Kind::ToTag(t) => (Limit::ToTag(t), "Update-to-tag"),
    };
    let dry = sql;
    let done = with_changelog(
        ctx,
        defines,
        if dry { Access::DryRun } else { Access::Write },
        |s, changelog, scope| {
            if dry {
                s.set_script_header(&script_header(
                    "Update Database Script",
                    &changelog.root,
                    &scope.target,
                ));
            }
            s.update(changelog, &limit)
                .map_err(|e| failure(e, &scope.cwd))
        },
    )?;
    if sql {
        return print_sql(ctx, &done.sql);
    }
    let report = done.value;
    if ctx.out.format == Format::Json {
        ctx.out.json(&serde_json::json!({
            "database": done.target,
            "applied": report.applied.iter().map(|a| serde_json::json!({
                "changeset": a.identifier,
                "execType": a.exec_type.as_str(),
            })).collect::<Vec<_>>(),
            "skipped": report.skipped,
            "failed": report.failed,
            "previouslyRun": report.previously_run,
            "total": report.total,
            "rowsAffected": report.rows_affected,
        }));
        return Ok(());
    }
    if report.applied.is_empty() && report.failed.is_empty() {
        note(ctx, "Database is up to date, no changesets to execute");
    }
    for line in summary(&report) {
        ctx.out.result(&line);
    }
    if !report.applied.is_empty() {
        note(
            ctx,
            &format!(
                "Liquibase: {verb} has been successful. Rows affected: {}",
                report.rows_affected
            ),
        );
    }
    Ok(())
}

/// Liquibase's "UPDATE SUMMARY" block (and "FILTERED CHANGE SETS SUMMARY" when something was
/// filtered out), line by line.
pub fn summary(report: &UpdateReport) -> Vec<String> {
    let row = |label: &str, n: usize| format!("{label:<30}{n}");
    let filtered_out: usize = report
        .filtered
        .iter()
        .filter(|(r, _)| r != "Already ran")
        .map(|(_, n)| n)
        .sum();
    let mut out = vec![
        String::new(),
        "UPDATE SUMMARY".to_string(),
        row("Run:", report.applied.len()),
        row("Previously run:", report.previously_run),
        row("Filtered out:", filtered_out),
        "-------------------------------".to_string(),
        row("Total change sets:", report.total),
        String::new(),
    ];
    if filtered_out > 0 {
        out.push(String::new());
        out.push("FILTERED CHANGE SETS SUMMARY".to_string());
        for (reason, n) in &report.filtered {
            out.push(row(&format!("{reason}:"), *n));
        }
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_liquibases() {
        let report = UpdateReport {
            previously_run: 2,
            total: 2,
            filtered: vec![("Context mismatch".into(), 1), ("Already ran".into(), 1)],
            ..UpdateReport::default()
        };
        assert_eq!(
            summary(&report).join("\n"),
            "\nUPDATE SUMMARY\nRun:                          0\nPreviously run:               2\nFiltered out:                 1\n-------------------------------\nTotal change sets:            2\n\n\nFILTERED CHANGE SETS SUMMARY\nContext mismatch:             1\nAlready ran:                  1\n"
        );
    }
}
