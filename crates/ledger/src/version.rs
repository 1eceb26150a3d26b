//! Flyway migration versions: `1`, `1.2`, `1_2`, `2024.01.05.1`.
//!
//! Versions compare numerically part by part (`1` = `1.0` = `01` = `1_0`), but the history table
//! stores the text as written with underscores turned into dots (leading zeros kept), so a
//! [`Version`] carries both: the normalised parts for ordering and the display text for storage.
//! (Flyway reference §1.3.)

use std::fmt;

/// A parsed migration version. Equality, ordering and hashing are numeric; [`Version::as_str`] is
/// the text Flyway stores in the `version` column.
#[derive(Debug, Clone)]
pub struct Version {
    /// Normalised parts: decimal digits without leading zeros (`"0"` for zero), trailing zero
    /// parts dropped but at least one part kept.
    parts: Vec<String>,
    /// `input.replace('_', '.')`.
    text: String,
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// Flyway's text: `Version may only contain 0..9 and . (dot). Invalid version: <normalized>`.
    #[error("Version may only contain 0..9 and . (dot). Invalid version: {0}")]
    Invalid(String),
}

impl Version {
    /// Parses a version as Flyway's `MigrationVersion.fromVersion` does for a migration file.
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        let _ = s;
        todo!("helper: version parsing")
    }

    /// The text stored in the history table (`1_1` -> `1.1`, `004.2023` kept as is).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let _ = (&self.parts, other);
        todo!("helper: numeric comparison")
    }
}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts.hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The `target` setting (reference §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Everything (the default; also `9223372036854775807`).
    Latest,
    /// No new versioned migrations; resolved to the current version.
    Current,
    /// Only the first pending migration.
    Next,
    /// Up to and including this version.
    Version {
        /// The target version.
        version: Version,
        /// `false` when written with a trailing `?`: no error if no migration has exactly this version.
        fail_on_missing: bool,
    },
}

impl Target {
    /// Parses `latest`, `current`, `next` (any case), `9223372036854775807`, or a version with an
    /// optional trailing `?`.
    pub fn parse(s: &str) -> Result<Target, VersionError> {
        let _ = s;
        todo!("helper: target parsing")
    }
}
