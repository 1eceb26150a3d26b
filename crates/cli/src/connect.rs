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

/// Opens the database named by the settings.
pub fn connect(settings: &Settings, cwd: &Path) -> Result<Connection, Failure> {
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
        DatabaseUrl::Postgres { .. } | DatabaseUrl::Mysql { .. } => {
            return Err(Failure::usage(format!(
                "{masked}: PostgreSQL and MySQL/MariaDB drivers are not built into this tidemark yet; use a sqlite: URL"
            )));
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
