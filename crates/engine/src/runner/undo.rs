//! `undo`: revert applied versioned migrations with their `U` files (Flyway Teams' undo, for
//! everyone; reference §5.8).
//!
//! It picks the most recently applied, not yet undone versioned migration (by installed rank);
//! `count` undoes that many, `target` keeps going in reverse applied order while versions are at or
//! above the target. Every migration in range must have a `U` file, or nothing runs at all. Each
//! undo is recorded as Flyway Teams records it (an `UNDO_SQL` row with the U file's checksum), or,
//! with `undoRecord=delete`, as a `DELETE` row Flyway Community can read. Same transaction rules as
//! migrate: a failed undo is rolled back where it can be, and recorded as a failed row otherwise.

use std::time::Instant;

use tidemark_ledger::event::Event;
use tidemark_ledger::history::MigrationType;
use tidemark_ledger::pattern::PatternState;
use tidemark_ledger::plan::{self, PlanConfig, State};
use tidemark_ledger::script::ResolvedMigration;
use tidemark_ledger::validate::validate;
use tidemark_ledger::version::{Target, Version};

use super::step::{Row, Step};
use super::{Engine, UndoRecord, format_duration};
use crate::error::Error;
use crate::report::{AppliedStep, MigrateReport};
use crate::runner::MigrateFailure;

/// Which migrations to undo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndoRequest {
    /// Undo this many (default 1 when no target is given).
    pub count: Option<usize>,
    /// Undo every applied migration at or above this version, newest first.
    pub target: Option<Version>,
}

/// One selected undo: the applied row and the U file that reverts it.
struct Selected {
    version: Version,
    description: String,
    script: String,
    checksum: Option<i32>,
    undo_file: ResolvedMigration,
}

impl Engine<'_> {
    /// Runs `undo`. The report's `applied` lists the undone migrations, in the order undone.
    pub fn undo(&mut self, request: &UndoRequest) -> Result<MigrateReport, Box<MigrateFailure>> {
        let start = Instant::now();
        let mut report = MigrateReport {
            schema: self.schema_display(),
            ..MigrateReport::default()
        };
        let result = self.locked(|engine| {
            engine.around(
                Event::BeforeUndo,
                Event::AfterUndo,
                Event::AfterUndoError,
                |e| e.undo_locked(request, &mut report),
            )
        });
        report.execution_time = start.elapsed().as_millis();
        match result {
            Ok(()) => Ok(report),
            Err(error) => Err(Box::new(MigrateFailure { error, report })),
        }
    }

    fn undo_locked(
        &mut self,
        request: &UndoRequest,
        report: &mut MigrateReport,
    ) -> Result<(), Error> {
        let started = Instant::now();
        let history = self.read_history()?;
        self.use_configured_schema()?;
        let schema = self.schema_display();
        let all = PlanConfig {
            target: Target::Latest,
            out_of_order: true,
        };
        let (selected, current) = {
            let plan = plan::plan(&self.resolved.migrations, &history, &all)?;
            // The files must still match what was applied, as for migrate.
            let patterns = self
                .config
                .ignore_patterns
                .clone()
                .with(PatternState::Pending)
                .with(PatternState::Ignored);
            let findings = validate(&plan, &patterns);
            if !findings.is_empty() {
                let mut findings = findings;
                drop(plan);
                self.explain_mismatches(&mut findings)?;
                return Err(Error::Validate(findings));
            }
            if let Some(failed) = plan.failed().first() {
                return Err(Error::Refused(match failed.version() {
                    Some(v) => format!(
                        "Schema {schema} contains a failed migration to version {v} ! Run repair first."
                    ),
                    None => format!(
                        "Schema {schema} contains a failed repeatable migration (\"{}\") ! Run repair first.",
                        failed.description()
                    ),
                }));
            }
            if let (Some(target), Some(baseline)) = (&request.target, &plan.applied_baseline) {
                if target <= baseline {
                    return Err(Error::Refused(format!(
                        "Unable to undo to version {target}: it is at or below the baseline version {baseline}, and a baseline cannot be undone"
                    )));
                }
            }
            // Undoable rows, newest first: applied versioned SQL migrations not undone or deleted.
            let mut candidates: Vec<_> = plan
                .entries
                .iter()
                .filter(|e| {
                    e.applied.is_some() && e.kind() == MigrationType::Sql && e.version().is_some()
                })
                .filter(|e| matches!(e.state, State::Success | State::OutOfOrder))
                .collect();
            candidates.sort_by_key(|e| std::cmp::Reverse(e.applied.map(|a| a.installed_rank)));
            let chosen: Vec<_> = match (&request.target, request.count) {
                (Some(target), _) => candidates
                    .into_iter()
                    .take_while(|e| e.version().is_some_and(|v| v >= target))
                    .collect(),
                (None, count) => candidates.into_iter().take(count.unwrap_or(1)).collect(),
            };
            let mut selected = Vec::new();
            for e in &chosen {
                let Some(version) = e.version().cloned() else {
                    continue;
                };
                let Some(undo_file) = plan.undo_files.get(&version) else {
                    return Err(Error::Refused(format!(
                        "Unable to undo migration to version {version} as no corresponding undo migration has been found. Add U{version}__{}.sql (nothing was undone).",
                        e.description().replace(' ', "_")
                    )));
                };
                let applied = e.applied.map(|a| (a.script.clone(), a.checksum));
                let (script, checksum) = applied.unwrap_or_default();
                selected.push(Selected {
                    version,
                    description: e.description().to_string(),
                    script,
                    checksum,
                    undo_file: (*undo_file).clone(),
                });
            }
            (selected, plan.current().and_then(|e| e.version().cloned()))
        };

        report.initial_version = current
            .as_ref()
            .map_or("<< Empty Schema >>".to_string(), ToString::to_string);
        self.reporter.info(&format!(
            "Current version of schema {schema}: {}",
            report.initial_version
        ));
        if selected.is_empty() {
            self.reporter
                .info(&format!("Schema {schema} has no migration to undo."));
            return Ok(());
        }

        let first_rank = history.last().map_or(1, |r| r.installed_rank + 1);
        for (rank, s) in (first_rank..).zip(&selected) {
            let row = match self.config.undo_record {
                UndoRecord::UndoSql => Row {
                    version: Some(s.version.as_str().to_string()),
                    description: s.undo_file.description().to_string(),
                    kind: MigrationType::UndoSql,
                    script: s.undo_file.script.clone(),
                    checksum: Some(s.undo_file.checksum),
                },
                UndoRecord::Delete => Row {
                    version: Some(s.version.as_str().to_string()),
                    description: s.description.clone(),
                    kind: MigrationType::Delete,
                    script: s.script.clone(),
                    checksum: s.checksum,
                },
            };
            let label = if s.description.is_empty() {
                s.version.to_string()
            } else {
                format!("{} - {}", s.version, s.description)
            };
            let step = Step {
                file: &s.undo_file,
                message: format!("Undoing migration of schema {schema} to version \"{label}\""),
                before: Event::BeforeEachUndo,
                after: Event::AfterEachUndo,
                after_error: Event::AfterEachUndoError,
                row,
            };
            let execution_time = self.execute_step(&step, rank, false)?;
            report.applied.push(AppliedStep {
                version: Some(s.version.to_string()),
                description: s.description.clone(),
                kind: step.row.kind.to_string(),
                script: s.undo_file.script.clone(),
                path: s.undo_file.path.clone(),
                execution_time,
                out_of_order: false,
                phase: None,
            });
        }

        // The schema version after: re-plan with the rows just written.
        let after = self.read_history()?;
        let now = plan::plan(&self.resolved.migrations, &after, &all)?.schema_version();
        report.target_version = Some(now.clone());
        let n = report.applied.len();
        let total = started.elapsed().as_millis();
        self.reporter.info(&format!(
            "Successfully undid {n} migration{} of schema {schema}, now at version v{now} (execution time {})",
            if n == 1 { "" } else { "s" },
            format_duration(total)
        ));
        Ok(())
    }
}
