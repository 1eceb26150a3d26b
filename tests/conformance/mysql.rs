//! Fresh MySQL/MariaDB databases for the conformance suite.
//!
//! The server comes from `TIDEMARK_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/`);
//! each test gets a uniquely named database that its guard drops. Without a server the MySQL
//! part of each scenario is skipped, unless `TIDEMARK_REQUIRE_DB=1` (see
//! `tidemark_mysql::testing`).

use super::harness::TestDb;

/// A new, uniquely named database on the test server, or `None` (with a message on stderr)
/// when the server is not reachable and `TIDEMARK_REQUIRE_DB` is not set.
pub fn fresh() -> Option<TestDb> {
    let db = tidemark_mysql::testing::scratch()?;
    let driver = db.connect();
    Some(TestDb {
        name: "mysql",
        driver: Box::new(driver),
        _cleanup: Box::new(db),
    })
}
