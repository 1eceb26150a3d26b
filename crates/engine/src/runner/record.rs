//! Recording migrations that were applied by something else (`tidemark adopt`).
//!
//! A database migrated by another tool already holds everything its migrations did; what it lacks
//! is Flyway's history. This starts one: the history table (Flyway's DDL) and its companion, then
//! one successful row per migration, ranks 1, 2, ... in the order given, with each file's Flyway
//! checksum, and nothing executed (as `skipExecutingMigrations` does for pending migrations).
//! Everything commits in one transaction where the DBMS allows DDL in one, under the migration
//! lock, so a crash leaves either no history table or the complete one.

use tidemark_ledger::script::ResolvedMigration;

use super::Engine;
use crate::error::Error;

impl Engine<'_> {
    /// Creates the history table and records `migrations`, in this order, as applied
    /// successfully without running them; returns the number of rows written.
    ///
    /// Refused when the history table exists already (this starts a history, it never adds to
    /// one: use `migrate` with `skipExecutingMigrations` for that), and for undo migrations. Each
    /// row is written exactly as `migrate` writes it (checksum, description, type, script,
    /// `installed_by`), with an execution time of 0, plus its companion row. In a dry run the
    /// statements are recorded instead.
    pub fn record_applied(&mut self, migrations: &[ResolvedMigration]) -> Result<usize, Error> {
        if let Some(undo) = migrations.iter().find(|m| m.migration_type().is_undo()) {
            return Err(Error::Refused(format!(
                "{} is an undo migration: only migrations can be recorded as applied",
                undo.script
            )));
        }
        self.locked(|engine| engine.record_applied_locked(migrations))
    }

    fn record_applied_locked(&mut self, migrations: &[ResolvedMigration]) -> Result<usize, Error> {
        let qualified = self.table.qualified();
        if self.history_exists()? {
            return Err(Error::Refused(format!(
                "Schema history table {qualified} already exists: this database already has a Flyway history. Nothing was recorded."
            )));
        }
        self.reporter
            .info(&format!("Creating Schema History table {qualified} ..."));
        self.dry_comment(&format!(
            "Create the schema history table {qualified} and record {} migrations applied before",
            migrations.len()
        ));
        let transactional = self.driver.supports_ddl_transactions();
        if transactional {
            self.db_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
        }
        let result = (|| {
            for sql in self.table.create() {
                self.db_execute(&sql, &[])
                    .map_err(|e| Error::db("create the schema history table", e))?;
            }
            self.ensure_companion()?;
            for (rank, m) in (1..).zip(migrations) {
                self.insert_row(
                    rank,
                    m.version().map(|v| v.as_str()),
                    m.description(),
                    m.migration_type(),
                    &m.script,
                    Some(m.checksum),
                    0,
                    true,
                )?;
                self.insert_companion(rank, m)?;
            }
            Ok(migrations.len())
        })();
        let count = self.finish_tx(transactional, result)?;
        self.reporter.info(&format!(
            "Recorded {count} migration{} as applied in {qualified}",
            if count == 1 { "" } else { "s" }
        ));
        Ok(count)
    }
}
