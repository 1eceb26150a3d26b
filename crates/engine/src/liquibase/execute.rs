//! Running one changeset (or its rollback): preconditions, statements, the tracking row, one
//! transaction.
//!
//! Order of work for a changeset, as in Liquibase's `ChangeSet.execute` and `UpdateVisitor`:
//! preconditions first (outside the transaction, so a failing check cannot poison it), then —
//! in one transaction when `runInTransaction` (the default) — every statement of every change
//! that applies to this database, then the row (`INSERT`, or `UPDATE … EXECTYPE = 'RERAN'` for a
//! changeset that ran before). A failing statement rolls everything back; with
//! `failOnError:false` the failure is reported and nothing is recorded (Liquibase retries it next
//! time), otherwise the command stops with the changeset, the file and the statement's line.

use std::path::{Path, PathBuf};

use tidemark_ledger::changelog::history::{ExecType, RanChangeSet};
use tidemark_ledger::changelog::{
    Change, ChangeKind, ChangeSet, Precondition, PreconditionAction, Preconditions, Rollback,
    checksum_v9,
};
use tidemark_sql::Dialect;

use super::session::Session;
use super::tables::RowValues;
use super::{ChangeSetFailure, Error};
use crate::driver::{DbError, Value};

/// What happened to a changeset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Recorded with this EXECTYPE.
    Recorded(ExecType),
    /// A precondition failed with `onFail:CONTINUE` (or errored with `onError:CONTINUE`): not
    /// run, not recorded.
    Skipped,
    /// Failed with `failOnError:false`: rolled back, not recorded.
    FailedIgnored,
}

/// A statement to run, with where it came from.
struct Located<'c> {
    sql: String,
    change: &'c Change,
    /// `tagDatabase`: not a statement of the file.
    generated: bool,
}

/// The result of checking a changeset's preconditions.
enum Check {
    Pass,
    Failed(String),
    Errored(String),
}

impl Session<'_> {
    /// The row a changeset writes.
    fn row_values(&self, cs: &ChangeSet, exec_type: ExecType, order: i64) -> RowValues {
        RowValues {
            id: cs.id.clone(),
            author: cs.author.clone(),
            filename: cs.filename.clone(),
            order,
            md5sum: checksum_v9(cs),
            description: cs.description(),
            comments: cs.comments_column(),
            exec_type,
            contexts: cs.contexts_column(),
            labels: cs.labels_column(),
            deployment_id: self.deployment_id.clone(),
            tag: cs.changes.iter().find_map(|c| match &c.kind {
                ChangeKind::TagDatabase { tag } => Some(tag.clone()),
                _ => None,
            }),
        }
    }

    /// Writes the row of a changeset: an `INSERT`, or an `UPDATE` of the row it already has.
    /// Returns the rows changed.
    pub(super) fn record(
        &mut self,
        cs: &ChangeSet,
        row: Option<&RanChangeSet>,
        exec_type: ExecType,
    ) -> Result<u64, DbError> {
        let order = self.next_order().map_err(|e| match e {
            Error::Db { source, .. } => source,
            other => DbError::new(other.to_string()),
        })?;
        let values = self.row_values(cs, exec_type, order);
        let sql = match row {
            Some(r) => self
                .tables
                .update_ran(&values, (&r.id, &r.author, &r.filename)),
            None => self.tables.insert(&values),
        };
        self.exec(&sql).map(|n| n.max(1))
    }

    /// The statements of a changeset on this database, in order.
    fn statements_of<'c>(&self, cs: &'c ChangeSet) -> Vec<Located<'c>> {
        let mut out = Vec::new();
        let applies = |c: &&Change| {
            tidemark_ledger::changelog::expression::dbms_matches(
                c.dbms.as_deref(),
                &self.dbms,
                true,
            )
        };
        for change in cs.changes.iter().filter(applies) {
            match &change.kind {
                ChangeKind::TagDatabase { tag } => out.push(Located {
                    sql: self.tables.tag(tag),
                    change,
                    generated: true,
                }),
                _ => out.extend(change.statements().iter().map(|s| Located {
                    sql: s.clone(),
                    change,
                    generated: false,
                })),
            }
        }
        out
    }

    /// Runs (or, in a dry run, prints) one changeset and records it. `row` is its row when it
    /// ran before (RERAN).
    pub(super) fn run_changeset(
        &mut self,
        cs: &ChangeSet,
        row: Option<&RanChangeSet>,
    ) -> Result<(Outcome, u64), Error> {
        let identifier = cs.identifier();
        self.reporter
            .info(&format!("Running Changeset: {identifier}"));
        let mut header = format!("Changeset {identifier}");
        if let Some(comment) = cs.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            header.push('\n');
            header.push_str(comment.trim());
        }
        self.comment(&header);

        let mut exec_type = if row.is_some() {
            ExecType::Reran
        } else {
            ExecType::Executed
        };
        let mut run_statements = true;
        if let Some(p) = &cs.preconditions {
            match self.preconditions_verdict(cs, p)? {
                Verdict::Run => {}
                Verdict::MarkRan(why) => {
                    self.reporter.info(&format!(
                        "Marking ChangeSet: \"{identifier}\" as ran despite precondition failure due to onFail='MARK_RAN': {why}"
                    ));
                    exec_type = ExecType::MarkRan;
                    run_statements = false;
                }
                Verdict::Skip(why) => {
                    self.reporter.warn(&format!(
                        "Continuing past: {identifier} despite precondition failure due to onFail='CONTINUE': {why}"
                    ));
                    return Ok((Outcome::Skipped, 0));
                }
                Verdict::Halt(reason) => {
                    return Err(Error::ChangeSet(Box::new(ChangeSetFailure {
                        identifier,
                        path: cs.path.clone(),
                        line: cs.line,
                        statement: None,
                        error: None,
                        reason: Some(reason),
                        rollback: false,
                        rolled_back: false,
                        kept_statements: 0,
                    })));
                }
            }
        }

        let statements = if run_statements {
            self.statements_of(cs)
        } else {
            Vec::new()
        };
        let in_tx = cs.run_in_transaction;
        if in_tx {
            self.tx_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
        }
        let mut affected = 0u64;
        let mut done = 0usize;
        let mut failed: Option<(usize, DbError)> = None;
        for (i, statement) in statements.iter().enumerate() {
            match self.exec(&statement.sql) {
                Ok(n) => {
                    affected += n;
                    done += 1;
                }
                Err(e) => {
                    failed = Some((i, e));
                    break;
                }
            }
        }
        let Some((index, error)) = failed else {
            match self.record(cs, row, exec_type) {
                Ok(n) => affected += n,
                Err(e) => {
                    if in_tx {
                        let _ = self.tx_rollback();
                    }
                    return Err(Error::db(
                        &format!("record {identifier} in {}", self.tables.changelog_name()),
                        e,
                    ));
                }
            }
            if in_tx {
                self.tx_commit().map_err(|e| Error::db("commit", e))?;
            }
            return Ok((Outcome::Recorded(exec_type), affected));
        };
        if in_tx {
            let _ = self.tx_rollback();
        }
        let transactional = in_tx && self.driver.supports_ddl_transactions();
        if !cs.fail_on_error {
            self.reporter.warn(&format!(
                "Changeset {identifier} failed, but failOnError was false.  Error: {}",
                error.message
            ));
            return Ok((Outcome::FailedIgnored, 0));
        }
        let (path, line) = locate_statement(cs, &statements, index);
        Err(Error::ChangeSet(Box::new(ChangeSetFailure {
            identifier,
            path,
            line,
            statement: Some(statements[index].sql.clone()),
            error: Some(error),
            reason: None,
            rollback: false,
            rolled_back: transactional,
            kept_statements: if transactional { 0 } else { done },
        })))
    }

    /// Rolls back (or prints the rollback of) one changeset and deletes its row.
    pub(super) fn rollback_changeset(
        &mut self,
        cs: &ChangeSet,
        row: &RanChangeSet,
    ) -> Result<u64, Error> {
        let identifier = cs.identifier();
        self.reporter
            .info(&format!("Rolling Back Changeset: {identifier}"));
        self.comment(&format!("Rolling Back ChangeSet: {identifier}"));
        let changes: Vec<&Change> = match &cs.rollback {
            Rollback::None => {
                return Err(Error::ChangeSet(Box::new(ChangeSetFailure {
                    identifier,
                    path: cs.path.clone(),
                    line: cs.line,
                    statement: None,
                    error: None,
                    reason: Some(Rollback::UNSUPPORTED.to_string()),
                    rollback: true,
                    rolled_back: false,
                    kept_statements: 0,
                })));
            }
            Rollback::Empty => Vec::new(),
            Rollback::Sql(change) => vec![change],
            Rollback::Changes(changes) | Rollback::ChangeSet { changes, .. } => {
                changes.iter().collect()
            }
        };
        let dbms = self.dbms.clone();
        let statements: Vec<Located<'_>> = changes
            .into_iter()
            .filter(|c| {
                tidemark_ledger::changelog::expression::dbms_matches(c.dbms.as_deref(), &dbms, true)
            })
            .flat_map(|change| {
                change
                    .statements()
                    .iter()
                    .filter(|s| !is_empty_marker(s))
                    .map(move |s| Located {
                        sql: s.clone(),
                        change,
                        generated: false,
                    })
            })
            .collect();
        let in_tx = cs.run_in_transaction;
        if in_tx {
            self.tx_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
        }
        let mut affected = 0u64;
        let mut done = 0usize;
        for (i, statement) in statements.iter().enumerate() {
            match self.exec(&statement.sql) {
                Ok(n) => {
                    affected += n;
                    done += 1;
                }
                Err(error) => {
                    if in_tx {
                        let _ = self.tx_rollback();
                    }
                    let transactional = in_tx && self.driver.supports_ddl_transactions();
                    let (path, line) = locate_statement(cs, &statements, i);
                    return Err(Error::ChangeSet(Box::new(ChangeSetFailure {
                        identifier,
                        path,
                        line,
                        statement: Some(statement.sql.clone()),
                        error: Some(error),
                        reason: None,
                        rollback: true,
                        rolled_back: transactional,
                        kept_statements: if transactional { 0 } else { done },
                    })));
                }
            }
        }
        let sql = self.tables.delete(&row.id, &row.author, &row.filename);
        match self.exec(&sql) {
            Ok(n) => affected += n,
            Err(e) => {
                if in_tx {
                    let _ = self.tx_rollback();
                }
                return Err(Error::db(
                    &format!("delete {identifier} from {}", self.tables.changelog_name()),
                    e,
                ));
            }
        }
        if in_tx {
            self.tx_commit().map_err(|e| Error::db("commit", e))?;
        }
        Ok(affected)
    }

    /// What to do about a changeset's preconditions. In a dry run they are only checked with
    /// `onSqlOutput:TEST` (Liquibase's default for `*-sql` is `IGNORE`: run the changeset).
    fn preconditions_verdict(
        &mut self,
        cs: &ChangeSet,
        p: &Preconditions,
    ) -> Result<Verdict, Error> {
        if self.dry.is_some() {
            match p
                .on_sql_output
                .as_deref()
                .map(str::to_ascii_uppercase)
                .as_deref()
            {
                Some("TEST") => {}
                Some("FAIL") => {
                    return Ok(Verdict::Halt(format!(
                        "Unexpected precondition onSqlOutput FAIL: preconditions of {} cannot be checked while generating SQL",
                        cs.identifier()
                    )));
                }
                _ => return Ok(Verdict::Run),
            }
        }
        let check = self.check(p);
        let (action, message, kind) = match check {
            Check::Pass => return Ok(Verdict::Run),
            Check::Failed(m) => (p.on_fail, m, "failure"),
            Check::Errored(m) => (p.on_error, m, "error"),
        };
        let described = format!("{} : {message}", cs.filename);
        Ok(match action {
            PreconditionAction::Halt => Verdict::Halt(format!("\n          {described}")),
            PreconditionAction::Continue => Verdict::Skip(described),
            PreconditionAction::MarkRan => Verdict::MarkRan(described),
            PreconditionAction::Warn => {
                self.reporter.warn(&format!(
                    "Precondition {kind} of {} (onFail/onError WARN): {described}",
                    cs.identifier()
                ));
                Verdict::Run
            }
        })
    }

    /// Evaluates the checks in order; the first that fails decides.
    fn check(&mut self, p: &Preconditions) -> Check {
        for c in &p.checks {
            let outcome = match c {
                Precondition::SqlCheck {
                    expected_result,
                    sql,
                } => self.sql_check(expected_result, sql),
                Precondition::TableExists { table, schema } => {
                    self.object_exists(false, table, schema.as_deref())
                }
                Precondition::ViewExists { view, schema } => {
                    self.object_exists(true, view, schema.as_deref())
                }
            };
            if !matches!(outcome, Check::Pass) {
                return outcome;
            }
        }
        Check::Pass
    }

    fn sql_check(&mut self, expected: &str, sql: &str) -> Check {
        let sql = sql.trim();
        let sql = sql.strip_suffix(';').unwrap_or(sql);
        match self.driver.query(sql, &[]) {
            Ok(rows) => match rows
                .first()
                .and_then(|r| r.first())
                .and_then(Value::as_text)
            {
                None => Check::Failed("No rows returned from SQL Precondition".into()),
                Some(result) if result == expected => Check::Pass,
                Some(result) => Check::Failed(format!(
                    "SQL Precondition failed.  Expected '{expected}' got '{result}'"
                )),
            },
            Err(e) => {
                // A failed query aborts a PostgreSQL transaction; none is open here, but be sure.
                let _ = self.driver.rollback();
                Check::Errored(e.to_string())
            }
        }
    }

    fn object_exists(&mut self, view: bool, name: &str, schema: Option<&str>) -> Check {
        let schema_name = schema.map_or_else(|| self.schema.clone(), str::to_string);
        let candidates = [name.to_string(), name.to_lowercase(), name.to_uppercase()];
        let dialect = self.tables.dialect;
        for candidate in &candidates {
            let found = if view {
                let sql = match dialect {
                    Dialect::Sqlite => {
                        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view' AND name = ?"
                    }
                    Dialect::Postgres => {
                        "SELECT COUNT(*) FROM information_schema.views WHERE table_schema = $2 AND table_name = $1"
                    }
                    Dialect::Mysql => {
                        "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_NAME = ? AND TABLE_SCHEMA = ?"
                    }
                };
                let mut params = vec![Value::Text(candidate.clone())];
                if dialect != Dialect::Sqlite {
                    params.push(Value::Text(schema_name.clone()));
                }
                self.driver.query(sql, &params).map(|rows| {
                    rows.first()
                        .and_then(|r| r.first())
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                        > 0
                })
            } else {
                self.driver.table_exists(&schema_name, candidate)
            };
            match found {
                Ok(true) => return Check::Pass,
                Ok(false) => {}
                Err(e) => return Check::Errored(e.to_string()),
            }
        }
        let shown = match schema {
            Some(s) => format!("{s}.{name}"),
            None => name.to_string(),
        };
        Check::Failed(format!(
            "{} {shown} does not exist",
            if view { "View" } else { "Table" }
        ))
    }
}

/// What a precondition check means for the changeset.
enum Verdict {
    Run,
    MarkRan(String),
    Skip(String),
    Halt(String),
}

/// `--rollback empty` / `not required` leave nothing to run; the ledger already maps them to
/// [`Rollback::Empty`], this guards `<rollback>empty</rollback>` texts too.
fn is_empty_marker(statement: &str) -> bool {
    let t = statement.trim().to_ascii_lowercase();
    t == "empty" || t.starts_with("not required")
}

/// Where statement `index` is written: its file and 1-based line. Statements are found by their
/// first line, in order, from the changeset's header (an `sqlFile` from its first line); a
/// statement that cannot be found (changed by `${}` expansion) is reported at the header.
fn locate_statement(cs: &ChangeSet, statements: &[Located<'_>], index: usize) -> (PathBuf, usize) {
    let target = &statements[index];
    let (path, start) = match &target.change.kind {
        ChangeKind::SqlFile { file, .. } => (file.clone(), 1),
        _ => (cs.path.clone(), cs.line),
    };
    if target.generated {
        return (path, start);
    }
    let Some(text) = read_lossy(&path) else {
        return (path, start);
    };
    let lines: Vec<&str> = tidemark_ledger::text::lines(&text).collect();
    let mut cursor = start.saturating_sub(1);
    let mut found = start;
    for s in statements.iter().take(index + 1) {
        if s.generated || !std::ptr::eq(s.change, target.change) {
            continue;
        }
        let Some(needle) = first_line(&s.sql) else {
            continue;
        };
        if let Some(offset) = lines
            .iter()
            .skip(cursor)
            .position(|l| l.contains(needle.as_str()))
        {
            cursor += offset;
            found = cursor + 1;
        } else {
            found = start;
        }
    }
    (path, found)
}

fn first_line(sql: &str) -> Option<String> {
    tidemark_ledger::text::lines(sql)
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(80).collect())
}

fn read_lossy(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}
