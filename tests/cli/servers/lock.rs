//! Lock interop: while another session (a running Flyway, say) holds Flyway's lock for the
//! history table, `tidemark migrate` waits without touching anything, and proceeds when the lock
//! is released. A `migrate` with nothing to do takes no lock (it reads the history without it
//! and writes nothing); one that finds work reads the history again under the lock, so what
//! another run applied meanwhile is not applied twice.

use tidemark_engine::Driver;
use tidemark_engine::driver::Value;
use tidemark_engine::lock::flyway_lock_id;

use super::super::support::Project;
use super::{Db, FIVE_APPLIED, five_migrations, poll_until};

/// Flyway's documented advisory key for `"public"."flyway_schema_history"`.
const FLYWAY_KEY: i64 = 77433833903597;

/// How the other session holds the lock.
enum Hold {
    /// Flyway 10+: `BEGIN; SELECT pg_try_advisory_xact_lock(key)`, the transaction left open.
    Transaction,
    /// `pg_advisory_lock(key)` on the session (older Flyway, tidemark itself).
    Session,
    /// MySQL/MariaDB: `GET_LOCK('Flyway-<hash>', ...)`.
    Named,
}

fn take(db: &Db, hold: &Hold) -> Box<dyn Driver> {
    let mut holder = db.connect();
    let id = flyway_lock_id(&db.schema(), "flyway_schema_history");
    if db.is_postgres() {
        assert_eq!(id.key, FLYWAY_KEY);
    }
    let taken = match hold {
        Hold::Transaction => {
            holder.begin().unwrap();
            holder.query(
                "SELECT pg_try_advisory_xact_lock($1)",
                &[Value::Int(id.key)],
            )
        }
        Hold::Session => holder.query(
            "SELECT pg_advisory_lock($1) IS NOT NULL",
            &[Value::Int(id.key)],
        ),
        Hold::Named => holder.query("SELECT GET_LOCK(?, 0)", &[Value::Text(id.name)]),
    }
    .unwrap();
    assert_eq!(
        taken[0][0].as_bool(),
        Some(true),
        "take the lock: {taken:?}"
    );
    holder
}

fn release(db: &Db, hold: &Hold, mut holder: Box<dyn Driver>) {
    let id = flyway_lock_id(&db.schema(), "flyway_schema_history");
    match hold {
        Hold::Transaction => holder.commit().unwrap(),
        Hold::Session => {
            let released = holder
                .query("SELECT pg_advisory_unlock($1)", &[Value::Int(id.key)])
                .unwrap();
            assert_eq!(released[0][0].as_bool(), Some(true));
        }
        Hold::Named => {
            let released = holder
                .query("SELECT RELEASE_LOCK(?)", &[Value::Text(id.name)])
                .unwrap();
            assert_eq!(released[0][0].as_bool(), Some(true));
        }
    }
}

fn waits_for_the_lock(db: &Db, hold: Hold) {
    let p = Project::new();
    five_migrations(db, &p, "0");
    let holder = take(db, &hold);
    let url = db.url();
    let mut run = p.spawn(&["migrate", "--url", &url, "--lock-retry-count", "600"]);
    // A refused attempt: tidemark is waiting, not merely starting (MySQL's attempt is a
    // `GET_LOCK(name, 10)` that timed out).
    poll_until("tidemark to report that it waits for the lock", || {
        let said = format!("{}{}", run.stdout(), run.stderr());
        assert!(
            !run.finished(),
            "tidemark ended while the lock was held:\n{said}"
        );
        said.contains("Waiting for the migration lock held by another session (attempt 1)")
            .then_some(())
    });
    let attempt = if db.is_postgres() {
        "SELECT pg_try_advisory_lock("
    } else {
        "SELECT GET_LOCK("
    };
    if db.is_postgres() {
        // Its session is there, and the last thing it did was try the lock.
        assert_eq!(db.sessions(attempt).len(), 1, "{:?}", db.sessions(""));
    }
    assert!(
        !db.has_table("flyway_schema_history"),
        "nothing may be written while the lock is held"
    );
    assert!(!db.has_table("items"), "nothing may be applied");
    assert!(!run.finished(), "tidemark must still be waiting");
    release(db, &hold, holder);
    let out = run.wait().ok();
    assert!(
        out.stdout
            .contains("Successfully applied 5 migrations to schema"),
        "{}",
        out.stdout
    );
    assert_eq!(db.history(), FIVE_APPLIED);
}

#[test]
fn flyways_lock_key_for_the_default_history_table_is_the_documented_one() {
    assert_eq!(
        flyway_lock_id("public", "flyway_schema_history").key,
        FLYWAY_KEY
    );
}

#[test]
fn migrate_waits_while_flyway_holds_the_transactional_advisory_lock() {
    let Some(db) = Db::postgres() else { return };
    waits_for_the_lock(&db, Hold::Transaction);
}

#[test]
fn migrate_waits_while_a_session_holds_the_advisory_lock() {
    let Some(db) = Db::postgres() else { return };
    waits_for_the_lock(&db, Hold::Session);
}

#[test]
fn migrate_waits_while_another_session_holds_flyways_named_lock_on_mariadb() {
    let Some(db) = Db::mariadb() else { return };
    waits_for_the_lock(&db, Hold::Named);
}

fn nothing_to_do_takes_no_lock(db: &Db, hold: Hold) {
    let p = Project::new();
    five_migrations(db, &p, "0");
    let url = db.url();
    p.run(&["migrate", "--url", &url]).ok();
    let holder = take(db, &hold);
    // With the lock held elsewhere, a run that needed it would wait (and, with no retries,
    // give up): this one ends at once, and says what a run under the lock would have said.
    let out = p
        .run(&["migrate", "--url", &url, "--lock-retry-count", "0"])
        .ok();
    assert!(
        out.stdout
            .contains("is up to date. No migration necessary."),
        "{}",
        out.all()
    );
    assert!(
        !out.all().contains("Waiting for the migration lock"),
        "{}",
        out.all()
    );
    release(db, &hold, holder);
    assert_eq!(db.history(), FIVE_APPLIED);
}

#[test]
fn a_migrate_with_nothing_to_do_does_not_wait_for_the_postgres_lock() {
    let Some(db) = Db::postgres() else { return };
    nothing_to_do_takes_no_lock(&db, Hold::Session);
}

#[test]
fn a_migrate_with_nothing_to_do_does_not_wait_for_the_mariadb_lock() {
    let Some(db) = Db::mariadb() else { return };
    nothing_to_do_takes_no_lock(&db, Hold::Named);
}

/// Run A starts while run B is applying (B holds the lock, its second migration sleeping): A
/// reads the history without the lock and sees work, so it waits for the lock; when B is done,
/// A reads the history again under the lock and finds nothing left. Had A applied from its
/// first read, it would have run B's migrations a second time (and failed on `items`).
fn a_waiting_run_reads_the_history_again_under_the_lock(db: &Db) {
    let p = Project::new();
    five_migrations(db, &p, "2");
    let url = db.url();
    let b = p.spawn(&["migrate", "--url", &url]);
    let sleeping = if db.is_postgres() {
        "pg_sleep("
    } else {
        "SLEEP("
    };
    poll_until("the first run to be inside its slow migration", || {
        (!db.sessions(sleeping).is_empty()).then_some(())
    });
    let mut a = p.spawn(&["migrate", "--url", &url, "--lock-retry-count", "600"]);
    // On PostgreSQL a refused attempt says so; on MariaDB the first attempt waits in the
    // server (`GET_LOCK(name, 10)`) before anything is said.
    poll_until("the second run to wait for the lock", || {
        assert!(
            !a.finished(),
            "the second run ended while the first held the lock:\n{}{}",
            a.stdout(),
            a.stderr()
        );
        let waiting = if db.is_postgres() {
            format!("{}{}", a.stdout(), a.stderr())
                .contains("Waiting for the migration lock held by another session")
        } else {
            !db.sessions("GET_LOCK(").is_empty()
        };
        waiting.then_some(())
    });
    let b = b.wait().ok();
    assert!(
        b.stdout.contains("Successfully applied 5 migrations"),
        "{}",
        b.all()
    );
    let a = a.wait().ok();
    assert!(
        a.stdout.contains("is up to date. No migration necessary."),
        "{}",
        a.all()
    );
    assert_eq!(db.history(), FIVE_APPLIED);
}

#[test]
fn a_waiting_postgres_run_reads_the_history_again_under_the_lock() {
    let Some(db) = Db::postgres() else { return };
    a_waiting_run_reads_the_history_again_under_the_lock(&db);
}

#[test]
fn a_waiting_mariadb_run_reads_the_history_again_under_the_lock() {
    let Some(db) = Db::mariadb() else { return };
    a_waiting_run_reads_the_history_again_under_the_lock(&db);
}
