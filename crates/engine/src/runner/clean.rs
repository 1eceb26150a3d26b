//! `clean`: drop every object in the configured schemas. Refused unless `cleanDisabled=false`,
//! as in Flyway 9+, because it destroys data.

use tidemark_ledger::event::Event;
use tidemark_ledger::history::MigrationType;

use super::{Engine, format_duration};
use crate::error::Error;

impl Engine<'_> {
    /// Runs `clean`. Returns the schemas cleaned (display form).
    pub fn clean(&mut self) -> Result<Vec<String>, Error> {
        if self.config.clean_disabled {
            return Err(Error::Refused(
                "Unable to execute clean as it has been disabled with the 'flyway.cleanDisabled' property."
                    .to_string(),
            ));
        }
        let start = std::time::Instant::now();
        let cleaned = self.around(
            Event::BeforeClean,
            Event::AfterClean,
            Event::AfterCleanError,
            |e| e.clean_all(),
        )?;
        self.reporter.info(&format!(
            "Successfully cleaned schema(s) {} (execution time {})",
            cleaned.join(","),
            format_duration(start.elapsed().as_millis())
        ));
        Ok(cleaned)
    }

    fn clean_all(&mut self) -> Result<Vec<String>, Error> {
        let history = self.read_history()?;
        // Schemas Flyway created (SCHEMA marker rows) are dropped entirely.
        let created: Vec<String> = history
            .iter()
            .filter(|r| r.kind == MigrationType::Schema)
            .flat_map(|r| {
                r.script
                    .split(',')
                    .map(|s| s.trim().trim_matches(['"', '`']).to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut schemas = self.config.schemas.clone();
        if schemas.is_empty() {
            schemas.push(self.table.schema.clone());
        }
        let mut cleaned = Vec::new();
        for schema in schemas {
            if !self
                .driver
                .schema_exists(&schema)
                .map_err(|e| Error::db("check the schema", e))?
            {
                continue;
            }
            if created.contains(&schema) {
                self.driver
                    .drop_schema(&schema)
                    .map_err(|e| Error::db(&format!("drop schema {schema}"), e))?;
            } else {
                self.driver
                    .clean_schema(&schema)
                    .map_err(|e| Error::db(&format!("clean schema {schema}"), e))?;
            }
            cleaned.push(self.table.quote(&schema));
        }
        Ok(cleaned)
    }
}
