//! `invalid-directive`: a `-- tidemark:` comment that does not parse. The engine reports it
//! (directives are read once per file); this file only describes the rule.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "invalid-directive",
    summary: "a malformed `-- tidemark:key=value` directive",
    severity: Severity::Error,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &all(
        Severity::Error,
        None,
        "migrate refuses a file whose directives do not parse, and its allow and phase directives are ignored here",
        "write `-- tidemark:key=value` with a known key (phase, executeInTransaction, lockTimeout, lockRetries, batchSize, batchPause, allow) and no spaces in the value",
    ),
};

pub(crate) const HOOK: Hook = Hook::File(|_, _| {});

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "invalid-directive",
            vec![
                bad(PG, "-- tidemark:phase=shrink\nALTER TABLE t ADD COLUMN c text;"),
                good(PG, "-- tidemark:phase=expand\nALTER TABLE t ADD COLUMN c text;"),
                bad(MY, "-- tidemark:lockTimout=5s\nSELECT 1;"),
                good(MY, "-- tidemark:lockTimeout=5s\nSELECT 1;"),
                bad(LITE, "SELECT 1;\n-- tidemark:allow = ban-drop-table\nDROP TABLE t;"),
                good(LITE, "SELECT 1;\n-- tidemark:allow=ban-drop-table\nDROP TABLE t;"),
            ],
        );
    }
}
