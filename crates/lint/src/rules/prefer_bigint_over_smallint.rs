//! `prefer-bigint-over-smallint`: a type choice (smallint or smallserial columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-bigint-over-smallint",
    summary: "smallint or smallserial columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(Severity::Info, None, "a 16-bit value overflows at 32767, and widening it later rewrites the table", "bigint (or integer when the range is certain)"),
        my(Severity::Info, None, "a 16-bit value overflows at 32767 (TINYINT at 127), and widening it later copies the table", "bigint (or integer when the range is certain)"),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::SmallInt | Ty::SmallSerial));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "prefer-bigint-over-smallint",
            vec![
                bad(PG, "CREATE TABLE t (id bigint, rank smallint);"),
                good(PG, "CREATE TABLE t (id bigint, rank bigint);"),
                bad(MY, "ALTER TABLE t ADD COLUMN rank SMALLINT;"),
                good(MY, "ALTER TABLE t ADD COLUMN rank BIGINT;"),
            ],
        );
    }
}
