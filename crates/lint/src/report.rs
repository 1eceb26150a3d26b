//! What the linter found, as plain data.
//!
//! Findings are values with a rule id, a severity and a 1-based `line:column`, never log lines:
//! the CLI decides how to show them (text, JSON, annotations) and which exit code they mean.
//! `render_text` is here only because its format is part of the linter's contract
//! (`file:line:col severity rule-id message`, then an indented help line).

use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Serialize, Serializer};
use tidemark_ledger::phase::Phase;

/// How bad a finding is.
///
/// `Error` breaks running code or fails; `Warning` blocks traffic (a scan, rewrite or index
/// build under a strong lock, a lock queue); `Info` is style and policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Style and policy.
    Info,
    /// Blocks traffic.
    Warning,
    /// Breaks running code or fails.
    Error,
}

impl Severity {
    /// The lower-case name (`error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(Severity::Error),
            "warning" | "warn" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(format!(
                "unknown severity '{other}' (expected error, warning or info)"
            )),
        }
    }
}

/// One finding in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule id, e.g. `ban-drop-column`.
    pub rule: &'static str,
    /// The severity after configuration and suppression were applied.
    pub severity: Severity,
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column (in characters) in the file.
    pub column: usize,
    /// What the statement does, the lock it takes and why that hurts.
    pub message: String,
    /// The safe alternative.
    pub help: String,
    /// The lock the statement takes, if the rule is about a lock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<&'static str>,
}

/// The findings and phases of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// The path as given in [`crate::SourceFile::path`].
    #[serde(serialize_with = "path_string")]
    pub path: PathBuf,
    /// The declared phase, else the inferred one.
    #[serde(serialize_with = "phase_opt")]
    pub phase: Option<Phase>,
    /// The phase declared by the caller or by a `-- tidemark:phase=` directive.
    #[serde(serialize_with = "phase_opt")]
    pub declared_phase: Option<Phase>,
    /// The latest phase of the file's statements.
    #[serde(serialize_with = "phase_opt")]
    pub inferred_phase: Option<Phase>,
    /// Findings in line order.
    pub findings: Vec<Finding>,
}

/// The result of linting a migration set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One entry per linted file, in the order given.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Whether any finding is an error (the CLI's exit code 1).
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|(_, f)| f.severity == severity)
            .count()
    }

    /// Every finding with the file it is in.
    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
    }
}

/// Renders `file:line:col severity rule-id message`, then `  help: ...`, one finding after
/// the other. Empty when there is nothing to report; summaries are the CLI's business.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for (file, f) in report.findings() {
        let _ = writeln!(
            out,
            "{}:{}:{} {} {} {}",
            file.path.display(),
            f.line,
            f.column,
            f.severity,
            f.rule,
            f.message
        );
        let _ = writeln!(out, "  help: {}", f.help);
    }
    out
}

fn path_string<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

fn phase_opt<S: Serializer>(phase: &Option<Phase>, s: S) -> Result<S::Ok, S::Error> {
    match phase {
        Some(p) => s.serialize_str(p.as_str()),
        None => s.serialize_none(),
    }
}
