//! The MySQL / MariaDB driver.
//!
//! One connection through the `mysql` crate's synchronous API: Flyway runs the history table and
//! the migrations on a single MySQL connection, and the named lock it takes (`GET_LOCK`) belongs
//! to that connection, so a pool would only add ways to lose the lock.
//!
//! Statements without parameters go through the text protocol, because the binary (prepared)
//! protocol refuses part of what migrations contain (`CREATE PROCEDURE`, `LOCK TABLES`, ...);
//! statements with parameters are prepared, which is how the engine's history statements run.
//! Either way a column reads the same (see `value`).
//!
//! MySQL has no transactional DDL: every DDL statement commits implicitly, so
//! [`Driver::supports_ddl_transactions`] is false and the engine records a failed migration as a
//! `success = false` row instead of pretending it was rolled back. In MySQL a schema is a
//! database, so the schema functions work on databases.
//!
//! The session is set up at connect: `lock_wait_timeout` from [`ConnectOptions::lock_timeout`]
//! (MySQL's default is a year, so a migration stuck behind a metadata lock would wait that long),
//! and the statement timeout from [`ConnectOptions::statement_timeout`] as `max_execution_time`
//! (MySQL 5.7.8+, milliseconds, SELECT statements only) or `max_statement_time` (MariaDB 10.1+,
//! seconds, every statement). A server without that variable keeps running without the limit:
//! refusing to migrate an old server over an optional limit would be worse.
//!
//! Errors carry the SQLSTATE as [`DbError::code`] and MySQL's own error number in the message,
//! `<server message> (error <number>)`. Connection errors name the host, port, database and user,
//! never the password.
#![deny(missing_docs)]

mod params;
pub mod testing;
mod value;

use std::time::Duration;

use mysql::prelude::{Protocol, Queryable};
use mysql::{Conn, DriverError, OptsBuilder, QueryResult};
use tidemark_engine::driver::{DbError, Dialect, Driver, LockId, Row, Value};

use crate::params::TlsMode;

/// How to connect. The CLI fills this from the URL and the settings (flags and environment win
/// over the URL for user and password).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Host name or address.
    pub host: String,
    /// Port (3306).
    pub port: u16,
    /// Database (schema); `None` connects without a default database.
    pub database: Option<String>,
    /// User; `None` means `root`.
    pub user: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Other URL parameters (`useSSL`, `sslMode`, ...).
    pub params: Vec<(String, String)>,
    /// `lock_wait_timeout` for the session (MySQL's default is a year).
    pub lock_timeout: Option<Duration>,
    /// `max_execution_time` (MySQL) / `max_statement_time` (MariaDB) for the session.
    pub statement_timeout: Option<Duration>,
}

/// How long one [`Driver::try_lock`] waits in `GET_LOCK` before reporting the lock as taken
/// (Flyway's `GET_LOCK(?, 10)`).
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The largest `lock_wait_timeout` MySQL accepts (a year, in seconds).
const MAX_LOCK_WAIT_TIMEOUT: u64 = 31_536_000;

/// `ER_UNKNOWN_SYSTEM_VARIABLE`: the server has no such variable.
const ER_UNKNOWN_SYSTEM_VARIABLE: u16 = 1193;

/// A connection to one MySQL or MariaDB server.
pub struct MysqlDriver {
    conn: Conn,
    /// `VERSION()` as the server reports it, e.g. `10.11.6-MariaDB-0+deb12u1`.
    version: String,
    mariadb: bool,
    /// `lower_case_table_names` is not 0: names compare case-insensitively.
    fold_case: bool,
    lock_wait: Duration,
}

impl MysqlDriver {
    /// Connects and sets up the session (timeouts, see the module docs). Every error names the
    /// server, database and user, never the password.
    pub fn connect(options: &ConnectOptions) -> Result<MysqlDriver, DbError> {
        let context = |e: DbError| connect_error(options, e);
        let params = params::parse(&options.params).map_err(context)?;
        let conn = open(options, &params).map_err(context)?;
        let mut driver = MysqlDriver {
            conn,
            version: String::new(),
            mariadb: false,
            fold_case: false,
            lock_wait: LOCK_WAIT,
        };
        driver.set_up(options).map_err(context)?;
        Ok(driver)
    }

    /// Changes how long [`Driver::try_lock`] waits in `GET_LOCK` (whole seconds; default
    /// [`LOCK_WAIT`], as Flyway). Tests shorten it.
    pub fn set_lock_wait(&mut self, wait: Duration) {
        self.lock_wait = wait;
    }

    /// Whether the server is MariaDB (detected from `VERSION()`, whatever the URL said).
    pub fn is_mariadb(&self) -> bool {
        self.mariadb
    }

    fn set_up(&mut self, options: &ConnectOptions) -> Result<(), DbError> {
        let rows = self.rows("SELECT VERSION(), @@lower_case_table_names", &[])?;
        let row = rows.first().cloned().unwrap_or_default();
        self.version = row.first().and_then(Value::as_text).unwrap_or_default();
        self.mariadb = self.version.to_ascii_lowercase().contains("mariadb");
        self.fold_case = row.get(1).and_then(Value::as_i64).unwrap_or(0) != 0;
        if let Some(timeout) = options.lock_timeout {
            let secs = whole_seconds(timeout).clamp(1, MAX_LOCK_WAIT_TIMEOUT);
            self.exec(&format!("SET SESSION lock_wait_timeout = {secs}"), &[])?;
        }
        if let Some(timeout) = options.statement_timeout {
            let sql = if self.mariadb {
                format!(
                    "SET SESSION max_statement_time = {}.{:06}",
                    timeout.as_secs(),
                    timeout.subsec_micros()
                )
            } else {
                let ms = u64::try_from(timeout.as_millis())
                    .unwrap_or(u64::MAX)
                    .min(u64::from(u32::MAX));
                format!("SET SESSION max_execution_time = {ms}")
            };
            match self.text(&sql, Keep::Nothing) {
                Ok(_) => {}
                Err(mysql::Error::MySqlError(e)) if e.code == ER_UNKNOWN_SYSTEM_VARIABLE => {}
                Err(e) => return Err(db_error(e)),
            }
        }
        Ok(())
    }

    /// Runs a statement through the text protocol: any statement, rows or not.
    fn text(&mut self, sql: &str, keep: Keep) -> Result<(u64, Vec<Row>), mysql::Error> {
        let result = self.conn.query_iter(sql)?;
        drain(result, keep)
    }

    /// Runs a statement with parameters as a prepared statement.
    fn binary(
        &mut self,
        sql: &str,
        params: &[Value],
        keep: Keep,
    ) -> Result<(u64, Vec<Row>), mysql::Error> {
        let values: Vec<mysql::Value> = params.iter().map(value::to_mysql).collect();
        let result = self
            .conn
            .exec_iter(sql, mysql::Params::Positional(values))?;
        drain(result, keep)
    }

    fn run(&mut self, sql: &str, params: &[Value], keep: Keep) -> Result<(u64, Vec<Row>), DbError> {
        if params.is_empty() {
            self.text(sql, keep)
        } else {
            self.binary(sql, params, keep)
        }
        .map_err(db_error)
    }

    /// Runs a statement, discarding any rows; the number of rows changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        Ok(self.run(sql, params, Keep::Nothing)?.0)
    }

    /// Runs a query; its rows.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        Ok(self.run(sql, params, Keep::Rows)?.1)
    }

    /// The first column of the first row (`Null` when there is none).
    fn scalar(&mut self, sql: &str, params: &[Value]) -> Result<Value, DbError> {
        Ok(self
            .rows(sql, params)?
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
            .unwrap_or(Value::Null))
    }

    /// Whether two object names are the same name under `lower_case_table_names`.
    fn same_name(&self, a: &str, b: &str) -> bool {
        if self.fold_case {
            a.to_lowercase() == b.to_lowercase()
        } else {
            a == b
        }
    }

    /// Text rows of a catalog query whose first column is a schema name, keeping the rows of
    /// `schema` exactly. `information_schema` compares names case-insensitively on most
    /// servers, even where the names themselves are case-sensitive.
    fn catalog(
        &mut self,
        sql: &str,
        params: &[Value],
        schema: &str,
    ) -> Result<Vec<Vec<String>>, DbError> {
        let rows = self.rows(sql, params)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                row.iter()
                    .map(|v| v.as_text().unwrap_or_default())
                    .collect::<Vec<_>>()
            })
            .filter(|row| row.first().is_some_and(|s| self.same_name(s, schema)))
            .collect())
    }

    /// The schema's name as the catalog spells it, if it exists.
    fn catalog_schema(&mut self, schema: &str) -> Result<Option<String>, DbError> {
        let rows = self.catalog(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            &[text(schema)],
            schema,
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|row| row.into_iter().next())
            .min_by_key(|name| name != schema))
    }

    /// Drops every object of `schema` (its exact catalog name); foreign keys are off.
    fn drop_objects(&mut self, schema: &str) -> Result<(), DbError> {
        let s = quote(schema);
        let events = self.catalog(
            "SELECT EVENT_SCHEMA, EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?",
            &[text(schema)],
            schema,
        )?;
        for row in events {
            self.exec(&format!("DROP EVENT IF EXISTS {s}.{}", quote(&row[1])), &[])?;
        }
        let mut routines = self.catalog(
            "SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
            &[text(schema)],
            schema,
        )?;
        // A MariaDB package body goes before its package.
        routines.sort_by_key(|row| row[2] != "PACKAGE BODY");
        for row in routines {
            let kind = match row[2].as_str() {
                "PROCEDURE" => "PROCEDURE",
                "PACKAGE" => "PACKAGE",
                "PACKAGE BODY" => "PACKAGE BODY",
                _ => "FUNCTION",
            };
            self.exec(
                &format!("DROP {kind} IF EXISTS {s}.{}", quote(&row[1])),
                &[],
            )?;
        }
        let tables = self.catalog(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
            &[text(schema)],
            schema,
        )?;
        // Views first (they may name tables), triggers go with their tables, sequences last.
        for (kind, types) in [
            ("VIEW", &["VIEW"][..]),
            ("TABLE", &["BASE TABLE", "SYSTEM VERSIONED"][..]),
            ("SEQUENCE", &["SEQUENCE"][..]),
        ] {
            for row in tables.iter().filter(|row| types.contains(&row[2].as_str())) {
                self.exec(
                    &format!("DROP {kind} IF EXISTS {s}.{}", quote(&row[1])),
                    &[],
                )?;
            }
        }
        Ok(())
    }
}

/// Opens the connection, with TLS when the URL asks for it.
fn open(options: &ConnectOptions, params: &params::Params) -> Result<Conn, DbError> {
    let host = if options.host.is_empty() {
        "localhost"
    } else {
        options.host.as_str()
    };
    let plain = OptsBuilder::new()
        .ip_or_hostname(Some(host))
        .tcp_port(port(options))
        .user(Some(user(options)))
        .pass(options.password.clone().filter(|p| !p.is_empty()))
        .db_name(options.database.clone().filter(|d| !d.is_empty()))
        .prefer_socket(false)
        .tcp_connect_timeout(params.connect_timeout);
    let Some(ssl) = params.tls.ssl_opts(params.ca.as_ref()) else {
        return Conn::new(plain).map_err(db_error);
    };
    match Conn::new(plain.clone().ssl_opts(ssl)) {
        Ok(conn) => Ok(conn),
        Err(mysql::Error::DriverError(DriverError::TlsNotSupported))
            if params.tls == TlsMode::Preferred =>
        {
            Conn::new(plain).map_err(db_error)
        }
        Err(mysql::Error::DriverError(DriverError::TlsNotSupported)) => Err(DbError {
            code: Some("08001".into()),
            message: format!(
                "the URL requires TLS (sslMode={}) but the server does not support TLS",
                params.tls.name()
            ),
        }),
        Err(e) => Err(db_error(e)),
    }
}

fn port(options: &ConnectOptions) -> u16 {
    if options.port == 0 {
        3306
    } else {
        options.port
    }
}

fn user(options: &ConnectOptions) -> String {
    options
        .user
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".to_string())
}

/// A connection error with where and as whom; the password is masked should any message
/// ever contain it.
fn connect_error(options: &ConnectOptions, e: DbError) -> DbError {
    let mut message = e.message;
    if let Some(password) = options.password.as_deref().filter(|p| !p.is_empty()) {
        message = message.replace(password, "***");
    }
    let host = if options.host.is_empty() {
        "localhost"
    } else {
        options.host.as_str()
    };
    let database = options.database.as_deref().unwrap_or("");
    DbError {
        code: e.code,
        message: format!(
            "Unable to connect to MySQL/MariaDB at {host}:{}/{database} as user '{}': {message}",
            port(options),
            user(options)
        ),
    }
}

/// Whether to keep the rows a statement returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// A query: the caller wants them.
    Rows,
    /// A statement run for its effect (a migration's `SELECT` may return a million rows).
    Nothing,
}

/// Reads every result set to the end, so the connection is ready for the next statement and
/// an error in a later set (a failing `CALL`) is not missed: the rows (of all sets, if kept)
/// and the rows changed.
fn drain<P: Protocol>(
    mut result: QueryResult<'_, '_, '_, P>,
    keep: Keep,
) -> Result<(u64, Vec<Row>), mysql::Error> {
    let mut changed = 0;
    let mut rows = Vec::new();
    while let Some(set) = result.iter() {
        changed += set.affected_rows();
        for row in set {
            let row = row?;
            if keep == Keep::Nothing {
                continue;
            }
            let columns = row.columns();
            rows.push(
                row.unwrap_raw()
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        value::from_mysql(v.unwrap_or(mysql::Value::NULL), columns.get(i))
                    })
                    .collect(),
            );
        }
    }
    Ok((changed, rows))
}

/// A `mysql` error as the engine sees it: SQLSTATE and `<message> (error <number>)` for server
/// errors; client-side failures get the SQLSTATE class a JDBC driver would report.
fn db_error(e: mysql::Error) -> DbError {
    match e {
        mysql::Error::MySqlError(e) => DbError {
            code: Some(e.state),
            message: format!("{} (error {})", e.message, e.code),
        },
        mysql::Error::IoError(e) => DbError {
            code: Some("08S01".into()),
            message: format!("communication failure: {e}"),
        },
        mysql::Error::CodecError(e) => DbError {
            code: Some("08S01".into()),
            message: format!("communication failure: {e}"),
        },
        mysql::Error::DriverError(e) => DbError {
            code: Some(match e {
                DriverError::CouldNotConnect(_) | DriverError::ConnectTimeout => "08001".into(),
                _ => "HY000".into(),
            }),
            message: e.to_string(),
        },
        mysql::Error::TlsError(e) => DbError {
            code: Some("08001".into()),
            message: format!("TLS failure: {e}"),
        },
        other => DbError {
            code: Some("HY000".into()),
            message: other.to_string(),
        },
    }
}

fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A quoted identifier: backticks, inner backticks doubled.
fn quote(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

/// `MariaDB 10.11.6` / `MySQL 8.0.36` from `VERSION()`.
fn product_version(version: &str, mariadb: bool) -> String {
    // Old MariaDB servers prefix the handshake version with `5.5.5-` for old clients.
    let v = version.strip_prefix("5.5.5-").unwrap_or(version);
    let number = v.split('-').next().unwrap_or(v);
    format!("{} {number}", if mariadb { "MariaDB" } else { "MySQL" })
}

impl Driver for MysqlDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn server_version(&mut self) -> Result<String, DbError> {
        Ok(product_version(&self.version, self.mariadb))
    }

    fn supports_ddl_transactions(&self) -> bool {
        false
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        self.exec(sql, params)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.rows(sql, params)
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.exec("START TRANSACTION", &[]).map(drop)
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.exec("COMMIT", &[]).map(drop)
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        self.exec("ROLLBACK", &[]).map(drop)
    }

    fn try_lock(&mut self, id: &LockId) -> Result<bool, DbError> {
        let wait = i64::try_from(self.lock_wait.as_secs()).unwrap_or(i64::MAX);
        match self
            .scalar("SELECT GET_LOCK(?, ?)", &[text(&id.name), Value::Int(wait)])?
            .as_i64()
        {
            Some(1) => Ok(true),
            Some(0) => Ok(false),
            _ => Err(DbError::new(format!(
                "GET_LOCK('{}') failed (returned NULL)",
                id.name
            ))),
        }
    }

    fn unlock(&mut self, id: &LockId) -> Result<(), DbError> {
        // 1: released; NULL: nobody holds it (nothing to release); 0: another session does.
        match self
            .scalar("SELECT RELEASE_LOCK(?)", &[text(&id.name)])?
            .as_i64()
        {
            Some(0) => Err(DbError::new(format!(
                "Unable to release the migration lock '{}': it is held by another session",
                id.name
            ))),
            _ => Ok(()),
        }
    }

    fn current_schema(&mut self) -> Result<String, DbError> {
        self.database_name()?.ok_or_else(|| {
            DbError::new("no database selected: put the database in the URL or set schemas")
        })
    }

    fn set_current_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.exec(&format!("USE {}", quote(schema)), &[]).map(drop)
    }

    fn current_user(&mut self) -> Result<String, DbError> {
        Ok(self
            .scalar("SELECT SUBSTRING_INDEX(USER(),'@',1)", &[])?
            .as_text()
            .unwrap_or_default())
    }

    fn database_name(&mut self) -> Result<Option<String>, DbError> {
        Ok(self.scalar("SELECT DATABASE()", &[])?.as_text())
    }

    fn schema_exists(&mut self, schema: &str) -> Result<bool, DbError> {
        Ok(self.catalog_schema(schema)?.is_some())
    }

    fn schema_is_empty(&mut self, schema: &str) -> Result<bool, DbError> {
        // One query per catalog table: a UNION across them can mix collations on MySQL 8.
        for sql in [
            "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
            "SELECT DISTINCT ROUTINE_SCHEMA FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
            "SELECT DISTINCT EVENT_SCHEMA FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?",
            "SELECT DISTINCT TRIGGER_SCHEMA FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
        ] {
            if !self.catalog(sql, &[text(schema)], schema)?.is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn create_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.exec(&format!("CREATE DATABASE {}", quote(schema)), &[])
            .map(drop)
    }

    fn table_exists(&mut self, schema: &str, table: &str) -> Result<bool, DbError> {
        let rows = self.catalog(
            "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
            &[text(schema), text(table)],
            schema,
        )?;
        Ok(rows
            .iter()
            .any(|row| row.get(1).is_some_and(|t| self.same_name(t, table))))
    }

    fn clean_schema(&mut self, schema: &str) -> Result<(), DbError> {
        let Some(name) = self.catalog_schema(schema)? else {
            return Err(DbError::new(format!(
                "Unable to clean schema {}: it does not exist",
                quote(schema)
            )));
        };
        let checks = self
            .scalar("SELECT @@SESSION.FOREIGN_KEY_CHECKS", &[])?
            .as_i64()
            .unwrap_or(1);
        self.exec("SET SESSION FOREIGN_KEY_CHECKS = 0", &[])?;
        let result = self.drop_objects(&name);
        let restored = self.exec(&format!("SET SESSION FOREIGN_KEY_CHECKS = {checks}"), &[]);
        result?;
        restored.map(drop)
    }

    fn drop_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.exec(&format!("DROP DATABASE {}", quote(schema)), &[])
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_names() {
        assert_eq!(
            product_version("10.11.6-MariaDB-0+deb12u1", true),
            "MariaDB 10.11.6"
        );
        assert_eq!(
            product_version("5.5.5-10.4.32-MariaDB-log", true),
            "MariaDB 10.4.32"
        );
        assert_eq!(product_version("8.0.36", false), "MySQL 8.0.36");
        assert_eq!(
            product_version("8.0.36-0ubuntu0.22.04.1", false),
            "MySQL 8.0.36"
        );
    }

    #[test]
    fn identifiers_double_backticks() {
        assert_eq!(quote("a`b"), "`a``b`");
        assert_eq!(quote("plain"), "`plain`");
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1000)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
    }

    #[test]
    fn connection_errors_name_the_target_and_mask_the_password() {
        let options = ConnectOptions {
            host: "db.example".into(),
            port: 3307,
            database: Some("shop".into()),
            user: Some("app".into()),
            password: Some("hunter2".into()),
            ..ConnectOptions::default()
        };
        let e = connect_error(
            &options,
            DbError {
                code: Some("28000".into()),
                message: "denied: hunter2 (error 1045)".into(),
            },
        );
        assert_eq!(e.code.as_deref(), Some("28000"));
        assert!(e.message.contains("db.example:3307/shop"), "{e}");
        assert!(e.message.contains("'app'"), "{e}");
        assert!(!e.message.contains("hunter2"), "{e}");
    }
}
