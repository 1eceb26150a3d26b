//! Fresh PostgreSQL databases for the conformance suite.
//!
//! The server comes from `TIDEMARK_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test gets a uniquely named database that
//! its guard drops (`WITH (FORCE)`, so a session a failed test left open does not keep it).
//! Without a server the PostgreSQL part of each scenario is skipped, unless
//! `TIDEMARK_REQUIRE_DB=1` (see `tidemark_postgres::testing`).

use super::harness::TestDb;

/// A new, uniquely named database on the test server, or `None` (with a message on stderr)
/// when the server is not reachable and `TIDEMARK_REQUIRE_DB` is not set.
pub fn fresh() -> Option<TestDb> {
    let db = tidemark_postgres::testing::scratch()?;
    let driver = db.connect();
    Some(TestDb {
        name: "postgres",
        driver: Box::new(driver),
        _cleanup: Box::new(db),
    })
}
