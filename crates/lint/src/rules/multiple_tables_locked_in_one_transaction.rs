//! `multiple-tables-locked-in-one-transaction`: a transaction that takes strong locks on
//! several busy tables holds the first while it waits for the next, so queues pile up on all of
//! them (and deadlocks become possible).

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "multiple-tables-locked-in-one-transaction",
    summary: "strong locks on several tables with traffic in one transaction",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        None,
        "the lock on the first table is held while waiting for the next, so both tables' queries queue, and lock-order deadlocks become possible",
        "one table per migration (or transaction), each with lock_timeout and retries",
    )],
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    let mut seen_tx: Vec<u32> = Vec::new();
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        let Some(tx) = stmt.tx else { continue };
        if seen_tx.contains(&tx) {
            continue;
        }
        // Tables locked by earlier statements of the same transaction, and the names they
        // were renamed to on the way (a renamed table is still the same table).
        let mut renamed: Vec<String> = Vec::new();
        let mut earlier: Vec<(usize, &(String, String, &'static str))> = Vec::new();
        for (j, s) in f.file.stmts[..i].iter().enumerate() {
            if s.tx != Some(tx) {
                continue;
            }
            earlier.extend(f.facts[j].strong.iter().map(|l| (j, l)));
            for op in &s.ops {
                if let OpKind::RenameTable { to, .. } = &op.kind {
                    renamed.push(to.key.clone());
                }
            }
        }
        let Some((first_stmt, (first_key, first_table, first_lock))) = earlier.first().copied()
        else {
            continue;
        };
        let new_table = f.facts[i].strong.iter().find(|(k, _, _)| {
            k != first_key && !renamed.contains(k) && !earlier.iter().any(|(_, (ek, _, _))| ek == k)
        });
        if let Some((_, table, lock)) = new_table {
            seen_tx.push(tx);
            out.report_stmt(
                i,
                stmt.offset,
                format!(
                    "this statement takes {lock} on {table} while the transaction holds {first_lock} on {first_table} (line {})",
                    f.file.stmts[first_stmt].line
                ),
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
            "multiple-tables-locked-in-one-transaction",
            vec![
                bad(PG, "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE users ADD COLUMN nickname text;"),
                good(PG, "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN note2 text;"),
                good(PG, "ALTER TABLE orders ADD COLUMN note text;")
                    .then("ALTER TABLE users ADD COLUMN nickname text;"),
                good(PG, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"),
                good(PG, "ALTER TABLE users RENAME TO users_v2;\nALTER TABLE users_v2 RENAME COLUMN email_address TO email;\nCREATE VIEW users AS SELECT id, email AS email_address FROM users_v2;"),
            ],
        );
    }
}
