//! `add-column-stored-generated`: a STORED generated column is computed for every existing
//! row when it is added.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "add-column-stored-generated",
    summary: "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("ACCESS EXCLUSIVE while the table is rewritten"),
            "reads and writes wait while the value is computed and stored for every row",
            "add a plain column, keep it filled with a trigger, backfill in batches",
        ),
        my(
            Severity::Warning,
            Some("a table copy (ALGORITHM=COPY)"),
            "writes are blocked while every row is copied with the new value",
            "add a VIRTUAL generated column (INSTANT/INPLACE), or a plain column filled by the application and a batched backfill",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite refuses to add a STORED column with ALTER TABLE (\"cannot add a STORED column\")",
            "add a VIRTUAL generated column, or rebuild the table (create, copy, drop, rename) in one transaction",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::AddColumn { table, col, .. } = &op.kind else {
            continue;
        };
        if col.generated_stored == Some(true) && (ctx.sqlite() || ctx.busy(&table.key)) {
            out.report(col.at, format!("{} as a STORED generated column", op.kind.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "add-column-stored-generated",
            vec![
                bad(PG, "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (qty * unit_cents) STORED;"),
                good(PG, "ALTER TABLE orders ADD COLUMN total_cents bigint;"),
                good(PG, "CREATE TABLE orders (qty bigint, unit_cents bigint);\nALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (qty * unit_cents) STORED;"),
                bad(MY, "ALTER TABLE orders ADD COLUMN total_cents BIGINT AS (qty * unit_cents) STORED;"),
                good(MY, "ALTER TABLE orders ADD COLUMN total_cents BIGINT AS (qty * unit_cents) VIRTUAL;"),
                bad(LITE, "ALTER TABLE orders ADD COLUMN total_cents INTEGER GENERATED ALWAYS AS (qty * unit_cents) STORED;"),
                good(LITE, "ALTER TABLE orders ADD COLUMN total_cents INTEGER GENERATED ALWAYS AS (qty * unit_cents) VIRTUAL;"),
            ],
        );
    }
}
