//! Fresh databases for the conformance suite, one per test.
//!
//! SQLite is always available (a temp file). Server drivers register here as they are added;
//! each creates a uniquely named database and drops it afterwards.

use tempfile::TempDir;
use tidemark_engine::{Collect, Config, Driver, Engine, MigrateFailure, MigrateReport};
use tidemark_ledger::source::MemSource;
use tidemark_sqlite::SqliteDriver;

/// A database that exists for one test.
pub struct TestDb {
    pub name: &'static str,
    pub driver: Box<dyn Driver>,
    _dir: Option<TempDir>,
}

/// One fresh database per available driver.
pub fn databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let driver = SqliteDriver::open(&dir.path().join("conformance.db")).expect("open sqlite");
    vec![TestDb {
        name: "sqlite",
        driver: Box::new(driver),
        _dir: Some(dir),
    }]
}

impl TestDb {
    /// Runs `migrate` with these files.
    pub fn migrate(
        &mut self,
        files: &MemSource,
        config: &Config,
    ) -> Result<MigrateReport, MigrateFailure> {
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

    /// The history rows as (rank, version, description, type, script, checksum, success).
    pub fn history(
        &mut self,
    ) -> Vec<(
        i64,
        Option<String>,
        String,
        String,
        String,
        Option<i64>,
        bool,
    )> {
        let schema = self.driver.current_schema().unwrap();
        let sql = format!(
            "SELECT installed_rank, version, description, type, script, checksum, success FROM {} ORDER BY installed_rank",
            tidemark_engine::history_table::quote(self.driver.dialect(), &schema)
                + "."
                + &tidemark_engine::history_table::quote(
                    self.driver.dialect(),
                    "flyway_schema_history"
                )
        );
        self.driver
            .query(&sql, &[])
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r[0].as_i64().unwrap(),
                    r[1].as_text(),
                    r[2].as_text().unwrap(),
                    r[3].as_text().unwrap(),
                    r[4].as_text().unwrap(),
                    r[5].as_i64(),
                    r[6].as_bool().unwrap(),
                )
            })
            .collect()
    }

    /// Whether a table exists in the current schema.
    pub fn has_table(&mut self, table: &str) -> bool {
        let schema = self.driver.current_schema().unwrap();
        self.driver.table_exists(&schema, table).unwrap()
    }

    /// A single integer from a query.
    pub fn scalar(&mut self, sql: &str) -> i64 {
        self.driver.query(sql, &[]).unwrap()[0][0].as_i64().unwrap()
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
