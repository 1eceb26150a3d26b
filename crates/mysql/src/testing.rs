//! Scratch databases on a test server, for this crate's tests and the conformance suite.
//!
//! Tests against a real server must not share state, so each test gets a database of its own
//! (`tidemark_t_<pid>_<counter>_<nanos>`), dropped when its guard is; that is what lets the tests
//! run in parallel. The server is named by `TIDEMARK_TEST_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306/`). When it cannot be reached the tests skip with a message on
//! stderr, unless `TIDEMARK_REQUIRE_DB=1` (CI), where they fail: a suite that silently tests
//! nothing is worse than a red one.
//!
//! This is test support: [`scratch`] panics where a test should fail.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tidemark_engine::driver::Driver;

use crate::{ConnectOptions, MysqlDriver};

/// The environment variable naming the test server.
pub const URL_VAR: &str = "TIDEMARK_TEST_MYSQL_URL";

/// The test server when [`URL_VAR`] is not set: the local server, `root` without password.
pub const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/";

/// Reads `mysql://user[:password]@host[:port][/database]` (also `mariadb://`), simply: no
/// percent-decoding, parameters after `?` ignored.
pub fn parse_url(url: &str) -> Result<ConnectOptions, String> {
    let rest = url
        .strip_prefix("mysql://")
        .or_else(|| url.strip_prefix("mariadb://"))
        .ok_or_else(|| format!("{URL_VAR} must start with mysql:// or mariadb://"))?;
    let rest = rest.split('?').next().unwrap_or(rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (credentials, address) = match authority.rsplit_once('@') {
        Some((c, a)) => (Some(c), a),
        None => (None, authority),
    };
    let (user, password) = match credentials {
        Some(c) => match c.split_once(':') {
            Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
            None => (Some(c.to_string()), None),
        },
        None => (None, None),
    };
    let (host, port) = match address.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            p.parse()
                .map_err(|_| format!("{URL_VAR}: bad port '{p}'"))?,
        ),
        None => (address.to_string(), 3306),
    };
    Ok(ConnectOptions {
        host,
        port,
        database: Some(path.to_string()).filter(|d| !d.is_empty()),
        user,
        password,
        ..ConnectOptions::default()
    })
}

/// The test server's connection options, from [`URL_VAR`] or [`DEFAULT_URL`].
pub fn server() -> Result<ConnectOptions, String> {
    let url = std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_string());
    let mut options = parse_url(&url)?;
    options.database = None;
    Ok(options)
}

/// A database that exists until this guard is dropped.
pub struct ScratchDatabase {
    admin: MysqlDriver,
    options: ConnectOptions,
}

impl ScratchDatabase {
    /// The database's name.
    pub fn name(&self) -> &str {
        self.options.database.as_deref().unwrap_or_default()
    }

    /// Options connecting to this database.
    pub fn options(&self) -> ConnectOptions {
        self.options.clone()
    }

    /// A new connection to this database.
    ///
    /// # Panics
    /// When the connection fails (the server was reachable a moment ago).
    pub fn connect(&self) -> MysqlDriver {
        MysqlDriver::connect(&self.options)
            .unwrap_or_else(|e| panic!("connect to scratch database {}: {e}", self.name()))
    }

    /// A URL naming this database that the `tidemark` binary accepts:
    /// `mysql://user[:password]@host:port/name`, percent-encoded. It holds the test server's
    /// password, if it has one: pass it to the binary, never print it.
    pub fn url(&self) -> String {
        let o = &self.options;
        let mut url = String::from("mysql://");
        if let Some(user) = &o.user {
            url.push_str(&encode(user));
            if let Some(password) = &o.password {
                url.push(':');
                url.push_str(&encode(password));
            }
            url.push('@');
        }
        if o.host.contains(':') {
            url.push_str(&format!("[{}]", o.host));
        } else {
            url.push_str(&o.host);
        }
        url.push_str(&format!(":{}/{}", o.port, encode(self.name())));
        url
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {}", crate::quote(self.name()));
        if let Err(e) = self.admin.execute(&sql, &[]) {
            eprintln!("could not drop scratch database {}: {e}", self.name());
        }
    }
}

/// A new, uniquely named database on the test server; `None` (with `skipping MySQL/MariaDB
/// tests: <reason>` on stderr) when the server cannot be reached.
///
/// # Panics
/// When the server cannot be reached and `TIDEMARK_REQUIRE_DB=1`, or when creating the
/// database fails.
pub fn scratch() -> Option<ScratchDatabase> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let admin = server().and_then(|options| {
        MysqlDriver::connect(&options)
            .map(|driver| (driver, options))
            .map_err(|e| e.to_string())
    });
    let (mut admin, mut options) = match admin {
        Ok(pair) => pair,
        Err(reason) => {
            if std::env::var("TIDEMARK_REQUIRE_DB").as_deref() == Ok("1") {
                panic!("MySQL/MariaDB test server required (TIDEMARK_REQUIRE_DB=1): {reason}");
            }
            eprintln!("skipping MySQL/MariaDB tests: {reason}");
            return None;
        }
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!(
        "tidemark_t_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    admin
        .create_schema(&name)
        .unwrap_or_else(|e| panic!("create scratch database {name}: {e}"));
    options.database = Some(name);
    Some(ScratchDatabase { admin, options })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_test_urls() {
        let o = parse_url("mysql://root@127.0.0.1:3306/").unwrap();
        assert_eq!(
            (
                o.host.as_str(),
                o.port,
                o.user.as_deref(),
                o.password.as_deref()
            ),
            ("127.0.0.1", 3306, Some("root"), None)
        );
        assert_eq!(o.database, None);
        let o = parse_url("mariadb://u:p@w@db/x?useSSL=false").unwrap();
        assert_eq!(
            (
                o.host.as_str(),
                o.port,
                o.user.as_deref(),
                o.password.as_deref(),
                o.database.as_deref()
            ),
            ("db", 3306, Some("u"), Some("p@w"), Some("x"))
        );
        assert!(parse_url("postgres://x").is_err());
        assert!(parse_url("mysql://h:port/").is_err());
    }
}
