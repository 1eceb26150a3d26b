//! `baseline` (command, `baselineOnMigrate`, `B` migrations), `clean` and `repair` details on
//! every driver (reference §5.5-5.7).

use tidemark_engine::{Config, Error};
use tidemark_ledger::version::Version;

use super::harness::{databases, files};

#[test]
fn baseline_command_marks_an_existing_schema_then_migrate_applies_newer_versions() {
    for mut db in databases() {
        let name = db.name;
        db.driver
            .execute("CREATE TABLE legacy (id INT)", &[])
            .unwrap();
        let src = files(&[
            ("V1__legacy.sql", "CREATE TABLE legacy (id INT);"),
            ("V2__new.sql", "CREATE TABLE newer (id INT);"),
        ]);
        let config = Config::default();
        let schema = db.schema_display(&config);

        let refused = db.migrate(&src, &config).unwrap_err();
        assert_eq!(
            refused.error.to_string(),
            format!(
                "Found non-empty schema(s) {schema} but no schema history table. Use baseline() or set baselineOnMigrate to true to initialize the schema history table."
            ),
            "{name}"
        );
        assert!(
            !db.has_table("flyway_schema_history"),
            "{name}: nothing written"
        );

        let message = db
            .with_engine(&src, &config, |e| e.baseline())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            message, "Successfully baselined schema with version: 1",
            "{name}"
        );
        let rows = db.history();
        assert_eq!(rows.len(), 1, "{name}");
        let row = &rows[0];
        assert_eq!(
            (
                row.rank,
                row.version.as_deref(),
                row.description.as_str(),
                row.kind.as_str(),
                row.script.as_str(),
                row.checksum,
                row.success
            ),
            (
                1,
                Some("1"),
                "<< Flyway Baseline >>",
                "BASELINE",
                "<< Flyway Baseline >>",
                None,
                true
            ),
            "{name}"
        );
        assert_eq!(
            db.states(&src, &config),
            ["1:Ignored (Baseline)", "1:Baseline", "2:Pending"],
            "{name}"
        );
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 1, "{name}");
        assert!(db.has_table("newer"), "{name}");

        // The same baseline again is skipped; another one is refused.
        let table = format!(
            "{schema}.{}",
            tidemark_engine::history_table::quote(db.driver.dialect(), "flyway_schema_history")
        );
        let again = db
            .with_engine(&src, &config, |e| e.baseline())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            again,
            format!(
                "Schema history table {table} already initialized with (1,<< Flyway Baseline >>). Skipping."
            ),
            "{name}"
        );
        let other = Config {
            baseline_version: Version::parse("5").unwrap(),
            ..Config::default()
        };
        let err = db.with_engine(&src, &other, |e| e.baseline()).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "Unable to baseline schema history table {table} with (5,<< Flyway Baseline >>) as it has already been baselined with (1,<< Flyway Baseline >>)"
            )),
            "{name}: {err}"
        );
        assert_eq!(db.history().len(), 2, "{name}");
    }
}

#[test]
fn baseline_on_migrate_with_custom_version_and_description() {
    for mut db in databases() {
        let name = db.name;
        db.driver
            .execute("CREATE TABLE legacy (id INT)", &[])
            .unwrap();
        let src = files(&[
            ("V1__legacy.sql", "CREATE TABLE legacy (id INT);"),
            ("V2__more_legacy.sql", "CREATE TABLE legacy2 (id INT);"),
            ("V3__new.sql", "CREATE TABLE newer (id INT);"),
        ]);
        let config = Config {
            baseline_on_migrate: true,
            baseline_version: Version::parse("2").unwrap(),
            baseline_description: "adopted".into(),
            ..Config::default()
        };
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 1, "{name}");
        let rows: Vec<_> = db
            .history()
            .into_iter()
            .map(|r| (r.rank, r.version, r.description, r.kind, r.script))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    1,
                    Some("2".to_string()),
                    "adopted".to_string(),
                    "BASELINE".to_string(),
                    "adopted".to_string()
                ),
                (
                    2,
                    Some("3".to_string()),
                    "new".to_string(),
                    "SQL".to_string(),
                    "V3__new.sql".to_string()
                ),
            ],
            "{name}"
        );
        assert!(!db.has_table("legacy2"), "{name}: below the baseline");
        assert_eq!(
            db.states(&src, &config),
            [
                "1:Below Baseline",
                "2:Ignored (Baseline)",
                "2:Baseline",
                "3:Success"
            ],
            "{name}"
        );
    }
}

#[test]
fn baseline_migrations_replace_history_on_an_empty_database() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&[
            ("V1__a.sql", "CREATE TABLE a (id INT);"),
            ("V2__b.sql", "CREATE TABLE b (id INT);"),
            (
                "B2__a_and_b.sql",
                "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);",
            ),
            ("V3__c.sql", "CREATE TABLE c (id INT);"),
        ]);
        let config = Config::default();
        assert_eq!(
            db.states(&src, &config),
            [
                "1:Below Baseline",
                "2:Ignored (Baseline)",
                "2:Pending",
                "3:Pending"
            ],
            "{name}"
        );
        db.migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let rows: Vec<_> = db
            .history()
            .into_iter()
            .map(|r| (r.rank, r.version, r.kind, r.script, r.success))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    1,
                    Some("2".to_string()),
                    "SQL_BASELINE".to_string(),
                    "B2__a_and_b.sql".to_string(),
                    true
                ),
                (
                    2,
                    Some("3".to_string()),
                    "SQL".to_string(),
                    "V3__c.sql".to_string(),
                    true
                ),
            ],
            "{name}"
        );
        assert_eq!(
            db.states(&src, &config),
            [
                "1:Below Baseline",
                "2:Ignored (Baseline)",
                "2:Baseline",
                "3:Success"
            ],
            "{name}"
        );
        for table in ["a", "b", "c"] {
            assert!(db.has_table(table), "{name}: {table}");
        }
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn clean_is_refused_by_default_and_removes_every_object_when_enabled() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&[
            (
                "V1__schema.sql",
                "CREATE TABLE parent (id INT PRIMARY KEY);\nCREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id));\nCREATE INDEX child_parent_idx ON child (parent_id);\n",
            ),
            (
                "V2__data.sql",
                "INSERT INTO parent (id) VALUES (1);\nINSERT INTO child (id, parent_id) VALUES (1, 1);\n",
            ),
            (
                "R__view.sql",
                "DROP VIEW IF EXISTS family;\nCREATE VIEW family AS SELECT c.id FROM child c JOIN parent p ON p.id = c.parent_id;\n",
            ),
        ]);
        let config = Config::default();
        db.migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));

        let refused = db.with_engine(&src, &config, |e| e.clean()).unwrap_err();
        assert!(matches!(refused, Error::Refused(_)), "{name}: {refused}");
        assert!(
            refused
                .to_string()
                .starts_with("Unable to execute clean as it has been disabled"),
            "{name}: {refused}"
        );
        assert!(db.has_table("parent"), "{name}: nothing dropped");
        assert_eq!(db.history().len(), 3, "{name}");

        let enabled = Config {
            clean_disabled: false,
            ..Config::default()
        };
        let schema = db.schema_display(&config);
        let cleaned = db
            .with_engine(&src, &enabled, |e| e.clean())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cleaned, [schema], "{name}");
        for table in ["parent", "child", "flyway_schema_history"] {
            assert!(!db.has_table(table), "{name}: {table} left behind");
        }
        let current = db.schema();
        assert!(
            db.driver.schema_is_empty(&current).unwrap(),
            "{name}: the view and every other object are gone"
        );
        assert!(
            db.driver.schema_exists(&current).unwrap(),
            "{name}: a schema Flyway did not create is emptied, not dropped"
        );

        // Everything can be migrated again from scratch.
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 3, "{name}");
        assert_eq!(db.history()[0].rank, 1, "{name}");
    }
}

/// Flyway's own words when clean is disabled (reference §5.7, `Flyway.clean()`).
#[test]
fn clean_refusal_uses_flyways_text() {
    for mut db in databases() {
        let name = db.name;
        let err = db
            .with_engine(&files(&[]), &Config::default(), |e| e.clean())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unable to execute clean as it has been disabled with the 'flyway.cleanDisabled' property.",
            "{name}"
        );
    }
}
