//! Work done ahead, while the files are still being read: the history a command is about to
//! read, and the files resolved on the reading thread.
//!
//! Why: a command that has nothing to do spends its time in three waits that need not follow
//! one another: reading the files, connecting, and the server answering for the history. The
//! CLI reads the files on a thread while it connects; with this, the main thread goes on to
//! read the history while that thread resolves what it read, and the engine starts with both.
//!
//! Nothing here changes what a command sees. A history read ahead is used once, by the
//! command's first read, and only when that read would have come first anyway: no callback
//! could have run before it (there are none) and it is not a read under the migration lock.
//! `migrate` reads ahead too, without the lock: when that history leaves nothing to do, there
//! is nothing to write and no lock to take (see `Engine::migrate`); otherwise the engine takes
//! the lock and reads the history again under it, as it always did.
//!
//! Files are resolved ahead only when the outcome cannot depend on the connection: the
//! `${flyway:user}`-style placeholders that come from it are replaced in repeatable migrations'
//! checksums and in `.conf` files only, so with either present the engine resolves again.

use tidemark_ledger::history::AppliedMigration;
use tidemark_ledger::source::{Prefetched, ResolveConfig, Resolved, resolve};

use super::{Config, Engine, history_table, parse_row};
use crate::driver::Driver;
use crate::error::Error;

/// What a command will read first; the CLI sets it on the [`Config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadAheadMode {
    /// Nothing read ahead.
    #[default]
    Nothing,
    /// The history, without a lock (`validate`, `info`, `migrate`).
    History,
}

/// The history read ahead of the engine (see the module docs).
#[derive(Debug)]
pub struct ReadAhead {
    /// The rows.
    pub(super) history: Vec<AppliedMigration>,
}

impl ReadAhead {
    /// Reads what `config.read_ahead` asks for. `Ok(None)` when there is nothing to read ahead;
    /// errors are the engine's to report, so the caller drops them and lets the engine meet
    /// them in its usual order.
    pub fn read(driver: &mut dyn Driver, config: &Config) -> Result<Option<ReadAhead>, Error> {
        if config.dry_run || config.read_ahead == ReadAheadMode::Nothing {
            return Ok(None);
        }
        let table = history_table(driver, config)?;
        let history = read_rows(driver, &table)?;
        Ok(Some(ReadAhead { history }))
    }
}

/// The history rows (empty when the table does not exist): the one reading both the engine
/// and the read-ahead use.
pub(super) fn read_rows(
    driver: &mut dyn Driver,
    table: &crate::history_table::HistoryTable,
) -> Result<Vec<AppliedMigration>, Error> {
    let rows = driver
        .read_table(&table.schema, &table.table, &table.select(), &[])
        .map_err(|e| {
            Error::db(
                &format!("read the schema history table {}", table.qualified()),
                e,
            )
        })?;
    let rows = rows.unwrap_or_default();
    let mut history = Vec::with_capacity(rows.len());
    for row in rows {
        history.push(parse_row(row)?);
    }
    // The server hands the rows back in the order they were written, which is nearly always
    // rank order: then there is nothing to sort (a sort would still take a buffer for it).
    if !history.is_sorted_by_key(|row| row.installed_rank) {
        history.sort_by_key(|row| row.installed_rank);
    }
    Ok(history)
}

/// Whether the history table exists.
pub(super) fn history_exists(
    driver: &mut dyn Driver,
    table: &crate::history_table::HistoryTable,
) -> Result<bool, Error> {
    driver
        .table_exists(&table.schema, &table.table)
        .map_err(|e| Error::db("check for the schema history table", e))
}

/// Resolves the files on the calling thread (the one that read them), when the outcome does
/// not depend on the connection; `None` otherwise, or when resolving fails (the engine then
/// resolves again and reports what it finds).
pub fn resolve_early(source: &Prefetched<'_>, config: &ResolveConfig) -> Option<Resolved> {
    // Decided from the listing, before anything is handed over: a `.conf` file, or a name that
    // may be a repeatable migration's (its prefix, in any case).
    let prefix = &config.naming.repeatable_prefix;
    let depends = |f: &tidemark_ledger::source::SourceFile| {
        let name = f.file_name();
        name.ends_with(".conf")
            || name
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    if config.placeholder_replacement && source.any_listed(depends) {
        return None;
    }
    resolve(source, config).ok()
}

impl Engine<'_> {
    /// Hands the engine what was read ahead; the CLI calls it right after [`Engine::new_resolved`].
    pub fn use_read_ahead(&mut self, ahead: ReadAhead) {
        self.ahead = Some(ahead);
    }

    /// The history read ahead, if this first read may use it (see the module docs).
    pub(super) fn history_ahead(&mut self) -> Option<Vec<AppliedMigration>> {
        let ahead = self.ahead.take()?;
        (!self.in_lock && self.resolved.callbacks.is_empty()).then_some(ahead.history)
    }
}

#[cfg(test)]
mod tests {
    use tidemark_ledger::source::{MemSource, Prefetched, ResolveConfig};

    use super::resolve_early;

    fn early(source: &MemSource, config: &ResolveConfig) -> Option<usize> {
        let prefetched = Prefetched::load(source, |_| true);
        resolve_early(&prefetched, config).map(|r| r.migrations.len())
    }

    #[test]
    fn versioned_files_resolve_ahead() {
        let source = MemSource::new()
            .with("V1__a.sql", "CREATE TABLE a (id INT);")
            .with("V2__b.sql", "CREATE TABLE b (id INT);");
        assert_eq!(early(&source, &ResolveConfig::default()), Some(2));
    }

    #[test]
    fn what_may_use_the_connections_placeholders_waits_for_it() {
        let config = ResolveConfig::default();
        let repeatable = MemSource::new()
            .with("V1__a.sql", "CREATE TABLE a (id INT);")
            .with("R__v.sql", "CREATE VIEW v AS SELECT '${flyway:user}' AS u;");
        assert_eq!(early(&repeatable, &config), None);
        let conf = MemSource::new()
            .with("V1__a.sql", "CREATE TABLE a (id INT);")
            .with("V1__a.sql.conf", "executeInTransaction=true\n");
        assert_eq!(early(&conf, &config), None);

        // Without placeholder replacement nothing depends on the connection.
        let off = ResolveConfig {
            placeholder_replacement: false,
            ..ResolveConfig::default()
        };
        assert_eq!(early(&repeatable, &off), Some(2));
    }

    #[test]
    fn a_failing_resolve_is_left_to_the_engine() {
        let source = MemSource::new()
            .with("V1__a.sql", "CREATE TABLE a (id INT);")
            .with("V1__again.sql", "CREATE TABLE b (id INT);");
        assert_eq!(early(&source, &ResolveConfig::default()), None);
    }
}
