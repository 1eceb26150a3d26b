//! `add-column-json`: a type choice (json (not jsonb) columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "add-column-json",
    summary: "json (not jsonb) columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "json has no equality operator (DISTINCT, GROUP BY and UNION fail on it) and is re-parsed on every access",
        "jsonb",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::Json));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "add-column-json",
            vec![
                bad(PG, "ALTER TABLE t ADD COLUMN payload json;"),
                good(PG, "ALTER TABLE t ADD COLUMN payload jsonb;"),
            ],
        );
    }
}
