//! The ledger: what migrations exist on disk, what the history table says was applied, and what
//! state each one is therefore in.
//!
//! Everything here is pure: files are read from a [`source::Source`], history rows arrive as plain
//! values, and the answer is data ([`plan::Plan`], [`validate::Finding`]). No database is touched,
//! so every rule Flyway applies (names, versions, checksums, states, validation) is unit-tested
//! here without one, and `info`, `validate`, dry-run and `migrate` cannot disagree: they all call
//! [`plan::plan`].
//!
//! A file on disk ([`script::ResolvedMigration`]) and a row in the database
//! ([`history::AppliedMigration`]) are different types on purpose: the plan is where they meet.
//!
//! # Usage
//!
//! Resolve the files, hand in the history rows (read by the engine, or by anything else), and
//! ask the plan what state each migration is in:
//!
//! ```
//! use tidemark_ledger::checksum;
//! use tidemark_ledger::history::AppliedMigration;
//! use tidemark_ledger::plan::{PlanConfig, State, plan};
//! use tidemark_ledger::source::{MemSource, ResolveConfig, resolve};
//!
//! let source = MemSource::new()
//!     .with("V1__create_people.sql", "CREATE TABLE people (id INT);\n")
//!     .with("V2__add_email.sql", "ALTER TABLE people ADD COLUMN email TEXT;\n");
//! let resolved = resolve(&source, &ResolveConfig::default())?;
//! let v1 = &resolved.migrations[0];
//! assert_eq!(v1.description(), "create people");
//! // The checksum Flyway records, line endings notwithstanding.
//! assert_eq!(v1.checksum, checksum::flyway("CREATE TABLE people (id INT);\r\n"));
//!
//! // Nothing applied yet: both are pending, in version order.
//! let applied: Vec<AppliedMigration> = Vec::new();
//! let plan = plan(&resolved.migrations, &applied, &PlanConfig::default())?;
//! assert!(plan.entries.iter().all(|e| e.state == State::Pending));
//! let pending: Vec<&str> = plan.pending().iter().map(|m| m.script.as_str()).collect();
//! assert_eq!(pending, ["V1__create_people.sql", "V2__add_email.sql"]);
//! assert_eq!(plan.schema_version(), "<< Empty Schema >>");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To apply a plan to a database, see the `tidemark-engine` crate; [`adopt`] translates the files
//! and history of refinery, sqlx and dbmate into Flyway's form.
#![deny(missing_docs)]

pub mod adopt;
pub mod changelog;
pub mod checksum;
pub mod directive;
pub mod event;
pub mod history;
pub mod name;
pub mod pattern;
pub mod phase;
pub mod placeholder;
pub mod plan;
pub mod properties;
pub mod script;
pub mod source;
pub mod sqlconf;
pub mod text;
pub mod validate;
pub mod version;
