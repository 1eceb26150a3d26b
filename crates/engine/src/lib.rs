//! The engine: applies a plan to a database safely.
#![deny(missing_docs)]

pub mod driver;

pub use driver::{DbError, Dialect, Driver, LockId, Row, Value};
