//! The runner: every command's shared machinery, one file per command beside it.
//!
//! Order of work, for every command that writes: take the lock -> make sure schema and history
//! table exist -> read the history once -> plan -> validate -> apply each step -> release the
//! lock (on every path, a panic included). A migration's statements and its history row commit
//! in one transaction where the DBMS allows it; otherwise the path without a transaction is
//! explicit and a failure is recorded honestly as a `success = false` row.
//!
//! Taking the lock and the first read of the history may have been done ahead, while the files
//! were still being read (`ahead.rs`: the CLI connects, takes the lock and reads the history on
//! its main thread); the engine then takes both over, in the same order.

mod ahead;
mod backfill;
mod baseline;
mod clean;
pub mod companion;
mod inspect;
mod migrate;
mod phases;
mod record;
pub mod repair;
mod step;
pub mod undo;
mod write;

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use tidemark_ledger::event::Event;
use tidemark_ledger::history::{
    AppliedMigration, HistoryError, MigrationType, abbreviate_description, abbreviate_script,
};
use tidemark_ledger::pattern::IgnorePatterns;
use tidemark_ledger::phase::Phase;
use tidemark_ledger::placeholder::Placeholders;
use tidemark_ledger::plan::PlanConfig;
use tidemark_ledger::script::Callback;
use tidemark_ledger::source::{ResolveConfig, Resolved, Source, resolve};
use tidemark_ledger::version::Version;
use tidemark_sql::Statement;

use crate::driver::{Driver, Row, Value};
use crate::error::{Error, ScriptFailure};
use crate::history_table::HistoryTable;
use crate::lock;
use crate::report::Reporter;

pub use ahead::{ReadAhead, ReadAheadMode, resolve_early};
pub use inspect::Snapshot;
pub use migrate::MigrateFailure;
pub use write::{DryRun, inline_params};

/// Engine settings (the Flyway keys the engine needs; the CLI maps settings onto this).
#[derive(Debug, Clone)]
pub struct Config {
    /// `schemas`.
    pub schemas: Vec<String>,
    /// `defaultSchema`.
    pub default_schema: Option<String>,
    /// `createSchemas`.
    pub create_schemas: bool,
    /// `table`.
    pub table: String,
    /// `tablespace`.
    pub tablespace: Option<String>,
    /// How files are resolved; `resolve.placeholders` holds the user's placeholders (built-ins
    /// are added by the engine once connected).
    pub resolve: ResolveConfig,
    /// `target` and `outOfOrder`.
    pub plan: PlanConfig,
    /// `ignoreMigrationPatterns`.
    pub ignore_patterns: IgnorePatterns,
    /// `validateOnMigrate`.
    pub validate_on_migrate: bool,
    /// `baselineOnMigrate`.
    pub baseline_on_migrate: bool,
    /// `baselineVersion`.
    pub baseline_version: Version,
    /// `baselineDescription`.
    pub baseline_description: String,
    /// `cleanDisabled`.
    pub clean_disabled: bool,
    /// `mixed`.
    pub mixed: bool,
    /// `group`.
    pub group: bool,
    /// `executeInTransaction`.
    pub execute_in_transaction: bool,
    /// `installedBy`.
    pub installed_by: Option<String>,
    /// `lockRetryCount`.
    pub lock_retry_count: i64,
    /// `skipExecutingMigrations`.
    pub skip_executing_migrations: bool,
    /// `skipDefaultCallbacks`: ignore SQL callbacks found in the locations.
    pub skip_default_callbacks: bool,
    /// `environment` (for `${flyway:environment}`).
    pub environment: String,
    /// `workingDirectory` (for `${flyway:workingDirectory}`).
    pub working_directory: PathBuf,
    /// `--dry-run`: record the SQL that would run instead of running it.
    pub dry_run: bool,
    /// `undoRecord`: how an undo is recorded (Flyway Teams' `UNDO_SQL` row, or a `DELETE` row that
    /// Flyway Community can read).
    pub undo_record: UndoRecord,
    /// The run id recorded in the companion table (`--deployment-id`); generated when unset.
    pub run_id: Option<String>,
    /// `migrate --phase P`: stop before the first pending migration whose phase comes after P.
    pub phase_limit: Option<Phase>,
    /// `strictPhases`: refuse a run that applies contract after expand instead of warning.
    pub strict_phases: bool,
    /// `lockRetries`: retries of a transactional migration that hit `lockTimeout`.
    pub lock_retries: u32,
    /// `lockTimeout` the connection was opened with (restored after a migration whose directive
    /// overrides it); `None`: the database's default.
    pub lock_timeout: Option<std::time::Duration>,
    /// Infers a statement's phase (the linter's classification); `None`: untagged migrations
    /// count as `expand`.
    pub infer_phase: Option<InferPhase>,
    /// Reviews pending migrations before `migrate` applies them (the linter).
    pub review: Option<PendingReview>,
    /// What the command reads first, read ahead while the files load (see [`ReadAhead`]).
    pub read_ahead: ReadAheadMode,
}

/// A statement-phase classifier: `(dialect, one SQL statement) -> phase`.
pub type InferPhase = fn(tidemark_sql::Dialect, &str) -> Option<Phase>;

/// A migration as a reviewer sees it: the file and its text with placeholders replaced.
#[derive(Debug, Clone)]
pub struct ReviewFile {
    /// The file.
    pub path: PathBuf,
    /// The text as it will run.
    pub text: String,
    /// The declared phase, if any.
    pub declared_phase: Option<Phase>,
}

/// What a review of the pending migrations found.
#[derive(Debug, Clone, Default)]
pub struct ReviewOutcome {
    /// Lines to show (one finding each).
    pub lines: Vec<String>,
    /// Refuse to migrate (nothing is applied).
    pub refuse: bool,
}

/// The function behind a [`PendingReview`]: `(dialect, applied, pending) -> outcome`.
pub type ReviewFn =
    dyn Fn(tidemark_sql::Dialect, &[ReviewFile], &[ReviewFile]) -> ReviewOutcome + Send + Sync;

/// Reviews the migrations `migrate` is about to apply, given those already applied (the linter,
/// behind `lintOnMigrate`).
#[derive(Clone)]
pub struct PendingReview {
    /// The reviewer.
    pub review: std::sync::Arc<ReviewFn>,
    /// Whether its outcome can refuse the run (`lintOnMigrate=error`). A review that cannot
    /// refuse runs while the migrations are applied, and its findings are shown when it is done
    /// (before the summary); one that can refuse runs before anything is applied.
    pub refuses: bool,
}

impl std::fmt::Debug for PendingReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingReview(..)")
    }
}

/// How `undo` records what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UndoRecord {
    /// An `UNDO_SQL` row, as Flyway Teams writes it (Flyway Community cannot read it).
    #[default]
    UndoSql,
    /// A `DELETE` row, which Flyway Community reads as "this migration was removed".
    Delete,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schemas: Vec::new(),
            default_schema: None,
            create_schemas: true,
            table: "flyway_schema_history".into(),
            tablespace: None,
            resolve: ResolveConfig::default(),
            plan: PlanConfig::default(),
            ignore_patterns: IgnorePatterns::parse(&["*:future"]).unwrap_or_default(),
            validate_on_migrate: true,
            baseline_on_migrate: false,
            baseline_version: Version::parse("1").expect("1 is a version"),
            baseline_description: "<< Flyway Baseline >>".into(),
            clean_disabled: true,
            mixed: false,
            group: false,
            execute_in_transaction: true,
            installed_by: None,
            lock_retry_count: 50,
            skip_executing_migrations: false,
            skip_default_callbacks: false,
            environment: "default".into(),
            working_directory: PathBuf::from("."),
            dry_run: false,
            undo_record: UndoRecord::UndoSql,
            run_id: None,
            phase_limit: None,
            strict_phases: false,
            lock_retries: 5,
            lock_timeout: None,
            infer_phase: None,
            review: None,
            read_ahead: ReadAheadMode::Nothing,
        }
    }
}

/// One command's session with one database.
pub struct Engine<'a> {
    driver: &'a mut dyn Driver,
    config: &'a Config,
    reporter: &'a mut dyn Reporter,
    table: HistoryTable,
    placeholders: Placeholders,
    resolved: Resolved,
    installed_by: Option<String>,
    dry_run: Option<write::DryRun>,
    run_id: String,
    companion_ready: bool,
    /// Phases inferred so far, by script: inferring parses the file, and `migrate` asks for a
    /// migration's phase several times (staging, the report, the companion row).
    inferred_phases: std::cell::RefCell<std::collections::HashMap<String, Option<Phase>>>,
    /// The history and companion inserts, spelled once: every migration runs both.
    inserts: Inserts,
    /// While `migrate` applies: the phases a thread of its own infers beside the loop.
    phases_beside: Option<phases::SharedPhases>,
    /// What was read ahead of the engine, until its first history read.
    ahead: Option<ReadAhead>,
    /// Inside [`Engine::locked`].
    in_lock: bool,
    /// History rows a command has finished with, for [`Engine::take_spent`].
    spent: Vec<Vec<AppliedMigration>>,
}

/// The SQL of the two inserts every applied migration runs.
struct Inserts {
    history: std::rc::Rc<str>,
    companion: std::rc::Rc<str>,
}

impl Inserts {
    fn new(table: &HistoryTable) -> Inserts {
        Inserts {
            history: table.insert().into(),
            companion: table.companion().insert_companion().into(),
        }
    }
}

impl<'a> Engine<'a> {
    /// Connects the pieces: finds the schema, fills the built-in placeholders and resolves the
    /// files (no lock is taken and nothing is written here).
    pub fn new(
        driver: &'a mut dyn Driver,
        source: &'a dyn Source,
        config: &'a Config,
        reporter: &'a mut dyn Reporter,
    ) -> Result<Engine<'a>, Error> {
        Engine::new_resolved(driver, source, config, reporter, None)
    }

    /// Like [`Engine::new`], with the files already resolved by [`resolve_early`] when it
    /// could (`None`: resolve them here).
    pub fn new_resolved(
        driver: &'a mut dyn Driver,
        source: &'a dyn Source,
        config: &'a Config,
        reporter: &'a mut dyn Reporter,
        early: Option<Resolved>,
    ) -> Result<Engine<'a>, Error> {
        let table = history_table(driver, config)?;
        let schema = table.schema.clone();
        let mut placeholders = config.resolve.placeholders.clone();
        let user = driver
            .current_user()
            .map_err(|e| Error::db("read the current user", e))?;
        placeholders.set("flyway:defaultSchema", schema.clone());
        placeholders.set("flyway:user", user);
        if let Some(db) = driver
            .database_name()
            .map_err(|e| Error::db("read the database name", e))?
        {
            placeholders.set("flyway:database", db);
        }
        placeholders.set("flyway:timestamp", local_timestamp());
        placeholders.set(
            "flyway:workingDirectory",
            config.working_directory.display().to_string(),
        );
        placeholders.set("flyway:table", config.table.clone());
        placeholders.set("flyway:environment", config.environment.clone());

        let mut resolved = match early {
            Some(resolved) => resolved,
            None => {
                let mut resolve_config = config.resolve.clone();
                resolve_config.placeholders = placeholders.clone();
                resolve(source, &resolve_config).map_err(Error::Resolve)?
            }
        };
        if config.skip_default_callbacks {
            resolved.callbacks.clear();
        }
        for warning in &resolved.warnings {
            reporter.warn(warning);
        }
        if !resolved.skipped.is_empty() && !config.resolve.validate_naming {
            reporter.warn(&format!(
                "{} SQL migrations were detected but not run because they did not follow the filename convention.",
                resolved.skipped.len()
            ));
            for (path, e) in &resolved.skipped {
                reporter.warn(&format!("  {}: {e}", path.display()));
            }
        }
        Ok(Engine {
            driver,
            config,
            reporter,
            inserts: Inserts::new(&table),
            table,
            placeholders,
            resolved,
            installed_by: None,
            dry_run: config.dry_run.then(write::DryRun::default),
            run_id: config.run_id.clone().unwrap_or_else(new_run_id),
            companion_ready: false,
            inferred_phases: Default::default(),
            phases_beside: None,
            ahead: None,
            in_lock: false,
            spent: Vec::new(),
        })
    }

    /// The schema the history table lives in, quoted as Flyway prints it (`"main"`).
    pub fn schema_display(&self) -> String {
        self.table.quote(&self.table.schema)
    }

    /// The resolved files.
    pub fn resolved(&self) -> &Resolved {
        &self.resolved
    }

    /// Takes the resolved files out (the engine is left with none), for a caller that is done
    /// with the engine and frees them elsewhere.
    pub fn take_resolved(&mut self) -> Resolved {
        std::mem::take(&mut self.resolved)
    }

    /// Takes out the history rows the commands run so far read and finished with (`validate`
    /// and `migrate` keep theirs here instead of freeing them: a thousand rows take a third of
    /// a millisecond to free, which a caller about to exit need not spend).
    pub fn take_spent(&mut self) -> Vec<Vec<AppliedMigration>> {
        std::mem::take(&mut self.spent)
    }

    /// The driver (for tests and tools that need the connection after a command).
    pub fn driver(&mut self) -> &mut dyn Driver {
        self.driver
    }

    /// Runs `work` holding the migration lock; the lock is released on every path.
    fn locked<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        let id = lock::flyway_lock_id(&self.table.schema, &self.table.table);
        let retries = self.config.lock_retry_count;
        let reporter = &mut *self.reporter;
        lock::acquire(self.driver, &id, retries, |attempt| {
            reporter.info(&format!(
                "Waiting for the migration lock held by another session (attempt {attempt})..."
            ))
        })?;
        let outer = std::mem::replace(&mut self.in_lock, true);
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&mut *self)));
        self.in_lock = outer;
        let released = self.driver.unlock(&id);
        match outcome {
            Ok(Ok(value)) => {
                released.map_err(|e| Error::db("release the migration lock", e))?;
                Ok(value)
            }
            Ok(Err(e)) => Err(e),
            Err(panic) => resume_unwind(panic),
        }
    }

    /// Makes the configured schema (`defaultSchema`, else the first of `schemas`) the default
    /// for unqualified names, as Flyway does before migrating. Nothing to do when no schema is
    /// configured: the connection's own default is then the history table's schema.
    fn use_configured_schema(&mut self) -> Result<(), Error> {
        if self.config.default_schema.is_none() && self.config.schemas.is_empty() {
            return Ok(());
        }
        if self.dry_run.is_some()
            && !self
                .driver
                .schema_exists(&self.table.schema)
                .unwrap_or(false)
        {
            // A dry run has not really created the schema.
            return Ok(());
        }
        let schema = self.table.schema.clone();
        self.driver
            .set_current_schema(&schema)
            .map_err(|e| Error::db(&format!("switch to schema {schema}"), e))
    }

    /// Sets the session's lock timeout (a migration's `-- tidemark:lockTimeout=` directive);
    /// `None` restores the database's default. Recorded, like every session change, in a dry run.
    fn set_lock_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<(), Error> {
        let ms = timeout.map_or(0, |t| t.as_millis());
        let sql = match self.driver.dialect() {
            tidemark_sql::Dialect::Postgres => format!("SET lock_timeout = '{ms}ms'"),
            // MySQL counts whole seconds (at least 1); its default is a year.
            tidemark_sql::Dialect::Mysql => {
                let secs = if ms == 0 {
                    31_536_000
                } else {
                    ms.div_ceil(1000).max(1)
                };
                format!("SET SESSION lock_wait_timeout = {secs}")
            }
            tidemark_sql::Dialect::Sqlite => format!(
                "PRAGMA busy_timeout = {}",
                if ms == 0 { 30_000 } else { ms }
            ),
        };
        self.db_execute(&sql, &[])
            .map(|_| ())
            .map_err(|e| Error::db("set the lock timeout", e))
    }

    fn history_exists(&mut self) -> Result<bool, Error> {
        ahead::history_exists(self.driver, &self.table)
    }

    /// Reads every history row (empty when the table does not exist).
    fn read_history(&mut self) -> Result<Vec<AppliedMigration>, Error> {
        if let Some(history) = self.history_ahead() {
            return Ok(history);
        }
        ahead::read_rows(self.driver, &self.table)
    }

    fn create_history_table(&mut self) -> Result<(), Error> {
        self.reporter.info(&format!(
            "Creating Schema History table {} ...",
            self.table.qualified()
        ));
        self.dry_comment(&format!(
            "Create the schema history table {} and its companion",
            self.table.qualified()
        ));
        let transactional = self.driver.supports_ddl_transactions();
        if transactional {
            self.db_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
        }
        let result = (|| {
            for sql in self.table.create() {
                self.db_execute(&sql, &[])
                    .map_err(|e| Error::db("create the schema history table", e))?;
            }
            self.ensure_companion()
        })();
        self.finish_tx(transactional, result)
    }

    /// Commits on success, rolls back on error (when a transaction was begun).
    fn finish_tx<T>(&mut self, began: bool, result: Result<T, Error>) -> Result<T, Error> {
        if !began {
            return result;
        }
        match result {
            Ok(v) => {
                self.db_commit().map_err(|e| Error::db("commit", e))?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.db_rollback();
                Err(e)
            }
        }
    }

    fn installed_by(&mut self) -> Result<String, Error> {
        if let Some(by) = &self.installed_by {
            return Ok(by.clone());
        }
        let by = match &self.config.installed_by {
            Some(by) => by.clone(),
            None => self
                .driver
                .current_user()
                .map_err(|e| Error::db("read the current user", e))?,
        };
        self.installed_by = Some(by.clone());
        Ok(by)
    }

    /// Inserts one history row with Flyway's statement.
    #[allow(clippy::too_many_arguments)]
    fn insert_row(
        &mut self,
        rank: i32,
        version: Option<&str>,
        description: &str,
        kind: MigrationType,
        script: &str,
        checksum: Option<i32>,
        execution_time: i32,
        success: bool,
    ) -> Result<(), Error> {
        let installed_by = self.installed_by()?;
        let params = [
            Value::Int(i64::from(rank)),
            version.map_or(Value::Null, |v| Value::Text(v.to_string())),
            Value::Text(abbreviate_description(description)),
            Value::Text(kind.as_str().to_string()),
            Value::Text(abbreviate_script(script)),
            checksum.map_or(Value::Null, |c| Value::Int(i64::from(c))),
            Value::Text(installed_by),
            Value::Int(i64::from(execution_time)),
            Value::Bool(success),
        ];
        let sql = std::rc::Rc::clone(&self.inserts.history);
        self.db_execute(&sql, &params)
            .map(|_| ())
            .map_err(|e| Error::db(&format!("insert a row into {}", self.table.qualified()), e))
    }

    /// Replaces placeholders in a script's text for execution (with `${flyway:filename}` set).
    fn prepare_text(
        &self,
        text: &str,
        path: &Path,
        filename: &str,
        replace: bool,
    ) -> Result<String, Error> {
        self.prepare_text_with(text, path, filename, replace, &self.placeholders)
    }

    /// [`Engine::prepare_text`] with a given set of placeholders (a backfill adds
    /// `${tidemark:batchSize}`).
    fn prepare_text_with(
        &self,
        text: &str,
        path: &Path,
        filename: &str,
        replace: bool,
        placeholders: &Placeholders,
    ) -> Result<String, Error> {
        let text = tidemark_ledger::text::strip_bom(text);
        if !replace || !placeholders.may_occur_in(text) {
            return Ok(text.to_string());
        }
        let mut placeholders = placeholders.clone();
        placeholders.set("flyway:filename", filename);
        placeholders.replace(text).map_err(|e| {
            use tidemark_ledger::placeholder::PlaceholderError as P;
            let line = match &e {
                P::Missing { line, .. }
                | P::UnknownBuiltIn { line, .. }
                | P::Unterminated { line, .. } => *line,
                _ => 0,
            };
            Error::Prepare {
                path: path.to_path_buf(),
                line,
                message: e.to_string(),
            }
        })
    }

    fn split(&self, text: &str, path: &Path) -> Result<Vec<Statement>, Error> {
        tidemark_sql::split(self.driver.dialect(), text).map_err(|e| Error::Prepare {
            path: path.to_path_buf(),
            line: e.line,
            message: format!("Unable to parse statement: {e}"),
        })
    }

    /// Executes statements in order; the first failure stops and is reported with its line.
    fn run_statements(
        &mut self,
        what: &str,
        path: &Path,
        statements: &[Statement],
    ) -> Result<(), Box<ScriptFailure>> {
        if statements.len() > 1 && self.dry_run.is_none() && !self.reporter.watches_statements() {
            // Fast path: one batch (one round trip on PostgreSQL); the driver says which
            // statement failed, so the failure still names its line.
            let sql: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
            return self.driver.execute_script(&sql).map_err(|(i, error)| {
                let statement = &statements[i.min(statements.len() - 1)];
                Box::new(ScriptFailure {
                    what: what.to_string(),
                    path: path.to_path_buf(),
                    line: statement.line,
                    statement: statement.sql.clone(),
                    error,
                    rolled_back: false,
                    hint: None,
                })
            });
        }
        for statement in statements {
            if let Err(error) = self.observed_execute(what, path, statement) {
                return Err(Box::new(ScriptFailure {
                    what: what.to_string(),
                    path: path.to_path_buf(),
                    line: statement.line,
                    statement: statement.sql.clone(),
                    error,
                    rolled_back: false,
                    hint: None,
                }));
            }
        }
        Ok(())
    }

    /// Executes one statement of a script, telling the reporter before and after
    /// ([`Reporter::before_statement`]); in a dry run it is only recorded, unobserved.
    fn observed_execute(
        &mut self,
        what: &str,
        path: &Path,
        statement: &Statement,
    ) -> Result<u64, crate::driver::DbError> {
        if self.dry_run.is_some() {
            return self.db_execute(&statement.sql, &[]);
        }
        let event = crate::report::StatementEvent {
            what,
            path,
            line: statement.line,
            sql: &statement.sql,
        };
        self.reporter.before_statement(&event, &mut *self.driver);
        let result = self.db_execute(&statement.sql, &[]);
        self.reporter
            .after_statement(&event, result.as_ref().copied(), &mut *self.driver);
        result
    }

    fn callbacks(&self, event: Event) -> Vec<Callback> {
        self.resolved
            .callbacks
            .iter()
            .filter(|c| c.event == event)
            .cloned()
            .collect()
    }

    /// Runs the SQL callbacks of an event. Per-migration events run inside the caller's
    /// transaction (`in_tx`); the others run in a transaction of their own where possible.
    fn fire(&mut self, event: Event, in_tx: bool) -> Result<(), Error> {
        for callback in self.callbacks(event) {
            let replace = callback
                .config
                .placeholder_replacement
                .unwrap_or(self.config.resolve.placeholder_replacement);
            let file_name = callback
                .script
                .rsplit('/')
                .next()
                .unwrap_or(&callback.script)
                .to_string();
            let text = self.prepare_text(&callback.text, &callback.path, &file_name, replace)?;
            let statements = self.split(&text, &callback.path)?;
            let own_tx = !in_tx
                && callback.config.execute_in_transaction.unwrap_or(true)
                && !statements.iter().any(|s| s.non_transactional);
            self.reporter.info(&format!(
                "Executing SQL callback: {} - {}",
                event.id(),
                callback.description
            ));
            if own_tx {
                self.db_begin()
                    .map_err(|e| Error::db("begin a transaction", e))?;
            }
            let what = format!("Callback {file_name}");
            match self.run_statements(&what, &callback.path, &statements) {
                Ok(()) => {
                    if own_tx {
                        self.db_commit().map_err(|e| Error::db("commit", e))?;
                    }
                }
                Err(mut failure) => {
                    if own_tx {
                        let _ = self.db_rollback();
                        failure.rolled_back = self.driver.supports_ddl_transactions();
                    }
                    return Err(Error::Script(failure));
                }
            }
        }
        Ok(())
    }

    /// Fires an error event; its own failures are reported as warnings, never masking the
    /// original error.
    fn fire_error(&mut self, event: Event, in_tx: bool) {
        if let Err(e) = self.fire(event, in_tx) {
            self.reporter
                .warn(&format!("{} callback failed: {e}", event.id()));
        }
    }

    /// Runs `work` between the `before` and `after`/`afterError` callbacks of a command.
    fn around<T>(
        &mut self,
        before: Event,
        after: Event,
        after_error: Event,
        work: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let result = self.fire(before, false).and_then(|()| work(self));
        match result {
            Ok(v) => {
                self.fire(after, false)?;
                Ok(v)
            }
            Err(e) => {
                self.fire_error(after_error, false);
                Err(e)
            }
        }
    }
}

/// Converts a row of [`HistoryTable::select`] into an [`AppliedMigration`].
fn parse_row(row: Row) -> Result<AppliedMigration, Error> {
    let mut row = row;
    row.resize(10, Value::Null);
    let mut get = |i: usize| std::mem::replace(&mut row[i], Value::Null);
    let rank = get(0).as_i64().unwrap_or(0) as i32;
    let version = match get(1).into_text() {
        Some(text) => Some(
            Version::parse(&text).map_err(|source| HistoryError::BadVersion {
                text,
                rank,
                source,
            })?,
        ),
        None => None,
    };
    let kind_text = get(3).into_text().unwrap_or_default();
    let kind = MigrationType::parse(&kind_text).ok_or(HistoryError::UnknownType {
        kind: kind_text,
        rank,
    })?;
    Ok(AppliedMigration {
        installed_rank: rank,
        version,
        description: get(2).into_text().unwrap_or_default(),
        kind,
        script: get(4).into_text().unwrap_or_default(),
        checksum: get(5).as_i64().map(|c| c as i32),
        installed_on: normalize_timestamp(get(6).into_text().unwrap_or_default()),
        installed_by: get(7).into_text().unwrap_or_default(),
        execution_time: get(8).as_i64().unwrap_or(0) as i32,
        success: get(9).as_bool().unwrap_or(false),
    })
}

/// The history table of this connection and configuration: in `defaultSchema`, else the first
/// of `schemas`, else the connection's current schema.
fn history_table(driver: &mut dyn Driver, config: &Config) -> Result<HistoryTable, Error> {
    let schema = match config
        .default_schema
        .clone()
        .or_else(|| config.schemas.first().cloned())
    {
        Some(s) => s,
        None => driver
            .current_schema()
            .map_err(|e| Error::db("determine the current schema", e))?,
    };
    Ok(HistoryTable {
        dialect: driver.dialect(),
        schema,
        table: config.table.clone(),
        tablespace: config.tablespace.clone(),
    })
}

/// `2026-07-19T18:01:56.504` / `2026-07-19 18:01:56.504+00` -> `2026-07-19 18:01:56.504`.
fn normalize_timestamp(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    if let Some(t) = s.find('T') {
        s.replace_range(t..=t, " ");
    }
    let end = s
        .char_indices()
        .skip(19)
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        .map_or(s.len(), |(i, _)| i);
    s.truncate(end);
    s
}

/// A run id unique enough to tell deployments apart: UTC time, then process id.
fn new_run_id() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}-{}",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    )
}

/// `yyyy-MM-dd HH:mm:ss` in local time, fixed when the command starts.
fn local_timestamp() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Flyway's `TimeFormat.format`: `mm:ss.SSSs`.
pub fn format_duration(ms: u128) -> String {
    let minutes = ms / 60_000;
    let seconds = (ms / 1000) % 60;
    let millis = ms % 1000;
    format!("{minutes:02}:{seconds:02}.{millis:03}s")
}

fn elapsed_ms(start: Instant) -> i32 {
    i32::try_from(start.elapsed().as_millis()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_normalised() {
        assert_eq!(
            normalize_timestamp("2026-07-19 18:01:56.504".into()),
            "2026-07-19 18:01:56.504"
        );
        assert_eq!(
            normalize_timestamp("2026-07-19T18:01:56.504+00:00".into()),
            "2026-07-19 18:01:56.504"
        );
        assert_eq!(
            normalize_timestamp("2026-07-19 18:01:56".into()),
            "2026-07-19 18:01:56"
        );
        assert_eq!(normalize_timestamp("x".into()), "x");
    }

    #[test]
    fn durations_use_flyway_format() {
        assert_eq!(format_duration(12), "00:00.012s");
        assert_eq!(format_duration(61_005), "01:01.005s");
    }
}
