//! `prefer-robust-stmts`: outside a transaction a migration that fails half-way leaves the
//! first half applied; re-running it then fails on what already exists. PostgreSQL migrations
//! run without a transaction when they hold a CONCURRENTLY step or say
//! `executeInTransaction=false`; MySQL DDL always commits at once.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "prefer-robust-stmts",
    summary: "a step without IF [NOT] EXISTS in a migration that runs without a transaction",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Info,
            None,
            "this migration runs without a transaction, so a re-run after a partial failure stops on what the first run created",
            "IF NOT EXISTS / IF EXISTS on each step (and for CREATE INDEX CONCURRENTLY, drop an invalid index before retrying)",
        ),
        my(
            Severity::Info,
            None,
            "MySQL commits each DDL statement at once, so a re-run after a partial failure stops on what the first run created",
            "IF NOT EXISTS / IF EXISTS where MySQL has them (CREATE TABLE, DROP TABLE, CREATE OR REPLACE VIEW), or one DDL statement per migration",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    let applies = match ctx.dialect {
        Dialect::Postgres => !ctx.file.wrapped,
        Dialect::Mysql => {
            ctx.file
                .stmts
                .iter()
                .filter(|s| !s.ops.iter().all(|o| matches!(o.kind, OpKind::Set { .. })))
                .count()
                > 1
        }
        Dialect::Sqlite => false,
    };
    if !applies {
        return;
    }
    for op in ctx.ops() {
        let fragile = match (&op.kind, ctx.dialect) {
            (OpKind::CreateTable { if_not_exists, .. }, _) => !if_not_exists,
            (
                OpKind::Drop {
                    kind: DropKind::Table | DropKind::View | DropKind::MaterializedView,
                    if_exists,
                    ..
                },
                _,
            ) => !if_exists,
            (
                OpKind::CreateView {
                    or_replace,
                    if_not_exists,
                    ..
                },
                _,
            ) => !or_replace && !if_not_exists,
            (OpKind::CreateIndex { if_not_exists, .. }, Dialect::Postgres) => !if_not_exists,
            (OpKind::DropIndex { if_exists, .. }, Dialect::Postgres) => !if_exists,
            (OpKind::AddColumn { if_not_exists, .. }, Dialect::Postgres) => !if_not_exists,
            (OpKind::DropColumn { if_exists, .. }, Dialect::Postgres) => !if_exists,
            (OpKind::Create { if_not_exists, what }, Dialect::Postgres) => {
                !if_not_exists && !matches!(*what, "ROLE" | "POLICY")
            }
            _ => false,
        };
        if fragile {
            out.report(op.at, format!("{} has no IF [NOT] EXISTS", op.kind.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "prefer-robust-stmts",
            vec![
                bad(PG, "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"),
                bad(PG, "-- tidemark:executeInTransaction=false\nALTER TABLE orders ADD COLUMN note text;"),
                good(PG, "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);"),
                good(PG, "CREATE TABLE notes (id bigint);\nALTER TABLE orders ADD COLUMN note text;"),
                bad(MY, "CREATE TABLE notes (id BIGINT);\nDROP TABLE old_notes;"),
                good(MY, "CREATE TABLE IF NOT EXISTS notes (id BIGINT);\nDROP TABLE IF EXISTS old_notes;"),
                good(MY, "CREATE TABLE notes (id BIGINT);"),
                good(MY, "SET SESSION lock_wait_timeout = 5;\nCREATE TABLE notes (id BIGINT);"),
            ],
        );
    }
}
