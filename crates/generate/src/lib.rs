//! SQL generators: undo scripts for additive migrations, and multi-phase zero-downtime plans.
//!
//! Why a crate of its own, and why pure:
//! - **Writing the safe version is harder than knowing it.** A column rename without downtime is
//!   a new column, a trigger that copies in both directions without looping, a batched and
//!   idempotent backfill, and a contract step, each with its undo, each different per dialect.
//!   Teams get this wrong by hand; a generator gets it right once, and the output is plain SQL
//!   files a reviewer reads and the linter checks like any other migration.
//! - **SQL text in, SQL text out.** Nothing here touches a database or the file system, so every
//!   plan is a snapshot test, and the CLI (`tidemark plan ...`, `tidemark undo-script`) only
//!   numbers and writes the files.
//! - **A real parser for undo.** [`undo_script`] cuts the script with `tidemark-sql` (the
//!   splitter `migrate` uses, so line numbers agree) and reads each statement with `sqlparser`;
//!   only statements it fully understands are inverted, everything else becomes a `TODO` the
//!   author must resolve, never a guess.
//!
//! The backfill files follow the backfill engine's contract: a `-- tidemark:phase=backfill` file
//! with `-- tidemark:batchSize=N` holding one idempotent DML statement limited by
//! `${tidemark:batchSize}`, run until it changes no rows.
#![deny(missing_docs)]

mod ident;
mod plan;
mod undo;

use std::fmt;

pub use plan::{
    add_foreign_key, add_not_null_column, add_unique, change_column_type, drop_column,
    rename_column,
};
pub use tidemark_ledger::phase::Phase;
/// The SQL dialects: PostgreSQL, MySQL/MariaDB, SQLite.
pub use tidemark_sql::Dialect;
pub use undo::{Todo, UndoScript, undo_script};

/// One migration file of a plan, with its undo file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// The phase, also written as the file's `-- tidemark:phase=` directive.
    pub phase: Phase,
    /// The description for the file name (`rename_users_email_address_to_email_expand`):
    /// lower case letters, digits and single underscores.
    pub description: String,
    /// The migration.
    pub sql: String,
    /// Its undo (the `U` file): reverses what `sql` did.
    pub undo_sql: String,
}

/// Settings shared by the plan generators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// The table's key column, for batched backfills on PostgreSQL (default `id`). MySQL batches
    /// with `LIMIT` directly and SQLite by `rowid`, so they do not need it.
    pub key: String,
    /// Rows per backfill batch (`-- tidemark:batchSize=`), default 1000.
    pub batch_size: u64,
    /// Pause between batches (`-- tidemark:batchPause=`, e.g. `50ms`), if any.
    pub batch_pause: Option<String>,
    /// The current type of the column a plan renames, drops or changes, when the caller knows
    /// it. Without it, a rename copies the type from the catalog when the migration runs
    /// (PostgreSQL, MySQL) or adds the new column without a declared type (SQLite); the undo of a
    /// drop or type change, which must re-create the column, refuses to run.
    pub current_type: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            key: "id".into(),
            batch_size: 1000,
            batch_pause: None,
            current_type: None,
        }
    }
}

/// Why a plan cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The plan has no safe form for this dialect.
    #[error("{plan} is not supported for {dialect}{}", reason_suffix(.reason))]
    Unsupported {
        /// The plan, as the CLI spells it (`change-column-type`).
        plan: &'static str,
        /// The dialect.
        dialect: Dialect,
        /// Why, when there is more to say than "not implemented".
        reason: Option<String>,
    },
    /// A table, column or constraint name that cannot be used.
    #[error("invalid {what} name '{value}': {reason}")]
    InvalidName {
        /// What the name is for (`table`, `column`).
        what: &'static str,
        /// The name as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A type or expression that is not one SQL fragment.
    #[error("invalid {what} '{value}': {reason}")]
    InvalidFragment {
        /// What the fragment is for (`type`, `default expression`).
        what: &'static str,
        /// The text as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An option value that cannot be used.
    #[error("invalid {what}: {reason}")]
    InvalidOption {
        /// The option (`batch size`).
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_ref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default()
}

/// A dialect's name for messages: `PostgreSQL`, `MySQL/MariaDB`, `SQLite`.
pub fn dialect_label(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL/MariaDB",
        Dialect::Sqlite => "SQLite",
    }
}

/// A type or expression checked to be exactly one SQL fragment on one line: no statement
/// delimiter, no comment swallowing what the generator writes after it, no unterminated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fragment(String);

impl Fragment {
    pub(crate) fn parse(
        dialect: Dialect,
        what: &'static str,
        text: &str,
    ) -> Result<Fragment, GenerateError> {
        let text = text.trim();
        let bad = |reason: &str| GenerateError::InvalidFragment {
            what,
            value: text.to_string(),
            reason: reason.to_string(),
        };
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        if text.contains(['\n', '\r']) {
            return Err(bad("it must be on one line"));
        }
        // The lexer `migrate` uses: the fragment must end as one statement and leave the next
        // one intact, so it cannot hide a `;`, an open string or a line comment.
        let probe = format!("SELECT {text};SELECT 2");
        match tidemark_sql::split(dialect, &probe) {
            Ok(statements)
                if statements.len() == 2
                    && statements[0].sql == format!("SELECT {text}")
                    && statements[1].sql == "SELECT 2" => {}
            Ok(_) => {
                return Err(bad(
                    "it must be a single fragment: no ';', no comment, nothing that swallows what follows",
                ));
            }
            Err(e) => return Err(bad(&e.to_string())),
        }
        if text.contains("${") {
            return Err(bad("placeholders (${...}) are not supported here"));
        }
        Ok(Fragment(text.to_string()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fragment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments() {
        for d in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            assert!(Fragment::parse(d, "type", "varchar(100)").is_ok());
            assert!(Fragment::parse(d, "default", "'a;b'").is_ok());
            for bad in ["", "1; DROP TABLE x", "'open", "1 -- c", "a\nb", "${x}"] {
                assert!(Fragment::parse(d, "default", bad).is_err(), "{d}: {bad}");
            }
        }
    }

    #[test]
    fn errors_read_well() {
        let e = GenerateError::Unsupported {
            plan: "drop-column",
            dialect: Dialect::Sqlite,
            reason: None,
        };
        assert_eq!(e.to_string(), "drop-column is not supported for sqlite");
    }
}
