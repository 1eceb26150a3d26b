//! `require-statement-timeout`: a statement that may run long (a scan, a rewrite, an index
//! build, a big DML) with no statement timeout can run away. Only when tidemark does not set
//! the timeout itself; once per migration.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-statement-timeout",
    summary: "a long-running statement with no statement_timeout (only when tidemark's own timeouts are off)",
    severity: Severity::Warning,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        None,
        "a runaway scan, rewrite or backfill keeps its locks and load until someone kills it",
        "SET statement_timeout at the top of the migration (generous for index builds and backfills), or configure tidemark's statementTimeout",
    )],
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    if f.timeouts_managed {
        return;
    }
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        if f.facts[i].long && !f.sessions[i].statement_timeout {
            let what = stmt
                .ops
                .first()
                .map(|o| o.kind.describe())
                .unwrap_or_else(|| "statement".into());
            out.report_stmt(i, stmt.offset, format!("{what} may run long but no statement_timeout is set"));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "require-statement-timeout",
            vec![
                bad(PG, "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"),
                bad(PG, "UPDATE users SET plan = 'free' WHERE plan IS NULL;"),
                good(PG, "SET statement_timeout = '30min';\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"),
                good(PG, "ALTER TABLE orders ADD COLUMN note text;"),
            ],
        );
    }
}
