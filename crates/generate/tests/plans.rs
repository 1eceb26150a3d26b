//! Snapshots of every plan each generator writes, per dialect, and the errors for the plans a
//! dialect does not have.

mod common;

use std::collections::BTreeSet;

use tidemark_generate::{
    Dialect, Phase, PlanOptions, add_foreign_key, add_not_null_column, add_unique,
    change_column_type, drop_column, rename_column,
};

#[test]
fn plans() {
    for case in common::cases() {
        insta::assert_snapshot!(case.name, common::render(&case.files));
    }
}

#[test]
fn every_file_has_its_directives_first_and_phases_in_order() {
    for case in common::cases() {
        let mut last = Phase::Expand;
        for file in &case.files {
            let first = file.sql.split('\n').next().unwrap_or_default();
            assert_eq!(
                first,
                format!("-- tidemark:phase={}", file.phase),
                "{}",
                case.name
            );
            assert!(file.phase >= last, "{}: phases out of order", case.name);
            last = file.phase;
            let batched = file.sql.contains("${tidemark:batchSize}");
            assert_eq!(
                batched,
                file.sql.contains("-- tidemark:batchSize="),
                "{}",
                case.name
            );
            if batched {
                let statements = tidemark_sql::split(case.dialect, &file.sql).unwrap();
                assert_eq!(
                    statements.len(),
                    1,
                    "{}: a backfill holds one statement",
                    case.name
                );
            }
            assert!(
                file.description
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                file.description
            );
            for text in [&file.sql, &file.undo_sql] {
                tidemark_sql::split(case.dialect, text).unwrap();
                tidemark_ledger::directive::parse(text).unwrap();
            }
        }
    }
}

#[test]
fn unsupported_plans_say_so() {
    let d = PlanOptions::default();
    let mut messages = Vec::new();
    for dialect in [Dialect::Mysql, Dialect::Sqlite] {
        messages.push(
            change_column_type(dialect, "t", "c", "bigint", None, &d)
                .unwrap_err()
                .to_string(),
        );
        messages.push(drop_column(dialect, "t", "c", &d).unwrap_err().to_string());
        messages.push(
            add_foreign_key(dialect, "t", "c", "p", "id", None, &d)
                .unwrap_err()
                .to_string(),
        );
        messages.push(
            add_unique(dialect, "t", &["c"], None, &d)
                .unwrap_err()
                .to_string(),
        );
    }
    messages.push(
        add_not_null_column(Dialect::Sqlite, "t", "c", "TEXT", "CURRENT_TIMESTAMP", &d)
            .unwrap_err()
            .to_string(),
    );
    insta::assert_snapshot!("unsupported", messages.join("\n"));
}

#[test]
fn bad_input_is_refused_not_written() {
    let d = PlanOptions::default();
    let pg = Dialect::Postgres;
    let errors = [
        rename_column(pg, "users", "a", "a", &d).unwrap_err(),
        rename_column(pg, "users; DROP TABLE x", "a", "b", &d).unwrap_err(),
        rename_column(pg, "users", "a.b", "c", &d).unwrap_err(),
        add_not_null_column(pg, "users", "c", "text", "NULL", &d).unwrap_err(),
        add_not_null_column(pg, "users", "c", "text); DROP TABLE x; --", "1", &d).unwrap_err(),
        add_not_null_column(pg, "users", "c", "text", "'open", &d).unwrap_err(),
        change_column_type(pg, "t", "c", "bigint", Some("c -- comment"), &d).unwrap_err(),
        add_unique(pg, "t", &[], None, &d).unwrap_err(),
        rename_column(
            pg,
            "t",
            "a",
            "b",
            &PlanOptions {
                batch_size: 0,
                ..PlanOptions::default()
            },
        )
        .unwrap_err(),
        rename_column(
            pg,
            "t",
            "a",
            "b",
            &PlanOptions {
                batch_pause: Some("soon".into()),
                ..PlanOptions::default()
            },
        )
        .unwrap_err(),
        rename_column(
            pg,
            "t",
            "a",
            "b",
            &PlanOptions {
                key: "".into(),
                ..PlanOptions::default()
            },
        )
        .unwrap_err(),
    ];
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("bad_input", text.join("\n"));
}

/// Snapshot files must belong to a test here: a renamed case must not leave its old snapshot
/// behind.
#[test]
fn no_orphan_snapshots() {
    let mut expected: BTreeSet<String> = common::cases()
        .iter()
        .map(|c| format!("plans__{}.snap", c.name))
        .collect();
    expected.insert("plans__unsupported.snap".into());
    expected.insert("plans__bad_input.snap".into());
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    let found: BTreeSet<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("plans__") && n.ends_with(".snap"))
                .collect()
        })
        .unwrap_or_default();
    let orphans: Vec<_> = found.difference(&expected).collect();
    assert!(orphans.is_empty(), "orphan snapshots: {orphans:?}");
}
