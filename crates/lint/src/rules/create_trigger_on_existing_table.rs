//! `create-trigger-on-existing-table`: creating a trigger briefly blocks writes. It is how
//! dual writes are installed, so it is a note, not a warning.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "create-trigger-on-existing-table",
    summary: "CREATE TRIGGER on a table with traffic",
    severity: Severity::Info,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        Some("SHARE ROW EXCLUSIVE (brief)"),
        "writes wait while it is created, and queue behind it while it waits for running transactions",
        "fine with a short lock_timeout and retries (tidemark's default); keep the trigger function idempotent",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::CreateTrigger { table, .. } = &op.kind {
            if ctx.busy(&table.key) && !ctx.schema.views.contains_key(&table.key) {
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
            "create-trigger-on-existing-table",
            vec![
                bad(PG, "CREATE TRIGGER users_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_sync();"),
                good(PG, "CREATE TABLE audit (id bigint);\nCREATE TRIGGER audit_stamp BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION stamp();"),
            ],
        );
    }
}
