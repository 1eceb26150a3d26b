//! `prefer-identity`: a type choice (serial, bigserial or smallserial columns). Not a lock: a policy that avoids a locked change or
//! a surprise later.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-identity",
    summary: "serial, bigserial or smallserial columns",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "serial hides a separately owned sequence with its own permissions and dump quirks",
        "bigint GENERATED ALWAYS AS IDENTITY",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    style(ctx, out, |t| matches!(t, Ty::Serial | Ty::BigSerial | Ty::SmallSerial));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "prefer-identity",
            vec![
                bad(PG, "CREATE TABLE t (id bigserial PRIMARY KEY);"),
                good(PG, "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"),
            ],
        );
    }
}
