//! `require-concurrent-index-creation`: building an index on a table with traffic in a way
//! that blocks writes for the whole build.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-concurrent-index-creation",
    summary: "CREATE [UNIQUE] INDEX on a table with traffic that blocks writes while it builds",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("SHARE on the table for the whole build"),
            "reads go on, but every INSERT, UPDATE and DELETE waits until the index is built",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS, alone in a migration (it cannot run in a transaction), then check pg_index.indisvalid",
        ),
        my(
            Severity::Warning,
            Some("a shared metadata lock for the whole build (LOCK=SHARED or stronger)"),
            "FULLTEXT and SPATIAL indexes, ALGORITHM=COPY and LOCK=SHARED/EXCLUSIVE block writes until the index is built",
            "a plain secondary index builds online (ALGORITHM=INPLACE, LOCK=NONE, the default); build FULLTEXT/SPATIAL indexes with an online schema change tool (gh-ost) or in a quiet window",
        ),
        lite(
            Severity::Warning,
            Some("the database write lock for the whole build"),
            "every other writer waits (or fails with SQLITE_BUSY) until the index is built",
            "create indexes together with their table, or in a quiet window with busy_timeout set",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::CreateIndex {
            table,
            concurrently,
            special,
            algorithm,
            lock,
            ..
        } = &op.kind
        else {
            continue;
        };
        if !ctx.busy(&table.key) {
            continue;
        }
        let what = format!("{} on a table with traffic", op.kind.describe());
        match ctx.dialect {
            Dialect::Postgres if !concurrently => out.report(op.at, what),
            Dialect::Mysql => {
                let copy = algorithm.as_deref() == Some("COPY");
                let locking = matches!(lock.as_deref(), Some("SHARED" | "EXCLUSIVE"));
                if special.is_some() {
                    out.report(op.at, what);
                } else if copy || locking {
                    out.report(
                        op.at,
                        format!(
                            "{what} with {}",
                            if copy { "ALGORITHM=COPY" } else { "LOCK=SHARED/EXCLUSIVE" }
                        ),
                    );
                }
            }
            Dialect::Sqlite => out.report(op.at, what),
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
            "require-concurrent-index-creation",
            vec![
                bad(PG, "CREATE INDEX orders_user_idx ON orders (user_id);"),
                bad(PG, "CREATE UNIQUE INDEX users_email_key ON users (email);"),
                good(PG, "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);"),
                good(PG, "CREATE TABLE orders (id bigint, user_id bigint);\nCREATE INDEX orders_user_idx ON orders (user_id);"),
                good(PG, "CREATE TABLE orders (id bigint, user_id bigint);")
                    .then("CREATE INDEX orders_user_idx ON orders (user_id);"),
                bad(MY, "ALTER TABLE posts ADD FULLTEXT INDEX posts_body_ft (body);"),
                bad(MY, "CREATE INDEX orders_user_idx ON orders (user_id) ALGORITHM=COPY;"),
                good(MY, "CREATE INDEX orders_user_idx ON orders (user_id);"),
                good(MY, "ALTER TABLE orders ADD INDEX orders_user_idx (user_id), ALGORITHM=INPLACE, LOCK=NONE;"),
                bad(LITE, "CREATE INDEX orders_customer_idx ON orders (customer_id);"),
                good(LITE, "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER);\nCREATE INDEX orders_customer_idx ON orders (customer_id);"),
            ],
        );
    }
}
