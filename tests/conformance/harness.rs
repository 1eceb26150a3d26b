//! Fresh databases for the conformance suite, one per test.
//!
//! SQLite is always available (a temp file). Server drivers register here as they are added;
//! each creates a uniquely named database and drops it afterwards.

use tempfile::TempDir;
use tidemark_engine::history_table::quote;
use tidemark_engine::{Collect, Config, Driver, Engine, MigrateFailure, MigrateReport};
use tidemark_ledger::source::MemSource;
use tidemark_sqlite::SqliteDriver;

/// A row of the history table, as the tests read it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub rank: i64,
    pub version: Option<String>,
    pub description: String,
    pub kind: String,
    pub script: String,
    pub checksum: Option<i64>,
    pub success: bool,
}

/// A database that exists for one test; dropping it drops the database.
pub struct TestDb {
    /// Which driver (`sqlite`, `postgres`, `mysql`), for assertion messages.
    pub name: &'static str,
    /// The connection the engine uses.
    pub driver: Box<dyn Driver>,
    /// Cleans up when the test ends (a temp dir, or a guard that drops a server database).
    pub _cleanup: Box<dyn std::any::Any>,
}

/// One fresh database per available driver: SQLite always, the servers when reachable.
pub fn databases() -> Vec<TestDb> {
    let dir: TempDir = tempfile::tempdir().expect("temp dir");
    let driver = SqliteDriver::open(&dir.path().join("conformance.db")).expect("open sqlite");
    let mut all = vec![TestDb {
        name: "sqlite",
        driver: Box::new(driver),
        _cleanup: Box::new(dir),
    }];
    all.extend(super::postgres::fresh());
    all.extend(super::mysql::fresh());
    all
}

impl TestDb {
    /// Runs `migrate` with these files.
    pub fn migrate(
        &mut self,
        files: &MemSource,
        config: &Config,
    ) -> Result<MigrateReport, Box<MigrateFailure>> {
        let mut log = Collect::default();
        let mut engine =
            Engine::new(self.driver.as_mut(), files, config, &mut log).map_err(|error| {
                MigrateFailure {
                    error,
                    report: MigrateReport::default(),
                }
            })?;
        engine.migrate()
    }

    /// Runs any engine command with these files.
    pub fn with_engine<T>(
        &mut self,
        files: &MemSource,
        config: &Config,
        work: impl FnOnce(&mut Engine<'_>) -> Result<T, tidemark_engine::Error>,
    ) -> Result<T, tidemark_engine::Error> {
        let mut log = Collect::default();
        let mut engine = Engine::new(self.driver.as_mut(), files, config, &mut log)?;
        work(&mut engine)
    }

    /// The history rows, by rank.
    pub fn history(&mut self) -> Vec<HistoryRow> {
        let dialect = self.driver.dialect();
        let schema = self.driver.current_schema().unwrap();
        let sql = format!(
            "SELECT installed_rank, version, description, type, script, checksum, success FROM {}.{} ORDER BY installed_rank",
            quote(dialect, &schema),
            quote(dialect, "flyway_schema_history")
        );
        self.driver
            .query(&sql, &[])
            .unwrap()
            .into_iter()
            .map(|r| HistoryRow {
                rank: r[0].as_i64().unwrap(),
                version: r[1].as_text(),
                description: r[2].as_text().unwrap(),
                kind: r[3].as_text().unwrap(),
                script: r[4].as_text().unwrap(),
                checksum: r[5].as_i64(),
                success: r[6].as_bool().unwrap(),
            })
            .collect()
    }

    /// Whether a table exists in the current schema.
    pub fn has_table(&mut self, table: &str) -> bool {
        let schema = self.driver.current_schema().unwrap();
        self.driver.table_exists(&schema, table).unwrap()
    }
}

/// Files in memory.
pub fn files(list: &[(&str, &str)]) -> MemSource {
    let mut src = MemSource::new();
    for (name, text) in list {
        src.add(0, name, text.as_bytes().to_vec());
    }
    src
}
