//! `drop-default-on-not-null`: dropping the default of a NOT NULL column makes every INSERT
//! that omits the column fail, and the running code's INSERTs do omit it when they predate it.
//! Only columns the set knows to be NOT NULL are reported.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "drop-default-on-not-null",
    summary: "ALTER COLUMN ... DROP DEFAULT on a NOT NULL column",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: true,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE (brief)"),
            "INSERTs of the running code that omit the column fail with a not-null violation",
            "drop the default in a contract migration, after every writer sets the column",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock (brief, INSTANT)"),
            "in strict mode INSERTs of the running code that omit the column fail",
            "drop the default in a contract migration, after every writer sets the column",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::DropDefault { table, col } = &op.kind {
            let not_null = ctx
                .schema
                .column(&table.key, &col.key)
                .is_some_and(|c| c.not_null);
            if not_null && ctx.busy(&table.key) {
                out.report(op.at, format!("{} (the column is NOT NULL)", op.kind.describe()));
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
            "drop-default-on-not-null",
            vec![
                bad(PG, "ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;")
                    .after("CREATE TABLE users (id bigint, plan text NOT NULL DEFAULT 'free');"),
                good(PG, "ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;")
                    .after("CREATE TABLE users (id bigint, plan text DEFAULT 'free');"),
                good(PG, "-- tidemark:allow=drop-default-on-not-null\nALTER TABLE users ALTER COLUMN plan DROP DEFAULT;")
                    .after("CREATE TABLE users (id bigint, plan text NOT NULL DEFAULT 'free');"),
                bad(MY, "ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;")
                    .after("CREATE TABLE users (id BIGINT, plan VARCHAR(20) NOT NULL DEFAULT 'free');"),
                good(MY, "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'basic';")
                    .after("CREATE TABLE users (id BIGINT, plan VARCHAR(20) NOT NULL DEFAULT 'free');"),
            ],
        );
    }
}
