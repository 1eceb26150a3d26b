//! `migrate`: validate, create what is missing, apply every pending migration.
//!
//! Flyway's `DbMigrate` order: validate (pending allowed) -> schemas / history table /
//! baseline-on-migrate -> `beforeMigrate` -> per migration `beforeEachMigrate`, the script,
//! `afterEachMigrate` and the history row, all in one transaction -> `afterVersioned` /
//! `beforeRepeatables` at the switch -> `afterMigrateApplied` -> `afterMigrate`. A run that
//! writes holds the migration lock throughout, and the plan it applies is made under it, so two
//! concurrent runs never apply the same migration. A run with nothing to do takes no lock: the
//! history read ahead (one consistent read, without the lock) already shows that nothing is
//! pending, failed or missing, and with no callbacks it writes nothing; it ends as it would
//! have under the lock (the same report), two round trips sooner, and does not queue behind a
//! session that holds the lock. Anything else goes the locked way and reads the history again.

use std::time::Instant;

use tidemark_ledger::event::Event;
use tidemark_ledger::history::{AppliedMigration, MigrationType};
use tidemark_ledger::pattern::PatternState;
use tidemark_ledger::plan::{self, State};
use tidemark_ledger::script::ResolvedMigration;
use tidemark_ledger::validate::validate;
use tidemark_ledger::version::Version;

use super::step::{Row, Step};
use super::{Engine, format_duration};
use crate::error::Error;
use crate::report::{AppliedStep, MigrateReport};

/// `migrate` failed; `report` holds what was applied before the failure.
#[derive(Debug)]
pub struct MigrateFailure {
    /// Why it stopped.
    pub error: Error,
    /// What was applied (and committed) before it stopped.
    pub report: MigrateReport,
}

impl std::fmt::Display for MigrateFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for MigrateFailure {}

impl Engine<'_> {
    /// Runs `migrate`.
    pub fn migrate(&mut self) -> Result<MigrateReport, Box<MigrateFailure>> {
        let start = Instant::now();
        let mut report = MigrateReport {
            schema: self.schema_display(),
            ..MigrateReport::default()
        };
        let result = match self.nothing_to_do_ahead() {
            Some((history, facts)) => self.migrate_from(history, Some(facts), &mut report),
            None => self.locked(|engine| engine.migrate_locked(&mut report)),
        };
        report.execution_time = start.elapsed().as_millis();
        match result {
            Ok(()) => Ok(report),
            Err(error) => Err(Box::new(MigrateFailure { error, report })),
        }
    }

    /// The history read ahead (without the lock) and its plan's facts, when under the lock
    /// `migrate` would write nothing: the table is there, nothing is pending or failed, the
    /// validation passes and there are no callbacks. `None`: go the locked way.
    fn nothing_to_do_ahead(&mut self) -> Option<(Vec<AppliedMigration>, PlanFacts)> {
        let history = self.history_ahead()?;
        if history.is_empty() {
            return None;
        }
        let facts = {
            let plan = plan::plan(&self.resolved.migrations, &history, &self.config.plan).ok()?;
            if !plan.pending().is_empty() || !plan.failed().is_empty() {
                return None;
            }
            if self.config.validate_on_migrate && !validate(&plan, &self.patterns()).is_empty() {
                return None;
            }
            plan_facts(&plan, &self.resolved.migrations)
        };
        Some((history, facts))
    }

    /// The validation `migrate` runs first ignores pending migrations: applying them is its job.
    fn patterns(&self) -> tidemark_ledger::pattern::IgnorePatterns {
        self.config
            .ignore_patterns
            .clone()
            .with(PatternState::Pending)
    }

    fn migrate_locked(&mut self, report: &mut MigrateReport) -> Result<(), Error> {
        let history = self.read_history()?;
        // The plan validated here is the plan applied below (same files, same rows): its facts
        // are kept rather than planned again, unless the history table is created in between.
        let mut facts = None;
        if self.config.validate_on_migrate {
            let patterns = self.patterns();
            self.around(
                Event::BeforeValidate,
                Event::AfterValidate,
                Event::AfterValidateError,
                |engine| {
                    let mut findings = {
                        let plan =
                            plan::plan(&engine.resolved.migrations, &history, &engine.config.plan)?;
                        let findings = validate(&plan, &patterns);
                        if findings.is_empty() {
                            facts = Some(plan_facts(&plan, &engine.resolved.migrations));
                        }
                        findings
                    };
                    if findings.is_empty() {
                        Ok(())
                    } else {
                        engine.explain_mismatches(&mut findings)?;
                        Err(Error::Validate(findings))
                    }
                },
            )?;
        }
        self.migrate_from(history, facts, report)
    }

    /// The rest of `migrate` once the history is read and validated: what is missing created,
    /// the pending migrations applied (none when it comes from [`Self::nothing_to_do_ahead`]),
    /// the callbacks fired.
    fn migrate_from(
        &mut self,
        history: Vec<AppliedMigration>,
        mut facts: Option<PlanFacts>,
        report: &mut MigrateReport,
    ) -> Result<(), Error> {
        let created = self.prepare_history(history.is_empty())?;
        let history = if created {
            facts = None;
            self.read_history()?
        } else {
            history
        };

        let result = self
            .use_configured_schema()
            .and_then(|()| self.fire(Event::BeforeMigrate, false))
            .and_then(|()| self.apply_all(&history, facts, report));
        self.spent.push(history);
        match result {
            Ok(()) => {
                if !report.applied.is_empty() {
                    self.fire(Event::AfterMigrateApplied, false)?;
                }
                self.fire(Event::AfterMigrate, false)?;
                Ok(())
            }
            Err(e) => {
                self.fire_error(Event::AfterMigrateError, false);
                Err(e)
            }
        }
    }

    /// Creates missing schemas and the history table when it is missing (baselining first if
    /// asked to). Returns whether anything was written.
    fn prepare_history(&mut self, maybe_missing: bool) -> Result<bool, Error> {
        if !maybe_missing || self.history_exists()? {
            return Ok(false);
        }
        let mut schemas = self.config.schemas.clone();
        if !schemas.contains(&self.table.schema) {
            schemas.insert(0, self.table.schema.clone());
        }
        let mut missing = Vec::new();
        for schema in &schemas {
            if !self
                .driver
                .schema_exists(schema)
                .map_err(|e| Error::db("check the schema", e))?
            {
                missing.push(schema.clone());
            }
        }
        if !missing.is_empty() {
            if !self.config.create_schemas {
                return Err(Error::Refused(format!(
                    "Schema {} doesn't exist yet and createSchemas is false",
                    self.table.quote(&missing[0])
                )));
            }
            let quoted: Vec<String> = missing.iter().map(|s| self.table.quote(s)).collect();
            self.reporter
                .info(&format!("Creating schema(s) {} ...", quoted.join(",")));
            for schema in &missing {
                self.db_create_schema(schema)
                    .map_err(|e| Error::db(&format!("create schema {schema}"), e))?;
            }
            self.create_history_table()?;
            // Flyway's SCHEMA marker: rank 0 on an empty table, the created schemas quoted.
            self.insert_row(
                0,
                None,
                "<< Flyway Schema Creation >>",
                MigrationType::Schema,
                &quoted.join(","),
                None,
                0,
                true,
            )?;
            return Ok(true);
        }
        let mut non_empty = Vec::new();
        for schema in &schemas {
            if !self
                .driver
                .schema_is_empty(schema)
                .map_err(|e| Error::db("check whether the schema is empty", e))?
            {
                non_empty.push(self.table.quote(schema));
            }
        }
        if !non_empty.is_empty() && !self.config.skip_executing_migrations {
            if !self.config.baseline_on_migrate {
                return Err(Error::Refused(format!(
                    "Found non-empty schema(s) {} but no schema history table. Use baseline() or set baselineOnMigrate to true to initialize the schema history table.",
                    non_empty.join(",")
                )));
            }
            self.create_history_with_baseline()?;
            return Ok(true);
        }
        self.create_history_table()?;
        Ok(true)
    }

    fn apply_all(
        &mut self,
        history: &[tidemark_ledger::history::AppliedMigration],
        facts: Option<PlanFacts>,
        report: &mut MigrateReport,
    ) -> Result<(), Error> {
        let schema = self.schema_display();
        let facts = match facts {
            Some(facts) => facts,
            None => {
                let plan = plan::plan(&self.resolved.migrations, history, &self.config.plan)?;
                plan_facts(&plan, &self.resolved.migrations)
            }
        };
        let mut current = facts.current.clone();
        report.initial_version = facts.schema_version.clone();
        self.reporter.info(&format!(
            "Current version of schema {schema}: {}",
            report.initial_version
        ));
        if self.config.plan.out_of_order {
            let w = format!(
                "outOfOrder mode is active. Migration of schema {schema} may not be reproducible."
            );
            self.reporter.warn(&w);
            report.warnings.push(w);
        }
        if facts.has_future {
            let w = match &facts.latest_resolved {
                Some(v) => format!(
                    "Schema {schema} has a version ({}) that is newer than the latest available migration ({v}) !",
                    facts.schema_version
                ),
                None => format!(
                    "Schema {schema} has version {}, but no migration could be resolved in the configured locations !",
                    facts.schema_version
                ),
            };
            self.reporter.warn(&w);
            report.warnings.push(w);
        }
        if let Some((version, description, state)) = &facts.failed {
            let future_ignored = self.config.ignore_patterns.ignores(PatternState::Future);
            if facts.failed_count == 1 && *state == State::FutureFailed && future_ignored {
                let w = format!(
                    "Schema {schema} contains a failed future migration to version {} !",
                    version
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
                self.reporter.warn(&w);
                report.warnings.push(w);
            } else {
                return Err(Error::Refused(match version {
                    Some(v) => {
                        format!("Schema {schema} contains a failed migration to version {v} !")
                    }
                    None => format!(
                        "Schema {schema} contains a failed repeatable migration (\"{description}\") !"
                    ),
                }));
            }
        }

        let mut pending = facts.pending;
        let facts_applied = facts.applied_scripts;
        // What can refuse the run (a review with lintOnMigrate=error, the contract check with
        // strictPhases) runs before anything is applied; what can only warn runs on a thread of
        // its own while the migrations are applied (they mostly wait for the disk or the
        // server), and its warnings are shown when the loop ends.
        let mut beside = None;
        let review_refuses = self.config.review.as_ref().is_some_and(|r| r.refuses);
        let outcome = match self.config.phase_limit {
            Some(limit) => {
                self.infer_phases_ahead(&pending);
                let (keep, stop) = self.cut_at_phase(&pending, limit);
                if let Some((m, phase)) = stop {
                    let msg = format!(
                        "Stopping before {} (phase {phase}): --phase {limit} applies migrations up to the {limit} phase",
                        m.script
                    );
                    self.reporter.info(&msg);
                    report.stopped_before = Some(m.script.clone());
                }
                pending.truncate(keep);
                match self.review_input(&facts_applied, &pending) {
                    Some(input) if !input.review.refuses => {
                        beside = Some(Beside::Review(std::thread::spawn(move || input.run())));
                        None
                    }
                    input => input.map(ReviewInput::run),
                }
            }
            None if !pending.is_empty() && self.can_run_beside(review_refuses) => {
                // Nothing found before the loop could refuse: the phases are inferred (the loop
                // takes each from the thread), the contract check made and the review run beside.
                let items = pending.iter().map(|m| self.beside_item(m)).collect();
                let shared = super::phases::SharedPhases::default();
                let phases = super::phases::PhasesBeside {
                    infer: self.config.infer_phase,
                    dialect: self.driver.dialect(),
                    items,
                    shared: shared.clone(),
                };
                let review = self.review_input(&facts_applied, &pending);
                self.phases_beside = Some(shared);
                beside = Some(Beside::Phases(std::thread::spawn(move || {
                    let contract = phases.run();
                    (contract, review.map(ReviewInput::run))
                })));
                None
            }
            None => {
                let (now, later) = match self.review_input(&facts_applied, &pending) {
                    Some(input) if input.review.refuses => (Some(input), None),
                    input => (None, input),
                };
                // The review and the phase check each parse every pending file: a review that
                // can refuse runs beside the phase check; one that cannot starts after it (the
                // phases get both cores) and runs beside the migrations.
                let (outcome, contract) = std::thread::scope(|s| {
                    let review = now.map(|input| s.spawn(move || input.run()));
                    self.infer_phases_ahead(&pending);
                    let contract = self.contract_after_expand(&pending);
                    let outcome =
                        review.map(|r| r.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
                    (outcome, contract)
                });
                if let Some(msg) = contract? {
                    if self.config.strict_phases {
                        return Err(Error::Refused(format!(
                            "{msg} (strictPhases=true: nothing was applied)"
                        )));
                    }
                    self.reporter.warn(&msg);
                    report.warnings.push(msg);
                }
                beside = later.map(|input| Beside::Review(std::thread::spawn(move || input.run())));
                outcome
            }
        };
        if let Some(outcome) = outcome {
            self.show_review(&outcome)?;
        }
        // The summary's execution time: from here to the last commit, as Flyway's stopwatch
        // around its migration loop.
        let started = Instant::now();
        let applied = self.apply_pending(&pending, history, &mut current, report);
        self.phases_beside = None;
        if let Some(beside) = beside {
            self.show_beside(beside, report);
        }
        applied?;
        self.summarise(report, started);
        Ok(())
    }

    /// The migration loop (or the group transaction): every pending migration in order.
    fn apply_pending(
        &mut self,
        pending: &[ResolvedMigration],
        history: &[tidemark_ledger::history::AppliedMigration],
        current: &mut Option<Version>,
        report: &mut MigrateReport,
    ) -> Result<(), Error> {
        let mut next_rank = history.last().map_or(1, |r| r.installed_rank + 1);
        let mut previous_versioned = true;

        if self.config.group && !pending.is_empty() {
            return self.apply_group(
                pending,
                &mut next_rank,
                current,
                &mut previous_versioned,
                report,
            );
        }

        for migration in pending {
            if previous_versioned && migration.version().is_none() {
                self.fire(Event::AfterVersioned, false)?;
                self.fire(Event::BeforeRepeatables, false)?;
                previous_versioned = false;
            }
            let out_of_order = match (migration.version(), &*current) {
                (Some(v), Some(c)) => v < c,
                _ => false,
            };
            let step = self.apply_one(migration, next_rank, out_of_order, false)?;
            next_rank += 1;
            if let Some(v) = migration.version() {
                if current.as_ref().is_none_or(|c| v > c) {
                    *current = Some(v.clone());
                }
            }
            report.applied.push(step);
        }
        if previous_versioned {
            self.fire(Event::AfterVersioned, false)?;
        }
        Ok(())
    }

    fn apply_group(
        &mut self,
        pending: &[ResolvedMigration],
        next_rank: &mut i32,
        current: &mut Option<Version>,
        previous_versioned: &mut bool,
        report: &mut MigrateReport,
    ) -> Result<(), Error> {
        let mut modes = Vec::new();
        for m in pending {
            if super::backfill::batching(m).is_some() {
                return Err(Error::Refused(format!(
                    "{} is a backfill (batches in their own transactions) and cannot run inside a group=true transaction",
                    m.script
                )));
            }
            modes.push(self.transaction_mode(m)?.0);
        }
        let all_tx = modes.iter().all(|&t| t);
        if !self.config.mixed && modes.iter().any(|&t| t) && !all_tx {
            let offender = pending
                .iter()
                .zip(&modes)
                .find(|(_, t)| !**t)
                .map(|(m, _)| m);
            return Err(Error::Refused(format!(
                "Detected both transactional and non-transactional migrations within the same migration group (even though mixed is false). First offending migration: \"{}\" [non-transactional]",
                offender.map(label).unwrap_or_default()
            )));
        }
        if all_tx {
            self.db_begin()
                .map_err(|e| Error::db("begin a transaction", e))?;
        }
        let mut steps = Vec::new();
        let result = (|| {
            for m in pending {
                if *previous_versioned && m.version().is_none() {
                    self.fire(Event::AfterVersioned, all_tx)?;
                    self.fire(Event::BeforeRepeatables, all_tx)?;
                    *previous_versioned = false;
                }
                let out_of_order = matches!((m.version(), &*current), (Some(v), Some(c)) if v < c);
                steps.push(self.apply_one(m, *next_rank, out_of_order, all_tx)?);
                *next_rank += 1;
                if let Some(v) = m.version() {
                    if current.as_ref().is_none_or(|c| v > c) {
                        *current = Some(v.clone());
                    }
                }
            }
            Ok(())
        })();
        let result = self.finish_tx(all_tx, result);
        match result {
            Ok(()) => {
                report.applied.extend(steps);
                if *previous_versioned {
                    self.fire(Event::AfterVersioned, false)?;
                }
                Ok(())
            }
            Err(error) if all_tx => {
                let rolled_back = self.driver.supports_ddl_transactions();
                if !rolled_back {
                    // MySQL: the DDL of the group committed implicitly, the rows of the migrations
                    // before the failure with it. Record the failure honestly, as Flyway does.
                    report.applied.extend(steps.iter().cloned());
                    if let Some(failed) = pending.get(steps.len()) {
                        let version = failed.version().map(|v| v.as_str().to_string());
                        self.insert_row(
                            *next_rank,
                            version.as_deref(),
                            failed.description(),
                            failed.migration_type(),
                            &failed.script,
                            Some(failed.checksum),
                            0,
                            false,
                        )?;
                    }
                }
                Err(match error {
                    Error::Script(mut f) => {
                        f.rolled_back = rolled_back;
                        Error::Script(f)
                    }
                    other => other,
                })
            }
            Err(e) => {
                if !all_tx {
                    report.applied.extend(steps);
                }
                Err(e)
            }
        }
    }

    /// The summary line; `started`: when the migration loop began.
    fn summarise(&mut self, report: &mut MigrateReport, started: Instant) {
        let schema = report.schema.clone();
        report.target_version = report.applied.iter().rev().find_map(|s| s.version.clone());
        let n = report.applied.len();
        if n == 0 {
            self.reporter.info(&format!(
                "Schema {schema} is up to date. No migration necessary."
            ));
        } else {
            let target = report
                .target_version
                .as_ref()
                .map(|v| format!(", now at version v{v}"))
                .unwrap_or_default();
            let total = started.elapsed().as_millis();
            self.reporter.info(&format!(
                "Successfully applied {n} migration{} to schema {schema}{target} (execution time {})",
                if n == 1 { "" } else { "s" },
                format_duration(total)
            ));
        }
    }

    /// Applies one migration with its callbacks, history row and companion row. `outer_tx`: a
    /// group transaction is already open.
    fn apply_one(
        &mut self,
        m: &ResolvedMigration,
        rank: i32,
        out_of_order: bool,
        outer_tx: bool,
    ) -> Result<AppliedStep, Error> {
        let schema = self.schema_display();
        let mut message = match m.version() {
            Some(v) => format!(
                "Migrating schema {schema} to version \"{}\"",
                versioned_label(v, m.description())
            ),
            None => format!(
                "Migrating schema {schema} with repeatable migration \"{}\"",
                m.description()
            ),
        };
        if out_of_order {
            message.push_str(" [out of order]");
        }
        let version = m.version().map(|v| v.as_str().to_string());
        let step = Step {
            file: m,
            message,
            before: Event::BeforeEachMigrate,
            after: Event::AfterEachMigrate,
            after_error: Event::AfterEachMigrateError,
            row: Row {
                version: version.clone(),
                description: m.description().to_string(),
                kind: m.migration_type(),
                script: m.script.clone(),
                checksum: Some(m.checksum),
            },
        };
        let execution_time = match super::backfill::batching(m) {
            Some(batching) => self.execute_backfill(&step, rank, batching)?,
            None => self.execute_step(&step, rank, outer_tx)?,
        };
        Ok(AppliedStep {
            version,
            description: m.description().to_string(),
            kind: m.migration_type().to_string(),
            script: m.script.clone(),
            path: m.path.clone(),
            execution_time,
            out_of_order,
            phase: Some(self.phase_of(m).to_string()),
        })
    }
}

fn versioned_label(v: &Version, description: &str) -> String {
    if description.is_empty() {
        v.to_string()
    } else {
        format!("{v} - {description}")
    }
}

fn label(m: &ResolvedMigration) -> String {
    match m.version() {
        Some(v) => {
            if m.description().is_empty() {
                v.to_string()
            } else {
                format!("{v} {}", m.description())
            }
        }
        None => m.description().to_string(),
    }
}

/// What `migrate` needs from `plan` of the `resolved` files.
fn plan_facts(plan: &plan::Plan<'_>, resolved: &[ResolvedMigration]) -> PlanFacts {
    let failed = plan.failed();
    let pending: Vec<ResolvedMigration> = plan.pending().into_iter().cloned().collect();
    PlanFacts {
        current: plan.current().and_then(|e| e.version().cloned()),
        schema_version: plan.schema_version(),
        has_future: !plan.future().is_empty(),
        latest_resolved: resolved.iter().rev().find_map(|r| r.version().cloned()),
        failed: failed
            .first()
            .map(|f| (f.version().cloned(), f.description().to_string(), f.state)),
        failed_count: failed.len(),
        // Only the review of pending migrations asks for these.
        applied_scripts: if pending.is_empty() {
            Vec::new()
        } else {
            plan.entries
                .iter()
                .filter(|e| e.state.is_applied() && e.applied.is_some())
                .filter_map(|e| e.resolved.map(|r| r.script.clone()))
                .collect()
        },
        pending,
    }
}

/// What `migrate` needs from the plan, owned, so the plan's borrow of the resolved files ends
/// before anything is applied.
struct PlanFacts {
    current: Option<Version>,
    schema_version: String,
    has_future: bool,
    latest_resolved: Option<Version>,
    failed: Option<(Option<Version>, String, State)>,
    failed_count: usize,
    pending: Vec<ResolvedMigration>,
    /// Scripts of the applied migrations whose files exist (for the review's schema state).
    applied_scripts: Vec<String>,
}

impl Engine<'_> {
    /// What the review (lint) of the migrations about to be applied needs, if there is one.
    fn review_input(
        &self,
        applied_scripts: &[String],
        pending: &[ResolvedMigration],
    ) -> Option<ReviewInput> {
        let review = self.config.review.clone()?;
        if pending.is_empty() {
            return None;
        }
        let as_review = |engine: &Self, m: &ResolvedMigration| super::ReviewFile {
            path: m.path.clone(),
            text: engine.runnable_text(m),
            declared_phase: m.declared_phase,
        };
        let applied_scripts: std::collections::HashSet<&str> =
            applied_scripts.iter().map(String::as_str).collect();
        let applied: Vec<super::ReviewFile> = self
            .resolved
            .migrations
            .iter()
            .filter(|m| applied_scripts.contains(m.script.as_str()))
            .map(|m| as_review(self, m))
            .collect();
        let pending = pending.iter().map(|m| as_review(self, m)).collect();
        Some(ReviewInput {
            review,
            dialect: self.driver.dialect(),
            applied,
            pending,
        })
    }

    /// Whether `migrate` (without `--phase`) may infer phases, check them and review while it
    /// applies: only when nothing those find could refuse the run (no `strictPhases`, a review
    /// that only warns) and no earlier invocation of the same run (`deploymentId`) has to be
    /// read for the contract check.
    fn can_run_beside(&self, review_refuses: bool) -> bool {
        !review_refuses && !self.config.strict_phases && self.config.run_id.is_none()
    }

    /// Waits for what ran beside the migration loop and shows its warnings (it cannot refuse:
    /// the loop has run).
    fn show_beside(&mut self, beside: Beside, report: &mut MigrateReport) {
        fn join<T>(handle: std::thread::JoinHandle<T>) -> T {
            handle
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        }
        let (contract, review): (Option<String>, _) = match beside {
            Beside::Review(review) => (None, Some(join(review))),
            Beside::Phases(phases) => join(phases),
        };
        if let Some(msg) = contract {
            self.reporter.warn(&msg);
            report.warnings.push(msg);
        }
        for line in review.iter().flat_map(|r| &r.lines) {
            self.reporter.warn(line);
        }
    }

    /// Shows the review's findings; refuses when it says so.
    fn show_review(&mut self, outcome: &super::ReviewOutcome) -> Result<(), Error> {
        for line in &outcome.lines {
            self.reporter.warn(line);
        }
        if outcome.refuse {
            return Err(Error::Refused(
                "The linter found errors in the migrations about to be applied (lintOnMigrate=error); nothing was applied. Fix them, or allow a rule with -- tidemark:allow=rule-id."
                    .to_string(),
            ));
        }
        Ok(())
    }
}

/// What runs beside the migration loop: the review alone, or the phases (with the
/// contract-after-expand check, its warning) and then the review.
enum Beside {
    Review(std::thread::JoinHandle<super::ReviewOutcome>),
    Phases(std::thread::JoinHandle<(Option<String>, Option<super::ReviewOutcome>)>),
}

/// A review ready to run on any thread: the reviewer and the files it reads.
struct ReviewInput {
    review: super::PendingReview,
    dialect: tidemark_sql::Dialect,
    applied: Vec<super::ReviewFile>,
    pending: Vec<super::ReviewFile>,
}

impl ReviewInput {
    fn run(self) -> super::ReviewOutcome {
        (self.review.review)(self.dialect, &self.applied, &self.pending)
    }
}
