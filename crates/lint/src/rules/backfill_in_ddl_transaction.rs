//! `backfill-in-ddl-transaction`: DML over many rows in the same transaction as DDL that took
//! a strong lock: the lock is held for the whole DML, so the table is blocked for all of it.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "backfill-in-ddl-transaction",
    summary: "a backfill (UPDATE/DELETE/INSERT ... SELECT) in the same transaction as DDL",
    severity: Severity::Warning,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        None,
        "the strong lock the DDL took is held until the backfill commits, so reads or writes wait for the whole backfill",
        "move the backfill into a migration of its own (phase backfill), outside the DDL transaction, in batches",
    )],
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        let (Some(tx), Some(scope)) = (stmt.tx, f.facts[i].dml) else {
            continue;
        };
        if scope == Scope::Targeted {
            continue;
        }
        let ddl = f
            .file
            .stmts
            .iter()
            .enumerate()
            .filter(|(j, s)| *j != i && s.tx == Some(tx))
            .find_map(|(j, s)| f.facts[j].strong.first().map(|l| (s.line, l.clone())));
        if let Some((line, (_, table, lock))) = ddl {
            let op = stmt.ops.iter().find(|o| matches!(o.kind, OpKind::Dml { .. }));
            let at = op.map(|o| o.at).unwrap_or(stmt.offset);
            let what = op
                .map(|o| o.kind.describe())
                .unwrap_or_else(|| "DML".into());
            out.report_stmt(
                i,
                at,
                format!("{what} runs in the same transaction as line {line}, which takes {lock} on {table}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "backfill-in-ddl-transaction",
            vec![
                bad(PG, "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE plan IS NULL;"),
                bad(PG, "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 10000;"),
                good(PG, "ALTER TABLE users ADD COLUMN plan text;")
                    .then("UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 10000;"),
                good(PG, "ALTER TABLE settings ADD COLUMN beta boolean;\nUPDATE settings SET beta = true WHERE key = 'x';"),
            ],
        );
    }
}
