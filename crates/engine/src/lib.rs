//! The engine: applies a plan to a database safely.
//!
//! The ledger decides what should happen; the engine makes it happen through a [`Driver`],
//! holding Flyway's lock, keeping each migration and its history row in one transaction, and
//! recording failures honestly where the DBMS cannot roll DDL back. It knows Flyway's history
//! table and lock identity as data ([`history_table`], [`lock`]), and Liquibase's tables, lock
//! and commands ([`liquibase`]); drivers only speak SQL.
//!
//! # Migrating from an application
//!
//! An application that migrates its database at start-up needs three pieces besides the
//! connection (any [`Driver`]: `tidemark-sqlite`, `tidemark-postgres`, `tidemark-mysql`): a
//! [`Source`](tidemark_ledger::source::Source) of migration files (folders with
//! [`FsSource`](tidemark_ledger::source::FsSource), or files compiled into the binary with
//! [`MemSource`](tidemark_ledger::source::MemSource)), a [`Config`] (Flyway's defaults; set
//! `resolve.placeholders`, `table`, `schemas`... as needed) and a [`Reporter`] for the progress
//! lines ([`Collect`] keeps them). [`Engine::migrate`] then does what `tidemark migrate` does:
//! it takes Flyway's lock, validates, applies each pending migration with its history row in one
//! transaction and releases the lock; the history table is Flyway's, so the `tidemark` binary or
//! Flyway itself can take over from there.
//!
//! ```
//! use tidemark_engine::{Collect, Config, Driver, Engine};
//! use tidemark_ledger::source::MemSource;
//! use tidemark_sqlite::SqliteDriver;
//!
//! // Migrations compiled into the application (`include_str!` in a real one).
//! let source = MemSource::new()
//!     .with("V1__create_people.sql", "CREATE TABLE people (id INT, name TEXT);\n")
//!     .with("V2__add_email.sql", "ALTER TABLE people ADD COLUMN email TEXT;\n");
//! let mut driver = SqliteDriver::memory()?;
//! let config = Config::default();
//! let mut log = Collect::default();
//!
//! let report = Engine::new(&mut driver, &source, &config, &mut log)?.migrate()?;
//! assert_eq!(report.applied.len(), 2);
//! assert_eq!(report.target_version.as_deref(), Some("2"));
//!
//! // Started again, it finds nothing to do.
//! let again = Engine::new(&mut driver, &source, &config, &mut log)?.migrate()?;
//! assert!(again.applied.is_empty());
//! let rows = driver.query("SELECT count(*) FROM flyway_schema_history", &[])?;
//! assert_eq!(rows[0][0].as_i64(), Some(2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/embedded.rs` does the same with the repository's `migrations/` folder and an SQLite
//! file: `cargo run -p tidemark-engine --example embedded`.
#![deny(missing_docs)]

pub mod driver;
pub mod error;
pub mod history_table;
pub mod liquibase;
pub mod lock;
pub mod report;
pub mod runner;

pub use driver::{DbError, Dialect, Driver, LockId, Row, Value};
pub use error::{Error, ScriptFailure};
pub use report::{AppliedStep, Collect, MigrateReport, Progress, Reporter, StatementEvent};
pub use runner::companion::{CompanionRow, DiffOutcome};
pub use runner::repair::RepairReport;
pub use runner::undo::UndoRequest;
pub use runner::{
    Config, DryRun, Engine, MigrateFailure, PendingReview, ReadAhead, ReadAheadMode, ReviewFile,
    ReviewOutcome, Snapshot, UndoRecord, format_duration, resolve_early,
};
