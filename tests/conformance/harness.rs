//! Fresh databases for the conformance suite, one per test.
//!
//! SQLite is always available (a temp file). Server drivers register here as they are added;
//! each creates a uniquely named database and drops it afterwards.

use tempfile::TempDir;
use tidemark_engine::history_table::quote;
use tidemark_engine::{
    Collect, Config, Dialect, Driver, Engine, MigrateFailure, MigrateReport, Snapshot,
};
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

    /// The history rows (of `flyway_schema_history` in the current schema), by rank.
    pub fn history(&mut self) -> Vec<HistoryRow> {
        let schema = self.schema();
        self.history_at(&schema, "flyway_schema_history")
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

/// `"<version or description>:<state>"` for every `info` row, as the CLI tests spell them.
pub fn state_labels(snapshot: &Snapshot) -> Vec<String> {
    let plan = snapshot.plan().expect("plan");
    plan.entries
        .iter()
        .map(|e| {
            let key = match e.version() {
                Some(v) => v.to_string(),
                None => e.description().to_string(),
            };
            format!("{key}:{}", e.state.display())
        })
        .collect()
}

impl TestDb {
    /// Runs `migrate` and also returns what the engine reported while it worked.
    pub fn migrate_logged(
        &mut self,
        files: &MemSource,
        config: &Config,
    ) -> (Result<MigrateReport, Box<MigrateFailure>>, Collect) {
        let mut log = Collect::default();
        let result = match Engine::new(self.driver.as_mut(), files, config, &mut log) {
            Ok(mut engine) => engine.migrate(),
            Err(error) => Err(Box::new(MigrateFailure {
                error,
                report: MigrateReport::default(),
            })),
        };
        (result, log)
    }

    /// Runs any engine command and also returns what the engine reported.
    pub fn with_engine_logged<T>(
        &mut self,
        files: &MemSource,
        config: &Config,
        work: impl FnOnce(&mut Engine<'_>) -> Result<T, tidemark_engine::Error>,
    ) -> (Result<T, tidemark_engine::Error>, Collect) {
        let mut log = Collect::default();
        let result = Engine::new(self.driver.as_mut(), files, config, &mut log)
            .and_then(|mut engine| work(&mut engine));
        (result, log)
    }

    /// `info`: the states of every row (`"1:Success"`, `"people view:Outdated"`) and the
    /// schema version.
    pub fn info(&mut self, files: &MemSource, config: &Config) -> (Vec<String>, String) {
        let name = self.name;
        let snapshot = self
            .with_engine(files, config, |e| e.info())
            .unwrap_or_else(|e| panic!("{name}: info failed: {e}"));
        let version = snapshot.plan().expect("plan").schema_version();
        (state_labels(&snapshot), version)
    }

    /// `info` states only.
    pub fn states(&mut self, files: &MemSource, config: &Config) -> Vec<String> {
        self.info(files, config).0
    }

    /// The schema the history table lives in, as Flyway prints it (`"main"`, `"public"`,
    /// `` `db` ``).
    pub fn schema_display(&mut self, config: &Config) -> String {
        self.with_engine(&MemSource::new(), config, |e| Ok(e.schema_display()))
            .unwrap()
    }

    /// The connection's current schema.
    pub fn schema(&mut self) -> String {
        self.driver.current_schema().unwrap()
    }

    /// The first column of every row of `sql`, as text (NULL as `"NULL"`).
    pub fn texts(&mut self, sql: &str) -> Vec<String> {
        let name = self.name;
        self.driver
            .query(sql, &[])
            .unwrap_or_else(|e| panic!("{name}: {sql}: {e}"))
            .into_iter()
            .map(|r| {
                r.first()
                    .and_then(tidemark_engine::Value::as_text)
                    .unwrap_or_else(|| "NULL".into())
            })
            .collect()
    }

    /// `installed_by` of every history row, by rank.
    pub fn installed_by(&mut self) -> Vec<String> {
        let dialect = self.driver.dialect();
        let schema = self.schema();
        let sql = format!(
            "SELECT installed_by FROM {}.{} ORDER BY installed_rank",
            quote(dialect, &schema),
            quote(dialect, "flyway_schema_history")
        );
        self.texts(&sql)
    }

    /// The history rows of a table in a given schema, by rank.
    pub fn history_at(&mut self, schema: &str, table: &str) -> Vec<HistoryRow> {
        let dialect = self.driver.dialect();
        let sql = format!(
            "SELECT installed_rank, version, description, type, script, checksum, success FROM {}.{} ORDER BY installed_rank",
            quote(dialect, schema),
            quote(dialect, table)
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

    /// A schema name nobody else uses. On MySQL/MariaDB a schema is a database of the whole
    /// server, so the name starts with this test's database name and the returned guard drops
    /// it when the test ends (whatever happened); elsewhere the schema dies with the database.
    pub fn extra_schema(&mut self, suffix: &str) -> (String, Box<dyn std::any::Any>) {
        if self.driver.dialect() == Dialect::Mysql {
            let name = format!("{}_{suffix}", self.schema());
            let guard = DropMysqlDatabase(name.clone());
            (name, Box::new(guard))
        } else {
            (format!("tm_{suffix}"), Box::new(()))
        }
    }
}

/// Drops a MySQL/MariaDB database a test created beside its scratch database.
struct DropMysqlDatabase(String);

impl Drop for DropMysqlDatabase {
    fn drop(&mut self) {
        let Ok(options) = tidemark_mysql::testing::server() else {
            return;
        };
        if let Ok(mut admin) = tidemark_mysql::MysqlDriver::connect(&options) {
            let _ = admin.execute(
                &format!("DROP DATABASE IF EXISTS {}", quote(Dialect::Mysql, &self.0)),
                &[],
            );
        }
    }
}

/// A per-dialect fragment: `[sqlite, postgres, mysql]`.
pub fn per_dialect(dialect: Dialect, choices: [&str; 3]) -> &str {
    match dialect {
        Dialect::Sqlite => choices[0],
        Dialect::Postgres => choices[1],
        Dialect::Mysql => choices[2],
    }
}

/// A small shop: three versioned migrations and a repeatable view, in portable SQL.
pub fn shop() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "V1__create_people.sql",
            "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);\n",
        ),
        (
            "V2__add_email.sql",
            "ALTER TABLE people ADD COLUMN email VARCHAR(100);\n",
        ),
        (
            "V3__seed.sql",
            "INSERT INTO people (id, name, email) VALUES (1, 'Ada', 'ada@example.com');\n",
        ),
        (
            "R__people_view.sql",
            "DROP VIEW IF EXISTS people_view;\nCREATE VIEW people_view AS SELECT name FROM people;\n",
        ),
    ]
}

/// `list` with the file `name` replaced (or added) by `text`, or removed when `text` is `None`.
pub fn edit(
    list: &[(&'static str, &'static str)],
    name: &'static str,
    text: Option<&'static str>,
) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = list.iter().copied().filter(|(n, _)| *n != name).collect();
    if let Some(text) = text {
        out.push((name, text));
    }
    out
}
