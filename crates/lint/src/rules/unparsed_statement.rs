//! `unparsed-statement`: a statement neither sqlparser nor the token shapes in `extra` read.
//! It is reported once and otherwise skipped, so the rest of the file is still checked.

use super::*;
use crate::lint::Parsed;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "unparsed-statement",
    summary: "a statement the SQL parser cannot read, so it is not checked",
    severity: Severity::Warning,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &all(
        Severity::Warning,
        None,
        "the linter cannot check it, so whatever it locks or removes goes unreviewed",
        "review it by hand, then mark it `-- tidemark:allow=unparsed-statement`; or rewrite it in a form the parser reads",
    ),
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    if let Parsed::Unparsed(why) = &ctx.stmt().parsed {
        out.report(ctx.stmt().offset, format!("cannot parse this statement ({why})"));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "unparsed-statement",
            vec![
                bad(PG, "CREATE TABLE t (id bigint);\nFROB THE TABLE t;\nDROP TABLE t;"),
                bad(PG, "DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;"),
                good(PG, "REINDEX INDEX CONCURRENTLY users_email_idx;\nDROP INDEX CONCURRENTLY IF EXISTS users_old_idx;"),
                bad(MY, "ALTER TABLE t FROBNICATE;"),
                good(MY, "ALTER TABLE t ADD COLUMN IF NOT EXISTS c bigint;\nOPTIMIZE TABLE t;"),
                bad(LITE, "CREATE TABLE t (id INTEGER PRIMARY KEY) WITH FROBS;"),
                good(LITE, "PRAGMA foreign_keys = ON;\nREINDEX;"),
            ],
        );
    }
}
