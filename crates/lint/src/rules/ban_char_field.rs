//! `ban-char-field`: a type choice (char(n) / character columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-char-field",
    summary: "char(n) / character columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "values are blank-padded to n, which surprises comparisons, and n is hard to change later",
        "text (with a CHECK on the length if needed)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::Char(_)));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "ban-char-field",
            vec![
                bad(PG, "CREATE TABLE t (id bigint, code char(3));"),
                good(PG, "CREATE TABLE t (id bigint, code text);"),
            ],
        );
    }
}
