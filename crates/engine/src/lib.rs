//! The engine: applies a plan to a database safely.
//!
//! The ledger decides what should happen; the engine makes it happen through a [`Driver`],
//! holding Flyway's lock, keeping each migration and its history row in one transaction, and
//! recording failures honestly where the DBMS cannot roll DDL back. It knows Flyway's history
//! table and lock identity as data ([`history_table`], [`lock`]); drivers only speak SQL.
#![deny(missing_docs)]

pub mod driver;
pub mod error;
pub mod history_table;
pub mod lock;
pub mod report;
pub mod runner;

pub use driver::{DbError, Dialect, Driver, LockId, Row, Value};
pub use error::{Error, ScriptFailure};
pub use report::{AppliedStep, Collect, MigrateReport, Progress, Reporter};
pub use runner::companion::{CompanionRow, DiffOutcome};
pub use runner::repair::RepairReport;
pub use runner::undo::UndoRequest;
pub use runner::{Config, DryRun, Engine, MigrateFailure, Snapshot, UndoRecord, format_duration};
