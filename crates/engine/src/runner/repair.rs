//! `repair`: make the history table agree with the files again (reference §5.6): remove failed
//! rows, mark missing migrations deleted, realign checksums, descriptions and types. One
//! transaction; user objects are never touched.

use tidemark_ledger::event::Event;
use tidemark_ledger::history::MigrationType;
use tidemark_ledger::plan::{self, PlanConfig, State};

use super::{Engine, format_duration};
use crate::driver::Value;
use crate::error::Error;

/// What `repair` changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Failed rows removed.
    pub removed_failed: usize,
    /// Missing migrations marked deleted.
    pub marked_deleted: usize,
    /// Rows realigned with their files.
    pub aligned: usize,
}

impl Engine<'_> {
    /// Runs `repair`.
    pub fn repair(&mut self) -> Result<RepairReport, Error> {
        let start = std::time::Instant::now();
        let report = self.locked(|engine| {
            engine.around(
                Event::BeforeRepair,
                Event::AfterRepair,
                Event::AfterRepairError,
                |e| e.repair_locked(),
            )
        })?;
        let qualified = self.table.qualified();
        self.reporter.info(&format!(
            "Successfully repaired schema history table {qualified} (execution time {}).",
            format_duration(start.elapsed().as_millis())
        ));
        Ok(report)
    }

    fn repair_locked(&mut self) -> Result<RepairReport, Error> {
        if !self.history_exists()? {
            self.reporter.info("Repair of failed migration in Schema History table not necessary as table doesn't exist.");
            return Ok(RepairReport::default());
        }
        let history = self.read_history()?;
        let all_states = PlanConfig {
            target: tidemark_ledger::version::Target::Latest,
            out_of_order: true,
        };
        let patterns = self.config.ignore_patterns.clone();

        enum Change {
            DeleteFailed {
                key: Value,
                repeatable: bool,
            },
            MarkDeleted {
                version: Option<String>,
                description: String,
                kind: MigrationType,
                script: String,
                checksum: Option<i32>,
                success: bool,
            },
            Align {
                rank: i32,
                description: String,
                kind: MigrationType,
                checksum: i32,
            },
        }
        let changes: Vec<Change> = {
            let plan = plan::plan(&self.resolved.migrations, &history, &all_states)?;
            let mut changes = Vec::new();
            for e in &plan.entries {
                let Some(a) = e.applied else { continue };
                if !a.success && !a.kind.is_synthetic() {
                    let repeatable = a.version.is_none();
                    let key = match &a.version {
                        Some(v) => Value::Text(v.as_str().to_string()),
                        None => Value::Text(a.description.clone()),
                    };
                    if !changes
                        .iter()
                        .any(|c| matches!(c, Change::DeleteFailed { key: k, .. } if *k == key))
                    {
                        changes.push(Change::DeleteFailed { key, repeatable });
                    }
                    continue;
                }
                let missing = matches!(
                    e.state,
                    State::MissingSuccess
                        | State::MissingFailed
                        | State::FutureSuccess
                        | State::FutureFailed
                );
                if missing
                    && !a.kind.is_synthetic()
                    && !a.kind.is_undo()
                    && !patterns.matches(e.is_versioned(), e.state.display())
                {
                    changes.push(Change::MarkDeleted {
                        version: a.version.as_ref().map(|v| v.as_str().to_string()),
                        description: a.description.clone(),
                        kind: a.kind,
                        script: a.script.clone(),
                        checksum: a.checksum,
                        success: a.success,
                    });
                    continue;
                }
                let Some(r) = e.resolved else { continue };
                if a.kind.is_synthetic()
                    || a.kind.is_undo()
                    || matches!(e.state, State::Undone | State::Ignored | State::Superseded)
                {
                    continue;
                }
                let stored_matches = if a.version.is_some() {
                    a.checksum.is_none_or(|c| c == r.checksum)
                } else {
                    // Repeatables are realigned only when the row holds the raw-text checksum.
                    !(a.checksum == Some(r.raw_checksum) && r.raw_checksum != r.checksum)
                };
                let desc = tidemark_ledger::history::abbreviate_description(r.description());
                if !stored_matches || desc != a.description || r.migration_type() != a.kind {
                    if a.version.is_none() && a.checksum != Some(r.raw_checksum) {
                        continue;
                    }
                    changes.push(Change::Align {
                        rank: a.installed_rank,
                        description: desc,
                        kind: r.migration_type(),
                        checksum: r.checksum,
                    });
                }
            }
            changes
        };

        let mut report = RepairReport::default();
        let mut next_rank = history.last().map_or(1, |r| r.installed_rank + 1);
        self.db_begin()
            .map_err(|e| Error::db("begin a transaction", e))?;
        let result = (|| -> Result<(), Error> {
            for change in changes {
                match change {
                    Change::DeleteFailed { key, repeatable } => {
                        self.db_execute(&self.table.delete_failed(repeatable), &[key])
                            .map_err(|e| Error::db("remove failed migrations", e))?;
                        report.removed_failed += 1;
                    }
                    Change::MarkDeleted {
                        version,
                        description,
                        kind,
                        script,
                        checksum,
                        success,
                    } => {
                        let _ = kind;
                        self.insert_row(
                            next_rank,
                            version.as_deref(),
                            &description,
                            MigrationType::Delete,
                            &script,
                            checksum,
                            0,
                            success,
                        )?;
                        next_rank += 1;
                        report.marked_deleted += 1;
                    }
                    Change::Align {
                        rank,
                        description,
                        kind,
                        checksum,
                    } => {
                        let params = [
                            Value::Text(description),
                            Value::Text(kind.as_str().to_string()),
                            Value::Int(i64::from(checksum)),
                            Value::Int(i64::from(rank)),
                        ];
                        self.db_execute(&self.table.update(), &params)
                            .map_err(|e| Error::db("align applied migration checksums", e))?;
                        report.aligned += 1;
                    }
                }
            }
            Ok(())
        })();
        self.finish_tx(true, result)?;
        if report.removed_failed > 0 {
            self.reporter
                .info("Successfully removed failed migrations.");
        } else {
            self.reporter.info("Repair of failed migration in Schema History table not necessary. No failed migration detected.");
        }
        if report.marked_deleted > 0 {
            self.reporter
                .info("Successfully marked missing migrations as deleted.");
        }
        if report.aligned > 0 {
            self.reporter
                .info("Successfully aligned applied migration checksums.");
        }
        Ok(report)
    }
}
