//! Changelog × `DATABASECHANGELOG` → what each changeset's state is and what `update` would do.
//!
//! This is where a changeset on disk and a row in the database meet, so `status`, `validate`,
//! `update`, `update-sql` and `changelog-sync` cannot disagree: they all call [`plan`]. The rules
//! are Liquibase 4.28's (`ShouldRunChangeSetFilter`, `ValidatingVisitor`,
//! `ChangeSet.isCheckSumValid`):
//!
//! * a changeset without a row runs;
//! * `runAlways` runs again every time (and `status` lists it as not applied);
//! * a row whose checksum no longer matches is run again for `runOnChange`, and is the
//!   validation failure `<path>::<id>::<author> was: … but is now: …` otherwise;
//! * a `NULL` MD5SUM (after `clear-checksums`) is valid and refilled by `update`; a valid `8:` is
//!   upgraded to `9:` by `update` ([`Refresh`]);
//! * changesets the run's filter rejects (`dbms`, `--contexts`, `--labels`) are neither run nor
//!   validated, and `ignore:true` changesets do not exist for any of it.

use std::collections::HashMap;
use std::path::PathBuf;

use super::expression::{self, ExpressionError, Filter};
use super::history::RanChangeSet;
use super::{ChangeSet, Changelog, ChecksumVerdict, checksum_v9, java, matches_stored};

/// Why the run's filter rejects a changeset (Liquibase's filter display names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `dbms:` does not list the database.
    Dbms,
    /// The changeset's context expression does not accept `--contexts`.
    Context,
    /// `--labels` does not accept the changeset's labels.
    Label,
}

impl Skip {
    /// Liquibase's name in the "FILTERED CHANGE SETS SUMMARY".
    pub fn display(self) -> &'static str {
        match self {
            Skip::Dbms => "DBMS mismatch",
            Skip::Context => "Context mismatch",
            Skip::Label => "Label mismatch",
        }
    }
}

/// A changeset's state against its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// No row: `update` runs it.
    NotRan,
    /// A row with a valid checksum: nothing to run.
    Ran,
    /// `runAlways`, or `runOnChange` with a changed checksum: `update` runs it again (RERAN).
    RunAgain,
    /// The checksum changed and the changeset may not run again: a validation failure.
    Changed {
        /// The stored MD5SUM.
        was: String,
        /// What Liquibase 4.28 computes to compare (`9:`, or `8:` for a stored `8:`).
        now: String,
    },
}

/// A checksum `update` rewrites without running anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// A valid older value (`8:`) becomes `9:` ("Upgrading checksum for Changeset … from … to …").
    Upgrade {
        /// The stored value.
        from: String,
        /// The `9:` value.
        to: String,
    },
    /// A `NULL` MD5SUM (after `clear-checksums`) is filled in.
    Fill {
        /// The `9:` value.
        to: String,
    },
}

impl Refresh {
    /// The value to store.
    pub fn to(&self) -> &str {
        match self {
            Refresh::Upgrade { to, .. } | Refresh::Fill { to } => to,
        }
    }
}

/// One changeset of the changelog, with its row and its state.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The changeset.
    pub changeset: &'a ChangeSet,
    /// Its row, if it has one.
    pub row: Option<&'a RanChangeSet>,
    /// Why the run's filter rejects it, if it does.
    pub skip: Option<Skip>,
    /// Its state.
    pub state: State,
    /// A checksum to rewrite, if any.
    pub refresh: Option<Refresh>,
}

impl Entry<'_> {
    /// Whether `update` would run it (selected by the filter, and not ran or to run again).
    pub fn pending(&self) -> bool {
        self.skip.is_none() && matches!(self.state, State::NotRan | State::RunAgain)
    }
}

/// A validation failure, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// `<path>::<id>::<author> was: <was> but is now: <now>`.
    Checksum {
        /// `path::id::author`.
        identifier: String,
        /// The stored value.
        was: String,
        /// The computed value.
        now: String,
        /// The file the changeset is in.
        path: PathBuf,
        /// Its header line.
        line: usize,
    },
    /// The same `path::id::author` twice in the changelog.
    Duplicate {
        /// `path::id::author`.
        identifier: String,
        /// The file of the second occurrence.
        path: PathBuf,
        /// Its header line.
        line: usize,
    },
}

impl Finding {
    /// The file and line the finding is about.
    pub fn location(&self) -> (&PathBuf, usize) {
        match self {
            Finding::Checksum { path, line, .. } | Finding::Duplicate { path, line, .. } => {
                (path, *line)
            }
        }
    }
}

/// The changelog against the table.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Every changeset that is not `ignore:true`, in changelog order.
    pub entries: Vec<Entry<'a>>,
    /// `ignore:true` changesets.
    pub ignored: Vec<&'a ChangeSet>,
    /// Changesets whose `path::id::author` appeared earlier in the changelog.
    pub duplicates: Vec<&'a ChangeSet>,
    /// Rows no changeset of the changelog matches.
    pub unexpected: Vec<&'a RanChangeSet>,
}

impl<'a> Plan<'a> {
    /// The changesets `update` would run, in order.
    pub fn pending(&self) -> impl Iterator<Item = &Entry<'a>> {
        self.entries.iter().filter(|e| e.pending())
    }

    /// Validation failures, in Liquibase's order (checksums, then duplicates). Changesets the
    /// filter rejects are not validated, as in Liquibase.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for e in &self.entries {
            if e.skip.is_some() {
                continue;
            }
            if let State::Changed { was, now } = &e.state {
                out.push(Finding::Checksum {
                    identifier: e.changeset.identifier(),
                    was: was.clone(),
                    now: now.clone(),
                    path: e.changeset.path.clone(),
                    line: e.changeset.line,
                });
            }
        }
        for cs in &self.duplicates {
            out.push(Finding::Duplicate {
                identifier: cs.identifier(),
                path: cs.path.clone(),
                line: cs.line,
            });
        }
        out
    }
}

/// The identity key used to find rows quickly (the exact check is `ChangeSet::is_same_as`).
fn key(id: &str, author: &str, filename: &str) -> (String, String, String) {
    let f = filename.replace('\\', "/");
    let f = f.strip_prefix("classpath:").unwrap_or(&f);
    (java::lower(id), java::lower(author), java::lower(f))
}

/// Why `filter` rejects `cs`, if it does.
pub fn skip_reason(cs: &ChangeSet, filter: &Filter) -> Result<Option<Skip>, ExpressionError> {
    if let Some(db) = &filter.dbms {
        if !expression::dbms_matches(cs.dbms.as_deref(), db, true) {
            return Ok(Some(Skip::Dbms));
        }
    }
    if !expression::contexts_match(
        cs.context.as_deref(),
        &cs.inherited_contexts,
        filter.contexts.as_deref(),
    )? {
        return Ok(Some(Skip::Context));
    }
    if !expression::labels_match(
        cs.labels.as_deref(),
        &cs.inherited_labels,
        filter.labels.as_deref(),
    )? {
        return Ok(Some(Skip::Label));
    }
    Ok(None)
}

/// Meets the changelog and the rows (as read, oldest first) under the run's filter.
pub fn plan<'a>(
    changelog: &'a Changelog,
    rows: &'a [RanChangeSet],
    filter: &Filter,
) -> Result<Plan<'a>, ExpressionError> {
    let mut index: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        index
            .entry(key(&row.id, &row.author, &row.filename))
            .or_default()
            .push(i);
    }
    let mut matched = vec![false; rows.len()];
    let mut entries = Vec::new();
    let mut ignored = Vec::new();
    for cs in &changelog.changesets {
        // The newest matching row wins, as in Liquibase's index of ran changesets.
        let hit = index
            .get(&key(&cs.id, &cs.author, &cs.filename))
            .and_then(|ids| {
                ids.iter()
                    .rev()
                    .copied()
                    .find(|&i| cs.is_same_as(&rows[i].id, &rows[i].author, &rows[i].filename))
            })
            .or_else(|| {
                rows.iter()
                    .rposition(|r| cs.is_same_as(&r.id, &r.author, &r.filename))
            });
        if let Some(i) = hit {
            // Rows of every duplicate are accounted for, even those of ignored changesets.
            if let Some(ids) = index.get(&key(&cs.id, &cs.author, &cs.filename)) {
                for &j in ids {
                    if cs.is_same_as(&rows[j].id, &rows[j].author, &rows[j].filename) {
                        matched[j] = true;
                    }
                }
            }
            matched[i] = true;
        }
        if cs.ignore {
            ignored.push(cs);
            continue;
        }
        let row = hit.map(|i| &rows[i]);
        let skip = skip_reason(cs, filter)?;
        let (state, refresh) = state_of(cs, row);
        entries.push(Entry {
            changeset: cs,
            row,
            skip,
            state,
            refresh,
        });
    }
    let unexpected = rows
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(r, _)| r)
        .collect();
    let duplicates = changelog
        .duplicates()
        .into_iter()
        .filter(|cs| !cs.ignore)
        .collect();
    Ok(Plan {
        entries,
        ignored,
        duplicates,
        unexpected,
    })
}

/// The state of one changeset against its row (Liquibase's `getRunStatus` and
/// `isCheckSumValid`).
fn state_of(cs: &ChangeSet, row: Option<&RanChangeSet>) -> (State, Option<Refresh>) {
    let Some(row) = row else {
        return (State::NotRan, None);
    };
    let Some(stored) = row.md5sum.as_deref().filter(|s| !s.is_empty()) else {
        let fill = Refresh::Fill {
            to: checksum_v9(cs),
        };
        let state = if cs.run_always {
            State::RunAgain
        } else {
            State::Ran
        };
        return (state, Some(fill));
    };
    match matches_stored(cs, stored) {
        ChecksumVerdict::Match => {
            let state = if cs.run_always {
                State::RunAgain
            } else {
                State::Ran
            };
            (state, None)
        }
        ChecksumVerdict::MatchUpgrade { now } => {
            let state = if cs.run_always {
                State::RunAgain
            } else {
                State::Ran
            };
            (
                state,
                Some(Refresh::Upgrade {
                    from: stored.to_string(),
                    to: now,
                }),
            )
        }
        ChecksumVerdict::Mismatch { was, now } => {
            if cs.run_always || cs.run_on_change {
                (State::RunAgain, None)
            } else {
                (State::Changed { was, now }, None)
            }
        }
    }
}

/// Liquibase's `ValidationFailedException` text for `findings`, each followed by the file and
/// line it is about:
///
/// ```text
/// Validation Failed:
///      1 changesets check sum
///           changelog.sql::2::alice was: 9:… but is now: 9:…
///             at changelog.sql:7
/// ```
///
/// `show` turns a file into what the user sees (a path relative to the working directory).
pub fn failure_message(findings: &[Finding], show: &dyn Fn(&PathBuf) -> String) -> String {
    let mut out = String::from("Validation Failed:\n");
    let sums: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f, Finding::Checksum { .. }))
        .collect();
    let dups: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f, Finding::Duplicate { .. }))
        .collect();
    let at = |f: &Finding| {
        let (path, line) = f.location();
        format!("            at {}:{line}\n", show(path))
    };
    if !sums.is_empty() {
        out.push_str(&format!("     {} changesets check sum\n", sums.len()));
        for f in sums.iter().take(26) {
            if let Finding::Checksum {
                identifier,
                was,
                now,
                ..
            } = f
            {
                out.push_str(&format!(
                    "          {identifier} was: {was} but is now: {now}\n"
                ));
                out.push_str(&at(f));
            }
        }
    }
    if !dups.is_empty() {
        out.push_str(&format!(
            "     {} changesets had duplicate identifiers\n",
            dups.len()
        ));
        for f in &dups {
            if let Finding::Duplicate { identifier, .. } = f {
                out.push_str(&format!("          {identifier}\n"));
                out.push_str(&at(f));
            }
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changelog::history::ExecType;
    use crate::changelog::{Properties, parse_sql};

    fn changelog(text: &str) -> Changelog {
        let changesets = parse_sql(text, "changelog.sql", &Properties::default()).unwrap();
        Changelog {
            root: "changelog.sql".into(),
            changesets,
            files: vec![],
        }
    }

    fn row(id: &str, md5: Option<&str>) -> RanChangeSet {
        RanChangeSet {
            id: id.into(),
            author: "alice".into(),
            filename: "changelog.sql".into(),
            date_executed: "2026-01-01 00:00:00".into(),
            order_executed: 1,
            exec_type: ExecType::Executed,
            md5sum: md5.map(str::to_string),
            description: Some("sql".into()),
            comments: Some(String::new()),
            tag: None,
            liquibase: Some("4.28.0".into()),
            contexts: None,
            labels: None,
            deployment_id: Some("0000000000".into()),
        }
    }

    const TEXT: &str = "-- liquibase formatted sql\n\n-- changeset alice:1\nCREATE TABLE t1 (id INT);\n\n-- changeset alice:2 runOnChange:true\nCREATE VIEW v AS SELECT 1;\n\n-- changeset alice:3 context:dev\nCREATE TABLE t3 (id INT);\n\n-- changeset alice:4 runAlways:true\nSELECT 1;\n";

    #[test]
    fn states_follow_liquibase() {
        let cl = changelog(TEXT);
        let v9: Vec<String> = cl.changesets.iter().map(checksum_v9).collect();
        let rows = vec![
            row("1", Some(&v9[0])),
            row("2", Some("9:00000000000000000000000000000000")),
            row("4", Some(&v9[3])),
            row("gone", Some("9:x")),
        ];
        let filter = Filter {
            dbms: Some("sqlite".into()),
            contexts: Some("prod".into()),
            labels: None,
        };
        let p = plan(&cl, &rows, &filter).unwrap();
        let states: Vec<(&str, &State, Option<Skip>)> = p
            .entries
            .iter()
            .map(|e| (e.changeset.id.as_str(), &e.state, e.skip))
            .collect();
        assert_eq!(states[0], ("1", &State::Ran, None));
        assert_eq!(states[1], ("2", &State::RunAgain, None));
        assert_eq!(states[2], ("3", &State::NotRan, Some(Skip::Context)));
        assert_eq!(states[3], ("4", &State::RunAgain, None));
        let pending: Vec<&str> = p.pending().map(|e| e.changeset.id.as_str()).collect();
        assert_eq!(pending, ["2", "4"]);
        assert_eq!(p.unexpected.len(), 1);
        assert!(p.findings().is_empty());
    }

    #[test]
    fn a_changed_checksum_is_a_finding_with_its_location() {
        let cl = changelog(TEXT);
        let rows = vec![row("1", Some("9:2605e9bdeb786726a614ddaf450c2b46"))];
        let p = plan(&cl, &rows, &Filter::default()).unwrap();
        let findings = p.findings();
        assert_eq!(findings.len(), 1);
        let text = failure_message(&findings, &|p| p.display().to_string());
        let now = checksum_v9(&cl.changesets[0]);
        assert_eq!(
            text,
            format!(
                "Validation Failed:\n     1 changesets check sum\n          changelog.sql::1::alice was: 9:2605e9bdeb786726a614ddaf450c2b46 but is now: {now}\n            at changelog.sql:3"
            )
        );
    }

    #[test]
    fn null_and_old_checksums_are_refreshed() {
        let cl = changelog(TEXT);
        let v8 = crate::changelog::checksum_v8(&cl.changesets[0]);
        let rows = vec![row("1", Some(&v8)), row("2", None)];
        let p = plan(&cl, &rows, &Filter::default()).unwrap();
        assert_eq!(
            p.entries[0].refresh,
            Some(Refresh::Upgrade {
                from: v8.clone(),
                to: checksum_v9(&cl.changesets[0])
            })
        );
        assert_eq!(p.entries[0].state, State::Ran);
        assert_eq!(
            p.entries[1].refresh,
            Some(Refresh::Fill {
                to: checksum_v9(&cl.changesets[1])
            })
        );
        assert_eq!(p.entries[1].state, State::Ran);
    }

    #[test]
    fn rows_match_ignoring_case_and_separators() {
        let cl = changelog(TEXT);
        let mut r = row("1", None);
        r.author = "ALICE".into();
        r.filename = "classpath:Changelog.SQL".into();
        let rows = vec![r];
        let p = plan(&cl, &rows, &Filter::default()).unwrap();
        assert!(p.entries[0].row.is_some());
        assert!(p.unexpected.is_empty());
    }

    #[test]
    fn duplicates_are_findings() {
        let cl = changelog(
            "-- liquibase formatted sql\n-- changeset a:1\nSELECT 1;\n-- changeset a:1\nSELECT 2;\n",
        );
        let p = plan(&cl, &[], &Filter::default()).unwrap();
        let text = failure_message(&p.findings(), &|p| p.display().to_string());
        assert!(
            text.contains("     1 changesets had duplicate identifiers\n          changelog.sql::1::a\n            at changelog.sql:4"),
            "{text}"
        );
    }
}
