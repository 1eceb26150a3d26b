//! Command-line arguments: clap derive types for the commands, plus one generated flag per
//! setting from [`crate::settings::keys`].
//!
//! Flyway's form (`-url=jdbc:sqlite:app.db -locations=filesystem:sql migrate`) is rewritten into
//! clap's form first, so existing scripts keep working; `-D<name>=<value>` is left alone.
