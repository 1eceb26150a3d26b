//! `require-concurrent-index-deletion`: `DROP INDEX` without `CONCURRENTLY` takes ACCESS
//! EXCLUSIVE on the table, and queues behind every reader.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-concurrent-index-deletion",
    summary: "DROP INDEX without CONCURRENTLY on a table with traffic",
    severity: Severity::Warning,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE on the table"),
        "while it waits behind running queries every new query on the table queues behind it",
        "DROP INDEX CONCURRENTLY IF EXISTS, alone in a migration (it cannot run in a transaction)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::DropIndex {
            indexes,
            concurrently: false,
            ..
        } = &op.kind
        {
            if indexes.iter().any(|i| ctx.index_busy(&i.key)) {
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
            "require-concurrent-index-deletion",
            vec![
                bad(PG, "DROP INDEX orders_user_idx;"),
                bad(PG, "DROP INDEX IF EXISTS orders_user_idx CASCADE;"),
                good(PG, "DROP INDEX CONCURRENTLY IF EXISTS orders_user_idx;"),
                good(PG, "CREATE TABLE t (id bigint);\nCREATE INDEX t_idx ON t (id);\nDROP INDEX t_idx;"),
            ],
        );
    }
}
