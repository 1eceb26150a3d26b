//! Per-script configuration: `V2__x.sql.conf` beside `V2__x.sql` (reference §9).
//!
//! Flyway 13 has no in-script directives; a `.conf` file is how a team says "run this one outside
//! a transaction" or "this file is Latin-1". Unknown keys are an error, as in Flyway, so a typo
//! cannot silently change how a migration runs.

use crate::placeholder::Placeholders;
use crate::properties;

/// Settings from a `.sql.conf` file; `None` means "not set here, use the global setting".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptConfig {
    /// `executeInTransaction`.
    pub execute_in_transaction: Option<bool>,
    /// `encoding`.
    pub encoding: Option<String>,
    /// `placeholderReplacement`.
    pub placeholder_replacement: Option<bool>,
    /// `shouldExecute` (`true`/`false` only; Flyway Teams' expressions are not supported).
    pub should_execute: Option<bool>,
}

/// A `.sql.conf` file is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ScriptConfigError {
    /// 1-based line in the `.conf` file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl ScriptConfig {
    /// Parses a `.conf` file. Placeholders in values are replaced first when given.
    pub fn parse(
        text: &str,
        placeholders: Option<&Placeholders>,
    ) -> Result<ScriptConfig, ScriptConfigError> {
        let mut config = ScriptConfig::default();
        for entry in properties::parse(text) {
            let value = match placeholders {
                Some(p) => p.replace(&entry.value).map_err(|e| ScriptConfigError {
                    line: entry.line,
                    message: e.to_string(),
                })?,
                None => entry.value.clone(),
            };
            let value = value.trim();
            let line = entry.line;
            let boolean = |key: &str| -> Result<bool, ScriptConfigError> {
                match value.to_ascii_lowercase().as_str() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(ScriptConfigError {
                        line,
                        message: format!(
                            "Invalid value for {key} (should be either true or false): '{value}'"
                        ),
                    }),
                }
            };
            match entry.key.as_str() {
                "executeInTransaction" => {
                    config.execute_in_transaction = Some(boolean("executeInTransaction")?)
                }
                "placeholderReplacement" => {
                    config.placeholder_replacement = Some(boolean("placeholderReplacement")?)
                }
                "encoding" => config.encoding = Some(value.to_string()),
                "shouldExecute" => {
                    config.should_execute = Some(boolean("shouldExecute").map_err(|mut e| {
                        e.message.push_str(
                            " (tidemark supports true and false, not Flyway Teams expressions)",
                        );
                        e
                    })?)
                }
                other => {
                    return Err(ScriptConfigError {
                        line,
                        message: format!(
                            "Unknown script configuration property '{other}' (known: executeInTransaction, encoding, placeholderReplacement, shouldExecute)"
                        ),
                    });
                }
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_keys() {
        let c = ScriptConfig::parse(
            "# comment\nexecuteInTransaction=false\nencoding=ISO-8859-1\nplaceholderReplacement = FALSE\n",
            None,
        )
        .unwrap();
        assert_eq!(c.execute_in_transaction, Some(false));
        assert_eq!(c.encoding.as_deref(), Some("ISO-8859-1"));
        assert_eq!(c.placeholder_replacement, Some(false));
    }

    #[test]
    fn unknown_key_names_the_line() {
        let e =
            ScriptConfig::parse("encoding=UTF-8\nexecuteInTransation=false\n", None).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("executeInTransation"), "{}", e.message);
    }

    #[test]
    fn bad_boolean_is_an_error() {
        let e = ScriptConfig::parse("executeInTransaction=yes", None).unwrap_err();
        assert!(e.message.contains("should be either true or false"));
    }
}
