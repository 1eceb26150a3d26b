//! `validate-in-same-transaction`: `VALIDATE CONSTRAINT` only takes SHARE UPDATE EXCLUSIVE,
//! but in a transaction that already took a strong lock on the table (the `ADD ... NOT VALID`
//! itself, or any other ALTER) that strong lock is held through the whole validation scan.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "validate-in-same-transaction",
    summary: "VALIDATE CONSTRAINT in the transaction that added it NOT VALID (or otherwise locked the table)",
    severity: Severity::Warning,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        None,
        "the strong lock taken earlier in the transaction is held through the whole validation scan, so reads and writes wait for it",
        "validate in a later migration (its own transaction), after the NOT VALID constraint is committed",
    )],
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        let Some(tx) = stmt.tx else { continue };
        for op in &stmt.ops {
            let OpKind::ValidateConstraint { table, .. } = &op.kind else {
                continue;
            };
            let earlier = f.file.stmts[..i]
                .iter()
                .enumerate()
                .filter(|(_, s)| s.tx == Some(tx))
                .find_map(|(j, s)| {
                    f.facts[j]
                        .strong
                        .iter()
                        .find(|(k, _, _)| *k == table.key)
                        .map(|(_, _, lock)| (s.line, *lock))
                });
            if let Some((line, lock)) = earlier {
                out.report_stmt(
                    i,
                    op.at,
                    format!(
                        "{} runs in the same transaction as line {line}, which took {lock} on {}",
                        op.kind.describe(),
                        table.display
                    ),
                );
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
            "validate-in-same-transaction",
            vec![
                bad(PG, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"),
                bad(PG, "-- tidemark:executeInTransaction=false\nBEGIN;\nALTER TABLE users ADD CONSTRAINT users_plan_nn CHECK (plan IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_plan_nn;\nCOMMIT;"),
                good(PG, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;")
                    .then("ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"),
                good(PG, "-- tidemark:executeInTransaction=false\nALTER TABLE users ADD CONSTRAINT users_plan_nn CHECK (plan IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_plan_nn;"),
            ],
        );
    }
}
