//! One step of `migrate` or `undo`: a script with its per-step callbacks, its history row and its
//! companion row, in one transaction where the DBMS allows it. When a failure cannot be rolled
//! back (no transaction, or MySQL's implicit commits), the failure is recorded honestly as a
//! `success = false` row, so the history never claims something that did not happen.

use std::time::Instant;

use tidemark_ledger::directive::Directive;
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
        let first_line = statements.first().map_or(0, |s| s.line);
        let max_retries = m
            .directives
            .iter()
            .find_map(|d| match d.directive {
                Directive::LockRetries(n) => Some(n),
                _ => None,
            })
            .unwrap_or(self.config.lock_retries);
        let lock_timeout_override = m.directives.iter().find_map(|d| match d.directive {
            Directive::LockTimeout(t) => Some(t),
            _ => None,
        });
        if let Some(t) = lock_timeout_override {
            self.set_lock_timeout(Some(t))?;
        }
        let mut retries = 0u32;
        let outcome = loop {
            let error = match self.attempt(step, rank, in_tx, own_tx, &statements, start) {
                Ok(()) => break Ok(elapsed_ms(start)),
                Err(error) if outer_tx => break Err(error),
                Err(error) => error,
            };
            let rolled_back = own_tx && self.driver.supports_ddl_transactions();
            let lock_timeout = matches!(&error, Error::Script(f) if f.error.is_lock_timeout());
            // A retry is safe when nothing of the attempt survived: rolled back, or (MySQL) the
            // very first statement timed out, before anything could commit implicitly.
            let nothing_survived = rolled_back
                || (own_tx && matches!(&error, Error::Script(f) if f.line == first_line));
            if lock_timeout && nothing_survived && retries < max_retries {
                retries += 1;
                let wait = backoff(retries);
                if let Error::Script(f) = &error {
                    self.reporter.warn(&format!(
                        "{} line {}: waited longer than lockTimeout for a lock ({}); rolled back, retry {retries} of {} in {} ms",
                        f.path.display(),
                        f.line,
                        f.error.message.trim(),
                        max_retries,
                        wait.as_millis()
                    ));
                }
                std::thread::sleep(wait);
                continue;
            }
            if !rolled_back {
                // The script may have changed the database: say so in the history.
                if let Err(e) = self.record_row(step, rank, elapsed_ms(start), false) {
                    break Err(e);
                }
            }
            break Err(match error {
                Error::Script(mut f) => {
                    f.rolled_back = rolled_back;
                    if lock_timeout {
                        f.hint = Some(if !nothing_survived {
                            "The statement waited longer than lockTimeout for a lock. This migration does not run in a transaction (or already committed statements), so it is not retried blindly: check what it changed, then run migrate again or raise lockTimeout.".to_string()
                        } else {
                            format!(
                                "The statement waited longer than lockTimeout for a lock in every one of {} attempts. Find the long transaction holding the lock, or raise lockTimeout / lockRetries.",
                                retries + 1
                            )
                        });
                    }
                    Error::Script(f)
                }
                other => other,
            });
        };
        if lock_timeout_override.is_some() {
            self.set_lock_timeout(self.config.lock_timeout)?;
        }
        outcome
    }

    /// One attempt: statements, callbacks, the history and companion rows, committed together
    /// when `own_tx`. On error the transaction is rolled back; recording the failure is the
    /// caller's decision (it may retry).
    fn attempt(
        &mut self,
        step: &Step<'_>,
        rank: i32,
        in_tx: bool,
        own_tx: bool,
        statements: &[tidemark_sql::Statement],
        start: Instant,
    ) -> Result<(), Error> {
        let m = step.file;
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
                if let Err(failure) = self.run_statements(&what, &m.path, statements) {
                    self.fire_error(step.after_error, in_tx);
                    return Err(Error::Script(failure));
                }
                self.fire(step.after, in_tx)?;
            }
            self.record_row(step, rank, elapsed_ms(start), true)?;
            self.insert_companion(rank, m)
        })();
        match run {
            Ok(()) => {
                if own_tx {
                    self.db_commit().map_err(|e| Error::db("commit", e))?;
                }
                Ok(())
            }
            Err(error) => {
                if own_tx {
                    let _ = self.db_rollback();
                }
                Err(error)
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
        // A `.sql.conf` wins over a `-- tidemark:executeInTransaction=` directive.
        let directive = m.directives.iter().find_map(|d| match d.directive {
            Directive::ExecuteInTransaction(b) => Some(b),
            _ => None,
        });
        if let Some(explicit) = m.config.execute_in_transaction.or(directive) {
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

    pub(super) fn record_row(
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

/// Jittered exponential backoff: 250 ms, 500 ms, 1 s, ... capped at 10 s, each scaled by a
/// factor in [0.5, 1.5) so that several deployers do not retry in lock step.
pub(super) fn backoff(retry: u32) -> std::time::Duration {
    let base = 250u64
        .saturating_mul(1 << retry.saturating_sub(1).min(6))
        .min(10_000);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64)
        ^ (u64::from(std::process::id()) << 16)
        ^ u64::from(retry);
    let mut x = seed | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    let factor = 0.5 + (x % 1000) as f64 / 1000.0;
    std::time::Duration::from_millis((base as f64 * factor) as u64)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        for retry in 1..=12 {
            let ms = backoff(retry).as_millis() as u64;
            let base = (250u64 << (retry - 1).min(6)).min(10_000);
            assert!(
                ms >= base / 2 && ms < base * 3 / 2 + 1,
                "retry {retry}: {ms} ms vs base {base}"
            );
        }
    }
}
