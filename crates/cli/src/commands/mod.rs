//! One file per command. Each one: settings -> the ledger and engine -> render. The shared steps
//! (mapping settings onto the engine's config, connecting, resolving) live here once.

pub mod adopt;
pub mod baseline;
pub mod check;
pub mod clean;
pub mod completions;
pub mod diff;
pub mod drift;
pub mod fleet;
pub mod info;
pub mod lint;
pub mod liquibase;
pub mod migrate;
pub mod new;
pub mod plan;
pub mod rehearse;
pub mod repair;
pub mod schema;
pub mod scratch;
pub mod undo;
pub mod undo_script;
pub mod validate;

use std::path::{Path, PathBuf};

use tidemark_engine::{Config, Engine, ReadAhead, ReadAheadMode, UndoRecord};
use tidemark_ledger::name::NamingConfig;
use tidemark_ledger::pattern::IgnorePatterns;
use tidemark_ledger::placeholder::{Placeholders, Syntax};
use tidemark_ledger::plan::PlanConfig;
use tidemark_ledger::source::{FsSource, Prefetched, ResolveConfig};
use tidemark_ledger::text::Encoding;
use tidemark_ledger::version::{Target, Version};

use crate::connect::{self, Connection};
use crate::failure::Failure;
use crate::output::Output;
use crate::settings::Settings;

/// What every command gets.
pub struct Context<'a> {
    /// The resolved settings.
    pub settings: &'a Settings,
    /// The process's working directory.
    pub cwd: PathBuf,
    /// Where output goes.
    pub out: Output,
    /// The process ends with this command (not so for a fleet's targets): what the command
    /// read need not be freed piece by piece, the process's exit lets go of it at once.
    pub exits_after: bool,
}

/// Maps settings onto the engine's configuration; bad values are usage errors (exit 2).
pub fn engine_config(settings: &Settings) -> Result<Config, Failure> {
    let mut target_text = settings.target.trim().to_string();
    if !settings.fail_on_missing_target && !target_text.ends_with('?') {
        target_text.push('?');
    }
    let target = Target::parse(&target_text)
        .map_err(|e| Failure::usage(format!("Invalid target '{}': {e}", settings.target)))?;
    let baseline_version = Version::parse(&settings.baseline_version).map_err(|e| {
        Failure::usage(format!(
            "Invalid baselineVersion '{}': {e}",
            settings.baseline_version
        ))
    })?;
    let ignore_patterns = IgnorePatterns::parse(&settings.ignore_migration_patterns)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let encoding = Encoding::from_name(&settings.encoding)
        .map_err(|e| Failure::usage(format!("Invalid encoding: {e}")))?;
    let mut placeholders = Placeholders::new(Syntax {
        prefix: settings.placeholder_prefix.clone(),
        suffix: settings.placeholder_suffix.clone(),
        separator: settings.placeholder_separator.clone(),
    });
    for (name, value) in &settings.placeholders {
        placeholders.set(name, value.clone());
    }
    let naming = NamingConfig {
        versioned_prefix: settings.sql_migration_prefix.clone(),
        undo_prefix: settings.undo_sql_migration_prefix.clone(),
        repeatable_prefix: settings.repeatable_sql_migration_prefix.clone(),
        baseline_prefix: settings.baseline_migration_prefix.clone(),
        separator: settings.sql_migration_separator.clone(),
        suffixes: settings.sql_migration_suffixes.clone(),
    };
    let callback_only_locations = (settings.locations.len()
        ..settings.locations.len() + settings.callback_locations.len())
        .collect();
    Ok(Config {
        schemas: settings.schemas.clone(),
        default_schema: settings.default_schema.clone(),
        create_schemas: settings.create_schemas,
        table: settings.table.clone(),
        tablespace: settings.tablespace.clone(),
        resolve: ResolveConfig {
            naming,
            encoding,
            detect_encoding: settings.detect_encoding,
            placeholder_replacement: settings.placeholder_replacement,
            placeholders,
            validate_naming: settings.validate_migration_naming,
            callback_only_locations,
        },
        plan: PlanConfig {
            target,
            out_of_order: settings.out_of_order,
        },
        ignore_patterns,
        validate_on_migrate: settings.validate_on_migrate,
        baseline_on_migrate: settings.baseline_on_migrate,
        baseline_version,
        baseline_description: settings.baseline_description.clone(),
        clean_disabled: settings.clean_disabled,
        mixed: settings.mixed,
        group: settings.group,
        execute_in_transaction: settings.execute_in_transaction,
        installed_by: settings.installed_by.clone(),
        lock_retry_count: settings.lock_retry_count,
        skip_executing_migrations: settings.skip_executing_migrations,
        skip_default_callbacks: settings.skip_default_callbacks,
        environment: settings.environment.clone(),
        working_directory: settings.working_directory.clone(),
        dry_run: settings.dry_run_output.is_some(),
        undo_record: match settings.undo_record.trim().to_ascii_lowercase().as_str() {
            "" | "undo_sql" | "undosql" => UndoRecord::UndoSql,
            "delete" => UndoRecord::Delete,
            other => {
                return Err(Failure::usage(format!(
                    "Invalid undoRecord '{other}' (expected undo_sql or delete)"
                )));
            }
        },
        run_id: settings.deployment_id.clone(),
        phase_limit: None,
        strict_phases: settings.strict_phases,
        lock_retries: settings.lock_retries,
        lock_timeout: settings.lock_timeout,
        infer_phase: Some(tidemark_lint::infer_phase),
        review: None,
        read_ahead: ReadAheadMode::Nothing,
    })
}

/// The migration files: every location, then the callback-only locations. Locations inside the
/// current directory are made relative to it, so messages name `migrations/V1__x.sql` rather
/// than an absolute path.
pub fn source(settings: &Settings, cwd: &Path) -> FsSource {
    let all = settings
        .locations
        .iter()
        .chain(&settings.callback_locations)
        .map(|l| match l.strip_prefix(cwd) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => l.clone(),
        })
        .collect();
    FsSource::new(all, settings.fail_on_missing_locations)
}

/// Connects, builds the engine and runs `work` with it.
pub fn with_engine<T>(
    ctx: &mut Context<'_>,
    work: impl FnOnce(&mut Engine<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    with_engine_dry(ctx, false, work)
}

/// Like [`with_engine`]; `dry_run` (or a `dryRunOutput` setting) makes the engine record the SQL
/// instead of running it, and sends progress lines to stderr so stdout holds only SQL.
pub fn with_engine_dry<T>(
    ctx: &mut Context<'_>,
    dry_run: bool,
    work: impl FnOnce(&mut Engine<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    with_engine_configured(ctx, |config| config.dry_run |= dry_run, work)
}

/// Like [`with_engine`], with a command-specific adjustment of the engine's configuration
/// (`migrate --phase`, `--dry-run`).
pub fn with_engine_configured<T>(
    ctx: &mut Context<'_>,
    configure: impl FnOnce(&mut Config),
    work: impl FnOnce(&mut Engine<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut config = engine_config(ctx.settings)?;
    configure(&mut config);
    if config.dry_run {
        ctx.out.info_to_stderr = true;
    }
    let settings = ctx.settings;
    let files = source(settings, &ctx.cwd);
    let suffixes = &settings.sql_migration_suffixes;
    // The files are read, and resolved when that does not need the connection, while the
    // database connects and answers for the history (see `ReadAhead`): on a run with nothing
    // to do these take about as long as each other, and the server does much of the second.
    let config_ref = &config;
    std::thread::scope(|s| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let files = &files;
        let reader = s.spawn(move || {
            // Resolved as they are read when nothing in them needs the connection; otherwise
            // read now and resolved by the engine.
            let mut prefetched = Prefetched::listed(files);
            let early = tidemark_engine::resolve_early(&prefetched, &config_ref.resolve);
            if early.is_none() {
                prefetched.read_files(|name| {
                    name.ends_with(".conf") || suffixes.iter().any(|suffix| name.ends_with(suffix))
                });
            }
            let _ = sender.send((prefetched, early));
        });
        let mut connection = if config_ref.dry_run {
            connect::connect_read_only(settings, &ctx.cwd)
        } else {
            connect::connect(settings, &ctx.cwd)
        };
        // An error here is the engine's to meet again, in its own order.
        let ahead = match &mut connection {
            Ok(c) => ReadAhead::read(c.driver.as_mut(), config_ref)
                .ok()
                .flatten(),
            Err(_) => None,
        };
        // The reader hands its results over before it ends: the end of a thread (its stacks
        // let go of) then overlaps the engine's work instead of coming before it.
        let (prefetched, early) = match receiver.recv() {
            Ok(loaded) => loaded,
            Err(_) => std::panic::resume_unwind(
                reader
                    .join()
                    .err()
                    .unwrap_or_else(|| Box::new("the file reader ended without its results")),
            ),
        };
        run_engine(ctx, config_ref, connection, ahead, &prefetched, early, work)
    })
}

/// The rest of [`with_engine_configured`], once the files and the connection are there.
fn run_engine<T>(
    ctx: &mut Context<'_>,
    config: &Config,
    connection: Result<Connection, Failure>,
    ahead: Option<ReadAhead>,
    prefetched: &Prefetched<'_>,
    early: Option<tidemark_ledger::source::Resolved>,
    work: impl FnOnce(&mut Engine<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let Connection {
        mut driver,
        description,
    } = connection?;
    use tidemark_engine::Reporter;
    ctx.out.info(&format!("Database: {description}"));
    let mut engine =
        Engine::new_resolved(driver.as_mut(), prefetched, config, &mut ctx.out, early)?;
    if let Some(ahead) = ahead {
        engine.use_read_ahead(ahead);
    }
    let outcome = work(&mut engine);
    // The session ends first: the server's backend then exits on the other core while this one
    // frees the files (a thousand resolved files take about a millisecond to free), or leaves
    // them to the process's exit when that comes next.
    let resolved = engine.take_resolved();
    let spent = engine.take_spent();
    drop(engine);
    drop(driver);
    if ctx.exits_after {
        std::mem::forget((resolved, spent));
    } else {
        drop((resolved, spent));
    }
    outcome
}

/// `"s"` unless there is exactly one (`"1 migration"`, `"2 migrations"`).
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A path shown relative to the working directory when it is inside it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}
