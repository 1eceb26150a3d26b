//! `ban-create-domain-with-constraint`: a domain with a CHECK makes every later change to that
//! check revalidate every column using the domain, under SHARE locks on all their tables.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-create-domain-with-constraint",
    summary: "CREATE DOMAIN ... CHECK",
    severity: Severity::Info,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "changing the check later revalidates every column that uses the domain, locking all their tables",
        "put the CHECK on the columns instead (NOT VALID, then VALIDATE)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::CreateDomain { has_check: true } = op.kind {
            out.report(op.at, "CREATE DOMAIN with a CHECK constraint");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "ban-create-domain-with-constraint",
            vec![
                bad(PG, "CREATE DOMAIN positive_int AS bigint CHECK (VALUE > 0);"),
                good(PG, "CREATE DOMAIN email AS text;"),
            ],
        );
    }
}
