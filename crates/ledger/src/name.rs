//! The Flyway file-name grammar (reference §1.1-1.2): `V1_2__desc.sql`, `U1_2__desc.sql`,
//! `B3__desc.sql`, `R__desc.sql`, `beforeMigrate__desc.sql`.
//!
//! Prefix matching is case-sensitive and the longest known prefix wins; suffix matching is
//! case-insensitive; the description is the text after the first separator with every `_`
//! turned into a space. Names that end in a configured suffix but do not fit the grammar are
//! [`NameError`]s, which discovery skips (with a count) or refuses under `validateMigrationNaming`.

use crate::event::Event;
use crate::version::Version;

/// The naming settings (`sqlMigrationPrefix`, `undoSqlMigrationPrefix`,
/// `repeatableSqlMigrationPrefix`, `baselineMigrationPrefix`, `sqlMigrationSeparator`,
/// `sqlMigrationSuffixes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingConfig {
    /// Versioned prefix, default `V`.
    pub versioned_prefix: String,
    /// Undo prefix, default `U`.
    pub undo_prefix: String,
    /// Repeatable prefix, default `R`.
    pub repeatable_prefix: String,
    /// Baseline-migration prefix, default `B`.
    pub baseline_prefix: String,
    /// Separator between version and description, default `__`.
    pub separator: String,
    /// File suffixes, default `[".sql"]`; matched case-insensitively.
    pub suffixes: Vec<String>,
}

impl Default for NamingConfig {
    fn default() -> Self {
        NamingConfig {
            versioned_prefix: "V".into(),
            undo_prefix: "U".into(),
            repeatable_prefix: "R".into(),
            baseline_prefix: "B".into(),
            separator: "__".into(),
            suffixes: vec![".sql".into()],
        }
    }
}

/// What a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `V`: applied once, in version order.
    Versioned,
    /// `U`: reverts the versioned migration of the same version.
    Undo,
    /// `B`: a baseline migration, applied instead of everything up to its version on an empty history.
    Baseline,
    /// `R`: re-applied whenever its checksum changes.
    Repeatable,
    /// A SQL callback for an event.
    Callback(Event),
}

/// A parsed file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationName {
    /// What the file is.
    pub kind: Kind,
    /// The version (versioned, undo and baseline kinds only).
    pub version: Option<Version>,
    /// The description with `_` replaced by spaces (`add  two` for `V1__add__two.sql`).
    pub description: String,
    /// The description exactly as in the file name (used for `${flyway:filename}`).
    pub raw_description: String,
    /// The prefix as matched (`V`, `R`, `beforeMigrate`, ...).
    pub prefix: String,
    /// The version text exactly as in the file name (`1_1`), empty when there is none.
    pub raw_version: String,
    /// The suffix as written in the file name (`.sql`, `.SQL`).
    pub suffix: String,
}

impl MigrationName {
    /// The name Flyway rebuilds for `${flyway:filename}`: prefix + raw version + separator (when
    /// there is a description or the name had one) + raw description + suffix.
    pub fn filename(&self, cfg: &NamingConfig) -> String {
        let _ = cfg;
        todo!("helper: rebuild file name")
    }
}

/// A file ends in a SQL suffix but its name is not a valid migration or callback name. The
/// `Display` texts are Flyway's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// No known prefix.
    #[error("Unrecognised migration name format: {file}")]
    Unrecognised {
        /// The file name.
        file: String,
    },
    /// A repeatable or callback name carries a version.
    #[error(
        "Invalid repeatable migration / callback name format: {file} (It cannot contain a version and should look like this: {repeatable_prefix}{separator}<desc>{suffix})"
    )]
    RepeatableWithVersion {
        /// The file name.
        file: String,
        /// Repeatable prefix in force.
        repeatable_prefix: String,
        /// Separator in force.
        separator: String,
        /// First suffix in force.
        suffix: String,
    },
    /// A versioned, undo or baseline name without a version.
    #[error(
        "Invalid versioned migration name format: {file} (It must contain a version and should look like this: {versioned_prefix}1.2{separator}<desc>{suffix})"
    )]
    MissingVersion {
        /// The file name.
        file: String,
        /// Versioned prefix in force.
        versioned_prefix: String,
        /// Separator in force.
        separator: String,
        /// First suffix in force.
        suffix: String,
    },
    /// The version text is not a version.
    #[error("Invalid versioned migration name format: {file} (could not recognise version number {version})")]
    BadVersion {
        /// The file name.
        file: String,
        /// The version text.
        version: String,
    },
}

/// Parses a file name (no directory part).
///
/// `Ok(None)`: the name does not end in a configured suffix, so it is not a SQL file at all
/// (`.conf`, `README.md`). `Err`: a SQL file whose name does not fit the grammar.
pub fn parse(file_name: &str, cfg: &NamingConfig) -> Result<Option<MigrationName>, NameError> {
    let _ = (file_name, cfg);
    todo!("helper: file-name grammar")
}
