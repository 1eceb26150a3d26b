//! Liquibase's configuration sources: `liquibase.properties` (the "defaults file") and
//! `LIQUIBASE_*` environment variables, mapped onto the one key table ([`super::keys`]).
//!
//! A Liquibase project keeps working unchanged: `changeLogFile`, `url`, `username`,
//! `password`, `contexts`, `labels`, `searchPath`, ... are read from `liquibase.properties` in
//! the current directory (or the file named by `--defaults-file` / `LIQUIBASE_DEFAULTS_FILE`),
//! with Java's `Properties` syntax ([`tidemark_ledger::changelog::defaults_file`]); keys match
//! ignoring case and dashes, with or without the `liquibase.command.` / `liquibase.` prefix, as
//! Liquibase matches them; `parameter.<name>` entries are changelog parameters. Keys Liquibase
//! has and tidemark does not use (`driver`, `classpath`, ...) are ignored with a debug note.
//!
//! Environment: `LIQUIBASE_<NAME>` and `LIQUIBASE_COMMAND_<NAME>` (upper snake case of the
//! Liquibase name: `LIQUIBASE_COMMAND_CHANGELOG_FILE`, `LIQUIBASE_COMMAND_URL`, ...).
//!
//! Precedence: these rank just below tidemark's and Flyway's own sources of the same kind —
//! flags > `TIDEMARK_*` > `FLYWAY_*` > `LIQUIBASE_*` > `tidemark.toml`/`flyway.*` >
//! `liquibase.properties` > defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tidemark_ledger::changelog::defaults_file;

use super::files::Loaded;
use super::keys::{self, Key};
use super::layer::{Layer, Origin, Raw};
use super::{SettingsError, resolve_dir, text_value};

/// `name` as Liquibase compares setting names: lower case, without `-`, `_` and `.`.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The key a Liquibase setting name (`changeLogFile`, `liquibase.command.url`) means.
pub fn find(name: &str) -> Option<&'static Key> {
    let bare = name
        .strip_prefix("liquibase.command.")
        .or_else(|| name.strip_prefix("liquibase."))
        .unwrap_or(name);
    let folded = fold(bare);
    keys::KEYS
        .iter()
        .find(|key| key.liquibase.iter().any(|n| fold(n) == folded))
}

/// The `LIQUIBASE_*` variables as a layer, with `higher` (the `TIDEMARK_*`/`FLYWAY_*` layer)
/// laid over it.
pub fn under_env(env: &BTreeMap<String, String>, higher: &Layer) -> Layer {
    let mut layer = Layer::default();
    for key in keys::KEYS {
        // Lowest precedence first: LIQUIBASE_X, then LIQUIBASE_COMMAND_X.
        for name in key.liquibase_env_names() {
            if let Some(value) = env.get(&name) {
                layer.set(key, Raw::text(value, Origin::Env(name.clone())));
            }
        }
    }
    layer.overlay(higher);
    layer
}

/// What `liquibase.properties` set.
#[derive(Debug, Default)]
pub struct DefaultsFile {
    /// Settings, by key.
    pub layer: Layer,
    /// `parameter.<name>` entries, in order.
    pub parameters: Vec<(String, String)>,
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// Debug notes (keys ignored).
    pub notes: Vec<String>,
}

impl DefaultsFile {
    /// Puts these settings below the other config files' ones.
    pub fn put_under(&self, loaded: &mut Loaded) {
        let mut layer = self.layer.clone();
        layer.overlay(&loaded.layer);
        loaded.layer = layer;
        if let Some(file) = &self.file {
            loaded.files.insert(0, file.clone());
        }
        loaded.notes.extend(self.notes.iter().cloned());
    }
}

/// Finds and reads the defaults file: the one named by `defaultsFile` (flag, then environment;
/// it must exist), else `liquibase.properties` in the current or working directory (optional).
pub fn load_defaults_file(
    dirs: &[PathBuf],
    flags: &Layer,
    env: &Layer,
    cwd: &Path,
) -> Result<DefaultsFile, SettingsError> {
    let key = keys::find("defaultsFile").unwrap_or(&keys::KEYS[0]);
    let named = match flags
        .get("defaultsFile")
        .or_else(|| env.get("defaultsFile"))
    {
        Some(raw) => Some((resolve_dir(cwd, &text_value(key, raw)?), raw.origin.clone())),
        None => None,
    };
    let path = match &named {
        Some((path, origin)) => {
            if !path.is_file() {
                return Err(SettingsError::Io {
                    path: path.clone(),
                    reason: format!("not found (named by {origin})"),
                });
            }
            path.clone()
        }
        None => match dirs
            .iter()
            .rev()
            .map(|d| d.join("liquibase.properties"))
            .find(|p| p.is_file())
        {
            Some(path) => path,
            None => return Ok(DefaultsFile::default()),
        },
    };
    let bytes = std::fs::read(&path).map_err(|e| SettingsError::Io {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let entries = defaults_file::parse_file(&bytes).map_err(|e| SettingsError::Syntax {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let mut out = DefaultsFile {
        file: Some(path.clone()),
        ..DefaultsFile::default()
    };
    for entry in entries {
        let origin = Origin::File {
            path: path.clone(),
            line: Some(entry.line),
        };
        if let Some(name) = entry.key.strip_prefix("parameter.") {
            out.parameters.push((name.to_string(), entry.value));
            continue;
        }
        match find(&entry.key) {
            Some(key) => out.layer.set(key, Raw::text(entry.value, origin)),
            None => out.notes.push(format!(
                "{origin}: {} is not used by tidemark; ignored",
                entry.key
            )),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquibase_names_find_their_keys() {
        assert_eq!(find("changeLogFile").unwrap().name, "changelog");
        assert_eq!(find("changelog-file").unwrap().name, "changelog");
        assert_eq!(
            find("liquibase.command.changelogFile").unwrap().name,
            "changelog"
        );
        assert_eq!(find("username").unwrap().name, "user");
        assert_eq!(find("url").unwrap().name, "url");
        assert_eq!(find("contextFilter").unwrap().name, "contexts");
        assert_eq!(find("label-filter").unwrap().name, "labels");
        assert_eq!(find("liquibase.searchPath").unwrap().name, "searchPath");
        assert!(find("driver").is_none());
        assert!(find("classpath").is_none());
    }

    #[test]
    fn environment_names() {
        let key = keys::find("changelog").unwrap();
        assert_eq!(
            key.liquibase_env_names(),
            [
                "LIQUIBASE_CHANGELOG_FILE",
                "LIQUIBASE_COMMAND_CHANGELOG_FILE"
            ]
        );
        let env: BTreeMap<String, String> = [
            ("LIQUIBASE_COMMAND_URL", "jdbc:sqlite:lb.db"),
            ("LIQUIBASE_COMMAND_CONTEXT_FILTER", "dev"),
            ("LIQUIBASE_SEARCH_PATH", "db"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut higher = Layer::default();
        higher.set(
            keys::find("url").unwrap(),
            Raw::text("sqlite:t.db", Origin::Env("TIDEMARK_URL".into())),
        );
        let layer = under_env(&env, &higher);
        assert_eq!(layer.get("url").unwrap().value.to_string(), "sqlite:t.db");
        assert_eq!(layer.get("contexts").unwrap().value.to_string(), "dev");
        assert_eq!(layer.get("searchPath").unwrap().value.to_string(), "db");
    }

    #[test]
    fn defaults_file_keys_and_parameters() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("liquibase.properties"),
            "changeLogFile: db/changelog.sql\nurl=jdbc:sqlite:app.db\ndriver=org.sqlite.JDBC\nparameter.schema=app\nliquibase.command.contexts=dev\n",
        )
        .unwrap();
        let loaded = load_defaults_file(
            &[dir.path().to_path_buf()],
            &Layer::default(),
            &Layer::default(),
            dir.path(),
        )
        .unwrap();
        let get = |k: &str| loaded.layer.get(k).unwrap().value.to_string();
        assert_eq!(get("changelog"), "db/changelog.sql");
        assert_eq!(get("url"), "jdbc:sqlite:app.db");
        assert_eq!(get("contexts"), "dev");
        assert_eq!(loaded.parameters, vec![("schema".into(), "app".into())]);
        assert_eq!(loaded.notes.len(), 1);
        // A named file that does not exist is an error.
        let mut flags = Layer::default();
        flags.set(
            keys::find("defaultsFile").unwrap(),
            Raw::text("nope.properties", Origin::Flag("--defaults-file".into())),
        );
        let err = load_defaults_file(&[], &flags, &Layer::default(), dir.path()).unwrap_err();
        assert!(err.to_string().contains("nope.properties"), "{err}");
    }
}
