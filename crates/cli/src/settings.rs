//! Settings: every source of configuration merged in one place.
//!
//! Precedence, highest first (Flyway reference §6.5): command-line flags, environment
//! (`TIDEMARK_*` over `FLYWAY_*`, then `DATABASE_URL` for the URL only), config files
//! (`-configFiles=` / `TIDEMARK_CONFIG_FILES`, else `tidemark.toml`, `flyway.toml` or
//! `flyway.conf` in the working directory), built-in defaults. Every setting is known by its
//! Flyway camelCase key (`outOfOrder`); the table in [`keys`] maps each key to its flag, its
//! environment variable and its type, so a new setting is one line there.

pub mod keys;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable text (Flyway-like).
    #[default]
    Text,
    /// One JSON document per command (`--format json`, `-outputType=json`).
    Json,
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
}
