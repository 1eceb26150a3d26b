//! The MySQL / MariaDB driver.

use std::time::Duration;

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
