//! `renaming-table`: the running code still uses the old name. Covered by a compatibility view
//! with the old name later in the same migration (SQLite views are read-only, so there the view
//! also needs an INSTEAD OF trigger), and not reported for table swaps (the old name is taken
//! over by another table in the same migration) or tables the set created.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "renaming-table",
    summary: "RENAME TABLE without a compatibility view under the old name",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: true,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE (brief)"),
            "queries of the running code that use the old name fail at once",
            "rename and CREATE VIEW old_name AS SELECT * FROM new_name in the same migration (simple views are updatable); drop the view in contract",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock (brief)"),
            "queries of the running code that use the old name fail at once",
            "rename and CREATE VIEW old_name AS SELECT * FROM new_name in the same migration (MERGE views are updatable); drop the view in contract",
        ),
        lite(
            Severity::Error,
            None,
            "queries of the running code that use the old name fail at once",
            "rename, CREATE VIEW old_name AS SELECT * FROM new_name and INSTEAD OF triggers for writes, in one migration; drop them in contract",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for (k, op) in ctx.ops().iter().enumerate() {
        let OpKind::RenameTable { from, to } = &op.kind else {
            continue;
        };
        if !ctx.busy(&from.key) || ctx.schema.views.contains_key(&from.key) {
            continue;
        }
        // A swap: the old name is taken over by another table, or this fills a vacated name.
        if compat::renamed_into(ctx, k, &from.key) || ctx.vacated_before(k, &to.key) {
            continue;
        }
        match compat::view_for_table(ctx, k, &from.key) {
            Some(true) => {}
            Some(false) => out.report(
                op.at,
                format!(
                    "{} behind a read-only compatibility view (no INSTEAD OF trigger on {})",
                    op.kind.describe(),
                    from.display
                ),
            ),
            None => out.report(op.at, op.kind.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "renaming-table",
            vec![
                bad(PG, "ALTER TABLE users RENAME TO customers;"),
                good(PG, "ALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;"),
                good(PG, "ALTER TABLE orders RENAME TO orders_old;\nALTER TABLE orders_new RENAME TO orders;"),
                bad(MY, "RENAME TABLE users TO customers;"),
                good(MY, "RENAME TABLE users TO customers;\nCREATE VIEW users AS SELECT * FROM customers;"),
                good(MY, "RENAME TABLE orders TO orders_old, orders_new TO orders;"),
                bad(LITE, "ALTER TABLE users RENAME TO customers;"),
                bad(LITE, "ALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;"),
                good(
                    LITE,
                    "ALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;\nCREATE TRIGGER users_insert INSTEAD OF INSERT ON users BEGIN INSERT INTO customers (id, email) VALUES (NEW.id, NEW.email); END;",
                ),
                good(
                    LITE,
                    "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
                ),
            ],
        );
    }
}
