//! The driver conformance suite: every scenario written once over `&mut dyn Driver` and run
//! against every driver available. Each test gets a fresh database of its own, so tests run in
//! parallel.

mod harness;
mod mysql;
mod postgres;
mod scenarios;
