//! `prefer-bigint-over-int`: a type choice (int, integer or serial columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-bigint-over-int",
    summary: "int, integer or serial columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(Severity::Info, None, "a 32-bit key or counter overflows at 2.1 billion, and widening it later rewrites the table", "bigint (bigint GENERATED ... AS IDENTITY for keys)"),
        my(Severity::Info, None, "a 32-bit key or counter overflows at 2.1 billion, and widening it later copies the table", "BIGINT (BIGINT UNSIGNED AUTO_INCREMENT for keys)"),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::Int | Ty::Serial));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "prefer-bigint-over-int",
            vec![
                bad(PG, "CREATE TABLE t (id int, n integer);"),
                good(PG, "CREATE TABLE t (id bigint, n bigint);"),
                bad(MY, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY);"),
                good(MY, "CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY);"),
            ],
        );
    }
}
