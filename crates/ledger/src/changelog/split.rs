//! Splitting a change's SQL into statements, and stripping comments, for execution.
//!
//! Checksums never depend on this (they hash the text as written), so this module is about
//! running the same statements Liquibase runs. Liquibase tokenises the SQL and splits on:
//! `;` outside quotes and comments; a `GO` or `/` token at the start of a line; or, with
//! `endDelimiter`, that delimiter (a regular expression when longer than one char, matched
//! case-insensitively). It knows single- and double-quoted strings and `--` / `/* */` comments,
//! and **not** PostgreSQL dollar quoting: with the default `splitStatements:true` a `$$ ... $$`
//! body is cut at its first `;`, exactly as Liquibase cuts it (users write
//! `splitStatements:false` for functions). Copying that is deliberate: a changelog that works
//! under Liquibase must produce the same statements here.

use regex::Regex;

/// The statements Liquibase executes for `sql`: comments stripped when `strip_comments`, split
/// when `split` (per `end_delimiter`), each trimmed, empty ones dropped.
pub fn statements(
    sql: &str,
    split: bool,
    strip_comments: bool,
    end_delimiter: Option<&str>,
) -> Vec<String> {
    let text = if strip_comments {
        strip(sql)
    } else {
        sql.to_string()
    };
    let mut out = Vec::new();
    if !split {
        push(&mut out, &text);
        return out;
    }
    let delim = Delimiter::new(end_delimiter);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut start = 0usize;
    let mut i = 0usize;
    let mut state = State::Normal;
    while let Some(&(pos, c)) = chars.get(i) {
        let next = chars.get(i + 1).map(|&(_, n)| n);
        match state {
            State::Single => {
                if c == '\'' {
                    state = State::Normal;
                }
                i += 1;
            }
            State::Double => {
                if c == '"' {
                    state = State::Normal;
                }
                i += 1;
            }
            State::Line => {
                if c == '\n' || c == '\r' {
                    state = State::Normal;
                }
                i += 1;
            }
            State::Block => {
                if c == '*' && next == Some('/') {
                    state = State::Normal;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            State::Normal => {
                if let Some(len) = delim.at(&text, pos) {
                    push(&mut out, &text[start..pos]);
                    start = pos + len;
                    // Skip the chars the delimiter covered.
                    while chars.get(i).is_some_and(|&(p, _)| p < start) {
                        i += 1;
                    }
                    continue;
                }
                match (c, next) {
                    ('\'', _) => state = State::Single,
                    ('"', _) => state = State::Double,
                    ('-', Some('-')) => state = State::Line,
                    ('/', Some('*')) => {
                        state = State::Block;
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }
    push(&mut out, &text[start.min(text.len())..]);
    out
}

#[derive(Clone, Copy)]
enum State {
    Normal,
    Single,
    Double,
    Line,
    Block,
}

fn push(out: &mut Vec<String>, s: &str) {
    let t = super::java::trim(s);
    if !t.is_empty() {
        out.push(t.to_string());
    }
}

enum Delimiter {
    /// Default: `;`, or `GO` / `/` alone at the start of a line.
    Default,
    /// A one-char delimiter (`/` only at the start of a line).
    Char(char),
    /// A longer delimiter: a case-insensitive regular expression.
    Pattern(Regex),
}

impl Delimiter {
    fn new(end_delimiter: Option<&str>) -> Delimiter {
        match end_delimiter {
            None | Some("") => Delimiter::Default,
            Some(d) if d.chars().count() == 1 => Delimiter::Char(d.chars().next().unwrap_or(';')),
            Some("\n/$") => Delimiter::Char('/'),
            Some(d) => {
                let re = Regex::new(&format!(r"(?im)\A(?:{d})"))
                    .or_else(|_| Regex::new(&format!(r"(?i)\A(?:{})", regex::escape(d))));
                match re {
                    Ok(re) => Delimiter::Pattern(re),
                    Err(_) => Delimiter::Default,
                }
            }
        }
    }

    /// Length in bytes of a delimiter starting at `pos`, if one does.
    fn at(&self, text: &str, pos: usize) -> Option<usize> {
        let rest = &text[pos..];
        let line_start = text[..pos]
            .chars()
            .rev()
            .take_while(|&c| c != '\n' && c != '\r')
            .all(|c| c == ' ' || c == '\t');
        let word_end = |len: usize| {
            !rest[len..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        };
        match self {
            Delimiter::Default => {
                if rest.starts_with(';') {
                    return Some(1);
                }
                if line_start {
                    if rest.len() >= 2
                        && rest.is_char_boundary(2)
                        && rest[..2].eq_ignore_ascii_case("go")
                        && word_end(2)
                    {
                        return Some(2);
                    }
                    if rest.starts_with('/') && !rest.starts_with("/*") && word_end(1) {
                        return Some(1);
                    }
                }
                None
            }
            Delimiter::Char(d) => {
                let c = rest.chars().next()?;
                if *d == '/' && !line_start {
                    return None;
                }
                let same = c == *d || c.to_lowercase().eq(d.to_lowercase());
                same.then_some(c.len_utf8())
            }
            Delimiter::Pattern(re) => {
                let prev_word = text[..pos]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                let m = re.find(rest)?;
                let len = m.end();
                if len == 0 {
                    return None;
                }
                let starts_word = rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                let ends_word = rest[..len]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if (starts_word && prev_word) || (ends_word && !word_end(len)) {
                    return None;
                }
                Some(len)
            }
        }
    }
}

/// Removes `--` line comments and `/* */` block comments outside quoted strings (the line
/// terminator after a line comment is kept).
pub fn strip(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut state = State::Normal;
    while let Some(c) = chars.next() {
        match state {
            State::Single => {
                out.push(c);
                if c == '\'' {
                    state = State::Normal;
                }
            }
            State::Double => {
                out.push(c);
                if c == '"' {
                    state = State::Normal;
                }
            }
            State::Line => {
                if c == '\n' || c == '\r' {
                    out.push(c);
                    state = State::Normal;
                }
            }
            State::Block => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    state = State::Normal;
                }
            }
            State::Normal => match (c, chars.peek()) {
                ('\'', _) => {
                    out.push(c);
                    state = State::Single;
                }
                ('"', _) => {
                    out.push(c);
                    state = State::Double;
                }
                ('-', Some('-')) => {
                    chars.next();
                    state = State::Line;
                }
                ('/', Some('*')) => {
                    chars.next();
                    state = State::Block;
                }
                _ => out.push(c),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_outside_quotes_and_comments() {
        assert_eq!(
            statements(
                "CREATE TABLE a (x INT); INSERT INTO a VALUES (1);INSERT INTO a VALUES (2);",
                true,
                true,
                None
            ),
            [
                "CREATE TABLE a (x INT)",
                "INSERT INTO a VALUES (1)",
                "INSERT INTO a VALUES (2)"
            ]
        );
        assert_eq!(
            statements(
                "INSERT INTO a VALUES ('x;y'); SELECT \"a;b\" FROM t",
                true,
                false,
                None
            ),
            ["INSERT INTO a VALUES ('x;y')", "SELECT \"a;b\" FROM t"]
        );
        assert_eq!(
            statements("SELECT 1 -- a; b\n; /* c; */ SELECT 2", true, false, None),
            ["SELECT 1 -- a; b", "/* c; */ SELECT 2"]
        );
    }

    #[test]
    fn comments_are_stripped_when_asked() {
        assert_eq!(
            statements(
                "-- comment\nCREATE TABLE k1 (id INT); /* x */",
                true,
                true,
                None
            ),
            ["CREATE TABLE k1 (id INT)"]
        );
        assert_eq!(
            statements("-- comment\nCREATE TABLE k2 (id INT);", true, false, None),
            ["-- comment\nCREATE TABLE k2 (id INT)"]
        );
        assert_eq!(strip("a '--x' -- y\nb /* z */ c"), "a '--x' \nb  c");
    }

    #[test]
    fn go_and_slash_lines() {
        assert_eq!(
            statements(
                "CREATE TABLE d1 (id INT)\nGO\nINSERT INTO d1 VALUES (1)\ngo\n",
                true,
                true,
                None
            ),
            ["CREATE TABLE d1 (id INT)", "INSERT INTO d1 VALUES (1)"]
        );
        assert_eq!(
            statements("SELECT 4 / 2\n/\n", true, true, None),
            ["SELECT 4 / 2"]
        );
        assert_eq!(
            statements("SELECT good FROM t", true, true, None),
            ["SELECT good FROM t"]
        );
    }

    #[test]
    fn end_delimiters() {
        assert_eq!(
            statements(
                "CREATE TABLE d1 (id INT)\nGO\nINSERT INTO d1 VALUES (1)\nGO",
                true,
                true,
                Some("GO")
            ),
            ["CREATE TABLE d1 (id INT)", "INSERT INTO d1 VALUES (1)"]
        );
        assert_eq!(
            statements("CREATE TABLE d2 (id INT)$$", true, true, Some("\\$\\$")),
            ["CREATE TABLE d2 (id INT)"]
        );
        assert_eq!(statements("a; b", true, true, Some("\\$\\$")), ["a; b"]);
        assert_eq!(
            statements("BEGIN x; END;\n/\nSELECT 1", true, true, Some("\n/$")),
            ["BEGIN x; END;", "SELECT 1"]
        );
        assert_eq!(statements("a;b", false, true, None), ["a;b"]);
        // A bad regex is taken literally.
        assert_eq!(statements("a(b", true, true, Some("(")), ["a", "b"]);
        assert_eq!(statements("a[[b", true, true, Some("[[")), ["a", "b"]);
    }

    #[test]
    fn dollar_quotes_are_not_special() {
        let f = "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;";
        assert_eq!(statements(f, true, true, None).len(), 3);
        assert_eq!(statements(f, false, true, None).len(), 1);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "", ";", "'", "\"", "/*", "--", "é;ü", "go", "\n/\n", "$$é$$",
        ] {
            for d in [None, Some("é"), Some("$$"), Some("GO"), Some("(")] {
                let _ = statements(s, true, true, d);
                let _ = statements(s, true, false, d);
            }
        }
    }
}
