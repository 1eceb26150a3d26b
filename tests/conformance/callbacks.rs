//! SQL callbacks on every driver: Flyway's order, and what survives a failed migration
//! (reference §8).

use tidemark_engine::{Config, Dialect};
use tidemark_ledger::plan::PlanConfig;
use tidemark_ledger::source::MemSource;
use tidemark_ledger::version::Target;

use super::harness::{TestDb, databases, files, per_dialect};

const EVENTS: &[&str] = &[
    "beforeMigrate",
    "beforeMigrate__second",
    "beforeEachMigrate",
    "afterEachMigrate",
    "afterEachMigrateError",
    "afterVersioned",
    "beforeRepeatables",
    "afterMigrateApplied",
    "afterMigrate",
    "afterMigrateError",
    "beforeValidate",
    "afterValidate",
    "beforeInfo",
    "afterInfo",
    "beforeRepair",
    "afterRepair",
];

/// Every callback logs its name into `cb_log` (created by whichever runs first; the sequence
/// column needs each DBMS's own auto-increment).
fn with_callbacks(dialect: Dialect, v2: &str) -> MemSource {
    let seq = per_dialect(
        dialect,
        [
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "SERIAL PRIMARY KEY",
            "INT AUTO_INCREMENT PRIMARY KEY",
        ],
    );
    let mut list: Vec<(String, String)> = EVENTS
        .iter()
        .map(|event| {
            (
                format!("{event}.sql"),
                format!(
                    "CREATE TABLE IF NOT EXISTS cb_log (seq {seq}, event VARCHAR(100) NOT NULL);\nINSERT INTO cb_log (event) VALUES ('{event}');\n"
                ),
            )
        })
        .collect();
    list.push(("V1__a.sql".into(), "CREATE TABLE a (id INT);".into()));
    list.push(("V2__b.sql".into(), v2.into()));
    list.push((
        "R__v.sql".into(),
        "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT * FROM a;".into(),
    ));
    let borrowed: Vec<(&str, &str)> = list.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    files(&borrowed)
}

fn log(db: &mut TestDb) -> Vec<String> {
    db.texts("SELECT event FROM cb_log ORDER BY seq")
}

/// The history table is created before `beforeMigrate`, so the callbacks' log table does not
/// make the schema look non-empty; the implicit validate runs before that, hence it is off for
/// the first run (as in the CLI test).
fn first_run() -> Config {
    Config {
        validate_on_migrate: false,
        ..Config::default()
    }
}

#[test]
fn migrate_fires_callbacks_in_flyways_order() {
    for mut db in databases() {
        let name = db.name;
        let src = with_callbacks(db.driver.dialect(), "CREATE TABLE b (id INT);");
        let (report, trace) = db.migrate_logged(&src, &first_run());
        report.unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(
            trace
                .info
                .iter()
                .any(|l| l == "Executing SQL callback: beforeMigrate - second"),
            "{name}: {:?}",
            trace.info
        );
        assert_eq!(
            log(&mut db),
            [
                "beforeMigrate",
                "beforeMigrate__second",
                "beforeEachMigrate",
                "afterEachMigrate",
                "beforeEachMigrate",
                "afterEachMigrate",
                "afterVersioned",
                "beforeRepeatables",
                "beforeEachMigrate",
                "afterEachMigrate",
                "afterMigrateApplied",
                "afterMigrate",
            ],
            "{name}"
        );

        // Nothing to do: no afterMigrateApplied; validation callbacks around the implicit
        // validate.
        db.driver.execute("DELETE FROM cb_log", &[]).unwrap();
        db.migrate(&src, &Config::default())
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(
            log(&mut db),
            [
                "beforeValidate",
                "afterValidate",
                "beforeMigrate",
                "beforeMigrate__second",
                "afterVersioned",
                "afterMigrate"
            ],
            "{name}"
        );

        // Other commands fire their own events; callbacks are never recorded in the history.
        db.driver.execute("DELETE FROM cb_log", &[]).unwrap();
        let config = Config::default();
        db.with_engine(&src, &config, |e| e.info())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        db.with_engine(&src, &config, |e| e.repair())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            log(&mut db),
            [
                "beforeInfo",
                "afterInfo",
                "beforeValidate",
                "afterValidate",
                "beforeRepair",
                "afterRepair"
            ],
            "{name}"
        );
        assert_eq!(db.history().len(), 3, "{name}");
    }
}

#[test]
fn failed_migration_fires_error_callbacks() {
    for mut db in databases() {
        let name = db.name;
        let dialect = db.driver.dialect();
        let good = with_callbacks(dialect, "CREATE TABLE b (id INT);");
        let to_v1 = Config {
            plan: PlanConfig {
                target: Target::parse("1").unwrap(),
                out_of_order: false,
            },
            ..first_run()
        };
        db.migrate(&good, &to_v1)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        db.driver.execute("DELETE FROM cb_log", &[]).unwrap();

        let broken = with_callbacks(
            dialect,
            "CREATE TABLE b (id INT);\nINSERT INTO nope VALUES (1);",
        );
        db.migrate(&broken, &first_run()).unwrap_err();
        if db.driver.supports_ddl_transactions() {
            // beforeEachMigrate and afterEachMigrateError ran inside V2's transaction, which was
            // rolled back with it; afterMigrateError ran in its own.
            assert_eq!(
                log(&mut db),
                [
                    "beforeMigrate",
                    "beforeMigrate__second",
                    "afterMigrateError"
                ],
                "{name}"
            );
        } else {
            // MySQL/MariaDB: every DDL statement commits implicitly (the callbacks' own
            // CREATE TABLE IF NOT EXISTS and V2's CREATE TABLE), so the per-migration callbacks
            // cannot be rolled back with the failed migration and stay logged.
            assert_eq!(
                log(&mut db),
                [
                    "beforeMigrate",
                    "beforeMigrate__second",
                    "beforeEachMigrate",
                    "afterEachMigrateError",
                    "afterMigrateError"
                ],
                "{name}"
            );
        }
    }
}

#[test]
fn skip_default_callbacks_ignores_them() {
    for mut db in databases() {
        let name = db.name;
        let src = with_callbacks(db.driver.dialect(), "CREATE TABLE b (id INT);");
        let config = Config {
            skip_default_callbacks: true,
            ..Config::default()
        };
        db.migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(!db.has_table("cb_log"), "{name}");
        assert_eq!(db.history().len(), 3, "{name}");
    }
}
