//! SQL text per dialect, without a database.
//!
//! A migration file is executed statement by statement so that a failure names the line it came
//! from, and so that statements which cannot run inside a transaction (`CREATE INDEX
//! CONCURRENTLY`, `VACUUM`, `PRAGMA foreign_keys`, ...) are found before anything runs. Splitting
//! needs to know each dialect's strings, quoted identifiers, comments and block bodies (SQLite
//! trigger `BEGIN ... END`, PostgreSQL dollar quotes, MySQL `DELIMITER`), which is what this crate
//! knows and nothing else. It is separate from the drivers so that offline commands (`check`,
//! `lint`, dry-run) split exactly as `migrate` does.
#![deny(missing_docs)]

mod mysql;
mod postgres;
mod scan;
mod sqlite;

use std::fmt;

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL 9.0+.
    Postgres,
    /// MySQL 5.7+ and MariaDB 10.x+.
    Mysql,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        })
    }
}

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text as it appears in the script, from its first token up to (excluding) the
    /// delimiter; comments before the first token are not part of it.
    ///
    /// PostgreSQL `COPY ... FROM STDIN` is the one exception: the command, then a NUL character,
    /// then the data lines verbatim (without the closing `\.` line). PostgreSQL refuses NUL in
    /// query text and in text-format COPY data, so the separator is unambiguous; the executor
    /// splits at it and streams the data.
    pub sql: String,
    /// 1-based line of the statement's first token in the script.
    pub line: usize,
    /// Byte offset of the first token in the script.
    pub offset: usize,
    /// Whether this statement cannot run inside a transaction (reference §9).
    pub non_transactional: bool,
}

/// The script cannot be split: an unterminated string, quoted identifier, comment or block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} starting at line {line} is never closed")]
pub struct SplitError {
    /// What was left open, e.g. `string literal`, `block comment`, `dollar-quoted string $tag$`.
    pub what: String,
    /// 1-based line where it started.
    pub line: usize,
}

/// Splits a script into statements. Statements consisting only of comments and whitespace are
/// dropped.
pub fn split(dialect: Dialect, script: &str) -> Result<Vec<Statement>, SplitError> {
    match dialect {
        Dialect::Sqlite => sqlite::split(script),
        Dialect::Postgres => postgres::split(script),
        Dialect::Mysql => mysql::split(script),
    }
}
