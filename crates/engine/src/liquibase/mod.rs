//! Liquibase's side of the database: `DATABASECHANGELOG`, `DATABASECHANGELOGLOCK`, and the
//! commands that read and write them (`update`, `status`, `rollback`, `tag`, ...).
//!
//! A team on Liquibase points tidemark at its changelog and its database and carries on, so the
//! tables are Liquibase's own ([`tables`]: DDL and statements as data, per dialect), the lock is
//! Liquibase's lock row ([`lock`]), and every row is written as Liquibase 4.28 writes it (id,
//! author, FILENAME, ORDEREXECUTED, DEPLOYMENT_ID, EXECTYPE, `9:` checksums, ...). What to run is
//! decided by the ledger ([`tidemark_ledger::changelog::plan`]); this module applies it, one
//! changeset at a time ([`Session`]).
//!
//! Safety, as in the Flyway runner: the lock is released on every path (errors and panics
//! included); a changeset's statements and its row commit in one transaction where the DBMS can
//! (Liquibase itself commits the statements first and writes the row after, so a crash in
//! between leaves an applied but unrecorded changeset; tidemark closes that gap); a changeset with
//! `runInTransaction:false`, and DDL on MySQL/MariaDB, cannot be rolled back, and the error says
//! so. The `*-sql` commands go through the same code with a dry-run writer
//! ([`crate::runner::DryRun`]): the lock, the DDL and every row statement are printed, nothing is
//! written.

mod execute;
pub mod lock;
mod maintenance;
mod rollback;
mod session;
pub mod tables;
mod update;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tidemark_ledger::changelog::ExpressionError;
use tidemark_ledger::changelog::plan::{Finding, failure_message};
use tidemark_ledger::phase::Phase;

use crate::driver::DbError;

pub use lock::LockInfo;
pub use maintenance::calculate_checksum;
pub use rollback::RollbackReport;
pub use session::{Session, new_deployment_id};
pub use tables::{LIQUIBASE_VERSION, Tables};

/// What a Liquibase-mode command needs to know beyond the changelog.
#[derive(Debug, Clone)]
pub struct Config {
    /// Schema (PostgreSQL) or database (MySQL) of the tracking tables and the changesets;
    /// `None`: the connection's current one.
    pub schema: Option<String>,
    /// `databaseChangelogTableName`.
    pub changelog_table: String,
    /// `databaseChangelogLockTableName`.
    pub lock_table: String,
    /// `changelogLockWaitTimeInMinutes`: how long to wait for the lock (Liquibase: 5 min).
    pub lock_wait: Duration,
    /// `changelogLockPollRate`: how often to look again (Liquibase: 10 s).
    pub lock_poll: Duration,
    /// `--contexts`.
    pub contexts: Option<String>,
    /// `--labels`.
    pub labels: Option<String>,
    /// Record the SQL instead of executing it (`update-sql`, `rollback-sql`, ...).
    pub dry_run: bool,
    /// `DEPLOYMENT_ID` to write (at most 10 characters); generated as Liquibase does when unset.
    pub deployment_id: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: None,
            changelog_table: "DATABASECHANGELOG".into(),
            lock_table: "DATABASECHANGELOGLOCK".into(),
            lock_wait: Duration::from_secs(300),
            lock_poll: Duration::from_secs(10),
            contexts: None,
            labels: None,
            dry_run: false,
            deployment_id: None,
        }
    }
}

/// How far `update` (and `changelog-sync`) go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Limit {
    /// Every pending changeset.
    #[default]
    All,
    /// The first N pending changesets (`update-count`).
    Count(usize),
    /// Up to and including the changeset with `tagDatabase` T (`update-to-tag`).
    ToTag(String),
    /// Staged deploy: stop before the first pending changeset of a later phase
    /// (`migrate --phase`).
    Phase(Phase),
}

/// What `rollback` undoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackTarget {
    /// Every row after the (first) row tagged T.
    Tag(String),
    /// The N newest rows.
    Count(usize),
    /// Rows executed after this time (`YYYY-MM-DD HH:MM:SS`, the database's clock).
    Date(String),
}

/// One changeset `update` or `changelog-sync` recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// `path::id::author`.
    pub identifier: String,
    /// How it was recorded.
    pub exec_type: tidemark_ledger::changelog::history::ExecType,
}

/// What `update` (or `changelog-sync`) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateReport {
    /// Changesets recorded (run, re-run or marked ran), in order.
    pub applied: Vec<Applied>,
    /// Changesets skipped by a precondition with `onFail:CONTINUE` (retried next time).
    pub skipped: Vec<String>,
    /// Changesets that failed with `failOnError:false` (not recorded, retried next time).
    pub failed: Vec<String>,
    /// Changesets of the changelog that had a row before the command.
    pub previously_run: usize,
    /// Changesets not run because of a filter, by Liquibase's reason name, in a stable order.
    pub filtered: Vec<(String, usize)>,
    /// Changesets in the changelog (`ignore:true` ones excluded).
    pub total: usize,
    /// Rows changed by the changesets' statements and the tracking rows written.
    pub rows_affected: u64,
    /// Checksums rewritten: `(path::id::author, from, to)` (`from` empty after
    /// `clear-checksums`).
    pub checksums: Vec<(String, String, String)>,
    /// `update-to-tag` with a tag the changelog does not have (everything was deployed).
    pub tag_not_found: bool,
}

/// What `status` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusReport {
    /// `path::id::author` of each changeset `update` would run, in order.
    pub pending: Vec<String>,
    /// Rows no changeset of the changelog matches (`path::id::author`).
    pub unexpected: Vec<String>,
}

/// A changeset (or its rollback) failed.
#[derive(Debug, Clone)]
pub struct ChangeSetFailure {
    /// `path::id::author`.
    pub identifier: String,
    /// The file of the failing statement (the changeset's file, or an `sqlFile`).
    pub path: PathBuf,
    /// 1-based line of the failing statement (the changeset header when it is not a statement).
    pub line: usize,
    /// The failing statement, if a statement failed.
    pub statement: Option<String>,
    /// The database's error, if the database said something.
    pub error: Option<DbError>,
    /// What went wrong when it was not a statement (a precondition, a missing rollback).
    pub reason: Option<String>,
    /// This was a rollback.
    pub rollback: bool,
    /// Everything the changeset did was undone (a transaction on a DBMS with transactional DDL).
    pub rolled_back: bool,
    /// Statements of the changeset that had already run and stay (no transaction, or MySQL's
    /// implicit commits).
    pub kept_statements: usize,
}

impl ChangeSetFailure {
    /// Liquibase's message (`Migration failed for changeset …:` / `Reason: …`), plus where the
    /// statement is and what was left behind. `show` turns the file into what the user sees.
    pub fn message_with(&self, show: &dyn Fn(&Path) -> String) -> String {
        let verb = if self.rollback {
            "Rollback failed for changeset"
        } else {
            "Migration failed for changeset"
        };
        let mut out = format!("{verb} {}:\n", self.identifier);
        match (&self.error, &self.statement) {
            (Some(e), Some(statement)) => {
                out.push_str(&format!(
                    "     Reason: liquibase.exception.DatabaseException: {} [Failed SQL: ({}) {}]\n",
                    e.message,
                    e.code.as_deref().unwrap_or("0"),
                    abbreviate(statement)
                ));
            }
            (Some(e), None) => {
                out.push_str(&format!(
                    "     Reason: liquibase.exception.DatabaseException: {}\n",
                    e.message
                ));
            }
            (None, _) => {
                out.push_str(&format!(
                    "     Reason: {}\n",
                    self.reason.as_deref().unwrap_or("unknown")
                ));
            }
        }
        out.push_str(&format!(
            "     Location: {}:{}\n",
            show(&self.path),
            self.line
        ));
        if self.rolled_back {
            out.push_str("     The changeset's changes were rolled back; nothing was recorded.");
        } else if self.kept_statements > 0 {
            out.push_str(&format!(
                "     {} earlier statement(s) of this changeset ran and may stay applied (no transaction could undo them: runInTransaction:false, or DDL that MySQL/MariaDB commits implicitly); nothing was recorded in DATABASECHANGELOG. Check the database and finish or undo the changeset by hand.",
                self.kept_statements
            ));
        } else {
            out.push_str("     Nothing was changed and nothing was recorded.");
        }
        out
    }
}

fn abbreviate(statement: &str) -> String {
    let s = statement.trim();
    if s.chars().count() > 500 {
        s.chars().take(500).collect::<String>() + " ..."
    } else {
        s.to_string()
    }
}

/// Everything that can stop a Liquibase-mode command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `validate`'s findings (changed checksums, duplicate identifiers).
    #[error("{}", failure_message(.0, &|p: &PathBuf| p.display().to_string()))]
    Validation(Vec<Finding>),
    /// A changeset, or its rollback, failed.
    #[error("{}", .0.message_with(&|p: &Path| p.display().to_string()))]
    ChangeSet(Box<ChangeSetFailure>),
    /// A rollback cannot be made (unknown tag, ...).
    #[error("{0}")]
    Rollback(String),
    /// The lock could not be taken.
    #[error("{0}")]
    Lock(String),
    /// A database call outside a changeset failed.
    #[error("Unable to {context}: {source}")]
    Db {
        /// What tidemark was doing.
        context: String,
        /// The database's error.
        source: DbError,
    },
    /// A context or label expression Liquibase cannot evaluate.
    #[error(transparent)]
    Filter(#[from] ExpressionError),
    /// The table holds something tidemark cannot read.
    #[error("{0}")]
    Table(String),
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

/// `M/d/yy, h:mm a` (Java's `DateFormat.SHORT` in the US locale) of a `YYYY-MM-DD HH:MM:SS`
/// timestamp, as Liquibase prints lock and history dates; the text itself when it cannot be read.
pub fn short_date(text: &str) -> String {
    match parse_timestamp(text) {
        Some(t) => t.format("%-m/%-d/%y, %-I:%M %p").to_string(),
        None => text.to_string(),
    }
}

/// `MMM d, yyyy, h:mm:ss a` (Java's `DateFormat.MEDIUM`), as `list-locks` prints.
pub fn medium_date(text: &str) -> String {
    match parse_timestamp(text) {
        Some(t) => t.format("%b %-d, %Y, %-I:%M:%S %p").to_string(),
        None => text.to_string(),
    }
}

/// Reads `YYYY-MM-DD[ T]HH:MM:SS[.fff][+zz]` or `YYYY-MM-DD` (midnight).
pub fn parse_timestamp(text: &str) -> Option<chrono::NaiveDateTime> {
    let t = text.trim().replacen('T', " ", 1);
    let end = t
        .char_indices()
        .skip(19)
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        .map_or(t.len(), |(i, _)| i);
    let t = &t[..end];
    chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

impl fmt::Display for RollbackTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollbackTarget::Tag(t) => write!(f, "'{t}'"),
            RollbackTarget::Count(n) => write!(f, "{n} Change(s)"),
            RollbackTarget::Date(d) => f.write_str(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_java_does() {
        assert_eq!(short_date("2026-01-02 03:04:05"), "1/2/26, 3:04 AM");
        assert_eq!(
            short_date("2026-11-28 16:29:02.123456"),
            "11/28/26, 4:29 PM"
        );
        assert_eq!(
            medium_date("2026-01-02 03:04:05"),
            "Jan 2, 2026, 3:04:05 AM"
        );
        assert_eq!(short_date("garbage"), "garbage");
        assert!(parse_timestamp("2000-01-01").is_some());
        assert!(parse_timestamp("2000-01-01T10:00:00").is_some());
    }

    #[test]
    fn failures_name_changeset_file_and_line() {
        let f = ChangeSetFailure {
            identifier: "changelog.sql::d2::alice".into(),
            path: PathBuf::from("changelog.sql"),
            line: 7,
            statement: Some("INSERT INTO missing VALUES (1)".into()),
            error: Some(DbError {
                code: Some("42P01".into()),
                message: "relation \"missing\" does not exist".into(),
            }),
            reason: None,
            rollback: false,
            rolled_back: true,
            kept_statements: 0,
        };
        let text = f.message_with(&|p| p.display().to_string());
        assert_eq!(
            text,
            "Migration failed for changeset changelog.sql::d2::alice:\n     Reason: liquibase.exception.DatabaseException: relation \"missing\" does not exist [Failed SQL: (42P01) INSERT INTO missing VALUES (1)]\n     Location: changelog.sql:7\n     The changeset's changes were rolled back; nothing was recorded."
        );
    }
}
