//! Findings, the one shape every checking command reports in (`validate`, `lint`, `check`), and
//! their renderings for people and for CI: text, JSON, JUnit XML, GitHub workflow annotations and
//! SARIF 2.1.0. File paths are shown as the user gave them (relative to the working directory),
//! and lines and columns are 1-based.

use serde_json::{Value, json};

use crate::settings::Format;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Style and policy.
    Info,
    /// Blocks traffic, or needs a look.
    Warning,
    /// Breaks running code or fails: exit 1.
    Error,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule or error code (`CHECKSUM_MISMATCH`, `ban-drop-column`).
    pub rule: String,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The file, as shown to the user.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

/// Renders findings in a CI format (`junit`, `github`, `sarif`) or as text. `command` names the
/// run (`tidemark check`) in formats that have a title.
pub fn render(format: Format, command: &str, findings: &[Finding]) -> String {
    match format {
        Format::Junit => junit(command, findings),
        Format::Github => github(findings),
        Format::Sarif => sarif(findings),
        Format::Json => {
            serde_json::to_string_pretty(&json_value(findings)).unwrap_or_default() + "\n"
        }
        Format::Text => text(findings),
    }
}

/// `file:line:col severity rule message`, then the help indented.
pub fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let location = match (&f.file, f.line, f.column) {
            (Some(file), Some(line), Some(col)) => format!("{file}:{line}:{col} "),
            (Some(file), Some(line), None) => format!("{file}:{line} "),
            (Some(file), None, _) => format!("{file} "),
            (None, _, _) => String::new(),
        };
        out.push_str(&format!(
            "{location}{} {} {}\n",
            f.severity.as_str(),
            f.rule,
            first_line(&f.message)
        ));
        for extra in f.message.split('\n').skip(1) {
            out.push_str(&format!("    {extra}\n"));
        }
        if let Some(help) = &f.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    out
}

/// The findings as a JSON array value.
pub fn json_value(findings: &[Finding]) -> Value {
    Value::Array(
        findings
            .iter()
            .map(|f| {
                json!({
                    "rule": f.rule,
                    "severity": f.severity.as_str(),
                    "message": f.message,
                    "help": f.help,
                    "file": f.file,
                    "line": f.line,
                    "column": f.column,
                })
            })
            .collect(),
    )
}

fn first_line(s: &str) -> &str {
    s.split('\n').next().unwrap_or(s)
}

/// GitHub Actions annotations: one `::error file=…,line=…,col=…,title=…::message` per finding.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", escape_property(file)));
        }
        if let Some(line) = f.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = f.column {
            props.push(format!("col={col}"));
        }
        props.push(format!("title={}", escape_property(&f.rule)));
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push('\n');
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// Workflow-command data escaping (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property escaping (data escaping plus `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// JUnit XML: one test case per finding (classname = file), a `<failure>` per error.
pub fn junit(command: &str, findings: &[Finding]) -> String {
    let failures = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
        xml(command),
        findings.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        xml(command),
        findings.len()
    ));
    for f in findings {
        let file = f.file.as_deref().unwrap_or("(project)");
        let location = match f.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{} {}\"",
            xml(file),
            xml(&f.rule),
            xml(&location)
        ));
        if f.severity == Severity::Error {
            out.push_str(">\n");
            let mut body = f.message.clone();
            if let Some(help) = &f.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                xml(&f.rule),
                xml(first_line(&f.message)),
                xml(&body)
            ));
        } else {
            out.push_str(&format!(
                ">\n      <system-out>{} {}</system-out>\n    </testcase>\n",
                f.severity.as_str(),
                xml(&f.message)
            ));
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no representation for most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// SARIF 2.1.0 with one run, its rules, and one result per finding.
pub fn sarif(findings: &[Finding]) -> String {
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let rules: Vec<Value> = rules
        .iter()
        .map(|id| {
            let help = findings
                .iter()
                .find(|f| f.rule == *id)
                .and_then(|f| f.help.clone());
            json!({
                "id": id,
                "shortDescription": { "text": id },
                "help": { "text": help.unwrap_or_else(|| id.to_string()) },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut result = json!({
                "ruleId": f.rule,
                "level": level,
                "message": { "text": match &f.help { Some(h) => format!("{}\n{h}", f.message), None => f.message.clone() } },
            });
            if let Some(file) = &f.file {
                let mut region = serde_json::Map::new();
                if let Some(line) = f.line {
                    region.insert("startLine".into(), json!(line));
                }
                if let Some(col) = f.column {
                    region.insert("startColumn".into(), json!(col));
                }
                let mut physical = json!({ "artifactLocation": { "uri": file.replace('\\', "/") } });
                if !region.is_empty() {
                    physical["region"] = Value::Object(region);
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "tidemark",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/tidemark/tidemark",
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Finding> {
        vec![
            Finding {
                rule: "ban-drop-column".into(),
                severity: Severity::Error,
                message: "Dropping a column breaks code that still reads it, 100% <now>".into(),
                help: Some(
                    "Deploy code that stops using it first, then drop it in a contract migration."
                        .into(),
                ),
                file: Some("migrations/V3__drop,name.sql".into()),
                line: Some(4),
                column: Some(1),
            },
            Finding {
                rule: "prefer-bigint".into(),
                severity: Severity::Info,
                message: "int can overflow".into(),
                help: None,
                file: Some("migrations/V1__t.sql".into()),
                line: Some(2),
                column: None,
            },
        ]
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let out = github(&sample());
        assert_eq!(
            out.split('\n').next().unwrap(),
            "::error file=migrations/V3__drop%2Cname.sql,line=4,col=1,title=ban-drop-column::Dropping a column breaks code that still reads it, 100%25 <now>%0ADeploy code that stops using it first, then drop it in a contract migration."
        );
        assert!(out.contains(
            "::notice file=migrations/V1__t.sql,line=2,title=prefer-bigint::int can overflow"
        ));
    }

    #[test]
    fn junit_has_one_failure_per_error_and_escapes() {
        let out = junit("tidemark lint", &sample());
        assert!(out.contains("tests=\"2\" failures=\"1\""), "{out}");
        assert_eq!(out.matches("<failure ").count(), 1);
        assert!(out.contains("100% &lt;now&gt;"), "{out}");
    }

    #[test]
    fn sarif_is_2_1_0_with_rules_and_regions() {
        let doc: Value = serde_json::from_str(&sarif(&sample())).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
        let r = &run["results"][0];
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            4
        );
        assert_eq!(run["results"][1]["level"], "note");
    }

    #[test]
    fn text_shows_location_severity_rule_and_help() {
        let out = text(&sample());
        assert!(
            out.starts_with(
                "migrations/V3__drop,name.sql:4:1 error ban-drop-column Dropping a column"
            ),
            "{out}"
        );
        assert!(out.contains("  help: Deploy code"), "{out}");
    }
}
