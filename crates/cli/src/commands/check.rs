//! `tidemark check`: the pre-deploy CI step in one command (issue 9).
//!
//! Offline (no database; `--dialect` picks the SQL dialect): names, duplicate versions (a
//! collision from two branches is a finding with the fix, not an abort), placeholders that cannot
//! be resolved, and the linter with phases, each a finding with file and line. With `--url`: also
//! validation against the database (checksums, missing, failed rows, migrations that sort below
//! applied ones), the pending migrations grouped by phase, and the dry-run SQL of the deploy.
//! Exit 0 clean, 1 with error findings, 2 for usage errors.

use std::collections::BTreeMap;

use serde_json::json;
use tidemark_ledger::name::Kind;
use tidemark_ledger::phase::Phase;
use tidemark_ledger::plan::State;
use tidemark_ledger::source::{ResolveError, resolve_all};
use tidemark_lint::{Linter, SourceFile};

use super::{Context, display_path, engine_config, with_engine_configured};
use crate::args::CheckArgs;
use crate::failure::Failure;
use crate::render::findings::{self, Finding, Severity};
use crate::settings::Format;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &CheckArgs) -> Result<(), Failure> {
    let dialect = super::lint::dialect(ctx.settings, args.dialect.as_deref())?;
    // Online when there is a database to ask: any configured URL, except the untouched SQLite
    // default whose file does not exist. `--offline` forces the file-only checks.
    let default_missing =
        ctx.settings.url == "sqlite:tidemark.db" && !ctx.cwd.join("tidemark.db").exists();
    let online = !args.offline && !default_missing;
    let config = engine_config(ctx.settings)?;
    let cwd = ctx.cwd.clone();
    let source = super::source(ctx.settings, &cwd);
    let (resolved, errors) = resolve_all(&source, &config.resolve);
    let highest = resolved
        .migrations
        .iter()
        .filter_map(|m| m.version())
        .max()
        .map(ToString::to_string);
    let mut found: Vec<Finding> = errors
        .iter()
        .flat_map(|e| resolve_findings(e, &cwd, highest.as_deref()))
        .collect();
    for (path, error) in &resolved.skipped {
        found.push(Finding {
            rule: "INVALID_MIGRATION_NAME".into(),
            severity: if config.resolve.validate_naming { Severity::Error } else { Severity::Warning },
            message: format!("{error}: this .sql file is not a migration and will not run"),
            help: Some("Name it V<version>__<description>.sql (or R__, U, B), or move it out of the migration folders".into()),
            file: Some(display_path(path, &cwd)),
            line: None,
            column: None,
        });
    }

    // Placeholders every file needs, as migrate will replace them (built-ins need a database,
    // so they count as known here).
    let mut placeholders = config.resolve.placeholders.clone();
    for builtin in [
        "defaultSchema",
        "user",
        "database",
        "timestamp",
        "filename",
        "workingDirectory",
        "table",
        "environment",
    ] {
        placeholders.set(&format!("flyway:{builtin}"), "x");
    }
    placeholders.set("tidemark:batchSize", "1");
    let mut lint_files = Vec::new();
    for m in resolved
        .migrations
        .iter()
        .filter(|m| m.name.kind != Kind::Undo)
    {
        let file = display_path(&m.path, &cwd);
        let replace = m
            .config
            .placeholder_replacement
            .unwrap_or(config.resolve.placeholder_replacement);
        let text = if replace {
            match placeholders.replace(&m.text) {
                Ok(text) => text,
                Err(e) => {
                    found.push(Finding {
                        rule: "PLACEHOLDER".into(),
                        severity: Severity::Error,
                        message: e.to_string(),
                        help: Some("Define it (--placeholder NAME=VALUE, [tidemark.placeholders], FLYWAY_PLACEHOLDERS_NAME) or turn replacement off for this file in its .sql.conf".into()),
                        file: Some(file.clone()),
                        line: placeholder_line(&e),
                        column: None,
                    });
                    // Lint what is left: each unresolved placeholder reads as its own name.
                    names_for_placeholders(
                        &m.text,
                        &placeholders.syntax.prefix,
                        &placeholders.syntax.suffix,
                    )
                }
            }
        } else {
            m.text.clone()
        };
        lint_files.push(SourceFile {
            path: file.into(),
            text,
            declared_phase: m.declared_phase,
        });
    }

    let linter = Linter::new(dialect, super::lint::lint_config(ctx.settings)?)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let lint_report = linter.lint_files(&lint_files);
    found.extend(super::lint::as_findings(&lint_report));

    let mut pending_by_phase: BTreeMap<Phase, Vec<String>> = BTreeMap::new();
    let mut sql = None;
    if online {
        let online = online_checks(ctx)?;
        found.extend(online.findings);
        for (phase, script) in online.pending {
            pending_by_phase.entry(phase).or_default().push(script);
        }
        sql = Some(online.sql);
    }

    let errors = found
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    match ctx.out.format {
        Format::Text => {
            print!("{}", findings::text(&found));
            if online {
                ctx.out.result("\nPending migrations by phase:");
                if pending_by_phase.is_empty() {
                    ctx.out.result("  (none: the database is up to date)");
                }
                for (phase, scripts) in &pending_by_phase {
                    ctx.out
                        .result(&format!("  {phase}: {}", scripts.join(", ")));
                }
                if let Some(sql) = sql.as_deref().filter(|s| !s.is_empty()) {
                    ctx.out.result("\nWhat the deploy would run (dry run):");
                    ctx.out.result(sql.trim_end());
                }
            }
            let warnings = found
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count();
            ctx.out.result(&format!(
                "\ncheck: {errors} errors, {warnings} warnings, {} migrations",
                lint_files.len()
            ));
        }
        Format::Json => {
            let pending: serde_json::Map<String, serde_json::Value> = pending_by_phase
                .iter()
                .map(|(p, s)| (p.to_string(), json!(s)))
                .collect();
            ctx.out.json(&json!({
                "operation": "check",
                "findings": findings::json_value(&found),
                "errors": errors,
                "pending": pending,
                "sql": sql,
            }));
        }
        format => print!("{}", findings::render(format, "tidemark check", &found)),
    }
    if errors > 0 {
        Err(Failure::reported("CHECK_FAILED"))
    } else {
        Ok(())
    }
}

/// What only the database can tell.
struct Online {
    /// Validation findings.
    findings: Vec<Finding>,
    /// Pending migrations with their phase, in order.
    pending: Vec<(Phase, String)>,
    /// The dry-run SQL of the deploy.
    sql: String,
}

/// Validation, pending by phase, the deploy's SQL.
fn online_checks(ctx: &mut Context<'_>) -> Result<Online, Failure> {
    let cwd = ctx.cwd.clone();
    // Pending migrations are the point of a deploy, not a finding; everything else is.
    let configure = |c: &mut tidemark_engine::Config| {
        c.ignore_patterns = c
            .ignore_patterns
            .clone()
            .with(tidemark_ledger::pattern::PatternState::Pending);
    };
    let (validation, pending) = with_engine_configured(ctx, configure, |engine| {
        let validation = match engine.validate() {
            Ok(_) => Vec::new(),
            Err(tidemark_engine::Error::Validate(found)) => found,
            Err(e) => return Err(e.into()),
        };
        let snapshot = engine.info()?;
        let plan = snapshot.plan()?;
        let pending: Vec<(Phase, String)> = plan
            .entries
            .iter()
            .filter(|e| e.state == State::Pending)
            .filter_map(|e| {
                e.resolved
                    .map(|r| (snapshot.phase(e).unwrap_or(Phase::Expand), r.script.clone()))
            })
            .collect();
        Ok((validation, pending))
    })?;
    let mut found = super::validate::as_findings(&validation, &cwd);
    for f in found.iter_mut() {
        if f.rule == "RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED"
            && f.message.contains("-outOfOrder=true")
        {
            f.help = Some("This migration sorts below one already applied (two branches each added a version?). Renumber it above the highest applied version, or run with -outOfOrder=true if applying it late is safe.".into());
        }
    }
    // Validation problems are reported above (they would stop the real deploy); the dry run
    // shows what the pending migrations would run.
    let dry = |c: &mut tidemark_engine::Config| {
        c.dry_run = true;
        c.validate_on_migrate = false;
    };
    let sql = with_engine_configured(ctx, dry, |engine| {
        engine.migrate().map_err(|f| Failure::from(f.error))?;
        Ok(engine.dry_run_sql().to_string())
    })
    .unwrap_or_else(|f| format!("-- the dry run stopped: {}", f.message));
    Ok(Online {
        findings: found,
        pending,
        sql,
    })
}

fn resolve_findings(
    e: &ResolveError,
    cwd: &std::path::Path,
    highest: Option<&str>,
) -> Vec<Finding> {
    let finding = |file: Option<String>, help: Option<String>| Finding {
        rule: e.code().to_string(),
        severity: Severity::Error,
        message: e.to_string(),
        help,
        file,
        line: e.line(),
        column: None,
    };
    match e {
        ResolveError::InvalidNames(names) => names
            .iter()
            .map(|(path, err)| Finding {
                rule: e.code().to_string(),
                severity: Severity::Error,
                message: err.to_string(),
                help: Some("validateMigrationNaming is on: rename the file or move it out of the migration folders".into()),
                file: Some(display_path(path, cwd)),
                line: None,
                column: None,
            })
            .collect(),
        ResolveError::DuplicateVersion { version, second, .. } => vec![finding(
            Some(display_path(&second.0, cwd)),
            Some(format!(
                "Two files claim version {version}, often because two branches each added the next version. Renumber one of them above the highest version (V{}), then merge.",
                highest.unwrap_or(version)
            )),
        )],
        other => vec![finding(other.path().map(|p| display_path(p, cwd)), None)],
    }
}

/// `${name}` (any prefix/suffix) replaced by `name`, so the linter can parse the statement.
fn names_for_placeholders(text: &str, prefix: &str, suffix: &str) -> String {
    if prefix.is_empty() || suffix.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(prefix) {
        out.push_str(&rest[..start]);
        let after = &rest[start + prefix.len()..];
        match after.find(suffix) {
            Some(end) => {
                out.push_str(after[..end].trim().replace([':', '.', ' '], "_").as_str());
                rest = &after[end + suffix.len()..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn placeholder_line(e: &tidemark_ledger::placeholder::PlaceholderError) -> Option<usize> {
    use tidemark_ledger::placeholder::PlaceholderError as P;
    match e {
        P::Missing { line, .. } | P::UnknownBuiltIn { line, .. } | P::Unterminated { line, .. } => {
            Some(*line)
        }
        _ => None,
    }
}
