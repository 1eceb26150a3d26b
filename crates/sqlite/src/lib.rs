//! The SQLite driver.
