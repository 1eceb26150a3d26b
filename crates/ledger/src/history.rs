//! A row of Flyway's `flyway_schema_history` table, as a type.
//!
//! The database is the source of truth for what happened; this module only gives the row a shape
//! and names the row types exactly as Flyway writes them (reference §3.2). Reading a type string
//! Flyway would not know is an error, because guessing would corrupt the plan.

use std::fmt;

use crate::version::{Version, VersionError};

/// The `type` column (Flyway's `CoreMigrationType`, plus `SQL_BASELINE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MigrationType {
    /// `SCHEMA`: the marker row listing schemas Flyway created.
    Schema,
    /// `BASELINE`: written by `baseline` / `baselineOnMigrate`.
    Baseline,
    /// `DELETE`: written by `repair` for a missing migration.
    Delete,
    /// `SQL`: a versioned or repeatable SQL migration.
    Sql,
    /// `SQL_BASELINE`: a `B` baseline migration.
    SqlBaseline,
    /// `UNDO_SQL`: an undo of a versioned migration.
    UndoSql,
    /// `JDBC` (also read from the legacy `SPRING_JDBC`): a Java migration.
    Jdbc,
    /// `JDBC_BASELINE` (legacy `JDBC_STATE_SCRIPT`).
    JdbcBaseline,
    /// `UNDO_JDBC`.
    UndoJdbc,
    /// `SCRIPT`: a shell/PowerShell script migration.
    Script,
    /// `SCRIPT_BASELINE`.
    ScriptBaseline,
    /// `UNDO_SCRIPT`.
    UndoScript,
    /// `CUSTOM`: a custom resolver's migration.
    Custom,
    /// `UNDO_CUSTOM`.
    UndoCustom,
}

impl MigrationType {
    /// The exact upper-case name stored in the `type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationType::Schema => "SCHEMA",
            MigrationType::Baseline => "BASELINE",
            MigrationType::Delete => "DELETE",
            MigrationType::Sql => "SQL",
            MigrationType::SqlBaseline => "SQL_BASELINE",
            MigrationType::UndoSql => "UNDO_SQL",
            MigrationType::Jdbc => "JDBC",
            MigrationType::JdbcBaseline => "JDBC_BASELINE",
            MigrationType::UndoJdbc => "UNDO_JDBC",
            MigrationType::Script => "SCRIPT",
            MigrationType::ScriptBaseline => "SCRIPT_BASELINE",
            MigrationType::UndoScript => "UNDO_SCRIPT",
            MigrationType::Custom => "CUSTOM",
            MigrationType::UndoCustom => "UNDO_CUSTOM",
        }
    }

    /// Reads a `type` value, accepting Flyway's legacy names.
    pub fn parse(s: &str) -> Option<MigrationType> {
        Some(match s {
            "SCHEMA" => MigrationType::Schema,
            "BASELINE" => MigrationType::Baseline,
            "DELETE" => MigrationType::Delete,
            "SQL" => MigrationType::Sql,
            "SQL_BASELINE" | "SQL_STATE_SCRIPT" => MigrationType::SqlBaseline,
            "UNDO_SQL" => MigrationType::UndoSql,
            "JDBC" | "SPRING_JDBC" => MigrationType::Jdbc,
            "JDBC_BASELINE" | "JDBC_STATE_SCRIPT" => MigrationType::JdbcBaseline,
            "UNDO_JDBC" => MigrationType::UndoJdbc,
            "SCRIPT" => MigrationType::Script,
            "SCRIPT_BASELINE" => MigrationType::ScriptBaseline,
            "UNDO_SCRIPT" => MigrationType::UndoScript,
            "CUSTOM" => MigrationType::Custom,
            "UNDO_CUSTOM" => MigrationType::UndoCustom,
            _ => return None,
        })
    }

    /// Rows Flyway writes itself rather than for a migration: `SCHEMA`, `BASELINE`, `DELETE`.
    pub fn is_synthetic(self) -> bool {
        matches!(
            self,
            MigrationType::Schema | MigrationType::Baseline | MigrationType::Delete
        )
    }

    /// Baseline rows: `BASELINE` and the `*_BASELINE` migration types.
    pub fn is_baseline(self) -> bool {
        matches!(
            self,
            MigrationType::Baseline
                | MigrationType::SqlBaseline
                | MigrationType::JdbcBaseline
                | MigrationType::ScriptBaseline
        )
    }

    /// Undo rows.
    pub fn is_undo(self) -> bool {
        matches!(
            self,
            MigrationType::UndoSql
                | MigrationType::UndoJdbc
                | MigrationType::UndoScript
                | MigrationType::UndoCustom
        )
    }
}

impl fmt::Display for MigrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the history table.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedMigration {
    /// `installed_rank`: applied order.
    pub installed_rank: i32,
    /// `version`, parsed; `None` for repeatables and `SCHEMA` rows.
    pub version: Option<Version>,
    /// `description`.
    pub description: String,
    /// `type`.
    pub kind: MigrationType,
    /// `script`.
    pub script: String,
    /// `checksum`; NULL for synthetic rows.
    pub checksum: Option<i32>,
    /// `installed_by`.
    pub installed_by: String,
    /// `installed_on` as the database returned it, normalised to `YYYY-MM-DD HH:MM:SS[.fff]` UTC
    /// text by the engine.
    pub installed_on: String,
    /// `execution_time` in milliseconds.
    pub execution_time: i32,
    /// `success`.
    pub success: bool,
}

/// A history row that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The `type` column holds a name Flyway does not know either.
    #[error("Unknown migration type '{kind}' in the schema history table (installed_rank {rank})")]
    UnknownType {
        /// The stored text.
        kind: String,
        /// The row's rank.
        rank: i32,
    },
    /// The `version` column does not parse.
    #[error(
        "Invalid version '{text}' in the schema history table (installed_rank {rank}): {source}"
    )]
    BadVersion {
        /// The stored text.
        text: String,
        /// The row's rank.
        rank: i32,
        /// Why it does not parse.
        source: VersionError,
    },
}

/// Flyway's `description` abbreviation: at most 200 characters, else the first 197 and `...`.
pub fn abbreviate_description(description: &str) -> String {
    if description.chars().count() <= 200 {
        description.to_string()
    } else {
        let head: String = description.chars().take(197).collect();
        format!("{head}...")
    }
}

/// Flyway's `script` abbreviation (a Java quirk kept for compatibility): longer than 1000
/// characters becomes `...` followed by characters 3 to 999.
pub fn abbreviate_script(script: &str) -> String {
    if script.chars().count() <= 1000 {
        script.to_string()
    } else {
        let tail: String = script.chars().skip(3).take(997).collect();
        format!("...{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip() {
        for t in [
            MigrationType::Schema,
            MigrationType::Baseline,
            MigrationType::Delete,
            MigrationType::Sql,
            MigrationType::SqlBaseline,
            MigrationType::UndoSql,
            MigrationType::Jdbc,
        ] {
            assert_eq!(MigrationType::parse(t.as_str()), Some(t));
        }
        assert_eq!(
            MigrationType::parse("SPRING_JDBC"),
            Some(MigrationType::Jdbc)
        );
        assert_eq!(
            MigrationType::parse("SQL_STATE_SCRIPT"),
            Some(MigrationType::SqlBaseline)
        );
        assert_eq!(MigrationType::parse("sql"), None);
    }

    #[test]
    fn description_is_abbreviated_to_200_chars() {
        let long = "é".repeat(250);
        let short = abbreviate_description(&long);
        assert_eq!(short.chars().count(), 200);
        assert!(short.ends_with("..."));
        assert_eq!(abbreviate_description("abc"), "abc");
    }

    #[test]
    fn script_abbreviation_keeps_java_quirk() {
        let long: String = (0..1200)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let short = abbreviate_script(&long);
        assert_eq!(short.chars().count(), 1000);
        assert_eq!(&short[..3], "...");
        assert_eq!(&short[3..6], &long[3..6]);
    }
}
