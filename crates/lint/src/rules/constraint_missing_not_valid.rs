//! `constraint-missing-not-valid`: adding a CHECK validates every row under ACCESS EXCLUSIVE,
//! even for a column added a moment ago (squawk misses the inline `ADD COLUMN ... CHECK` form).
//! Foreign keys have their own rule.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "constraint-missing-not-valid",
    summary: "ADD CHECK (or an inline CHECK on ADD COLUMN) without NOT VALID",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE for a full table scan"),
        "reads and writes wait while every row is checked",
        "ADD CONSTRAINT ... CHECK (...) NOT VALID (brief lock), then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE EXCLUSIVE: writes go on)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        match &op.kind {
            OpKind::AddConstraint {
                table,
                cons,
                not_valid: false,
            } if matches!(cons.kind, ConsKind::Check { .. }) && ctx.busy(&table.key) => {
                out.report(op.at, op.kind.describe());
            }
            OpKind::AddColumn { table, col, .. }
                if !col.checks.is_empty() && ctx.busy(&table.key) =>
            {
                out.report(col.at, format!("{} with an inline CHECK", op.kind.describe()));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "constraint-missing-not-valid",
            vec![
                bad(PG, "ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0);"),
                bad(PG, "ALTER TABLE orders ADD COLUMN discount int CHECK (discount >= 0);"),
                good(PG, "ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT VALID;"),
                good(PG, "CREATE TABLE orders (id bigint, qty bigint);\nALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0);"),
            ],
        );
    }
}
