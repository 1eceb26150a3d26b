//! `add-column-volatile-default`: `ADD COLUMN ... DEFAULT` with a default the database cannot
//! store once in the catalog. PostgreSQL 11+ stores a non-volatile default without touching
//! rows (`now()` is STABLE: no rewrite), but a volatile one (`gen_random_uuid()`,
//! `clock_timestamp()`, unknown functions) rewrites the table. MySQL rebuilds for expression
//! defaults; SQLite refuses non-constant defaults on a table with rows.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "add-column-volatile-default",
    summary: "ADD COLUMN with a volatile or expression default",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("ACCESS EXCLUSIVE while the table and its indexes are rewritten"),
            "reads and writes wait for the whole rewrite",
            "add the column without a default (or with a constant one), SET DEFAULT for new rows, then backfill existing rows in batches",
        ),
        my(
            Severity::Warning,
            Some("a table copy (no INSTANT or INPLACE algorithm for expression defaults)"),
            "writes are blocked while every row is copied",
            "add the column with a literal default or none, then backfill in batches (or use gh-ost)",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite refuses ADD COLUMN with a non-constant default on a table with rows (\"Cannot add a column with non-constant default\")",
            "add the column with a constant default (or none) and fill it with UPDATE, or rebuild the table (create, copy, drop, rename) in one transaction",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::AddColumn { table, col, .. } = &op.kind else {
            continue;
        };
        if !ctx.busy(&table.key) || col.generated_stored.is_some() {
            continue;
        }
        let Some(default) = &col.default else {
            continue;
        };
        let volatile = match ctx.dialect {
            Dialect::Postgres => types::pg_volatile(default).is_some(),
            Dialect::Mysql => types::mysql_expression_default(default),
            Dialect::Sqlite => types::sqlite_non_constant(default),
        };
        if volatile {
            out.report(
                col.at,
                format!("{} with the default {default}", op.kind.describe()),
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
            "add-column-volatile-default",
            vec![
                bad(PG, "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
                bad(PG, "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();"),
                bad(PG, "ALTER TABLE orders ADD COLUMN score int DEFAULT my_score();"),
                good(PG, "ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();"),
                good(PG, "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';"),
                good(PG, "ALTER TABLE orders ADD COLUMN tags jsonb DEFAULT '[]'::jsonb;"),
                good(PG, "CREATE TABLE orders (id bigint);\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
                bad(MY, "ALTER TABLE orders ADD COLUMN token CHAR(36) DEFAULT (UUID());"),
                good(MY, "ALTER TABLE orders ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'new';"),
                bad(LITE, "ALTER TABLE orders ADD COLUMN created_at TEXT DEFAULT (datetime('now'));"),
                bad(LITE, "ALTER TABLE orders ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;"),
                good(LITE, "ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'new';"),
            ],
        );
    }
}
