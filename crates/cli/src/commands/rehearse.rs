//! `tidemark rehearse`: apply the pending migrations to a scratch copy of the database with the
//! real engine, measure every statement (time, rows, table rewrites, locks and how long they
//! blocked reads or writes), and show the linter's findings beside what really happened.
//!
//! The target is only read (to copy it); the copy is a new database on the same server (a
//! temporary file for SQLite), dropped at the end unless `--keep`. How each measurement is made
//! is in [`measure`]; the report's shape and text table in [`report`]; the HTML page in
//! [`html`].

mod html;
mod measure;
mod report;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tidemark_engine::driver::{Dialect, Driver};
use tidemark_engine::{Collect, Engine, Error};
use tidemark_ledger::phase::Phase;
use tidemark_ledger::script::ResolvedMigration;
use tidemark_lint::{LintConfig, Linter, SourceFile};

use super::scratch::{self, Scratch};
use super::{Context, engine_config};
use crate::connect::{self, Connection};
use crate::failure::Failure;
use crate::settings::Format;
use crate::url::DatabaseUrl;
use measure::{Measure, Monitor, Tracker};
use report::{FileFacts, Inputs, LintNote, Rehearsal};

/// Options of `rehearse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct RehearseArgs {
    /// Fill the copy from this dump instead of cloning the target: pg_dump custom, directory
    /// or plain format; a mysqldump file; a SQLite database (or `.dump` SQL) file.
    #[arg(long, value_name = "FILE", conflicts_with = "clone")]
    pub from_dump: Option<PathBuf>,
    /// Copy the target (the default without --from-dump): PostgreSQL and MySQL/MariaDB its
    /// schema plus --sample-rows rows per table, SQLite the whole file.
    #[arg(long)]
    pub clone: bool,
    /// Rows copied per table by --clone (the history tables are copied whole).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub sample_rows: u64,
    /// Rehearse a staged deploy: stop before the first migration whose phase comes after this
    /// one (expand < backfill < contract), as migrate --phase.
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<String>,
    /// Keep the scratch database afterwards (its name is printed) instead of dropping it.
    #[arg(long)]
    pub keep: bool,
    /// Also write a self-contained HTML report with a timeline to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &RehearseArgs) -> Result<(), Failure> {
    let settings = ctx.settings;
    let cwd = ctx.cwd.clone();
    let phase: Option<Phase> = match &args.phase {
        Some(p) => Some(p.parse().map_err(Failure::usage)?),
        None => None,
    };
    if let Ok(DatabaseUrl::Sqlite { path: None }) = DatabaseUrl::parse(&settings.url) {
        return Err(Failure::usage(
            "rehearse needs a database to copy: an in-memory SQLite database has nothing to rehearse on",
        ));
    }
    // Progress goes to stderr; stdout holds the report.
    ctx.out.info_to_stderr = true;
    let Connection {
        driver: mut target,
        description,
    } = connect::connect_read_only(settings, &cwd)?;
    let dialect = target.dialect();
    if dialect == Dialect::Mysql && settings.schemas.len() > 1 {
        return Err(Failure::usage(
            "rehearse copies one database on MySQL/MariaDB; configure one schema",
        ));
    }
    use tidemark_engine::Reporter;
    ctx.out.info(&format!("Database: {description}"));
    let history = tidemark_schema::tidemark_tables(&settings.table);
    let mut scratch = Scratch::create(settings, &cwd, "rehearse")?;
    scratch::warn_leftovers(&mut scratch, &mut ctx.out);
    if args.keep {
        scratch.keep();
    }
    ctx.out
        .info(&format!("Making the scratch copy {} ...", scratch.name));
    let (source, warnings) = match &args.from_dump {
        Some(file) => (
            format!("restored from {}", file.display()),
            scratch::restore_dump(&scratch, file, &cwd)?,
        ),
        None => {
            let cloned = scratch::clone_target(
                target.as_mut(),
                settings,
                &scratch,
                args.sample_rows,
                &history,
                &cwd,
            )?;
            let source = match dialect {
                Dialect::Sqlite => "a copy of the whole file".to_string(),
                _ if args.sample_rows == 0 => {
                    "the schema and the history table, no rows (see --sample-rows)".to_string()
                }
                _ => format!(
                    "the schema and up to {} rows per table ({} tables)",
                    args.sample_rows, cloned.tables
                ),
            };
            (format!("clone of the target: {source}"), cloned.warnings)
        }
    };
    drop(target);
    let mut all_warnings = Vec::new();
    for warning in warnings {
        ctx.out.warn(&warning);
        all_warnings.push(warning);
    }

    let mut config = engine_config(&scratch.settings)?;
    config.dry_run = false;
    config.phase_limit = phase;
    if config.infer_phase.is_none() {
        config.infer_phase = Some(tidemark_lint::infer_phase);
    }
    let files = super::source(&scratch.settings, &cwd);
    let mut driver = scratch.connect(&cwd)?;

    // What is applied and pending, for the linter and the progress bar.
    let (applied, pending) = {
        let mut quiet = Collect::default();
        let mut engine = Engine::new(driver.as_mut(), &files, &config, &mut quiet)?;
        let info = engine.info()?;
        let plan = info.plan()?;
        let applied: Vec<ResolvedMigration> = plan
            .entries
            .iter()
            .filter(|e| e.applied.is_some_and(|a| a.success))
            .filter_map(|e| e.resolved.cloned())
            .collect();
        let pending: Vec<ResolvedMigration> = plan.pending().into_iter().cloned().collect();
        (applied, pending)
    };
    let total: u64 = pending
        .iter()
        .map(|m| tidemark_sql::split(dialect, &m.text).map_or(0, |s| s.len() as u64))
        .sum();

    let session = measure::session_id(driver.as_mut());
    let tracker = Arc::new(Mutex::new(Tracker::default()));
    let (monitor, mut lock_monitor) = match Monitor::start(
        dialect,
        &scratch.settings,
        &cwd,
        session,
        tracker.clone(),
    ) {
        Ok((monitor, note)) => {
            if let Some(note) = note {
                ctx.out.warn(&note);
                all_warnings.push(note);
            }
            let what = match dialect {
                Dialect::Postgres => "pg_locks",
                _ => "information_schema.METADATA_LOCK_INFO",
            };
            (
                Some(monitor),
                format!(
                    "{what} of the migrating session, sampled every {} ms by a second session, and read by the session itself after each statement",
                    measure::SAMPLE_INTERVAL.as_millis()
                ),
            )
        }
        Err(reason) if reason.starts_with("not available") => (None, reason),
        Err(reason) => (None, format!("not available: {reason}")),
    };
    let locks_measured = monitor.is_some();

    let (outcome, statements, rewrite_failure, migration_rewrites) = {
        let mut measure = Measure::new(&mut ctx.out, tracker.clone(), total);
        let outcome = {
            let mut engine = Engine::new(driver.as_mut(), &files, &config, &mut measure)?;
            engine.migrate()
        };
        measure.finish();
        let failure = measure.rewrite_failure.take();
        (
            outcome,
            std::mem::take(&mut measure.statements),
            failure,
            std::mem::take(&mut measure.migration_rewrites),
        )
    };
    if let Some(monitor) = monitor
        && let Some(failure) = monitor.stop()
    {
        lock_monitor = format!("{lock_monitor} ({failure})");
    }
    let rewrite_detection = match (&rewrite_failure, dialect) {
        (Some(e), _) => format!("not available: {e}"),
        (None, Dialect::Postgres) => {
            "relfilenode of every table compared before and after each statement".into()
        }
        (None, Dialect::Mysql) => {
            "InnoDB TABLE_ID of every table compared before and after each statement".into()
        }
        (None, Dialect::Sqlite) => {
            "rootpage of every table compared before and after each statement".into()
        }
    };
    let names = relation_names(driver.as_mut());
    drop(driver);

    // The linter, on the same text the engine ran.
    let lint = lint(dialect, &config, &applied, &pending, &scratch);

    let mut facts: BTreeMap<PathBuf, FileFacts> = pending
        .iter()
        .map(|m| {
            (
                m.path.clone(),
                FileFacts {
                    script: m.script.clone(),
                    version: m.version().map(|v| v.to_string()),
                    description: m.description().to_string(),
                    phase: None,
                },
            )
        })
        .collect();
    let (migrate_report, error) = match outcome {
        Ok(report) => (report, None),
        Err(failure) => (failure.report, Some(failure.error)),
    };
    for step in &migrate_report.applied {
        if let Some(f) = facts.get_mut(&step.path) {
            f.phase.clone_from(&step.phase);
        }
    }
    let failed_path = match &error {
        Some(Error::Script(f)) => Some(f.path.clone()),
        _ => None,
    };
    let error_text = error.as_ref().map(ToString::to_string);
    let migrations = {
        let tracker = tracker
            .lock()
            .map_err(|_| Failure::failed("ERROR", "lock monitor poisoned"))?;
        report::build(&Inputs {
            dialect,
            statements: &statements,
            tracker: &tracker,
            names: &names,
            files: &facts,
            lint: &lint,
            migration_rewrites: &migration_rewrites,
            failed: failed_path
                .as_deref()
                .map(|p| (p, error_text.clone().unwrap_or_default())),
        })
    };
    all_warnings.extend(migrate_report.warnings.iter().cloned());
    let duration_ms = statements
        .iter()
        .map(|s| s.end)
        .max()
        .zip(statements.first().map(|s| s.start))
        .map_or(0.0, |(end, start)| {
            end.saturating_duration_since(start).as_secs_f64() * 1000.0
        });
    let rehearsal = Rehearsal {
        database: description,
        dialect: match dialect {
            Dialect::Postgres => "postgresql",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
        .into(),
        copy: report::Copy {
            name: scratch.name.clone(),
            source,
            kept: scratch.kept(),
        },
        locks_measured,
        lock_monitor,
        rewrite_detection,
        phase: phase.map(|p| p.to_string()),
        stopped_before: migrate_report.stopped_before.clone(),
        outcome: if error.is_some() { "failed" } else { "success" }.into(),
        error: error_text.clone(),
        duration_ms,
        migrations,
        warnings: all_warnings,
    };
    if let Err(e) = scratch.drop_now() {
        ctx.out.warn(&e);
    }
    drop(scratch);

    if let Some(path) = &args.html {
        let path = if path.is_absolute() {
            path.clone()
        } else {
            cwd.join(path)
        };
        std::fs::write(&path, html::render(&rehearsal)).map_err(|e| {
            Failure::usage(format!(
                "Unable to write the HTML report {}: {e}",
                path.display()
            ))
        })?;
        ctx.out
            .info(&format!("HTML report written to {}", path.display()));
    }
    let doc = serde_json::to_value(&rehearsal).unwrap_or_default();
    if let Some(error) = error {
        if ctx.out.format == Format::Text {
            for line in report::text(&rehearsal) {
                ctx.out.result(&line);
            }
        }
        let mut failure = Failure::from(error);
        failure.message = format!(
            "The rehearsal failed on the scratch copy (the target was not touched): {}",
            failure.message
        );
        failure.details = Some(serde_json::json!({ "rehearsal": doc }));
        return Err(failure);
    }
    match ctx.out.format {
        Format::Json => ctx.out.json(&doc),
        _ => {
            for line in report::text(&rehearsal) {
                ctx.out.result(&line);
            }
            if rehearsal.copy.kept {
                ctx.out.result(&format!(
                    "The scratch copy {} is kept; drop it when done.",
                    rehearsal.copy.name
                ));
            }
        }
    }
    Ok(())
}

/// Names of the relations (PostgreSQL oids, as the migrating session's `search_path` prints
/// them); MySQL locks carry their names already.
fn relation_names(driver: &mut dyn Driver) -> BTreeMap<String, String> {
    if driver.dialect() != Dialect::Postgres {
        return BTreeMap::new();
    }
    driver
        .query(
            "SELECT c.oid::bigint, c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= 16384 AND n.nspname NOT LIKE 'pg\\_toast%'",
            &[],
        )
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| Some((r.first()?.as_text()?, r.get(1)?.as_text()?)))
        .collect()
}

/// The text of a migration as the engine runs it: placeholders replaced (the built-ins the
/// linter's line numbers depend on are the ones in the settings; a text that cannot be
/// prepared is linted as written).
fn prepared(config: &tidemark_engine::Config, m: &ResolvedMigration, schema: &str) -> String {
    let replace = m
        .config
        .placeholder_replacement
        .unwrap_or(config.resolve.placeholder_replacement);
    let text = tidemark_ledger::text::strip_bom(&m.text).to_string();
    if !replace {
        return text;
    }
    let mut placeholders = config.resolve.placeholders.clone();
    let file_name = m.script.rsplit('/').next().unwrap_or(&m.script).to_string();
    for (name, value) in [
        ("flyway:defaultSchema", schema.to_string()),
        ("flyway:filename", file_name),
        ("flyway:table", config.table.clone()),
        ("flyway:environment", config.environment.clone()),
        (
            "flyway:workingDirectory",
            config.working_directory.display().to_string(),
        ),
        ("flyway:user", String::new()),
        ("flyway:database", String::new()),
        ("flyway:timestamp", String::new()),
    ] {
        if placeholders.get(name).is_none() {
            placeholders.set(name, value);
        }
    }
    placeholders.replace(&text).unwrap_or(text)
}

/// The linter's findings on the pending files (the applied ones give it the schema state), by
/// path.
fn lint(
    dialect: Dialect,
    config: &tidemark_engine::Config,
    applied: &[ResolvedMigration],
    pending: &[ResolvedMigration],
    scratch: &Scratch,
) -> BTreeMap<PathBuf, Vec<LintNote>> {
    let Ok(linter) = Linter::new(dialect, LintConfig::default()) else {
        return BTreeMap::new();
    };
    let schema = config
        .default_schema
        .clone()
        .or_else(|| config.schemas.first().cloned())
        .unwrap_or_else(|| match dialect {
            Dialect::Postgres => "public".into(),
            Dialect::Mysql => scratch.name.clone(),
            Dialect::Sqlite => "main".into(),
        });
    let source = |m: &ResolvedMigration| SourceFile {
        path: m.path.clone(),
        text: prepared(config, m, &schema),
        declared_phase: m.declared_phase,
    };
    let applied: Vec<SourceFile> = applied.iter().map(source).collect();
    let pending_files: Vec<SourceFile> = pending.iter().map(source).collect();
    let report = linter.lint_pending(&applied, &pending_files);
    report
        .files
        .into_iter()
        .map(|file| {
            let notes = file
                .findings
                .iter()
                .map(|f| LintNote {
                    rule: f.rule.to_string(),
                    severity: f.severity.to_string(),
                    line: f.line,
                    message: f.message.clone(),
                })
                .collect();
            (file.path, notes)
        })
        .collect()
}
