//! Scratch databases on a test server, for this crate's tests, the conformance suite and the
//! end-to-end tests of the binary.
//!
//! Tests against a real server must not share state, so each test gets a database of its own
//! (`tidemark_t_<pid>_<counter>_<nanos>`), dropped `WITH (FORCE)` when its guard is, so that a
//! session a failed test left open does not keep it alive; that is what lets the tests run in
//! parallel. The server is named by `TIDEMARK_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached the tests skip with
//! a message on stderr, unless `TIDEMARK_REQUIRE_DB=1` (CI), where they fail: a suite that
//! silently tests nothing is worse than a red one.
//!
//! This is test support, shaped like `tidemark_mysql::testing`: [`scratch`] panics where a test
//! should fail.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tidemark_engine::driver::Driver;

use crate::{ConnectOptions, PostgresDriver};

/// The environment variable naming the test server.
pub const URL_VAR: &str = "TIDEMARK_TEST_POSTGRES_URL";

/// The test server when [`URL_VAR`] is not set: the local server, `postgres` without password.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Reads `postgres://user[:password]@host[:port][/database][?k=v&...]` (also `postgresql://`,
/// IPv6 hosts in brackets), percent-decoding each part.
pub fn parse_url(url: &str) -> Result<ConnectOptions, String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| format!("{URL_VAR} must start with postgres:// or postgresql://"))?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, address) = match authority.rsplit_once('@') {
        Some((u, a)) => (Some(u), a),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (Some(decode(u)), Some(decode(p))),
            None => (Some(decode(u)), None),
        },
        None => (None, None),
    };
    let (host, port) = match address.strip_prefix('[') {
        Some(v6) => {
            let (h, p) = v6.split_once(']').unwrap_or((v6, ""));
            (h, p.strip_prefix(':'))
        }
        None => match address.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (address, None),
        },
    };
    let port = match port {
        Some(p) => p
            .parse()
            .map_err(|_| format!("{URL_VAR}: bad port '{p}'"))?,
        None => 5432,
    };
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect();
    let sslmode = params
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case("sslmode"))
        .map(|i| params.remove(i).1);
    Ok(ConnectOptions {
        host: host.to_string(),
        port,
        database: Some(decode(database)).filter(|d| !d.is_empty()),
        user,
        password,
        sslmode,
        params,
        ..ConnectOptions::default()
    })
}

/// The test server's connection options, from [`URL_VAR`] or [`DEFAULT_URL`]; the database is
/// the one the URL names (the maintenance database scratch databases are created from).
pub fn server() -> Result<ConnectOptions, String> {
    let url = std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_string());
    parse_url(&url)
}

/// A database that exists until this guard is dropped.
///
/// Unlike MySQL's, it keeps no admin session open while the test runs (it connects again to
/// drop the database): PostgreSQL allows 100 connections by default, and tests that start
/// sixteen `tidemark` processes each run in parallel with the rest.
pub struct ScratchDatabase {
    /// The maintenance database, from which this one is dropped.
    admin: ConnectOptions,
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
    pub fn connect(&self) -> PostgresDriver {
        PostgresDriver::connect(&self.options)
            .unwrap_or_else(|e| panic!("connect to scratch database {}: {e}", self.name()))
    }

    /// A URL naming this database that the `tidemark` binary accepts:
    /// `postgres://user[:password]@host:port/name[?sslmode=...&...]`, percent-encoded. It holds
    /// the test server's password, if it has one: pass it to the binary, never print it.
    pub fn url(&self) -> String {
        to_url(&self.options)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            crate::quote(self.name())
        );
        let dropped =
            PostgresDriver::connect(&self.admin).and_then(|mut admin| admin.execute(&sql, &[]));
        if let Err(e) = dropped {
            eprintln!("could not drop scratch database {}: {e}", self.name());
        }
    }
}

/// A new, uniquely named database on the test server; `None` (with `skipping PostgreSQL tests:
/// <reason>` on stderr) when the server cannot be reached.
///
/// # Panics
/// When the server cannot be reached and `TIDEMARK_REQUIRE_DB=1`, or when creating the
/// database fails.
pub fn scratch() -> Option<ScratchDatabase> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let admin = server().and_then(|options| {
        PostgresDriver::connect(&options)
            .map(|driver| (driver, options))
            .map_err(|e| e.to_string())
    });
    let (mut driver, admin) = match admin {
        Ok(pair) => pair,
        Err(reason) => {
            if std::env::var("TIDEMARK_REQUIRE_DB").as_deref() == Ok("1") {
                panic!("PostgreSQL test server required (TIDEMARK_REQUIRE_DB=1): {reason}");
            }
            eprintln!("skipping PostgreSQL tests: {reason}");
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
    driver
        .execute(&format!("CREATE DATABASE {}", crate::quote(&name)), &[])
        .unwrap_or_else(|e| panic!("create scratch database {name}: {e}"));
    let mut options = admin.clone();
    options.database = Some(name);
    Some(ScratchDatabase { admin, options })
}

/// `options` as a `postgres://` URL that [`parse_url`] and the binary read back.
fn to_url(o: &ConnectOptions) -> String {
    let mut url = String::from("postgres://");
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
    url.push_str(&format!(
        ":{}/{}",
        o.port,
        encode(o.database.as_deref().unwrap_or_default())
    ));
    let params: Vec<String> = o
        .sslmode
        .iter()
        .map(|mode| ("sslmode", mode.as_str()))
        .chain(o.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    url
}

/// Percent-decodes `s` (an invalid escape is kept as it is).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_test_urls() {
        let o = parse_url("postgresql://u:p%40ss@[::1]:6000/d?sslmode=disable&a=b").unwrap();
        assert_eq!(
            (
                o.host.as_str(),
                o.port,
                o.user.as_deref(),
                o.password.as_deref()
            ),
            ("::1", 6000, Some("u"), Some("p@ss"))
        );
        assert_eq!(o.database.as_deref(), Some("d"));
        assert_eq!(o.sslmode.as_deref(), Some("disable"));
        assert_eq!(o.params, vec![("a".to_string(), "b".to_string())]);
        let o = parse_url("postgres://127.0.0.1").unwrap();
        assert_eq!(
            (o.host.as_str(), o.port, o.user, o.database),
            ("127.0.0.1", 5432, None, None)
        );
        let o = parse_url(DEFAULT_URL).unwrap();
        assert_eq!(
            (
                o.host.as_str(),
                o.port,
                o.user.as_deref(),
                o.database.as_deref()
            ),
            ("127.0.0.1", 5432, Some("postgres"), Some("postgres"))
        );
        assert!(parse_url("mysql://x").is_err());
        assert!(parse_url("postgres://h:port/").is_err());
    }

    #[test]
    fn url_round_trips_through_parse_url() {
        let options =
            parse_url("postgresql://u%3A:p%40ss@[::1]:6000/x?sslmode=disable&a=b%26c").unwrap();
        let url = to_url(&options);
        assert_eq!(
            url,
            "postgres://u%3A:p%40ss@[::1]:6000/x?sslmode=disable&a=b%26c"
        );
        assert_eq!(parse_url(&url).unwrap(), options);
        let plain = parse_url("postgres://postgres@127.0.0.1/tidemark_t_1").unwrap();
        assert_eq!(
            to_url(&plain),
            "postgres://postgres@127.0.0.1:5432/tidemark_t_1"
        );
    }
}
