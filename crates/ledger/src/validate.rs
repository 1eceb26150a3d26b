//! Validation: the plan judged against Flyway's rules (reference §5.1), as data.
//!
//! Each problem is a [`Finding`] with Flyway's error code and message, so the CLI can render it
//! as text, JSON or (later) CI annotations, and `migrate` can refuse with exactly what
//! `validate` would have said.

use std::fmt;

use crate::history::abbreviate_description;
use crate::pattern::{IgnorePatterns, PatternState};
use crate::plan::{Entry, Plan, State};

/// Flyway's error codes for validation findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Code {
    FailedVersionedMigration,
    FailedRepeatableMigration,
    AppliedVersionedMigrationNotResolved,
    AppliedRepeatableMigrationNotResolved,
    ResolvedVersionedMigrationNotApplied,
    ResolvedRepeatableMigrationNotApplied,
    OutdatedRepeatableMigration,
    TypeMismatch,
    ChecksumMismatch,
    DescriptionMismatch,
}

impl Code {
    /// The code as Flyway spells it (`CHECKSUM_MISMATCH`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FailedVersionedMigration => "FAILED_VERSIONED_MIGRATION",
            Code::FailedRepeatableMigration => "FAILED_REPEATABLE_MIGRATION",
            Code::AppliedVersionedMigrationNotResolved => {
                "APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED"
            }
            Code::AppliedRepeatableMigrationNotResolved => {
                "APPLIED_REPEATABLE_MIGRATION_NOT_RESOLVED"
            }
            Code::ResolvedVersionedMigrationNotApplied => {
                "RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED"
            }
            Code::ResolvedRepeatableMigrationNotApplied => {
                "RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED"
            }
            Code::OutdatedRepeatableMigration => "OUTDATED_REPEATABLE_MIGRATION",
            Code::TypeMismatch => "TYPE_MISMATCH",
            Code::ChecksumMismatch => "CHECKSUM_MISMATCH",
            Code::DescriptionMismatch => "DESCRIPTION_MISMATCH",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Flyway's error code.
    pub code: Code,
    /// Flyway's message, including its advice line.
    pub message: String,
    /// The version, if versioned.
    pub version: Option<String>,
    /// The description.
    pub description: String,
    /// The file, when one exists (for file:line rendering).
    pub path: Option<std::path::PathBuf>,
    /// The history script path, when a row exists.
    pub script: Option<String>,
    /// The history row's rank, when a row exists.
    pub installed_rank: Option<i32>,
    /// More detail to show after the message (the engine adds a diff of a changed file).
    pub detail: Option<String>,
}

/// Validates every entry of the plan. `patterns` are the configured `ignoreMigrationPatterns`
/// (`migrate` adds `*:pending`).
pub fn validate(plan: &Plan<'_>, patterns: &IgnorePatterns) -> Vec<Finding> {
    let ctx = Flags {
        pending: patterns.ignores(PatternState::Pending),
        ignored: patterns.ignores(PatternState::Ignored),
        missing: patterns.ignores(PatternState::Missing),
        future: patterns.ignores(PatternState::Future),
    };
    plan.entries
        .iter()
        .filter_map(|e| check(e, plan, patterns, &ctx))
        .collect()
}

struct Flags {
    pending: bool,
    ignored: bool,
    missing: bool,
    future: bool,
}

fn check(e: &Entry<'_>, plan: &Plan<'_>, patterns: &IgnorePatterns, f: &Flags) -> Option<Finding> {
    let state = e.state;
    if matches!(state, State::Undone | State::AboveTarget | State::Deleted) {
        return None;
    }
    if patterns.matches(e.is_versioned(), state.display()) {
        return None;
    }
    // Borrowed: most entries pass, and only a finding needs its own copies.
    let version = e.version();
    let desc = e.description();
    let finding = |code: Code, message: String| Finding {
        code,
        message,
        version: version.map(ToString::to_string),
        description: desc.to_string(),
        path: e.resolved.map(|r| r.path.clone()),
        script: e.applied.map(|a| a.script.clone()),
        installed_rank: e.applied.map(|a| a.installed_rank),
        detail: None,
    };
    let kind = e.kind();

    if state.is_failed() && !(f.future && state == State::FutureFailed) {
        return Some(match &version {
            Some(v) => finding(
                Code::FailedVersionedMigration,
                format!(
                    "Detected failed migration to version {v} ({desc}).\nPlease remove any half-completed changes then run repair to fix the schema history."
                ),
            ),
            None => finding(
                Code::FailedRepeatableMigration,
                format!(
                    "Detected failed repeatable migration: {desc}.\nPlease remove any half-completed changes then run repair to fix the schema history."
                ),
            ),
        });
    }

    if e.resolved.is_none()
        && !kind.is_synthetic()
        && !kind.is_undo()
        && state != State::Superseded
        && !(f.missing && matches!(state, State::MissingSuccess | State::MissingFailed))
        && !(f.future && matches!(state, State::FutureSuccess | State::FutureFailed))
    {
        return Some(match &version {
            Some(v) => finding(
                Code::AppliedVersionedMigrationNotResolved,
                format!(
                    "Detected applied migration not resolved locally: {v}.\nIf you removed this migration intentionally, run repair to mark the migration as deleted."
                ),
            ),
            None => finding(
                Code::AppliedRepeatableMigrationNotResolved,
                format!(
                    "Detected applied migration not resolved locally: {desc}.\nIf you removed this migration intentionally, run repair to mark the migration as deleted."
                ),
            ),
        });
    }

    if state == State::Ignored && !f.ignored && !kind.is_baseline() && !kind.is_undo() {
        return Some(match &version {
            Some(v) => finding(
                Code::ResolvedVersionedMigrationNotApplied,
                format!(
                    "Detected resolved migration not applied to database: {v}.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true."
                ),
            ),
            None => finding(
                Code::ResolvedRepeatableMigrationNotApplied,
                format!(
                    "Detected resolved repeatable migration not applied to database: {desc}.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'."
                ),
            ),
        });
    }

    if state == State::Pending && !f.pending {
        return Some(match &version {
            Some(v) => finding(
                Code::ResolvedVersionedMigrationNotApplied,
                format!(
                    "Detected resolved migration not applied to database: {v}.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'."
                ),
            ),
            None => finding(
                Code::ResolvedRepeatableMigrationNotApplied,
                format!(
                    "Detected resolved repeatable migration not applied to database: {desc}.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'."
                ),
            ),
        });
    }

    if state == State::Outdated && !f.pending {
        return Some(finding(
            Code::OutdatedRepeatableMigration,
            format!(
                "Detected outdated resolved repeatable migration that should be re-applied to database: {desc}.\nRun migrate to execute this migration."
            ),
        ));
    }

    let (Some(r), Some(a)) = (e.resolved, e.applied) else {
        return None;
    };
    if a.kind == crate::history::MigrationType::Delete || a.kind.is_undo() {
        return None;
    }
    let above_baseline = match (&a.version, &plan.applied_baseline) {
        (None, _) => true,
        (Some(_), None) => true,
        (Some(v), Some(b)) => v > b,
    };
    if !above_baseline {
        return None;
    }
    let mismatch = |code: Code, what: &str, applied: String, resolved: String| {
        let identifier = match &a.version {
            Some(v) => format!("version {v}"),
            None => a.script.clone(),
        };
        finding(
            code,
            format!(
                "Migration {what} mismatch for migration {identifier}\n-> Applied to database : {applied}\n-> Resolved locally    : {resolved}\nEither revert the changes to the migration, or run repair to update the schema history."
            ),
        )
    };
    if r.migration_type() != a.kind {
        return Some(mismatch(
            Code::TypeMismatch,
            "type",
            a.kind.to_string(),
            r.migration_type().to_string(),
        ));
    }
    let check_checksum =
        a.version.is_some() || (f.pending && !matches!(state, State::Outdated | State::Superseded));
    if check_checksum && !r.checksum_matches(a.checksum) {
        return Some(mismatch(
            Code::ChecksumMismatch,
            "checksum",
            a.checksum.map_or("null".to_string(), |c| c.to_string()),
            r.checksum.to_string(),
        ));
    }
    let applied_desc = if a.description == "<< no description >>" {
        ""
    } else {
        &a.description
    };
    // At most 200 bytes is at most 200 chars: nothing to abbreviate, nothing to copy.
    let same = if r.description().len() <= 200 {
        r.description() == applied_desc
    } else {
        abbreviate_description(r.description()) == applied_desc
    };
    if !same {
        return Some(mismatch(
            Code::DescriptionMismatch,
            "description",
            a.description.clone(),
            abbreviate_description(r.description()),
        ));
    }
    None
}

/// Flyway's overall message for failed validation.
pub fn failure_message(findings: &[Finding]) -> String {
    let mut msg = String::from("Validate failed: Migrations have failed validation");
    for f in findings {
        msg.push('\n');
        msg.push_str(&f.message);
        if let Some(detail) = &f.detail {
            msg.push('\n');
            msg.push_str(detail.trim_end());
        }
    }
    msg
}
