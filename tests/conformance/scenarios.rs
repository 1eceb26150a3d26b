//! Scenarios every driver must pass.

use tidemark_engine::{Config, Error};
use tidemark_ledger::pattern::IgnorePatterns;

use super::harness::{databases, files};

#[test]
fn migrate_writes_flyway_rows_and_is_idempotent() {
    for mut db in databases() {
        let src = files(&[
            (
                "V1__create_people.sql",
                "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(50));\n",
            ),
            (
                "V1_1__add_row.sql",
                "INSERT INTO people (id, name) VALUES (1, 'ada');\n",
            ),
            (
                "sub/V2__second.sql",
                "CREATE TABLE things (id INT);\nINSERT INTO things VALUES (1);\n",
            ),
            (
                "R__view.sql",
                "CREATE VIEW people_view AS SELECT name FROM people;\n",
            ),
        ]);
        let config = Config::default();
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{}: {f}", db.name));
        assert_eq!(report.applied.len(), 4, "{}", db.name);
        assert_eq!(report.target_version.as_deref(), Some("2"));
        let rows = db.history();
        let summary: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.rank,
                    r.version.clone(),
                    r.description.clone(),
                    r.kind.clone(),
                    r.script.clone(),
                    r.success,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    1,
                    Some("1".into()),
                    "create people".into(),
                    "SQL".into(),
                    "V1__create_people.sql".into(),
                    true
                ),
                (
                    2,
                    Some("1.1".into()),
                    "add row".into(),
                    "SQL".into(),
                    "V1_1__add_row.sql".into(),
                    true
                ),
                (
                    3,
                    Some("2".into()),
                    "second".into(),
                    "SQL".into(),
                    "sub/V2__second.sql".into(),
                    true
                ),
                (
                    4,
                    None,
                    "view".into(),
                    "SQL".into(),
                    "R__view.sql".into(),
                    true
                ),
            ],
            "{}",
            db.name
        );
        assert!(rows.iter().all(|r| r.checksum.is_some()));
        // Nothing to do the second time.
        let again = db.migrate(&src, &config).unwrap();
        assert!(again.applied.is_empty(), "{}", db.name);
        assert_eq!(db.history().len(), 4);
    }
}

#[test]
fn failed_transactional_migration_leaves_no_row_and_no_partial_schema() {
    for mut db in databases() {
        let src = files(&[
            ("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n"),
            (
                "V2__bad.sql",
                "CREATE TABLE half_done (id INT);\n\nINSERT INTO no_such_table VALUES (1);\n",
            ),
        ]);
        let failure = db.migrate(&src, &Config::default()).unwrap_err();
        assert_eq!(
            failure.report.applied.len(),
            1,
            "{}: V1 applied before the failure",
            db.name
        );
        let ddl_tx = db.driver.supports_ddl_transactions();
        match &failure.error {
            Error::Script(f) => {
                assert_eq!(f.line, 3, "{}: line of the failing statement", db.name);
                assert_eq!(f.rolled_back, ddl_tx, "{}", db.name);
                assert!(f.path.ends_with("V2__bad.sql"));
            }
            other => panic!("{}: unexpected error {other}", db.name),
        }
        let rows = db.history();
        if ddl_tx {
            assert!(
                !db.has_table("half_done"),
                "{}: partial schema left behind",
                db.name
            );
            assert_eq!(
                rows.len(),
                1,
                "{}: no row for the failed migration",
                db.name
            );
        } else {
            // MySQL/MariaDB commit DDL implicitly: the honest record is a failed row.
            assert!(db.has_table("half_done"), "{}", db.name);
            assert_eq!(rows.len(), 2, "{}", db.name);
            assert!(
                !rows[1].success,
                "{}: failure recorded with success = false",
                db.name
            );
        }
        assert!(db.has_table("ok_table"));
    }
}

#[test]
fn non_transactional_failure_is_recorded_and_repair_removes_it() {
    for mut db in databases() {
        let mut src = files(&[(
            "V1__bad.sql",
            "CREATE TABLE t1 (id INT);\nINSERT INTO nope VALUES (1);\n",
        )]);
        src.add(
            0,
            "V1__bad.sql.conf",
            b"executeInTransaction=false\n".to_vec(),
        );
        let failure = db.migrate(&src, &Config::default()).unwrap_err();
        assert!(
            matches!(failure.error, Error::Script(ref f) if !f.rolled_back),
            "{}",
            db.name
        );
        let rows = db.history();
        assert_eq!(rows.len(), 1);
        assert!(
            !rows[0].success,
            "{}: failure recorded with success = false",
            db.name
        );
        // The next migrate refuses with Flyway's message.
        let refused = db.migrate(&src, &Config::default()).unwrap_err();
        assert!(
            refused
                .error
                .to_string()
                .contains("Detected failed migration to version 1 (bad)"),
            "{}",
            refused.error
        );
        // repair removes the failed row; nothing else changes.
        let report = db
            .with_engine(&src, &Config::default(), |e| e.repair())
            .unwrap();
        assert_eq!(report.removed_failed, 1);
        assert!(db.history().is_empty());
        assert!(db.has_table("t1"), "repair never touches user objects");
    }
}

#[test]
fn baseline_then_migrate_applies_only_newer_versions() {
    for mut db in databases() {
        db.driver
            .execute("CREATE TABLE legacy (id INT)", &[])
            .unwrap();
        let src = files(&[
            ("V1__old.sql", "CREATE TABLE legacy (id INT);"),
            ("V2__new.sql", "CREATE TABLE newer (id INT);"),
        ]);
        // Non-empty schema without history: refused.
        let refused = db.migrate(&src, &Config::default()).unwrap_err();
        assert!(
            refused
                .error
                .to_string()
                .starts_with("Found non-empty schema(s)"),
            "{}",
            refused.error
        );
        assert!(!db.has_table("flyway_schema_history"));
        // baselineOnMigrate baselines at 1 and applies V2 only.
        let config = Config {
            baseline_on_migrate: true,
            ..Config::default()
        };
        let report = db.migrate(&src, &config).unwrap();
        assert_eq!(report.applied.len(), 1);
        let rows = db.history();
        assert_eq!(rows[0].kind, "BASELINE");
        assert_eq!(rows[0].description, "<< Flyway Baseline >>");
        assert_eq!(rows[0].checksum, None);
        assert_eq!(rows[1].version.as_deref(), Some("2"));
    }
}

#[test]
fn changed_file_fails_validation_and_repair_realigns_it() {
    for mut db in databases() {
        let name = db.name;
        let v1 = files(&[("V1__a.sql", "CREATE TABLE a (id INT);\n")]);
        db.migrate(&v1, &Config::default()).unwrap();
        let old = db.history()[0].checksum.unwrap();
        // Line endings alone never change a checksum.
        let crlf = files(&[("V1__a.sql", "CREATE TABLE a (id INT);\r\n\r\n")]);
        db.with_engine(&crlf, &Config::default(), |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        let edited = files(&[("V1__a.sql", "CREATE TABLE a (id INT, extra INT);\n")]);
        let new = db
            .with_engine(&edited, &Config::default(), |e| {
                Ok(e.resolved().migrations[0].checksum)
            })
            .unwrap();
        assert_ne!(i64::from(new), old, "{name}");
        let expected = format!(
            "Migration checksum mismatch for migration version 1\n-> Applied to database : {old}\n-> Resolved locally    : {new}\nEither revert the changes to the migration, or run repair to update the schema history."
        );
        let err = db
            .with_engine(&edited, &Config::default(), |e| e.validate())
            .unwrap_err();
        assert!(
            matches!(err, Error::Validate(ref f) if f.len() == 1),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(&expected), "{name}: {err}");
        let failure = db.migrate(&edited, &Config::default()).unwrap_err();
        assert!(
            failure.error.to_string().contains(&expected),
            "{name}: {}",
            failure.error
        );
        assert!(failure.report.applied.is_empty(), "{name}");

        let (report, log) = db.with_engine_logged(&edited, &Config::default(), |e| e.repair());
        let report = report.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.aligned, 1, "{name}");
        assert!(
            log.info
                .iter()
                .any(|l| l == "Successfully aligned applied migration checksums."),
            "{name}: {:?}",
            log.info
        );
        assert_eq!(db.history()[0].checksum, Some(i64::from(new)), "{name}");
        db.with_engine(&edited, &Config::default(), |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Repair never touches user objects: the table still has its one column.
        let err = db.driver.execute("SELECT extra FROM a", &[]);
        assert!(err.is_err(), "{name}: repair must not run the edited file");
    }
}

#[test]
fn read_only_commands_never_create_the_history_table() {
    for mut db in databases() {
        let src = files(&[("V1__a.sql", "CREATE TABLE a (id INT);")]);
        let config = Config {
            ignore_patterns: IgnorePatterns::parse(&["*:pending"]).unwrap(),
            ..Config::default()
        };
        db.with_engine(&src, &config, |e| e.validate()).unwrap();
        db.with_engine(&src, &config, |e| e.info()).unwrap();
        assert!(!db.has_table("flyway_schema_history"), "{}", db.name);
    }
}

/// The engine reads its own tables through `read_table`: a missing table (or schema) is
/// `None`, not an error, and asking inside a transaction leaves that transaction usable.
#[test]
fn read_table_tells_a_missing_table_and_leaves_transactions_usable() {
    use tidemark_engine::history_table::quote;
    for mut db in databases() {
        let d = db.driver.as_mut();
        let dialect = d.dialect();
        let schema = d.current_schema().unwrap();
        let qualified =
            |table: &str| format!("{}.{}", quote(dialect, &schema), quote(dialect, table));
        let select_missing = format!("SELECT id FROM {}", qualified("tm_missing"));
        let missing = d
            .read_table(&schema, "tm_missing", &select_missing, &[])
            .unwrap_or_else(|e| panic!("{}: {e}", db.name));
        assert!(missing.is_none(), "{}", db.name);

        d.execute(
            &format!("CREATE TABLE {} (id INT)", qualified("tm_present")),
            &[],
        )
        .unwrap();
        d.execute(
            &format!(
                "INSERT INTO {} (id) VALUES (1), (2)",
                qualified("tm_present")
            ),
            &[],
        )
        .unwrap();
        let select_present = format!("SELECT id FROM {} ORDER BY id", qualified("tm_present"));
        let rows = d
            .read_table(&schema, "tm_present", &select_present, &[])
            .unwrap()
            .unwrap_or_else(|| panic!("{}: the table exists", db.name));
        let ids: Vec<Option<i64>> = rows.iter().map(|r| r[0].as_i64()).collect();
        assert_eq!(ids, [Some(1), Some(2)], "{}", db.name);

        // In a transaction: the missing table is still None, and the transaction goes on.
        d.begin().unwrap();
        d.execute(
            &format!("INSERT INTO {} (id) VALUES (3)", qualified("tm_present")),
            &[],
        )
        .unwrap();
        let missing = d
            .read_table(&schema, "tm_missing", &select_missing, &[])
            .unwrap_or_else(|e| panic!("{}: {e}", db.name));
        assert!(missing.is_none(), "{}", db.name);
        d.execute(
            &format!("INSERT INTO {} (id) VALUES (4)", qualified("tm_present")),
            &[],
        )
        .unwrap_or_else(|e| panic!("{}: the transaction was left unusable: {e}", db.name));
        d.commit().unwrap();
        let rows = d
            .read_table(&schema, "tm_present", &select_present, &[])
            .unwrap()
            .unwrap();
        assert_eq!(rows.len(), 4, "{}", db.name);
    }
}
