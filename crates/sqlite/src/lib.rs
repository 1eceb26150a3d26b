//! The SQLite driver: tidemark's embedded default, no server needed.
//!
//! Bundled SQLite through `rusqlite`. SQLite has transactional DDL and no lock to share with
//! Flyway (Flyway does not lock SQLite either), so `try_lock` always succeeds and concurrent
//! writers are serialised by SQLite itself: transactions start with `BEGIN IMMEDIATE` and wait
//! on a busy timeout instead of failing at once.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tidemark_engine::driver::{DbError, Dialect, Driver, LockId, Row, Value};

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to one SQLite database.
pub struct SqliteDriver {
    conn: Connection,
    /// The connection switched the main database from the `delete` rollback journal to
    /// `persist` (see [`SqliteDriver::open`]) and switches it back when it closes.
    persisted_journal: bool,
}

impl SqliteDriver {
    /// Opens (creating if needed) the database file at `path`.
    ///
    /// A database in SQLite's default `delete` journal mode is written with the `persist` mode
    /// while this connection is open: each transaction then zeroes the rollback journal's header
    /// instead of creating, syncing the folder for, and deleting a journal file, which is most of
    /// the file-system work of a small migration's commit. Both modes are equally durable (a
    /// zeroed journal is never replayed), the mode belongs to this connection only (other
    /// connections keep theirs), and `delete` is restored on close, which removes the journal.
    /// A database in any other mode (WAL, say) is left as it is.
    pub fn open(path: &Path) -> Result<SqliteDriver, DbError> {
        let mut driver = Self::open_with(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        if driver.journal_mode().as_deref() == Some("delete") {
            driver.persisted_journal = driver
                .conn
                .query_row("PRAGMA main.journal_mode = PERSIST", [], |r| {
                    r.get::<_, String>(0)
                })
                .is_ok_and(|mode| mode.eq_ignore_ascii_case("persist"));
        }
        Ok(driver)
    }

    /// The main database's journal mode, lower case (`None` if it cannot be read).
    fn journal_mode(&self) -> Option<String> {
        self.conn
            .query_row("PRAGMA main.journal_mode", [], |r| r.get::<_, String>(0))
            .ok()
            .map(|mode| mode.to_ascii_lowercase())
    }

    /// Opens an existing database file read-only (dry runs: nothing can be written).
    pub fn open_read_only(path: &Path) -> Result<SqliteDriver, DbError> {
        Self::open_with(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
    }

    fn open_with(path: &Path, mode: OpenFlags) -> Result<SqliteDriver, DbError> {
        let flags = mode | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            DbError::new(format!(
                "Unable to open SQLite database {}: {}",
                path.display(),
                message(&e)
            ))
        })?;
        Self::configure(conn)
    }

    /// Opens a private in-memory database.
    pub fn memory() -> Result<SqliteDriver, DbError> {
        let conn = Connection::open_in_memory().map_err(|e| db_error(&e))?;
        Self::configure(conn)
    }

    fn configure(conn: Connection) -> Result<SqliteDriver, DbError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db_error(&e))?;
        Ok(SqliteDriver {
            conn,
            persisted_journal: false,
        })
    }

    /// The underlying connection (tests inspect the database through it).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn run(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        // Parameterised statements are the engine's own, repeated per migration (history and
        // companion rows): prepared once. Scripts' statements run once each: not cached.
        let mut stmt = if params.is_empty() {
            self.conn.prepare(sql).map(Cached::Fresh)
        } else {
            self.conn.prepare_cached(sql).map(Cached::Cached)
        }
        .map_err(|e| db_error(&e))?;
        for (i, value) in params.iter().enumerate() {
            let index = i + 1;
            let bound = match value {
                Value::Null => stmt.raw_bind_parameter(index, rusqlite::types::Null),
                Value::Int(v) => stmt.raw_bind_parameter(index, v),
                Value::Text(v) => stmt.raw_bind_parameter(index, v),
                Value::Bool(v) => stmt.raw_bind_parameter(index, i64::from(*v)),
            };
            bound.map_err(|e| db_error(&e))?;
        }
        let columns = stmt.column_count();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| db_error(&e))? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                let v = match row.get_ref(i).map_err(|e| db_error(&e))? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Int(n),
                    ValueRef::Real(f) => Value::Text(f.to_string()),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                };
                values.push(v);
            }
            out.push(values);
        }
        Ok(out)
    }

    fn names(&self, schema: &str, kinds: &str) -> Result<Vec<(String, String)>, DbError> {
        let sql = format!(
            "SELECT type, name FROM {}.sqlite_master WHERE type IN ({kinds}) AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            quote(schema)
        );
        Ok(self
            .run(&sql, &[])?
            .into_iter()
            .map(|r| {
                (
                    r.first().and_then(Value::as_text).unwrap_or_default(),
                    r.get(1).and_then(Value::as_text).unwrap_or_default(),
                )
            })
            .collect())
    }
}

impl Drop for SqliteDriver {
    fn drop(&mut self) {
        // Back to `delete` (which removes the journal file), unless a migration chose a mode of
        // its own meanwhile. An open transaction makes this fail: SQLite rolls it back on close
        // and the zeroed journal stays, harmless.
        if self.persisted_journal && self.journal_mode().as_deref() == Some("persist") {
            let _ = self
                .conn
                .query_row("PRAGMA main.journal_mode = DELETE", [], |_| Ok(()));
        }
    }
}

/// A statement prepared for one use, or taken from the connection's cache.
enum Cached<'c> {
    Fresh(rusqlite::Statement<'c>),
    Cached(rusqlite::CachedStatement<'c>),
}

impl<'c> std::ops::Deref for Cached<'c> {
    type Target = rusqlite::Statement<'c>;
    fn deref(&self) -> &Self::Target {
        match self {
            Cached::Fresh(s) => s,
            Cached::Cached(s) => s,
        }
    }
}

impl std::ops::DerefMut for Cached<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Cached::Fresh(s) => s,
            Cached::Cached(s) => s,
        }
    }
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

fn db_error(e: &rusqlite::Error) -> DbError {
    let code = match e {
        rusqlite::Error::SqliteFailure(err, _)
        | rusqlite::Error::SqlInputError { error: err, .. } => Some(err.extended_code.to_string()),
        _ => None,
    };
    DbError {
        code,
        message: message(e),
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn server_version(&mut self) -> Result<String, DbError> {
        Ok(format!("SQLite {}", rusqlite::version()))
    }

    fn supports_ddl_transactions(&self) -> bool {
        true
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        self.run(sql, params)?;
        Ok(self.conn.changes())
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.run(sql, params)
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| db_error(&e))
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("COMMIT").map_err(|e| db_error(&e))
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(|e| db_error(&e))
    }

    fn try_lock(&mut self, _id: &LockId) -> Result<bool, DbError> {
        Ok(true)
    }

    fn unlock(&mut self, _id: &LockId) -> Result<(), DbError> {
        Ok(())
    }

    fn current_schema(&mut self) -> Result<String, DbError> {
        Ok("main".to_string())
    }

    fn set_current_schema(&mut self, _schema: &str) -> Result<(), DbError> {
        Ok(())
    }

    fn current_user(&mut self) -> Result<String, DbError> {
        Ok(String::new())
    }

    fn database_name(&mut self) -> Result<Option<String>, DbError> {
        Ok(None)
    }

    fn schema_exists(&mut self, schema: &str) -> Result<bool, DbError> {
        let rows = self.run("SELECT name FROM pragma_database_list", &[])?;
        Ok(rows
            .iter()
            .any(|r| r.first().and_then(Value::as_text).as_deref() == Some(schema)))
    }

    fn schema_is_empty(&mut self, schema: &str) -> Result<bool, DbError> {
        Ok(self.names(schema, "'table','view'")?.is_empty())
    }

    fn create_schema(&mut self, schema: &str) -> Result<(), DbError> {
        Err(DbError::new(format!(
            "SQLite cannot create schema \"{schema}\": attach the database file instead (schemas are attached databases in SQLite)"
        )))
    }

    fn table_exists(&mut self, schema: &str, table: &str) -> Result<bool, DbError> {
        let sql = format!(
            "SELECT 1 FROM {}.sqlite_master WHERE type = 'table' AND name = ?",
            quote(schema)
        );
        Ok(!self
            .run(&sql, &[Value::Text(table.to_string())])?
            .is_empty())
    }

    fn clean_schema(&mut self, schema: &str) -> Result<(), DbError> {
        let objects = self.names(schema, "'view','trigger','table'")?;
        let fk: Option<i64> = self
            .run("PRAGMA foreign_keys", &[])?
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_i64);
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF")
            .map_err(|e| db_error(&e))?;
        let result = (|| {
            for kind in ["view", "trigger", "table"] {
                for (_, name) in objects.iter().filter(|(k, _)| k == kind) {
                    let sql = format!(
                        "DROP {} IF EXISTS {}.{}",
                        kind.to_uppercase(),
                        quote(schema),
                        quote(name)
                    );
                    self.run(&sql, &[])?;
                }
            }
            let seq = format!(
                "SELECT 1 FROM {}.sqlite_master WHERE name = 'sqlite_sequence'",
                quote(schema)
            );
            if !self.run(&seq, &[])?.is_empty() {
                self.run(
                    &format!("DELETE FROM {}.sqlite_sequence", quote(schema)),
                    &[],
                )?;
            }
            Ok(())
        })();
        if fk == Some(1) {
            self.conn
                .execute_batch("PRAGMA foreign_keys = ON")
                .map_err(|e| db_error(&e))?;
        }
        result
    }

    fn drop_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.clean_schema(schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(d: &mut SqliteDriver) -> String {
        d.query("PRAGMA main.journal_mode", &[]).unwrap()[0][0]
            .as_text()
            .unwrap()
    }

    #[test]
    fn writes_with_a_persisted_journal_and_leaves_the_default_mode_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let journal = dir.path().join("t.db-journal");
        let mut d = SqliteDriver::open(&path).unwrap();
        assert_eq!(mode(&mut d), "persist");
        d.begin().unwrap();
        d.execute("CREATE TABLE t (id INTEGER)", &[]).unwrap();
        d.commit().unwrap();
        // The journal stays between transactions, its header zeroed: not a hot journal.
        assert!(journal.exists());
        let other = Connection::open(&path).unwrap();
        let n: i64 = other
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        drop(other);
        drop(d);
        assert!(!journal.exists(), "the journal is removed on close");
        let mut again = SqliteDriver::open_read_only(&path).unwrap();
        assert_eq!(mode(&mut again), "delete");
    }

    #[test]
    fn a_wal_database_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .unwrap();
        let mut d = SqliteDriver::open(&path).unwrap();
        assert_eq!(mode(&mut d), "wal");
        d.execute("CREATE TABLE t (id INTEGER)", &[]).unwrap();
        drop(d);
        let mut again = SqliteDriver::open(&path).unwrap();
        assert_eq!(mode(&mut again), "wal");
    }

    #[test]
    fn a_mode_a_migration_chose_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let mut d = SqliteDriver::open(&path).unwrap();
        d.execute("PRAGMA journal_mode = TRUNCATE", &[]).unwrap();
        d.execute("CREATE TABLE t (id INTEGER)", &[]).unwrap();
        drop(d);
        // TRUNCATE is per connection, like PERSIST: the file itself is back to the default,
        // and the zero-length journal the migration's mode left is not removed behind its back.
        assert!(dir.path().join("m.db-journal").exists());
    }

    #[test]
    fn executes_statements_that_return_rows() {
        let mut d = SqliteDriver::memory().unwrap();
        d.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)", &[])
            .unwrap();
        assert_eq!(
            d.execute(
                "INSERT INTO t (name) VALUES (?), (?)",
                &[Value::Text("a".into()), Value::Null]
            )
            .unwrap(),
            2
        );
        // A SELECT or PRAGMA inside a migration must not be an error.
        d.execute("SELECT * FROM t", &[]).unwrap();
        d.execute("PRAGMA journal_mode", &[]).unwrap();
        let rows = d.query("SELECT id, name FROM t ORDER BY id", &[]).unwrap();
        assert_eq!(
            rows,
            vec![
                vec![Value::Int(1), Value::Text("a".into())],
                vec![Value::Int(2), Value::Null]
            ]
        );
    }

    #[test]
    fn transactions_roll_back_ddl() {
        let mut d = SqliteDriver::memory().unwrap();
        d.begin().unwrap();
        d.execute("CREATE TABLE t (id INT)", &[]).unwrap();
        d.rollback().unwrap();
        assert!(!d.table_exists("main", "t").unwrap());
        // Rolling back with no transaction open is harmless.
        d.rollback().unwrap();
    }

    #[test]
    fn errors_carry_sqlite_message() {
        let mut d = SqliteDriver::memory().unwrap();
        let e = d.execute("CREATE TABLEX t (id INT)", &[]).unwrap_err();
        assert!(e.message.contains("syntax error"), "{e}");
        assert!(e.code.is_some());
    }

    #[test]
    fn clean_drops_everything_and_schema_is_then_empty() {
        let mut d = SqliteDriver::memory().unwrap();
        assert!(d.schema_is_empty("main").unwrap());
        d.execute("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT)", &[])
            .unwrap();
        d.execute("CREATE TABLE b (a_id INT REFERENCES a(id))", &[])
            .unwrap();
        d.execute("CREATE VIEW v AS SELECT * FROM a", &[]).unwrap();
        d.execute(
            "CREATE TRIGGER tr AFTER INSERT ON a BEGIN DELETE FROM b; END",
            &[],
        )
        .unwrap();
        d.execute("PRAGMA foreign_keys = ON", &[]).unwrap();
        assert!(!d.schema_is_empty("main").unwrap());
        d.clean_schema("main").unwrap();
        assert!(d.schema_is_empty("main").unwrap());
        assert!(d.schema_exists("main").unwrap());
        assert!(!d.schema_exists("other").unwrap());
    }
}
