//! `unbatched-backfill`: an UPDATE, DELETE or INSERT ... SELECT that can touch every row of a
//! table with traffic in one statement. A statement counts as batched when its WHERE bounds a
//! key range on both sides (`id BETWEEN ...`, `id >= a AND id < b`), selects single rows
//! (`id = 42`, `IN (list)`), or it has a LIMIT (also in an `IN (SELECT ... LIMIT n)`).

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "unbatched-backfill",
    summary: "UPDATE/DELETE/INSERT ... SELECT over a whole table in one statement",
    severity: Severity::Warning,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("row locks on every row it touches, until it commits"),
            "writers to those rows wait, and the WAL burst lags replicas and bloats the table",
            "batch by key range (1k to 10k rows: WHERE id > $last ORDER BY id LIMIT n), commit each batch, throttle on replica lag; tidemark's batchSize directive runs it for you",
        ),
        my(
            Severity::Warning,
            Some("row and gap locks on every row it scans, until it commits"),
            "writers wait on the gap locks, and the binlog burst lags replicas",
            "batch by key range with LIMIT and commit each batch, throttling on replica lag",
        ),
        lite(
            Severity::Warning,
            Some("the database write lock until it commits"),
            "every other writer waits (or fails with SQLITE_BUSY) for the whole statement",
            "batch by key range and commit each batch",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::Dml {
            kind,
            table,
            scope: Scope::Whole,
            ..
        } = &op.kind
        {
            if *kind != DmlKind::Copy && ctx.busy(&table.key) {
                out.report(
                    op.at,
                    format!(
                        "{} over the whole table in one statement (no key range or LIMIT)",
                        op.kind.describe()
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
            "unbatched-backfill",
            vec![
                bad(PG, "UPDATE users SET plan = 'free' WHERE plan IS NULL;"),
                bad(PG, "DELETE FROM sessions;"),
                bad(PG, "INSERT INTO user_emails (user_id, email) SELECT id, email FROM users;")
                    .after("CREATE TABLE user_emails (user_id bigint, email text);"),
                good(PG, "UPDATE users SET plan = 'free' WHERE id >= 1 AND id < 10001 AND plan IS NULL;"),
                good(PG, "UPDATE users SET plan = 'free' WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 1000);"),
                good(PG, "UPDATE settings SET value = 'on' WHERE key = 'beta';"),
                good(PG, "CREATE TABLE plans (id bigint, name text);\nUPDATE plans SET name = lower(name);"),
                bad(MY, "UPDATE users SET plan = 'free';"),
                good(MY, "UPDATE users SET plan = 'free' WHERE plan IS NULL ORDER BY id LIMIT 1000;"),
                bad(LITE, "DELETE FROM sessions WHERE expires_at < datetime('now');"),
                good(LITE, "DELETE FROM sessions WHERE id BETWEEN 1 AND 5000;"),
            ],
        );
    }
}
