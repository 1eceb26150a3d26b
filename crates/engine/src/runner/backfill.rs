//! Backfills: moving data in batches, each in its own short transaction.
//!
//! A backfill migration carries `-- tidemark:batchSize=N` (and optionally `batchPause=50ms`) and
//! holds one DML statement that uses `${tidemark:batchSize}` as its limit. Plain Flyway refuses the
//! file (unknown placeholder) instead of running one batch and calling it done. Tidemark runs the
//! statement until it changes no rows; the statement must only select rows not yet done, so a
//! batch is idempotent and an interrupted backfill continues where it stopped when migrate runs
//! again. The history row is written only when the backfill is complete, so the history never
//! claims a backfill that did not finish.

use std::time::{Duration, Instant};

use tidemark_ledger::directive::Directive;
use tidemark_ledger::script::ResolvedMigration;

use super::step::Step;
use super::{Engine, elapsed_ms};
use crate::error::Error;
use crate::report::Progress;

/// The batching directives of a backfill migration, if it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// Rows per batch (`batchSize`).
    pub size: u64,
    /// Pause between batches (`batchPause`).
    pub pause: Duration,
}

/// The batching of a migration: `Some` when it has a `batchSize` directive.
pub fn batching(m: &ResolvedMigration) -> Option<Batching> {
    let size = m.directives.iter().find_map(|d| match d.directive {
        Directive::BatchSize(n) => Some(n),
        _ => None,
    })?;
    let pause = m
        .directives
        .iter()
        .find_map(|d| match d.directive {
            Directive::BatchPause(p) => Some(p),
            _ => None,
        })
        .unwrap_or_default();
    Some(Batching { size, pause })
}

impl Engine<'_> {
    /// Runs a backfill step to completion, then records it. Returns the execution time in ms.
    pub(super) fn execute_backfill(
        &mut self,
        step: &Step<'_>,
        rank: i32,
        batching: Batching,
    ) -> Result<i32, Error> {
        let m = step.file;
        self.use_configured_schema()?;
        let replace = m
            .config
            .placeholder_replacement
            .unwrap_or(self.config.resolve.placeholder_replacement);
        let file_name = m.script.rsplit('/').next().unwrap_or(&m.script).to_string();
        let mut placeholders = self.placeholders.clone();
        placeholders.set("tidemark:batchSize", batching.size.to_string());
        let text = self.prepare_text_with(&m.text, &m.path, &file_name, replace, &placeholders)?;
        let statements = self.split(&text, &m.path)?;
        let [statement] = statements.as_slice() else {
            return Err(Error::Prepare {
                path: m.path.clone(),
                line: statements.get(1).map_or(0, |s| s.line),
                message: format!(
                    "A backfill migration (batchSize directive) holds exactly one DML statement, run repeatedly until it changes no rows; this one has {}",
                    statements.len()
                ),
            });
        };
        let message = format!("{} [backfill, batches of {}]", step.message, batching.size);
        self.reporter.info(&message);
        self.dry_comment(&format!(
            "{message}\n{}\nRepeat the next statement until it changes no rows:",
            m.path.display()
        ));

        let start = Instant::now();
        let what = format!("Migration {file_name}");
        let mut done: u64 = 0;
        let mut batches: u64 = 0;
        let mut retries = 0u32;
        loop {
            self.db_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
            let changed = match self.observed_execute(&what, &m.path, statement) {
                Ok(n) => n,
                Err(error) => {
                    let _ = self.db_rollback();
                    if error.is_lock_timeout() && retries < self.config.lock_retries {
                        retries += 1;
                        self.reporter.warn(&format!(
                            "{} line {}: batch {} waited longer than lockTimeout for a lock; rolled back, retry {retries} of {}",
                            m.path.display(),
                            statement.line,
                            batches + 1,
                            self.config.lock_retries
                        ));
                        std::thread::sleep(super::step::backoff(retries));
                        continue;
                    }
                    return Err(Error::Script(Box::new(crate::error::ScriptFailure {
                        what,
                        path: m.path.clone(),
                        line: statement.line,
                        statement: statement.sql.clone(),
                        error,
                        rolled_back: true,
                        hint: Some(format!(
                            "{done} rows in {batches} earlier batches are committed. The backfill is not recorded as applied; it is written to be idempotent, so fix the cause and run migrate again to continue."
                        )),
                    })));
                }
            };
            self.db_commit().map_err(|e| Error::db("commit", e))?;
            retries = 0;
            batches += 1;
            done += changed;
            let finished = changed == 0 || self.is_dry_run();
            self.reporter.progress(&Progress {
                migration: file_name.clone(),
                rows: done,
                batches,
                elapsed: start.elapsed(),
                finished,
            });
            if finished {
                break;
            }
            if !batching.pause.is_zero() {
                std::thread::sleep(batching.pause);
            }
        }

        // Complete: callbacks and the history row, together.
        self.db_begin()
            .map_err(|e| Error::db("begin a transaction", e))?;
        let result = (|| -> Result<(), Error> {
            self.fire(step.before, true)?;
            self.fire(step.after, true)?;
            self.record_row(step, rank, elapsed_ms(start), true)?;
            self.insert_companion(rank, m)
        })();
        self.finish_tx(true, result)?;
        self.reporter.info(&format!(
            "Backfill {file_name} complete: {done} rows in {batches} batches"
        ));
        Ok(elapsed_ms(start))
    }
}
