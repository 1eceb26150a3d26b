//! `ban-drop-database`: nothing in a migration should drop a database.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-drop-database",
    summary: "DROP DATABASE",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Error,
            None,
            "every table and row in it is gone",
            "drop databases by hand, outside migrations",
        ),
        my(
            Severity::Error,
            None,
            "every table and row in it is gone",
            "drop databases by hand, outside migrations",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::Drop {
            kind: DropKind::Database,
            ..
        } = &op.kind
        {
            out.report(op.at, op.kind.describe());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "ban-drop-database",
            vec![
                bad(PG, "DROP DATABASE shop;"),
                good(PG, "DROP SCHEMA IF EXISTS scratch;"),
                bad(MY, "DROP DATABASE IF EXISTS shop;"),
                good(MY, "CREATE DATABASE IF NOT EXISTS shop;"),
            ],
        );
    }
}
