//! Crash safety: `tidemark migrate` killed with SIGKILL in the middle of a long migration.
//!
//! PostgreSQL runs the migration and its history row in one transaction, which dies with the
//! connection: no row, no partial schema, and the next run applies it cleanly. MariaDB commits
//! each DDL statement as it goes, so the honest outcome is the partial schema without a row; the
//! next run fails on it and records a failed row, `migrate` refuses until the user cleans up and
//! runs `repair`, as with Flyway.

use super::super::support::{Project, Spawned};
use super::{Db, poll_until};

const BASE: &str = "CREATE TABLE base (id INT);\n";

fn partial(db: &Db, sleep: bool) -> String {
    let sleep = if sleep {
        format!("{}\n", db.sleep("30"))
    } else {
        String::new()
    };
    format!("CREATE TABLE partial_a (id INT);\n{sleep}CREATE TABLE partial_b (id INT);\n")
}

/// Starts `migrate` with V2 sleeping, waits until the server runs the sleep, kills the process
/// with SIGKILL; returns the server session it left behind.
fn kill_mid_migration(db: &Db, p: &Project) -> i64 {
    p.migration("V1__base.sql", BASE)
        .migration("V2__partial.sql", &partial(db, true));
    let url = db.url();
    let mut run: Spawned = p.spawn(&["migrate", "--url", &url]);
    let sleep = if db.is_postgres() {
        "SELECT pg_sleep(30)"
    } else {
        "SELECT SLEEP(30)"
    };
    let session = poll_until("the server to run V2's sleep", || {
        assert!(
            !run.finished(),
            "tidemark ended before V2 slept:\n{}{}",
            run.stdout(),
            run.stderr()
        );
        db.sessions(sleep).first().copied()
    });
    run.kill();
    assert!(run.finished());
    session
}

#[test]
fn postgres_migration_killed_midway_leaves_no_row_and_no_partial_schema() {
    let Some(db) = Db::postgres() else { return };
    let p = Project::new();
    let session = kill_mid_migration(&db, &p);
    assert_eq!(db.history(), ["1|1|V1__base.sql|1"]);
    // The server notices the dead client when the sleep ends; the transaction dies with the
    // session, its advisory lock with it.
    poll_until("the killed run's server session to end", || {
        (!db.session_alive(session)).then_some(())
    });
    assert!(!db.has_table("partial_a"), "partial schema left behind");
    assert!(!db.has_table("partial_b"));
    assert_eq!(db.history(), ["1|1|V1__base.sql|1"]);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[]
        ),
        0,
        "an advisory lock outlived its session"
    );

    // The next run (the sleep taken out) applies V2 cleanly.
    p.migration("V2__partial.sql", &partial(&db, false));
    let url = db.url();
    p.run(&["migrate", "--url", &url]).ok();
    assert_eq!(
        db.history(),
        ["1|1|V1__base.sql|1", "2|2|V2__partial.sql|1"]
    );
    assert!(db.has_table("partial_a") && db.has_table("partial_b"));
}

#[test]
fn mariadb_migration_killed_midway_leaves_the_partial_schema_then_a_failed_row_and_repair() {
    let Some(db) = Db::mariadb() else { return };
    let p = Project::new();
    let session = kill_mid_migration(&db, &p);
    // The CREATE TABLE before the sleep committed implicitly; no row was written.
    assert!(db.has_table("partial_a"));
    assert!(!db.has_table("partial_b"));
    assert_eq!(db.history(), ["1|1|V1__base.sql|1"]);
    // The session holds Flyway's named lock until the server notices the dead client.
    poll_until("the killed run's server session to end", || {
        (!db.session_alive(session)).then_some(())
    });
    assert!(!db.has_table("partial_b"));
    assert_eq!(db.history(), ["1|1|V1__base.sql|1"]);

    // The next run (the sleep taken out) fails on the leftover table and says so honestly.
    p.migration("V2__partial.sql", &partial(&db, false));
    let url = db.url();
    let failed = p.run(&["migrate", "--url", &url]).code(1);
    assert!(failed.stderr.contains("42S01"), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("Table 'partial_a' already exists"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("V2__partial.sql:1"),
        "{}",
        failed.stderr
    );
    assert_eq!(
        db.history(),
        ["1|1|V1__base.sql|1", "2|2|V2__partial.sql|0"]
    );
    assert_eq!(p.states_with(&["--url", &url]), ["1:Success", "2:Failed"]);
    let refused = p.run(&["migrate", "--url", &url]).code(1);
    assert!(
        refused
            .stderr
            .contains("Detected failed migration to version 2 (partial)"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "Please remove any half-completed changes then run repair to fix the schema history."
        ),
        "{}",
        refused.stderr
    );

    // The user cleans up by hand, repair removes the failed row, migrate applies V2.
    db.connect()
        .execute("DROP TABLE partial_a", &[])
        .expect("drop partial_a");
    p.run(&["repair", "--url", &url]).ok();
    assert_eq!(db.history(), ["1|1|V1__base.sql|1"]);
    assert_eq!(p.states_with(&["--url", &url]), ["1:Success", "2:Pending"]);
    p.run(&["migrate", "--url", &url]).ok();
    assert_eq!(
        db.history(),
        ["1|1|V1__base.sql|1", "2|2|V2__partial.sql|1"]
    );
    assert!(db.has_table("partial_a") && db.has_table("partial_b"));
}
