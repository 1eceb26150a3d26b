//! Phases in a deploy: which phase each migration belongs to, where a staged `migrate --phase`
//! stops, and the check that one run does not apply a contract migration after expand
//! migrations (old code may still be running).
//!
//! A migration's phase is the one its `-- tidemark:phase=` directive declares; otherwise the
//! latest phase of its statements as the linter classifies them (`Config::infer_phase`);
//! otherwise `expand`. A run is one invocation, or several sharing `deploymentId`: earlier
//! invocations' phases are read back from the companion table.

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
        let phase = self.infer_phase_uncached(m);
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
    /// inferred yet: `migrate` asks for every pending migration's phase before the first one
    /// runs, and each inference parses its file.
    pub(super) fn infer_phases_ahead(&self, migrations: &[ResolvedMigration]) {
        let Some(infer) = self.config.infer_phase else {
            return;
        };
        let dialect = self.driver.dialect();
        let todo: Vec<(String, String)> = {
            let known = self.inferred_phases.borrow();
            migrations
                .iter()
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
        let mut expand_seen: Option<String> = self
            .phases_earlier_in_run()?
            .iter()
            .find(|(p, _)| *p == Phase::Expand)
            .map(|(_, rank)| {
                format!("the expand migration at installed_rank {rank} (same deployment id)")
            });
        for m in pending {
            match self.phase_of(m) {
                Phase::Expand if expand_seen.is_none() => {
                    expand_seen = Some(format!("expand migration {}", m.script))
                }
                Phase::Contract => {
                    if let Some(expand) = &expand_seen {
                        return Ok(Some(format!(
                            "This run applies contract migration {} after {expand}: code deployed before the expand step may still be running and break. Deploy in stages: migrate --phase expand, roll out the new code, --phase backfill, then --phase contract.",
                            m.script
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(None)
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
