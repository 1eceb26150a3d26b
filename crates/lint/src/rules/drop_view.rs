//! `drop-view`: the running code may read the view. A `DROP VIEW` followed by a `CREATE VIEW`
//! of the same name in the same migration is a replacement, not a removal.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "drop-view",
    summary: "DROP VIEW / DROP MATERIALIZED VIEW not recreated in the same migration",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: true,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE on the view"),
            "queries of the running code that read the view fail",
            "drop it in a contract migration, after the code stops reading it; to change it, CREATE OR REPLACE VIEW or drop and create it in one migration",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock"),
            "queries of the running code that read the view fail",
            "drop it in a contract migration, after the code stops reading it; to change it, CREATE OR REPLACE VIEW",
        ),
        lite(
            Severity::Error,
            None,
            "queries of the running code that read the view fail",
            "drop it in a contract migration, after the code stops reading it; to change it, drop and create it in one migration",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for (k, op) in ctx.ops().iter().enumerate() {
        if let OpKind::Drop {
            kind: kind @ (DropKind::View | DropKind::MaterializedView),
            objects,
            ..
        } = &op.kind
        {
            for v in objects {
                if ctx.busy_view(&v.key) && !compat::view_recreated(ctx, k, &v.key) {
                    let what = if *kind == DropKind::View { "VIEW" } else { "MATERIALIZED VIEW" };
                    out.report(op.at, format!("DROP {what} {}", v.display));
                }
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
            "drop-view",
            vec![
                bad(PG, "DROP VIEW order_totals;"),
                bad(PG, "DROP MATERIALIZED VIEW IF EXISTS order_stats;"),
                good(PG, "DROP VIEW IF EXISTS order_totals;\nCREATE VIEW order_totals AS SELECT id FROM orders;"),
                bad(MY, "DROP VIEW order_totals;"),
                good(MY, "CREATE OR REPLACE VIEW order_totals AS SELECT id FROM orders;"),
                bad(LITE, "DROP VIEW IF EXISTS order_totals;"),
                good(LITE, "DROP VIEW IF EXISTS order_totals;\nCREATE VIEW order_totals AS SELECT id FROM orders;"),
            ],
        );
    }
}
