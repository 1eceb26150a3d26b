//! The per-statement hooks of `Reporter` (what `tidemark rehearse` measures with): called before
//! and after every statement of migrations and callbacks, with the file, the line, the rows or
//! the error, and the migrating session; never in a dry run. Reporters that do not implement
//! them are unaffected (every other test in the workspace).

use std::path::Path;

use tidemark_engine::driver::{DbError, Driver};
use tidemark_engine::{Config, Engine, Reporter, StatementEvent};
use tidemark_ledger::source::MemSource;
use tidemark_sqlite::SqliteDriver;

#[derive(Default)]
struct Hooks {
    events: Vec<String>,
}

impl Reporter for Hooks {
    fn info(&mut self, _line: &str) {}
    fn warn(&mut self, _line: &str) {}

    fn before_statement(&mut self, s: &StatementEvent<'_>, driver: &mut dyn Driver) {
        // The session is lent for read-only catalog queries.
        let tables = driver
            .query(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                &[],
            )
            .unwrap()[0][0]
            .as_i64()
            .unwrap();
        self.events.push(format!(
            "before {} {}:{} ({tables} tables) {}",
            s.what,
            file(s.path),
            s.line,
            s.sql.trim()
        ));
    }

    fn after_statement(
        &mut self,
        s: &StatementEvent<'_>,
        outcome: Result<u64, &DbError>,
        _driver: &mut dyn Driver,
    ) {
        let outcome = match outcome {
            Ok(rows) => format!("{rows} rows"),
            Err(e) => format!("error {}", e.message.split(':').next().unwrap_or_default()),
        };
        self.events
            .push(format!("after {}:{} {outcome}", file(s.path), s.line));
    }
}

fn file(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn files() -> MemSource {
    let mut src = MemSource::new();
    src.add(
        0,
        "V1__t.sql",
        "CREATE TABLE t (id INT);\n\nINSERT INTO t VALUES (1), (2);\n",
    );
    src.add(0, "afterMigrate.sql", "UPDATE t SET id = id + 1;\n");
    src
}

#[test]
fn every_statement_is_announced_before_and_after() {
    let mut driver = SqliteDriver::memory().unwrap();
    let config = Config::default();
    let mut hooks = Hooks::default();
    let files = files();
    Engine::new(&mut driver, &files, &config, &mut hooks)
        .unwrap()
        .migrate()
        .unwrap();
    assert_eq!(
        hooks.events,
        [
            "before Migration V1__t.sql V1__t.sql:1 (2 tables) CREATE TABLE t (id INT)",
            "after V1__t.sql:1 0 rows",
            "before Migration V1__t.sql V1__t.sql:3 (3 tables) INSERT INTO t VALUES (1), (2)",
            "after V1__t.sql:3 2 rows",
            "before Callback afterMigrate.sql afterMigrate.sql:1 (3 tables) UPDATE t SET id = id + 1",
            "after afterMigrate.sql:1 2 rows",
        ]
    );
}

#[test]
fn a_failing_statement_is_announced_with_its_error() {
    let mut driver = SqliteDriver::memory().unwrap();
    let config = Config::default();
    let mut hooks = Hooks::default();
    let mut src = MemSource::new();
    src.add(
        0,
        "V1__broken.sql",
        "CREATE TABLE t (id INT);\nINSERT INTO missing VALUES (1);\n",
    );
    assert!(
        Engine::new(&mut driver, &src, &config, &mut hooks)
            .unwrap()
            .migrate()
            .is_err()
    );
    assert_eq!(hooks.events.len(), 4, "{:?}", hooks.events);
    assert_eq!(
        hooks.events[3],
        "after V1__broken.sql:2 error no such table"
    );
}

#[test]
fn a_dry_run_announces_nothing() {
    let mut driver = SqliteDriver::memory().unwrap();
    let config = Config {
        dry_run: true,
        ..Config::default()
    };
    let mut hooks = Hooks::default();
    let files = files();
    Engine::new(&mut driver, &files, &config, &mut hooks)
        .unwrap()
        .migrate()
        .unwrap();
    assert!(hooks.events.is_empty(), "{:?}", hooks.events);
}
