//! `baseline`: mark an existing database as being at `baselineVersion`, so only later migrations
//! run (reference §5.5). Also used by `migrate` with `baselineOnMigrate`.

use tidemark_ledger::event::Event;
use tidemark_ledger::history::MigrationType;

use super::Engine;
use crate::error::Error;

impl Engine<'_> {
    /// Runs `baseline`. Returns the message to show.
    pub fn baseline(&mut self) -> Result<String, Error> {
        self.locked(|engine| {
            engine.around(
                Event::BeforeBaseline,
                Event::AfterBaseline,
                Event::AfterBaselineError,
                |e| e.baseline_locked(),
            )
        })
    }

    fn baseline_locked(&mut self) -> Result<String, Error> {
        let version = self.config.baseline_version.clone();
        let description = self.config.baseline_description.clone();
        let qualified = self.table.qualified();
        if !self.history_exists()? {
            self.create_history_with_baseline()?;
            let msg = format!("Successfully baselined schema with version: {version}");
            self.reporter.info(&msg);
            return Ok(msg);
        }
        let history = self.read_history()?;
        if let Some(existing) = history.iter().find(|r| r.kind == MigrationType::Baseline) {
            let same_version = existing.version.as_ref() == Some(&version);
            if same_version && existing.description == description {
                let msg = format!(
                    "Schema history table {qualified} already initialized with ({version},{description}). Skipping."
                );
                self.reporter.info(&msg);
                return Ok(msg);
            }
            return Err(Error::Refused(format!(
                "Unable to baseline schema history table {qualified} with ({version},{description}) as it has already been baselined with ({},{})\nNeed to reset your baseline? Learn more: https://rd.gt/3FwjbEA",
                existing
                    .version
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                existing.description
            )));
        }
        if version.as_str() == "0" && history.iter().any(|r| r.kind == MigrationType::Schema) {
            return Err(Error::Refused(format!(
                "Unable to baseline schema history table {qualified} with version 0 as this version was used for schema creation"
            )));
        }
        if history.iter().any(|r| !r.kind.is_synthetic()) {
            return Err(Error::Refused(format!(
                "Unable to baseline schema history table {qualified} as it already contains migrations\nNeed to reset your baseline? Learn more: https://rd.gt/3FwjbEA"
            )));
        }
        if history.is_empty() {
            return Err(Error::Refused(format!(
                "Unable to baseline schema history table {qualified} as it already exists, and is empty.\nDelete the schema history table with the clean command, and run baseline again."
            )));
        }
        // Only synthetic rows (a SCHEMA marker): add the baseline after them.
        let rank = history.last().map_or(1, |r| r.installed_rank + 1);
        self.insert_baseline_row(rank)?;
        let msg = format!("Successfully baselined schema with version: {version}");
        self.reporter.info(&msg);
        Ok(msg)
    }

    /// Creates the history table with the `BASELINE` row (rank 1) in one transaction where the
    /// DBMS allows.
    pub(super) fn create_history_with_baseline(&mut self) -> Result<(), Error> {
        self.create_history_table()?;
        self.insert_baseline_row(1)
    }

    fn insert_baseline_row(&mut self, rank: i32) -> Result<(), Error> {
        let version = self.config.baseline_version.as_str().to_string();
        let description = self.config.baseline_description.clone();
        self.insert_row(
            rank,
            Some(&version),
            &description,
            MigrationType::Baseline,
            &description,
            None,
            0,
            true,
        )
    }
}
