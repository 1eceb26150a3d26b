//! Fresh PostgreSQL databases for the conformance suite.
//!
//! The server comes from `TIDEMARK_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test gets a uniquely named database that
//! its guard drops (`WITH (FORCE)`, so a session a failed test left open does not keep it).
//! Without a server the PostgreSQL part of each scenario is skipped, with a note on stderr,
//! unless `TIDEMARK_REQUIRE_DB=1`, which makes that a failure.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tidemark_engine::Driver;
use tidemark_postgres::{ConnectOptions, PostgresDriver};

use super::harness::TestDb;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A new, uniquely named database on the test server, or `None` (with a message on stderr)
/// when the server is not reachable and `TIDEMARK_REQUIRE_DB` is not set.
pub fn fresh() -> Option<TestDb> {
    match create() {
        Ok((guard, driver)) => Some(TestDb {
            name: "postgres",
            driver: Box::new(driver),
            _cleanup: Box::new(guard),
        }),
        Err(reason) if std::env::var("TIDEMARK_REQUIRE_DB").as_deref() == Ok("1") => {
            panic!("PostgreSQL is required (TIDEMARK_REQUIRE_DB=1): {reason}")
        }
        Err(reason) => {
            eprintln!("skipping PostgreSQL tests: {reason}");
            None
        }
    }
}

/// Drops the test database when the test is done with it.
struct Guard {
    admin: ConnectOptions,
    name: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(mut admin) = PostgresDriver::connect(&self.admin) {
            let _ = admin.execute(
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
                &[],
            );
        }
    }
}

fn create() -> Result<(Guard, PostgresDriver), String> {
    let url = std::env::var("TIDEMARK_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.into());
    let admin = server_options(&url)?;
    let mut driver = PostgresDriver::connect(&admin).map_err(|e| e.to_string())?;
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!(
        "tidemark_t_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    driver
        .execute(&format!("CREATE DATABASE \"{name}\""), &[])
        .map_err(|e| e.to_string())?;
    let guard = Guard {
        admin: admin.clone(),
        name: name.clone(),
    };
    let mut options = admin;
    options.database = Some(name);
    let driver = PostgresDriver::connect(&options).map_err(|e| e.to_string())?;
    Ok((guard, driver))
}

/// `postgres://user[:password]@host[:port][/database][?k=v&...]` (no percent-decoding needed
/// for the test servers this runs against).
fn server_options(url: &str) -> Result<ConnectOptions, String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| format!("TIDEMARK_TEST_POSTGRES_URL is not a postgres:// URL: {url}"))?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo.map(|u| u.split_once(':').unwrap_or((u, ""))) {
        Some((u, p)) => (
            Some(u.to_string()),
            Some(p.to_string()).filter(|p| !p.is_empty()),
        ),
        None => (None, None),
    };
    let (host, port) = match hostport.strip_prefix('[') {
        Some(v6) => {
            let (h, p) = v6.split_once(']').unwrap_or((v6, ""));
            (h, p.strip_prefix(':'))
        }
        None => match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        },
    };
    let port = match port {
        Some(p) => p
            .parse()
            .map_err(|_| format!("bad port in TIDEMARK_TEST_POSTGRES_URL: {p}"))?,
        None => 5432,
    };
    Ok(ConnectOptions {
        host: host.to_string(),
        port,
        database: Some(database.to_string()).filter(|d| !d.is_empty()),
        user,
        password,
        params: query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_string(), v.to_string())
            })
            .collect(),
        ..ConnectOptions::default()
    })
}
