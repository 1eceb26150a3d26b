//! Settings: every source of configuration merged in one place.
//!
//! Precedence, highest first (Flyway reference §6.5): command-line flags, environment
//! (`TIDEMARK_*` over `FLYWAY_*`), config files, `DATABASE_URL` (for the URL only, as the last
//! fallback before the default), built-in defaults. Every setting is known by its Flyway
//! camelCase key (`outOfOrder`); the table in [`keys`] maps each key to its flag, its
//! environment variable and its type, so a new setting is one line there.
//!
//! Why per key and raw first: each source becomes a [`Layer`] of raw text that remembers its
//! [`Origin`]; layers are merged key by key, and only the winning value is type-checked, so an
//! error names the flag, variable or file line that holds the bad value (exit code 2), and a
//! bad value that is overridden is harmless, as in Flyway.
//!
//! Config files ([`files`]): `tidemark.toml`, `flyway.toml` (+ `flyway.user.toml`) or
//! `flyway.conf` in the current directory and the working directory, then the files named by
//! `TIDEMARK_CONFIG_FILES`/`FLYWAY_CONFIG_FILES` and `--config-files`/`-configFiles=`. TOML
//! environments: `environment` (flag > environment variable > `[flyway] environment`, default
//! `default`) selects `[environments.<name>]`, whose keys override the file's `[flyway]` keys;
//! naming an environment other than `default` that no file defines is an error. When `default`
//! is selected and absent, no environment applies (tidemark does not guess from a single other
//! environment).
//!
//! Values: booleans are `true`/`false` in any case; integers are checked against their range;
//! lists are comma-separated (TOML arrays too) with items trimmed and empty items dropped, so an
//! empty `ignoreMigrationPatterns` is an empty list; locations take an optional `filesystem:`
//! prefix and refuse `classpath:`, `s3:` and `gcs:`; a plain location is a directory (Flyway
//! would read it as `classpath:`); relative locations are resolved against the working
//! directory, which is itself relative to the current directory. Wildcards are kept as written.
//! The URL is checked with [`crate::url::DatabaseUrl::parse`] but stored as written; a relative
//! SQLite path is resolved against the working directory by whoever connects.

pub mod env;
pub mod files;
pub mod keys;
pub mod layer;
pub mod liquibase;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::url::{DatabaseUrl, UrlError};
use files::Named;
use keys::{Key, Kind, Value};
pub use layer::{Layer, Origin, Raw, RawValue};

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable text (Flyway-like).
    #[default]
    Text,
    /// One JSON document per command (`--format json`, `-outputType=json`).
    Json,
    /// JUnit XML: one test case per finding, a failure per error (commands that report findings).
    Junit,
    /// GitHub Actions workflow annotations, `::error file=...,line=...::...`.
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

impl Format {
    /// Formats only commands that report findings (validate, lint, check) can produce.
    pub fn is_findings_only(self) -> bool {
        matches!(self, Format::Junit | Format::Github | Format::Sarif)
    }
}

/// The resolved settings of one invocation. Field docs name the Flyway key and the default.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `url`; default `sqlite:tidemark.db`. `DATABASE_URL` is the last fallback.
    pub url: String,
    /// `user`.
    pub user: Option<String>,
    /// `password`.
    pub password: Option<String>,
    /// `schemas` (comma list).
    pub schemas: Vec<String>,
    /// `defaultSchema`.
    pub default_schema: Option<String>,
    /// `createSchemas`, default true.
    pub create_schemas: bool,
    /// `table`, default `flyway_schema_history`.
    pub table: String,
    /// `tablespace`.
    pub tablespace: Option<String>,
    /// `locations` (comma list; `filesystem:` prefix accepted and stripped); default `migrations`.
    /// Relative paths are resolved against `working_directory`.
    pub locations: Vec<PathBuf>,
    /// `callbackLocations` (comma list), default empty.
    pub callback_locations: Vec<PathBuf>,
    /// `failOnMissingLocations`, default false.
    pub fail_on_missing_locations: bool,
    /// `sqlMigrationPrefix`, default `V`.
    pub sql_migration_prefix: String,
    /// `undoSqlMigrationPrefix`, default `U`.
    pub undo_sql_migration_prefix: String,
    /// `repeatableSqlMigrationPrefix`, default `R`.
    pub repeatable_sql_migration_prefix: String,
    /// `baselineMigrationPrefix`, default `B`.
    pub baseline_migration_prefix: String,
    /// `sqlMigrationSeparator`, default `__`.
    pub sql_migration_separator: String,
    /// `sqlMigrationSuffixes` (comma list), default `.sql`.
    pub sql_migration_suffixes: Vec<String>,
    /// `validateMigrationNaming`, default false.
    pub validate_migration_naming: bool,
    /// `encoding`, default `UTF-8`.
    pub encoding: String,
    /// `detectEncoding`, default false.
    pub detect_encoding: bool,
    /// `placeholderReplacement`, default true.
    pub placeholder_replacement: bool,
    /// `placeholderPrefix`, default `${`.
    pub placeholder_prefix: String,
    /// `placeholderSuffix`, default `}`.
    pub placeholder_suffix: String,
    /// `placeholderSeparator`, default `:`.
    pub placeholder_separator: String,
    /// `placeholders.<name>`; names as given (lookup is case-insensitive later).
    pub placeholders: BTreeMap<String, String>,
    /// `target`, default `latest` (kept as text; parsed by the ledger).
    pub target: String,
    /// `failOnMissingTarget`, default true.
    pub fail_on_missing_target: bool,
    /// `outOfOrder`, default false.
    pub out_of_order: bool,
    /// `validateOnMigrate`, default true.
    pub validate_on_migrate: bool,
    /// `ignoreMigrationPatterns` (comma list), default `*:future`.
    pub ignore_migration_patterns: Vec<String>,
    /// `baselineOnMigrate`, default false.
    pub baseline_on_migrate: bool,
    /// `baselineVersion`, default `1`.
    pub baseline_version: String,
    /// `baselineDescription`, default `<< Flyway Baseline >>`.
    pub baseline_description: String,
    /// `cleanDisabled`, default true.
    pub clean_disabled: bool,
    /// `mixed`, default false.
    pub mixed: bool,
    /// `group`, default false.
    pub group: bool,
    /// `executeInTransaction`, default true.
    pub execute_in_transaction: bool,
    /// `installedBy`.
    pub installed_by: Option<String>,
    /// `lockRetryCount`, default 50 (-1 = forever).
    pub lock_retry_count: i64,
    /// `lockTimeout`: how long a statement waits for a lock; unset = the database's default.
    pub lock_timeout: Option<std::time::Duration>,
    /// `statementTimeout`: longest a statement may run; unset = no limit.
    pub statement_timeout: Option<std::time::Duration>,
    /// `lockRetries`: retries of a migration that hit `lockTimeout` (default 5).
    pub lock_retries: u32,
    /// `strictPhases`: refuse contract-after-expand in one run instead of warning.
    pub strict_phases: bool,
    /// `lintOnMigrate`: `off`, `warn` (default) or `error`.
    pub lint_on_migrate: String,
    /// `deploymentId`: run id shared by several invocations.
    pub deployment_id: Option<String>,
    /// `dryRunOutput`: write the dry-run SQL to this file (and do a dry run).
    pub dry_run_output: Option<PathBuf>,
    /// `undoRecord`: `undo_sql` (default) or `delete`.
    pub undo_record: String,
    /// `skipDefaultCallbacks`, default false.
    pub skip_default_callbacks: bool,
    /// `skipExecutingMigrations`, default false.
    pub skip_executing_migrations: bool,
    /// `connectRetries`, default 0.
    pub connect_retries: u32,
    /// `connectRetriesInterval` in seconds, default 120.
    pub connect_retries_interval: u64,
    /// `initSql`.
    pub init_sql: Option<String>,
    /// `postgresql.transactional.lock`, default false in tidemark (see README).
    pub postgresql_transactional_lock: bool,
    /// `environment`, default `default` (TOML environments).
    pub environment: String,
    /// `workingDirectory`, default the process's current directory.
    pub working_directory: PathBuf,
    /// `outputType` / `--format`, default text.
    pub format: Format,
    /// `-q` / `--quiet`.
    pub quiet: bool,
    /// `-X` / `--debug`.
    pub debug: bool,
    /// Config files that were read, in order (for `--debug` output and messages).
    pub config_files: Vec<PathBuf>,
    /// `changelog` (`--changelog-file`, Liquibase `changeLogFile`): set = Liquibase mode. Kept
    /// as written: it is relative to the search path and becomes FILENAME.
    pub changelog: Option<String>,
    /// `searchPath` (comma list), relative to the current directory; empty = the current one.
    pub search_path: Vec<String>,
    /// `contexts` (`--context-filter`).
    pub contexts: Option<String>,
    /// `labels` (`--label-filter`).
    pub labels: Option<String>,
    /// `changelogLockWaitTimeInMinutes`, default 5.
    pub changelog_lock_wait_minutes: i64,
    /// `changelogLockPollRate` in seconds, default 10.
    pub changelog_lock_poll_seconds: i64,
    /// `databaseChangelogTableName`, default `DATABASECHANGELOG`.
    pub changelog_table: String,
    /// `databaseChangelogLockTableName`, default `DATABASECHANGELOGLOCK`.
    pub changelog_lock_table: String,
    /// `parameter.<name>` entries of `liquibase.properties` (changelog parameters), in order.
    pub changelog_parameters: Vec<(String, String)>,
    /// `outputFile` (`--output-file`): where Liquibase mode's `*-sql` commands write the SQL.
    pub output_file: Option<PathBuf>,
}

/// A setting that cannot be used. Every message names the key and where the value came from;
/// all of them are usage errors (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A value of the wrong type or out of range.
    #[error("Invalid value for flyway.{key} (should be {expected}): {value} (from {origin})")]
    InvalidValue {
        /// The Flyway key.
        key: &'static str,
        /// What was expected (`either true or false`).
        expected: String,
        /// The value as written.
        value: String,
        /// Where it came from.
        origin: Origin,
    },
    /// A key neither Flyway nor tidemark knows.
    #[error("Unknown configuration property: {key} (in {origin}){hint}")]
    UnknownKey {
        /// The key as written (`flyway.fooBar`).
        key: String,
        /// Where it came from.
        origin: Origin,
        /// A suggestion, starting with `; ` (or empty).
        hint: String,
    },
    /// A config file that cannot be read.
    #[error("Unable to load config file: {}: {reason}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A config file that cannot be parsed.
    #[error("Invalid config file {}: {message}", .path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key when there is one.
        message: String,
    },
    /// TOML and CONF config files selected together.
    #[error(
        "Using both TOML configuration and CONF configuration is not supported. Please remove the CONF configuration files.\nTOML files: {}\nCONF files: {}",
        join_paths(.toml),
        join_paths(.conf)
    )]
    MixedFormats {
        /// The TOML files.
        toml: Vec<PathBuf>,
        /// The CONF files.
        conf: Vec<PathBuf>,
    },
    /// A `classpath:`, `s3:` or `gcs:` location, or an empty one.
    #[error("Unsupported location '{location}' (from {origin}): {reason}")]
    Location {
        /// The location as written.
        location: String,
        /// Where it came from.
        origin: Origin,
        /// Why.
        reason: String,
    },
    /// `environment` names an environment no config file defines.
    #[error(
        "Environment '{name}' not found (selected by {origin}): define [environments.{name}] in a TOML config file"
    )]
    EnvironmentNotFound {
        /// The environment.
        name: String,
        /// Where it was selected.
        origin: Origin,
    },
    /// A URL that cannot be used (masked in the message).
    #[error("{error} (from {origin})")]
    Url {
        /// The URL error, carrying the masked URL.
        error: UrlError,
        /// Where the URL came from.
        origin: Origin,
    },
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl SettingsError {
    /// An unknown key, with a suggestion when only the case is wrong. `shown` is the key as the
    /// user wrote it (`flyway.outoforder`), `name` the part to look up (`outoforder`).
    pub fn unknown_key(shown: &str, name: &str, origin: Origin) -> SettingsError {
        let hint = match keys::suggest(name) {
            Some(right) => format!("; did you mean {right}?"),
            None => String::new(),
        };
        SettingsError::UnknownKey {
            key: shown.to_string(),
            origin,
            hint,
        }
    }
}

impl Settings {
    /// Merges `flags` (the command-line layer built by `args`), the environment `env` and the
    /// config files found from `cwd` over the defaults. Never reads the process environment or
    /// current directory itself.
    // `args::parse` calls `load_with_notes`; this is the entry point for callers without notes.
    #[allow(dead_code)]
    pub fn load(
        flags: &Layer,
        env: &BTreeMap<String, String>,
        cwd: &Path,
    ) -> Result<Settings, SettingsError> {
        Settings::load_with_notes(flags, env, cwd).map(|(settings, _)| settings)
    }

    /// [`Settings::load`], plus debug notes: files skipped, keys accepted but not implemented.
    pub fn load_with_notes(
        flags: &Layer,
        env: &BTreeMap<String, String>,
        cwd: &Path,
    ) -> Result<(Settings, Vec<String>), SettingsError> {
        let mut notes = Vec::new();
        let env_read = env::read(env);
        notes.extend(env_read.notes.iter().cloned());
        // `LIQUIBASE_*` variables rank below `TIDEMARK_*` and `FLYWAY_*`.
        let env_layer = &liquibase::under_env(env, &env_read.layer);

        // Where to look for default config files: the working directory named by a flag or the
        // environment (a config file cannot move the search for config files).
        let discovery_dir = match flags
            .get("workingDirectory")
            .or_else(|| env_layer.get("workingDirectory"))
        {
            Some(raw) => resolve_dir(cwd, &text_value(key("workingDirectory"), raw)?),
            None => cwd.to_path_buf(),
        };
        let mut dirs = vec![cwd.to_path_buf()];
        if discovery_dir != cwd {
            dirs.push(discovery_dir);
        }
        let mut named = Vec::new();
        for raw in [env_layer.get("configFiles"), flags.get("configFiles")]
            .into_iter()
            .flatten()
        {
            for item in list_value(raw) {
                named.push(Named {
                    path: cwd.join(item),
                    origin: raw.origin.clone(),
                });
            }
        }
        let mut loaded = files::load(&dirs, &named, env)?;
        // `liquibase.properties` (or `--defaults-file`) ranks below the other config files.
        let defaults_file = liquibase::load_defaults_file(&dirs, flags, env_layer, cwd)?;
        defaults_file.put_under(&mut loaded);
        notes.extend(loaded.notes.iter().cloned());

        let (environment, environment_origin) = match flags
            .get("environment")
            .or_else(|| env_layer.get("environment"))
            .or_else(|| loaded.layer.get("environment"))
        {
            Some(raw) => (text_value(key("environment"), raw)?, raw.origin.clone()),
            None => ("default".to_string(), Origin::Default),
        };
        if environment != "default"
            && !loaded.layer.environments.contains_key(&environment)
            && !flags.environments.contains_key(&environment)
        {
            return Err(SettingsError::EnvironmentNotFound {
                name: environment,
                origin: environment_origin,
            });
        }

        let mut merged = loaded.layer.resolve(&environment);
        if merged.get("url").is_none()
            && let Some(database_url) = &env_read.database_url
        {
            merged.values.insert("url", database_url.clone());
        }
        merged.overlay(env_layer);
        merged.overlay(&flags.resolve(&environment));

        let mut settings = build(&merged, cwd, loaded.files, &mut notes)?;
        settings.changelog_parameters = defaults_file.parameters;
        Ok((settings, notes))
    }

    /// Every field empty or false; [`build`] then applies a value or a default to each key.
    fn blank(working_directory: PathBuf) -> Settings {
        Settings {
            url: String::new(),
            user: None,
            password: None,
            schemas: Vec::new(),
            default_schema: None,
            create_schemas: false,
            table: String::new(),
            tablespace: None,
            locations: Vec::new(),
            callback_locations: Vec::new(),
            fail_on_missing_locations: false,
            sql_migration_prefix: String::new(),
            undo_sql_migration_prefix: String::new(),
            repeatable_sql_migration_prefix: String::new(),
            baseline_migration_prefix: String::new(),
            sql_migration_separator: String::new(),
            sql_migration_suffixes: Vec::new(),
            validate_migration_naming: false,
            encoding: String::new(),
            detect_encoding: false,
            placeholder_replacement: false,
            placeholder_prefix: String::new(),
            placeholder_suffix: String::new(),
            placeholder_separator: String::new(),
            placeholders: BTreeMap::new(),
            target: String::new(),
            fail_on_missing_target: false,
            out_of_order: false,
            validate_on_migrate: false,
            ignore_migration_patterns: Vec::new(),
            baseline_on_migrate: false,
            baseline_version: String::new(),
            baseline_description: String::new(),
            clean_disabled: false,
            mixed: false,
            group: false,
            execute_in_transaction: false,
            installed_by: None,
            lock_retry_count: 0,
            lock_timeout: None,
            statement_timeout: None,
            lock_retries: 0,
            strict_phases: false,
            lint_on_migrate: String::new(),
            deployment_id: None,
            dry_run_output: None,
            undo_record: String::new(),
            skip_default_callbacks: false,
            skip_executing_migrations: false,
            connect_retries: 0,
            connect_retries_interval: 0,
            init_sql: None,
            postgresql_transactional_lock: false,
            environment: String::new(),
            working_directory,
            format: Format::Text,
            quiet: false,
            debug: false,
            config_files: Vec::new(),
            changelog: None,
            search_path: Vec::new(),
            contexts: None,
            labels: None,
            changelog_lock_wait_minutes: 0,
            changelog_lock_poll_seconds: 0,
            changelog_table: String::new(),
            changelog_lock_table: String::new(),
            changelog_parameters: Vec::new(),
            output_file: None,
        }
    }
}

/// The table entry for a key the loader reads by name.
fn key(name: &str) -> &'static Key {
    // Every name passed here is a literal from the table; the fallback keeps this panic-free.
    keys::find(name).unwrap_or(&keys::KEYS[0])
}

/// Applies the merged layer (or each key's default) to a blank `Settings`.
fn build(
    merged: &Layer,
    cwd: &Path,
    config_files: Vec<PathBuf>,
    notes: &mut Vec<String>,
) -> Result<Settings, SettingsError> {
    let working_directory = match merged.get("workingDirectory") {
        Some(raw) => resolve_dir(cwd, &text_value(key("workingDirectory"), raw)?),
        None => cwd.to_path_buf(),
    };
    let mut settings = Settings::blank(working_directory.clone());
    for key in keys::KEYS {
        let raw = match (merged.get(key.name), key.default) {
            (Some(raw), _) => raw.clone(),
            (None, Some(default)) => Raw::text(default, Origin::Default),
            (None, None) => continue,
        };
        apply(&mut settings, key, &raw, &working_directory, notes)?;
    }
    for (name, raw) in &merged.placeholders {
        let value = text_value(key("placeholders"), raw)?;
        settings.placeholders.insert(name.clone(), value);
    }
    for (name, raw) in &merged.jdbc_properties {
        text_value(key("jdbcProperties"), raw)?;
        notes.push(format!(
            "{}: jdbcProperties.{name} is not used by tidemark yet; ignored",
            raw.origin
        ));
    }
    settings.config_files = config_files;
    if let Err(error) = DatabaseUrl::parse(&settings.url) {
        let origin = merged
            .get("url")
            .map_or(Origin::Default, |raw| raw.origin.clone());
        return Err(SettingsError::Url { error, origin });
    }
    Ok(settings)
}

fn apply(
    settings: &mut Settings,
    key: &'static Key,
    raw: &Raw,
    working_directory: &Path,
    notes: &mut Vec<String>,
) -> Result<(), SettingsError> {
    match key.value {
        Value::Text(set) => set(settings, text_value(key, raw)?),
        Value::Bool(set) => set(settings, bool_value(key, raw)?),
        Value::Int { min, max, set } => set(settings, int_value(key, raw, min, max)?),
        Value::List(set) => set(settings, list_value(raw)),
        Value::Paths(set) => set(settings, paths_value(key, raw, working_directory)?),
        Value::Format(set) => set(settings, format_value(key, raw)?),
        Value::Duration(set) => set(settings, duration_value(key, raw)?),
        Value::Map => {
            return Err(invalid(
                key,
                raw,
                format!("set per name, as {}.<name>", key.name),
            ));
        }
        Value::Loader(kind) => {
            check_kind(key, kind, raw)?;
            if key.name == "configFiles" && matches!(raw.origin, Origin::File { .. }) {
                notes.push(format!(
                    "{}: configFiles in a config file is ignored",
                    raw.origin
                ));
            }
        }
        Value::Ignored(kind) => {
            check_kind(key, kind, raw)?;
            notes.push(format!(
                "{}: {} is not implemented by tidemark yet; ignored",
                raw.origin, key.name
            ));
        }
    }
    Ok(())
}

fn check_kind(key: &'static Key, kind: Kind, raw: &Raw) -> Result<(), SettingsError> {
    match kind {
        Kind::Text => text_value(key, raw).map(drop),
        Kind::Bool => bool_value(key, raw).map(drop),
        Kind::Int => int_value(key, raw, i64::MIN, i64::MAX).map(drop),
        Kind::List | Kind::Map => Ok(()),
    }
}

fn invalid(key: &'static Key, raw: &Raw, expected: impl Into<String>) -> SettingsError {
    SettingsError::InvalidValue {
        key: key.name,
        expected: expected.into(),
        value: raw.value.to_string(),
        origin: raw.origin.clone(),
    }
}

fn text_value(key: &'static Key, raw: &Raw) -> Result<String, SettingsError> {
    match &raw.value {
        RawValue::Text(text) => Ok(text.clone()),
        RawValue::List(_) => Err(invalid(key, raw, "a single value, not a list")),
    }
}

fn bool_value(key: &'static Key, raw: &Raw) -> Result<bool, SettingsError> {
    let text = text_value(key, raw)?;
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(key, raw, "either true or false"))
    }
}

fn int_value(key: &'static Key, raw: &Raw, min: i64, max: i64) -> Result<i64, SettingsError> {
    let text = text_value(key, raw)?;
    let value = text
        .trim()
        .parse::<i64>()
        .map_err(|_| invalid(key, raw, "an integer"))?;
    if value < min || value > max {
        return Err(invalid(key, raw, format!("an integer from {min} to {max}")));
    }
    Ok(value)
}

/// `500ms`, `5s`, `2m`, `1h`, or a plain number of milliseconds.
fn duration_value(key: &'static Key, raw: &Raw) -> Result<std::time::Duration, SettingsError> {
    let text = text_value(key, raw)?;
    parse_duration(&text).ok_or_else(|| invalid(key, raw, "a duration such as 500ms, 5s or 2m"))
}

pub use tidemark_ledger::directive::parse_duration;

/// Comma-separated text or a TOML array; items trimmed, empty items dropped.
fn list_value(raw: &Raw) -> Vec<String> {
    let items: Vec<&str> = match &raw.value {
        RawValue::Text(text) => text.split(',').collect(),
        RawValue::List(items) => items.iter().map(String::as_str).collect(),
    };
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

fn paths_value(
    key: &'static Key,
    raw: &Raw,
    working_directory: &Path,
) -> Result<Vec<PathBuf>, SettingsError> {
    let mut paths = Vec::new();
    for item in list_value(raw) {
        let lower = item.to_ascii_lowercase();
        let path = if lower.starts_with("filesystem:") {
            &item["filesystem:".len()..]
        } else if let Some(prefix) = ["classpath:", "s3:", "gcs:"]
            .into_iter()
            .find(|prefix| lower.starts_with(prefix))
        {
            return Err(SettingsError::Location {
                location: item.clone(),
                origin: raw.origin.clone(),
                reason: format!(
                    "{} locations are not supported: tidemark reads migrations from the filesystem; give a directory, optionally as filesystem:<dir>",
                    prefix.trim_end_matches(':')
                ),
            });
        } else {
            &item
        };
        if path.trim().is_empty() {
            return Err(SettingsError::Location {
                location: item.clone(),
                origin: raw.origin.clone(),
                reason: format!("{} needs a directory after filesystem:", key.name),
            });
        }
        paths.push(resolve_dir(working_directory, path.trim()));
    }
    Ok(paths)
}

fn format_value(key: &'static Key, raw: &Raw) -> Result<Format, SettingsError> {
    let text = text_value(key, raw)?;
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        "junit" => Ok(Format::Junit),
        "github" => Ok(Format::Github),
        "sarif" => Ok(Format::Sarif),
        _ => Err(invalid(key, raw, "text, json, junit, github or sarif")),
    }
}

/// `path` relative to `base` unless absolute, without `.` components; empty means `base`.
fn resolve_dir(base: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let mut resolved = base.to_path_buf();
    for component in path.components() {
        if component != Component::CurDir {
            resolved.push(component);
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_units_and_plain_milliseconds() {
        use std::time::Duration;
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration(" 2m "), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250"), Some(Duration::from_millis(250)));
        for bad in ["", "s", "5 sec", "-1s", "1.5s", "99999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
    use std::fs;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn flags(pairs: &[(&str, &str)]) -> Layer {
        let mut layer = Layer::default();
        for (name, value) in pairs {
            let long = keys::find(name).map_or(name.to_string(), |k| k.long_name());
            layer
                .set_dotted(
                    name,
                    RawValue::Text(value.to_string()),
                    Origin::Flag(format!("--{long}")),
                )
                .unwrap();
        }
        layer
    }

    fn load(flags: &Layer, env: &BTreeMap<String, String>, cwd: &Path) -> Settings {
        Settings::load(flags, env, cwd).unwrap()
    }

    fn load_err(flags: &Layer, env: &BTreeMap<String, String>, cwd: &Path) -> String {
        Settings::load(flags, env, cwd).unwrap_err().to_string()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn defaults() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        let settings = load(&Layer::default(), &BTreeMap::new(), cwd);
        let expected = Settings {
            url: "sqlite:tidemark.db".into(),
            user: None,
            password: None,
            schemas: vec![],
            default_schema: None,
            create_schemas: true,
            table: "flyway_schema_history".into(),
            tablespace: None,
            locations: vec![cwd.join("migrations")],
            callback_locations: vec![],
            fail_on_missing_locations: false,
            sql_migration_prefix: "V".into(),
            undo_sql_migration_prefix: "U".into(),
            repeatable_sql_migration_prefix: "R".into(),
            baseline_migration_prefix: "B".into(),
            sql_migration_separator: "__".into(),
            sql_migration_suffixes: vec![".sql".into()],
            validate_migration_naming: false,
            encoding: "UTF-8".into(),
            detect_encoding: false,
            placeholder_replacement: true,
            placeholder_prefix: "${".into(),
            placeholder_suffix: "}".into(),
            placeholder_separator: ":".into(),
            placeholders: BTreeMap::new(),
            target: "latest".into(),
            fail_on_missing_target: true,
            out_of_order: false,
            validate_on_migrate: true,
            ignore_migration_patterns: vec!["*:future".into()],
            baseline_on_migrate: false,
            baseline_version: "1".into(),
            baseline_description: "<< Flyway Baseline >>".into(),
            clean_disabled: true,
            mixed: false,
            group: false,
            execute_in_transaction: true,
            installed_by: None,
            lock_retry_count: 50,
            lock_timeout: Some(std::time::Duration::from_secs(5)),
            statement_timeout: None,
            lock_retries: 5,
            strict_phases: false,
            lint_on_migrate: "warn".into(),
            deployment_id: None,
            dry_run_output: None,
            undo_record: "undo_sql".into(),
            skip_default_callbacks: false,
            skip_executing_migrations: false,
            connect_retries: 0,
            connect_retries_interval: 120,
            init_sql: None,
            postgresql_transactional_lock: false,
            environment: "default".into(),
            working_directory: cwd.to_path_buf(),
            format: Format::Text,
            quiet: false,
            debug: false,
            config_files: vec![],
            changelog: None,
            search_path: vec![],
            contexts: None,
            labels: None,
            changelog_lock_wait_minutes: 5,
            changelog_lock_poll_seconds: 10,
            changelog_table: "DATABASECHANGELOG".into(),
            changelog_lock_table: "DATABASECHANGELOGLOCK".into(),
            changelog_parameters: vec![],
            output_file: None,
        };
        assert_eq!(settings, expected);
    }

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(
            cwd,
            "flyway.conf",
            "flyway.table=from_file\nflyway.target=2\nflyway.installedBy=file\nflyway.encoding=ISO-8859-1\n",
        );
        let env = env(&[("FLYWAY_TABLE", "from_env"), ("FLYWAY_TARGET", "3")]);
        let flags = flags(&[("table", "from_flag")]);
        let settings = load(&flags, &env, cwd);
        assert_eq!(settings.table, "from_flag");
        assert_eq!(settings.target, "3");
        assert_eq!(settings.installed_by.as_deref(), Some("file"));
        assert_eq!(settings.encoding, "ISO-8859-1");
        assert_eq!(settings.baseline_version, "1");
        assert_eq!(settings.config_files, vec![cwd.join("flyway.conf")]);
    }

    #[test]
    fn tidemark_env_beats_flyway_env() {
        let dir = tempfile::tempdir().unwrap();
        let env = env(&[
            ("FLYWAY_OUT_OF_ORDER", "false"),
            ("TIDEMARK_OUT_OF_ORDER", "TRUE"),
            ("FLYWAY_PLACEHOLDERS_OWNER", "flyway"),
            ("TIDEMARK_PLACEHOLDERS_OWNER", "tidemark"),
        ]);
        let settings = load(&Layer::default(), &env, dir.path());
        assert!(settings.out_of_order);
        assert_eq!(settings.placeholders["owner"], "tidemark");
    }

    #[test]
    fn database_url_is_the_last_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        let db = env(&[("DATABASE_URL", "postgres://h/db")]);
        assert_eq!(load(&Layer::default(), &db, cwd).url, "postgres://h/db");
        let mut both = db.clone();
        both.insert("FLYWAY_URL".into(), "sqlite:env.db".into());
        assert_eq!(load(&Layer::default(), &both, cwd).url, "sqlite:env.db");
        write(cwd, "flyway.conf", "flyway.url=jdbc:sqlite:file.db\n");
        assert_eq!(load(&Layer::default(), &db, cwd).url, "jdbc:sqlite:file.db");
        assert_eq!(
            load(&flags(&[("url", "sqlite:flag.db")]), &db, cwd).url,
            "sqlite:flag.db"
        );
    }

    #[test]
    fn bad_boolean_names_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        assert_eq!(
            load_err(
                &Layer::default(),
                &env(&[("FLYWAY_OUT_OF_ORDER", "yes")]),
                cwd
            ),
            "Invalid value for flyway.outOfOrder (should be either true or false): yes (from environment variable FLYWAY_OUT_OF_ORDER)"
        );
        assert_eq!(
            load_err(&flags(&[("cleanDisabled", "nope")]), &BTreeMap::new(), cwd),
            "Invalid value for flyway.cleanDisabled (should be either true or false): nope (from command-line flag --clean-disabled)"
        );
        let conf = write(cwd, "flyway.conf", "\nflyway.mixed=1\n");
        assert_eq!(
            load_err(&Layer::default(), &BTreeMap::new(), cwd),
            format!(
                "Invalid value for flyway.mixed (should be either true or false): 1 (from config file {}, line 2)",
                conf.display()
            )
        );
        // An overridden bad value is harmless.
        assert!(!load(&flags(&[("mixed", "false")]), &BTreeMap::new(), cwd).mixed);
    }

    #[test]
    fn ints_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        assert_eq!(
            load(&flags(&[("lockRetryCount", "-1")]), &BTreeMap::new(), cwd).lock_retry_count,
            -1
        );
        let err = load_err(&flags(&[("lockRetryCount", "-2")]), &BTreeMap::new(), cwd);
        assert!(err.contains("should be an integer from -1"), "{err}");
        let err = load_err(&flags(&[("connectRetries", "x")]), &BTreeMap::new(), cwd);
        assert!(
            err.starts_with("Invalid value for flyway.connectRetries (should be an integer): x"),
            "{err}"
        );
        let err = load_err(&flags(&[("connectRetries", "-1")]), &BTreeMap::new(), cwd);
        assert!(err.contains("from 0"), "{err}");
        let s = load(
            &flags(&[("connectRetries", "3"), ("connectRetriesInterval", " 5 ")]),
            &BTreeMap::new(),
            cwd,
        );
        assert_eq!((s.connect_retries, s.connect_retries_interval), (3, 5));
        // Ignored keys are still checked.
        let err = load_err(&flags(&[("batch", "maybe")]), &BTreeMap::new(), cwd);
        assert!(err.contains("flyway.batch"), "{err}");
    }

    #[test]
    fn lists_and_locations() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        let s = load(
            &flags(&[
                (
                    "locations",
                    "filesystem:sql, ./more ,/abs/dir,FILESYSTEM:x,,",
                ),
                ("schemas", " a , b "),
                ("ignoreMigrationPatterns", ""),
                ("sqlMigrationSuffixes", ".sql,.psql"),
                ("target", "3?"),
            ]),
            &BTreeMap::new(),
            cwd,
        );
        assert_eq!(
            s.locations,
            vec![
                cwd.join("sql"),
                cwd.join("more"),
                PathBuf::from("/abs/dir"),
                cwd.join("x")
            ]
        );
        assert_eq!(s.schemas, vec!["a", "b"]);
        assert!(s.ignore_migration_patterns.is_empty());
        assert_eq!(s.sql_migration_suffixes, vec![".sql", ".psql"]);
        assert_eq!(s.target, "3?");
        for bad in [
            "classpath:db/migration",
            "s3:bucket/x",
            "gcs:b/x",
            "filesystem:",
        ] {
            let err = load_err(&flags(&[("locations", bad)]), &BTreeMap::new(), cwd);
            assert!(err.contains(bad) && err.contains("--locations"), "{err}");
        }
    }

    #[test]
    fn working_directory_moves_files_and_locations() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(cwd, "proj/flyway.conf", "flyway.locations=filesystem:db\n");
        let s = load(
            &flags(&[("workingDirectory", "proj")]),
            &BTreeMap::new(),
            cwd,
        );
        assert_eq!(s.working_directory, cwd.join("proj"));
        assert_eq!(s.locations, vec![cwd.join("proj/db")]);
        assert_eq!(s.config_files, vec![cwd.join("proj/flyway.conf")]);
        // From the environment too.
        let s = load(
            &Layer::default(),
            &env(&[("TIDEMARK_WORKING_DIRECTORY", "proj")]),
            cwd,
        );
        assert_eq!(s.locations, vec![cwd.join("proj/db")]);
    }

    #[test]
    fn conf_file_reads_connection_placeholders_and_env() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(
            cwd,
            "flyway.conf",
            "# Flyway config\nflyway.url=jdbc:sqlite:app.db\nflyway.user=${DB_USER}\nflyway.password=${DB_PASS}\nflyway.placeholders.Owner=app\nflyway.locations=filesystem:sql,\\\n   filesystem:more\nflyway.licenseKey=abc\nflyway.postgresql.transactional.lock=true\n",
        );
        let (s, notes) =
            Settings::load_with_notes(&Layer::default(), &env(&[("DB_USER", "me")]), cwd).unwrap();
        assert_eq!(s.url, "jdbc:sqlite:app.db");
        assert_eq!(s.user.as_deref(), Some("me"));
        assert_eq!(s.password.as_deref(), Some(""));
        assert_eq!(s.placeholders["Owner"], "app");
        assert_eq!(s.locations, vec![cwd.join("sql"), cwd.join("more")]);
        assert!(s.postgresql_transactional_lock);
        assert!(notes.iter().any(|n| n.contains("licenseKey")), "{notes:?}");
    }

    #[test]
    fn flyway_toml_environments() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(
            cwd,
            "flyway.toml",
            r#"
[environments.default]
url = "jdbc:sqlite:default.db"
[environments.dev]
url = "jdbc:sqlite:dev.db"
user = "dev"
password = "${env.DEV_PW}"
schemas = ["main"]
[environments.dev.flyway]
locations = ["filesystem:dev"]
[flyway]
locations = ["filesystem:sql"]
outOfOrder = true
baselineVersion = 5
[flyway.placeholders]
owner = "app"
[flyway.postgresql.transactional]
lock = true
"#,
        );
        write(
            cwd,
            "flyway.user.toml",
            "[flyway]\ntable = \"user_history\"\n",
        );
        let s = load(&Layer::default(), &BTreeMap::new(), cwd);
        assert_eq!(s.url, "jdbc:sqlite:default.db");
        assert_eq!(s.locations, vec![cwd.join("sql")]);
        assert!(s.out_of_order);
        assert_eq!(s.baseline_version, "5");
        assert_eq!(s.placeholders["owner"], "app");
        assert!(s.postgresql_transactional_lock);
        assert_eq!(s.table, "user_history");
        assert_eq!(
            s.config_files,
            vec![cwd.join("flyway.toml"), cwd.join("flyway.user.toml")]
        );

        let dev = load(
            &flags(&[("environment", "dev")]),
            &env(&[("DEV_PW", "pw")]),
            cwd,
        );
        assert_eq!(dev.url, "jdbc:sqlite:dev.db");
        assert_eq!(dev.user.as_deref(), Some("dev"));
        assert_eq!(dev.password.as_deref(), Some("pw"));
        assert_eq!(dev.schemas, vec!["main"]);
        assert_eq!(dev.locations, vec![cwd.join("dev")]);
        assert_eq!(dev.environment, "dev");

        // Environment variables beat the TOML environment.
        let over = load(
            &flags(&[("environment", "dev")]),
            &env(&[("FLYWAY_URL", "sqlite:env.db")]),
            cwd,
        );
        assert_eq!(over.url, "sqlite:env.db");

        let err = load_err(&flags(&[("environment", "prod")]), &BTreeMap::new(), cwd);
        assert!(err.starts_with("Environment 'prod' not found"), "{err}");
    }

    #[test]
    fn toml_selects_environment_in_flyway_table() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(
            cwd,
            "flyway.toml",
            "[flyway]\nenvironment = \"ci\"\n[environments.ci]\nurl = \"sqlite:ci.db\"\n",
        );
        assert_eq!(
            load(&Layer::default(), &BTreeMap::new(), cwd).url,
            "sqlite:ci.db"
        );
    }

    #[test]
    fn tidemark_toml() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(
            cwd,
            "flyway.toml",
            "[flyway]\ntable = \"flyway_table\"\ntarget = \"2\"\n",
        );
        write(
            cwd,
            "tidemark.toml",
            "[tidemark]\nurl = \"sqlite:app.db\"\nuser = \"u\"\nschemas = [\"s\"]\ntable = \"tm_table\"\noutputType = \"json\"\n[tidemark.placeholders]\nx = 1\n",
        );
        let s = load(&Layer::default(), &BTreeMap::new(), cwd);
        assert_eq!(s.url, "sqlite:app.db");
        assert_eq!(s.user.as_deref(), Some("u"));
        assert_eq!(s.schemas, vec!["s"]);
        assert_eq!(s.table, "tm_table");
        assert_eq!(s.target, "2");
        assert_eq!(s.format, Format::Json);
        assert_eq!(s.placeholders["x"], "1");
        assert_eq!(
            s.config_files,
            vec![cwd.join("flyway.toml"), cwd.join("tidemark.toml")]
        );
    }

    #[test]
    fn both_formats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(cwd, "a.toml", "[flyway]\n");
        write(cwd, "b.conf", "flyway.table=t\n");
        let err = load_err(
            &flags(&[("configFiles", "a.toml,b.conf")]),
            &BTreeMap::new(),
            cwd,
        );
        assert!(
            err.starts_with(
                "Using both TOML configuration and CONF configuration is not supported"
            ),
            "{err}"
        );
        // A named CONF next to a default TOML.
        write(cwd, "flyway.toml", "[flyway]\n");
        let err = load_err(&flags(&[("configFiles", "b.conf")]), &BTreeMap::new(), cwd);
        assert!(err.starts_with("Using both TOML"), "{err}");
        // Default flyway.toml + flyway.conf: TOML wins, as in Flyway.
        write(cwd, "flyway.conf", "flyway.table=conf\n");
        let (s, notes) =
            Settings::load_with_notes(&Layer::default(), &BTreeMap::new(), cwd).unwrap();
        assert_eq!(s.table, "flyway_schema_history");
        assert!(
            notes.iter().any(|n| n.contains("flyway.conf skipped")),
            "{notes:?}"
        );
        // tidemark.toml + flyway.conf: refused.
        write(cwd, "tidemark.toml", "[tidemark]\n");
        let err = load_err(&Layer::default(), &BTreeMap::new(), cwd);
        assert!(
            err.starts_with("Using both TOML") && err.contains("flyway.conf"),
            "{err}"
        );
    }

    #[test]
    fn named_config_files() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        write(
            cwd,
            "flyway.conf",
            "flyway.table=default\nflyway.target=1\n",
        );
        write(cwd, "conf/env.conf", "flyway.target=2\nflyway.mixed=true\n");
        write(cwd, "conf/flag.conf", "flyway.target=3\n");
        let s = load(
            &flags(&[("configFiles", "conf/flag.conf")]),
            &env(&[("FLYWAY_CONFIG_FILES", "conf/env.conf")]),
            cwd,
        );
        assert_eq!(s.table, "default");
        assert_eq!(s.target, "3");
        assert!(s.mixed);
        assert_eq!(
            s.config_files,
            vec![
                cwd.join("flyway.conf"),
                cwd.join("conf/env.conf"),
                cwd.join("conf/flag.conf")
            ]
        );
        // TIDEMARK_CONFIG_FILES beats FLYWAY_CONFIG_FILES.
        let s = load(
            &Layer::default(),
            &env(&[
                ("FLYWAY_CONFIG_FILES", "conf/env.conf"),
                ("TIDEMARK_CONFIG_FILES", "conf/flag.conf"),
            ]),
            cwd,
        );
        assert_eq!(s.target, "3");
        assert!(!s.mixed);
        let err = load_err(
            &flags(&[("configFiles", "missing.conf")]),
            &BTreeMap::new(),
            cwd,
        );
        assert!(
            err.starts_with("Unable to load config file:")
                && err.contains("missing.conf")
                && err.contains("--config-files"),
            "{err}"
        );
        // Named TOML file.
        write(cwd, "x/ci.toml", "[flyway]\ntarget = \"9\"\n");
        let s = load(
            &flags(&[("configFiles", "x/ci.toml")]),
            &BTreeMap::new(),
            cwd,
        );
        assert_eq!(s.target, "9");
        assert_eq!(s.table, "flyway_schema_history");
    }

    #[test]
    fn unknown_key_in_conf() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        let conf = write(cwd, "flyway.conf", "flyway.fooBar=1\n");
        assert_eq!(
            load_err(&Layer::default(), &BTreeMap::new(), cwd),
            format!(
                "Unknown configuration property: flyway.fooBar (in config file {}, line 1)",
                conf.display()
            )
        );
    }

    #[test]
    fn bad_url_is_masked() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_err(
            &Layer::default(),
            &env(&[("FLYWAY_URL", "jdbc:oracle:thin:@h?password=hunter2")]),
            dir.path(),
        );
        assert!(
            err.contains("Unsupported database URL") && err.contains("FLYWAY_URL"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn format_and_placeholders_from_flags() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        let mut layer = flags(&[("outputType", "JSON"), ("placeholders.A", "1")]);
        layer.set_placeholder("a", Raw::text("2", Origin::Flag("--placeholder".into())));
        let s = load(&layer, &env(&[("FLYWAY_PLACEHOLDERS_B", "3")]), cwd);
        assert_eq!(s.format, Format::Json);
        assert_eq!(s.placeholders.get("a").map(String::as_str), Some("2"));
        assert_eq!(s.placeholders.get("b").map(String::as_str), Some("3"));
        assert!(!s.placeholders.contains_key("A"));
        let err = load_err(&flags(&[("outputType", "xml")]), &BTreeMap::new(), cwd);
        assert!(err.contains("text, json, junit, github or sarif"), "{err}");
        let err = load_err(&flags(&[("placeholders", "x")]), &BTreeMap::new(), cwd);
        assert!(err.contains("placeholders.<name>"), "{err}");
    }
}
