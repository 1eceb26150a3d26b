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
        Syntax { prefix: "${".into(), suffix: "}".into(), separator: ":".into() }
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
    #[error("No value provided for placeholder: {prefix}{name}{suffix}.  Check your configuration!")]
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
        Placeholders { syntax, values: BTreeMap::new() }
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
    pub fn replace(&self, text: &str) -> Result<String, PlaceholderError> {
        let _ = text;
        todo!("helper: placeholder replacement")
    }
}
