//! `rollback --tag`, `rollback-count`, `rollback-to-date` (and their `-sql` forms): undo rows
//! newest first with each changeset's rollback SQL, deleting each row in the same transaction.
//!
//! Which rows (Liquibase 4.28): by tag, every row after the first row carrying the tag (the
//! tagged row stays); by count, the N newest; by date, every row executed after it. Rows whose
//! changeset is not in the changelog cannot be rolled back (there is no SQL for them): the
//! synthetic `liquibase-internal` row of `tag` is passed over silently, as Liquibase does, any
//! other with a warning. Changesets the run's filter rejects are passed over too.

use tidemark_ledger::changelog::Changelog;
use tidemark_ledger::changelog::history::RanChangeSet;
use tidemark_ledger::changelog::plan::{plan, skip_reason};

use super::session::Session;
use super::{Error, RollbackTarget, parse_timestamp};

/// What a rollback did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollbackReport {
    /// `path::id::author` of each changeset rolled back, newest first.
    pub rolled_back: Vec<String>,
    /// Rows changed by the rollback statements and the deleted rows.
    pub rows_affected: u64,
}

impl Session<'_> {
    /// Rolls back to a tag, a count or a date, under the lock (validated first, as Liquibase
    /// does).
    pub fn rollback(
        &mut self,
        changelog: &Changelog,
        target: &RollbackTarget,
    ) -> Result<RollbackReport, Error> {
        self.with_lock(|s| s.rollback_locked(changelog, target))
    }

    fn rollback_locked(
        &mut self,
        changelog: &Changelog,
        target: &RollbackTarget,
    ) -> Result<RollbackReport, Error> {
        let rows = self.read_rows()?;
        let filter = self.filter();
        let findings = plan(changelog, &rows, &filter)?.findings();
        if !findings.is_empty() {
            return Err(Error::Validation(findings));
        }
        let candidates: Vec<&RanChangeSet> = match target {
            RollbackTarget::Tag(tag) => {
                let at = rows
                    .iter()
                    .position(|r| {
                        r.tag
                            .as_deref()
                            .is_some_and(|t| t.eq_ignore_ascii_case(tag))
                    })
                    .ok_or_else(|| {
                        Error::Rollback(format!("Could not find tag '{tag}' in the database"))
                    })?;
                rows[at + 1..].iter().rev().collect()
            }
            RollbackTarget::Count(_) => rows.iter().rev().collect(),
            RollbackTarget::Date(date) => {
                let limit = parse_timestamp(date).ok_or_else(|| {
                    Error::Rollback(format!(
                        "Invalid date '{date}': use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or 'YYYY-MM-DD HH:MM:SS'"
                    ))
                })?;
                rows.iter()
                    .rev()
                    .filter(|r| parse_timestamp(&r.date_executed).is_some_and(|d| d > limit))
                    .collect()
            }
        };
        let mut report = RollbackReport::default();
        for row in candidates {
            if let RollbackTarget::Count(n) = target {
                if report.rolled_back.len() >= *n {
                    break;
                }
            }
            let Some(cs) = changelog
                .changesets
                .iter()
                .rev()
                .find(|cs| !cs.ignore && cs.is_same_as(&row.id, &row.author, &row.filename))
            else {
                if !row.is_internal() {
                    self.reporter.warn(&format!(
                        "{} is not in the changelog: it cannot be rolled back and stays recorded",
                        row.identifier()
                    ));
                }
                continue;
            };
            if skip_reason(cs, &filter)?.is_some() {
                continue;
            }
            report.rows_affected += self.rollback_changeset(cs, row)?;
            report.rolled_back.push(cs.identifier());
        }
        if report.rolled_back.is_empty() {
            self.reporter.info("0 changesets rolled back.");
        }
        Ok(report)
    }
}
