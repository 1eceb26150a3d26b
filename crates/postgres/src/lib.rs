//! The PostgreSQL driver.

use std::time::Duration;

/// How to connect. The CLI fills this from the URL and the settings (flags and environment win
/// over the URL for user and password).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Host name or address.
    pub host: String,
    /// Port (5432).
    pub port: u16,
    /// Database; `None` uses the user name, as libpq does.
    pub database: Option<String>,
    /// User; `None` uses `PGUSER`, then the OS user name.
    pub user: Option<String>,
    /// Password; `None` uses `PGPASSWORD`, then no password.
    pub password: Option<String>,
    /// `sslmode`: `disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`.
    pub sslmode: Option<String>,
    /// Other URL parameters (`currentSchema`, `connect_timeout`, `application_name`, ...).
    pub params: Vec<(String, String)>,
    /// `lock_timeout` for the session.
    pub lock_timeout: Option<Duration>,
    /// `statement_timeout` for the session.
    pub statement_timeout: Option<Duration>,
    /// Take Flyway's lock as a transaction-level advisory lock (`postgresql.transactional.lock`).
    pub transactional_lock: bool,
}
