//! What the engine tells the user while it works, and what it hands back when done.
//!
//! Commands send human-oriented lines to a [`Reporter`] (the CLI prints them, or keeps them for
//! JSON) and return plain-data reports. A failed migrate still returns what it applied before
//! the failure, in [`crate::runner::MigrateFailure`].

use crate::driver::{DbError, Driver};

/// Receives progress lines (and, for tools that measure a run, every statement).
pub trait Reporter {
    /// An informational line (`Migrating schema "main" to version "2 - orders"`).
    fn info(&mut self, line: &str);
    /// A warning.
    fn warn(&mut self, line: &str);
    /// Progress of a long step (a backfill): called after every batch. The default prints a
    /// plain line after the first batch, every tenth and the last; a terminal front end draws a
    /// bar instead.
    fn progress(&mut self, progress: &Progress) {
        if progress.finished || progress.batches == 1 || progress.batches % 10 == 0 {
            self.info(&progress.line());
        }
    }
    /// Called just before the engine executes one statement of a migration, an undo, a
    /// backfill batch or a callback (never in a dry run, where nothing executes). `driver` is
    /// the migrating session, lent for read-only catalog queries (a measuring tool reads
    /// `pg_locks` or `pg_class` there); it must not change the database or end the
    /// transaction. The default does nothing.
    fn before_statement(&mut self, _statement: &StatementEvent<'_>, _driver: &mut dyn Driver) {}
    /// Called right after that statement, with the rows it affected or its error, on the same
    /// terms as [`Reporter::before_statement`]. The default does nothing.
    fn after_statement(
        &mut self,
        _statement: &StatementEvent<'_>,
        _outcome: Result<u64, &DbError>,
        _driver: &mut dyn Driver,
    ) {
    }
    /// Whether this reporter needs [`Reporter::before_statement`] and
    /// [`Reporter::after_statement`] around every statement. One that does not (returns
    /// `false`) lets the engine send a migration's statements in one batch
    /// ([`Driver::execute_script`]). The default, `true`, keeps the per-statement calls.
    fn watches_statements(&self) -> bool {
        true
    }
}

/// One statement the engine runs, as [`Reporter::before_statement`] and
/// [`Reporter::after_statement`] see it: which file, which line, what SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementEvent<'a> {
    /// What runs it: `Migration V2__x.sql`, `Callback afterMigrate.sql`.
    pub what: &'a str,
    /// The file.
    pub path: &'a std::path::Path,
    /// The 1-based line where the statement starts.
    pub line: usize,
    /// The SQL as executed (placeholders replaced).
    pub sql: &'a str,
}

/// Where a backfill stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The migration's file name.
    pub migration: String,
    /// Rows changed so far.
    pub rows: u64,
    /// Batches committed so far.
    pub batches: u64,
    /// Time since the backfill started.
    pub elapsed: std::time::Duration,
    /// The last batch changed no rows: done.
    pub finished: bool,
}

impl Progress {
    /// Rows per second so far.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.rows as f64 / secs
        } else {
            0.0
        }
    }

    /// `Backfill V3__copy.sql: 12000 rows in 12 batches (4000 rows/s)`.
    pub fn line(&self) -> String {
        format!(
            "Backfill {}: {} rows in {} batches ({:.0} rows/s){}",
            self.migration,
            self.rows,
            self.batches,
            self.rate(),
            if self.finished { ", done" } else { "" }
        )
    }
}

/// A reporter that keeps every line (tests, JSON mode).
#[derive(Debug, Default, Clone)]
pub struct Collect {
    /// Info lines.
    pub info: Vec<String>,
    /// Warnings.
    pub warnings: Vec<String>,
}

impl Reporter for Collect {
    fn info(&mut self, line: &str) {
        self.info.push(line.to_string());
    }
    fn warn(&mut self, line: &str) {
        self.warnings.push(line.to_string());
    }
    fn watches_statements(&self) -> bool {
        false
    }
}

/// One migration applied by `migrate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedStep {
    /// Version (`None` for repeatables).
    pub version: Option<String>,
    /// Description.
    pub description: String,
    /// `SQL`, `SQL_BASELINE`, ...
    pub kind: String,
    /// Script path relative to its location.
    pub script: String,
    /// The file.
    pub path: std::path::PathBuf,
    /// Milliseconds.
    pub execution_time: i32,
    /// Applied out of order.
    pub out_of_order: bool,
    /// The migration's phase (`expand`, `backfill`, `contract`).
    pub phase: Option<String>,
}

/// The result of `migrate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    /// The schema (display form, quoted).
    pub schema: String,
    /// Schema version before.
    pub initial_version: String,
    /// Schema version after (`None` if nothing was applied).
    pub target_version: Option<String>,
    /// Applied migrations in order.
    pub applied: Vec<AppliedStep>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// A staged migrate (`--phase`) stopped before this migration (script path).
    pub stopped_before: Option<String>,
    /// Total milliseconds.
    pub execution_time: u128,
}
