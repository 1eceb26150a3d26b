//! `require-concurrent-reindex`: `REINDEX` without `CONCURRENTLY` blocks writes to the table
//! and reads that would use the index while it rebuilds.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-concurrent-reindex",
    summary: "REINDEX without CONCURRENTLY",
    severity: Severity::Warning,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("SHARE on the table and ACCESS EXCLUSIVE on the index"),
        "writes wait for the whole rebuild, and so do reads that would use the index",
        "REINDEX ... CONCURRENTLY (PostgreSQL 12+), alone in a migration without a transaction",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::Reindex {
            concurrently: false,
            ..
        } = &op.kind
        {
            out.report(op.at, op.kind.describe());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "require-concurrent-reindex",
            vec![
                bad(PG, "REINDEX TABLE orders;"),
                bad(PG, "REINDEX (VERBOSE) INDEX orders_user_idx;"),
                good(PG, "REINDEX INDEX CONCURRENTLY orders_user_idx;"),
                good(PG, "REINDEX (CONCURRENTLY) TABLE orders;"),
            ],
        );
    }
}
