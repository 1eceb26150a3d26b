//! `require-concurrent-partition-detach`: `DETACH PARTITION` without `CONCURRENTLY` locks the
//! parent and the partition.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-concurrent-partition-detach",
    summary: "ALTER TABLE ... DETACH PARTITION without CONCURRENTLY",
    severity: Severity::Warning,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE on the parent table and the partition"),
        "every query on the whole partitioned table waits, and queues behind the detach while it waits",
        "DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), alone in a migration without a transaction",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::DetachPartition {
            table,
            concurrently: false,
        } = &op.kind
        {
            if ctx.busy(&table.key) {
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
            "require-concurrent-partition-detach",
            vec![
                bad(PG, "ALTER TABLE events DETACH PARTITION events_2020;"),
                good(PG, "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;"),
            ],
        );
    }
}
