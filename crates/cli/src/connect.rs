//! From the configured URL to a `Box<dyn Driver>`. The only place that knows which crate serves
//! which URL; every message here uses the masked URL.

use std::path::Path;

use tidemark_engine::Driver;
use tidemark_sqlite::SqliteDriver;

use crate::failure::Failure;
use crate::settings::Settings;
use crate::url::{DatabaseUrl, mask};

/// An open connection and how to describe it (`sqlite:app.db (SQLite 3.46.1)`).
pub struct Connection {
    /// The driver.
    pub driver: Box<dyn Driver>,
    /// Masked URL and server version, for the `Database:` line.
    pub description: String,
}

/// A failed connection: exit 1, the driver's message (which never holds the password).
fn connect_failure(masked: &str, e: &tidemark_engine::DbError) -> Failure {
    Failure::failed(
        "DB_CONNECTION",
        format!("Unable to connect to the database {masked}: {e}"),
    )
}

/// Opens the database for a dry run: read-only where the driver allows it (SQLite: an existing
/// file read-only, a missing one as an empty in-memory database, so not even an empty file is
/// created). Server databases are only read by a dry run; the engine records every write instead.
pub fn connect_read_only(settings: &Settings, cwd: &Path) -> Result<Connection, Failure> {
    let masked = mask(&settings.url);
    if let Ok(DatabaseUrl::Sqlite { path: Some(path) }) =
        DatabaseUrl::parse(&settings.url).map(|u| u.relative_to(cwd))
    {
        let driver = if path.exists() {
            SqliteDriver::open_read_only(&path)
        } else {
            SqliteDriver::memory()
        }
        .map_err(|e| Failure::failed("DB_CONNECTION", format!("Unable to open {masked}: {e}")))?;
        let mut driver: Box<dyn Driver> = Box::new(driver);
        let version = driver.server_version().map_err(|e| {
            Failure::failed("DB_CONNECTION", format!("Unable to query {masked}: {e}"))
        })?;
        return Ok(Connection {
            driver,
            description: format!("{masked} ({version}, read-only)"),
        });
    }
    connect(settings, cwd)
}

/// Opens the database named by the settings, retrying `connectRetries` times (waiting 1 s,
/// doubling up to `connectRetriesInterval`), then runs `initSql`.
pub fn connect(settings: &Settings, cwd: &Path) -> Result<Connection, Failure> {
    let mut attempt = 0u32;
    let mut wait = std::time::Duration::from_secs(1);
    let mut connection = loop {
        match open(settings, cwd) {
            Ok(c) => break c,
            Err(f) if f.exit == 1 && attempt < settings.connect_retries => {
                attempt += 1;
                eprintln!(
                    "WARNING: Connection error: {} (retrying in {} s, attempt {attempt}/{})",
                    f.message,
                    wait.as_secs(),
                    settings.connect_retries
                );
                std::thread::sleep(wait);
                wait = (wait * 2).min(std::time::Duration::from_secs(
                    settings.connect_retries_interval.max(1),
                ));
            }
            Err(f) => return Err(f),
        }
    };
    if let Some(sql) = settings
        .init_sql
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let statements = tidemark_sql::split(connection.driver.dialect(), sql)
            .map_err(|e| Failure::usage(format!("initSql cannot be parsed: {e}")))?;
        for statement in statements {
            connection
                .driver
                .execute(&statement.sql, &[])
                .map_err(|e| {
                    Failure::failed(
                        "DB_ERROR",
                        format!("initSql failed at line {}: {e}", statement.line),
                    )
                })?;
        }
    }
    Ok(connection)
}

fn open(settings: &Settings, cwd: &Path) -> Result<Connection, Failure> {
    let masked = mask(&settings.url);
    let url = DatabaseUrl::parse(&settings.url).map_err(|e| Failure::usage(e.to_string()))?;
    let mut driver: Box<dyn Driver> = match url.relative_to(cwd) {
        DatabaseUrl::Sqlite { path: None } => Box::new(SqliteDriver::memory().map_err(|e| {
            Failure::failed("DB_CONNECTION", format!("Unable to open {masked}: {e}"))
        })?),
        DatabaseUrl::Sqlite { path: Some(path) } => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                if !parent.is_dir() {
                    return Err(Failure::failed(
                        "DB_CONNECTION",
                        format!(
                            "Unable to open {masked}: folder {} does not exist",
                            parent.display()
                        ),
                    ));
                }
            }
            Box::new(
                SqliteDriver::open(&path)
                    .map_err(|e| Failure::failed("DB_CONNECTION", mask(&e.to_string())))?,
            )
        }
        DatabaseUrl::Postgres {
            host,
            port,
            database,
            user,
            password,
            params,
        } => {
            let sslmode = params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("sslmode"))
                .map(|(_, v)| v.clone());
            let options = tidemark_postgres::ConnectOptions {
                host,
                port,
                database,
                // Flags, environment and config files win over the URL; PGUSER/PGPASSWORD last.
                user: settings.user.clone().or(user),
                password: settings.password.clone().or(password),
                sslmode,
                params: params
                    .into_iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("sslmode"))
                    .collect(),
                lock_timeout: settings.lock_timeout,
                statement_timeout: settings.statement_timeout,
                transactional_lock: settings.postgresql_transactional_lock,
            };
            Box::new(
                tidemark_postgres::PostgresDriver::connect(&options)
                    .map_err(|e| connect_failure(&masked, &e))?,
            )
        }
        DatabaseUrl::Mysql {
            host,
            port,
            database,
            user,
            password,
            params,
            mariadb: _,
        } => {
            let options = tidemark_mysql::ConnectOptions {
                host,
                port,
                database,
                user: settings.user.clone().or(user),
                password: settings.password.clone().or(password),
                params,
                lock_timeout: settings.lock_timeout,
                statement_timeout: settings.statement_timeout,
            };
            Box::new(
                tidemark_mysql::MysqlDriver::connect(&options)
                    .map_err(|e| connect_failure(&masked, &e))?,
            )
        }
    };
    let version = driver
        .server_version()
        .map_err(|e| Failure::failed("DB_CONNECTION", format!("Unable to query {masked}: {e}")))?;
    Ok(Connection {
        driver,
        description: format!("{masked} ({version})"),
    })
}
