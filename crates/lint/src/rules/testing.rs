//! Snapshot tests for rules: unsafe and safe SQL per dialect, rendered as the user sees them.

use std::fmt::Write as _;

use tidemark_sql::Dialect;

use crate::{LintConfig, Linter, SourceFile};

/// One test case: files linted as a set, optionally after already-applied files.
pub(crate) struct Case {
    unsafe_: bool,
    dialect: Dialect,
    applied: Vec<&'static str>,
    files: Vec<&'static str>,
}

/// A case the rule must report.
pub(crate) fn bad(dialect: Dialect, sql: &'static str) -> Case {
    Case {
        unsafe_: true,
        dialect,
        applied: Vec::new(),
        files: vec![sql],
    }
}

/// A case the rule must not report.
pub(crate) fn good(dialect: Dialect, sql: &'static str) -> Case {
    Case {
        unsafe_: false,
        ..bad(dialect, sql)
    }
}

impl Case {
    /// Adds an already-applied file read before the case (schema context only).
    pub(crate) fn after(mut self, sql: &'static str) -> Case {
        self.applied.push(sql);
        self
    }

    /// Adds another pending file after the case's files.
    pub(crate) fn then(mut self, sql: &'static str) -> Case {
        self.files.push(sql);
        self
    }
}

pub(crate) use Dialect::{Mysql as MY, Postgres as PG, Sqlite as LITE};

/// Lints each case with only `rule` reported, checks unsafe cases report it and safe ones do
/// not, and snapshots the rendered output under the rule's id.
pub(crate) fn check(rule: &str, cases: Vec<Case>) {
    let info = super::find(rule).expect("rule exists");
    let mut out = String::new();
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let mut config = LintConfig {
            timeouts_managed: !matches!(rule, "require-lock-timeout" | "require-statement-timeout"),
            ..LintConfig::default()
        };
        if !info.default_enabled {
            config
                .severity_overrides
                .push((rule.to_string(), info.severity));
        }
        let linter = Linter::new(case.dialect, config).unwrap();
        let file = |i: usize, sql: &str| SourceFile::new(format!("V{}.sql", i + 1), sql);
        let applied: Vec<SourceFile> = case
            .applied
            .iter()
            .enumerate()
            .map(|(i, s)| file(i, s))
            .collect();
        let files: Vec<SourceFile> = case
            .files
            .iter()
            .enumerate()
            .map(|(i, s)| file(i + applied.len(), s))
            .collect();
        let report = linter.lint_pending(&applied, &files);
        let _ = writeln!(
            out,
            "## {} {} ({})",
            n + 1,
            if case.unsafe_ { "unsafe" } else { "safe" },
            case.dialect
        );
        for (i, sql) in case.applied.iter().enumerate() {
            let _ = writeln!(out, "-- V{} (applied)\n{}", i + 1, sql.trim_end());
        }
        for f in &files {
            let _ = writeln!(out, "-- {}\n{}", f.path.display(), f.text.trim_end());
        }
        let mut hits = 0;
        for (file, f) in report.findings() {
            if f.rule != rule {
                continue;
            }
            hits += 1;
            let _ = writeln!(
                out,
                "=> {}:{}:{} {} {} {}\n   help: {}",
                file.path.display(),
                f.line,
                f.column,
                f.severity,
                f.rule,
                f.message,
                f.help
            );
        }
        if hits == 0 {
            let _ = writeln!(out, "=> (nothing)");
        }
        out.push('\n');
        if case.unsafe_ != (hits > 0) {
            failures.push(format!(
                "case {} ({}, {}) expected {}",
                n + 1,
                case.dialect,
                case.files.join(" | "),
                if case.unsafe_ {
                    "a finding"
                } else {
                    "no finding"
                }
            ));
        }
        // Every dialect a case uses must be one the rule covers.
        assert!(
            info.for_dialect(case.dialect).is_some(),
            "{rule} has no {} entry but case {} uses it",
            case.dialect,
            n + 1
        );
    }
    // Every dialect the rule covers has an unsafe and a safe case.
    for d in info.dialects {
        for want in [true, false] {
            assert!(
                cases
                    .iter()
                    .any(|c| c.dialect == d.dialect && c.unsafe_ == want),
                "{rule}: no {} case for {}",
                if want { "unsafe" } else { "safe" },
                d.dialect
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{rule}:\n{}\n\n{out}",
        failures.join("\n")
    );
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(rule, out);
    });
}
