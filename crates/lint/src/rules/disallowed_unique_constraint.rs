//! `disallowed-unique-constraint`: `ADD UNIQUE` builds its index under ACCESS EXCLUSIVE.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "disallowed-unique-constraint",
    summary: "ADD UNIQUE (also inline on ADD COLUMN) without USING INDEX",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE while the unique index is built"),
        "reads and writes wait for the whole index build (about 2 s per 3M rows)",
        "CREATE UNIQUE INDEX CONCURRENTLY in its own migration, then ADD CONSTRAINT ... UNIQUE USING INDEX (brief lock)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        match &op.kind {
            OpKind::AddConstraint { table, cons, .. }
                if matches!(cons.kind, ConsKind::Unique { using_index: false })
                    && ctx.busy(&table.key) =>
            {
                out.report(op.at, op.kind.describe())
            }
            OpKind::AddColumn { table, col, .. }
                if col.unique && !col.primary_key && ctx.busy(&table.key) =>
            {
                out.report(
                    col.at,
                    format!("ADD COLUMN {} UNIQUE to {}", col.name.display, table.display),
                )
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "disallowed-unique-constraint",
            vec![
                bad(PG, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"),
                bad(PG, "ALTER TABLE users ADD COLUMN handle text UNIQUE;"),
                good(PG, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_uidx;"),
                good(PG, "CREATE TABLE users (id bigint, email text);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"),
            ],
        );
    }
}
