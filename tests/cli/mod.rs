//! End-to-end tests through the `tidemark` binary: every command, every way of configuring it,
//! and the exact texts a Flyway user sees.

mod support;

mod adopt;
mod backfill;
mod binary;
mod callbacks;
mod check;
mod errors;
mod fleet;
mod formats;
mod history_format;
mod lint;
mod liquibase;
mod migrate;
mod phases;
mod plans;
mod readme_ci;
mod rehearse;
mod repair;
mod servers;
mod settings;
mod states;
mod terminal;
mod undo;
mod zero_downtime;
