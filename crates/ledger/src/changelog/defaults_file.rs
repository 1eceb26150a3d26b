//! `liquibase.properties` (the "defaults file"), read exactly as `java.util.Properties.load`.
//!
//! Flyway doubles every backslash before handing its config to `java.util.Properties`, so
//! [`crate::properties`] keeps backslashes literally. Liquibase does not: its
//! `DefaultsFileValueProvider` calls `Properties.load(InputStream)` directly. So here `\t`,
//! `\n`, `\uXXXX`, `\:`, `\=` and `\\` are escapes, any other `\x` is `x`, a trailing odd
//! backslash continues the line (the next line's leading blanks dropped), and — because
//! `load(InputStream)` reads ISO-8859-1 — the file's bytes are Latin-1, so a UTF-8 `é` arrives
//! as `Ã©` (write `\u00e9`), as it does for Liquibase. Sharing one parser with Flyway would
//! silently change `C:\new` into `C:` + newline for one of the two tools.
//!
//! Changelog parameters come from keys `parameter.<name>` ([`parameters`]).

use crate::text;

/// One `key=value` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// The key, escapes resolved.
    pub key: String,
    /// The value, escapes resolved.
    pub value: String,
}

/// A malformed `\uXXXX` escape (Java: "Malformed \uxxxx encoding.").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: Malformed \\uxxxx encoding.")]
pub struct DefaultsFileError {
    /// 1-based line of the entry.
    pub line: usize,
}

/// Parses the file's bytes (ISO-8859-1, as `Properties.load(InputStream)` reads them). A
/// malformed `\u` escape is an error, as it is for Liquibase.
pub fn parse_file(bytes: &[u8]) -> Result<Vec<Entry>, DefaultsFileError> {
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    parse(&text)
}

/// Like [`parse_file`], but a malformed `\u` escape is kept literally instead of failing (for
/// `<property file=...>` files, where Liquibase's behaviour is the same error; tidemark prefers
/// not to fail a whole changelog on it).
pub fn parse_bytes(bytes: &[u8]) -> Vec<Entry> {
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    parse_with(&text, true).unwrap_or_default()
}

/// Parses properties text with `java.util.Properties.load` semantics.
pub fn parse(input: &str) -> Result<Vec<Entry>, DefaultsFileError> {
    parse_with(input, false)
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{c}'
}

/// Whether a natural line ends with an odd number of backslashes (continues).
fn continues(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

fn parse_with(input: &str, lenient: bool) -> Result<Vec<Entry>, DefaultsFileError> {
    let lines: Vec<&str> = text::lines(input).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start_line = i + 1;
        let first = lines[i].trim_start_matches(is_blank);
        i += 1;
        if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
            continue;
        }
        let mut logical = first.to_string();
        while continues(&logical) {
            logical.pop();
            match lines.get(i) {
                Some(next) => {
                    logical.push_str(next.trim_start_matches(is_blank));
                    i += 1;
                }
                None => break,
            }
        }
        let (key, value) = split_key_value(&logical);
        let key = unescape(key, lenient).ok_or(DefaultsFileError { line: start_line })?;
        let value = unescape(value, lenient).ok_or(DefaultsFileError { line: start_line })?;
        out.push(Entry {
            line: start_line,
            key,
            value,
        });
    }
    Ok(out)
}

/// Splits at the first unescaped `=`, `:` or blank; blanks and one `=`/`:` after the key are
/// skipped.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = line.len();
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if c == '=' || c == ':' || is_blank(c) {
            key_end = i;
            break;
        }
    }
    let key = &line[..key_end];
    let mut rest = line[key_end..].trim_start_matches(is_blank);
    if let Some(r) = rest.strip_prefix(['=', ':']) {
        rest = r.trim_start_matches(is_blank);
    }
    (key, rest)
}

/// `Properties.loadConvert`: resolves escapes; `None` on a malformed `\u` unless lenient.
fn unescape(s: &str, lenient: bool) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                let code = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32);
                match code {
                    Some(ch) => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    None if lenient => out.push_str("\\u"),
                    None => return None,
                }
            }
            Some(other) => out.push(other),
        }
    }
    Some(out)
}

/// The changelog parameters of a defaults file: `parameter.<name>=<value>` entries, prefix
/// removed, in file order.
pub fn parameters(entries: &[Entry]) -> Vec<(String, String)> {
    entries
        .iter()
        .filter_map(|e| {
            e.key
                .strip_prefix("parameter.")
                .map(|k| (k.to_string(), e.value.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(input: &str) -> Vec<(String, String)> {
        parse(input)
            .unwrap()
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect()
    }

    #[test]
    fn java_escapes_are_escapes() {
        let got = kv(
            "path=C:\\\\tools\\\\sql\nnl=a\\nb\ntab=\\tx\nuni=caf\\u00e9\nother=\\q\\:\\=\nkey\\ with\\ space=v\n",
        );
        assert_eq!(got[0], ("path".into(), "C:\\tools\\sql".into()));
        assert_eq!(got[1], ("nl".into(), "a\nb".into()));
        assert_eq!(got[2], ("tab".into(), "\tx".into()));
        assert_eq!(got[3], ("uni".into(), "café".into()));
        assert_eq!(got[4], ("other".into(), "q:=".into()));
        assert_eq!(got[5], ("key with space".into(), "v".into()));
        // A single backslash before an ordinary letter just disappears.
        assert_eq!(kv("p=C:\\tools")[0].1, "C:\tools");
    }

    #[test]
    fn separators_comments_and_continuations() {
        let got = parse("# c\n  ! c\na=1\nb : 2\nc 3\n\nlist=a,\\\n    b,\\\r\n  c\nd=x\\\\\ne=\n")
            .unwrap();
        let pairs: Vec<(&str, &str, usize)> = got
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("a", "1", 3),
                ("b", "2", 4),
                ("c", "3", 5),
                ("list", "a,b,c", 7),
                ("d", "x\\", 10),
                ("e", "", 11)
            ]
        );
    }

    #[test]
    fn bytes_are_latin1() {
        let got = parse_file("k=caf\u{e9}".as_bytes()).unwrap();
        assert_eq!(got[0].value, "caf\u{c3}\u{a9}");
        assert_eq!(parse_file(b"k=caf\xe9").unwrap()[0].value, "café");
    }

    #[test]
    fn malformed_unicode_escape() {
        assert_eq!(parse("a=\\u12"), Err(DefaultsFileError { line: 1 }));
        assert_eq!(parse_bytes(b"a=\\u12")[0].value, "\\u12");
    }

    #[test]
    fn parameter_entries() {
        let entries =
            parse("changeLogFile=x.sql\nparameter.tbl=t1\nparameter.Author=carol\n").unwrap();
        assert_eq!(
            parameters(&entries),
            vec![
                ("tbl".to_string(), "t1".to_string()),
                ("Author".to_string(), "carol".to_string())
            ]
        );
    }
}
