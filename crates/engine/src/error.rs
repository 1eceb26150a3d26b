//! The engine's errors: what went wrong, where (file, line, statement), and the database's own
//! words. The CLI turns them into messages and exit codes; nothing here prints.

use std::path::PathBuf;

use tidemark_ledger::history::HistoryError;
use tidemark_ledger::plan::PlanError;
use tidemark_ledger::source::ResolveErrors;
use tidemark_ledger::validate::{Finding, failure_message};

use crate::driver::DbError;

/// A statement of a migration or callback failed.
#[derive(Debug, Clone)]
pub struct ScriptFailure {
    /// What was running, e.g. `migration V2__add_orders.sql` or `callback afterMigrate.sql`.
    pub what: String,
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the failing statement in the file (0 when not a statement).
    pub line: usize,
    /// The failing statement (abbreviated in messages).
    pub statement: String,
    /// The database's error.
    pub error: DbError,
    /// Whether the changes were rolled back (a transaction on a DBMS with transactional DDL).
    pub rolled_back: bool,
    /// What to do about it, when tidemark knows more than the database said.
    pub hint: Option<String>,
}

/// Everything that can stop an engine command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Files could not be resolved (names, duplicates, encodings, placeholders).
    #[error("{0}")]
    Resolve(ResolveErrors),
    /// The history table holds rows tidemark cannot read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The plan cannot be made (target not found, corrupted history).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Validation failed.
    #[error("{}", failure_message(.0))]
    Validate(Vec<Finding>),
    /// A migration or callback statement failed.
    #[error("{}", script_failure_message(.0))]
    Script(Box<ScriptFailure>),
    /// A script cannot be prepared (split, placeholders, transaction mode).
    #[error("{path}:{line}: {message}")]
    Prepare {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when it is about the whole file).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A database call outside a script failed.
    #[error("Unable to {context}: {source}")]
    Db {
        /// What tidemark was doing, e.g. `read the schema history table`.
        context: String,
        /// The database's error.
        source: DbError,
    },
    /// The migration lock could not be taken.
    #[error("{0}")]
    Lock(String),
    /// The command refuses to run in this state (Flyway's messages: failed migration present,
    /// clean disabled, baseline conflicts, non-empty schema without history).
    #[error("{0}")]
    Refused(String),
}

impl Error {
    /// A database error with context.
    pub fn db(context: &str, source: DbError) -> Error {
        Error::Db {
            context: context.to_string(),
            source,
        }
    }
}

/// Flyway-style report of a failed statement.
fn script_failure_message(f: &ScriptFailure) -> String {
    let mut statement = f.statement.trim().to_string();
    if statement.chars().count() > 500 {
        statement = statement.chars().take(500).collect::<String>() + " ...";
    }
    let outcome = if f.rolled_back {
        "Changes successfully rolled back."
    } else {
        "Please restore backups and roll back database and code!"
    };
    format!(
        "{what} failed! {outcome}\n-----------------------------------\nSQL State  : {state}\nMessage    : {message}\nLocation   : {path}:{line}\nLine       : {line}\nStatement  : {statement}",
        what = f.what,
        state = f.error.code.as_deref().unwrap_or("-"),
        message = f.error.message,
        path = f.path.display(),
        line = f.line,
    ) + &f
        .hint
        .as_ref()
        .map(|h| format!("\n{h}"))
        .unwrap_or_default()
}
