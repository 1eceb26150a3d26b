//! `prefer-timestamptz`: a type choice (timestamp without time zone columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-timestamptz",
    summary: "timestamp without time zone columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "values carry no zone and change meaning with the session TimeZone",
        "timestamptz (timestamp with time zone)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::Timestamp));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "prefer-timestamptz",
            vec![
                bad(PG, "CREATE TABLE t (id bigint, created_at timestamp);"),
                good(PG, "CREATE TABLE t (id bigint, created_at timestamptz);"),
            ],
        );
    }
}
