//! `tidemark lint [--dialect D] [PATH...]`: which statements lock a busy table, rewrite it or
//! break running code, before they reach production (issue 7). Also the configuration shared with
//! `migrate` (`lintOnMigrate`) and `check`: `[lint]` in `tidemark.toml`, the dialect, the files.
//!
//! Exit 1 if and only if there is an error-severity finding; 2 for usage errors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use tidemark_engine::{PendingReview, ReviewFile, ReviewOutcome};
use tidemark_ledger::source::{FsSource, resolve};
use tidemark_lint::{Dialect, LintConfig, Linter, Report, Severity, SourceFile};

use super::{Context, display_path, engine_config};
use crate::args::LintArgs;
use crate::failure::Failure;
use crate::render::findings::{self, Finding};
use crate::settings::{Format, Settings};
use crate::url::DatabaseUrl;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &LintArgs) -> Result<(), Failure> {
    let dialect = dialect(ctx.settings, args.dialect.as_deref())?;
    let linter = Linter::new(dialect, lint_config(ctx.settings)?)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let files = if args.paths.is_empty() {
        configured_files(ctx.settings, &ctx.cwd)?
    } else {
        given_files(&args.paths)?
    };
    let report = linter.lint_files(&files);
    print_report(ctx, &report, "tidemark lint");
    if report.has_errors() {
        return Err(Failure::reported("LINT_ERRORS"));
    }
    Ok(())
}

/// Prints a lint report in the configured format.
pub fn print_report(ctx: &mut Context<'_>, report: &Report, command: &str) {
    match ctx.out.format {
        Format::Text => {
            let text = tidemark_lint::render_text(report);
            if !text.is_empty() {
                print!("{text}");
            }
            let (e, w, i) = (
                report.count(Severity::Error),
                report.count(Severity::Warning),
                report.count(Severity::Info),
            );
            ctx.out.result(&format!(
                "{} files linted: {e} errors, {w} warnings, {i} infos",
                report.files.len()
            ));
        }
        Format::Json => ctx
            .out
            .json(&serde_json::to_value(report).unwrap_or_else(|_| json!({}))),
        format => print!(
            "{}",
            findings::render(format, command, &as_findings(report))
        ),
    }
}

/// Lint findings in the shape every checking command reports.
pub fn as_findings(report: &Report) -> Vec<Finding> {
    report
        .findings()
        .map(|(file, f)| Finding {
            rule: f.rule.to_string(),
            severity: match f.severity {
                Severity::Error => findings::Severity::Error,
                Severity::Warning => findings::Severity::Warning,
                Severity::Info => findings::Severity::Info,
            },
            message: f.message.clone(),
            help: Some(f.help.clone()),
            file: Some(file.path.display().to_string()),
            line: Some(f.line),
            column: Some(f.column),
        })
        .collect()
}

/// `--dialect`, else the dialect of the configured URL (no connection is made).
pub fn dialect(settings: &Settings, given: Option<&str>) -> Result<Dialect, Failure> {
    if let Some(d) = given {
        return match d.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" => Ok(Dialect::Sqlite),
            other => Err(Failure::usage(format!(
                "Unknown dialect '{other}' (expected postgres, mysql or sqlite)"
            ))),
        };
    }
    match DatabaseUrl::parse(&settings.url).map_err(|e| Failure::usage(e.to_string()))? {
        DatabaseUrl::Sqlite { .. } => Ok(Dialect::Sqlite),
        DatabaseUrl::Postgres { .. } => Ok(Dialect::Postgres),
        DatabaseUrl::Mysql { .. } => Ok(Dialect::Mysql),
    }
}

/// `[lint]` from the TOML config files that were read: `disable = ["rule", ...]` and
/// `[lint.severity]` with `rule = "error" | "warning" | "info"`. The timeout rules stay quiet
/// while tidemark sets `lockTimeout` itself.
pub fn lint_config(settings: &Settings) -> Result<LintConfig, Failure> {
    let mut config = LintConfig {
        timeouts_managed: settings.lock_timeout.is_some(),
        ..LintConfig::default()
    };
    for file in settings
        .config_files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "toml"))
    {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
        let doc: toml::Table = text
            .parse()
            .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
        let Some(lint) = doc.get("lint") else {
            continue;
        };
        let bad = |what: &str| Failure::usage(format!("{}: [lint] {what}", file.display()));
        let table = lint.as_table().ok_or_else(|| bad("must be a table"))?;
        for (key, value) in table {
            match key.as_str() {
                "disable" => {
                    let list = value
                        .as_array()
                        .ok_or_else(|| bad("disable must be a list of rule ids"))?;
                    for id in list {
                        config.disabled.push(
                            id.as_str()
                                .ok_or_else(|| bad("disable must be a list of rule ids"))?
                                .to_string(),
                        );
                    }
                }
                "severity" => {
                    let rules = value.as_table().ok_or_else(|| {
                        bad("severity must be a table of rule = \"error\"|\"warning\"|\"info\"")
                    })?;
                    for (rule, level) in rules {
                        let level = match level.as_str().map(str::to_ascii_lowercase).as_deref() {
                            Some("error") => Severity::Error,
                            Some("warning") => Severity::Warning,
                            Some("info") => Severity::Info,
                            _ => {
                                return Err(bad(&format!(
                                    "severity.{rule} must be \"error\", \"warning\" or \"info\""
                                )));
                            }
                        };
                        config.severity_overrides.push((rule.clone(), level));
                    }
                }
                other => {
                    return Err(bad(&format!(
                        "unknown key '{other}' (known: disable, severity)"
                    )));
                }
            }
        }
    }
    Ok(config)
}

/// The configured migrations (versioned and repeatable, in migration order), placeholders
/// replaced where they can be.
pub fn configured_files(settings: &Settings, cwd: &Path) -> Result<Vec<SourceFile>, Failure> {
    let config = engine_config(settings)?;
    let source: FsSource = super::source(settings, cwd);
    let resolved = resolve(&source, &config.resolve)
        .map_err(|e| Failure::failed("RESOLVE_ERROR", e.to_string()))?;
    Ok(resolved
        .migrations
        .iter()
        .filter(|m| m.name.kind != tidemark_ledger::name::Kind::Undo)
        .map(|m| {
            let mut placeholders = config.resolve.placeholders.clone();
            placeholders.set(
                "flyway:filename",
                m.script.rsplit('/').next().unwrap_or(&m.script),
            );
            // A backfill's batch limit, as migrate fills it in.
            placeholders.set("tidemark:batchSize", "1000");
            let text = placeholders
                .replace(&m.text)
                .unwrap_or_else(|_| m.text.clone());
            SourceFile {
                path: PathBuf::from(display_path(&m.path, cwd)),
                text,
                declared_phase: m.declared_phase,
            }
        })
        .collect())
}

/// Files and folders named on the command line (folders: their `.sql` files, sorted).
fn given_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walk(path)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")))
                .collect();
            found.sort_by(|a, b| migration_order(a, b));
            for p in found {
                files.push(read(&p)?);
            }
        } else {
            files.push(read(path)?);
        }
    }
    Ok(files)
}

fn read(path: &Path) -> Result<SourceFile, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::usage(format!("Unable to read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::failed("ENCODING", format!("{} is not valid UTF-8", path.display()))
    })?;
    Ok(SourceFile::new(path, text))
}

/// Flyway's order where names parse (versions numerically), else by file name.
fn migration_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let cfg = tidemark_ledger::name::NamingConfig::default();
    let parse = |p: &Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        tidemark_ledger::name::parse(&name, &cfg)
            .ok()
            .flatten()
            .and_then(|n| n.version)
    };
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                if !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                {
                    stack.push(p);
                }
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The review `migrate` runs on what it is about to apply (`lintOnMigrate`): `off`, `warn`
/// (default: print the findings) or `error` (also refuse when there is an error finding).
pub fn migrate_review(settings: &Settings) -> Result<Option<PendingReview>, Failure> {
    let refuse = match settings
        .lint_on_migrate
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "off" | "false" => return Ok(None),
        "" | "warn" | "warning" | "true" => false,
        "error" => true,
        other => {
            return Err(Failure::usage(format!(
                "Invalid lintOnMigrate '{other}' (expected off, warn or error)"
            )));
        }
    };
    let config = lint_config(settings)?;
    // Unknown rule ids in [lint] are a usage error now, not when migrate runs.
    Linter::new(Dialect::Postgres, config.clone()).map_err(|e| Failure::usage(e.to_string()))?;
    let review = move |dialect: Dialect, applied: &[ReviewFile], pending: &[ReviewFile]| {
        let Ok(linter) = Linter::new(dialect, config.clone()) else {
            return ReviewOutcome::default();
        };
        let to_source = |f: &ReviewFile| SourceFile {
            path: f.path.clone(),
            text: f.text.clone(),
            declared_phase: f.declared_phase,
        };
        let applied: Vec<SourceFile> = applied.iter().map(to_source).collect();
        let pending: Vec<SourceFile> = pending.iter().map(to_source).collect();
        let report = linter.lint_pending(&applied, &pending);
        let lines = report
            .findings()
            .filter(|(_, f)| f.severity != Severity::Info)
            .map(|(file, f)| {
                format!(
                    "{}:{}:{} {} {} {}",
                    file.path.display(),
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.rule,
                    f.message
                )
            })
            .collect();
        ReviewOutcome {
            lines,
            refuse: refuse && report.has_errors(),
        }
    };
    Ok(Some(PendingReview {
        review: Arc::new(review),
        refuses: refuse,
    }))
}
