//! The binary against PostgreSQL and MariaDB: concurrency, lock interop, crash safety, errors,
//! password masking and the URL forms.
//!
//! Each test makes its own scratch database (`tidemark_postgres::testing`,
//! `tidemark_mysql::testing`), so the tests run in parallel; without a server they skip with a
//! note on stderr, unless `TIDEMARK_REQUIRE_DB=1`. Nothing here asserts how long anything
//! takes: the order of events is observed on the server (`pg_stat_activity`, the process list,
//! the history table) or in what the binary prints, by polling with a generous deadline.

mod concurrency;
mod crash;
mod errors;
mod lock;
mod passwords;
mod smoke;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tidemark_engine::driver::{Driver, Value};
use tidemark_engine::history_table::quote;

/// How long any poll waits for the event it expects before failing the test: long enough
/// that only a hang reaches it.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Polls `check` every 20 ms until it gives a value; fails naming `what` after [`DEADLINE`].
#[track_caller]
pub fn poll_until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            Instant::now() < until,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A scratch database on one of the test servers.
enum Scratch {
    Postgres(tidemark_postgres::testing::ScratchDatabase),
    Mariadb(tidemark_mysql::testing::ScratchDatabase),
}

/// A scratch database for one test, and what the tests ask of it. Dropping it ends every
/// session still connected to it (a killed `tidemark` leaves one behind), then the database.
pub struct Db {
    scratch: Scratch,
    /// The sessions the test itself opened ([`Db::connect`]), which [`Db::sessions`] leaves
    /// out: it looks for what `tidemark` processes do.
    own: Mutex<BTreeSet<i64>>,
}

impl Db {
    /// A fresh PostgreSQL database, or `None` when the server is unreachable (see module docs).
    pub fn postgres() -> Option<Db> {
        Some(Db {
            scratch: Scratch::Postgres(tidemark_postgres::testing::scratch()?),
            own: Mutex::default(),
        })
    }

    /// A fresh MySQL/MariaDB database, or `None` when the server is unreachable.
    pub fn mariadb() -> Option<Db> {
        Some(Db {
            scratch: Scratch::Mariadb(tidemark_mysql::testing::scratch()?),
            own: Mutex::default(),
        })
    }

    /// `PostgreSQL` or `MariaDB`, for messages.
    pub fn label(&self) -> &'static str {
        match self.scratch {
            Scratch::Postgres(_) => "PostgreSQL",
            Scratch::Mariadb(_) => "MariaDB",
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.scratch, Scratch::Postgres(_))
    }

    /// The database name.
    pub fn name(&self) -> &str {
        match &self.scratch {
            Scratch::Postgres(db) => db.name(),
            Scratch::Mariadb(db) => db.name(),
        }
    }

    /// A URL the binary accepts (holds the test server's password, if any).
    pub fn url(&self) -> String {
        match &self.scratch {
            Scratch::Postgres(db) => db.url(),
            Scratch::Mariadb(db) => db.url(),
        }
    }

    /// `host:port` of the server (IPv6 in brackets).
    pub fn address(&self) -> String {
        let (host, port) = match &self.scratch {
            Scratch::Postgres(db) => (db.options().host, db.options().port),
            Scratch::Mariadb(db) => (db.options().host, db.options().port),
        };
        if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }
    }

    /// The test server's user and password.
    pub fn credentials(&self) -> (String, Option<String>) {
        let (user, password) = match &self.scratch {
            Scratch::Postgres(db) => (db.options().user, db.options().password),
            Scratch::Mariadb(db) => (db.options().user, db.options().password),
        };
        (user.expect("the test server URL names a user"), password)
    }

    /// A new session on the database.
    pub fn connect(&self) -> Box<dyn Driver> {
        let (mut driver, sql): (Box<dyn Driver>, _) = match &self.scratch {
            Scratch::Postgres(db) => (Box::new(db.connect()), "SELECT pg_backend_pid()"),
            Scratch::Mariadb(db) => (Box::new(db.connect()), "SELECT CONNECTION_ID()"),
        };
        let id = driver.query(sql, &[]).expect(sql)[0][0].as_i64().unwrap();
        self.own.lock().unwrap().insert(id);
        driver
    }

    /// The schema tidemark migrates by default: `public`, or the database itself on MariaDB.
    pub fn schema(&self) -> String {
        match &self.scratch {
            Scratch::Postgres(_) => "public".into(),
            Scratch::Mariadb(db) => db.name().into(),
        }
    }

    /// `SELECT pg_sleep(seconds)` or `SELECT SLEEP(seconds)`.
    pub fn sleep(&self, seconds: &str) -> String {
        match self.scratch {
            Scratch::Postgres(_) => format!("SELECT pg_sleep({seconds});"),
            Scratch::Mariadb(_) => format!("SELECT SLEEP({seconds});"),
        }
    }

    /// Whether `table` exists in [`Db::schema`].
    pub fn has_table(&self, table: &str) -> bool {
        self.connect()
            .table_exists(&self.schema(), table)
            .expect("table_exists")
    }

    /// History rows as `rank|version|script|success` (`success` as 0/1), by rank; empty when
    /// there is no history table.
    pub fn history(&self) -> Vec<String> {
        if !self.has_table("flyway_schema_history") {
            return Vec::new();
        }
        let mut driver = self.connect();
        let dialect = driver.dialect();
        let sql = format!(
            "SELECT installed_rank, version, script, success FROM {}.{} ORDER BY installed_rank",
            quote(dialect, &self.schema()),
            quote(dialect, "flyway_schema_history")
        );
        driver
            .query(&sql, &[])
            .expect("read the history table")
            .into_iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}",
                    r[0].as_i64().unwrap(),
                    r[1].as_text().unwrap_or_default(),
                    r[2].as_text().unwrap(),
                    u8::from(r[3].as_bool().unwrap())
                )
            })
            .collect()
    }

    /// The first column of the first row of `sql`, as an integer.
    pub fn count(&self, sql: &str, params: &[Value]) -> i64 {
        let rows = self.connect().query(sql, params).expect(sql);
        rows.first()
            .and_then(|r| r.first())
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("{sql}: no integer in {rows:?}"))
    }

    /// Ids of the sessions on this database not opened by the test whose current
    /// (PostgreSQL: last) query contains `prefix` (a `LIKE` pattern: `%` and `_` are
    /// wildcards). Contains, not starts with: on PostgreSQL a migration's statements may arrive
    /// as one batch.
    pub fn sessions(&self, prefix: &str) -> Vec<i64> {
        let sql = match self.scratch {
            Scratch::Postgres(_) => {
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE $2 ORDER BY pid"
            }
            Scratch::Mariadb(_) => {
                "SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE ? ORDER BY id"
            }
        };
        let found = self
            .connect()
            .query(
                sql,
                &[
                    Value::Text(self.name().into()),
                    Value::Text(format!("%{prefix}%")),
                ],
            )
            .expect("list sessions");
        let own = self.own.lock().unwrap();
        found
            .into_iter()
            .map(|r| r[0].as_i64().unwrap())
            .filter(|id| !own.contains(id))
            .collect()
    }

    /// Whether the server session `id` still exists.
    pub fn session_alive(&self, id: i64) -> bool {
        let sql = match self.scratch {
            Scratch::Postgres(_) => "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
            Scratch::Mariadb(_) => {
                "SELECT count(*) FROM information_schema.processlist WHERE id = ?"
            }
        };
        self.count(sql, &[Value::Int(id)]) > 0
    }

    /// Ends every other session on this database.
    fn end_sessions(&self) -> Result<(), String> {
        let mut driver = match &self.scratch {
            Scratch::Postgres(db) => Box::new(
                tidemark_postgres::PostgresDriver::connect(&db.options())
                    .map_err(|e| e.to_string())?,
            ) as Box<dyn Driver>,
            Scratch::Mariadb(db) => Box::new(
                tidemark_mysql::MysqlDriver::connect(&db.options()).map_err(|e| e.to_string())?,
            ),
        };
        let ids = match self.scratch {
            Scratch::Postgres(_) => driver.query(
                "SELECT pg_terminate_backend(pid)::int FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            ),
            Scratch::Mariadb(_) => driver.query(
                "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()",
                &[],
            ),
        }
        .map_err(|e| e.to_string())?;
        if !self.is_postgres() {
            for id in ids.iter().filter_map(|r| r[0].as_i64()) {
                // Gone in between is fine.
                let _ = driver.execute(&format!("KILL {id}"), &[]);
            }
        }
        Ok(())
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Err(e) = self.end_sessions() {
            eprintln!(
                "could not end the sessions on scratch database {}: {e}",
                self.name()
            );
        }
    }
}

/// Five migrations valid on both servers, the second sleeping (`sleep`) before its insert.
pub fn five_migrations(db: &Db, p: &super::support::Project, sleep: &str) {
    p.migration(
        "V1__create_items.sql",
        "CREATE TABLE items (id INT, name VARCHAR(50));\n",
    )
    .migration(
        "V2__slow_seed.sql",
        &format!(
            "{}\nINSERT INTO items (id, name) VALUES (1, 'one');\n",
            db.sleep(sleep)
        ),
    )
    .migration(
        "V3__add_note.sql",
        "ALTER TABLE items ADD COLUMN note VARCHAR(50);\n",
    )
    .migration(
        "V4__index_name.sql",
        "CREATE INDEX items_name ON items (name);\n",
    )
    .migration(
        "R__items_view.sql",
        "CREATE OR REPLACE VIEW items_view AS SELECT id, name FROM items;\n",
    );
}

/// The history [`five_migrations`] leaves, applied once each.
pub const FIVE_APPLIED: [&str; 5] = [
    "1|1|V1__create_items.sql|1",
    "2|2|V2__slow_seed.sql|1",
    "3|3|V3__add_note.sql|1",
    "4|4|V4__index_name.sql|1",
    "5||R__items_view.sql|1",
];
