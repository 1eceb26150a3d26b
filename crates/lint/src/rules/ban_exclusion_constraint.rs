//! `ban-exclusion-constraint`: an EXCLUDE constraint can be neither NOT VALID nor built
//! concurrently.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-exclusion-constraint",
    summary: "ADD ... EXCLUDE on a table with rows",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE while the index is built and every row checked"),
        "reads and writes wait for all of it, and there is no NOT VALID or CONCURRENTLY form",
        "build it on a new table and swap, or enforce the rule in the application",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::AddConstraint { table, cons, .. } = &op.kind {
            if matches!(cons.kind, ConsKind::Exclude) && ctx.busy(&table.key) {
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
            "ban-exclusion-constraint",
            vec![
                bad(PG, "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);"),
                good(PG, "CREATE TABLE bookings (room bigint, during tstzrange);\nALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);"),
            ],
        );
    }
}
