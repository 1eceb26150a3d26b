//! `require-lock-timeout`: a statement that needs a strong lock with no lock timeout waits
//! forever behind long readers, and every later query queues behind *it* (the lock queue is the
//! real outage, reference §5). Only when tidemark does not set the timeout itself. Reported once
//! per migration, at the first statement that needs it.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-lock-timeout",
    summary: "a strong lock with no lock timeout set (only when tidemark's own timeouts are off)",
    severity: Severity::Warning,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            None,
            "while it waits for the lock, every later query on the table queues behind it",
            "SET lock_timeout = '2s' at the top of the migration (and retry on 55P03), or configure tidemark's lockTimeout",
        ),
        my(
            Severity::Warning,
            None,
            "lock_wait_timeout defaults to a year: while the DDL waits for the metadata lock every later query on the table queues behind it",
            "SET SESSION lock_wait_timeout = 5 at the top of the migration, or configure tidemark's lockTimeout",
        ),
        lite(
            Severity::Warning,
            None,
            "with busy_timeout 0 the migration fails with SQLITE_BUSY as soon as another connection writes",
            "PRAGMA busy_timeout = 5000 at the top of the migration, or configure tidemark's lockTimeout",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    if f.timeouts_managed {
        return;
    }
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        if f.sessions[i].lock_timeout {
            continue;
        }
        let what = match f.dialect {
            Dialect::Sqlite if f.facts[i].writes => {
                "this statement needs the database write lock but no busy_timeout is set".to_string()
            }
            Dialect::Sqlite => continue,
            _ => match f.facts[i].strong.first() {
                Some((_, table, lock)) => format!(
                    "this statement needs {lock} on {table} but no {} is set",
                    if f.dialect == Dialect::Mysql { "lock_wait_timeout" } else { "lock_timeout" }
                ),
                None => continue,
            },
        };
        out.report_stmt(i, stmt.offset, what);
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "require-lock-timeout",
            vec![
                bad(PG, "ALTER TABLE orders ADD COLUMN note text;"),
                good(PG, "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;"),
                good(PG, "CREATE TABLE notes (id bigint);"),
                bad(MY, "ALTER TABLE orders ADD COLUMN note TEXT;"),
                good(MY, "SET SESSION lock_wait_timeout = 5;\nALTER TABLE orders ADD COLUMN note TEXT;"),
                bad(LITE, "ALTER TABLE orders ADD COLUMN note TEXT;"),
                good(LITE, "PRAGMA busy_timeout = 5000;\nALTER TABLE orders ADD COLUMN note TEXT;"),
            ],
        );
    }
}
