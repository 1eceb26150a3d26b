//! One source of settings (the flags, the environment, the config files) as raw text, before
//! any type checking.
//!
//! Why raw: precedence is decided per key across sources first, and only the winning value is
//! parsed, so a bad value in a file that a flag overrides is never an error; and every value
//! keeps its [`Origin`], so an error names the flag, variable or file it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use super::keys::{self, Classified, Key};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, as the user can recognise it (`--out-of-order`).
    Flag(String),
    /// An environment variable (`FLYWAY_OUT_OF_ORDER`).
    Env(String),
    /// A config file, with the line when known (`.conf` files).
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: Option<usize>,
    },
    /// tidemark's built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "command-line flag {flag}"),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::File { path, line: None } => write!(f, "config file {}", path.display()),
            Origin::File {
                path,
                line: Some(line),
            } => write!(f, "config file {}, line {line}", path.display()),
            Origin::Default => f.write_str("built-in default"),
        }
    }
}

/// A value as written: text (flags, environment, `.conf`, TOML scalars) or a TOML array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    /// Text; lists are comma-separated.
    Text(String),
    /// A TOML array.
    List(Vec<String>),
}

impl fmt::Display for RawValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawValue::Text(text) => f.write_str(text),
            RawValue::List(items) => f.write_str(&items.join(",")),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    /// The value as written.
    pub value: RawValue,
    /// Its source.
    pub origin: Origin,
}

impl Raw {
    /// A text value.
    pub fn text(value: impl Into<String>, origin: Origin) -> Raw {
        Raw {
            value: RawValue::Text(value.into()),
            origin,
        }
    }
}

/// What [`Layer::set_dotted`] did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Stored.
    Stored,
    /// Recognised and ignored (a Flyway plugin namespace, or a map tidemark does not use).
    Ignored,
}

/// One source's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// Values by Flyway key ([`Key::name`]).
    pub values: BTreeMap<&'static str, Raw>,
    /// `placeholders.<name>`. Names are case-insensitive: setting `Owner` replaces `owner`.
    pub placeholders: BTreeMap<String, Raw>,
    /// `jdbcProperties.<name>`.
    pub jdbc_properties: BTreeMap<String, Raw>,
    /// Per-environment overrides (`[environments.<name>]` in TOML,
    /// `-environments.<name>.<key>=` on the command line).
    pub environments: BTreeMap<String, Layer>,
}

impl Layer {
    /// Stores a key's value.
    pub fn set(&mut self, key: &'static Key, raw: Raw) {
        self.values.insert(key.name, raw);
    }

    /// Stores a placeholder, replacing any with the same name in another case.
    pub fn set_placeholder(&mut self, name: &str, raw: Raw) {
        self.placeholders
            .retain(|n, _| !n.eq_ignore_ascii_case(name));
        self.placeholders.insert(name.to_string(), raw);
    }

    /// Stores a dotted key as written after `flyway.` or `-`: a table key, `placeholders.X`,
    /// `jdbcProperties.X` or `environments.E.KEY`. `Err(())` for a key nobody knows.
    pub fn set_dotted(
        &mut self,
        name: &str,
        value: RawValue,
        origin: Origin,
    ) -> Result<Applied, ()> {
        match keys::classify(name) {
            Classified::Key(key) => {
                self.set(key, Raw { value, origin });
                Ok(Applied::Stored)
            }
            Classified::Placeholder(placeholder) => {
                self.set_placeholder(placeholder, Raw { value, origin });
                Ok(Applied::Stored)
            }
            Classified::JdbcProperty(property) => {
                self.jdbc_properties
                    .insert(property.to_string(), Raw { value, origin });
                Ok(Applied::Stored)
            }
            Classified::Environment { env, key } => {
                if matches!(keys::classify(key), Classified::Environment { .. }) {
                    return Err(());
                }
                self.environments
                    .entry(env.to_string())
                    .or_default()
                    .set_dotted(key, value, origin)
            }
            Classified::Ignored => Ok(Applied::Ignored),
            Classified::Unknown => Err(()),
        }
    }

    /// Lays `higher` over `self`: per key, per placeholder name and per environment, the value
    /// of `higher` wins.
    pub fn overlay(&mut self, higher: &Layer) {
        for (key, raw) in &higher.values {
            self.values.insert(key, raw.clone());
        }
        for (name, raw) in &higher.placeholders {
            self.set_placeholder(name, raw.clone());
        }
        for (name, raw) in &higher.jdbc_properties {
            self.jdbc_properties.insert(name.clone(), raw.clone());
        }
        for (name, env) in &higher.environments {
            self.environments
                .entry(name.clone())
                .or_default()
                .overlay(env);
        }
    }

    /// The settings of environment `env`: the base values with that environment's overrides
    /// laid over them (as Flyway resolves `[environments.<env>]` over `[flyway]`).
    pub fn resolve(&self, env: &str) -> Layer {
        let mut resolved = Layer {
            values: self.values.clone(),
            placeholders: self.placeholders.clone(),
            jdbc_properties: self.jdbc_properties.clone(),
            environments: BTreeMap::new(),
        };
        if let Some(overrides) = self.environments.get(env) {
            resolved.overlay(&overrides.resolve(env));
        }
        resolved
    }

    /// The value of `key`, if this layer sets it.
    pub fn get(&self, key: &str) -> Option<&Raw> {
        self.values.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(v: &str) -> Raw {
        Raw::text(v, Origin::Flag("--x".into()))
    }

    #[test]
    fn overlay_is_per_key_and_placeholders_ignore_case() {
        let mut low = Layer::default();
        low.set_dotted("table", RawValue::Text("a".into()), Origin::Default)
            .unwrap();
        low.set_dotted("target", RawValue::Text("1".into()), Origin::Default)
            .unwrap();
        low.set_dotted(
            "placeholders.Owner",
            RawValue::Text("x".into()),
            Origin::Default,
        )
        .unwrap();
        let mut high = Layer::default();
        high.set_dotted("table", RawValue::Text("b".into()), Origin::Default)
            .unwrap();
        high.set_placeholder("owner", flag("y"));
        low.overlay(&high);
        assert_eq!(low.get("table").unwrap().value, RawValue::Text("b".into()));
        assert_eq!(low.get("target").unwrap().value, RawValue::Text("1".into()));
        assert_eq!(low.placeholders.len(), 1);
        assert_eq!(low.placeholders["owner"], flag("y"));
    }

    #[test]
    fn environments_resolve_over_the_base() {
        let mut layer = Layer::default();
        layer
            .set_dotted("url", RawValue::Text("base".into()), Origin::Default)
            .unwrap();
        layer
            .set_dotted(
                "environments.dev.url",
                RawValue::Text("dev".into()),
                Origin::Default,
            )
            .unwrap();
        assert_eq!(
            layer.resolve("dev").get("url").unwrap().value,
            RawValue::Text("dev".into())
        );
        assert_eq!(
            layer.resolve("prod").get("url").unwrap().value,
            RawValue::Text("base".into())
        );
        assert!(
            layer
                .set_dotted(
                    "environments.a.environments.b.url",
                    RawValue::Text("x".into()),
                    Origin::Default
                )
                .is_err()
        );
        assert!(
            layer
                .set_dotted("fooBar", RawValue::Text("x".into()), Origin::Default)
                .is_err()
        );
        assert_eq!(
            layer.set_dotted(
                "oracle.sqlplus",
                RawValue::Text("true".into()),
                Origin::Default
            ),
            Ok(Applied::Ignored)
        );
    }
}
