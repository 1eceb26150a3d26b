//! `adding-required-field`: a NOT NULL column without a default on a table with rows and
//! running code that does not know the column.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "adding-required-field",
    summary: "ADD COLUMN ... NOT NULL without a default",
    severity: Severity::Error,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE"),
            "it fails with 23502 when the table has rows, and the running code's INSERTs, which omit the column, fail afterwards",
            "add it nullable, or NOT NULL with a constant DEFAULT (PostgreSQL 11+: no rewrite); tighten with a validated CHECK later",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock"),
            "existing rows silently get 0 or '' and, in strict mode, the running code's INSERTs that omit the column fail",
            "add it NULL, or NOT NULL with an explicit DEFAULT",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite refuses it on a table with rows (\"Cannot add a NOT NULL column with default value NULL\"), and the running code's INSERTs would fail",
            "add it with a non-NULL DEFAULT, or nullable",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::AddColumn { table, col, .. } = &op.kind else {
            continue;
        };
        let has_value = col.default.is_some()
            || col.identity
            || col.auto_increment
            || col.generated_stored.is_some()
            || matches!(
                types::ty(&col.ty),
                Ty::Serial | Ty::BigSerial | Ty::SmallSerial
            );
        if col.not_null && !has_value && ctx.busy(&table.key) {
            out.report(
                col.at,
                format!(
                    "ADD COLUMN {} NOT NULL without a default to {}",
                    col.name.display, table.display
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "adding-required-field",
            vec![
                bad(PG, "ALTER TABLE users ADD COLUMN plan text NOT NULL;"),
                good(PG, "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';"),
                good(PG, "ALTER TABLE users ADD COLUMN plan text;"),
                good(PG, "CREATE TABLE users (id bigint);\nALTER TABLE users ADD COLUMN plan text NOT NULL;"),
                bad(MY, "ALTER TABLE users ADD COLUMN plan VARCHAR(20) NOT NULL;"),
                good(MY, "ALTER TABLE users ADD COLUMN plan VARCHAR(20) NOT NULL DEFAULT 'free';"),
                bad(LITE, "ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;"),
                good(LITE, "ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';"),
            ],
        );
    }
}
