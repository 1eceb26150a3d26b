//! End-to-end tests through the `tidemark` binary: every command, every way of configuring it,
//! and the exact texts a Flyway user sees.

mod support;

mod backfill;
mod callbacks;
mod errors;
mod history_format;
mod migrate;
mod phases;
mod repair;
mod servers;
mod settings;
mod states;
mod undo;
