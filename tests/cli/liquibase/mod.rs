//! Liquibase mode through the binary: a changelog is configured, tidemark reads and writes
//! Liquibase's own tables, and the real Liquibase 4.28 (when installed) agrees with every row.
//!
//! * [`sqlite`] — every command and rule end to end on SQLite (DDL, rows, filters,
//!   preconditions, re-runs, rollbacks, `*-sql`, locks, checksum upgrades, error texts, settings);
//! * [`servers`] — the same tables and rows on PostgreSQL and MariaDB, and what a failure leaves
//!   behind on each;
//! * [`interop`] — against the real Liquibase 4.28 (npm package `liquibase@4.28.1`): each tool
//!   reads what the other wrote, both reject the same changed changeset, each rolls back what the
//!   other applied, and each waits for the other's lock. Skipped with a message on stderr when
//!   java or the package is absent.

mod interop;
mod servers;
mod sqlite;

use tidemark_engine::driver::{Driver, Value};

use super::support::Project;

/// A project whose changelog is `changelog.sql` with `text`.
fn project(text: &str) -> Project {
    let p = Project::new();
    p.file("changelog.sql", text.as_bytes());
    p
}

/// Runs `tidemark --changelog-file changelog.sql ARGS` (SQLite `tidemark.db`).
fn lb(p: &Project, args: &[&str]) -> super::support::Run {
    let mut all = vec!["--changelog-file", "changelog.sql"];
    all.extend_from_slice(args);
    p.run(&all)
}

/// `DATABASECHANGELOG` rows, by ORDEREXECUTED, as
/// `ID|AUTHOR|FILENAME|ORDEREXECUTED|EXECTYPE|MD5SUM|DESCRIPTION|COMMENTS|CONTEXTS|LABELS|TAG`
/// (NULL as `NULL`).
fn rows(driver: &mut dyn Driver) -> Vec<String> {
    let sql = "SELECT ID, AUTHOR, FILENAME, ORDEREXECUTED, EXECTYPE, MD5SUM, DESCRIPTION, COMMENTS, CONTEXTS, LABELS, TAG FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED";
    driver
        .query(sql, &[])
        .expect("read DATABASECHANGELOG")
        .into_iter()
        .map(|r| {
            r.iter()
                .map(|v| v.as_text().unwrap_or_else(|| "NULL".into()))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

/// The DEPLOYMENT_ID and LIQUIBASE columns of every row.
fn deployments(driver: &mut dyn Driver) -> Vec<(String, String)> {
    driver
        .query(
            "SELECT DEPLOYMENT_ID, LIQUIBASE FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED",
            &[],
        )
        .expect("read DATABASECHANGELOG")
        .into_iter()
        .map(|r| {
            (
                r[0].as_text().unwrap_or_default(),
                r[1].as_text().unwrap_or_default(),
            )
        })
        .collect()
}

/// Whether the lock row says LOCKED.
fn locked(driver: &mut dyn Driver) -> bool {
    driver
        .query("SELECT LOCKED FROM DATABASECHANGELOGLOCK WHERE ID = 1", &[])
        .ok()
        .and_then(|r| r.first().and_then(|r| r.first()).and_then(Value::as_bool))
        .unwrap_or(false)
}

/// The project's SQLite database through the engine's driver.
fn sqlite(p: &Project) -> tidemark_sqlite::SqliteDriver {
    tidemark_sqlite::SqliteDriver::open(&p.path().join("tidemark.db")).expect("open tidemark.db")
}
