//! How a command fails: a message, Flyway-style error code, and the exit code.
//!
//! Exit codes (documented in the README): 0 success; 1 something is wrong in the files or the
//! database (naming, duplicates, validation, a failing statement, a refused operation); 2 bad
//! arguments, settings or URL.

use tidemark_engine::Error;
use tidemark_ledger::source::ResolveError;

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code (1 or 2).
    pub exit: u8,
    /// Machine-readable code for JSON output (`VALIDATE_ERROR`, `CONFIGURATION`, ...).
    pub code: String,
    /// The message shown to people.
    pub message: String,
    /// Extra JSON fields (e.g. the partial migrate report).
    pub details: Option<serde_json::Value>,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: 2,
            code: "CONFIGURATION".into(),
            message: message.into(),
            details: None,
        }
    }

    /// Exit 1 after the command already printed its full report (lint and check findings):
    /// nothing more is printed.
    pub fn reported(code: &str) -> Failure {
        Failure {
            exit: 1,
            code: code.into(),
            message: String::new(),
            details: None,
        }
    }

    /// A failure in the files or the database (exit 1).
    pub fn failed(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            exit: 1,
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        let code = match &error {
            Error::Validate(_) => "VALIDATE_ERROR".to_string(),
            Error::Script(f) if f.what.starts_with("Callback") => "CALLBACK_FAILED".to_string(),
            Error::Script(_) => "FAILED_MIGRATION".to_string(),
            Error::Resolve(errors) => match errors.0.first() {
                Some(ResolveError::DuplicateVersion { .. }) => "DUPLICATE_VERSIONED_MIGRATION",
                Some(ResolveError::DuplicateRepeatable { .. }) => "DUPLICATE_REPEATABLE_MIGRATION",
                Some(ResolveError::InvalidNames(_)) => "INVALID_MIGRATION_NAME",
                Some(ResolveError::Decode { .. }) => "UNABLE_TO_CALCULATE_CHECKSUM",
                _ => "RESOLVE_ERROR",
            }
            .to_string(),
            Error::Plan(_) => "PLAN_ERROR".to_string(),
            Error::History(_) => "SCHEMA_HISTORY_ERROR".to_string(),
            Error::Prepare { .. } => "SCRIPT_ERROR".to_string(),
            Error::Db { .. } => "DB_ERROR".to_string(),
            Error::Lock(_) => "LOCK_ERROR".to_string(),
            Error::Refused(_) => "REFUSED".to_string(),
            _ => "ERROR".to_string(),
        };
        Failure {
            exit: 1,
            code,
            message: error.to_string(),
            details: None,
        }
    }
}
