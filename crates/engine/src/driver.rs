//! The one trait every database speaks through.
//!
//! Small, synchronous and object-safe, so the CLI holds a `Box<dyn Driver>` and the conformance
//! suite is written once over `&mut dyn Driver`. Drivers know their SQL dialect and their
//! catalog; they know nothing about Flyway or Liquibase: history-table SQL, lock identities and
//! transaction rules live in the engine.

use std::fmt;

pub use tidemark_sql::Dialect;

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// Any integer column.
    Int(i64),
    /// Any text column (timestamps are read as text).
    Text(String),
    /// A boolean (stored as 0/1 where the DBMS has no boolean type).
    Bool(bool),
}

impl Value {
    /// The value as an integer, if it is one (booleans give 0/1, numeric text is parsed).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Text(s) => s.trim().parse().ok(),
            Value::Null => None,
        }
    }

    /// Like [`Value::as_text`], without copying text.
    pub fn into_text(self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s),
            other => other.as_text(),
        }
    }

    /// The value as text, if it is not NULL.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(i.to_string()),
            Value::Text(s) => Some(s.clone()),
            Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
        }
    }

    /// The value as a boolean (`1`, `t`, `true` are true).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Int(i) => Some(*i != 0),
            Value::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "t" | "true" | "y" | "yes" => Some(true),
                "0" | "f" | "false" | "n" | "no" => Some(false),
                _ => None,
            },
            Value::Null => None,
        }
    }
}

/// A row of a query result, columns in select-list order.
pub type Row = Vec<Value>;

/// An error reported by the database (or its client library), without Flyway context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    /// SQLSTATE (PostgreSQL, MySQL) or the SQLite result code name, when known.
    pub code: Option<String>,
    /// The database's own message. Never contains a password.
    pub message: String,
}

impl DbError {
    /// An error without a code.
    pub fn new(message: impl Into<String>) -> Self {
        DbError {
            code: None,
            message: message.into(),
        }
    }
}

impl DbError {
    /// Whether the statement gave up waiting for a lock (`lockTimeout`): PostgreSQL SQLSTATE
    /// 55P03, MySQL/MariaDB error 1205 (`lock_wait_timeout`, also for metadata locks) or 3572
    /// (NOWAIT), SQLite `SQLITE_BUSY` after its busy timeout. Such a failure is worth a retry.
    pub fn is_lock_timeout(&self) -> bool {
        let code = self.code.as_deref().unwrap_or("");
        code == "55P03"
            || matches!(code, "5" | "261" | "517" | "773")
            || self.message.ends_with("(error 1205)")
            || self.message.ends_with("(error 3572)")
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} (code {code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DbError {}

/// The identity of Flyway's migration lock for one history table: PostgreSQL uses the advisory
/// key, MySQL/MariaDB the `GET_LOCK` name. Computed by the engine (see `lock`), so every driver
/// takes exactly the lock a concurrently running Flyway would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockId {
    /// PostgreSQL advisory-lock key.
    pub key: i64,
    /// MySQL/MariaDB named-lock name.
    pub name: String,
}

/// A connection to one database.
pub trait Driver {
    /// The SQL dialect (decides splitting, quoting and history DDL).
    fn dialect(&self) -> Dialect;

    /// The product and version, e.g. `SQLite 3.46.1`, `PostgreSQL 15.4`, `MariaDB 10.11.6`.
    fn server_version(&mut self) -> Result<String, DbError>;

    /// Whether DDL runs inside transactions (PostgreSQL, SQLite: yes; MySQL/MariaDB: no).
    fn supports_ddl_transactions(&self) -> bool;

    /// Executes one statement with parameters, returning the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;

    /// Runs a query with parameters and returns all rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;

    /// Starts a transaction.
    fn begin(&mut self) -> Result<(), DbError>;

    /// Commits the current transaction.
    fn commit(&mut self) -> Result<(), DbError>;

    /// Rolls back the current transaction.
    fn rollback(&mut self) -> Result<(), DbError>;

    /// Tries once to take the migration lock; `Ok(false)` when someone else holds it. Drivers
    /// without locking (SQLite) return `Ok(true)`.
    fn try_lock(&mut self, id: &LockId) -> Result<bool, DbError>;

    /// Releases the migration lock taken by [`Driver::try_lock`].
    fn unlock(&mut self, id: &LockId) -> Result<(), DbError>;

    /// The schema new objects go to when none is named (`main` on SQLite, `current_schema()` on
    /// PostgreSQL, `DATABASE()` on MySQL).
    fn current_schema(&mut self) -> Result<String, DbError>;

    /// Makes `schema` the default for unqualified names in migrations (PostgreSQL `search_path`,
    /// MySQL `USE`); Flyway does this before every migration. SQLite: nothing to do.
    fn set_current_schema(&mut self, schema: &str) -> Result<(), DbError>;

    /// The user name Flyway records in `installed_by` when `installedBy` is not set.
    fn current_user(&mut self) -> Result<String, DbError>;

    /// The database (catalog) name, for `${flyway:database}`; `None` when there is none.
    fn database_name(&mut self) -> Result<Option<String>, DbError>;

    /// Whether a schema exists.
    fn schema_exists(&mut self, schema: &str) -> Result<bool, DbError>;

    /// Whether a schema holds no tables, views or other user objects.
    fn schema_is_empty(&mut self, schema: &str) -> Result<bool, DbError>;

    /// Creates a schema.
    fn create_schema(&mut self, schema: &str) -> Result<(), DbError>;

    /// Whether `schema.table` exists.
    fn table_exists(&mut self, schema: &str, table: &str) -> Result<bool, DbError>;

    /// The rows of a query the engine built over one of its own tables, `schema.table`
    /// (history, companion, Liquibase changelog); `Ok(None)` when that table does not exist.
    /// Such a read changes nothing in the session, so what a driver knows of the session
    /// (current schema and user) stays true. The default asks [`Driver::table_exists`] first;
    /// a driver whose failed statement leaves the session usable may run the query at once
    /// and read a missing table from the error, a round trip fewer.
    fn read_table(
        &mut self,
        schema: &str,
        table: &str,
        sql: &str,
        params: &[Value],
    ) -> Result<Option<Vec<Row>>, DbError> {
        if !self.table_exists(schema, table)? {
            return Ok(None);
        }
        self.query(sql, params).map(Some)
    }

    /// Drops every object in `schema` (the schema itself stays).
    fn clean_schema(&mut self, schema: &str) -> Result<(), DbError>;

    /// Drops the schema itself with everything in it.
    fn drop_schema(&mut self, schema: &str) -> Result<(), DbError>;

    /// Executes a script's statements in order, without parameters, in as few round trips as
    /// the driver can (PostgreSQL: one, inside a transaction). A failure gives the index of the
    /// failing statement with the database's error, so the engine still names its line. The
    /// default runs them one by one through [`Driver::execute`].
    fn execute_script(&mut self, statements: &[&str]) -> Result<(), (usize, DbError)> {
        for (i, sql) in statements.iter().enumerate() {
            self.execute(sql, &[]).map_err(|e| (i, e))?;
        }
        Ok(())
    }
}
