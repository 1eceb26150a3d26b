//! Java-properties syntax as Flyway 13 reads it, for `flyway.conf` and per-script
//! `V1__x.sql.conf` files.
//!
//! `key=value`, `key: value` or `key value`; `#` and `!` comments. Flyway doubles every
//! backslash before handing the text to `java.util.Properties`, so backslashes are NOT escapes
//! (`C:\tools\sql` survives); a trailing backslash continues the value on the next line unless
//! that line is empty or itself a `flyway.x=` property. Each entry keeps the line it started on,
//! so an error can name it.

use crate::text;

/// One `key=value` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// The key.
    pub key: String,
    /// The value, backslashes kept.
    pub value: String,
}

/// Java's `String.trim`: strips every char up to U+0020.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Parses properties text. Never fails: like `java.util.Properties`, anything is some entry.
pub fn parse(input: &str) -> Vec<Entry> {
    let lines: Vec<&str> = text::lines(input).collect();
    let mut entries = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = i + 1;
        let trimmed = java_trim(lines[i]);
        i += 1;
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        let mut logical = trimmed.to_string();
        while logical.ends_with('\\') && i < lines.len() && continues(lines[i]) {
            logical.pop();
            logical.push_str(java_trim(lines[i]));
            i += 1;
        }
        let (key, value) = split(&logical);
        entries.push(Entry {
            line,
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    entries
}

/// Whether a trailing backslash joins `next` to the value (Flyway's look-ahead).
fn continues(next: &str) -> bool {
    let is_property = java_trim(next).starts_with("flyway.") && next.contains('=');
    !next.is_empty() && !is_property
}

fn split(line: &str) -> (&str, &str) {
    let is_space = |c: char| c == ' ' || c == '\t' || c == '\u{c}';
    let key_end = line
        .find(|c: char| c == '=' || c == ':' || is_space(c))
        .unwrap_or(line.len());
    let key = &line[..key_end];
    let mut rest = line[key_end..].trim_start_matches(is_space);
    if let Some(stripped) = rest.strip_prefix(['=', ':']) {
        rest = stripped.trim_start_matches(is_space);
    }
    (key, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(input: &str) -> Vec<(String, String, usize)> {
        parse(input)
            .into_iter()
            .map(|e| (e.key, e.value, e.line))
            .collect()
    }

    #[test]
    fn separators_comments_and_lines() {
        let got = kv("# c\n! c\na=1\nb : 2\nc 3\n\n  d=  4 \r\ne\rf=6");
        assert_eq!(
            got,
            vec![
                ("a".into(), "1".into(), 3),
                ("b".into(), "2".into(), 4),
                ("c".into(), "3".into(), 5),
                ("d".into(), "4".into(), 7),
                ("e".into(), "".into(), 8),
                ("f".into(), "6".into(), 9),
            ]
        );
    }

    #[test]
    fn backslashes_are_kept_and_continue_lines_as_flyway_does() {
        let got = kv(
            "path=C:\\tools\\sql\nlist=a,\\\n    b,\\\r\n  c\nstop=x\\\n\nnext=1\nprop=y\\\nflyway.url=z\n",
        );
        assert_eq!(got[0], ("path".into(), "C:\\tools\\sql".into(), 1));
        assert_eq!(got[1], ("list".into(), "a,b,c".into(), 2));
        assert_eq!(got[2], ("stop".into(), "x\\".into(), 5));
        assert_eq!(got[3], ("next".into(), "1".into(), 7));
        assert_eq!(got[4], ("prop".into(), "y\\".into(), 8));
        assert_eq!(got[5], ("flyway.url".into(), "z".into(), 9));
    }

    #[test]
    fn garbage_never_panics() {
        for s in ["\\", "=", ":", "\\u12", "a\\", "\u{feff}k=v", "é=ü\\"] {
            let _ = parse(s);
        }
    }
}
