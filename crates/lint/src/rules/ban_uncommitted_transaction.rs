//! `ban-uncommitted-transaction`: a BEGIN with no COMMIT or ROLLBACK before the end of the
//! migration.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-uncommitted-transaction",
    summary: "BEGIN without COMMIT",
    severity: Severity::Error,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &all(
        Severity::Error,
        None,
        "the changes after it are rolled back (or committed by whatever runs next) when the migration ends, not when it says",
        "let the runner own transactions; if you open one, COMMIT it in the same migration",
    ),
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    let mut open: Option<usize> = None;
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        for op in &stmt.ops {
            match op.kind {
                OpKind::Begin => {
                    open.get_or_insert(i);
                }
                OpKind::Commit | OpKind::Rollback => open = None,
                _ => {}
            }
        }
    }
    if let Some(i) = open {
        out.report_stmt(i, f.file.stmts[i].offset, "BEGIN is never committed in this migration");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "ban-uncommitted-transaction",
            vec![
                bad(PG, "BEGIN;\nALTER TABLE orders ADD COLUMN note text;"),
                good(PG, "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;"),
                bad(MY, "START TRANSACTION;\nUPDATE t SET a = 1 WHERE id = 1;"),
                good(MY, "START TRANSACTION;\nUPDATE t SET a = 1 WHERE id = 1;\nCOMMIT;"),
                bad(LITE, "BEGIN;\nUPDATE t SET a = 1 WHERE id = 1;"),
                good(LITE, "UPDATE t SET a = 1 WHERE id = 1;"),
            ],
        );
    }
}
