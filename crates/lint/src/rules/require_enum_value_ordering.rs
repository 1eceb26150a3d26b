//! `require-enum-value-ordering`: a new enum value goes last unless placed; enum comparison
//! (`ORDER BY status`, `status < 'shipped'`) follows that order.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-enum-value-ordering",
    summary: "ALTER TYPE ... ADD VALUE without BEFORE/AFTER",
    severity: Severity::Info,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "the value sorts after every existing one, which changes ORDER BY and comparisons if it belongs elsewhere",
        "say where it goes: ADD VALUE 'x' BEFORE 'y' or AFTER 'y'",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::AddEnumValue {
            positioned: false, ..
        } = &op.kind
        {
            out.report(op.at, format!("{} without BEFORE or AFTER", op.kind.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "require-enum-value-ordering",
            vec![
                bad(PG, "ALTER TYPE order_status ADD VALUE 'refunded';"),
                good(PG, "ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';"),
            ],
        );
    }
}
