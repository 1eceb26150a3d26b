//! `mixed-phase-migration`: one migration (or one statement) that both expands and contracts.
//! Run before the new code is deployed, the contracting part breaks the old code; run after,
//! the new code starts without the expanding part. No single point in a deploy is safe.
//! Objects the file creates and then drops or renames itself (a table rebuild's temporary
//! table) are internal to the file and do not count as expanding.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "mixed-phase-migration",
    summary: "one migration or one ALTER that both adds and removes (e.g. ADD COLUMN x, DROP COLUMN y)",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &all(
        Severity::Error,
        None,
        "it cannot be deployed safely at any single point: before the new code the contracting part breaks the old code, after it the new code misses the expanding part",
        "split it: the expanding statements into an expand migration, the contracting ones into a contract migration deployed after the code stops using what they remove",
    ),
};

pub(crate) const HOOK: Hook = Hook::File(check);

/// Whether op `k` of statement `i` creates something the same file later drops or renames.
fn internal(f: &FileCheck<'_>, i: usize, k: usize) -> bool {
    let created = match &f.file.stmts[i].ops[k].kind {
        OpKind::CreateTable { table, .. } => table.key.clone(),
        OpKind::CreateView { view, .. } => view.key.clone(),
        OpKind::CreateIndex { table, .. } | OpKind::CreateTrigger { table, .. } => {
            table.key.clone()
        }
        _ => return false,
    };
    // Indexes and triggers re-created on a table this file renamed into place (the end of a
    // table rebuild) belong to the rebuild.
    let earlier = f.file.stmts[..i]
        .iter()
        .flat_map(|s| s.ops.iter())
        .chain(f.file.stmts[i].ops.iter().take(k));
    let rebuilt = earlier
        .into_iter()
        .any(|o| matches!(&o.kind, OpKind::RenameTable { to, .. } if to.key == created));
    if rebuilt
        && matches!(
            f.file.stmts[i].ops[k].kind,
            OpKind::CreateIndex { .. } | OpKind::CreateTrigger { .. }
        )
    {
        return true;
    }
    let later = f.file.stmts[i]
        .ops
        .iter()
        .skip(k + 1)
        .chain(f.file.stmts[i + 1..].iter().flat_map(|s| s.ops.iter()));
    for op in later {
        match &op.kind {
            OpKind::Drop { objects, .. } if objects.iter().any(|o| o.key == created) => {
                return true;
            }
            OpKind::RenameTable { from, .. } if from.key == created => return true,
            _ => {}
        }
    }
    false
}

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    let mut first_expand: Option<(usize, usize)> = None;
    let mut first_contract: Option<(usize, usize)> = None;
    let mut reported = false;
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        let mut e: Option<usize> = None;
        let mut c: Option<usize> = None;
        for k in 0..stmt.ops.len() {
            match f.op_phases[i].get(k).copied().flatten() {
                Some(Phase::Expand) if !internal(f, i, k) => {
                    e.get_or_insert(k);
                }
                Some(Phase::Contract) => {
                    c.get_or_insert(k);
                }
                _ => {}
            }
        }
        if let (Some(e), Some(c)) = (e, c) {
            out.report_stmt(
                i,
                stmt.ops[c].at,
                format!(
                    "this statement both expands ({}) and contracts ({})",
                    stmt.ops[e].kind.describe(),
                    stmt.ops[c].kind.describe()
                ),
            );
            reported = true;
        }
        if first_expand.is_none() {
            first_expand = e.map(|k| (i, k));
        }
        if first_contract.is_none() {
            first_contract = c.map(|k| (i, k));
        }
    }
    if reported {
        return;
    }
    if let (Some((ei, ek)), Some((ci, ck))) = (first_expand, first_contract) {
        let (e, c) = (&f.file.stmts[ei], &f.file.stmts[ci]);
        out.report_stmt(
            ci,
            c.ops[ck].at,
            format!(
                "this migration both expands (line {}: {}) and contracts (line {}: {})",
                e.line,
                e.ops[ek].kind.describe(),
                c.line,
                c.ops[ck].kind.describe()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "mixed-phase-migration",
            vec![
                bad(PG, "ALTER TABLE users ADD COLUMN email text, DROP COLUMN email_address;"),
                bad(PG, "ALTER TABLE users ADD COLUMN plan text;\nALTER TABLE users DROP COLUMN legacy_plan;"),
                good(PG, "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 1000;"),
                good(PG, "ALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;"),
                bad(MY, "ALTER TABLE users ADD COLUMN plan VARCHAR(20), DROP COLUMN legacy;"),
                good(MY, "ALTER TABLE users DROP COLUMN legacy;"),
                bad(LITE, "CREATE TABLE audit (id INTEGER PRIMARY KEY);\nDROP TABLE legacy_audit;"),
                good(
                    LITE,
                    "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new (id, email) SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;\nCREATE INDEX users_email_idx ON users (email);",
                ),
            ],
        );
    }
}
