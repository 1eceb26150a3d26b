//! A migration or callback file as resolved from disk: parsed name, decoded text, checksums and
//! per-script configuration. This is the "file" side of the plan; the "database" side is
//! [`crate::history::AppliedMigration`].

use std::path::PathBuf;

use crate::event::Event;
use crate::history::MigrationType;
use crate::name::{Kind, MigrationName};
use crate::sqlconf::ScriptConfig;
use crate::version::Version;

/// A versioned, undo, baseline or repeatable migration found in a location.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedMigration {
    /// The parsed file name.
    pub name: MigrationName,
    /// Path relative to its location, `/`-separated: the history table's `script` column.
    pub script: String,
    /// The file's path as found (location joined with `script`), for messages.
    pub path: PathBuf,
    /// Decoded text, exactly as in the file (a BOM, if any, still at the start).
    pub text: String,
    /// The checksum Flyway records: raw text for V/U/B, after placeholder replacement for R.
    pub checksum: i32,
    /// The checksum of the raw text (Flyway's "equivalent checksum"); equals `checksum` except
    /// for repeatables that contain placeholders.
    pub raw_checksum: i32,
    /// The file's bytes when they differ from `text` (another encoding than UTF-8), for
    /// [`ResolvedMigration::sha256`]; `None` when `text` holds them as they are.
    pub raw: Option<Vec<u8>>,
    /// Settings from `<file>.conf`.
    pub config: ScriptConfig,
    /// `-- tidemark:key=value` directives in the file, in order.
    pub directives: Vec<crate::directive::Located>,
    /// The phase declared by a `-- tidemark:phase=` directive in the file header.
    pub declared_phase: Option<crate::phase::Phase>,
}

impl ResolvedMigration {
    /// The version; `None` for repeatables.
    pub fn version(&self) -> Option<&Version> {
        self.name.version.as_ref()
    }

    /// The description (underscores as spaces).
    pub fn description(&self) -> &str {
        &self.name.description
    }

    /// SHA-256 of the file's bytes, in hex (computed when asked: only `info --json` and the
    /// companion rows of applied migrations need it).
    pub fn sha256(&self) -> String {
        crate::checksum::sha256_hex(self.raw.as_deref().unwrap_or(self.text.as_bytes()))
    }

    /// Whether this is a repeatable migration.
    pub fn is_repeatable(&self) -> bool {
        self.name.kind == Kind::Repeatable
    }

    /// The history `type` this file is recorded with.
    pub fn migration_type(&self) -> MigrationType {
        match self.name.kind {
            Kind::Undo => MigrationType::UndoSql,
            Kind::Baseline => MigrationType::SqlBaseline,
            _ => MigrationType::Sql,
        }
    }

    /// Whether a stored checksum matches this file: NULL always matches; otherwise either the
    /// recorded checksum or the raw-text one (Flyway's `checksumMatches`).
    pub fn checksum_matches(&self, stored: Option<i32>) -> bool {
        match stored {
            None => true,
            Some(c) => c == self.checksum || c == self.raw_checksum,
        }
    }
}

/// A SQL callback file (`beforeMigrate.sql`, `afterMigrate__seed.sql`).
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// The event it runs on.
    pub event: Event,
    /// The description (empty for `<event>.sql`); several callbacks of one event run in
    /// description order.
    pub description: String,
    /// The file name without its suffix (duplicate detection key).
    pub stem: String,
    /// Path relative to its location.
    pub script: String,
    /// The file's path as found.
    pub path: PathBuf,
    /// Decoded text.
    pub text: String,
    /// Settings from `<file>.conf`.
    pub config: ScriptConfig,
}
