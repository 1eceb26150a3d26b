//! The public surface as the CLI uses it: JSON and text output, configuration, suppression,
//! phases and the rule registry.

use tidemark_lint::{
    Dialect, LintConfig, Linter, Phase, Severity, SourceFile, infer_phase, render_text, rules,
};

fn set() -> Vec<SourceFile> {
    vec![
        SourceFile::new(
            "V1__expand.sql",
            "-- tidemark:phase=expand\nALTER TABLE users ADD COLUMN plan text;\nCREATE INDEX users_plan_idx ON users (plan);\n",
        ),
        SourceFile::new(
            "V2__contract.sql",
            "ALTER TABLE users\n  DROP COLUMN legacy_plan;\n",
        ),
        SourceFile {
            declared_phase: Some(Phase::Backfill),
            ..SourceFile::new(
                "V3__backfill.sql",
                "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
            )
        },
    ]
}

#[test]
fn json_shape() {
    let report = Linter::new(Dialect::Postgres, LintConfig::default())
        .unwrap()
        .lint_files(&set());
    let json = serde_json::to_string_pretty(&report).unwrap();
    insta::assert_snapshot!("report_json", json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let file = &v["files"][0];
    for key in ["path", "phase", "declaredPhase", "findings"] {
        assert!(file.get(key).is_some(), "missing {key}");
    }
    let finding = &file["findings"][0];
    for key in ["rule", "severity", "line", "column", "message", "help"] {
        assert!(finding.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn text_shape() {
    let report = Linter::new(Dialect::Postgres, LintConfig::default())
        .unwrap()
        .lint_files(&set());
    let text = render_text(&report);
    insta::assert_snapshot!("report_text", text);
    assert!(report.has_errors());
    assert_eq!(report.count(Severity::Error), 1);
}

#[test]
fn phases_declared_and_inferred() {
    let report = Linter::new(Dialect::Postgres, LintConfig::default())
        .unwrap()
        .lint_files(&set());
    let got: Vec<_> = report
        .files
        .iter()
        .map(|f| (f.phase, f.declared_phase, f.inferred_phase))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some(Phase::Expand),
                Some(Phase::Expand),
                Some(Phase::Expand)
            ),
            (Some(Phase::Contract), None, Some(Phase::Contract)),
            (
                Some(Phase::Backfill),
                Some(Phase::Backfill),
                Some(Phase::Backfill)
            ),
        ]
    );
}

#[test]
fn configuration_disables_overrides_and_rejects_typos() {
    let config = LintConfig {
        disabled: vec!["require-concurrent-index-creation".into()],
        severity_overrides: vec![("ban-drop-column".into(), Severity::Warning)],
        timeouts_managed: true,
    };
    let report = Linter::new(Dialect::Postgres, config)
        .unwrap()
        .lint_files(&set());
    let rules: Vec<_> = report
        .findings()
        .map(|(_, f)| (f.rule, f.severity))
        .collect();
    assert!(
        !rules
            .iter()
            .any(|(r, _)| *r == "require-concurrent-index-creation")
    );
    assert!(rules.contains(&("ban-drop-column", Severity::Warning)));
    assert!(!report.has_errors());

    let err = Linter::new(
        Dialect::Postgres,
        LintConfig {
            disabled: vec!["ban-drop-colum".into()],
            ..LintConfig::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown lint rule 'ban-drop-colum' (did you mean 'ban-drop-column'?)"
    );
}

#[test]
fn opt_in_rule_runs_once_given_a_severity() {
    let file = [SourceFile::new(
        "V1.sql",
        "ALTER TABLE orders ADD COLUMN note text;",
    )];
    let off = Linter::new(Dialect::Postgres, LintConfig::default())
        .unwrap()
        .lint_files(&file);
    assert_eq!(off.findings().count(), 0);
    let on = Linter::new(
        Dialect::Postgres,
        LintConfig {
            severity_overrides: vec![("require-table-schema".into(), Severity::Warning)],
            ..LintConfig::default()
        },
    )
    .unwrap()
    .lint_files(&file);
    let got: Vec<_> = on.findings().map(|(_, f)| (f.rule, f.severity)).collect();
    assert_eq!(got, [("require-table-schema", Severity::Warning)]);
}

#[test]
fn file_header_allow_covers_every_statement() {
    let file = [SourceFile::new(
        "V1.sql",
        "-- tidemark:allow=ban-drop-column,renaming-column\n\nALTER TABLE a DROP COLUMN x;\nALTER TABLE a RENAME COLUMN y TO z;\n",
    )];
    let report = Linter::new(Dialect::Postgres, LintConfig::default())
        .unwrap()
        .lint_files(&file);
    assert_eq!(report.findings().count(), 0, "{}", render_text(&report));
}

#[test]
fn positions_follow_the_file_with_crlf_and_comments() {
    let text = "-- header\r\n/* a\r\n block */\r\nSELECT 1;\r\n\r\nALTER TABLE t\r\n    DROP COLUMN c;\r\n";
    let report = Linter::new(Dialect::Postgres, LintConfig::default())
        .unwrap()
        .lint_files(&[SourceFile::new("V1.sql", text)]);
    let f = &report.files[0].findings[0];
    assert_eq!((f.rule, f.line, f.column), ("ban-drop-column", 7, 17));
}

#[test]
fn schema_state_carries_from_applied_files() {
    let linter = Linter::new(Dialect::Postgres, LintConfig::default()).unwrap();
    let create = SourceFile::new("V1.sql", "CREATE TABLE t (id bigint, name text);");
    let index = SourceFile::new("V2.sql", "CREATE INDEX t_name_idx ON t (name);");
    // Created in the same set: new and empty, no alarm.
    let same_set = linter.lint_files(&[create.clone(), index.clone()]);
    assert_eq!(same_set.findings().count(), 0);
    // Created by an applied migration: the table has traffic.
    let later = linter.lint_pending(&[create], &[index]);
    let rules: Vec<_> = later.findings().map(|(_, f)| f.rule).collect();
    assert_eq!(rules, ["require-concurrent-index-creation"]);
}

#[test]
fn infer_phase_of_single_statements() {
    let pg = Dialect::Postgres;
    assert_eq!(
        infer_phase(pg, "ALTER TABLE t ADD COLUMN c text"),
        Some(Phase::Expand)
    );
    assert_eq!(
        infer_phase(pg, "CREATE INDEX CONCURRENTLY i ON t (c)"),
        Some(Phase::Expand)
    );
    assert_eq!(
        infer_phase(pg, "ALTER TABLE t VALIDATE CONSTRAINT c"),
        Some(Phase::Backfill)
    );
    assert_eq!(
        infer_phase(pg, "UPDATE t SET c = 1 WHERE id < 100"),
        Some(Phase::Backfill)
    );
    assert_eq!(
        infer_phase(pg, "ALTER TABLE t DROP COLUMN c"),
        Some(Phase::Contract)
    );
    assert_eq!(
        infer_phase(pg, "ALTER TABLE t ALTER COLUMN c SET NOT NULL"),
        Some(Phase::Contract)
    );
    assert_eq!(
        infer_phase(pg, "ALTER TABLE t RENAME COLUMN a TO b"),
        Some(Phase::Contract)
    );
    assert_eq!(
        infer_phase(pg, "ALTER TABLE t ALTER COLUMN c DROP DEFAULT"),
        Some(Phase::Contract)
    );
    assert_eq!(infer_phase(pg, "SET lock_timeout = '1s'"), None);
    assert_eq!(infer_phase(pg, "SELECT 1"), None);
    assert_eq!(infer_phase(pg, "THIS IS NOT SQL"), None);
    // Several statements: the latest phase.
    assert_eq!(
        infer_phase(
            pg,
            "ALTER TABLE t ADD COLUMN c text; ALTER TABLE t DROP COLUMN d;"
        ),
        Some(Phase::Contract)
    );
    // Seeding a table created in the same text is part of creating it.
    assert_eq!(
        infer_phase(pg, "CREATE TABLE t (id bigint); INSERT INTO t VALUES (1);"),
        Some(Phase::Expand)
    );
    assert_eq!(
        infer_phase(Dialect::Mysql, "RENAME TABLE a TO b"),
        Some(Phase::Contract)
    );
    assert_eq!(
        infer_phase(Dialect::Sqlite, "DROP TABLE t"),
        Some(Phase::Contract)
    );
}

#[test]
fn registry_is_complete_and_consistent() {
    let all = rules();
    let mut ids: Vec<_> = all.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "duplicate rule ids");
    for r in all {
        assert!(!r.dialects.is_empty(), "{} covers no dialect", r.id);
        assert!(
            r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{} is not kebab-case",
            r.id
        );
        for d in r.dialects {
            assert!(
                !d.why.is_empty() && !d.safe.is_empty(),
                "{} {}",
                r.id,
                d.dialect
            );
        }
    }
    // The must-haves for MySQL and SQLite (reference §2.4 rows 1, 6, 9, 10, 11, 23, 25, 26, 31, 33).
    for id in [
        "require-concurrent-index-creation",
        "add-column-volatile-default",
        "adding-required-field",
        "adding-not-nullable-field",
        "changing-column-type",
        "renaming-column",
        "ban-drop-column",
        "ban-drop-table",
        "unbatched-backfill",
        "require-lock-timeout",
    ] {
        let r = all.iter().find(|r| r.id == id).unwrap();
        for d in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            assert!(r.for_dialect(d).is_some(), "{id} lacks {d}");
        }
    }
    for id in ["ban-drop-database", "ban-truncate-cascade"] {
        let r = all.iter().find(|r| r.id == id).unwrap();
        assert!(r.for_dialect(Dialect::Mysql).is_some(), "{id} lacks mysql");
    }
}
