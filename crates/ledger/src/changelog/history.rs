//! A row of Liquibase's `DATABASECHANGELOG` table, as a type.
//!
//! A changeset in a changelog ([`super::ChangeSet`]) and a row in the database
//! ([`RanChangeSet`]) are different things on purpose: a row may have no changeset any more
//! (it was deleted from the changelog, or it is the synthetic `liquibase-internal` row `tag`
//! writes), and a changeset may have no row yet. [`super::plan`] is where they meet.

use std::fmt;

/// `EXECTYPE`: how a row came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecType {
    /// Ran normally (also what `changelog-sync` writes).
    Executed,
    /// Ran again: `runAlways`, or `runOnChange` after a change.
    Reran,
    /// Recorded without running (a precondition with `onFail:MARK_RAN`).
    MarkRan,
    /// Exists in Liquibase's code; never written.
    Failed,
    /// Exists in Liquibase's code; never written.
    Skipped,
}

impl ExecType {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecType::Executed => "EXECUTED",
            ExecType::Reran => "RERAN",
            ExecType::MarkRan => "MARK_RAN",
            ExecType::Failed => "FAILED",
            ExecType::Skipped => "SKIPPED",
        }
    }

    /// Parses the stored text (exact, as Liquibase's `ExecType.valueOf`).
    pub fn parse(s: &str) -> Option<ExecType> {
        match s {
            "EXECUTED" => Some(ExecType::Executed),
            "RERAN" => Some(ExecType::Reran),
            "MARK_RAN" => Some(ExecType::MarkRan),
            "FAILED" => Some(ExecType::Failed),
            "SKIPPED" => Some(ExecType::Skipped),
            _ => None,
        }
    }
}

impl fmt::Display for ExecType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `DATABASECHANGELOG`, as read (`SELECT … ORDER BY DATEEXECUTED, ORDEREXECUTED`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RanChangeSet {
    /// `ID`.
    pub id: String,
    /// `AUTHOR`.
    pub author: String,
    /// `FILENAME`, as stored (compare with [`super::ChangeSet::is_same_as`]).
    pub filename: String,
    /// `DATEEXECUTED` as text, `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    pub date_executed: String,
    /// `ORDEREXECUTED`.
    pub order_executed: i64,
    /// `EXECTYPE`.
    pub exec_type: ExecType,
    /// `MD5SUM`; `None` after `clear-checksums`.
    pub md5sum: Option<String>,
    /// `DESCRIPTION`.
    pub description: Option<String>,
    /// `COMMENTS`.
    pub comments: Option<String>,
    /// `TAG`.
    pub tag: Option<String>,
    /// `LIQUIBASE` (the version that wrote the row).
    pub liquibase: Option<String>,
    /// `CONTEXTS`.
    pub contexts: Option<String>,
    /// `LABELS`.
    pub labels: Option<String>,
    /// `DEPLOYMENT_ID`.
    pub deployment_id: Option<String>,
}

impl RanChangeSet {
    /// `path::id::author`, as Liquibase names a row in messages.
    pub fn identifier(&self) -> String {
        format!("{}::{}::{}", self.filename, self.id, self.author)
    }

    /// The synthetic row `tag` inserts into an empty table (`liquibase-internal`).
    pub fn is_internal(&self) -> bool {
        self.filename == "liquibase-internal" && self.author == "liquibase"
    }
}
