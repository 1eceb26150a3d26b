//! The companion table `<table>_tidemark`: what was really applied.
//!
//! Flyway's table stores a CRC-32, which says *that* a file changed, not *how*. Tidemark keeps,
//! per history row, the SHA-256 and the text of the file as applied, its phase and the run id, in
//! a table of its own (Flyway's table is never altered, so Flyway keeps reading it). With it,
//! `validate` shows a unified diff for a changed file and `diff VERSION` prints one on demand.
//! Databases that lack it (migrated by Flyway itself) keep working: the diff then says the applied
//! text is unknown.

use std::collections::HashMap;

use tidemark_ledger::script::ResolvedMigration;
use tidemark_ledger::validate::{Code, Finding};
use tidemark_ledger::version::Version;

use super::Engine;
use crate::driver::Value;
use crate::error::Error;

/// A row of the companion table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionRow {
    /// The history row it belongs to.
    pub installed_rank: i32,
    /// SHA-256 of the file as applied.
    pub sha256: String,
    /// The migration's phase, when known.
    pub phase: Option<String>,
    /// The run (deployment) that applied it.
    pub run_id: String,
    /// The file's text as applied.
    pub script_text: Option<String>,
}

/// What `diff VERSION` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffOutcome {
    /// No change since it was applied.
    Unchanged,
    /// A unified diff from the applied text to the file now.
    Changed(String),
    /// The applied text is not known (no companion row).
    Unknown(String),
}

impl Engine<'_> {
    /// Creates the companion table when it is missing (first write of a run).
    pub(super) fn ensure_companion(&mut self) -> Result<(), Error> {
        if self.companion_ready {
            return Ok(());
        }
        let companion = self.table.companion();
        let exists = self
            .driver
            .table_exists(&companion.schema, &companion.table)
            .map_err(|e| Error::db("check for the companion table", e))?;
        if !exists {
            self.db_execute(&companion.create_companion(), &[])
                .map_err(|e| {
                    Error::db(
                        &format!("create the companion table {}", companion.qualified()),
                        e,
                    )
                })?;
        }
        self.companion_ready = true;
        Ok(())
    }

    /// Records what was applied for a history row (in the caller's transaction).
    pub(super) fn insert_companion(
        &mut self,
        rank: i32,
        m: &ResolvedMigration,
    ) -> Result<(), Error> {
        self.ensure_companion()?;
        let companion = self.table.companion();
        let params = [
            Value::Int(i64::from(rank)),
            Value::Text(m.sha256()),
            Some(self.phase_of(m)).map_or(Value::Null, |p| Value::Text(p.as_str().to_string())),
            Value::Text(self.run_id.clone()),
            Value::Text(m.text.clone()),
        ];
        let sql = std::rc::Rc::clone(&self.inserts.companion);
        self.db_execute(&sql, &params)
            .map(|_| ())
            .map_err(|e| Error::db(&format!("insert into {}", companion.qualified()), e))
    }

    /// Every companion row by rank (empty when the table does not exist).
    pub fn read_companion(&mut self) -> Result<HashMap<i32, CompanionRow>, Error> {
        self.read_companion_rows(true)
    }

    /// Every companion row by rank without the applied text (`script_text` is `None`): what
    /// `info` and the phase checks need, without reading every script ever applied.
    pub(super) fn read_companion_meta(&mut self) -> Result<HashMap<i32, CompanionRow>, Error> {
        self.read_companion_rows(false)
    }

    fn read_companion_rows(
        &mut self,
        with_text: bool,
    ) -> Result<HashMap<i32, CompanionRow>, Error> {
        let companion = self.table.companion();
        let mut sql = companion.select_companion();
        if !with_text {
            let text = format!(", {}", companion.quote("script_text"));
            sql = sql.replacen(&text, ", NULL", 1);
        }
        let Some(rows) = self
            .driver
            .read_table(&companion.schema, &companion.table, &sql, &[])
            .map_err(|e| Error::db(&format!("read {}", companion.qualified()), e))?
        else {
            return Ok(HashMap::new());
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let get = |i: usize| r.get(i).cloned().unwrap_or(Value::Null);
                let row = CompanionRow {
                    installed_rank: get(0).as_i64().unwrap_or(0) as i32,
                    sha256: get(1).as_text().unwrap_or_default(),
                    phase: get(2).as_text(),
                    run_id: get(3).as_text().unwrap_or_default(),
                    script_text: get(4).as_text(),
                };
                (row.installed_rank, row)
            })
            .collect())
    }

    /// Adds a diff to every checksum-mismatch finding (or says the applied text is unknown).
    pub(super) fn explain_mismatches(&mut self, findings: &mut [Finding]) -> Result<(), Error> {
        if !findings.iter().any(|f| f.code == Code::ChecksumMismatch) {
            return Ok(());
        }
        let companion = self.read_companion()?;
        for f in findings
            .iter_mut()
            .filter(|f| f.code == Code::ChecksumMismatch)
        {
            let applied = f
                .installed_rank
                .and_then(|r| companion.get(&r))
                .and_then(|c| c.script_text.clone());
            let file = f
                .path
                .as_ref()
                .and_then(|p| self.resolved.migrations.iter().find(|m| &m.path == p))
                .map(|m| m.text.clone());
            f.detail = Some(match (applied, file) {
                (Some(applied), Some(now)) => {
                    unified_diff(&applied, &now, &f.script.clone().unwrap_or_default())
                }
                _ => unknown_text_note(),
            });
        }
        Ok(())
    }

    /// `diff VERSION`: what changed in a versioned migration since it was applied.
    pub fn diff(&mut self, version: &Version) -> Result<DiffOutcome, Error> {
        let history = self.read_history()?;
        let row = history
            .iter()
            .rev()
            .find(|r| {
                r.version.as_ref() == Some(version) && !r.kind.is_synthetic() && !r.kind.is_undo()
            })
            .ok_or_else(|| {
                Error::Refused(format!(
                    "Version {version} has not been applied to this database"
                ))
            })?;
        let (file_text, file_script) = self
            .resolved
            .migrations
            .iter()
            .find(|m| m.version() == Some(version) && m.migration_type() == row.kind)
            .map(|m| (m.text.clone(), m.script.clone()))
            .ok_or_else(|| {
                Error::Refused(format!(
                    "No migration file with version {version} in the configured locations"
                ))
            })?;
        let companion = self.read_companion()?;
        let Some(applied) = companion
            .get(&row.installed_rank)
            .and_then(|c| c.script_text.clone())
        else {
            return Ok(DiffOutcome::Unknown(unknown_text_note()));
        };
        if applied == file_text {
            return Ok(DiffOutcome::Unchanged);
        }
        Ok(DiffOutcome::Changed(unified_diff(
            &applied,
            &file_text,
            &file_script,
        )))
    }
}

fn unknown_text_note() -> String {
    "The applied text is unknown: this migration was applied by a tool that does not keep it (Flyway, or tidemark before its companion table existed), so no diff can be shown.".to_string()
}

/// A unified diff from the applied text to the file as it is now.
pub fn unified_diff(applied: &str, now: &str, script: &str) -> String {
    similar::TextDiff::from_lines(applied, now)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{script} (applied)"), &format!("{script} (now)"))
        .to_string()
}
