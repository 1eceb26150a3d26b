//! `changing-column-type`: a column type change that is not binary-coercible rewrites the table
//! and its indexes; varchar widening, varchar to text and numeric precision increases do not
//! (and timestamp to timestamptz does not with a UTC session), so those are expand steps and are
//! not reported. A view reading the column makes PostgreSQL refuse the change outright.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "changing-column-type",
    summary: "ALTER COLUMN TYPE / MODIFY that is not a binary-coercible widening",
    severity: Severity::Warning,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("ACCESS EXCLUSIVE while the table and its indexes are rewritten"),
            "reads and writes wait for the whole rewrite, and clients with typed expectations may break",
            "add a new column, dual-write with a trigger, backfill in batches, swap names in a contract migration",
        ),
        my(
            Severity::Warning,
            Some("a table copy (ALGORITHM=COPY) with DML blocked"),
            "writes are blocked while every row is copied; only VARCHAR growth within the same length-byte class is in place",
            "new column + dual write + batched backfill, or an online schema change tool (gh-ost)",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite has no ALTER COLUMN TYPE: the statement fails",
            "usually unnecessary (type affinity); otherwise rebuild the table (create, copy, drop, rename) in one transaction",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let (table, col, to) = match &op.kind {
            OpKind::ChangeType { table, col, ty } => (table, &col.key, types::ty(ty)),
            OpKind::ModifyColumn { table, col } if ctx.mysql() => {
                (table, &col.name.key, types::ty(&col.ty))
            }
            _ => continue,
        };
        if ctx.sqlite() {
            out.report(op.at, op.kind.describe());
            continue;
        }
        if !ctx.busy(&table.key) {
            continue;
        }
        let from = ctx.schema.column(&table.key, col).map(|c| c.ty.clone());
        match type_change_is_free(ctx, &table.key, col, &to) {
            Some(true) => continue,
            // MODIFY restates the whole column: without knowing the old type, it may not
            // change the type at all.
            None if ctx.mysql() => continue,
            _ => {}
        }
        let from_text = match &from {
            Some(t) => format!("from {t}"),
            None => "previous type unknown to this migration set".into(),
        };
        let views = ctx.schema.views_using(&table.key, col);
        if ctx.pg() && !views.is_empty() {
            out.report_as(
                op.at,
                format!(
                    "{} ({from_text}) is refused by PostgreSQL because view{} {} read{} the column (\"cannot alter type of a column used by a view or rule\"); it also",
                    op.kind.describe(),
                    if views.len() == 1 { "" } else { "s" },
                    views.join(", "),
                    if views.len() == 1 { "s" } else { "" },
                ),
                Severity::Error,
            );
        } else {
            out.report(op.at, format!("{} ({from_text})", op.kind.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "changing-column-type",
            vec![
                bad(PG, "ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;")
                    .after("CREATE TABLE orders (id bigint, quantity integer);"),
                bad(PG, "ALTER TABLE orders ALTER COLUMN note TYPE varchar(10);"),
                bad(PG, "ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;")
                    .after("CREATE TABLE orders (id bigint, quantity integer);\nCREATE VIEW order_sizes AS SELECT id, quantity FROM orders;"),
                good(PG, "ALTER TABLE users ALTER COLUMN email TYPE varchar(320);")
                    .after("CREATE TABLE users (id bigint, email varchar(100));"),
                good(PG, "ALTER TABLE users ALTER COLUMN email TYPE text;")
                    .after("CREATE TABLE users (id bigint, email varchar(100));"),
                good(PG, "ALTER TABLE prices ALTER COLUMN amount TYPE numeric(12,2);")
                    .after("CREATE TABLE prices (id bigint, amount numeric(8,2));"),
                good(PG, "SET TIME ZONE 'UTC';\nALTER TABLE events ALTER COLUMN at TYPE timestamptz;")
                    .after("CREATE TABLE events (id bigint, at timestamp);"),
                bad(MY, "ALTER TABLE users MODIFY email VARCHAR(320) NOT NULL;")
                    .after("CREATE TABLE users (id BIGINT, email VARCHAR(50) NOT NULL);"),
                bad(MY, "ALTER TABLE users MODIFY age BIGINT;")
                    .after("CREATE TABLE users (id BIGINT, age INT);"),
                good(MY, "ALTER TABLE users MODIFY email VARCHAR(60) NOT NULL;")
                    .after("CREATE TABLE users (id BIGINT, email VARCHAR(50) NOT NULL);"),
                bad(LITE, "ALTER TABLE users ALTER COLUMN age TYPE TEXT;"),
                good(LITE, "ALTER TABLE users ADD COLUMN age_text TEXT;"),
            ],
        );
    }
}
