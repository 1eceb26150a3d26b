//! Flyway placeholders: `${name}` replaced in the whole script text (reference §7).
//!
//! The reader's quirks are copied exactly because repeatable migrations are checksummed after
//! replacement: a name runs to the first suffix, `$${x}` is not replaced, names are
//! case-insensitive, an unknown name is an error.

use std::collections::BTreeMap;

/// Prefix, suffix and separator of placeholders (`${`, `}`, `:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syntax {
    /// `placeholderPrefix`, default `${`.
    pub prefix: String,
    /// `placeholderSuffix`, default `}`.
    pub suffix: String,
    /// `placeholderSeparator`, default `:` (as in `flyway:filename`).
    pub separator: String,
}

impl Default for Syntax {
    fn default() -> Self {
        Syntax {
            prefix: "${".into(),
            suffix: "}".into(),
            separator: ":".into(),
        }
    }
}

/// Placeholder values, user-defined and built-in (`flyway:filename`, ...), looked up
/// case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// The syntax in force.
    pub syntax: Syntax,
    values: BTreeMap<String, String>,
}

/// A placeholder could not be replaced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlaceholderError {
    /// Flyway: `No value provided for placeholder: ${name}.  Check your configuration!`
    #[error(
        "No value provided for placeholder: {prefix}{name}{suffix}.  Check your configuration!"
    )]
    Missing {
        /// Placeholder name as written.
        name: String,
        /// Prefix in force.
        prefix: String,
        /// Suffix in force.
        suffix: String,
        /// 1-based line of the placeholder.
        line: usize,
    },
    /// Flyway: `Failed to populate value for default placeholder: ${flyway:x}`
    #[error("Failed to populate value for default placeholder: {prefix}{name}{suffix}")]
    UnknownBuiltIn {
        /// Placeholder name as written (`flyway:x`).
        name: String,
        /// Prefix in force.
        prefix: String,
        /// Suffix in force.
        suffix: String,
        /// 1-based line of the placeholder.
        line: usize,
    },
    /// A prefix without a suffix before the end of the text.
    #[error("Incomplete placeholder: missing '{suffix}' after '{prefix}' at line {line}")]
    Unterminated {
        /// Prefix in force.
        prefix: String,
        /// Suffix in force.
        suffix: String,
        /// 1-based line of the prefix.
        line: usize,
    },
}

impl Placeholders {
    /// An empty set with the given syntax.
    pub fn new(syntax: Syntax) -> Self {
        Placeholders {
            syntax,
            values: BTreeMap::new(),
        }
    }

    /// Sets a value (name matched case-insensitively). Built-ins use their full name, e.g.
    /// `flyway:filename`.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_lowercase(), value.into());
    }

    /// The value of `name`, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(&name.to_lowercase()).map(String::as_str)
    }

    /// Replaces every placeholder in `text` (Flyway's `PlaceholderReplacingReader`).
    ///
    /// The reader is copied step by step:
    /// - it reads characters while they still spell the start of the prefix; at the first
    ///   character that does not, everything read so far (that character included) is output
    ///   unchanged and scanning restarts after it, so `$${x}` is left alone;
    /// - after a whole prefix, the name is everything up to the FIRST suffix, spaces and line
    ///   breaks included (`${ a }` looks up ` a `); no suffix before the end is
    ///   [`PlaceholderError::Unterminated`];
    /// - the value is looked up case-insensitively and output as is (never rescanned); an empty
    ///   value removes the placeholder; an unknown name is an error.
    ///
    /// An empty prefix or suffix turns replacement off (the text is returned unchanged): Flyway's
    /// reader would swallow characters with such settings, and the configuration layer is the
    /// place to refuse them.
    pub fn replace(&self, text: &str) -> Result<String, PlaceholderError> {
        if !self.may_occur_in(text) {
            return Ok(text.to_string());
        }
        let prefix = self.syntax.prefix.as_str();
        let suffix = self.syntax.suffix.as_str();
        let Some(first) = prefix.chars().next() else {
            return Ok(text.to_string());
        };
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        while let Some(rest) = text.get(pos..).filter(|r| !r.is_empty()) {
            // Up to the next character that could start the prefix, nothing can be replaced.
            let skip = rest.find(first).unwrap_or(rest.len());
            if skip > 0 {
                out.push_str(&rest[..skip]);
                pos += skip;
                continue;
            }
            match scan_prefix(rest, prefix) {
                PrefixScan::Partial(read) => {
                    out.push_str(rest.get(..read).unwrap_or(rest));
                    pos += read.max(1);
                }
                PrefixScan::Whole => {
                    let after_prefix = rest.get(prefix.len()..).unwrap_or_default();
                    let Some(name_len) = after_prefix.find(suffix) else {
                        return Err(PlaceholderError::Unterminated {
                            prefix: prefix.to_string(),
                            suffix: suffix.to_string(),
                            line: crate::text::line_at(text, pos),
                        });
                    };
                    let name = after_prefix.get(..name_len).unwrap_or_default();
                    match self.get(name) {
                        Some(value) => out.push_str(value),
                        None => return Err(self.unknown(name, crate::text::line_at(text, pos))),
                    }
                    pos += prefix.len() + name_len + suffix.len();
                }
            }
        }
        Ok(out)
    }

    /// Whether `text` may hold a placeholder (it contains the prefix): when not, replacing
    /// returns the text unchanged and need not be attempted.
    pub fn may_occur_in(&self, text: &str) -> bool {
        !self.syntax.prefix.is_empty()
            && !self.syntax.suffix.is_empty()
            && text.contains(self.syntax.prefix.as_str())
    }

    /// The error for a name without a value: built-in namespaces get Flyway's "default
    /// placeholder" message, anything else the "no value provided" one.
    fn unknown(&self, name: &str, line: usize) -> PlaceholderError {
        let lower = name.to_lowercase();
        let separator = self.syntax.separator.to_lowercase();
        let built_in = ["flyway", "tidemark"].iter().any(|namespace| {
            lower
                .strip_prefix(namespace)
                .is_some_and(|r| r.starts_with(separator.as_str()))
        });
        let name = name.to_string();
        let prefix = self.syntax.prefix.clone();
        let suffix = self.syntax.suffix.clone();
        if built_in {
            PlaceholderError::UnknownBuiltIn {
                name,
                prefix,
                suffix,
                line,
            }
        } else {
            PlaceholderError::Missing {
                name,
                prefix,
                suffix,
                line,
            }
        }
    }
}

/// What the reader saw at one position.
enum PrefixScan {
    /// The whole prefix.
    Whole,
    /// Not the prefix: this many bytes (the matching start plus the first character that did not
    /// match, or up to the end of the text) are output unchanged, without looking at them again.
    Partial(usize),
}

/// Reads characters of `rest` while they still spell the start of `prefix` (non-empty).
fn scan_prefix(rest: &str, prefix: &str) -> PrefixScan {
    let mut read = 0;
    let mut chars = rest.chars();
    for wanted in prefix.chars() {
        match chars.next() {
            None => return PrefixScan::Partial(read),
            Some(c) => {
                read += c.len_utf8();
                if c != wanted {
                    return PrefixScan::Partial(read);
                }
            }
        }
    }
    PrefixScan::Whole
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Placeholders {
        let mut p = Placeholders::default();
        for (k, v) in pairs {
            p.set(k, *v);
        }
        p
    }

    fn replace(pairs: &[(&str, &str)], text: &str) -> Result<String, PlaceholderError> {
        with(pairs).replace(text)
    }

    #[test]
    fn replaces_everywhere() {
        let p = [("x", "1"), ("schema", "app")];
        assert_eq!(replace(&p, "${x}").unwrap(), "1");
        assert_eq!(
            replace(
                &p,
                "CREATE TABLE ${schema}.t; -- ${x}\n'${x}' /* ${schema} */"
            )
            .unwrap(),
            "CREATE TABLE app.t; -- 1\n'1' /* app */"
        );
        assert_eq!(replace(&p, "${x}${x}").unwrap(), "11");
        assert_eq!(
            replace(&p, "no placeholders here").unwrap(),
            "no placeholders here"
        );
        assert_eq!(replace(&p, "").unwrap(), "");
    }

    #[test]
    fn names_are_case_insensitive() {
        let p = [("Greeting", "hello")];
        assert_eq!(
            replace(&p, "${greeting} ${GREETING} ${GrEeTiNg}").unwrap(),
            "hello hello hello"
        );
        let mut ph = Placeholders::default();
        ph.set("FLYWAY:FileName", "R__x.sql");
        assert_eq!(ph.replace("${flyway:filename}").unwrap(), "R__x.sql");
    }

    #[test]
    fn empty_value_removes_the_placeholder() {
        assert_eq!(replace(&[("e", "")], "a${e}b").unwrap(), "ab");
        assert_eq!(replace(&[("e", "")], "${e}").unwrap(), "");
    }

    #[test]
    fn values_are_not_rescanned() {
        assert_eq!(replace(&[("a", "${b}")], "${a}").unwrap(), "${b}");
        assert_eq!(
            replace(&[("a", "$"), ("b", "B")], "${a}{b}").unwrap(),
            "${b}"
        );
    }

    #[test]
    fn partial_prefix_is_emitted_without_rescanning() {
        let p = [("x", "1")];
        assert_eq!(replace(&p, "$${x}").unwrap(), "$${x}");
        assert_eq!(replace(&p, "a$${x}b").unwrap(), "a$${x}b");
        // After `$$` is emitted, a third `$` starts a fresh scan.
        assert_eq!(replace(&p, "$$${x}").unwrap(), "$$1");
        assert_eq!(replace(&p, "$$$${x}").unwrap(), "$$$${x}");
        assert_eq!(replace(&p, "$ {x}").unwrap(), "$ {x}");
        assert_eq!(replace(&p, "{x}").unwrap(), "{x}");
        assert_eq!(replace(&p, "price: 5$").unwrap(), "price: 5$");
        assert_eq!(replace(&p, "$").unwrap(), "$");
        // A lone suffix is just text.
        assert_eq!(replace(&p, "} ${x} }").unwrap(), "} 1 }");
    }

    #[test]
    fn name_runs_to_the_first_suffix() {
        assert_eq!(replace(&[(" a ", "A")], "${ a }").unwrap(), "A");
        assert_eq!(replace(&[("a\nb", "AB")], "${a\nb}").unwrap(), "AB");
        assert_eq!(replace(&[("a${b", "X")], "${a${b}}").unwrap(), "X}");
        match replace(&[("a", "1")], "${ a }") {
            Err(PlaceholderError::Missing { name, line: 1, .. }) => assert_eq!(name, " a "),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_fixture_line() {
        let p = [
            ("greeting", "hello"),
            ("flyway:filename", "R__placeholders.sql"),
        ];
        assert_eq!(
            replace(&p, "SELECT '${greeting}' AS g, '${flyway:filename}' AS f; -- $${greeting} ${GREETING}\n")
                .unwrap(),
            "SELECT 'hello' AS g, 'R__placeholders.sql' AS f; -- $${greeting} hello\n"
        );
    }

    #[test]
    fn unknown_names() {
        let err = replace(&[], "SELECT 1;\n-- ${nope}").unwrap_err();
        assert_eq!(
            err,
            PlaceholderError::Missing {
                name: "nope".into(),
                prefix: "${".into(),
                suffix: "}".into(),
                line: 2,
            }
        );
        assert_eq!(
            err.to_string(),
            "No value provided for placeholder: ${nope}.  Check your configuration!"
        );

        let err = replace(&[], "a\r\nb\rc ${flyway:x}").unwrap_err();
        assert_eq!(
            err,
            PlaceholderError::UnknownBuiltIn {
                name: "flyway:x".into(),
                prefix: "${".into(),
                suffix: "}".into(),
                line: 3,
            }
        );
        assert_eq!(
            err.to_string(),
            "Failed to populate value for default placeholder: ${flyway:x}"
        );
        for name in [
            "FLYWAY:timestamp",
            "Flyway:user",
            "tidemark:run",
            "TIDEMARK:x",
            "flyway:",
        ] {
            assert!(
                matches!(
                    replace(&[], &format!("${{{name}}}")),
                    Err(PlaceholderError::UnknownBuiltIn { .. })
                ),
                "{name}"
            );
        }
        for name in [
            "flyway",
            "flywayx",
            "my:flyway:x",
            " flyway:x",
            "tidemarks:x",
            "",
        ] {
            assert!(
                matches!(
                    replace(&[], &format!("${{{name}}}")),
                    Err(PlaceholderError::Missing { .. })
                ),
                "{name:?}"
            );
        }
    }

    #[test]
    fn unterminated_prefix_is_an_error() {
        let err = replace(&[("x", "1")], "${x}\n\n${x").unwrap_err();
        assert_eq!(
            err,
            PlaceholderError::Unterminated {
                prefix: "${".into(),
                suffix: "}".into(),
                line: 3
            }
        );
        assert!(matches!(
            replace(&[], "${"),
            Err(PlaceholderError::Unterminated { line: 1, .. })
        ));
        // The line is the prefix's, even when the text runs on.
        assert!(matches!(
            replace(&[], "a\n${never closed\n\n"),
            Err(PlaceholderError::Unterminated { line: 2, .. })
        ));
    }

    #[test]
    fn custom_syntax() {
        let mut p = Placeholders::new(Syntax {
            prefix: "#[".into(),
            suffix: "]]".into(),
            separator: "/".into(),
        });
        p.set("a", "A");
        assert_eq!(p.replace("#[a]] ${a} #[a]]").unwrap(), "A ${a} A");
        // The first suffix ends the name: `#[x]]]` is `x` followed by a plain `]`.
        p.set("x", "X");
        p.set("x]", "never");
        assert_eq!(p.replace("#[x]]]").unwrap(), "X]");
        assert!(matches!(
            p.replace("#[flyway/x]]"),
            Err(PlaceholderError::UnknownBuiltIn { .. })
        ));
        assert!(matches!(
            p.replace("#[flyway:x]]"),
            Err(PlaceholderError::Missing { .. })
        ));
        // `##` is a partial match emitted whole, so the `#[` inside it is never seen.
        assert_eq!(p.replace("##[a]]").unwrap(), "##[a]]");
        assert_eq!(p.replace("#x#[a]]").unwrap(), "#xA");
        assert_eq!(p.replace("#a]]").unwrap(), "#a]]");
    }

    #[test]
    fn multi_char_prefix_partial_matches() {
        let mut p = Placeholders::new(Syntax {
            prefix: "<<<".into(),
            suffix: ">".into(),
            separator: ":".into(),
        });
        p.set("x", "1");
        assert_eq!(p.replace("<<<x>").unwrap(), "1");
        // `<<<<x>` reads a whole prefix first, so the name is `<x`.
        assert!(matches!(
            p.replace("<<<<x>"),
            Err(PlaceholderError::Missing { .. })
        ));
        // `<<a` is emitted whole, then scanning resumes.
        assert_eq!(p.replace("<<a<<<x>").unwrap(), "<<a1");
        assert_eq!(p.replace("<<").unwrap(), "<<");
    }

    #[test]
    fn non_ascii_text() {
        let mut p = Placeholders::new(Syntax {
            prefix: "«".into(),
            suffix: "»".into(),
            separator: "∷".into(),
        });
        p.set("名前", "値");
        assert_eq!(p.replace("é «名前» ü «名前»").unwrap(), "é 値 ü 値");
        assert!(matches!(
            p.replace("«flyway∷x»"),
            Err(PlaceholderError::UnknownBuiltIn { .. })
        ));
        assert!(matches!(
            p.replace("x\n«"),
            Err(PlaceholderError::Unterminated { line: 2, .. })
        ));
        let d = with(&[("é", "E")]);
        assert_eq!(d.replace("日本${é}😀$😀${é}").unwrap(), "日本E😀$😀E");
    }

    #[test]
    fn empty_prefix_or_suffix_disables_replacement() {
        let p = Placeholders::new(Syntax {
            prefix: String::new(),
            suffix: "}".into(),
            separator: ":".into(),
        });
        assert_eq!(p.replace("a}b").unwrap(), "a}b");
        let p = Placeholders::new(Syntax {
            prefix: "${".into(),
            suffix: String::new(),
            separator: ":".into(),
        });
        assert_eq!(p.replace("${x}").unwrap(), "${x}");
    }

    #[test]
    fn never_panics() {
        let samples = [
            "",
            "$",
            "${",
            "${}",
            "$${",
            "${${",
            "}}}",
            "é${",
            "${é",
            "😀$😀{😀}",
            "\r\n${\r",
        ];
        for syntax in [
            Syntax::default(),
            Syntax {
                prefix: "😀".into(),
                suffix: "😀".into(),
                separator: "😀".into(),
            },
            Syntax {
                prefix: "$".into(),
                suffix: "$".into(),
                separator: String::new(),
            },
        ] {
            let mut p = Placeholders::new(syntax);
            p.set("", "empty-name");
            for s in samples {
                let _ = p.replace(s);
            }
        }
        assert_eq!(replace(&[("", "E")], "${}").unwrap(), "E");
    }
    /// A literal port of Java's `PlaceholderReplacingReader.read()` over chars, used as an oracle.
    /// `Err(())` stands for any failure (unknown name, or end of text inside a placeholder).
    fn java_reader(p: &Placeholders, text: &str) -> Result<String, ()> {
        let input: Vec<char> = text.chars().collect();
        let prefix: Vec<char> = p.syntax.prefix.chars().collect();
        let suffix: Vec<char> = p.syntax.suffix.chars().collect();
        let mut next = 0;
        let mut buffer = std::collections::VecDeque::new();
        let mut out = String::new();
        loop {
            if let Some(c) = buffer.pop_front() {
                out.push(c);
                continue;
            }
            while let Some(&c) = input.get(next) {
                next += 1;
                buffer.push_back(c);
                let read: Vec<char> = buffer.iter().copied().collect();
                if !(read.len() < prefix.len() && prefix.starts_with(&read)) {
                    break;
                }
            }
            if buffer.iter().copied().ne(prefix.iter().copied()) {
                match buffer.pop_front() {
                    Some(c) => {
                        out.push(c);
                        continue;
                    }
                    None => return Ok(out),
                }
            }
            buffer.clear();
            let mut name = Vec::new();
            loop {
                let c = *input.get(next).ok_or(())?;
                next += 1;
                name.push(c);
                if name.ends_with(&suffix) {
                    break;
                }
            }
            name.truncate(name.len() - suffix.len());
            let name: String = name.into_iter().collect();
            out.push_str(p.get(&name).ok_or(())?);
        }
    }

    #[test]
    fn agrees_with_a_port_of_the_java_reader() {
        let alphabet = [
            '$', '{', '}', 'a', 'b', '<', '>', 'é', '😀', '\n', '\r', ' ',
        ];
        let syntaxes = [
            ("${", "}"),
            ("$", "$"),
            ("$$", "$$"),
            ("<<<", ">"),
            ("ab", "ba"),
            ("é😀", "😀"),
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut random = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for (prefix, suffix) in syntaxes {
            let mut p = Placeholders::new(Syntax {
                prefix: prefix.into(),
                suffix: suffix.into(),
                separator: ":".into(),
            });
            for name in ["a", "b", "ab", "A B", "", "é", "{a", "a\nb"] {
                p.set(name, format!("<{name}>"));
            }
            p.set("bb", "");
            for _ in 0..3000 {
                let len = random(14);
                let text: String = (0..len).map(|_| alphabet[random(alphabet.len())]).collect();
                let ours = p.replace(&text).map_err(|_| ());
                assert_eq!(
                    ours,
                    java_reader(&p, &text),
                    "{prefix:?} {suffix:?} on {text:?}"
                );
            }
        }
    }
}
