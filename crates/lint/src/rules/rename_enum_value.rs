//! `rename-enum-value`: the running code keeps writing the old label.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "rename-enum-value",
    summary: "ALTER TYPE ... RENAME VALUE",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: true,
    dialects: &[pg(
        Severity::Error,
        Some("ExclusiveLock on the type (brief)"),
        "the running code still writes and compares the old label, which no longer exists",
        "add the new value, handle both in the code, backfill, stop using the old one; rename only in contract",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if matches!(op.kind, OpKind::RenameEnumValue { .. }) {
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
            "rename-enum-value",
            vec![
                bad(PG, "ALTER TYPE order_status RENAME VALUE 'shipped' TO 'sent';"),
                good(PG, "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'sent' AFTER 'shipped';"),
            ],
        );
    }
}
