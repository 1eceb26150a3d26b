//! The table of every setting tidemark knows: Flyway camelCase key, type, default, help.
//!
//! It drives the `--kebab-case` flags, the `-camelCase=value` rewriting, the `TIDEMARK_*` /
//! `FLYWAY_*` environment names and config-file lookups, so they cannot drift apart.
