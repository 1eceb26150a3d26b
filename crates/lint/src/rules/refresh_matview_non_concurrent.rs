//! `refresh-matview-non-concurrent`: a plain refresh blocks every reader of the view.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "refresh-matview-non-concurrent",
    summary: "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
    severity: Severity::Warning,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE on the view for the whole refresh"),
        "every reader of the view waits until the refresh ends",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::RefreshMatView {
            view,
            concurrently: false,
        } = &op.kind
        {
            if ctx.busy_view(&view.key) {
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
            "refresh-matview-non-concurrent",
            vec![
                bad(PG, "REFRESH MATERIALIZED VIEW order_totals;"),
                good(PG, "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;"),
                good(PG, "CREATE MATERIALIZED VIEW order_totals AS SELECT 1 AS n;\nREFRESH MATERIALIZED VIEW order_totals;"),
            ],
        );
    }
}
