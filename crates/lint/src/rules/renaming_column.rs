//! `renaming-column`: the running code still uses the old name. A later view in the same
//! migration that reads the table and exposes the old name (a compatibility view) covers it.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "renaming-column",
    summary: "RENAME COLUMN (MySQL: CHANGE old new) without a compatibility view",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: true,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE (brief)"),
            "queries of the running code that use the old name fail at once",
            "add the new column, sync both with a trigger, backfill, switch the code, drop the old column in contract; or expose the old name through a view",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock (brief, INSTANT)"),
            "queries of the running code that use the old name fail at once",
            "add the new column, dual-write, backfill, switch the code, drop the old column in contract",
        ),
        lite(
            Severity::Error,
            None,
            "queries of the running code that use the old name fail at once",
            "add the new column, dual-write, backfill, switch the code, drop the old column in contract",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for (k, op) in ctx.ops().iter().enumerate() {
        if let OpKind::RenameColumn { table, from, .. } = &op.kind {
            if ctx.busy(&table.key)
                && !ctx.schema.column(&table.key, &from.key).is_some_and(|c| c.added)
                && !compat::view_for_column(ctx, k, &table.key, &from.key)
            {
                out.report(op.at, op.kind.describe());
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
            "renaming-column",
            vec![
                bad(PG, "ALTER TABLE users RENAME COLUMN email_address TO email;"),
                good(PG, "ALTER TABLE users RENAME TO users_v2;\nALTER TABLE users_v2 RENAME COLUMN email_address TO email;\nCREATE VIEW users AS SELECT id, email AS email_address FROM users_v2;"),
                good(PG, "ALTER TABLE users ADD COLUMN emial text;")
                    .then("ALTER TABLE users RENAME COLUMN emial TO email;"),
                bad(MY, "ALTER TABLE users CHANGE email_address email VARCHAR(320) NOT NULL;"),
                bad(MY, "ALTER TABLE users RENAME COLUMN email_address TO email;"),
                good(MY, "ALTER TABLE users CHANGE email email VARCHAR(320) NOT NULL;"),
                bad(LITE, "ALTER TABLE users RENAME COLUMN email_address TO email;"),
                good(LITE, "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT);\nALTER TABLE users RENAME COLUMN email_address TO email;"),
            ],
        );
    }
}
