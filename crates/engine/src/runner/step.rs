//! One step of `migrate` or `undo`: a script with its per-step callbacks, its history row and its
//! companion row, in one transaction where the DBMS allows it. When a failure cannot be rolled
//! back (no transaction, or MySQL's implicit commits), the failure is recorded honestly as a
//! `success = false` row, so the history never claims something that did not happen.

use std::time::Instant;

use tidemark_ledger::event::Event;
use tidemark_ledger::history::MigrationType;
use tidemark_ledger::script::ResolvedMigration;

use super::{Engine, elapsed_ms};
use crate::error::Error;

/// The history row a step writes.
pub(super) struct Row {
    pub version: Option<String>,
    pub description: String,
    pub kind: MigrationType,
    pub script: String,
    pub checksum: Option<i32>,
}

/// A script to run and how to record it.
pub(super) struct Step<'m> {
    /// The file whose statements run.
    pub file: &'m ResolvedMigration,
    /// The progress line (`Migrating schema "main" to version "2 - x"`), without the
    /// `[non-transactional]` tag, which is added here.
    pub message: String,
    /// `beforeEachMigrate` / `beforeEachUndo`.
    pub before: Event,
    /// `afterEachMigrate` / `afterEachUndo`.
    pub after: Event,
    /// `afterEachMigrateError` / `afterEachUndoError`.
    pub after_error: Event,
    /// The row recorded.
    pub row: Row,
}

impl Engine<'_> {
    /// Runs a step. `outer_tx`: a group transaction is already open (failures are then the
    /// group's to handle). Returns the execution time in milliseconds.
    pub(super) fn execute_step(
        &mut self,
        step: &Step<'_>,
        rank: i32,
        outer_tx: bool,
    ) -> Result<i32, Error> {
        let m = step.file;
        // Flyway switches to the default schema before every migration, so a migration that
        // changed the search path cannot leak it into the next one.
        self.use_configured_schema()?;
        let (in_tx, statements) = self.transaction_mode(m)?;
        let in_tx = in_tx || outer_tx;
        let mut message = step.message.clone();
        if !in_tx {
            message.push_str(" [non-transactional]");
        }
        self.reporter.info(&message);
        self.dry_comment(&format!("{message}\n{}", m.path.display()));

        let start = Instant::now();
        let own_tx = in_tx && !outer_tx;
        if own_tx {
            self.db_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
        }
        let what = format!(
            "Migration {}",
            m.script.rsplit('/').next().unwrap_or(&m.script)
        );
        let run = (|| -> Result<(), Error> {
            if !self.config.skip_executing_migrations {
                self.fire(step.before, in_tx)?;
                if let Err(failure) = self.run_statements(&what, &m.path, &statements) {
                    self.fire_error(step.after_error, in_tx);
                    return Err(Error::Script(failure));
                }
                self.fire(step.after, in_tx)?;
            }
            self.record(step, rank, elapsed_ms(start), true)?;
            self.insert_companion(rank, m)
        })();

        match run {
            Ok(()) => {
                if own_tx {
                    self.db_commit().map_err(|e| Error::db("commit", e))?;
                }
                Ok(elapsed_ms(start))
            }
            Err(error) if outer_tx => Err(error),
            Err(error) => {
                if own_tx {
                    let _ = self.db_rollback();
                }
                let rolled_back = own_tx && self.driver.supports_ddl_transactions();
                if !rolled_back {
                    // The script may have changed the database: say so in the history.
                    self.record(step, rank, elapsed_ms(start), false)?;
                }
                Err(match error {
                    Error::Script(mut f) => {
                        f.rolled_back = rolled_back;
                        Error::Script(f)
                    }
                    other => other,
                })
            }
        }
    }

    /// Decides whether a migration runs in a transaction (reference §9). Returns the decision
    /// and the statements.
    pub(super) fn transaction_mode(
        &self,
        m: &ResolvedMigration,
    ) -> Result<(bool, Vec<tidemark_sql::Statement>), Error> {
        let replace = m
            .config
            .placeholder_replacement
            .unwrap_or(self.config.resolve.placeholder_replacement);
        let file_name = m.script.rsplit('/').next().unwrap_or(&m.script).to_string();
        let text = self.prepare_text(&m.text, &m.path, &file_name, replace)?;
        let statements = self.split(&text, &m.path)?;
        if let Some(explicit) = m.config.execute_in_transaction {
            return Ok((explicit, statements));
        }
        if !self.config.execute_in_transaction {
            return Ok((false, statements));
        }
        let non_tx = statements.iter().find(|s| s.non_transactional);
        let Some(non_tx) = non_tx else {
            return Ok((true, statements));
        };
        let has_tx = statements.iter().any(|s| !s.non_transactional);
        if has_tx && !self.config.mixed {
            return Err(Error::Prepare {
                path: m.path.clone(),
                line: non_tx.line,
                message: format!(
                    "Detected both transactional and non-transactional statements within the same migration (even though mixed is false). Offending statement found at line {}: {}",
                    non_tx.line, non_tx.sql
                ),
            });
        }
        Ok((false, statements))
    }

    fn record(
        &mut self,
        step: &Step<'_>,
        rank: i32,
        elapsed: i32,
        success: bool,
    ) -> Result<(), Error> {
        let r = &step.row;
        self.insert_row(
            rank,
            r.version.as_deref(),
            &r.description,
            r.kind,
            &r.script,
            r.checksum,
            elapsed,
            success,
        )
    }
}
