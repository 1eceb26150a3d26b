//! `info` and `validate`: the read-only commands. They take no lock and write nothing; a
//! missing history table is an empty history.

use std::collections::HashMap;
use tidemark_ledger::event::Event;
use tidemark_ledger::history::AppliedMigration;

use tidemark_ledger::phase::Phase;
use tidemark_ledger::plan::{self, Entry, Plan};
use tidemark_ledger::script::ResolvedMigration;
use tidemark_ledger::validate::validate;

use super::companion::CompanionRow;
use super::{Engine, format_duration};
use crate::error::Error;

/// Files and history rows as read by one command; [`Snapshot::plan`] gives the states.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The schema, quoted for display.
    pub schema: String,
    /// Resolved migrations.
    pub resolved: Vec<ResolvedMigration>,
    /// History rows by rank.
    pub applied: Vec<AppliedMigration>,
    /// The plan settings used.
    pub config: plan::PlanConfig,
    /// The phase of the resolved files an `info` row takes it from (those not applied with a
    /// recorded phase), by script path.
    pub file_phases: HashMap<String, Phase>,
    /// Companion rows by installed rank (what tidemark recorded when it applied each row).
    pub companion: HashMap<i32, CompanionRow>,
}

impl Snapshot {
    /// The plan (states of every migration).
    pub fn plan(&self) -> Result<Plan<'_>, Error> {
        Ok(plan::plan(&self.resolved, &self.applied, &self.config)?)
    }

    /// The phase of an `info` row: as recorded when it was applied, else its file's.
    pub fn phase(&self, entry: &Entry<'_>) -> Option<Phase> {
        let recorded = entry
            .applied
            .and_then(|a| self.companion.get(&a.installed_rank))
            .and_then(|c| c.phase.as_deref())
            .and_then(|p| p.parse().ok());
        recorded.or_else(|| {
            entry
                .resolved
                .and_then(|r| self.file_phases.get(&r.script).copied())
        })
    }

    /// The deploy stage: the phase of the highest applied migration.
    pub fn stage(&self, plan: &Plan<'_>) -> Option<Phase> {
        plan.current().and_then(|e| self.phase(e))
    }
}

impl Engine<'_> {
    /// Runs `info`: reads everything, changes nothing.
    pub fn info(&mut self) -> Result<Snapshot, Error> {
        self.around(
            Event::BeforeInfo,
            Event::AfterInfo,
            Event::AfterInfoError,
            |e| {
                let applied = e.read_history()?;
                let companion = e.read_companion_meta()?;
                // Inferring a file's phase parses it: only for the rows that have no phase
                // recorded when they were applied (see `Snapshot::phase`).
                let file_phases = {
                    let plan = plan::plan(&e.resolved.migrations, &applied, &e.config.plan)?;
                    let unrecorded: Vec<&ResolvedMigration> = plan
                        .entries
                        .iter()
                        .filter(|entry| {
                            entry
                                .applied
                                .and_then(|a| companion.get(&a.installed_rank))
                                .and_then(|c| c.phase.as_deref())
                                .and_then(|p| p.parse::<Phase>().ok())
                                .is_none()
                        })
                        .filter_map(|entry| entry.resolved)
                        .collect();
                    // On all cores: ten thousand pending files take most of a second to parse.
                    e.infer_phases_ahead(unrecorded.iter().copied());
                    unrecorded
                        .into_iter()
                        .map(|m| (m.script.clone(), e.phase_of(m)))
                        .collect()
                };
                // The plan above is the snapshot's (same files, rows and settings): it planned
                // without error, so `Snapshot::plan` will too.
                Ok(Snapshot {
                    schema: e.schema_display(),
                    resolved: e.resolved.migrations.clone(),
                    applied,
                    config: e.config.plan.clone(),
                    file_phases,
                    companion,
                })
            },
        )
    }

    /// Runs `validate`. Returns the number of migrations validated.
    pub fn validate(&mut self) -> Result<usize, Error> {
        let start = std::time::Instant::now();
        let count = self.around(
            Event::BeforeValidate,
            Event::AfterValidate,
            Event::AfterValidateError,
            |e| {
                let applied = e.read_history()?;
                let (count, mut findings) = {
                    let plan = plan::plan(&e.resolved.migrations, &applied, &e.config.plan)?;
                    (
                        plan.entries.len(),
                        validate(&plan, &e.config.ignore_patterns),
                    )
                };
                e.spent.push(applied);
                if findings.is_empty() {
                    Ok(count)
                } else {
                    e.explain_mismatches(&mut findings)?;
                    Err(Error::Validate(findings))
                }
            },
        )?;
        if count == 0 {
            self.reporter
                .warn("No migrations found. Are your locations set up correctly?");
        }
        self.reporter.info(&format!(
            "Successfully validated {count} migration{} (execution time {})",
            if count == 1 { "" } else { "s" },
            format_duration(start.elapsed().as_millis())
        ));
        Ok(count)
    }
}
