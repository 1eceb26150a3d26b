//! `migrate --fleet FILE` and `info --fleet FILE`: one command over many databases and tenant
//! schemas.
//!
//! Why it is this small: a fleet target is nothing but the ordinary command with another URL
//! (and, for a tenant, another `defaultSchema`), so each one goes through the very same
//! `with_engine_configured` path as a single run: its own connection, its own Flyway lock, its
//! own history table. A rerun therefore resumes where each target stopped without any state of
//! its own. Targets run on `--jobs N` threads; `--fail-fast` stops starting new ones after a
//! failure (the running ones finish); the summary is one table, or one JSON document.
//!
//! The file is TOML:
//!
//! ```toml
//! [[target]]
//! name = "eu"
//! url = "postgres://deploy@db-eu/app"
//! # schema = "app"            # optional defaultSchema
//!
//! [[tenants]]
//! url = "postgres://deploy@db-tenants/app"
//! schemas_query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1"
//! # name = "tenants"          # optional: targets are then named tenants/<schema>
//! ```

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use tidemark_engine::format_duration;
use tidemark_ledger::phase::Phase;

use super::{Context, plural, with_engine_configured};
use crate::connect;
use crate::failure::Failure;
use crate::output::Output;
use crate::render::ascii_table;
use crate::settings::{Format, Settings};
use crate::url::{DatabaseUrl, mask};

/// The fleet file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    target: Vec<TargetEntry>,
    #[serde(default)]
    tenants: Vec<TenantsEntry>,
}

/// A `[[target]]` table: one database.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetEntry {
    name: String,
    url: String,
    #[serde(default)]
    schema: Option<String>,
}

/// A `[[tenants]]` table: one database whose schemas (from a query) are targets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantsEntry {
    url: String,
    schemas_query: String,
    #[serde(default)]
    name: Option<String>,
}

/// One target of the fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its name in the summary.
    pub name: String,
    /// Its URL (may hold a password: only ever shown masked).
    pub url: String,
    /// Its `defaultSchema`, when the fleet file sets one (every tenant has one).
    pub schema: Option<String>,
}

/// How the fleet is run.
#[derive(Debug, Clone, Copy)]
pub struct FleetOptions {
    /// Parallel jobs.
    pub jobs: usize,
    /// Stop starting new targets after a failure.
    pub fail_fast: bool,
}

/// What happened to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Done (migrated, or read for `info`).
    Ok,
    /// Failed; the message says why.
    Failed,
    /// Never started (`--fail-fast` after another target's failure).
    Skipped,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One row of a migrate summary.
#[derive(Debug, Clone)]
struct MigrateOutcome {
    status: Status,
    applied: usize,
    from_version: Option<String>,
    version: Option<String>,
    stopped_before: Option<String>,
    error: Option<String>,
    duration: Duration,
}

/// One row of an info summary.
#[derive(Debug, Clone)]
struct InfoOutcome {
    status: Status,
    version: Option<String>,
    pending: usize,
    failed: usize,
    stage: Option<Phase>,
    error: Option<String>,
}

/// Reads a fleet file and expands its `[[tenants]]` into targets (one query per entry). Bad
/// files are usage errors (exit 2); a tenants query that fails is exit 1.
pub fn load(path: &Path, settings: &Settings, cwd: &Path) -> Result<Vec<Target>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "Unable to read the fleet file {}: {e}",
            path.display()
        ))
    })?;
    let file: FleetFile = toml::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "Invalid fleet file {}: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })?;
    let mut targets: Vec<Target> = file
        .target
        .into_iter()
        .map(|t| Target {
            name: t.name,
            url: t.url,
            schema: t.schema.filter(|s| !s.is_empty()),
        })
        .collect();
    for tenants in &file.tenants {
        let base = Target {
            name: String::new(),
            url: tenants.url.clone(),
            schema: None,
        };
        let mut conn = connect::connect(&target_settings(settings, &base), cwd)?;
        let rows = conn
            .driver
            .query(&tenants.schemas_query, &[])
            .map_err(|e| {
                Failure::failed(
                    "DB_ERROR",
                    format!(
                        "The schemas_query of the tenants at {} failed: {e}",
                        mask(&tenants.url)
                    ),
                )
            })?;
        for row in rows {
            let Some(schema) = row.first().and_then(tidemark_engine::Value::as_text) else {
                continue;
            };
            targets.push(Target {
                name: match &tenants.name {
                    Some(prefix) => format!("{prefix}/{schema}"),
                    None => schema.clone(),
                },
                url: tenants.url.clone(),
                schema: Some(schema),
            });
        }
    }
    if targets.is_empty() {
        return Err(Failure::usage(format!(
            "The fleet file {} names no target ([[target]] with name and url, or [[tenants]] with url and schemas_query)",
            path.display()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in &targets {
        if t.name.trim().is_empty() {
            return Err(Failure::usage(format!(
                "A target in {} has an empty name",
                path.display()
            )));
        }
        if !seen.insert(t.name.as_str()) {
            return Err(Failure::usage(format!(
                "Two targets in {} are named '{}': names must be unique",
                path.display(),
                t.name
            )));
        }
    }
    Ok(targets)
}

/// The settings of one target: the command's settings with its URL and, for a tenant, its
/// schema as `defaultSchema` (and the only managed schema). Credentials in the target's URL win
/// over `user` / `password` from flags, environment or config files: a fleet mixes servers.
pub fn target_settings(settings: &Settings, target: &Target) -> Settings {
    let mut s = settings.clone();
    s.url = target.url.clone();
    if let Some(schema) = &target.schema {
        s.default_schema = Some(schema.clone());
        s.schemas = vec![schema.clone()];
    }
    if let Ok(
        DatabaseUrl::Postgres { user, password, .. } | DatabaseUrl::Mysql { user, password, .. },
    ) = DatabaseUrl::parse(&target.url)
    {
        if user.is_some() {
            s.user = None;
        }
        if password.is_some() {
            s.password = None;
        }
    }
    s
}

/// Runs `work` over every target on `jobs` threads and returns the outcomes in target order.
/// `failed` tells whether an outcome is a failure; with `fail_fast`, no target starts after one.
fn run_all<T: Send>(
    targets: &[Target],
    options: FleetOptions,
    work: impl Fn(&Target) -> T + Sync,
    failed: impl Fn(&T) -> bool + Sync,
    progress: impl Fn(usize, &Target, &T) + Sync,
) -> Vec<Option<T>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..targets.len()).map(|_| None).collect());
    let jobs = options.jobs.clamp(1, targets.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(target) = targets.get(i) else { break };
                    let outcome = work(target);
                    if failed(&outcome) && options.fail_fast {
                        stop.store(true, Ordering::SeqCst);
                    }
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress(n, target, &outcome);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// A per-target context: the target's settings, its output collected (never printed while
/// the threads run).
fn target_context<'s>(settings: &'s Settings, cwd: &Path) -> Context<'s> {
    Context {
        settings,
        cwd: cwd.to_path_buf(),
        out: Output::new(Format::Json, true),
        exits_after: false,
    }
}

fn fleet_path(ctx: &Context<'_>, file: &Path) -> PathBuf {
    if file.is_absolute() {
        file.to_path_buf()
    } else {
        ctx.cwd.join(file)
    }
}

fn check_jobs(jobs: Option<usize>) -> Result<usize, Failure> {
    match jobs {
        Some(0) => Err(Failure::usage("--jobs must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(4),
    }
}

/// `migrate --fleet FILE`.
pub fn migrate(
    ctx: &mut Context<'_>,
    file: &Path,
    jobs: Option<usize>,
    fail_fast: bool,
    phase: Option<Phase>,
) -> Result<(), Failure> {
    if ctx.settings.dry_run_output.is_some() {
        return Err(Failure::usage(
            "--dry-run and dryRunOutput cannot be combined with --fleet: dry-run one target at a time",
        ));
    }
    let options = FleetOptions {
        jobs: check_jobs(jobs)?,
        fail_fast,
    };
    let path = fleet_path(ctx, file);
    let targets = load(&path, ctx.settings, &ctx.cwd)?;
    let text = ctx.out.format == Format::Text && !ctx.out.quiet;
    if text {
        ctx.out.result(&format!(
            "Migrating {} target{} from {} with {} job{}{}",
            targets.len(),
            plural(targets.len()),
            file.display(),
            options.jobs.min(targets.len()),
            plural(options.jobs.min(targets.len())),
            phase
                .map(|p| format!(", up to the {p} phase"))
                .unwrap_or_default()
        ));
    }
    let total = targets.len();
    let cwd = ctx.cwd.clone();
    let settings = ctx.settings;
    let outcomes = run_all(
        &targets,
        options,
        |target| migrate_one(settings, &cwd, target, phase),
        |o| o.status == Status::Failed,
        |n, target, o| {
            if text {
                let what = match o.status {
                    Status::Failed => format!(
                        "FAILED after {} applied: {}",
                        o.applied,
                        first_line(o.error.as_deref().unwrap_or_default())
                    ),
                    _ => format!(
                        "{} applied, at version {}",
                        o.applied,
                        o.version.as_deref().unwrap_or("<< Empty Schema >>")
                    ),
                };
                println!("[{n}/{total}] {}: {what}", target.name);
            }
        },
    );
    let outcomes: Vec<MigrateOutcome> = outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or(MigrateOutcome {
                status: Status::Skipped,
                applied: 0,
                from_version: None,
                version: None,
                stopped_before: None,
                error: Some("not started: --fail-fast stopped the fleet after a failure".into()),
                duration: Duration::ZERO,
            })
        })
        .collect();

    let failed: Vec<&str> = targets
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.status == Status::Failed)
        .map(|(t, _)| t.name.as_str())
        .collect();
    let skipped = outcomes
        .iter()
        .filter(|o| o.status == Status::Skipped)
        .count();
    let applied: usize = outcomes.iter().map(|o| o.applied).sum();
    match ctx.out.format {
        Format::Json => {
            let rows: Vec<Value> = targets
                .iter()
                .zip(&outcomes)
                .map(|(t, o)| {
                    json!({
                        "name": t.name,
                        "url": mask(&t.url),
                        "schema": t.schema,
                        "outcome": o.status.as_str(),
                        "migrationsExecuted": o.applied,
                        "initialSchemaVersion": o.from_version,
                        "targetSchemaVersion": o.version,
                        "stoppedBefore": o.stopped_before,
                        "executionTime": o.duration.as_millis() as u64,
                        "error": o.error,
                    })
                })
                .collect();
            let doc = json!({
                "operation": "migrate",
                "fleet": file.display().to_string(),
                "phase": phase.map(|p| p.to_string()),
                "success": failed.is_empty(),
                "targetCount": targets.len(),
                "succeeded": targets.len() - failed.len() - skipped,
                "failed": failed.len(),
                "skipped": skipped,
                "migrationsExecuted": applied,
                "targets": rows,
            });
            if failed.is_empty() {
                ctx.out.json(&doc);
            } else {
                let mut f = fleet_failure(&failed, targets.len());
                f.details = Some(doc);
                return Err(f);
            }
        }
        _ => {
            let rows: Vec<Vec<String>> = targets
                .iter()
                .zip(&outcomes)
                .map(|(t, o)| {
                    vec![
                        t.name.clone(),
                        o.status.as_str().to_string(),
                        o.applied.to_string(),
                        match (&o.from_version, &o.version) {
                            (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
                            (_, Some(b)) => b.clone(),
                            _ => String::new(),
                        },
                        format_duration(o.duration.as_millis()),
                        match (&o.error, &o.stopped_before) {
                            (Some(e), _) => first_line(e).to_string(),
                            (None, Some(s)) => format!("stopped before {s}"),
                            _ => String::new(),
                        },
                    ]
                })
                .collect();
            for line in ascii_table(
                &[
                    "Target", "Outcome", "Applied", "Version", "Duration", "Note",
                ],
                &rows,
            ) {
                ctx.out.result(&line);
            }
            for (t, o) in targets.iter().zip(&outcomes) {
                if o.status == Status::Failed {
                    if let Some(e) = &o.error {
                        eprintln!("ERROR: target {}: {e}", t.name);
                    }
                }
            }
            ctx.out.result(&format!(
                "{} of {} target{} migrated ({applied} migration{} applied){}{}",
                targets.len() - failed.len() - skipped,
                targets.len(),
                plural(targets.len()),
                plural(applied),
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(", {} failed", failed.len())
                },
                if skipped == 0 {
                    String::new()
                } else {
                    format!(", {skipped} not started (--fail-fast)")
                },
            ));
            if !failed.is_empty() {
                return Err(fleet_failure(&failed, targets.len()));
            }
        }
    }
    Ok(())
}

fn fleet_failure(failed: &[&str], total: usize) -> Failure {
    Failure::failed(
        "FLEET_FAILED",
        format!(
            "{} of {total} target{} failed: {}. Fix the cause and run the same command again: each target resumes where it stopped.",
            failed.len(),
            plural(total),
            failed.join(", ")
        ),
    )
}

fn migrate_one(
    settings: &Settings,
    cwd: &Path,
    target: &Target,
    phase: Option<Phase>,
) -> MigrateOutcome {
    let start = Instant::now();
    let settings = target_settings(settings, target);
    let mut ctx = target_context(&settings, cwd);
    let outcome = with_engine_configured(
        &mut ctx,
        |config| config.phase_limit = phase,
        |engine| Ok(engine.migrate()),
    );
    let duration = start.elapsed();
    match outcome {
        Ok(Ok(report)) => MigrateOutcome {
            status: Status::Ok,
            applied: report.applied.len(),
            version: Some(
                report
                    .target_version
                    .clone()
                    .unwrap_or_else(|| report.initial_version.clone()),
            ),
            from_version: Some(report.initial_version),
            stopped_before: report.stopped_before,
            error: None,
            duration,
        },
        Ok(Err(failure)) => {
            let report = &failure.report;
            let version = report
                .applied
                .iter()
                .rev()
                .find_map(|s| s.version.clone())
                .or_else(|| Some(report.initial_version.clone()).filter(|v| !v.is_empty()));
            MigrateOutcome {
                status: Status::Failed,
                applied: report.applied.len(),
                from_version: Some(report.initial_version.clone()).filter(|v| !v.is_empty()),
                version,
                stopped_before: None,
                error: Some(Failure::from(failure.error).message),
                duration,
            }
        }
        Err(f) => MigrateOutcome {
            status: Status::Failed,
            applied: 0,
            from_version: None,
            version: None,
            stopped_before: None,
            error: Some(f.message),
            duration,
        },
    }
}

/// `info --fleet FILE`: which targets lag behind.
pub fn info(ctx: &mut Context<'_>, file: &Path, jobs: Option<usize>) -> Result<(), Failure> {
    let options = FleetOptions {
        jobs: check_jobs(jobs)?,
        fail_fast: false,
    };
    let path = fleet_path(ctx, file);
    let targets = load(&path, ctx.settings, &ctx.cwd)?;
    let cwd = ctx.cwd.clone();
    let settings = ctx.settings;
    let outcomes: Vec<InfoOutcome> = run_all(
        &targets,
        options,
        |target| info_one(settings, &cwd, target),
        |o| o.status == Status::Failed,
        |_, _, _| {},
    )
    .into_iter()
    .map(|o| o.expect("every target runs without --fail-fast"))
    .collect();
    // The most advanced version in the fleet: a target below it, or with pending migrations,
    // lags.
    let newest = outcomes
        .iter()
        .filter_map(|o| o.version.as_deref())
        .filter_map(|v| tidemark_ledger::version::Version::parse(v).ok())
        .max();
    let lag = |o: &InfoOutcome| -> &'static str {
        if o.status == Status::Failed {
            return "error";
        }
        if o.failed > 0 {
            return "failed migration";
        }
        let behind = match (&newest, o.version.as_deref()) {
            (Some(n), Some(v)) => {
                tidemark_ledger::version::Version::parse(v).map_or(true, |v| &v < n)
            }
            (Some(_), None) => true,
            _ => false,
        };
        match (behind, o.pending > 0) {
            (_, true) => "behind",
            (true, false) => "behind the fleet",
            (false, false) => "up to date",
        }
    };
    let lagging = outcomes.iter().filter(|o| lag(o) != "up to date").count();
    let errors = outcomes
        .iter()
        .filter(|o| o.status == Status::Failed)
        .count();
    match ctx.out.format {
        Format::Json => {
            let rows: Vec<Value> = targets
                .iter()
                .zip(&outcomes)
                .map(|(t, o)| {
                    json!({
                        "name": t.name,
                        "url": mask(&t.url),
                        "schema": t.schema,
                        "schemaVersion": o.version,
                        "pending": o.pending,
                        "failed": o.failed,
                        "stage": o.stage.map(|p| p.to_string()),
                        "state": lag(o),
                        "error": o.error,
                    })
                })
                .collect();
            ctx.out.json(&json!({
                "operation": "info",
                "fleet": file.display().to_string(),
                "newestVersion": newest.map(|v| v.to_string()),
                "targetCount": targets.len(),
                "lagging": lagging,
                "errors": errors,
                "targets": rows,
            }));
        }
        _ => {
            let rows: Vec<Vec<String>> = targets
                .iter()
                .zip(&outcomes)
                .map(|(t, o)| {
                    vec![
                        t.name.clone(),
                        o.version.clone().unwrap_or_default(),
                        o.pending.to_string(),
                        o.stage.map(|p| p.to_string()).unwrap_or_default(),
                        lag(o).to_string(),
                        o.error
                            .as_deref()
                            .map(first_line)
                            .unwrap_or_default()
                            .to_string(),
                    ]
                })
                .collect();
            for line in ascii_table(
                &["Target", "Version", "Pending", "Stage", "State", "Error"],
                &rows,
            ) {
                ctx.out.result(&line);
            }
            ctx.out.result(&format!(
                "{lagging} of {} target{} lag (pending migrations, or below the newest version in the fleet{}){}",
                targets.len(),
                plural(targets.len()),
                newest.map(|v| format!(", {v}")).unwrap_or_default(),
                if errors > 0 {
                    format!(" ({errors} could not be read)")
                } else {
                    String::new()
                }
            ));
        }
    }
    if errors > 0 {
        return Err(Failure::failed(
            "FLEET_FAILED",
            format!(
                "{errors} of {} target{} could not be read",
                targets.len(),
                plural(targets.len())
            ),
        ));
    }
    Ok(())
}

fn info_one(settings: &Settings, cwd: &Path, target: &Target) -> InfoOutcome {
    let settings = target_settings(settings, target);
    let mut ctx = target_context(&settings, cwd);
    let read = with_engine_configured(
        &mut ctx,
        |_| {},
        |engine| {
            let snapshot = engine.info()?;
            let plan = snapshot.plan()?;
            Ok((
                plan.current()
                    .and_then(|e| e.version())
                    .map(ToString::to_string),
                plan.pending().len(),
                plan.failed().len(),
                snapshot.stage(&plan),
            ))
        },
    );
    match read {
        Ok((version, pending, failed, stage)) => InfoOutcome {
            status: Status::Ok,
            version,
            pending,
            failed,
            stage,
            error: None,
        },
        Err(f) => InfoOutcome {
            status: Status::Failed,
            version: None,
            pending: 0,
            failed: 0,
            stage: None,
            error: Some(f.message),
        },
    }
}

fn first_line(s: &str) -> &str {
    s.split('\n')
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        // Every key at its default, as a run with no flags, environment or files gets them.
        let cwd = std::env::temp_dir();
        Settings::load(
            &crate::settings::Layer::default(),
            &std::collections::BTreeMap::new(),
            &cwd,
        )
        .expect("defaults load")
    }

    #[test]
    fn targets_and_errors_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fleet.toml");
        std::fs::write(
            &path,
            "[[target]]\nname = \"a\"\nurl = \"sqlite:a.db\"\n\n[[target]]\nname = \"b\"\nurl = \"sqlite:b.db\"\nschema = \"main\"\n",
        )
        .unwrap();
        let targets = load(&path, &settings(), dir.path()).unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[1].schema.as_deref(), Some("main"));

        std::fs::write(&path, "[[target]]\nname = \"a\"\nurl = \"sqlite:a.db\"\n[[target]]\nname = \"a\"\nurl = \"sqlite:b.db\"\n").unwrap();
        let e = load(&path, &settings(), dir.path()).unwrap_err();
        assert!(e.message.contains("named 'a'"), "{}", e.message);
        assert_eq!(e.exit, 2);

        std::fs::write(
            &path,
            "[[target]]\nname = \"a\"\nurl = \"sqlite:a.db\"\nurls = 1\n",
        )
        .unwrap();
        let e = load(&path, &settings(), dir.path()).unwrap_err();
        assert!(e.message.contains("unknown field"), "{}", e.message);

        std::fs::write(&path, "").unwrap();
        assert!(load(&path, &settings(), dir.path()).is_err());
    }

    #[test]
    fn target_credentials_win_over_settings() {
        let mut s = settings();
        s.user = Some("global".into());
        s.password = Some("secret".into());
        let t = Target {
            name: "t".into(),
            url: "postgres://alice:pw@h/db".into(),
            schema: Some("tenant_1".into()),
        };
        let ts = target_settings(&s, &t);
        assert_eq!((ts.user, ts.password), (None, None));
        assert_eq!(ts.default_schema.as_deref(), Some("tenant_1"));
        assert_eq!(ts.schemas, vec!["tenant_1".to_string()]);
        let t = Target {
            url: "postgres://h/db".into(),
            ..t
        };
        let ts = target_settings(&s, &t);
        assert_eq!(ts.user.as_deref(), Some("global"));
    }

    #[test]
    fn fail_fast_stops_starting_targets() {
        let targets: Vec<Target> = (0..10)
            .map(|i| Target {
                name: format!("t{i}"),
                url: String::new(),
                schema: None,
            })
            .collect();
        let options = FleetOptions {
            jobs: 1,
            fail_fast: true,
        };
        let out = run_all(&targets, options, |t| t.name == "t2", |f| *f, |_, _, _| {});
        assert_eq!(out.iter().filter(|o| o.is_some()).count(), 3);
        let options = FleetOptions {
            jobs: 3,
            fail_fast: false,
        };
        let out = run_all(&targets, options, |t| t.name == "t2", |f| *f, |_, _, _| {});
        assert!(out.iter().all(Option::is_some));
    }
}
