//! Java `.properties` syntax, as Flyway reads `flyway.conf` and per-script `V1__x.sql.conf` files.
//!
//! `key=value`, `key: value` or `key value`; `#` and `!` comments; a trailing backslash continues
//! the line; `\t`, `\n`, `\uXXXX` and `\<char>` escapes. Each entry keeps the line it started
//! on, so an error can name it.

use crate::text;

/// One `key=value` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key, unescaped.
    pub key: String,
    /// The value, unescaped, leading whitespace removed.
    pub value: String,
    /// 1-based line the entry starts on.
    pub line: usize,
}

/// Parses properties text. Never fails: like `java.util.Properties`, anything is some entry.
pub fn parse(input: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut lines = text::lines(input).enumerate().peekable();
    while let Some((index, first)) = lines.next() {
        let trimmed = first.trim_start_matches([' ', '\t', '\u{c}']);
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        // Join continuation lines: an odd number of trailing backslashes continues.
        let mut logical = String::from(trimmed);
        while ends_with_odd_backslashes(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next.trim_start_matches([' ', '\t', '\u{c}'])),
                None => break,
            }
        }
        let (key, value) = split_key_value(&logical);
        entries.push(Entry {
            key: unescape(&key),
            value: unescape(&value),
            line: index + 1,
        });
    }
    entries
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Splits at the first unescaped `=`, `:` or whitespace; returns raw (still escaped) parts.
fn split_key_value(line: &str) -> (String, String) {
    let mut key = String::new();
    let mut chars = line.char_indices().peekable();
    let mut rest_start = line.len();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                key.push(c);
                if let Some((_, n)) = chars.next() {
                    key.push(n);
                }
            }
            '=' | ':' => {
                rest_start = i + 1;
                break;
            }
            ' ' | '\t' | '\u{c}' => {
                // Whitespace ends the key; an `=` or `:` may still follow.
                let after = line[i..].trim_start_matches([' ', '\t', '\u{c}']);
                let skip = line.len() - after.len();
                rest_start = if after.starts_with('=') || after.starts_with(':') {
                    skip + 1
                } else {
                    skip
                };
                break;
            }
            _ => key.push(c),
        }
    }
    let value = line
        .get(rest_start..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t', '\u{c}']);
    (key, value.to_string())
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
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
        let got = kv("# c\n! c\na=1\nb : 2\nc 3\n\n  d=  4 \r\ne\n");
        assert_eq!(
            got,
            vec![
                ("a".into(), "1".into(), 3),
                ("b".into(), "2".into(), 4),
                ("c".into(), "3".into(), 5),
                ("d".into(), "4 ".into(), 7),
                ("e".into(), "".into(), 8),
            ]
        );
    }

    #[test]
    fn continuation_and_escapes() {
        let got = kv("list=a,\\\n    b,\\\r  c\nx\\:y=\\u00e9\\t\nz=ends\\\\\n");
        assert_eq!(got[0], ("list".into(), "a,b,c".into(), 1));
        assert_eq!(got[1], ("x:y".into(), "é\t".into(), 4));
        assert_eq!(got[2], ("z".into(), "ends\\".into(), 5));
    }

    #[test]
    fn garbage_never_panics() {
        for s in ["\\", "=", ":", "\\u12", "a\\", "\u{feff}k=v", "é=ü\\"] {
            let _ = parse(s);
        }
    }
}
