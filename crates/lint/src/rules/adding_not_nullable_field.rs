//! `adding-not-nullable-field`: making an existing column NOT NULL. PostgreSQL scans the whole
//! table under ACCESS EXCLUSIVE unless a *validated* `CHECK (col IS NOT NULL)` already proves it
//! (a NOT VALID check does not count); the check may have been validated in an earlier file of
//! the set. MySQL rebuilds the table; SQLite cannot do it with ALTER at all.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "adding-not-nullable-field",
    summary: "SET NOT NULL on an existing column without a validated CHECK (col IS NOT NULL)",
    severity: Severity::Warning,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("ACCESS EXCLUSIVE for a full table scan"),
            "reads and writes wait while every row is checked (and it fails if a NULL is found)",
            "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL (no scan) and drop the check",
        ),
        my(
            Severity::Warning,
            Some("an in-place table rebuild"),
            "every row is rewritten, and the statement fails if a NULL is found",
            "backfill NULLs in batches first and run the MODIFY with an online schema change tool (gh-ost) on large tables",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite has no ALTER COLUMN: the statement fails",
            "rebuild the table (create with NOT NULL, copy, drop, rename) in one transaction",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        match &op.kind {
            OpKind::SetNotNull { table, col } => {
                let report = match ctx.dialect {
                    Dialect::Sqlite => true,
                    _ => {
                        ctx.busy(&table.key)
                            && !ctx.schema.validated_not_null_check(&table.key, &col.key)
                    }
                };
                if report {
                    out.report(op.at, op.kind.describe());
                }
            }
            OpKind::ModifyColumn { table, col } if ctx.mysql() => {
                let was_nullable = ctx
                    .schema
                    .column(&table.key, &col.name.key)
                    .is_some_and(|c| !c.not_null);
                if col.not_null && was_nullable && ctx.busy(&table.key) {
                    out.report(
                        op.at,
                        format!("{} NOT NULL (the column was nullable)", op.kind.describe()),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "adding-not-nullable-field",
            vec![
                bad(PG, "ALTER TABLE users ALTER COLUMN plan SET NOT NULL;"),
                bad(PG, "ALTER TABLE users ADD CONSTRAINT users_plan_nn CHECK (plan IS NOT NULL) NOT VALID;")
                    .then("ALTER TABLE users ALTER COLUMN plan SET NOT NULL;"),
                good(PG, "ALTER TABLE users ADD CONSTRAINT users_plan_nn CHECK (plan IS NOT NULL) NOT VALID;")
                    .then("ALTER TABLE users VALIDATE CONSTRAINT users_plan_nn;")
                    .then("ALTER TABLE users ALTER COLUMN plan SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_plan_nn;"),
                good(PG, "CREATE TABLE users (id bigint, plan text);\nALTER TABLE users ALTER COLUMN plan SET NOT NULL;"),
                bad(MY, "ALTER TABLE users MODIFY plan VARCHAR(20) NOT NULL;")
                    .after("CREATE TABLE users (id BIGINT, plan VARCHAR(20) NULL);"),
                good(MY, "ALTER TABLE users MODIFY plan VARCHAR(20) NOT NULL;")
                    .after("CREATE TABLE users (id BIGINT, plan VARCHAR(20) NOT NULL);"),
                bad(LITE, "ALTER TABLE users ALTER COLUMN plan SET NOT NULL;"),
                good(
                    LITE,
                    "CREATE TABLE users_new (id INTEGER PRIMARY KEY, plan TEXT NOT NULL);\nINSERT INTO users_new SELECT id, plan FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
                ),
            ],
        );
    }
}
