//! What the engine tells the user while it works, and what it hands back when done.
//!
//! Commands send human-oriented lines to a [`Reporter`] (the CLI prints them, or keeps them for
//! JSON) and return plain-data reports. A failed migrate still returns what it applied before
//! the failure, in [`crate::runner::MigrateFailure`].

/// Receives progress lines.
pub trait Reporter {
    /// An informational line (`Migrating schema "main" to version "2 - orders"`).
    fn info(&mut self, line: &str);
    /// A warning.
    fn warn(&mut self, line: &str);
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
