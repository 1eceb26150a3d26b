//! `ban-drop-not-null`: dropping NOT NULL is an expand step (the first step of dropping a
//! column), but readers of the running code may assume the value is always there.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-drop-not-null",
    summary: "ALTER COLUMN ... DROP NOT NULL",
    severity: Severity::Info,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        Some("ACCESS EXCLUSIVE (brief, catalog only)"),
        "readers of the running code may not expect NULLs once new code writes them",
        "fine in expand once every reader tolerates NULL; keep lock_timeout short",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::DropNotNull { table, .. } = &op.kind {
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
            "ban-drop-not-null",
            vec![
                bad(PG, "ALTER TABLE users ALTER COLUMN legacy_name DROP NOT NULL;"),
                good(PG, "CREATE TABLE users (id bigint, legacy_name text NOT NULL);\nALTER TABLE users ALTER COLUMN legacy_name DROP NOT NULL;"),
            ],
        );
    }
}
