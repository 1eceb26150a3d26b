//! `prefer-repack`: `VACUUM FULL` and `CLUSTER` rewrite the table under ACCESS EXCLUSIVE.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-repack",
    summary: "VACUUM FULL or CLUSTER",
    severity: Severity::Warning,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE while the table is rewritten"),
        "reads and writes wait for the whole rewrite",
        "pg_repack, or REPACK (CONCURRENTLY) on PostgreSQL 19+; plain VACUUM needs no strong lock",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if matches!(op.kind, OpKind::Vacuum { full: true, .. } | OpKind::Cluster { .. }) {
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
            "prefer-repack",
            vec![
                bad(PG, "VACUUM FULL orders;"),
                bad(PG, "CLUSTER orders USING orders_pkey;"),
                good(PG, "VACUUM orders;"),
            ],
        );
    }
}
