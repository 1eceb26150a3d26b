//! The migration linter: which statements lock a busy table, rewrite it, or break the code that
//! is still running, and which deploy phase (expand, backfill, contract) each statement is.
//!
//! Why it looks the way it does:
//! - **A real parser, never keyword search.** Files are cut into statements by `tidemark-sql`
//!   (the splitter `migrate` uses, so line numbers agree), each statement is parsed by
//!   `sqlparser`, and a few shapes sqlparser lacks are recognised on its token stream
//!   ([`extra`]). A `DROP` in a string, a comment or a function body is not a `DROP`.
//! - **One set, not one file.** The files are linted in migration order as one set, carrying a
//!   schema state ([`schema`]): a table created earlier in the set is new and empty, a constraint
//!   added `NOT VALID` in one file and validated in a later one is validated, a view records the
//!   columns it reads. Most false alarms of single-file linters come from not knowing this.
//! - **Data out, rendering elsewhere.** [`Report`] is plain serialisable data; the CLI renders
//!   it and decides exit codes. [`render_text`] exists because its format is the contract.
//! - **One file per rule** under `rules/`, each with its id, severity per dialect, the lock it
//!   takes, why that hurts and the safe alternative ([`RuleInfo`]), and its own tests.
//! - **Phases from the same classification.** Each statement gets a phase; a file's inferred
//!   phase is the latest of its statements' ([`infer_phase`] for one statement).
#![deny(missing_docs)]

mod classify;
mod extra;
mod lint;
mod model;
mod report;
mod rules;
mod schema;
mod types;

use std::fmt;
use std::path::PathBuf;

pub use report::{FileReport, Finding, Report, Severity, render_text};
pub use rules::{DialectRule, RuleInfo};
pub use tidemark_ledger::phase::Phase;
/// The SQL dialects the linter knows: PostgreSQL, MySQL/MariaDB, SQLite.
pub use tidemark_sql::Dialect;

/// One migration to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it came from; reported as given.
    pub path: PathBuf,
    /// The script text, after placeholder replacement (what `migrate` would execute).
    pub text: String,
    /// A phase declared outside the text (a Liquibase label, the caller's own directive
    /// reading). The linter also reads `-- tidemark:phase=` from the text itself; this field wins
    /// when both are present.
    pub declared_phase: Option<Phase>,
}

impl SourceFile {
    /// A file with no externally declared phase.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
            declared_phase: None,
        }
    }
}

/// Linter settings, as `[lint]` in `tidemark.toml` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintConfig {
    /// Rule ids that never report.
    pub disabled: Vec<String>,
    /// `(rule id, severity)`: replaces the rule's severity. Naming an opt-in rule here turns it
    /// on.
    pub severity_overrides: Vec<(String, Severity)>,
    /// True when tidemark sets lock and statement timeouts itself: `require-lock-timeout` and
    /// `require-statement-timeout` then never fire.
    pub timeouts_managed: bool,
}

impl Default for LintConfig {
    /// Nothing disabled, no overrides, timeouts managed by tidemark.
    fn default() -> LintConfig {
        LintConfig {
            disabled: Vec::new(),
            severity_overrides: Vec::new(),
            timeouts_managed: true,
        }
    }
}

/// A configuration naming a rule that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule {
    /// The id as written.
    pub id: String,
}

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown lint rule '{}'", self.id)?;
        if let Some(near) = rules::closest(&self.id) {
            write!(f, " (did you mean '{near}'?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownRule {}

/// Lints migration sets for one dialect.
#[derive(Debug, Clone)]
pub struct Linter {
    dialect: Dialect,
    config: LintConfig,
}

impl Linter {
    /// A linter for `dialect`. Fails when the configuration names an unknown rule, so that a
    /// typo in `tidemark.toml` never silently does nothing.
    pub fn new(dialect: Dialect, config: LintConfig) -> Result<Linter, UnknownRule> {
        for id in config
            .disabled
            .iter()
            .chain(config.severity_overrides.iter().map(|(id, _)| id))
        {
            if rules::find(id).is_none() {
                return Err(UnknownRule { id: id.clone() });
            }
        }
        Ok(Linter { dialect, config })
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Lints `files`, in migration order, as one set: schema state carries from file to file.
    pub fn lint_files(&self, files: &[SourceFile]) -> Report {
        self.lint_pending(&[], files)
    }

    /// Lints `pending` as one set after reading `applied` (migrations already in the database,
    /// in order) for schema state only: tables they created exist and have traffic, their views
    /// and validated constraints are known, and none of their findings are reported.
    pub fn lint_pending(&self, applied: &[SourceFile], pending: &[SourceFile]) -> Report {
        let mut engine = lint::Engine::new(self.dialect, &self.config);
        for file in applied {
            engine.file(file, lint::Mode::Applied);
        }
        Report {
            files: pending
                .iter()
                .map(|f| engine.file(f, lint::Mode::Lint))
                .collect(),
        }
    }
}

/// Every rule, in registry order.
pub fn rules() -> &'static [RuleInfo] {
    rules::INFOS
}

/// The phase of one statement (or the latest of several) with no context: what staged
/// `migrate` uses for an untagged migration. `None` for statements with no phase (`SET`,
/// `SELECT`) or that cannot be parsed.
pub fn infer_phase(dialect: Dialect, sql: &str) -> Option<Phase> {
    let config = LintConfig::default();
    let mut engine = lint::Engine::new(dialect, &config);
    engine
        .file(&SourceFile::new("<statement>", sql), lint::Mode::Infer)
        .inferred_phase
}
