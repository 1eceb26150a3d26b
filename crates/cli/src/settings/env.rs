//! Environment variables: `TIDEMARK_<KEY>` over `FLYWAY_<KEY>` (upper snake case of the Flyway
//! key, reference §6.4), `*_PLACEHOLDERS_<NAME>` and `*_JDBC_PROPERTIES_<NAME>` with the name
//! lower-cased as Flyway does, and `DATABASE_URL` kept apart as the last fallback for the URL.
//!
//! Why a map and not `std::env`: the loader never reads the process environment itself, so
//! tests pass exactly the variables they mean and `main` passes `std::env::vars()`.
//! Unknown `FLYWAY_*` variables are ignored, as Flyway ignores them; unknown `TIDEMARK_*`
//! variables are ignored with a debug note (they may be typos).

use std::collections::BTreeMap;

use super::keys;
use super::layer::{Layer, Origin, Raw};

/// The environment, split by role.
#[derive(Debug, Default)]
pub struct EnvLayers {
    /// `TIDEMARK_*` laid over `FLYWAY_*`.
    pub layer: Layer,
    /// `DATABASE_URL`, when set and not empty.
    pub database_url: Option<Raw>,
    /// Debug notes (unknown `TIDEMARK_*` variables).
    pub notes: Vec<String>,
}

/// Reads the settings from `env`.
pub fn read(env: &BTreeMap<String, String>) -> EnvLayers {
    let mut result = EnvLayers::default();
    let mut flyway = Layer::default();
    let mut tidemark = Layer::default();
    for (name, value) in env {
        let (layer, suffix) = if let Some(suffix) = name.strip_prefix("TIDEMARK_") {
            (&mut tidemark, suffix)
        } else if let Some(suffix) = name.strip_prefix("FLYWAY_") {
            (&mut flyway, suffix)
        } else {
            if name == "DATABASE_URL" && !value.is_empty() {
                result.database_url = Some(Raw::text(value, Origin::Env(name.clone())));
            }
            continue;
        };
        let raw = Raw::text(value, Origin::Env(name.clone()));
        if let Some(placeholder) = suffix
            .strip_prefix("PLACEHOLDERS_")
            .filter(|p| !p.is_empty())
        {
            layer.set_placeholder(&placeholder.to_lowercase(), raw);
        } else if let Some(property) = suffix
            .strip_prefix("JDBC_PROPERTIES_")
            .filter(|p| !p.is_empty())
        {
            let property = if property == "ACCESSTOKEN" {
                "accessToken".to_string()
            } else {
                property.to_lowercase()
            };
            layer.jdbc_properties.insert(property, raw);
        } else if let Some(key) = keys::find_env(name) {
            layer.set(key, raw);
        } else if name.starts_with("TIDEMARK_") {
            result.notes.push(format!(
                "environment variable {name} is not a tidemark setting; ignored"
            ));
        }
    }
    flyway.overlay(&tidemark);
    result.layer = flyway;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::layer::RawValue;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn text(layer: &Layer, key: &str) -> Option<String> {
        layer.get(key).map(|raw| raw.value.to_string())
    }

    #[test]
    fn tidemark_beats_flyway() {
        let read = read(&env(&[
            ("FLYWAY_OUT_OF_ORDER", "false"),
            ("TIDEMARK_OUT_OF_ORDER", "true"),
            ("FLYWAY_TABLE", "t"),
            ("FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK", "true"),
        ]));
        assert_eq!(text(&read.layer, "outOfOrder").as_deref(), Some("true"));
        assert_eq!(
            read.layer.get("outOfOrder").unwrap().origin,
            Origin::Env("TIDEMARK_OUT_OF_ORDER".into())
        );
        assert_eq!(text(&read.layer, "table").as_deref(), Some("t"));
        assert_eq!(
            text(&read.layer, "postgresql.transactional.lock").as_deref(),
            Some("true")
        );
    }

    #[test]
    fn placeholders_and_properties_are_lower_cased() {
        let read = read(&env(&[
            ("FLYWAY_PLACEHOLDERS_OWNER", "app"),
            ("TIDEMARK_PLACEHOLDERS_Region", "eu"),
            ("FLYWAY_JDBC_PROPERTIES_SSLMODE", "require"),
            ("FLYWAY_JDBC_PROPERTIES_ACCESSTOKEN", "t"),
            ("FLYWAY_PLACEHOLDERS_", "ignored"),
        ]));
        assert_eq!(
            read.layer.placeholders["owner"].value,
            RawValue::Text("app".into())
        );
        assert!(read.layer.placeholders.contains_key("region"));
        assert_eq!(read.layer.placeholders.len(), 2);
        assert!(read.layer.jdbc_properties.contains_key("sslmode"));
        assert!(read.layer.jdbc_properties.contains_key("accessToken"));
    }

    #[test]
    fn database_url_is_kept_apart_and_unknowns_ignored() {
        let read = read(&env(&[
            ("DATABASE_URL", "postgres://h/db"),
            ("FLYWAY_NOT_A_KEY", "x"),
            ("TIDEMARK_NOT_A_KEY", "x"),
            ("PATH", "/bin"),
            ("TIDEMARK_FORMAT", "json"),
            ("FLYWAY_DEBUG", "1"),
        ]));
        assert!(read.layer.get("url").is_none());
        assert_eq!(
            read.database_url.unwrap().value.to_string(),
            "postgres://h/db"
        );
        assert_eq!(read.notes.len(), 1);
        assert_eq!(text(&read.layer, "outputType").as_deref(), Some("json"));
        assert!(
            super::read(&env(&[("DATABASE_URL", "")]))
                .database_url
                .is_none()
        );
    }
}
