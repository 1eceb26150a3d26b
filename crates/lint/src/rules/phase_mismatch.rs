//! `phase-mismatch`: a declared phase the SQL contradicts. A migration declared for an earlier
//! phase than one of its statements needs runs too early: `DROP COLUMN` tagged `expand` runs
//! while the code that reads the column is still live. Declaring a *later* phase than needed is
//! not a contradiction (running later is always safe for old code).

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "phase-mismatch",
    summary: "a declared phase earlier than what a statement needs (e.g. DROP COLUMN tagged expand)",
    severity: Severity::Error,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &all(
        Severity::Error,
        None,
        "a staged deploy runs it in the declared phase, before the code that copes with this statement is live",
        "declare the phase the SQL needs (`-- tidemark:phase=...`), or move the statement into a migration of that phase",
    ),
};

pub(crate) const HOOK: Hook = Hook::File(check);

fn check(f: &FileCheck<'_>, out: &mut Sink) {
    let Some(declared) = f.file.declared else {
        return;
    };
    for (i, stmt) in f.file.stmts.iter().enumerate() {
        for (k, op) in stmt.ops.iter().enumerate() {
            let Some(p) = f.op_phases[i].get(k).copied().flatten() else {
                continue;
            };
            if p > declared {
                out.report_stmt(
                    i,
                    op.at,
                    format!(
                        "the migration is declared {declared} but {} is a {p} step",
                        op.kind.describe()
                    ),
                );
                break;
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
            "phase-mismatch",
            vec![
                bad(PG, "-- tidemark:phase=expand\nALTER TABLE users DROP COLUMN legacy_name;"),
                bad(PG, "-- tidemark:phase=expand\nUPDATE users SET plan = 'free' WHERE plan IS NULL;"),
                good(PG, "-- tidemark:phase=contract\nALTER TABLE users DROP COLUMN legacy_name;"),
                good(PG, "-- tidemark:phase=contract\nALTER TABLE users ADD COLUMN plan text;"),
                good(PG, "-- tidemark:phase=expand\nCREATE TABLE plans (id bigint);\nINSERT INTO plans VALUES (1);"),
                bad(MY, "-- tidemark:phase=backfill\nALTER TABLE users RENAME COLUMN a TO b;"),
                good(MY, "-- tidemark:phase=backfill\nUPDATE users SET a = 1 WHERE id BETWEEN 1 AND 1000;"),
                bad(LITE, "-- tidemark:phase=expand\nDROP TABLE sessions;"),
                good(LITE, "-- tidemark:phase=expand\nALTER TABLE users ADD COLUMN nickname TEXT;"),
            ],
        );
    }
}
