//! `ban-drop-table`: data loss, and the running code's queries fail. Tables the set created
//! and table swaps (the name is taken over by another table in the same migration) are fine.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-drop-table",
    summary: "DROP TABLE of a table with data",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE"),
            "its data is gone and queries of the running code fail",
            "stop using it first, check it is empty or archived, then drop it in a contract migration with an explicit allow",
        ),
        my(
            Severity::Error,
            Some("an exclusive metadata lock"),
            "its data is gone and queries of the running code fail; DDL commits at once, so there is no rollback",
            "stop using it first, check it is empty or archived, then drop it in a contract migration with an explicit allow",
        ),
        lite(
            Severity::Error,
            Some("the database write lock"),
            "its data is gone and queries of the running code fail",
            "stop using it first, check it is empty or archived, then drop it in a contract migration with an explicit allow",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for (k, op) in ctx.ops().iter().enumerate() {
        if let OpKind::Drop {
            kind: DropKind::Table,
            objects,
            cascade,
            ..
        } = &op.kind
        {
            for t in objects {
                if ctx.busy(&t.key) && !compat::renamed_into(ctx, k, &t.key) {
                    let cascade = if *cascade {
                        " CASCADE (which also drops the views and foreign keys that depend on it)"
                    } else {
                        ""
                    };
                    out.report(op.at, format!("DROP TABLE {}{cascade}", t.display));
                }
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
            "ban-drop-table",
            vec![
                bad(PG, "DROP TABLE IF EXISTS sessions CASCADE;"),
                good(PG, "CREATE TABLE scratch (id bigint);\nDROP TABLE scratch;"),
                bad(MY, "DROP TABLE sessions;"),
                good(MY, "CREATE TABLE scratch (id BIGINT);\nDROP TABLE scratch;"),
                bad(LITE, "DROP TABLE sessions;"),
                good(
                    LITE,
                    "CREATE TABLE sessions_new (id INTEGER PRIMARY KEY);\nINSERT INTO sessions_new SELECT id FROM sessions;\nDROP TABLE sessions;\nALTER TABLE sessions_new RENAME TO sessions;",
                ),
            ],
        );
    }
}
