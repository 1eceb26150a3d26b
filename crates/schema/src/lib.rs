//! Schema snapshots from the catalogs, and their diff.
//!
//! Why this crate exists: `tidemark schema dump`, `drift` and `rehearse` need to say what a
//! database's schema *is*, independently of how it got there, and to compare two of them. The
//! catalogs know; the `Driver` trait deliberately does not (drivers stay small: connect, execute,
//! lock). So the catalog queries live here, one module per dialect, over `&mut dyn Driver`, and
//! produce one dialect-neutral [`Snapshot`].
//!
//! Why the snapshot looks the way it does:
//! - **Normalised and deterministic.** Objects are sorted by kind and name, columns keep their
//!   position, everything else inside a table is sorted by name; definitions come from the
//!   database's own deparsers where it has them (`pg_get_indexdef`, `pg_get_viewdef`, ...), so
//!   two databases built by the same statements print the same text, byte for byte.
//! - **Schema, not data, and not tidemark.** Sequence positions, `AUTO_INCREMENT` counters and
//!   row counts are left out, and so are the history tables of tidemark, Flyway and Liquibase
//!   ([`Options::exclude_tables`]): they differ between any two databases and are not drift.
//! - **Lines are the unit of comparison.** Every column, constraint, index and trigger renders
//!   as one line under its table ([`Snapshot::to_text`]), so a unified diff of two snapshots
//!   reads like a schema change, and [`compare`] turns the same structure into findings that say
//!   what differs and where.
#![deny(missing_docs)]

mod diff;
mod model;
mod mysql;
mod postgres;
mod sqlite;

pub use diff::{Change, Drift, Finding, compare};
pub use model::{Item, ItemKind, Object, ObjectKind, Snapshot};
use tidemark_engine::driver::{DbError, Dialect, Driver};

/// What to snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The schemas (PostgreSQL schemas, MySQL databases; SQLite always has `main`). With one
    /// schema, names are printed without it, so that two databases whose schema names differ
    /// (a MySQL scratch database and its original) compare equal.
    pub schemas: Vec<String>,
    /// Tables left out, with everything on them: the history tables (see
    /// [`tidemark_tables`]).
    pub exclude_tables: Vec<String>,
}

impl Options {
    /// Whether `table` is left out (case-insensitive, as the history table's name is matched
    /// by Flyway).
    pub fn excluded(&self, table: &str) -> bool {
        self.exclude_tables
            .iter()
            .any(|t| t.eq_ignore_ascii_case(table))
    }
}

/// The tables tidemark, Flyway and Liquibase keep for themselves, for the history table named
/// `table`: the history table, tidemark's companion table, Liquibase's two tables.
pub fn tidemark_tables(table: &str) -> Vec<String> {
    vec![
        table.to_string(),
        format!("{table}_tidemark"),
        "databasechangelog".to_string(),
        "databasechangeloglock".to_string(),
        "databasechangelog_tidemark".to_string(),
    ]
}

/// A catalog query failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database refused a catalog query.
    #[error("Unable to read the {what} from the catalog: {source}")]
    Query {
        /// What was being read (`columns`, `indexes`, ...).
        what: String,
        /// The database's error.
        source: DbError,
    },
}

/// Runs a catalog query, naming what it reads on failure.
pub(crate) fn query(
    driver: &mut dyn Driver,
    what: &str,
    sql: &str,
    params: &[tidemark_engine::Value],
) -> Result<Vec<tidemark_engine::Row>, Error> {
    driver.query(sql, params).map_err(|source| Error::Query {
        what: what.to_string(),
        source,
    })
}

/// Reads the schema of the database behind `driver` from its catalogs.
pub fn snapshot(
    driver: &mut dyn Driver,
    dialect: Dialect,
    options: &Options,
) -> Result<Snapshot, Error> {
    let mut snapshot = match dialect {
        Dialect::Postgres => postgres::snapshot(driver, options)?,
        Dialect::Mysql => mysql::snapshot(driver, options)?,
        Dialect::Sqlite => sqlite::snapshot(driver, options)?,
    };
    snapshot.normalise();
    Ok(snapshot)
}

/// The text of column `i` of a catalog row (empty for NULL).
pub(crate) fn text(row: &[tidemark_engine::Value], i: usize) -> String {
    row.get(i).and_then(|v| v.as_text()).unwrap_or_default()
}

/// Column `i` of a catalog row, `None` for NULL.
pub(crate) fn opt(row: &[tidemark_engine::Value], i: usize) -> Option<String> {
    row.get(i).and_then(|v| v.as_text())
}

/// Column `i` as a boolean (NULL is false).
pub(crate) fn flag(row: &[tidemark_engine::Value], i: usize) -> bool {
    row.get(i).and_then(|v| v.as_bool()).unwrap_or(false)
}
