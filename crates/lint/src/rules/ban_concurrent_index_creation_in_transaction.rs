//! `ban-concurrent-index-creation-in-transaction`: `CONCURRENTLY` statements cannot run in a
//! transaction block. tidemark runs a migration holding one without a transaction, unless the
//! file opens one itself, says `executeInTransaction=true`, or mixes it with other statements
//! (refused unless `mixed=true`, exactly as Flyway does).

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-concurrent-index-creation-in-transaction",
    summary: "CREATE/DROP INDEX CONCURRENTLY (or another CONCURRENTLY step) inside a transaction or mixed with other statements",
    severity: Severity::Error,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Error,
        None,
        "PostgreSQL refuses CONCURRENTLY inside a transaction block (25001), so the migration fails",
        "put the CONCURRENTLY statement in a migration of its own, without BEGIN and without executeInTransaction=true",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    let stmt = ctx.stmt();
    for op in ctx.ops() {
        let concurrent = match &op.kind {
            OpKind::CreateIndex { concurrently, .. }
            | OpKind::DropIndex { concurrently, .. }
            | OpKind::Reindex { concurrently, .. }
            | OpKind::DetachPartition { concurrently, .. } => *concurrently,
            _ => false,
        };
        if !concurrent {
            continue;
        }
        let what = op.kind.describe();
        let label = if what.contains("CONCURRENTLY") {
            what
        } else {
            format!("{what} CONCURRENTLY")
        };
        if stmt.tx.is_some() {
            let why = if ctx.file.explicit_tx == Some(true) {
                "the migration says executeInTransaction=true"
            } else if ctx.file.wrapped {
                "the runner wraps this migration in a transaction"
            } else {
                "it is inside BEGIN ... COMMIT"
            };
            out.report(op.at, format!("{label} runs inside a transaction ({why})"));
        } else if ctx.file.explicit_tx.is_none() {
            let others = ctx
                .file
                .stmts
                .iter()
                .filter(|s| !s.non_transactional)
                .count();
            if others > 0 && stmt.non_transactional {
                out.report(
                    op.at,
                    format!(
                        "{label} shares its migration with {others} transactional statement{} (migrate refuses the mix unless mixed=true, and then runs none of them in a transaction)",
                        if others == 1 { "" } else { "s" }
                    ),
                );
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
            "ban-concurrent-index-creation-in-transaction",
            vec![
                bad(PG, "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;"),
                bad(PG, "-- tidemark:executeInTransaction=true\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"),
                bad(PG, "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"),
                bad(PG, "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;"),
                good(PG, "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);"),
                good(PG, "DROP INDEX CONCURRENTLY IF EXISTS orders_old_idx;"),
                good(PG, "-- tidemark:executeInTransaction=false\nSET statement_timeout = '1h';\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"),
            ],
        );
    }
}
