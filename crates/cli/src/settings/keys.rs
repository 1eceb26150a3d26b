//! The table of every setting tidemark knows: Flyway camelCase key, type, default, help.
//!
//! It drives the `--kebab-case` flags, the `-camelCase=value` rewriting, the `TIDEMARK_*` /
//! `FLYWAY_*` environment names and config-file lookups, so they cannot drift apart.
//!
//! Spellings generated from one key, e.g. `outOfOrder`:
//! - GNU flag `--out-of-order <v>` (kebab-case; dots become dashes, so
//!   `postgresql.transactional.lock` is `--postgresql-transactional-lock`); boolean flags also
//!   accept the bare form (`--out-of-order` = true);
//! - Flyway flag `-outOfOrder=<v>`;
//! - environment `TIDEMARK_OUT_OF_ORDER`, then `FLYWAY_OUT_OF_ORDER` (upper snake case; tidemark's
//!   own settings `debug` and `quiet` have no `FLYWAY_` variable);
//! - `flyway.outOfOrder` in `flyway.conf`, `outOfOrder` under `[flyway]` in `flyway.toml` and
//!   under `[tidemark]` in `tidemark.toml`.
//!
//! Dynamic keys: `placeholders.<name>` (`--placeholder NAME=VALUE`, `-placeholders.NAME=V`,
//! `FLYWAY_PLACEHOLDERS_<NAME>` with the name lower-cased, `[flyway.placeholders]`) and
//! `jdbcProperties.<name>` likewise (`--jdbc-property NAME=VALUE`).
//!
//! Keys Flyway has but tidemark does not implement yet are in the table as
//! [`Value::Ignored`]: recognised and type-checked, then ignored (with a debug note), never
//! reported as unknown, so existing Flyway configurations keep loading.

use std::path::PathBuf;

use super::{Format, Settings};

/// The shape of a value, as written in flags, environment variables and config files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any text.
    Text,
    /// `true` / `false` (any case).
    Bool,
    /// A decimal integer.
    Int,
    /// A comma-separated list (a TOML array in TOML files).
    List,
    /// `name=value` pairs (`placeholders.<name>`).
    Map,
}

/// How a key's value reaches [`Settings`].
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// Text stored as is.
    Text(fn(&mut Settings, String)),
    /// `true` / `false`, any case.
    Bool(fn(&mut Settings, bool)),
    /// An integer within `min..=max`.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
        /// Stores the checked value.
        set: fn(&mut Settings, i64),
    },
    /// A list of texts.
    List(fn(&mut Settings, Vec<String>)),
    /// A list of locations: `filesystem:` stripped, relative paths resolved against the
    /// working directory.
    Paths(fn(&mut Settings, Vec<PathBuf>)),
    /// `text` / `json`.
    Format(fn(&mut Settings, Format)),
    /// A duration: `500ms`, `5s`, `2m`, `1h`, or a plain number of milliseconds.
    Duration(fn(&mut Settings, std::time::Duration)),
    /// `placeholders.<name>` / `jdbcProperties.<name>`: collected by name by the loader.
    Map,
    /// Read by the loader itself before the other keys (`configFiles`, `workingDirectory`).
    Loader(Kind),
    /// Flyway has it, tidemark does not implement it yet: checked, then ignored.
    Ignored(Kind),
}

impl Value {
    /// The shape of the value.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Text(_) | Value::Format(_) | Value::Duration(_) => Kind::Text,
            Value::Bool(_) => Kind::Bool,
            Value::Int { .. } => Kind::Int,
            Value::List(_) | Value::Paths(_) => Kind::List,
            Value::Map => Kind::Map,
            Value::Loader(kind) | Value::Ignored(kind) => *kind,
        }
    }
}

/// Where a key lives in Flyway's TOML shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Connection settings: `[environments.<name>]` in TOML (also accepted under
    /// `[flyway]`/`[tidemark]`).
    Connection,
    /// `[flyway]` settings (`[environments.<name>.flyway]` overrides them).
    Flyway,
    /// Command-line settings (also accepted in files and the environment).
    Cli,
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Flyway's camelCase key (`outOfOrder`, `postgresql.transactional.lock`).
    pub name: &'static str,
    /// Type and destination.
    pub value: Value,
    /// The default, written as in a config file; `None`: unset.
    pub default: Option<&'static str>,
    /// One-line help.
    pub help: &'static str,
    /// Where the key lives in TOML.
    pub scope: Scope,
    /// GNU long flag when it is not the kebab-case of `name`.
    pub long: Option<&'static str>,
    /// More GNU long flags.
    pub aliases: &'static [&'static str],
    /// A short flag.
    pub short: Option<char>,
    /// More environment suffixes, for `TIDEMARK_` only (`TIDEMARK_FORMAT`).
    pub env_aliases: &'static [&'static str],
    /// A tidemark setting Flyway does not have: no `FLYWAY_*` variable.
    pub tidemark_only: bool,
    /// Value name in `--help`.
    pub value_name: Option<&'static str>,
    /// Liquibase's names for the setting (`changelogFile`): read from `liquibase.properties`
    /// (any case, `liquibase.command.` prefix allowed) and from `LIQUIBASE_<NAME>` /
    /// `LIQUIBASE_COMMAND_<NAME>` (upper snake case) environment variables.
    pub liquibase: &'static [&'static str],
}

/// Keys are equal when their names are: the name identifies a key.
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.name == other.name
    }
}

impl Eq for Key {}

impl Key {
    const fn new(
        name: &'static str,
        value: Value,
        default: Option<&'static str>,
        help: &'static str,
    ) -> Key {
        Key {
            name,
            value,
            default,
            help,
            scope: Scope::Flyway,
            long: None,
            aliases: &[],
            short: None,
            env_aliases: &[],
            tidemark_only: false,
            value_name: None,
            liquibase: &[],
        }
    }
    const fn connection(mut self) -> Key {
        self.scope = Scope::Connection;
        self
    }
    const fn cli(mut self) -> Key {
        self.scope = Scope::Cli;
        self
    }
    const fn long(mut self, long: &'static str) -> Key {
        self.long = Some(long);
        self
    }
    const fn aliases(mut self, aliases: &'static [&'static str]) -> Key {
        self.aliases = aliases;
        self
    }
    const fn short(mut self, short: char) -> Key {
        self.short = Some(short);
        self
    }
    const fn env_aliases(mut self, env_aliases: &'static [&'static str]) -> Key {
        self.env_aliases = env_aliases;
        self
    }
    const fn tidemark_only(mut self) -> Key {
        self.tidemark_only = true;
        self
    }
    const fn value_name(mut self, value_name: &'static str) -> Key {
        self.value_name = Some(value_name);
        self
    }
    const fn liquibase(mut self, names: &'static [&'static str]) -> Key {
        self.liquibase = names;
        self
    }

    /// The shape of the value.
    pub fn kind(&self) -> Kind {
        self.value.kind()
    }

    /// Whether tidemark uses the value (false for [`Value::Ignored`]).
    pub fn implemented(&self) -> bool {
        !matches!(self.value, Value::Ignored(_))
    }

    /// The GNU long flag, without dashes.
    pub fn long_name(&self) -> String {
        match self.long {
            Some(long) => long.to_string(),
            None => kebab(self.name),
        }
    }

    /// Every GNU long flag, without dashes: the main one first, then the aliases.
    pub fn long_names(&self) -> Vec<String> {
        let mut names = vec![self.long_name()];
        names.extend(self.aliases.iter().map(|a| a.to_string()));
        names
    }

    /// Environment variables, highest precedence first: `TIDEMARK_OUT_OF_ORDER`, then the
    /// `TIDEMARK_` aliases, then `FLYWAY_OUT_OF_ORDER` (unless tidemark-only).
    pub fn env_names(&self) -> Vec<String> {
        let suffix = upper_snake(self.name);
        let mut names = vec![format!("TIDEMARK_{suffix}")];
        names.extend(self.env_aliases.iter().map(|a| format!("TIDEMARK_{a}")));
        if !self.tidemark_only {
            names.push(format!("FLYWAY_{suffix}"));
        }
        names
    }

    /// Liquibase's environment variables for the key, lowest precedence first:
    /// `LIQUIBASE_<NAME>`, then `LIQUIBASE_COMMAND_<NAME>`, per Liquibase name.
    pub fn liquibase_env_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for name in self.liquibase {
            names.push(format!("LIQUIBASE_{}", upper_snake(name)));
        }
        for name in self.liquibase {
            names.push(format!("LIQUIBASE_COMMAND_{}", upper_snake(name)));
        }
        names
    }
}

/// Splits a camelCase (and dotted) key into lower-case words: `communityDBSupportEnabled` ->
/// `community`, `db`, `support`, `enabled`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' || c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `outOfOrder` -> `out-of-order`; `postgresql.transactional.lock` ->
/// `postgresql-transactional-lock`.
pub fn kebab(name: &str) -> String {
    words(name).join("-")
}

/// `outOfOrder` -> `OUT_OF_ORDER`.
pub fn upper_snake(name: &str) -> String {
    words(name).join("_").to_ascii_uppercase()
}

/// The settings reference as a Markdown table (the README embeds it; a test keeps it current).
#[cfg(test)]
pub fn markdown_reference() -> String {
    let mut out = String::from(
        "| Key (Flyway name) | GNU flag | Environment | Default | Meaning |\n|---|---|---|---|---|\n",
    );
    let mut ignored = Vec::new();
    for key in KEYS {
        if matches!(key.value, Value::Ignored(_)) {
            ignored.push(format!("`{}`", key.name));
            continue;
        }
        let flag = match key.kind() {
            Kind::Map => format!("`--{} NAME=VALUE`", key.long_names()[0]),
            _ => format!("`--{}`", key.long_names()[0]),
        };
        let env = key.env_names().first().cloned().unwrap_or_default();
        let env = match key.kind() {
            Kind::Map => format!("`{env}_<NAME>`"),
            _ => format!("`{env}`"),
        };
        let default = match key.default {
            Some("") | None => String::new(),
            Some(d) => format!("`{}`", d.replace('|', "\\|")),
        };
        out.push_str(&format!(
            "| `{}` | {flag} | {env} | {default} | {} |\n",
            key.name,
            key.help.replace('|', "\\|")
        ));
    }
    out.push_str(&format!(
        "\nAccepted for compatibility and ignored (tidemark does not implement them yet): {}.\n",
        ignored.join(", ")
    ));
    out
}

/// The key named `name` (Flyway camelCase, exact case).
pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|key| key.name == name)
}

/// The key whose GNU long flag (or alias) is `long` (without dashes).
pub fn find_long(long: &str) -> Option<&'static Key> {
    KEYS.iter()
        .find(|key| key.long_names().iter().any(|l| l == long))
}

/// The key read from environment variable `name` (`FLYWAY_OUT_OF_ORDER`); map keys
/// (`*_PLACEHOLDERS_<NAME>`) are matched by prefix in the loader instead.
pub fn find_env(name: &str) -> Option<&'static Key> {
    KEYS.iter()
        .find(|key| key.kind() != Kind::Map && key.env_names().iter().any(|n| n == name))
}

/// A key spelled with the wrong case (`outoforder`), to suggest the right one.
pub fn suggest(name: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|key| key.name.eq_ignore_ascii_case(name))
        .map(|key| key.name)
}

/// Flyway plugin and database namespaces (`flyway.oracle.sqlplus`,
/// `[flyway.sqlserver.kerberos]`, ...): their keys are accepted and ignored.
pub const PLUGIN_NAMESPACES: &[&str] = &[
    "bigquery",
    "check",
    "clickhouse",
    "cockroachdb",
    "db2",
    "mongodb",
    "mysql",
    "oracle",
    "plugins",
    "postgresql",
    "redshift",
    "snowflake",
    "sqlserver",
];

/// What a dotted key (without the `flyway.` prefix) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classified<'a> {
    /// A key of the table.
    Key(&'static Key),
    /// `placeholders.<name>`.
    Placeholder(&'a str),
    /// `jdbcProperties.<name>`.
    JdbcProperty(&'a str),
    /// `environments.<env>.<key>`.
    Environment {
        /// The environment name.
        env: &'a str,
        /// The rest of the key, to classify again.
        key: &'a str,
    },
    /// Accepted and ignored: a plugin namespace, or a map key tidemark does not implement.
    Ignored,
    /// Not a key Flyway or tidemark knows.
    Unknown,
}

/// Classifies a key as written after `flyway.` / `-` / inside `[flyway]`.
pub fn classify(name: &str) -> Classified<'_> {
    if let Some(key) = find(name) {
        return Classified::Key(key);
    }
    let Some((head, rest)) = name.split_once('.') else {
        return Classified::Unknown;
    };
    if rest.is_empty() {
        return Classified::Unknown;
    }
    match head {
        "placeholders" => Classified::Placeholder(rest),
        "jdbcProperties" => Classified::JdbcProperty(rest),
        "environments" => match rest.split_once('.') {
            Some((env, key)) if !env.is_empty() && !key.is_empty() => {
                Classified::Environment { env, key }
            }
            _ => Classified::Unknown,
        },
        _ if PLUGIN_NAMESPACES.contains(&head) => Classified::Ignored,
        _ => match find(head) {
            Some(key) if key.kind() == Kind::Map || !key.implemented() => Classified::Ignored,
            _ => Classified::Unknown,
        },
    }
}

const fn text(
    name: &'static str,
    default: Option<&'static str>,
    help: &'static str,
    set: fn(&mut Settings, String),
) -> Key {
    Key::new(name, Value::Text(set), default, help)
}

const fn boolean(
    name: &'static str,
    default: &'static str,
    help: &'static str,
    set: fn(&mut Settings, bool),
) -> Key {
    Key::new(name, Value::Bool(set), Some(default), help)
}

const fn list(
    name: &'static str,
    default: &'static str,
    help: &'static str,
    set: fn(&mut Settings, Vec<String>),
) -> Key {
    Key::new(name, Value::List(set), Some(default), help)
}

const fn ignored(name: &'static str, kind: Kind, help: &'static str) -> Key {
    Key::new(name, Value::Ignored(kind), None, help)
}

/// Every setting, in `--help` order.
pub static KEYS: &[Key] = &[
    // Connection.
    text(
        "url",
        Some("sqlite:tidemark.db"),
        "Database URL: sqlite:PATH, jdbc:sqlite:PATH, postgres://..., jdbc:postgresql://..., mysql://... (DATABASE_URL is the last fallback)",
        |s, v| s.url = v,
    )
    .connection()
    .value_name("URL")
    .liquibase(&["url"]),
    text("user", None, "Database user", |s, v| s.user = Some(v))
        .connection()
        .aliases(&["username"])
        .value_name("USER")
        .liquibase(&["username"]),
    text("password", None, "Database password", |s, v| s.password = Some(v))
        .connection()
        .value_name("PASSWORD")
        .liquibase(&["password"]),
    list(
        "schemas",
        "",
        "Schemas managed by tidemark (comma list); the first holds the history table",
        |s, v| s.schemas = v,
    )
    .connection(),
    Key::new(
        "connectRetries",
        Value::Int {
            min: 0,
            max: u32::MAX as i64,
            set: |s, v| s.connect_retries = u32::try_from(v).unwrap_or(u32::MAX),
        },
        Some("0"),
        "Retries when connecting fails",
    )
    .connection(),
    Key::new(
        "connectRetriesInterval",
        Value::Int {
            min: 0,
            max: i64::MAX,
            set: |s, v| s.connect_retries_interval = u64::try_from(v).unwrap_or(0),
        },
        Some("120"),
        "Maximum seconds between connection retries",
    )
    .connection(),
    text("initSql", None, "SQL run on each new connection", |s, v| {
        s.init_sql = Some(v)
    })
    .connection()
    .value_name("SQL"),
    Key::new(
        "jdbcProperties",
        Value::Map,
        None,
        "Driver property NAME=VALUE (repeatable; Flyway: -jdbcProperties.NAME=VALUE); accepted, not used yet",
    )
    .connection()
    .long("jdbc-property")
    .value_name("NAME=VALUE"),
    ignored("driver", Kind::Text, "JDBC driver class (accepted, ignored: tidemark picks the driver from the URL)")
        .connection(),
    ignored("jarDirs", Kind::List, "Directories of Java migrations (accepted, ignored)").connection(),
    ignored("provisioner", Kind::Text, "Environment provisioner (accepted, ignored)").connection(),
    // Where migrations are and how they are named.
    Key::new(
        "locations",
        Value::Paths(|s, v| s.locations = v),
        Some("migrations"),
        "Migration directories (comma list; filesystem: prefix accepted; relative to the working directory)",
    )
    .value_name("DIR,..."),
    Key::new(
        "callbackLocations",
        Value::Paths(|s, v| s.callback_locations = v),
        Some(""),
        "Extra directories of SQL callbacks (comma list)",
    )
    .value_name("DIR,..."),
    boolean(
        "failOnMissingLocations",
        "false",
        "Fail when a location does not exist",
        |s, v| s.fail_on_missing_locations = v,
    ),
    text("sqlMigrationPrefix", Some("V"), "Prefix of versioned migrations", |s, v| {
        s.sql_migration_prefix = v
    }),
    text("undoSqlMigrationPrefix", Some("U"), "Prefix of undo migrations", |s, v| {
        s.undo_sql_migration_prefix = v
    }),
    text(
        "repeatableSqlMigrationPrefix",
        Some("R"),
        "Prefix of repeatable migrations",
        |s, v| s.repeatable_sql_migration_prefix = v,
    ),
    text(
        "baselineMigrationPrefix",
        Some("B"),
        "Prefix of baseline migrations",
        |s, v| s.baseline_migration_prefix = v,
    ),
    text(
        "sqlMigrationSeparator",
        Some("__"),
        "Separator between version and description",
        |s, v| s.sql_migration_separator = v,
    ),
    list(
        "sqlMigrationSuffixes",
        ".sql",
        "Suffixes of SQL migrations (comma list)",
        |s, v| s.sql_migration_suffixes = v,
    ),
    boolean(
        "validateMigrationNaming",
        "false",
        "Fail on files in the locations whose names are not migrations",
        |s, v| s.validate_migration_naming = v,
    ),
    text("encoding", Some("UTF-8"), "Encoding of SQL migrations", |s, v| s.encoding = v),
    boolean(
        "detectEncoding",
        "false",
        "Detect the encoding of each SQL migration",
        |s, v| s.detect_encoding = v,
    ),
    // Placeholders.
    boolean(
        "placeholderReplacement",
        "true",
        "Replace placeholders in SQL migrations",
        |s, v| s.placeholder_replacement = v,
    ),
    text("placeholderPrefix", Some("${"), "Placeholder prefix", |s, v| s.placeholder_prefix = v),
    text("placeholderSuffix", Some("}"), "Placeholder suffix", |s, v| s.placeholder_suffix = v),
    text(
        "placeholderSeparator",
        Some(":"),
        "Separator of built-in placeholders (flyway:table)",
        |s, v| s.placeholder_separator = v,
    ),
    Key::new(
        "placeholders",
        Value::Map,
        None,
        "Placeholder NAME=VALUE (repeatable; Flyway: -placeholders.NAME=VALUE, FLYWAY_PLACEHOLDERS_NAME)",
    )
    .long("placeholder")
    .value_name("NAME=VALUE"),
    ignored("scriptPlaceholderPrefix", Kind::Text, "Script placeholder prefix (accepted, ignored)"),
    ignored("scriptPlaceholderSuffix", Kind::Text, "Script placeholder suffix (accepted, ignored)"),
    // What migrate does.
    text(
        "target",
        Some("latest"),
        "Migrate up to this version (latest, current, next, a version; trailing ? = if present)",
        |s, v| s.target = v,
    )
    .value_name("VERSION"),
    boolean(
        "failOnMissingTarget",
        "true",
        "Fail when the target version does not exist",
        |s, v| s.fail_on_missing_target = v,
    ),
    boolean(
        "outOfOrder",
        "false",
        "Apply pending migrations older than the latest applied one",
        |s, v| s.out_of_order = v,
    ),
    boolean(
        "validateOnMigrate",
        "true",
        "Validate before migrating",
        |s, v| s.validate_on_migrate = v,
    ),
    list(
        "ignoreMigrationPatterns",
        "*:future",
        "Validation findings to ignore, type:state (comma list; empty = none)",
        |s, v| s.ignore_migration_patterns = v,
    )
    .value_name("PATTERN,..."),
    boolean(
        "baselineOnMigrate",
        "false",
        "Baseline a non-empty schema without history on migrate",
        |s, v| s.baseline_on_migrate = v,
    ),
    text("baselineVersion", Some("1"), "Version of the baseline", |s, v| {
        s.baseline_version = v
    })
    .value_name("VERSION"),
    text(
        "baselineDescription",
        Some("<< Flyway Baseline >>"),
        "Description of the baseline",
        |s, v| s.baseline_description = v,
    ),
    boolean("cleanDisabled", "true", "Refuse to run clean", |s, v| s.clean_disabled = v),
    boolean(
        "mixed",
        "false",
        "Allow transactional and non-transactional statements in one migration",
        |s, v| s.mixed = v,
    ),
    boolean(
        "group",
        "false",
        "Apply all pending migrations in one transaction",
        |s, v| s.group = v,
    ),
    boolean(
        "executeInTransaction",
        "true",
        "Run each migration in a transaction",
        |s, v| s.execute_in_transaction = v,
    ),
    text("installedBy", None, "installed_by recorded in the history table", |s, v| {
        s.installed_by = Some(v)
    }),
    Key::new(
        "lockRetryCount",
        Value::Int {
            min: -1,
            max: i64::MAX,
            set: |s, v| s.lock_retry_count = v,
        },
        Some("50"),
        "Retries to take the migration lock (-1 = forever)",
    ),
    Key::new(
        "lockTimeout",
        Value::Duration(|s, v| s.lock_timeout = (!v.is_zero()).then_some(v)),
        Some("5s"),
        "How long a statement waits for a lock before the migration is rolled back and retried (PostgreSQL lock_timeout, MySQL lock_wait_timeout): 500ms, 5s, 2m; 0 = the database's default",
    ),
    Key::new(
        "lockRetries",
        Value::Int {
            min: 0,
            max: 1000,
            set: |s, v| s.lock_retries = v as u32,
        },
        Some("5"),
        "Retries of a transactional migration that hit lockTimeout, with jittered exponential backoff",
    ),
    text(
        "lintOnMigrate",
        Some("warn"),
        "What migrate does with lint findings for the migrations it is about to apply: off, warn (print them; the review runs beside the migrations and prints before the summary) or error (review first, refuse on an error finding)",
        |s, v| s.lint_on_migrate = v,
    ),
    boolean(
        "strictPhases",
        "false",
        "Refuse a run that applies a contract migration after expand migrations of the same run (default: warn)",
        |s, v| s.strict_phases = v,
    ),
    text(
        "deploymentId",
        None,
        "Run id shared by several invocations of one deployment (recorded in the companion table)",
        |s, v| s.deployment_id = Some(v),
    )
    .value_name("ID"),
    Key::new(
        "statementTimeout",
        Value::Duration(|s, v| s.statement_timeout = Some(v)),
        None,
        "Longest a statement may run (PostgreSQL statement_timeout, MySQL max_execution_time, MariaDB max_statement_time)",
    ),
    boolean(
        "skipDefaultCallbacks",
        "false",
        "Do not run SQL callbacks found in the locations",
        |s, v| s.skip_default_callbacks = v,
    ),
    boolean(
        "skipExecutingMigrations",
        "false",
        "Record migrations as applied without running them",
        |s, v| s.skip_executing_migrations = v,
    ),
    // Schemas and history table.
    text("table", Some("flyway_schema_history"), "History table name", |s, v| {
        s.table = v
    }),
    text("tablespace", None, "Tablespace of the history table", |s, v| {
        s.tablespace = Some(v)
    }),
    text("defaultSchema", None, "Default schema (else the first of schemas)", |s, v| {
        s.default_schema = Some(v)
    })
    .aliases(&["default-schema-name"])
    .liquibase(&["defaultSchemaName"]),
    boolean(
        "createSchemas",
        "true",
        "Create the schemas when missing",
        |s, v| s.create_schemas = v,
    ),
    boolean(
        "postgresql.transactional.lock",
        "false",
        "PostgreSQL: take a transaction-level advisory lock (tidemark default false)",
        |s, v| s.postgresql_transactional_lock = v,
    ),
    // Flyway keys tidemark accepts and ignores for now.
    ignored("callbacks", Kind::List, "Java callback classes (accepted, ignored)"),
    ignored("resolvers", Kind::List, "Java migration resolvers (accepted, ignored)"),
    ignored("migrationResolvers", Kind::List, "TOML name of resolvers (accepted, ignored)"),
    ignored("skipDefaultResolvers", Kind::Bool, "Skip default resolvers (accepted, ignored)"),
    ignored("stream", Kind::Bool, "Stream SQL migrations (accepted, ignored)"),
    ignored("batch", Kind::Bool, "Batch SQL statements (accepted, ignored)"),
    ignored("outputQueryResults", Kind::Bool, "Print SELECT results (accepted, ignored)"),
    ignored("errorOverrides", Kind::List, "Error overrides, Teams (accepted, ignored)"),
    ignored("cherryPick", Kind::List, "Migrations to apply, Teams (accepted, ignored)"),
    Key::new(
        "dryRunOutput",
        Value::Text(|s, v| s.dry_run_output = Some(std::path::PathBuf::from(v))),
        None,
        "Write the SQL a migrate or undo would run to this file instead of running it (a dry run)",
    )
    .value_name("FILE"),
    Key::new(
        "undoRecord",
        Value::Text(|s, v| s.undo_record = v),
        Some("undo_sql"),
        "How undo is recorded: undo_sql (Flyway Teams' UNDO_SQL row) or delete (a DELETE row Flyway Community reads)",
    ),
    ignored("licenseKey", Kind::Text, "Flyway license key (accepted, ignored)"),
    ignored("loggers", Kind::List, "Flyway loggers (accepted, ignored)"),
    ignored("kerberosConfigFile", Kind::Text, "Kerberos configuration (accepted, ignored)"),
    ignored("reportEnabled", Kind::Bool, "Write an HTML report (accepted, ignored)"),
    ignored("reportFilename", Kind::Text, "HTML report file (accepted, ignored)"),
    ignored("outputProgress", Kind::Bool, "Print progress (accepted, ignored)"),
    ignored("outputLogsInJson", Kind::Bool, "JSON logs (accepted, ignored)"),
    ignored("environmentProvisionMode", Kind::Text, "Provision mode (accepted, ignored)"),
    ignored("cleanOnValidationError", Kind::Bool, "Removed in Flyway 10 (accepted, ignored)"),
    ignored("communityDBSupportEnabled", Kind::Bool, "Community databases (accepted, ignored)"),
    ignored("powershellExecutable", Kind::Text, "PowerShell for script migrations (accepted, ignored)"),
    ignored("propertyResolvers", Kind::Map, "TOML property resolvers (accepted, ignored)"),
    // Liquibase mode: a changelog is configured.
    Key::new(
        "changelog",
        Value::Text(|s, v| s.changelog = Some(v).filter(|v| !v.trim().is_empty())),
        None,
        "Liquibase changelog (formatted SQL, XML or YAML) relative to the search path; setting it switches to Liquibase mode",
    )
    .long("changelog-file")
    .tidemark_only()
    .value_name("FILE")
    .liquibase(&["changelogFile"]),
    list(
        "searchPath",
        "",
        "Liquibase: directories the changelog and its includes are found in (comma list; default: the current directory)",
        |s, v| s.search_path = v,
    )
    .tidemark_only()
    .value_name("DIR,...")
    .liquibase(&["searchPath"]),
    text("contexts", None, "Liquibase context filter (alias --context-filter)", |s, v| {
        s.contexts = Some(v)
    })
    .aliases(&["context-filter"])
    .tidemark_only()
    .value_name("EXPRESSION")
    .liquibase(&["contexts", "contextFilter"]),
    text("labels", None, "Liquibase label filter expression (alias --label-filter)", |s, v| {
        s.labels = Some(v)
    })
    .aliases(&["label-filter"])
    .tidemark_only()
    .value_name("EXPRESSION")
    .liquibase(&["labels", "labelFilter"]),
    Key::new(
        "defaultsFile",
        Value::Loader(Kind::Text),
        None,
        "Liquibase properties file (default: liquibase.properties in the current directory, when present)",
    )
    .cli()
    .tidemark_only()
    .value_name("FILE")
    .liquibase(&["defaultsFile"]),
    Key::new(
        "changelogLockWaitTimeInMinutes",
        Value::Int {
            min: 0,
            max: 1_000_000,
            set: |s, v| s.changelog_lock_wait_minutes = v,
        },
        Some("5"),
        "Liquibase mode: minutes to wait for DATABASECHANGELOGLOCK held by another run",
    )
    .tidemark_only()
    .liquibase(&["changelogLockWaitTimeInMinutes"]),
    Key::new(
        "changelogLockPollRate",
        Value::Int {
            min: 0,
            max: 1_000_000,
            set: |s, v| s.changelog_lock_poll_seconds = v,
        },
        Some("10"),
        "Liquibase mode: seconds between attempts to take DATABASECHANGELOGLOCK",
    )
    .tidemark_only()
    .liquibase(&["changelogLockPollRate"]),
    text(
        "databaseChangelogTableName",
        Some("DATABASECHANGELOG"),
        "Liquibase mode: name of the changelog tracking table",
        |s, v| s.changelog_table = v,
    )
    .tidemark_only()
    .liquibase(&["databaseChangelogTableName"]),
    text(
        "databaseChangelogLockTableName",
        Some("DATABASECHANGELOGLOCK"),
        "Liquibase mode: name of the lock table",
        |s, v| s.changelog_lock_table = v,
    )
    .tidemark_only()
    .liquibase(&["databaseChangelogLockTableName"]),
    ignored("logLevel", Kind::Text, "Liquibase log level (accepted, ignored)")
        .cli()
        .tidemark_only()
        .liquibase(&["logLevel"]),
    ignored("showBanner", Kind::Bool, "Liquibase banner (accepted, ignored)")
        .cli()
        .tidemark_only()
        .liquibase(&["showBanner"]),
    // Command line.
    Key::new(
        "configFiles",
        Value::Loader(Kind::List),
        Some(""),
        "Config files to read after the default ones (comma list, relative to the current directory)",
    )
    .cli()
    .value_name("FILE,..."),
    Key::new(
        "workingDirectory",
        Value::Loader(Kind::Text),
        None,
        "Directory where config files are found and relative locations start (default: current directory)",
    )
    .cli()
    .value_name("DIR"),
    text(
        "environment",
        Some("default"),
        "TOML environment to use ([environments.NAME])",
        |s, v| s.environment = v,
    )
    .cli()
    .value_name("NAME"),
    Key::new(
        "outputType",
        Value::Format(|s, v| s.format = v),
        Some("text"),
        "Output format: text or json (Flyway: -outputType=json)",
    )
    .cli()
    .long("format")
    .aliases(&["output-type"])
    .env_aliases(&["FORMAT"])
    .value_name("text|json"),
    boolean("debug", "false", "Print debug output, more than the default (Flyway: -X)", |s, v| s.debug = v)
        .cli()
        .short('X')
        .tidemark_only(),
    boolean("quiet", "false", "Print only warnings and errors (Flyway: -q)", |s, v| {
        s.quiet = v
    })
    .cli()
    .short('q')
    .tidemark_only(),
    ignored("configFileEncoding", Kind::Text, "Encoding of config files (accepted; UTF-8 only)").cli(),
    Key::new(
        "outputFile",
        Value::Text(|s, v| s.output_file = Some(PathBuf::from(v))),
        None,
        "Liquibase mode: write the SQL of the *-sql commands to this file (Flyway's outputFile is accepted and ignored)",
    )
    .cli()
    .value_name("FILE")
    .liquibase(&["outputFile"]),
    ignored("color", Kind::Text, "always, never or auto (accepted, ignored)").cli(),
    ignored("infoSinceDate", Kind::Text, "info filter (accepted, ignored)").cli(),
    ignored("infoUntilDate", Kind::Text, "info filter (accepted, ignored)").cli(),
    ignored("infoSinceVersion", Kind::Text, "info filter (accepted, ignored)").cli(),
    ignored("infoUntilVersion", Kind::Text, "info filter (accepted, ignored)").cli(),
    ignored("infoOfState", Kind::Text, "info filter (accepted, ignored)").cli(),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's settings table is generated from `KEYS`; run with `UPDATE_README=1` to
    /// rewrite it after changing a key.
    #[test]
    fn readme_settings_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).expect("README.md");
        let (start, end) = ("<!-- settings:start -->\n", "<!-- settings:end -->");
        let a = readme.find(start).expect("settings:start marker") + start.len();
        let b = readme.find(end).expect("settings:end marker");
        let table = markdown_reference();
        if readme[a..b] != table {
            if std::env::var_os("UPDATE_README").is_some() {
                let updated = format!("{}{table}{}", &readme[..a], &readme[b..]);
                std::fs::write(path, updated).unwrap();
            } else {
                panic!(
                    "README.md settings table is out of date: run `UPDATE_README=1 cargo test -p tidemark readme`"
                );
            }
        }
    }
    use std::collections::BTreeSet;

    #[test]
    fn names_are_generated() {
        assert_eq!(kebab("outOfOrder"), "out-of-order");
        assert_eq!(
            kebab("postgresql.transactional.lock"),
            "postgresql-transactional-lock"
        );
        assert_eq!(
            kebab("communityDBSupportEnabled"),
            "community-db-support-enabled"
        );
        assert_eq!(kebab("url"), "url");
        assert_eq!(upper_snake("outOfOrder"), "OUT_OF_ORDER");
        assert_eq!(upper_snake("initSql"), "INIT_SQL");
        assert_eq!(
            upper_snake("postgresql.transactional.lock"),
            "POSTGRESQL_TRANSACTIONAL_LOCK"
        );
        assert_eq!(
            upper_snake("sqlMigrationSuffixes"),
            "SQL_MIGRATION_SUFFIXES"
        );
        assert_eq!(
            upper_snake("connectRetriesInterval"),
            "CONNECT_RETRIES_INTERVAL"
        );
    }

    #[test]
    fn every_spelling_is_unique() {
        let mut names = BTreeSet::new();
        let mut longs = BTreeSet::new();
        let mut envs = BTreeSet::new();
        let mut shorts = BTreeSet::new();
        for key in KEYS {
            assert!(names.insert(key.name), "duplicate key {}", key.name);
            for long in key.long_names() {
                assert!(longs.insert(long.clone()), "duplicate flag --{long}");
            }
            for env in key.env_names() {
                assert!(envs.insert(env.clone()), "duplicate env {env}");
            }
            if let Some(short) = key.short {
                assert!(shorts.insert(short), "duplicate -{short}");
            }
            assert!(!key.help.is_empty());
        }
        // Flags the clap derive defines itself must not collide.
        for reserved in ["help", "version"] {
            assert!(!longs.contains(reserved));
        }
        assert!(!shorts.contains(&'D') && !shorts.contains(&'h') && !shorts.contains(&'V'));
    }

    #[test]
    fn lookups() {
        assert_eq!(find("outOfOrder").unwrap().long_name(), "out-of-order");
        assert_eq!(find_long("username").unwrap().name, "user");
        assert_eq!(find_long("format").unwrap().name, "outputType");
        assert_eq!(find_long("output-type").unwrap().name, "outputType");
        assert_eq!(find_env("FLYWAY_OUT_OF_ORDER").unwrap().name, "outOfOrder");
        assert_eq!(
            find_env("TIDEMARK_OUT_OF_ORDER").unwrap().name,
            "outOfOrder"
        );
        assert_eq!(find_env("TIDEMARK_FORMAT").unwrap().name, "outputType");
        assert_eq!(find_env("FLYWAY_OUTPUT_TYPE").unwrap().name, "outputType");
        assert!(find_env("FLYWAY_FORMAT").is_none());
        assert!(find_env("FLYWAY_DEBUG").is_none());
        assert_eq!(find_env("TIDEMARK_DEBUG").unwrap().name, "debug");
        assert!(find_env("FLYWAY_PLACEHOLDERS").is_none());
        assert_eq!(suggest("outoforder"), Some("outOfOrder"));
    }

    #[test]
    fn classification() {
        assert!(matches!(classify("outOfOrder"), Classified::Key(k) if k.name == "outOfOrder"));
        assert_eq!(
            classify("placeholders.Owner"),
            Classified::Placeholder("Owner")
        );
        assert_eq!(
            classify("jdbcProperties.ssl"),
            Classified::JdbcProperty("ssl")
        );
        assert_eq!(
            classify("environments.dev.url"),
            Classified::Environment {
                env: "dev",
                key: "url"
            }
        );
        assert_eq!(classify("oracle.sqlplus"), Classified::Ignored);
        assert_eq!(classify("postgresql.other"), Classified::Ignored);
        assert_eq!(classify("propertyResolvers.x.y"), Classified::Ignored);
        assert_eq!(classify("fooBar"), Classified::Unknown);
        assert_eq!(classify("placeholders."), Classified::Unknown);
        assert_eq!(classify("outOfOrder.x"), Classified::Unknown);
    }

    #[test]
    fn the_keys_the_brief_names_are_accepted() {
        for name in [
            "licenseKey",
            "jarDirs",
            "stream",
            "batch",
            "cherryPick",
            "resolvers",
            "callbacks",
            "errorOverrides",
            "loggers",
            "outputQueryResults",
            "driver",
            "configFileEncoding",
            "dryRunOutput",
            "outputFile",
            "color",
            "url",
            "user",
            "password",
            "schemas",
        ] {
            assert!(find(name).is_some(), "{name}");
        }
    }
}
