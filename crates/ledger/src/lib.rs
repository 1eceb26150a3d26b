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
#![deny(missing_docs)]

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
