//! Sixteen `tidemark migrate` processes started at once on one database: the lock lets exactly
//! one of them apply each migration, the others find nothing left to do, and nobody fails.
//! Three rounds, each on a fresh database: gated (all certainly waiting on the lock at once),
//! racing, and racing with PostgreSQL's transactional lock.

use std::collections::BTreeSet;
use std::time::Duration;

use tidemark_engine::driver::Value;
use tidemark_engine::lock::flyway_lock_id;

use super::super::support::{Project, Run, Spawned};
use super::{Db, FIVE_APPLIED, five_migrations, poll_until};

const PROCESSES: usize = 16;

/// The statement each server shows while a `tidemark` session tries Flyway's lock.
fn lock_attempt(db: &Db) -> &'static str {
    if db.is_postgres() {
        "SELECT pg_try_advisory_lock("
    } else {
        "SELECT GET_LOCK("
    }
}

/// Takes Flyway's lock for the history table on a session of the test's own.
fn hold_lock(db: &Db) -> Box<dyn tidemark_engine::Driver> {
    let mut holder = db.connect();
    let id = flyway_lock_id(&db.schema(), "flyway_schema_history");
    let taken = if db.is_postgres() {
        holder.query("SELECT pg_try_advisory_lock($1)", &[Value::Int(id.key)])
    } else {
        holder.query("SELECT GET_LOCK(?, 0)", &[Value::Text(id.name)])
    }
    .unwrap();
    assert_eq!(
        taken[0][0].as_bool(),
        Some(true),
        "take the lock: {taken:?}"
    );
    holder
}

/// How a round starts the processes.
#[derive(Clone, Copy, PartialEq)]
enum Start {
    /// The test holds the lock until every process has tried it, so all sixteen are certainly
    /// waiting at once when it is released.
    Gated,
    /// The processes race from the start (the history table does not exist yet either way).
    Race,
    /// Racing, on PostgreSQL with `postgresql.transactional.lock` (the lock held by a
    /// transaction on a second session of each process).
    RaceTransactionalLock,
}

/// One round on a fresh database.
fn round(new_db: fn() -> Option<Db>, start: Start) -> Option<()> {
    let db = new_db()?;
    let p = Project::new();
    five_migrations(&db, &p, "0.2");
    let url = db.url();
    let holder = (start == Start::Gated).then(|| hold_lock(&db));
    let mut args = vec![
        "migrate",
        "--url",
        &url,
        "--format",
        "json",
        "--lock-retry-count",
        "600",
    ];
    if start == Start::RaceTransactionalLock && db.is_postgres() {
        args.push("-postgresql.transactional.lock=true");
    }
    let processes: Vec<Spawned> = (0..PROCESSES).map(|_| p.spawn(&args)).collect();
    if let Some(mut holder) = holder {
        let mut waiting = BTreeSet::new();
        poll_until(
            &format!("all {PROCESSES} processes to try the held lock"),
            || {
                waiting.extend(db.sessions(lock_attempt(&db)));
                (waiting.len() >= PROCESSES).then_some(())
            },
        );
        assert!(
            !db.has_table("flyway_schema_history"),
            "nothing may happen while the lock is held"
        );
        let id = flyway_lock_id(&db.schema(), "flyway_schema_history");
        if db.is_postgres() {
            holder
                .query("SELECT pg_advisory_unlock($1)", &[Value::Int(id.key)])
                .unwrap();
        } else {
            holder
                .query("SELECT RELEASE_LOCK(?)", &[Value::Text(id.name)])
                .unwrap();
        }
    }
    // A hang, not slowness, reaches this deadline: MySQL waits up to 10 s per lock attempt.
    let runs: Vec<Run> = processes
        .into_iter()
        .map(|s| s.wait_for(Duration::from_secs(600)))
        .collect();
    let mut executed = 0;
    for (i, run) in runs.iter().enumerate() {
        let all = run.all();
        assert_eq!(run.code, 0, "{} process {i} failed\n{all}", db.label());
        let lower = all.to_lowercase();
        for bad in ["already exists", "duplicate", "error"] {
            assert!(
                !lower.contains(bad),
                "{} process {i} printed '{bad}':\n{all}",
                db.label()
            );
        }
        executed += run.json()["migrationsExecuted"].as_i64().unwrap();
    }
    assert_eq!(
        executed,
        5,
        "{}: each migration executed by exactly one process",
        db.label()
    );
    assert_eq!(db.history(), FIVE_APPLIED, "{}", db.label());
    assert_eq!(db.count("SELECT count(*) FROM items", &[]), 1);
    Some(())
}

fn sixteen_at_once(new_db: fn() -> Option<Db>) {
    for start in [Start::Gated, Start::Race, Start::RaceTransactionalLock] {
        if round(new_db, start).is_none() {
            return;
        }
    }
}

#[test]
fn sixteen_processes_migrate_one_postgres_database_applying_each_migration_once() {
    sixteen_at_once(Db::postgres);
}

#[test]
fn sixteen_processes_migrate_one_mariadb_database_applying_each_migration_once() {
    sixteen_at_once(Db::mariadb);
}
