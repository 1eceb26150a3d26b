//! `ban-alter-domain-with-add-constraint`: adding a constraint to a domain checks every column
//! of every table that uses it.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-alter-domain-with-add-constraint",
    summary: "ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("SHARE on every table using the domain"),
        "writes to all those tables wait while each of them is scanned",
        "ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT later; or CHECKs on the columns",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::AlterDomainAddConstraint {
            not_valid: false, ..
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
            "ban-alter-domain-with-add-constraint",
            vec![
                bad(PG, "ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0);"),
                good(PG, "ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;"),
            ],
        );
    }
}
