//! Failing migrations, `group` and the `mixed` rule on every driver (reference §3.4, §9).
//!
//! The outcome of a failure depends on the DBMS: where DDL is transactional (SQLite,
//! PostgreSQL) a migration that ran in a transaction leaves nothing behind; MySQL/MariaDB commit
//! DDL implicitly, so the honest record is a `success = false` row (what Flyway writes).

use tidemark_engine::{Config, Dialect, Error};

use super::harness::{databases, files};

const BROKEN: &str = "CREATE TABLE half_done (id INT);\n\n-- the typo is on line 4\nINSERT INTO missing_table VALUES (1);\n";

#[test]
fn failing_statement_reports_file_line_and_the_databases_own_error() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&[
            ("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n"),
            ("V2__broken.sql", BROKEN),
        ]);
        let config = Config::default();
        let ddl_tx = db.driver.supports_ddl_transactions();
        let failure = db.migrate(&src, &config).unwrap_err();
        let Error::Script(f) = &failure.error else {
            panic!("{name}: not a script failure: {}", failure.error)
        };
        assert_eq!(f.line, 4, "{name}: line of the failing statement");
        assert_eq!(
            f.statement, "INSERT INTO missing_table VALUES (1)",
            "{name}"
        );
        assert!(f.path.ends_with("V2__broken.sql"), "{name}: {:?}", f.path);
        assert_eq!(f.rolled_back, ddl_tx, "{name}");
        // The database's own code and words.
        let (code, words) = match db.driver.dialect() {
            Dialect::Sqlite => ("1", "no such table: missing_table"),
            Dialect::Postgres => ("42P01", "relation \"missing_table\" does not exist"),
            Dialect::Mysql => ("42S02", "missing_table' doesn't exist (error 1146)"),
        };
        assert_eq!(f.error.code.as_deref(), Some(code), "{name}: {}", f.error);
        assert!(f.error.message.contains(words), "{name}: {}", f.error);
        let text = failure.error.to_string();
        let outcome = if ddl_tx {
            "Migration V2__broken.sql failed! Changes successfully rolled back."
        } else {
            "Migration V2__broken.sql failed! Please restore backups and roll back database and code!"
        };
        assert!(text.starts_with(outcome), "{name}: {text}");
        for part in [
            format!("SQL State  : {code}\n"),
            "Location   : mem0/V2__broken.sql:4\n".to_string(),
            "Line       : 4\n".to_string(),
            "Statement  : INSERT INTO missing_table VALUES (1)".to_string(),
        ] {
            assert!(text.contains(&part), "{name}: {part:?} in {text}");
        }
        assert_eq!(failure.report.applied.len(), 1, "{name}: V1 was applied");
        assert!(db.has_table("ok_table"), "{name}");

        let rows = db.history();
        if ddl_tx {
            assert_eq!(rows.len(), 1, "{name}: no row for the failed migration");
            assert!(!db.has_table("half_done"), "{name}: no partial schema");
            // Fixing the file lets the next run apply it cleanly.
            let fixed = files(&[
                ("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n"),
                ("V2__broken.sql", "CREATE TABLE half_done (id INT);\n"),
            ]);
            db.migrate(&fixed, &config)
                .unwrap_or_else(|f| panic!("{name}: {f}"));
        } else {
            // MySQL/MariaDB: CREATE TABLE committed implicitly; the failure is on record.
            assert_eq!(rows.len(), 2, "{name}");
            assert_eq!(
                (rows[1].version.as_deref(), rows[1].success),
                (Some("2"), false),
                "{name}"
            );
            assert!(db.has_table("half_done"), "{name}");
            assert_eq!(
                db.states(&src, &config),
                ["1:Success", "2:Failed"],
                "{name}"
            );
            let schema = db.schema_display(&config);
            let again = db.migrate(&src, &config).unwrap_err();
            assert!(
                again.error.to_string().contains("Detected failed migration to version 2 (broken).\nPlease remove any half-completed changes then run repair to fix the schema history."),
                "{name}: {}",
                again.error
            );
            let unvalidated = Config {
                validate_on_migrate: false,
                ..Config::default()
            };
            let again = db.migrate(&src, &unvalidated).unwrap_err();
            assert_eq!(
                again.error.to_string(),
                format!("Schema {schema} contains a failed migration to version 2 !"),
                "{name}"
            );
            // The documented way out: clean up by hand, repair, migrate the fixed file.
            db.driver.execute("DROP TABLE half_done", &[]).unwrap();
            let report = db
                .with_engine(&src, &config, |e| e.repair())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(report.removed_failed, 1, "{name}");
            let fixed = files(&[
                ("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n"),
                ("V2__broken.sql", "CREATE TABLE half_done (id INT);\n"),
            ]);
            db.migrate(&fixed, &config)
                .unwrap_or_else(|f| panic!("{name}: {f}"));
        }
        let rows = db.history();
        assert_eq!(rows.len(), 2, "{name}");
        assert!(rows.iter().all(|r| r.success), "{name}");
        assert!(db.has_table("half_done"), "{name}");
    }
}

#[test]
fn group_applies_all_pending_in_one_transaction() {
    for mut db in databases() {
        let name = db.name;
        let config = Config {
            group: true,
            ..Config::default()
        };
        let src = files(&[
            (
                "V1__a.sql",
                "CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\n",
            ),
            (
                "V2__b.sql",
                "CREATE TABLE b (id INT);\nINSERT INTO nope VALUES (1);\n",
            ),
        ]);
        let failure = db.migrate(&src, &config).unwrap_err();
        let Error::Script(f) = &failure.error else {
            panic!("{name}: not a script failure: {}", failure.error)
        };
        assert_eq!(f.line, 2, "{name}");
        assert!(f.path.ends_with("V2__b.sql"), "{name}");
        if db.driver.supports_ddl_transactions() {
            assert!(f.rolled_back, "{name}");
            assert!(failure.report.applied.is_empty(), "{name}");
            assert!(
                !db.has_table("a"),
                "{name}: V1 was rolled back with the group"
            );
            assert!(!db.has_table("b"), "{name}");
            assert!(db.history().is_empty(), "{name}: no row at all");
        } else {
            // MySQL/MariaDB: the group's transaction cannot hold DDL (each CREATE TABLE
            // commits), so, as Flyway does (`DbMigrate.applyMigrations`), the failure is
            // recorded with a `success = false` row for the failing migration.
            assert!(!f.rolled_back, "{name}");
            assert!(db.has_table("a") && db.has_table("b"), "{name}");
            let rows: Vec<_> = db
                .history()
                .into_iter()
                .map(|r| (r.version, r.success))
                .collect();
            assert_eq!(
                rows,
                [(Some("1".into()), true), (Some("2".into()), false)],
                "{name}: V1 committed, V2 recorded as failed"
            );
            db.driver.execute("DROP TABLE b", &[]).unwrap();
            db.with_engine(&src, &config, |e| e.repair())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }

        let fixed = files(&[
            (
                "V1__a.sql",
                "CREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\n",
            ),
            ("V2__b.sql", "CREATE TABLE b (id INT);\n"),
            (
                "R__v.sql",
                "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM a;\n",
            ),
        ]);
        let report = db
            .migrate(&fixed, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let expected = if db.driver.supports_ddl_transactions() {
            3
        } else {
            2
        };
        assert_eq!(report.applied.len(), expected, "{name}");
        let rows = db.history();
        assert_eq!(rows.len(), 3, "{name}");
        assert!(rows.iter().all(|r| r.success), "{name}");
        assert_eq!(db.texts("SELECT id FROM v"), ["1"], "{name}");
    }
}

/// Statements that cannot run in a transaction switch their migration to non-transactional;
/// mixed with ordinary statements they are refused unless `mixed` (reference §9). PostgreSQL:
/// `CREATE INDEX CONCURRENTLY`; SQLite: `PRAGMA foreign_keys`; MySQL has no such statement
/// (its DDL commits anyway), so there is nothing to refuse there.
#[test]
fn mixed_transactional_and_non_transactional_statements() {
    for mut db in databases() {
        let name = db.name;
        let (non_tx, single) = match db.driver.dialect() {
            Dialect::Postgres => (
                "CREATE INDEX CONCURRENTLY a_id_idx ON a (id)",
                "CREATE INDEX CONCURRENTLY a_name_idx ON a (name)",
            ),
            Dialect::Sqlite => ("PRAGMA foreign_keys = ON", "PRAGMA foreign_keys = OFF"),
            // MySQL/MariaDB: no statement is non-transactional (reference §9); skipped.
            Dialect::Mysql => continue,
        };
        let base = ("V1__a.sql", "CREATE TABLE a (id INT, name VARCHAR(20));\n");
        let mixed_text = format!("INSERT INTO a VALUES (1, 'x');\n{non_tx};\n");
        let src = files(&[base, ("V2__mixed.sql", mixed_text.as_str())]);
        let config = Config::default();

        let failure = db.migrate(&src, &config).unwrap_err();
        let expected = format!(
            "Detected both transactional and non-transactional statements within the same migration (even though mixed is false). Offending statement found at line 2: {non_tx}"
        );
        assert!(
            failure.error.to_string().contains(&expected),
            "{name}: {}",
            failure.error
        );
        assert_eq!(failure.report.applied.len(), 1, "{name}: V1 only");
        assert_eq!(db.history().len(), 1, "{name}: nothing written for V2");
        assert_eq!(
            db.texts("SELECT COUNT(*) FROM a"),
            ["0"],
            "{name}: nothing of V2 ran"
        );

        let mixed = Config {
            mixed: true,
            ..Config::default()
        };
        let schema = db.schema_display(&config);
        let (report, log) = db.migrate_logged(&src, &mixed);
        report.unwrap_or_else(|f| panic!("{name}: {f}"));
        let line =
            format!("Migrating schema {schema} to version \"2 - mixed\" [non-transactional]");
        assert!(log.info.contains(&line), "{name}: {:?}", log.info);
        assert_eq!(db.texts("SELECT COUNT(*) FROM a"), ["1"], "{name}");

        // A script holding only the non-transactional statement runs outside a transaction
        // (PostgreSQL refuses CREATE INDEX CONCURRENTLY inside one) and succeeds by default.
        let single_text = format!("{single};\n");
        let src = files(&[
            base,
            ("V2__mixed.sql", mixed_text.as_str()),
            ("V3__single.sql", single_text.as_str()),
        ]);
        let (report, log) = db.migrate_logged(&src, &config);
        report.unwrap_or_else(|f| panic!("{name}: {f}"));
        let line =
            format!("Migrating schema {schema} to version \"3 - single\" [non-transactional]");
        assert!(log.info.contains(&line), "{name}: {:?}", log.info);
        let rows = db.history();
        assert_eq!(rows.len(), 3, "{name}");
        assert!(rows.iter().all(|r| r.success), "{name}");
        if db.driver.dialect() == Dialect::Postgres {
            assert_eq!(
                db.texts(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'a' ORDER BY indexname"
                ),
                ["a_id_idx", "a_name_idx"],
                "{name}"
            );
        }
    }
}
