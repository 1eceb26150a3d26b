//! Java string semantics that Liquibase's behaviour depends on.
//!
//! Liquibase is written in Java, and its parsing rules are Java regular expressions and `String`
//! methods. Where the Rust standard library means something else (`str::trim` also strips
//! Unicode spaces, `regex`'s `.` matches U+2028, `(?i)` folds the Kelvin sign), the difference
//! would change which line is a directive and so the checksum. Everything here copies the Java
//! meaning, and every parser in this module uses these helpers rather than the Rust ones.

/// Java's `String.trim`: removes every char up to U+0020 at both ends.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Commons' `StringUtil.trimToNull`: [`trim`], and `None` when nothing is left.
pub fn trim_to_none(s: &str) -> Option<&str> {
    let t = trim(s);
    (!t.is_empty()).then_some(t)
}

/// Java's `Boolean.parseBoolean`: only `true`, in any case, is true.
pub fn parse_boolean(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// Java's `String.equalsIgnoreCase`: char by char, equal when equal after upper- or lower-casing
/// (simple, one-char case mappings only, as `Character.toUpperCase(char)` does).
pub fn equals_ignore_case(a: &str, b: &str) -> bool {
    let mut x = a.chars();
    let mut y = b.chars();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) => {
                if c != d
                    && simple_upper(c) != simple_upper(d)
                    && simple_lower(c) != simple_lower(d)
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

fn simple_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn simple_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Whether a char is one of Java's regex line terminators, which `.` does not match (without
/// `DOTALL`): `\n`, `\r`, U+0085, U+2028, U+2029.
pub fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Java regex building blocks, spelled for the `regex` crate with Java's default (non-Unicode)
/// meaning. Use them when translating a Java pattern.
pub mod re {
    /// Java's `.` without `DOTALL`.
    pub const DOT: &str = r"[^\n\r\x{85}\x{2028}\x{2029}]";
    /// Java's `\s` (ASCII only).
    pub const WS: &str = r"[ \t\n\x0B\x0C\r]";
    /// Java's `\S`.
    pub const NON_WS: &str = r"[^ \t\n\x0B\x0C\r]";
    /// Java's `\w` (ASCII only).
    pub const WORD: &str = r"[a-zA-Z0-9_]";
}

/// Compiles a Java-flavoured pattern written with the placeholders `{.}`, `{s}`, `{S}` and `{w}`
/// (see [`re`]) as a whole-string match, the way `Matcher.matches()` uses it. Keywords that Java
/// matches with `CASE_INSENSITIVE` (ASCII-only) should be wrapped in `(?i-u:...)` by the caller.
///
/// Panics only on a bad pattern literal in this crate, which the unit tests exercise.
pub fn whole(pattern: &str) -> regex::Regex {
    let expanded = pattern
        .replace("{.}", re::DOT)
        .replace("{s}", re::WS)
        .replace("{S}", re::NON_WS)
        .replace("{w}", re::WORD);
    #[allow(clippy::expect_used)]
    regex::Regex::new(&format!(r"\A(?:{expanded})\z")).expect("valid built-in pattern")
}

/// Java's `String.split(regex)`: pieces between matches, trailing empty pieces removed; no match
/// gives the whole input. (Java 8+ also drops a leading empty piece for a zero-width match at 0,
/// which the patterns used here cannot produce.)
pub fn split<'a>(re: &regex::Regex, s: &'a str) -> Vec<&'a str> {
    let mut parts: Vec<&str> = re.split(s).collect();
    if parts.len() == 1 {
        return parts;
    }
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// Java's `String.toLowerCase()` (full Unicode mapping, as in the root locale).
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_javas() {
        assert_eq!(trim(" \t\u{b}\u{c}\r\n a \u{1f}"), "a");
        assert_eq!(trim("\u{a0}a\u{2003}"), "\u{a0}a\u{2003}");
        assert_eq!(trim_to_none("  "), None);
        assert_eq!(trim_to_none(" x "), Some("x"));
    }

    #[test]
    fn booleans_are_javas() {
        assert!(parse_boolean("TRUE"));
        assert!(parse_boolean("true"));
        assert!(!parse_boolean("yes"));
        assert!(!parse_boolean(" true"));
        assert!(!parse_boolean(""));
    }

    #[test]
    fn equals_ignore_case_is_javas() {
        assert!(equals_ignore_case("Alice", "aLICE"));
        assert!(equals_ignore_case("Élise", "élise"));
        assert!(!equals_ignore_case("a", "ab"));
        // No multi-char folding: ß is not SS.
        assert!(!equals_ignore_case("ß", "SS"));
    }

    #[test]
    fn patterns_follow_java_classes() {
        let p = whole(r"{s}*--{s}*(?i-u:changeset){s}+({.}*)");
        assert!(p.is_match("--changeset a:1"));
        assert!(p.is_match(" --\tCHANGESET a:1"));
        // NBSP is not Java whitespace; U+2028 is not matched by `.`.
        assert!(!p.is_match("--\u{a0}changeset a:1"));
        assert!(!p.is_match("--changeset a:1\u{2028}"));
        // ASCII-only case folding: the Kelvin sign is not K.
        let k = whole("(?i-u:k)");
        assert!(k.is_match("K"));
        assert!(!k.is_match("\u{212a}"));
    }

    #[test]
    fn split_drops_trailing_empties() {
        let re = regex::Regex::new(r"\s+or\s+").unwrap();
        assert_eq!(split(&re, "a or b"), ["a", "b"]);
        assert_eq!(split(&re, "a"), ["a"]);
        assert_eq!(split(&re, ""), [""]);
        let comma = regex::Regex::new(",").unwrap();
        assert_eq!(split(&comma, "a,b,,"), ["a", "b"]);
        assert_eq!(split(&comma, ",a"), ["", "a"]);
        assert!(split(&comma, ",,").is_empty());
    }
}
