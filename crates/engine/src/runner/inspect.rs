//! `info` and `validate`: the read-only commands. They take no lock and write nothing; a
//! missing history table is an empty history.

use tidemark_ledger::event::Event;
use tidemark_ledger::history::AppliedMigration;
use tidemark_ledger::plan::{self, Plan};
use tidemark_ledger::script::ResolvedMigration;
use tidemark_ledger::validate::validate;

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
}

impl Snapshot {
    /// The plan (states of every migration).
    pub fn plan(&self) -> Result<Plan<'_>, Error> {
        Ok(plan::plan(&self.resolved, &self.applied, &self.config)?)
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
                let snapshot = Snapshot {
                    schema: e.schema_display(),
                    resolved: e.resolved.migrations.clone(),
                    applied,
                    config: e.config.plan.clone(),
                };
                snapshot.plan()?;
                Ok(snapshot)
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
