//! `prefer-text-field`: a type choice (varchar(n) columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-text-field",
    summary: "varchar(n) columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "raising n later takes a lock on the table (and lowering it rewrites it); a limit is easier to change as a CHECK",
        "text, with CHECK (length(col) <= n) if a limit matters",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::Varchar(Some(_))));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "prefer-text-field",
            vec![
                bad(PG, "CREATE TABLE t (id bigint, name varchar(100));"),
                good(PG, "CREATE TABLE t (id bigint, name text);"),
            ],
        );
    }
}
