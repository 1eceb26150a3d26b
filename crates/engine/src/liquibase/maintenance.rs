//! The small commands: `history`, `tag`, `clear-checksums`, `calculate-checksum`.

use tidemark_ledger::changelog::history::{ExecType, RanChangeSet};
use tidemark_ledger::changelog::{Changelog, checksum_v9};

use super::Error;
use super::session::Session;
use super::tables::{EMPTY_CHECKSUM, RowValues};
use crate::driver::Value;

impl Session<'_> {
    /// `history`: every row, oldest first. Takes no lock, writes nothing.
    pub fn history(&mut self) -> Result<Vec<RanChangeSet>, Error> {
        self.read_rows()
    }

    /// `tag`: sets TAG on the newest row; on an empty table it first inserts Liquibase's
    /// synthetic `liquibase-internal` row, so the tag has somewhere to live.
    pub fn tag(&mut self, tag: &str) -> Result<(), Error> {
        self.with_lock(|s| {
            s.ensure_changelog_table()?;
            let count = if s.dry_created.changelog {
                0
            } else {
                let sql = s.tables.count_rows();
                s.driver
                    .query(&sql, &[])
                    .map_err(|e| Error::db("count the changelog rows", e))?
                    .first()
                    .and_then(|r| r.first())
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
            };
            if count == 0 {
                let order = s.next_order()?;
                let values = RowValues {
                    id: chrono::Utc::now().timestamp_millis().to_string(),
                    author: "liquibase".into(),
                    filename: "liquibase-internal".into(),
                    order,
                    md5sum: EMPTY_CHECKSUM.into(),
                    description: "empty".into(),
                    comments: String::new(),
                    exec_type: ExecType::Executed,
                    contexts: None,
                    labels: None,
                    deployment_id: s.deployment_id.clone(),
                    tag: None,
                };
                let sql = s.tables.insert(&values);
                s.exec(&sql)
                    .map_err(|e| Error::db("insert the tag row", e))?;
            }
            let sql = s.tables.tag(tag);
            s.exec(&sql)
                .map(drop)
                .map_err(|e| Error::db(&format!("tag the database with '{tag}'"), e))
        })
    }

    /// `clear-checksums`: sets every MD5SUM to NULL; the next `update` refills them without
    /// running anything.
    pub fn clear_checksums(&mut self) -> Result<(), Error> {
        self.with_lock(|s| {
            if !s.changelog_table_exists()? {
                return Ok(());
            }
            let sql = s.tables.clear_checksums();
            s.exec(&sql)
                .map(drop)
                .map_err(|e| Error::db("clear the checksums", e))
        })
    }
}

/// `calculate-checksum`: the `9:` checksum of the changeset named `path::id::author` (compared
/// as Liquibase compares rows: ignoring case). `None` when the changelog has no such changeset.
pub fn calculate_checksum(changelog: &Changelog, identifier: &str) -> Option<String> {
    let mut parts = identifier.rsplitn(3, "::");
    let author = parts.next()?;
    let id = parts.next()?;
    let path = parts.next()?;
    changelog
        .changesets
        .iter()
        .find(|cs| cs.is_same_as(id, author, path))
        .map(checksum_v9)
}
