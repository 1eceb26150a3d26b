//! `transaction-nesting`: BEGIN/COMMIT in a migration the runner already wraps in a transaction,
//! or a BEGIN inside an open transaction. PostgreSQL only warns on the BEGIN, but the COMMIT
//! then ends the runner's transaction early, so the migration and its history row are no longer
//! atomic; SQLite refuses the nested BEGIN outright.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "transaction-nesting",
    summary: "BEGIN/COMMIT inside the runner's transaction, or a nested BEGIN",
    severity: Severity::Warning,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            None,
            "the runner's transaction ends early, so the rest of the migration and its history row no longer commit or fail together",
            "drop BEGIN/COMMIT and let the runner own the transaction, or say -- tidemark:executeInTransaction=false",
        ),
        my(
            Severity::Warning,
            None,
            "a BEGIN inside a transaction silently commits it, and DDL commits implicitly anyway",
            "drop BEGIN/COMMIT: MySQL DDL cannot be made atomic with a transaction",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite refuses a BEGIN inside a transaction (\"cannot start a transaction within a transaction\"), so the migration fails",
            "drop BEGIN/COMMIT and let the runner own the transaction, or say -- tidemark:executeInTransaction=false",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    let wrapped = f.file.wrapped && f.dialect != Dialect::Mysql;
    let mut open = false;
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        for op in &stmt.ops {
            match op.kind {
                OpKind::Begin => {
                    if wrapped {
                        out.report_stmt(i, op.at, "BEGIN in a migration the runner already runs in a transaction");
                    } else if open {
                        out.report_stmt(i, op.at, "BEGIN inside a transaction this migration already opened");
                    }
                    open = true;
                }
                OpKind::Commit | OpKind::Rollback => {
                    if wrapped && !open {
                        out.report_stmt(
                            i,
                            op.at,
                            format!("{} ends the transaction the runner opened for this migration", op.kind.describe()),
                        );
                    }
                    open = false;
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "transaction-nesting",
            vec![
                bad(PG, "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;"),
                bad(PG, "ALTER TABLE orders ADD COLUMN note text;\nCOMMIT;"),
                good(PG, "-- tidemark:executeInTransaction=false\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;"),
                bad(MY, "START TRANSACTION;\nBEGIN;\nCOMMIT;"),
                good(MY, "START TRANSACTION;\nUPDATE t SET a = 1 WHERE id = 1;\nCOMMIT;"),
                bad(LITE, "BEGIN;\nUPDATE t SET a = 1 WHERE id = 1;\nCOMMIT;"),
                good(LITE, "UPDATE t SET a = 1 WHERE id = 1;"),
            ],
        );
    }
}
