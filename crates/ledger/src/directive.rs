//! In-script directives: `-- tidemark:key=value` comment lines.
//!
//! Flyway ignores them (they are ordinary comments, part of the checksum for both tools), which is
//! what makes them safe to add to an existing project. A line matching
//! `^--\s*tidemark:(\w+)=(\S+)\s*$` is a directive. Lines before the first statement apply to the
//! file; an `allow` line directly above a statement applies to that statement. Unknown keys and bad
//! values are errors naming the line, so a typo never silently changes how a migration runs.

use std::time::Duration;

use crate::phase::Phase;
use crate::text;

/// A parsed directive value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `phase=expand|backfill|contract`.
    Phase(Phase),
    /// `executeInTransaction=true|false`.
    ExecuteInTransaction(bool),
    /// `lockTimeout=500ms|5s|...`.
    LockTimeout(Duration),
    /// `lockRetries=N`.
    LockRetries(u32),
    /// `batchSize=N` (N > 0).
    BatchSize(u64),
    /// `batchPause=50ms|...`.
    BatchPause(Duration),
    /// `allow=rule-id[,rule-id...]`: lint rules suppressed.
    Allow(Vec<String>),
}

/// A directive and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based line.
    pub line: usize,
    /// The key as written (`phase`).
    pub key: String,
    /// The parsed value.
    pub directive: Directive,
}

/// A malformed directive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DirectiveError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, naming the key and the accepted values.
    pub message: String,
}

/// The keys tidemark understands.
pub const KEYS: &[&str] = &[
    "phase",
    "executeInTransaction",
    "lockTimeout",
    "lockRetries",
    "batchSize",
    "batchPause",
    "allow",
];

/// Every directive in the script, in order. A comment that starts with `tidemark:` but does not
/// have the `key=value` shape is an error too (a typo must not be silently ignored).
pub fn parse(script: &str) -> Result<Vec<Located>, DirectiveError> {
    // Most scripts have no directive: one substring search instead of a pass over the lines
    // (with a searcher built once: building it costs about as much as searching a file).
    static MARK: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"tidemark:"));
    let mut found = Vec::new();
    if MARK.find(script.as_bytes()).is_none() {
        return Ok(found);
    }
    for (index, raw) in text::lines(script).enumerate() {
        let line = index + 1;
        let Some(rest) = raw.trim_start().strip_prefix("--") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(body) = rest.strip_prefix("tidemark:") else {
            continue;
        };
        let body = body.trim_end();
        let Some((key, value)) = body.split_once('=') else {
            return Err(DirectiveError {
                line,
                message: format!(
                    "malformed directive '{}': expected -- tidemark:key=value",
                    raw.trim()
                ),
            });
        };
        let key_ok = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !key_ok || value.is_empty() || value.chars().any(char::is_whitespace) {
            return Err(DirectiveError {
                line,
                message: format!(
                    "malformed directive '{}': expected -- tidemark:key=value with no spaces in the value",
                    raw.trim()
                ),
            });
        }
        let directive = value_of(key, value).map_err(|message| DirectiveError { line, message })?;
        found.push(Located {
            line,
            key: key.to_string(),
            directive,
        });
    }
    Ok(found)
}

fn value_of(key: &str, value: &str) -> Result<Directive, String> {
    let bad = |expected: &str| {
        format!("invalid value '{value}' for tidemark:{key} (expected {expected})")
    };
    Ok(match key {
        "phase" => Directive::Phase(
            value
                .parse()
                .map_err(|_| bad("expand, backfill or contract"))?,
        ),
        "executeInTransaction" => {
            Directive::ExecuteInTransaction(match value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(bad("true or false")),
            })
        }
        "lockTimeout" => Directive::LockTimeout(
            parse_duration(value).ok_or_else(|| bad("a duration such as 500ms or 5s"))?,
        ),
        "lockRetries" => Directive::LockRetries(value.parse().map_err(|_| bad("a whole number"))?),
        "batchSize" => match value.parse::<u64>() {
            Ok(n) if n > 0 => Directive::BatchSize(n),
            _ => return Err(bad("a whole number above 0")),
        },
        "batchPause" => Directive::BatchPause(
            parse_duration(value).ok_or_else(|| bad("a duration such as 50ms or 1s"))?,
        ),
        "allow" => {
            let ids: Vec<String> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if ids.is_empty()
                || ids
                    .iter()
                    .any(|id| !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            {
                return Err(bad("a comma list of lint rule ids"));
            }
            Directive::Allow(ids)
        }
        other => {
            return Err(format!(
                "unknown directive tidemark:{other} (known: {})",
                KEYS.join(", ")
            ));
        }
    })
}

/// `500ms`, `5s`, `2m`, `1h`, or a plain number of milliseconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let ms = match unit.trim() {
        "" | "ms" => n,
        "s" => n.checked_mul(1000)?,
        "m" | "min" => n.checked_mul(60_000)?,
        "h" => n.checked_mul(3_600_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(ms))
}

/// Directives of a script split into the file header (before `first_statement_line`) and the
/// `allow` lists that sit directly above each statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scoped {
    /// Directives that apply to the whole file.
    pub file: Vec<Located>,
    /// `(statement line, rule ids)` for `allow` directives in the contiguous comment block ending
    /// on the line above a statement.
    pub statement_allows: Vec<(usize, Vec<String>)>,
}

impl Scoped {
    /// Scopes `directives` given the 1-based first lines of the script's statements.
    pub fn new(directives: Vec<Located>, statement_lines: &[usize]) -> Scoped {
        let first = statement_lines.first().copied().unwrap_or(usize::MAX);
        let mut scoped = Scoped::default();
        for d in directives {
            if d.line < first {
                scoped.file.push(d);
                continue;
            }
            if let Directive::Allow(ids) = &d.directive {
                // The statement this directive sits above: the first statement after it.
                if let Some(&line) = statement_lines.iter().find(|&&l| l > d.line) {
                    scoped.statement_allows.push((line, ids.clone()));
                }
            }
        }
        scoped
    }

    /// The file-level phase, if declared.
    pub fn phase(&self) -> Option<Phase> {
        self.file.iter().rev().find_map(|d| match d.directive {
            Directive::Phase(p) => Some(p),
            _ => None,
        })
    }

    /// Rule ids allowed for the statement starting at `line` (file-level allows included).
    pub fn allowed(&self, line: usize) -> Vec<&str> {
        let file = self.file.iter().filter_map(|d| match &d.directive {
            Directive::Allow(ids) => Some(ids),
            _ => None,
        });
        let here = self
            .statement_allows
            .iter()
            .filter(|(l, _)| *l == line)
            .map(|(_, ids)| ids);
        file.chain(here).flatten().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key() {
        let script = "-- tidemark:phase=contract\n--tidemark:executeInTransaction=false\n-- tidemark:lockTimeout=500ms\n-- tidemark:lockRetries=3\n-- tidemark:batchSize=1000\n-- tidemark:batchPause=2s  \n-- tidemark:allow=ban-drop-column,adding-not-nullable-field\nALTER TABLE t DROP COLUMN c;\n";
        let found = parse(script).unwrap();
        let values: Vec<_> = found.iter().map(|d| d.directive.clone()).collect();
        assert_eq!(
            values,
            vec![
                Directive::Phase(Phase::Contract),
                Directive::ExecuteInTransaction(false),
                Directive::LockTimeout(Duration::from_millis(500)),
                Directive::LockRetries(3),
                Directive::BatchSize(1000),
                Directive::BatchPause(Duration::from_secs(2)),
                Directive::Allow(vec![
                    "ban-drop-column".into(),
                    "adding-not-nullable-field".into()
                ]),
            ]
        );
        assert_eq!(found[6].line, 7);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("SELECT 1;\n\n-- tidemark:phase=shrink\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("expand, backfill or contract"),
            "{}",
            e.message
        );
        let e = parse("-- tidemark:lockTimout=5s\n").unwrap_err();
        assert!(
            e.message.contains("unknown directive tidemark:lockTimout"),
            "{}",
            e.message
        );
        assert!(parse("-- tidemark:batchSize=0").is_err());
        assert!(parse("-- tidemark:phase = expand").is_err());
        assert!(parse("-- tidemark:lockTimeout=fast").is_err());
        // Ordinary comments mentioning tidemark are not directives.
        assert!(
            parse("-- see tidemark: docs\n-- tidemark is great")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn scopes_file_header_and_statement_allows() {
        let script = "-- tidemark:phase=expand\n-- tidemark:allow=a\nCREATE TABLE t (id int);\n\n-- tidemark:allow=b,c\nALTER TABLE t ADD COLUMN x int;\nSELECT 1;\n";
        let scoped = Scoped::new(parse(script).unwrap(), &[3, 6, 7]);
        assert_eq!(scoped.phase(), Some(Phase::Expand));
        assert_eq!(scoped.allowed(3), ["a"]);
        assert_eq!(scoped.allowed(6), ["a", "b", "c"]);
        assert_eq!(scoped.allowed(7), ["a"]);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("1.5s"), None);
    }
}
