//! Phases in a deploy: which phase each migration belongs to, where a staged `migrate --phase`
//! stops, and the check that one run does not apply a contract migration after expand
//! migrations (old code may still be running).
//!
//! A migration's phase is the one its `-- tidemark:phase=` directive declares; otherwise the
//! latest phase of its statements as the linter classifies them (`Config::infer_phase`);
//! otherwise `expand`. A run is one invocation, or several sharing `deploymentId`: earlier
//! invocations' phases are read back from the companion table.
//!
//! When nothing about the phases can stop a run (no `--phase`, no `strictPhases`, no earlier
//! invocation to read), `migrate` does not wait for them: [`PhasesBeside`] infers them on a
//! thread of its own, in the order the migrations run, while they run.

use tidemark_ledger::phase::Phase;
use tidemark_ledger::script::ResolvedMigration;

use super::Engine;
use crate::error::Error;

impl Engine<'_> {
    /// The phase of a migration file.
    pub fn phase_of(&self, m: &ResolvedMigration) -> Phase {
        if let Some(declared) = m.declared_phase {
            return declared;
        }
        self.inferred_phase(m).unwrap_or(Phase::Expand)
    }

    /// The phase the linter infers from the file's statements (the latest of them), if any.
    /// Inferred once per file and command (it parses the file).
    pub fn inferred_phase(&self, m: &ResolvedMigration) -> Option<Phase> {
        if let Some(known) = self.inferred_phases.borrow().get(&m.script) {
            return *known;
        }
        let beside = self
            .phases_beside
            .as_ref()
            .and_then(|shared| shared.lock().ok()?.get(&m.script).copied());
        let phase = beside.unwrap_or_else(|| self.infer_phase_uncached(m));
        self.inferred_phases
            .borrow_mut()
            .insert(m.script.clone(), phase);
        phase
    }

    fn infer_phase_uncached(&self, m: &ResolvedMigration) -> Option<Phase> {
        let infer = self.config.infer_phase?;
        infer_text(infer, self.driver.dialect(), &self.runnable_text(m))
    }

    /// A migration's text as it would run (placeholders replaced where they would be): what a
    /// phase is inferred from and what the review reads.
    pub(super) fn runnable_text(&self, m: &ResolvedMigration) -> String {
        let replace = m
            .config
            .placeholder_replacement
            .unwrap_or(self.config.resolve.placeholder_replacement);
        let file_name = m.script.rsplit('/').next().unwrap_or(&m.script);
        self.prepare_text(&m.text, &m.path, file_name, replace)
            .unwrap_or_else(|_| m.text.clone())
    }

    /// Infers, on several threads, the phases of the migrations that declare none and are not
    /// inferred yet: a staged `migrate`, or one whose checks can refuse, needs every pending
    /// migration's phase before the first one runs, `info` every unapplied file's, and each
    /// inference parses its file.
    pub(super) fn infer_phases_ahead<'m>(
        &self,
        migrations: impl IntoIterator<Item = &'m ResolvedMigration>,
    ) {
        let Some(infer) = self.config.infer_phase else {
            return;
        };
        let dialect = self.driver.dialect();
        let todo: Vec<(String, String)> = {
            let known = self.inferred_phases.borrow();
            migrations
                .into_iter()
                .filter(|m| m.declared_phase.is_none() && !known.contains_key(&m.script))
                .map(|m| (m.script.clone(), self.runnable_text(m)))
                .collect()
        };
        // A file takes tens of microseconds to parse: threads pay from a few dozen files.
        let inferred = tidemark_ledger::source::in_parallel_from(32, todo, |(script, text)| {
            (script, infer_text(infer, dialect, &text))
        });
        self.inferred_phases.borrow_mut().extend(inferred);
    }

    /// Phases already applied by this run id (earlier invocations of the same deployment).
    pub(super) fn phases_earlier_in_run(&mut self) -> Result<Vec<(Phase, i32)>, Error> {
        let run_id = self.run_id.clone();
        let rows = self.read_companion_meta()?;
        let mut phases: Vec<(Phase, i32)> = rows
            .values()
            .filter(|r| r.run_id == run_id)
            .filter_map(|r| {
                r.phase
                    .as_deref()
                    .and_then(|p| p.parse().ok())
                    .map(|p| (p, r.installed_rank))
            })
            .collect();
        phases.sort_by_key(|(_, rank)| *rank);
        Ok(phases)
    }

    /// Staged migrate: the pending migrations up to (not including) the first one whose phase
    /// comes after `limit`, and that first one.
    pub(super) fn cut_at_phase<'m>(
        &self,
        pending: &'m [ResolvedMigration],
        limit: Phase,
    ) -> (usize, Option<(&'m ResolvedMigration, Phase)>) {
        for (i, m) in pending.iter().enumerate() {
            let phase = self.phase_of(m);
            if phase > limit {
                return (i, Some((m, phase)));
            }
        }
        (pending.len(), None)
    }

    /// Without `--phase`: a contract migration after expand migrations in one run breaks code
    /// that still runs. Returns the message (to warn with, or refuse with under strictPhases).
    pub(super) fn contract_after_expand(
        &mut self,
        pending: &[ResolvedMigration],
    ) -> Result<Option<String>, Error> {
        // Only a pending contract migration can trigger it: without one, the companion table
        // (every applied text) need not be read.
        if !pending.iter().any(|m| self.phase_of(m) == Phase::Contract) {
            return Ok(None);
        }
        let expand_seen: Option<String> = self
            .phases_earlier_in_run()?
            .iter()
            .find(|(p, _)| *p == Phase::Expand)
            .map(|(_, rank)| {
                format!("the expand migration at installed_rank {rank} (same deployment id)")
            });
        Ok(contract_message(
            pending
                .iter()
                .map(|m| (m.script.as_str(), self.phase_of(m))),
            expand_seen,
        ))
    }

    /// The phase of a pending migration as the thread beside the loop of [`PhasesBeside`] would put it, with
    /// the text it needs: `None` for the phase when it must be inferred.
    pub(super) fn beside_item(&self, m: &ResolvedMigration) -> BesideItem {
        let known = m
            .declared_phase
            .map(Some)
            .or_else(|| self.inferred_phases.borrow().get(&m.script).copied());
        BesideItem {
            script: m.script.clone(),
            text: match known {
                Some(_) => String::new(),
                None => self.runnable_text(m),
            },
            known,
        }
    }
}

/// The contract-after-expand message for pending migrations and their phases, in order;
/// `expand_seen`: an expand migration applied earlier in the same run, if any.
pub(super) fn contract_message<'s>(
    pending: impl IntoIterator<Item = (&'s str, Phase)>,
    mut expand_seen: Option<String>,
) -> Option<String> {
    for (script, phase) in pending {
        match phase {
            Phase::Expand if expand_seen.is_none() => {
                expand_seen = Some(format!("expand migration {script}"))
            }
            Phase::Contract => {
                if let Some(expand) = &expand_seen {
                    return Some(format!(
                        "This run applies contract migration {script} after {expand}: code deployed before the expand step may still be running and break. Deploy in stages: migrate --phase expand, roll out the new code, --phase backfill, then --phase contract."
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// A pending migration for the thread beside the loop: its phase when already known (declared or
/// inferred), else the text to infer it from.
pub(super) struct BesideItem {
    script: String,
    text: String,
    known: Option<Option<Phase>>,
}

/// Phases inferred on a thread of their own, in the order the migrations run, while they run:
/// the migration loop takes each phase from here when it records the companion row (inferring
/// it itself only if the thread has not got that far).
pub(super) type SharedPhases =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Option<Phase>>>>;

/// What the thread beside the loop does: infer every pending phase (publishing each at once),
/// then the contract-after-expand check over them (a warning: this path is only taken when it
/// cannot refuse, and with no earlier invocation of the same run to consult).
pub(super) struct PhasesBeside {
    pub infer: Option<super::InferPhase>,
    pub dialect: tidemark_sql::Dialect,
    pub items: Vec<BesideItem>,
    pub shared: SharedPhases,
}

impl PhasesBeside {
    /// Runs on the thread beside the loop; returns the contract-after-expand warning, if any.
    pub(super) fn run(self) -> Option<String> {
        let mut phases = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let inferred = match item.known {
                Some(known) => known,
                None => {
                    let inferred = self
                        .infer
                        .and_then(|infer| infer_text(infer, self.dialect, &item.text));
                    if let Ok(mut shared) = self.shared.lock() {
                        shared.insert(item.script.clone(), inferred);
                    }
                    inferred
                }
            };
            phases.push((item.script.as_str(), inferred.unwrap_or(Phase::Expand)));
        }
        contract_message(phases, None)
    }
}

/// The latest phase of a text's statements (`None`: it does not split, or no statement has one).
fn infer_text(
    infer: super::InferPhase,
    dialect: tidemark_sql::Dialect,
    text: &str,
) -> Option<Phase> {
    let statements = tidemark_sql::split(dialect, text).ok()?;
    statements
        .iter()
        .filter_map(|s| infer(dialect, &s.sql))
        .max()
}
