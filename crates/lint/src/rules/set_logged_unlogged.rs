//! `set-logged-unlogged`: switching a table between logged and unlogged rewrites it.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "set-logged-unlogged",
    summary: "ALTER TABLE ... SET LOGGED / SET UNLOGGED on a table with rows",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE while the table is rewritten"),
        "reads and writes wait for the whole rewrite (and SET LOGGED writes the whole table to WAL)",
        "avoid on live tables: create the table with the persistence it needs",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::SetLogged { table, .. } = &op.kind {
            if ctx.busy(&table.key) {
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
            "set-logged-unlogged",
            vec![
                bad(PG, "ALTER TABLE events SET UNLOGGED;"),
                bad(PG, "ALTER TABLE events SET LOGGED;"),
                good(PG, "CREATE TABLE events (id bigint);\nALTER TABLE events SET UNLOGGED;"),
            ],
        );
    }
}
