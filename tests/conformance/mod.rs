//! The driver conformance suite: every scenario written once over `&mut dyn Driver` and run
//! against every driver available. Each test gets a fresh database of its own, so tests run in
//! parallel.
//!
//! Themes: `scenarios` (history rows, failures, baseline, repair, read-only commands),
//! `states` (info/validate states, targets, out of order, repeatables), `commands` (baseline,
//! B migrations, clean), `failures` (failing statements, group, mixed), `callbacks`, `settings`
//! (placeholders, installedBy, schemas).

mod harness;
mod mysql;
mod postgres;

mod callbacks;
mod commands;
mod failures;
mod scenarios;
mod settings;
mod states;
mod undo;
