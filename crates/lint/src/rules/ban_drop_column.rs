//! `ban-drop-column`: the running code (and ORM column caches) still read or write the column.
//! Not reported for columns the set itself added. A view that reads the column makes the drop
//! fail without CASCADE.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-drop-column",
    summary: "DROP COLUMN",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: true,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE (brief, no rewrite)"),
            "queries of the running code that use the column fail, and so do ORMs that cached the column list",
            "stop reading and writing it first (ORM ignore list), then drop it in a contract migration; archive the values if the undo must be lossless",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock (INSTANT on 8.0.29+, otherwise an in-place rebuild)"),
            "queries of the running code that use the column fail, and so do ORMs that cached the column list",
            "stop reading and writing it first, then drop it in a contract migration",
        ),
        lite(
            Severity::Error,
            Some("the database write lock while the table is rewritten"),
            "queries of the running code that use the column fail",
            "stop reading and writing it first, then drop it in a contract migration (SQLite 3.35+)",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::DropColumn { table, col, .. } = &op.kind else {
            continue;
        };
        if !ctx.busy(&table.key)
            || ctx
                .schema
                .column(&table.key, &col.key)
                .is_some_and(|c| c.added)
        {
            continue;
        }
        let views = ctx.schema.views_using(&table.key, &col.key);
        if views.is_empty() || ctx.mysql() {
            out.report(op.at, op.kind.describe());
        } else {
            out.report(
                op.at,
                format!(
                    "{} (read by view {}, so it fails without CASCADE)",
                    op.kind.describe(),
                    views.join(", ")
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
            "ban-drop-column",
            vec![
                bad(PG, "ALTER TABLE users DROP COLUMN legacy_name;"),
                bad(PG, "ALTER TABLE users DROP COLUMN legacy_name;")
                    .after("CREATE TABLE users (id bigint, legacy_name text);\nCREATE VIEW user_names AS SELECT id, legacy_name FROM users;"),
                good(PG, "-- tidemark:allow=ban-drop-column\nALTER TABLE users DROP COLUMN legacy_name;"),
                good(PG, "ALTER TABLE users ADD COLUMN tmp text;").then("ALTER TABLE users DROP COLUMN tmp;"),
                bad(MY, "ALTER TABLE users DROP COLUMN legacy_name;"),
                good(MY, "CREATE TABLE users (id BIGINT, legacy_name TEXT);\nALTER TABLE users DROP COLUMN legacy_name;"),
                bad(LITE, "ALTER TABLE users DROP COLUMN legacy_name;"),
                good(LITE, "ALTER TABLE users ADD COLUMN legacy_name TEXT;\nALTER TABLE users DROP COLUMN legacy_name;"),
            ],
        );
    }
}
