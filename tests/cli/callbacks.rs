//! SQL callbacks fire in Flyway's order, per-migration ones inside the migration's transaction.

use super::support::Project;

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

fn with_callbacks() -> Project {
    let p = Project::new();
    for event in EVENTS {
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);\nINSERT INTO log (event) VALUES ('{event}');\n"
        );
        p.migration(&format!("{event}.sql"), &sql);
    }
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("V2__b.sql", "CREATE TABLE b (id INT);")
        .migration(
            "R__v.sql",
            "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT * FROM a;",
        );
    p
}

fn log(p: &Project) -> Vec<String> {
    let db = p.db();
    let mut stmt = db.prepare("SELECT event FROM log ORDER BY seq").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn migrate_fires_callbacks_in_flyways_order() {
    let p = with_callbacks();
    // The history table is created before beforeMigrate, so the callbacks' log table does not
    // make the schema look non-empty.
    let run = p.run(&["migrate", "--validate-on-migrate", "false"]).ok();
    assert!(
        run.stdout
            .contains("Executing SQL callback: beforeMigrate - second"),
        "{}",
        run.stdout
    );
    assert_eq!(
        log(&p),
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
        ]
    );

    // Nothing to do: no afterMigrateApplied; validation callbacks around the implicit validate.
    p.db().execute_batch("DELETE FROM log").unwrap();
    p.run(&["migrate"]).ok();
    assert_eq!(
        log(&p),
        [
            "beforeValidate",
            "afterValidate",
            "beforeMigrate",
            "beforeMigrate__second",
            "afterVersioned",
            "afterMigrate"
        ]
    );

    // Other commands fire their own events; callbacks are never recorded in the history.
    p.db().execute_batch("DELETE FROM log").unwrap();
    p.run(&["info"]).ok();
    p.run(&["validate"]).ok();
    p.run(&["repair"]).ok();
    assert_eq!(
        log(&p),
        [
            "beforeInfo",
            "afterInfo",
            "beforeValidate",
            "afterValidate",
            "beforeRepair",
            "afterRepair"
        ]
    );
    assert_eq!(p.history().len(), 3);
}

#[test]
fn failure_fires_error_callbacks_and_rolls_back_the_per_migration_ones() {
    let p = with_callbacks();
    p.run(&["migrate", "--validate-on-migrate", "false", "--target", "1"])
        .ok();
    p.db().execute_batch("DELETE FROM log").unwrap();
    p.migration(
        "V2__b.sql",
        "CREATE TABLE b (id INT);\nINSERT INTO nope VALUES (1);",
    );
    p.run(&["migrate", "--validate-on-migrate", "false"])
        .code(1);
    // beforeEachMigrate and afterEachMigrateError ran inside V2's transaction, which was rolled
    // back with it; afterMigrateError ran in its own.
    assert_eq!(
        log(&p),
        [
            "beforeMigrate",
            "beforeMigrate__second",
            "afterMigrateError"
        ]
    );
}

#[test]
fn skip_default_callbacks_ignores_them() {
    let p = with_callbacks();
    p.run(&[
        "migrate",
        "--validate-on-migrate",
        "false",
        "-skipDefaultCallbacks=true",
    ])
    .ok();
    assert!(!p.has_table("log"));
}

/// `validate` and `info` read the history while the files load (see the engine's `ReadAhead`),
/// but a `beforeValidate` / `beforeInfo` callback runs before their read, and what it changes
/// must be what they see.
#[test]
fn history_is_read_after_the_before_callbacks() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate"]).ok();
    let good: i64 = p
        .db()
        .query_row(
            "SELECT checksum FROM flyway_schema_history WHERE version = '1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    p.db()
        .execute(
            "UPDATE flyway_schema_history SET checksum = 7 WHERE version = '1'",
            [],
        )
        .unwrap();
    let out = p.run(&["validate"]).code(1);
    assert!(
        out.all().contains("Migration checksum mismatch"),
        "{}",
        out.all()
    );

    // The callback puts the right checksum back; the read must come after it.
    p.migration(
        "beforeValidate.sql",
        &format!("UPDATE flyway_schema_history SET checksum = {good} WHERE version = '1';"),
    );
    p.run(&["validate"]).ok();
    p.db()
        .execute(
            "UPDATE flyway_schema_history SET description = 'renamed' WHERE version = '1'",
            [],
        )
        .unwrap();
    p.migration(
        "beforeInfo.sql",
        "UPDATE flyway_schema_history SET description = 'from callback' WHERE version = '1';",
    );
    let info = p.run(&["info"]).ok();
    assert!(info.stdout.contains("from callback"), "{}", info.stdout);
}
