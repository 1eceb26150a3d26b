//! `status`, `validate`, `update` (`update-count`, `update-to-tag`, `update-sql`) and
//! `changelog-sync`: every one of them meets the changelog and the rows through the ledger's
//! [`plan`], so they cannot disagree about what is pending.

use tidemark_ledger::changelog::expression::Filter;
use tidemark_ledger::changelog::history::ExecType;
use tidemark_ledger::changelog::plan::{Entry, Refresh, State, plan};
use tidemark_ledger::changelog::{ChangeKind, ChangeSet, Changelog};

use super::execute::Outcome;
use super::session::Session;
use super::{Applied, Error, Limit, StatusReport, UpdateReport};

/// The order of the "FILTERED CHANGE SETS SUMMARY" lines.
const FILTER_ORDER: [&str; 7] = [
    "DBMS mismatch",
    "Context mismatch",
    "Label mismatch",
    "After tag",
    "After count",
    "After phase",
    "Already ran",
];

fn has_tag(cs: &ChangeSet, tag: &str) -> bool {
    cs.changes
        .iter()
        .any(|c| matches!(&c.kind, ChangeKind::TagDatabase { tag: t } if t == tag))
}

impl Session<'_> {
    /// The run's filter: this database, `--contexts`, `--labels`.
    pub fn filter(&self) -> Filter {
        Filter {
            dbms: Some(self.dbms.clone()),
            contexts: self.config.contexts.clone(),
            labels: self.config.labels.clone(),
        }
    }

    /// `status`: validates, then lists what `update` would run. Takes no lock, writes nothing.
    pub fn status(&mut self, changelog: &Changelog) -> Result<StatusReport, Error> {
        let rows = self.read_rows()?;
        let plan = plan(changelog, &rows, &self.filter())?;
        let findings = plan.findings();
        if !findings.is_empty() {
            return Err(Error::Validation(findings));
        }
        Ok(StatusReport {
            pending: plan.pending().map(|e| e.changeset.identifier()).collect(),
            unexpected: plan.unexpected.iter().map(|r| r.identifier()).collect(),
        })
    }

    /// `validate`: changed checksums and duplicate identifiers. Takes no lock, writes nothing.
    pub fn validate(&mut self, changelog: &Changelog) -> Result<(), Error> {
        self.status(changelog).map(drop)
    }

    /// `update` (and its `-count`, `-to-tag` and `-sql` forms): runs the pending changesets
    /// under the lock.
    pub fn update(&mut self, changelog: &Changelog, limit: &Limit) -> Result<UpdateReport, Error> {
        self.with_lock(|s| s.apply(changelog, limit, false))
    }

    /// `changelog-sync` (and `-to-tag`, `-sql`): records the changesets that never ran as
    /// EXECUTED without running them.
    pub fn changelog_sync(
        &mut self,
        changelog: &Changelog,
        limit: &Limit,
    ) -> Result<UpdateReport, Error> {
        self.with_lock(|s| s.apply(changelog, limit, true))
    }

    fn apply(
        &mut self,
        changelog: &Changelog,
        limit: &Limit,
        sync: bool,
    ) -> Result<UpdateReport, Error> {
        self.ensure_changelog_table()?;
        let rows = self.read_rows()?;
        let plan = plan(changelog, &rows, &self.filter())?;
        let findings = plan.findings();
        if !findings.is_empty() {
            return Err(Error::Validation(findings));
        }
        let mut report = UpdateReport {
            total: plan.entries.len(),
            previously_run: plan.entries.iter().filter(|e| e.row.is_some()).count(),
            ..UpdateReport::default()
        };
        let mut filtered: Vec<(String, usize)> = Vec::new();
        let mut count = |reason: &str| match filtered.iter_mut().find(|(r, _)| r == reason) {
            Some((_, n)) => *n += 1,
            None => filtered.push((reason.to_string(), 1)),
        };

        if !sync {
            self.refresh_checksums(&plan.entries, &mut report)?;
        }

        let wanted = |e: &Entry<'_>| {
            e.skip.is_none()
                && if sync {
                    e.state == State::NotRan
                } else {
                    e.pending()
                }
        };
        // Where update-to-tag stops: after the changeset that carries the tag.
        let tag_stop = match limit {
            Limit::ToTag(tag) => {
                let at = plan.entries.iter().position(|e| has_tag(e.changeset, tag));
                if at.is_none() {
                    report.tag_not_found = true;
                    self.reporter.warn(&format!(
                        " The tag '{tag}' was not found in the changelog '{}'. All changesets in the changelog were deployed.\nLearn about options for undoing these changes at https://docs.liquibase.com.",
                        changelog.root
                    ));
                }
                at
            }
            _ => None,
        };
        let mut selected: Vec<&Entry<'_>> = Vec::new();
        let mut phase_stopped = false;
        for (i, e) in plan.entries.iter().enumerate() {
            if let Some(skip) = e.skip {
                count(skip.display());
                continue;
            }
            if tag_stop.is_some_and(|stop| i > stop) {
                count("After tag");
                continue;
            }
            if !wanted(e) {
                count("Already ran");
                continue;
            }
            match limit {
                Limit::Count(n) if selected.len() >= *n => {
                    count("After count");
                    continue;
                }
                Limit::Phase(phase)
                    if phase_stopped || e.changeset.phase.is_some_and(|p| p > *phase) =>
                {
                    phase_stopped = true;
                    count("After phase");
                    continue;
                }
                _ => {}
            }
            selected.push(e);
        }
        let already = filtered
            .iter()
            .find(|(r, _)| r == "Already ran")
            .map_or(0, |(_, n)| *n);
        let others: usize = filtered.iter().map(|(_, n)| *n).sum::<usize>() - already;
        if others == 0 {
            filtered.clear();
        }
        filtered.sort_by_key(|(r, _)| {
            FILTER_ORDER
                .iter()
                .position(|o| o == r)
                .unwrap_or(FILTER_ORDER.len())
        });
        report.filtered = filtered;

        for e in selected {
            let cs = e.changeset;
            if sync {
                self.comment(&format!("Changeset {}", cs.identifier()));
                let n = self
                    .record(cs, None, ExecType::Executed)
                    .map_err(|err| Error::db(&format!("record {}", cs.identifier()), err))?;
                report.rows_affected += n;
                report.applied.push(Applied {
                    identifier: cs.identifier(),
                    exec_type: ExecType::Executed,
                });
                continue;
            }
            let (outcome, n) = self.run_changeset(cs, e.row)?;
            report.rows_affected += n;
            match outcome {
                Outcome::Recorded(exec_type) => report.applied.push(Applied {
                    identifier: cs.identifier(),
                    exec_type,
                }),
                Outcome::Skipped => report.skipped.push(cs.identifier()),
                Outcome::FailedIgnored => report.failed.push(cs.identifier()),
            }
        }
        Ok(report)
    }

    /// Rewrites valid `8:` values to `9:` and fills `NULL` MD5SUMs, without running anything
    /// (changesets about to run again get their new checksum with their row).
    fn refresh_checksums(
        &mut self,
        entries: &[Entry<'_>],
        report: &mut UpdateReport,
    ) -> Result<(), Error> {
        for e in entries {
            let (Some(refresh), Some(row), None) = (&e.refresh, e.row, e.skip) else {
                continue;
            };
            if e.pending() {
                continue;
            }
            let identifier = e.changeset.identifier();
            let from = match refresh {
                Refresh::Upgrade { from, to } => {
                    self.reporter.info(&format!(
                        "Upgrading checksum for Changeset {identifier} from {from} to {to}."
                    ));
                    from.clone()
                }
                Refresh::Fill { .. } => String::new(),
            };
            let sql =
                self.tables
                    .update_checksum(&row.id, &row.author, &row.filename, refresh.to());
            self.exec(&sql)
                .map_err(|err| Error::db(&format!("update the checksum of {identifier}"), err))?;
            report
                .checksums
                .push((identifier, from, refresh.to().to_string()));
        }
        Ok(())
    }
}
