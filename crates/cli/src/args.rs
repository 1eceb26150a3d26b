//! Command-line arguments: clap derive types for the commands, plus one generated flag per
//! setting from [`crate::settings::keys`].
//!
//! Flyway's form (`-url=jdbc:sqlite:app.db -locations=filesystem:sql migrate`) is rewritten into
//! clap's form first, so existing scripts keep working; `-D<name>=<value>` is left alone.
//!
//! What [`rewrite`] does to the raw arguments, before clap sees them:
//! - `-key=value` for a known Flyway key becomes `--kebab-key=value`; `-placeholders.NAME=V`,
//!   `-jdbcProperties.NAME=V` and `-environments.ENV.KEY=V` are taken out and handed to the
//!   settings directly; Flyway plugin keys (`-oracle.sqlplus=true`) are dropped with a note;
//!   any other `-fooBar=x` is the usage error `Unknown configuration property: fooBar`.
//! - Flyway's bare flags: `-X` and `-q` are ordinary short flags; `-n`,
//!   `-skipCheckForUpdate`, `-communityFallback` and `-migrationIds` are dropped with a note;
//!   `-v` means `--version` and `-?` means `--help`.
//! - GNU boolean flags are made explicit: `--out-of-order` alone or followed by anything but
//!   `true`/`false` becomes `--out-of-order=true`, and `--out-of-order false` becomes
//!   `--out-of-order=false`, so a bare flag never swallows the subcommand.
//! - Setting flags written after the subcommand are moved before it. clap's global arguments
//!   keep only the subcommand's values when a repeatable flag is given on both sides
//!   (`--placeholder a=1 migrate --placeholder b=2` would lose `a`); hoisting keeps them all
//!   while `--help` stays where it was written.
//!
//! Every setting flag is `global`, so `tidemark --url x migrate` and `tidemark migrate --url x`
//! are the same. Placeholders on the command line: `--placeholder NAME=VALUE` (repeatable) or
//! Flyway's `-placeholders.NAME=VALUE`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

// Liquibase's command names (Liquibase mode), also recognised by the rewriter.
use crate::commands::liquibase::args::NAMES as LIQUIBASE_SUBCOMMANDS;
use crate::settings::keys::{self, Classified, Key, Kind, Scope};
use crate::settings::{Layer, Origin, Raw, RawValue, Settings, SettingsError};

const ABOUT: &str = "Database migrations, drop-in compatible with the Flyway command line";

const AFTER_HELP: &str = "\
Every setting also has Flyway's spelling (-outOfOrder=true), an environment variable
(TIDEMARK_OUT_OF_ORDER, then FLYWAY_OUT_OF_ORDER) and a config-file key (tidemark.toml,
flyway.toml or flyway.conf). Precedence: flags, environment, config files, defaults.

Exit codes: 0 success; 1 the command failed (validation, a migration, the database);
2 bad arguments, settings or URL.";

/// The clap derive part: the commands and the flags that are not settings.
#[derive(Parser, Debug)]
#[command(
    name = "tidemark",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Liquibase-style property NAME=VALUE (repeatable; no Flyway command uses it yet)
    #[arg(short = 'D', value_name = "NAME=VALUE", global = true, action = ArgAction::Append)]
    defines: Vec<String>,
}

/// The commands, as in Flyway.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Apply pending migrations
    #[command(
        long_about = "Apply pending versioned migrations in order, then repeatable migrations whose checksum changed. Validates first unless validateOnMigrate=false.",
        after_help = "Example:\n  tidemark migrate --url sqlite:app.db --locations filesystem:sql\n  tidemark -url=jdbc:sqlite:app.db -locations=filesystem:sql migrate\n  tidemark migrate --dry-run > deploy.sql"
    )]
    Migrate(MigrateArgs),
    /// Show applied and pending migrations
    #[command(
        long_about = "Print every migration, applied or pending, with its state (Pending, Success, Failed, Missing, Future, Ignored, Outdated, ...).",
        after_help = "Example:\n  tidemark info\n  tidemark info --format json\n  tidemark info --fleet fleet.toml"
    )]
    Info(InfoArgs),
    /// Check applied migrations against the files
    #[command(
        long_about = "Compare the history table with the migration files: changed checksums, missing files, pending or failed migrations. Exit code 1 on a finding.",
        after_help = "Example:\n  tidemark validate --ignore-migration-patterns '*:pending'"
    )]
    Validate,
    /// Mark an existing schema as migrated up to a version
    #[command(
        long_about = "Create the history table with a baseline row at baselineVersion, so older migrations are skipped on an existing schema.",
        after_help = "Example:\n  tidemark baseline --baseline-version 3 --baseline-description 'Existing schema'"
    )]
    Baseline,
    /// Remove failed rows and realign checksums with the files
    #[command(
        long_about = "Delete failed migration rows from the history table, and update checksums, descriptions and types of applied migrations to match the files.",
        after_help = "Example:\n  tidemark repair"
    )]
    Repair,
    /// Drop every object in the configured schemas (refused unless cleanDisabled=false)
    #[command(
        long_about = "Drop all objects in the configured schemas, history table included. Refused unless cleanDisabled is false, as in Flyway 9 and later.",
        after_help = "Example:\n  tidemark clean --clean-disabled=false"
    )]
    Clean,
    /// Undo the latest applied migrations with their U files
    #[command(
        long_about = "Run U<version>__*.sql files to revert applied versioned migrations, newest first: the latest one by default, N with --count, or every one at or above --target. Records Flyway's UNDO_SQL row (or a DELETE row with undoRecord=delete). Nothing runs if a migration in range has no undo file.",
        after_help = "Example:\n  tidemark undo\n  tidemark undo --count 2\n  tidemark -target=3 undo\n  tidemark undo --dry-run"
    )]
    Undo(UndoArgs),
    /// Show what changed in an applied migration's file since it was applied
    #[command(
        long_about = "Print a unified diff between the text of a versioned migration as it was applied (kept in the companion table) and the file as it is now.",
        after_help = "Example:\n  tidemark diff 3"
    )]
    Diff(DiffArgs),
    /// Create the next versioned migration and its undo file
    #[command(
        long_about = "Create V<next>__<description>.sql and U<next>__<description>.sql in the first location, with a phase directive. The next version is the highest first version part + 1, or a timestamp when the existing files use timestamps.",
        after_help = "Example:\n  tidemark new add orders table\n  tidemark new backfill order totals --phase backfill"
    )]
    New(NewArgs),
    /// Write the undo file of a versioned migration from its statements
    #[command(
        name = "undo-script",
        long_about = "Write U<version>__<description>.sql next to the V file: the inverse of each purely additive statement (CREATE TABLE/INDEX/VIEW/SEQUENCE, ADD COLUMN, a named ADD CONSTRAINT, ...), last first. Statements it cannot invert become TODO comments in the file, and the exit code is 1. A U file that already has statements is only replaced with --force. Never connects.",
        after_help = "Example:\n  tidemark undo-script 3 --dialect postgres\n  tidemark undo-script 3 --url postgres://db/app --force"
    )]
    UndoScript(UndoScriptArgs),
    /// Write the migrations of a zero-downtime change (expand, backfill, contract)
    #[command(
        long_about = "Write the next versioned migrations for a schema change that running code must survive, one per step, each with its phase directive and its undo file, numbered as `new` numbers them, into the first location. Never connects: the dialect is --dialect or the scheme of --url.",
        after_help = "Example:\n  tidemark plan rename-column users email_address email --dialect postgres\n  tidemark plan add-not-null-column users plan text --default \"'free'\"\n  tidemark migrate --phase expand"
    )]
    Plan(PlanArgs),
    /// Find statements that lock busy tables, rewrite them or break running code
    #[command(
        long_about = "Lint migrations with a real SQL parser: locks, table rewrites and changes that break code still running, for PostgreSQL, MySQL/MariaDB and SQLite, across the whole migration set. Exit 1 if there is an error-severity finding.",
        after_help = "Example:\n  tidemark lint\n  tidemark lint --dialect postgres migrations/V7__drop_name.sql\n  tidemark lint --format github"
    )]
    Lint(LintArgs),
    /// The pre-deploy CI step: names, collisions, placeholders, lint and, with a database, validation and the deploy plan
    #[command(
        long_about = "Check everything a deploy depends on and report every problem in one run, each with file and line: file names, duplicate versions (from two branches), placeholders without values, lint findings with phases; with a database also validation (changed or missing files, failed rows, migrations that sort below applied ones), the pending migrations by phase and the dry-run SQL of the deploy. Exit 0 clean, 1 with error findings, 2 usage.",
        after_help = "Example:\n  tidemark check --offline --dialect postgres --format github\n  tidemark check --url postgres://ci@db/app --format junit > check.xml"
    )]
    Check(CheckArgs),
    /// Print a shell completion script
    #[command(
        long_about = "Print a completion script for bash, zsh, fish, elvish or powershell on stdout, covering every command and flag.",
        after_help = "Example:\n  tidemark completions bash > ~/.local/share/bash-completion/completions/tidemark\n  tidemark completions zsh > ~/.zfunc/_tidemark"
    )]
    Completions(CompletionsArgs),
    /// Take over a database migrated by refinery, sqlx or dbmate
    #[command(
        long_about = "Read the other tool's history table, rename (or split) its files in the first location into Flyway's form, and record what it applied in a new flyway_schema_history table with the checksums of the renamed files, so nothing runs again. sqlx files become V/U files; dbmate files are split at their -- migrate:up / -- migrate:down markers; refinery's V files stay and its U (unversioned) files become V files. Refused when the other tool's table is missing, when a migration it applied has no file, or when tidemark's history table already exists.",
        after_help = "Example:\n  tidemark adopt --from sqlx --dry-run\n  tidemark adopt --from dbmate --url postgres://app@db/app --locations db/migrations\n  tidemark adopt --from refinery && tidemark validate"
    )]
    Adopt(crate::commands::adopt::AdoptArgs),
    /// Apply the pending migrations to a scratch copy and measure them
    #[command(
        long_about = "Copy the database (--clone: the schema plus --sample-rows rows per table, SQLite the whole file; or --from-dump FILE), apply the pending migrations there with the real engine (all, or up to --phase), and report per migration and per statement: duration, rows, whether a table was rewritten, the locks taken (PostgreSQL pg_locks, MariaDB metadata locks) and how long a lock blocking reads or writes was held, with the linter's findings beside them. The target is only read; the copy is dropped unless --keep.",
        after_help = "Example:\n  tidemark rehearse --clone --sample-rows 10000\n  tidemark rehearse --from-dump prod.dump --html rehearsal.html\n  tidemark rehearse --phase expand --format json"
    )]
    Rehearse(crate::commands::rehearse::RehearseArgs),
    /// Describe the database's schema from its catalogs
    #[command(
        after_help = "Example:\n  tidemark schema dump\n  tidemark schema dump --format json"
    )]
    Schema(crate::commands::schema::SchemaArgs),
    /// Compare the database with what its migrations build
    #[command(
        long_about = "Apply every migration to a scratch database on the same server (a temporary file for SQLite), compare its schema with the database's and report every difference with a unified diff; exit code 1 when they differ. --against URL compares two live databases instead. The scratch database is always dropped.",
        after_help = "Example:\n  tidemark drift\n  tidemark drift --format json\n  tidemark drift --against postgres://app@new-primary/app"
    )]
    Drift(crate::commands::drift::DriftArgs),
    /// Liquibase's commands (Liquibase mode: a changelog is configured).
    #[command(flatten)]
    Liquibase(crate::commands::liquibase::args::LiquibaseCommand),
}

/// Options of `lint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct LintArgs {
    /// The SQL dialect (postgres, mysql, sqlite); default: the configured URL's database.
    #[arg(long, value_name = "DIALECT")]
    pub dialect: Option<String>,
    /// Files and folders to lint; default: the configured locations.
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
}

/// Options of `completions`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Options of `check`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct CheckArgs {
    /// The SQL dialect for the offline checks; default: the configured URL's database.
    #[arg(long, value_name = "DIALECT")]
    pub dialect: Option<String>,
    /// Only the checks that need no database, even when a URL is configured.
    #[arg(long)]
    pub offline: bool,
}

/// Options of commands that run SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct RunArgs {
    /// Print the SQL that would run, in order (history-table statements included), instead of
    /// running it. Nothing is written to the database. See also --dry-run-output FILE.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `migrate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct MigrateArgs {
    /// Staged deploy: apply pending migrations in order and stop before the first one whose
    /// phase comes after this one (expand < backfill < contract).
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// With --fleet: start no new target after one fails (the running ones finish).
    #[arg(long, requires = "fleet")]
    pub fail_fast: bool,
}

/// Options of `info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// `--fleet FILE [--jobs N]` (migrate and info).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct FleetArgs {
    /// Run on every target of a fleet file (TOML: [[target]] name/url, [[tenants]]
    /// url/schemas_query), each with its own connection, lock and history.
    #[arg(long, value_name = "FILE")]
    pub fleet: Option<std::path::PathBuf>,
    /// With --fleet: how many targets run in parallel (default 4).
    #[arg(long, value_name = "N", requires = "fleet")]
    pub jobs: Option<usize>,
}

/// Options of `undo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct UndoArgs {
    /// Undo this many migrations (default 1; ignored with --target).
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Options of `diff`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct DiffArgs {
    /// The version of the applied migration.
    #[arg(value_name = "VERSION")]
    pub version: String,
}

/// Options of `new`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct NewArgs {
    /// The description (words are joined with underscores in the file name).
    #[arg(value_name = "DESCRIPTION", required = true, num_args = 1..)]
    pub description: Vec<String>,
    /// The phase written into the file header (expand, backfill or contract).
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<String>,
}

/// `--dialect` of the commands that write SQL without connecting.
const DIALECT_HELP: &str = "The SQL dialect to write: postgres, mysql, mariadb or sqlite (default: from the scheme of --url, which is not connected to)";

/// Options of `undo-script`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct UndoScriptArgs {
    /// The version of the migration to invert.
    #[arg(value_name = "VERSION")]
    pub version: String,
    /// Replace a U file that already has statements.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_name = "DIALECT", help = DIALECT_HELP)]
    pub dialect: Option<String>,
}

/// Options of `plan`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct PlanArgs {
    /// The change to plan.
    #[command(subcommand)]
    pub change: PlanChange,
    #[command(flatten)]
    pub options: PlanOptionArgs,
}

/// Options every `plan` change takes.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct PlanOptionArgs {
    #[arg(long, value_name = "DIALECT", global = true, help = DIALECT_HELP)]
    pub dialect: Option<String>,
    /// The table's key column, for batched backfills on PostgreSQL (MySQL batches with LIMIT,
    /// SQLite by rowid).
    #[arg(long, value_name = "COLUMN", default_value = "id", global = true)]
    pub key: String,
    /// Rows per backfill batch.
    #[arg(long, value_name = "N", default_value_t = 1000, global = true)]
    pub batch_size: u64,
    /// Pause between backfill batches (e.g. 50ms).
    #[arg(long, value_name = "DURATION", global = true)]
    pub batch_pause: Option<String>,
}

/// The changes `plan` writes.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum PlanChange {
    /// Rename a column: new column + two-way sync trigger, batched copy, drop the old (all dialects)
    RenameColumn {
        /// The table.
        #[arg(value_name = "TABLE")]
        table: String,
        /// The column's current name.
        #[arg(value_name = "OLD")]
        old: String,
        /// The new name.
        #[arg(value_name = "NEW")]
        new: String,
        /// The column's type; default: copied from the catalog when the migration runs
        /// (PostgreSQL, MySQL), none declared (SQLite).
        #[arg(long, value_name = "TYPE")]
        current_type: Option<String>,
    },
    /// Add a NOT NULL column with a default: one step for a constant, else nullable + batched fill + NOT NULL (all dialects; SQLite: constants)
    AddNotNullColumn {
        /// The table.
        #[arg(value_name = "TABLE")]
        table: String,
        /// The new column.
        #[arg(value_name = "COLUMN")]
        column: String,
        /// Its type.
        #[arg(value_name = "TYPE")]
        column_type: String,
        /// Its default, an SQL expression ('free', 0, now()).
        #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
        default: String,
    },
    /// Change a column's type: converted column + trigger, batched conversion, swap (PostgreSQL)
    ChangeColumnType {
        /// The table.
        #[arg(value_name = "TABLE")]
        table: String,
        /// The column.
        #[arg(value_name = "COLUMN")]
        column: String,
        /// The new type.
        #[arg(value_name = "TYPE")]
        column_type: String,
        /// How to convert, an expression over the row's columns (default: a cast of the column).
        #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
        using: Option<String>,
        /// The column's current type, for the undo of the swap (without it that undo refuses
        /// to run).
        #[arg(long, value_name = "TYPE")]
        current_type: Option<String>,
    },
    /// Drop a column: drop its NOT NULL, then drop it once no code uses it (PostgreSQL)
    DropColumn {
        /// The table.
        #[arg(value_name = "TABLE")]
        table: String,
        /// The column.
        #[arg(value_name = "COLUMN")]
        column: String,
        /// The column's type, for the undo that re-creates it (without it that undo refuses to
        /// run).
        #[arg(long, value_name = "TYPE")]
        current_type: Option<String>,
    },
    /// Add a foreign key: index concurrently, NOT VALID, then VALIDATE (PostgreSQL)
    AddForeignKey {
        /// The referencing table.
        #[arg(value_name = "TABLE")]
        table: String,
        /// The referencing column.
        #[arg(value_name = "COLUMN")]
        column: String,
        /// The referenced table.
        #[arg(value_name = "REF_TABLE")]
        ref_table: String,
        /// The referenced column.
        #[arg(value_name = "REF_COLUMN")]
        ref_column: String,
        /// The constraint name (default: <table>_<column>_fkey).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Add a unique constraint: unique index concurrently, then the constraint USING INDEX (PostgreSQL)
    AddUnique {
        /// The table.
        #[arg(value_name = "TABLE")]
        table: String,
        /// The column or columns, comma-separated.
        #[arg(
            value_name = "COLUMN[,COLUMN...]",
            value_delimiter = ',',
            required = true
        )]
        columns: Vec<String>,
        /// The constraint name (default: <table>_<columns>_key).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

/// Subcommand names the rewriter recognises (clap adds `help`).
const SUBCOMMANDS: &[&str] = &[
    "migrate",
    "info",
    "validate",
    "baseline",
    "repair",
    "clean",
    "undo",
    "diff",
    "new",
    "undo-script",
    "plan",
    "lint",
    "check",
    "completions",
    "adopt",
    "rehearse",
    "schema",
    "drift",
    "help",
];

/// A parsed command line with its resolved settings.
#[derive(Debug)]
// The commands read these fields; until they exist main only prints the invocation.
#[allow(dead_code)]
pub struct Invocation {
    /// The command to run.
    pub command: Command,
    /// Settings from flags, environment, config files and defaults.
    pub settings: Settings,
    /// `-D<name>=<value>` properties, in order (Liquibase; unused by the Flyway commands).
    pub defines: Vec<(String, String)>,
    /// Debug notes for `-X`: keys accepted but ignored, files skipped, Flyway flags dropped.
    pub notes: Vec<String>,
}

/// Why the command line cannot be used.
#[derive(Debug)]
pub enum CliError {
    /// From clap: help, version and clap's usage errors. `main` calls `.exit()`, which prints
    /// it and exits 0 (help, version) or 2.
    Clap(clap::Error),
    /// A bad argument or setting (exit code 2).
    Usage(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Clap(error) => write!(f, "{}", error.to_string().trim_end()),
            CliError::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CliError {}

impl From<SettingsError> for CliError {
    fn from(error: SettingsError) -> CliError {
        CliError::Usage(error.to_string())
    }
}

/// Parses `args` (with the program name first, as `std::env::args_os()` gives them), then
/// loads the settings from the flags, `env` and the config files found from `cwd`.
pub fn parse(
    args: Vec<OsString>,
    env: &BTreeMap<String, String>,
    cwd: &Path,
) -> Result<Invocation, CliError> {
    let mut args = args.into_iter();
    let program = args.next().unwrap_or_else(|| OsString::from("tidemark"));
    let args = args
        .map(|arg| {
            arg.into_string().map_err(|arg| {
                CliError::Usage(format!(
                    "Argument is not valid UTF-8: {}",
                    arg.to_string_lossy()
                ))
            })
        })
        .collect::<Result<Vec<String>, CliError>>()?;
    let rewritten = rewrite(&args).map_err(CliError::Usage)?;
    let clap_args =
        || std::iter::once(program.clone()).chain(rewritten.args.iter().map(OsString::from));
    // The lean command first: the rewriter has moved every setting flag before the subcommand,
    // so they need not be copied into each of the ~40 subcommands (clap's global arguments
    // are copied, and that costs milliseconds at every start), and it knows which settings
    // those flags are, so only they are defined. Help, version and usage errors come from
    // the full command, so what a person reads is the same; a flag the rewriter did not
    // recognise fails the lean parse and gets the full command too.
    let matches = match lean_command(&rewritten.used).try_get_matches_from(clap_args()) {
        Ok(matches) => matches,
        Err(_) => command()
            .try_get_matches_from(clap_args())
            .map_err(CliError::Clap)?,
    };
    let cli = Cli::from_arg_matches(&matches).map_err(CliError::Clap)?;
    let flags = flag_layer(&matches, &rewritten)?;
    let (settings, mut notes) = Settings::load_with_notes(&flags, env, cwd)?;
    let mut all_notes = rewritten.notes;
    all_notes.append(&mut notes);
    let defines = cli
        .defines
        .iter()
        .map(|define| match define.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (define.clone(), String::new()),
        })
        .collect();
    Ok(Invocation {
        command: cli.command,
        settings,
        defines,
        notes: all_notes,
    })
}

/// The full clap command: the derive part plus one flag per setting, every setting flag
/// global (help, completions, error messages).
pub fn command() -> clap::Command {
    Cli::command().args(
        keys::KEYS
            .iter()
            .map(|key| with_long_help(key_arg(key), key).global(true)),
    )
}

/// The command used to parse: the setting flags that were `used`, on the top level only, not
/// global (see [`parse`]), and without the long help texts, which only the full command
/// shows. Defining the hundred others would cost more than the rest of the parse.
fn lean_command(used: &[&'static Key]) -> clap::Command {
    let mut names: Vec<&str> = Vec::with_capacity(used.len());
    let mut command = Cli::command();
    for key in used {
        if !names.contains(&key.name) {
            names.push(key.name);
            command = command.arg(key_arg(key));
        }
    }
    command
}

fn heading(scope: Scope) -> &'static str {
    match scope {
        Scope::Connection => "Connection",
        Scope::Flyway => "Migrations",
        Scope::Cli => "Files and output",
    }
}

/// `arg` with the long help of `--help`: the Flyway form, config key, environment names and
/// default (built only for the full command: a hundred formatted texts at every start
/// would cost a third of a millisecond).
fn with_long_help(arg: Arg, key: &'static Key) -> Arg {
    let env = key.env_names().join(", ");
    let flyway_form = if key.kind() == Kind::Map {
        format!("-{}.NAME=VALUE", key.name)
    } else {
        format!("-{}=VALUE", key.name)
    };
    let mut long_help = format!(
        "{}\n[Flyway: {flyway_form}; config: flyway.{}; env: {env}",
        key.help, key.name
    );
    if let Some(default) = key.default.filter(|d| !d.is_empty()) {
        long_help.push_str(&format!("; default: {default}"));
    }
    long_help.push(']');
    arg.long_help(long_help)
}

fn key_arg(key: &'static Key) -> Arg {
    let long = key.long_name();
    let value_name = key.value_name.unwrap_or(match key.kind() {
        Kind::Bool => "true|false",
        Kind::Int => "N",
        Kind::List => "VALUE,...",
        Kind::Map => "NAME=VALUE",
        Kind::Text => "VALUE",
    });
    let mut arg = Arg::new(key.name)
        .long(long)
        .value_name(value_name)
        .help(key.help)
        .help_heading(heading(key.scope))
        .action(ArgAction::Append)
        .value_parser(clap::value_parser!(String));
    for alias in key.aliases {
        arg = arg.visible_alias(*alias);
    }
    if let Some(short) = key.short {
        arg = arg.short(short);
    }
    arg = match key.kind() {
        Kind::Bool => arg
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true"),
        Kind::Int => arg.num_args(1).allow_negative_numbers(true),
        Kind::Text | Kind::List | Kind::Map => arg.num_args(1),
    };
    if !key.implemented() {
        arg = arg.hide(true);
    }
    arg
}

/// The command-line layer: the last value of each setting flag, `--placeholder` and
/// `--jdbc-property` pairs, then the dynamic keys the rewriter took out.
fn flag_layer(matches: &ArgMatches, rewritten: &Rewritten) -> Result<Layer, CliError> {
    let mut layer = Layer::default();
    for key in keys::KEYS {
        let Ok(Some(mut values)) = matches.try_get_many::<String>(key.name) else {
            continue;
        };
        let spelling = rewritten
            .spellings
            .get(key.name)
            .cloned()
            .unwrap_or_else(|| format!("--{}", key.long_name()));
        if key.kind() == Kind::Map {
            for value in values {
                let Some((name, value)) = value.split_once('=').filter(|(n, _)| !n.is_empty())
                else {
                    return Err(CliError::Usage(format!(
                        "--{} expects NAME=VALUE, got '{value}'",
                        key.long_name()
                    )));
                };
                let raw = Raw::text(value, Origin::Flag(spelling.clone()));
                if key.name == "placeholders" {
                    layer.set_placeholder(name, raw);
                } else {
                    layer.jdbc_properties.insert(name.to_string(), raw);
                }
            }
        } else if let Some(value) = values.next_back() {
            layer.set(key, Raw::text(value, Origin::Flag(spelling)));
        }
    }
    for dynamic in &rewritten.dynamic {
        let origin = Origin::Flag(format!("-{}", dynamic.key));
        if layer
            .set_dotted(
                &dynamic.key,
                RawValue::Text(dynamic.value.clone()),
                origin.clone(),
            )
            .is_err()
        {
            return Err(SettingsError::unknown_key(&dynamic.key, &dynamic.key, origin).into());
        }
    }
    Ok(layer)
}

/// A Flyway-form key the rewriter hands to the settings directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicFlag {
    /// The dotted key: `placeholders.NAME`, `jdbcProperties.NAME`, `environments.ENV.KEY`.
    pub key: String,
    /// The value.
    pub value: String,
}

/// The result of [`rewrite`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rewritten {
    /// Arguments for clap (without the program name).
    pub args: Vec<String>,
    /// Dynamic keys taken out of the arguments.
    pub dynamic: Vec<DynamicFlag>,
    /// For settings given in Flyway's form, that spelling (`-outOfOrder`), for messages.
    pub spellings: BTreeMap<&'static str, String>,
    /// Debug notes (dropped Flyway flags).
    pub notes: Vec<String>,
    /// The settings whose flags `args` holds: the only setting flags the parsing command needs.
    pub used: Vec<&'static Key>,
}

fn is_bool_literal(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

/// Whether `-body` is a cluster of short setting flags (`-X`, `-q`, `-Xq`).
fn is_short_cluster(body: &str) -> bool {
    !body.is_empty()
        && body
            .chars()
            .all(|c| keys::KEYS.iter().any(|key| key.short == Some(c)))
}

/// Rewrites Flyway-form arguments into clap's form; see the module docs. `args` excludes the
/// program name. Errors are usage messages.
pub fn rewrite(args: &[String]) -> Result<Rewritten, String> {
    let mut out = Rewritten::default();
    // Setting flags (wherever written) and everything before the subcommand.
    let mut front: Vec<String> = Vec::new();
    // The subcommand and what follows it, setting flags excepted.
    let mut back: Vec<String> = Vec::new();
    let mut seen_subcommand = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            let rest = args[i - 1..].iter().cloned();
            if seen_subcommand {
                back.extend(rest);
            } else {
                front.extend(rest);
            }
            break;
        }
        let in_place = if seen_subcommand {
            &mut back
        } else {
            &mut front
        };
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let Some(key) = keys::find_long(name) else {
                // --help, --version, or something clap will reject.
                in_place.push(arg.clone());
                continue;
            };
            out.used.push(key);
            match (key.kind(), value) {
                (Kind::Bool, Some(_)) => front.push(arg.clone()),
                (Kind::Bool, None) => match args.get(i) {
                    Some(next) if is_bool_literal(next) => {
                        front.push(format!("--{name}={next}"));
                        i += 1;
                    }
                    _ => front.push(format!("--{name}=true")),
                },
                (_, Some(_)) => front.push(arg.clone()),
                (_, None) => {
                    front.push(arg.clone());
                    if let Some(next) = args.get(i) {
                        front.push(next.clone());
                        i += 1;
                    }
                }
            }
            continue;
        }
        if let Some(body) = arg.strip_prefix('-').filter(|b| !b.is_empty()) {
            if body.starts_with('D') {
                // Liquibase property: left for clap's -D.
                front.push(arg.clone());
                if body == "D"
                    && let Some(next) = args.get(i)
                {
                    front.push(next.clone());
                    i += 1;
                }
                continue;
            }
            if let Some((name, value)) = body.split_once('=') {
                rewrite_flyway_setting(name, value, &mut out, &mut front)?;
                continue;
            }
            match body {
                "n" | "skipCheckForUpdate" | "communityFallback" | "migrationIds" => {
                    out.notes.push(format!(
                        "Flyway flag {arg} has no effect in tidemark; ignored"
                    ));
                }
                "v" => in_place.push("--version".to_string()),
                "?" => in_place.push("--help".to_string()),
                _ if is_short_cluster(body) => {
                    out.used.extend(
                        keys::KEYS
                            .iter()
                            .filter(|key| key.short.is_some_and(|c| body.contains(c))),
                    );
                    front.push(arg.clone());
                }
                _ => match keys::find(body) {
                    Some(key) => {
                        return Err(format!(
                            "Invalid flag: {arg} (Flyway-style settings need a value: -{}=<value>, or use --{})",
                            key.name,
                            key.long_name()
                        ));
                    }
                    None => in_place.push(arg.clone()),
                },
            }
            continue;
        }
        if !seen_subcommand
            && (SUBCOMMANDS.contains(&arg.as_str())
                || LIQUIBASE_SUBCOMMANDS.contains(&arg.as_str()))
        {
            seen_subcommand = true;
            back.push(arg.clone());
            continue;
        }
        in_place.push(arg.clone());
    }
    out.args = front;
    out.args.extend(back);
    Ok(out)
}

/// `-name=value`: a table key becomes `--kebab=value`; dynamic keys are taken out.
fn rewrite_flyway_setting(
    name: &str,
    value: &str,
    out: &mut Rewritten,
    front: &mut Vec<String>,
) -> Result<(), String> {
    let origin = || Origin::Flag(format!("-{name}"));
    match keys::classify(name) {
        Classified::Key(key) if key.kind() == Kind::Map => Err(format!(
            "-{name} needs a name: -{name}.NAME=VALUE (or --{} NAME=VALUE)",
            key.long_name()
        )),
        Classified::Key(key) => {
            out.spellings.insert(key.name, format!("-{name}"));
            out.used.push(key);
            front.push(format!("--{}={value}", key.long_name()));
            Ok(())
        }
        Classified::Environment { key, .. }
            if !matches!(
                keys::classify(key),
                Classified::Key(_)
                    | Classified::Placeholder(_)
                    | Classified::JdbcProperty(_)
                    | Classified::Ignored
            ) =>
        {
            Err(SettingsError::unknown_key(name, key, origin()).to_string())
        }
        Classified::Placeholder(_)
        | Classified::JdbcProperty(_)
        | Classified::Environment { .. } => {
            out.dynamic.push(DynamicFlag {
                key: name.to_string(),
                value: value.to_string(),
            });
            Ok(())
        }
        Classified::Ignored => {
            out.notes.push(format!(
                "command-line flag -{name}: not used by tidemark; ignored"
            ));
            Ok(())
        }
        Classified::Unknown => Err(SettingsError::unknown_key(name, name, origin()).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Format;
    use std::path::PathBuf;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn rewritten(args: &[&str]) -> Vec<String> {
        rewrite(&strings(args)).unwrap().args
    }

    fn os(args: &[&str]) -> Vec<OsString> {
        std::iter::once("tidemark")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn parse_in(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Result<Invocation, CliError> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(os(args), &env, cwd)
    }

    fn parse_ok(args: &[&str]) -> Invocation {
        let dir = tempfile::tempdir().unwrap();
        let mut invocation = parse_in(args, &[], dir.path()).unwrap();
        // Make paths comparable across temp dirs.
        let base = dir.path().to_path_buf();
        let strip = |p: &PathBuf| {
            p.strip_prefix(&base)
                .map(Path::to_path_buf)
                .unwrap_or(p.clone())
        };
        invocation.settings.locations = invocation.settings.locations.iter().map(strip).collect();
        invocation.settings.working_directory = PathBuf::new();
        invocation
    }

    fn usage_error(args: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap();
        match parse_in(args, &[], dir.path()) {
            Err(CliError::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn subcommand_list_matches_clap() {
        let cmd = command();
        let mut names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
        let liquibase: Vec<&str> = names.split_off(names.len() - LIQUIBASE_SUBCOMMANDS.len());
        assert_eq!(liquibase, LIQUIBASE_SUBCOMMANDS);
        names.push("help");
        assert_eq!(names, SUBCOMMANDS);
        cmd.debug_assert();
    }

    #[test]
    fn flyway_form_is_rewritten() {
        assert_eq!(
            rewritten(&[
                "-url=jdbc:sqlite:app.db",
                "-locations=filesystem:sql",
                "-target=3",
                "migrate"
            ]),
            strings(&[
                "--url=jdbc:sqlite:app.db",
                "--locations=filesystem:sql",
                "--target=3",
                "migrate"
            ])
        );
        assert_eq!(
            rewritten(&[
                "-postgresql.transactional.lock=false",
                "-outputType=json",
                "-user=me",
                "info"
            ]),
            strings(&[
                "--postgresql-transactional-lock=false",
                "--format=json",
                "--user=me",
                "info"
            ])
        );
        assert_eq!(
            rewritten(&[
                "-configFiles=a.toml,b.toml",
                "-workingDirectory=proj",
                "-environment=dev",
                "info"
            ]),
            strings(&[
                "--config-files=a.toml,b.toml",
                "--working-directory=proj",
                "--environment=dev",
                "info"
            ])
        );
        assert_eq!(
            rewritten(&["-X", "-q", "info"]),
            strings(&["-X", "-q", "info"])
        );
        assert_eq!(rewritten(&["-url=", "info"]), strings(&["--url=", "info"]));
        assert_eq!(
            rewritten(&["-url=jdbc:x:a=b=c", "info"]),
            strings(&["--url=jdbc:x:a=b=c", "info"])
        );
    }

    #[test]
    fn defines_are_untouched() {
        let out = rewrite(&strings(&[
            "-Dfoo=bar",
            "migrate",
            "-D",
            "x=y",
            "-DoutOfOrder=true",
        ]))
        .unwrap();
        assert_eq!(
            out.args,
            strings(&["-Dfoo=bar", "-D", "x=y", "-DoutOfOrder=true", "migrate"])
        );
        assert!(out.dynamic.is_empty());
    }

    #[test]
    fn dynamic_keys_are_taken_out() {
        let out = rewrite(&strings(&[
            "-placeholders.x=1",
            "-jdbcProperties.ssl=true",
            "-environments.dev.url=sqlite:dev.db",
            "migrate",
        ]))
        .unwrap();
        assert_eq!(out.args, strings(&["migrate"]));
        let keys: Vec<_> = out
            .dynamic
            .iter()
            .map(|d| (d.key.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("placeholders.x", "1"),
                ("jdbcProperties.ssl", "true"),
                ("environments.dev.url", "sqlite:dev.db")
            ]
        );
    }

    #[test]
    fn unknown_flyway_keys_are_usage_errors() {
        let err = rewrite(&strings(&["-fooBar=x", "info"])).unwrap_err();
        assert_eq!(
            err,
            "Unknown configuration property: fooBar (in command-line flag -fooBar)"
        );
        let err = rewrite(&strings(&["-outoforder=true"])).unwrap_err();
        assert!(err.contains("did you mean outOfOrder?"), "{err}");
        let err = rewrite(&strings(&["-environments.dev.nope=1"])).unwrap_err();
        assert!(err.contains("nope"), "{err}");
        let err = rewrite(&strings(&["-placeholders=x"])).unwrap_err();
        assert!(err.contains("-placeholders.NAME=VALUE"), "{err}");
        let err = rewrite(&strings(&["-outOfOrder", "migrate"])).unwrap_err();
        assert!(err.contains("-outOfOrder=<value>"), "{err}");
    }

    #[test]
    fn bool_flags_never_swallow_the_subcommand() {
        assert_eq!(
            rewritten(&["--out-of-order", "migrate"]),
            strings(&["--out-of-order=true", "migrate"])
        );
        assert_eq!(
            rewritten(&["migrate", "--out-of-order", "FALSE"]),
            strings(&["--out-of-order=FALSE", "migrate"])
        );
        assert_eq!(
            rewritten(&["migrate", "--out-of-order"]),
            strings(&["--out-of-order=true", "migrate"])
        );
    }

    #[test]
    fn setting_flags_move_before_the_subcommand() {
        assert_eq!(
            rewritten(&[
                "--placeholder",
                "a=1",
                "migrate",
                "--placeholder",
                "b=2",
                "--help"
            ]),
            strings(&[
                "--placeholder",
                "a=1",
                "--placeholder",
                "b=2",
                "migrate",
                "--help"
            ])
        );
        assert_eq!(
            rewritten(&["info", "--lock-retry-count", "-1", "-X"]),
            strings(&["--lock-retry-count", "-1", "-X", "info"])
        );
        // A value that happens to be a subcommand name is a value.
        assert_eq!(
            rewritten(&["--table", "info", "migrate"]),
            strings(&["--table", "info", "migrate"])
        );
        assert_eq!(rewritten(&["--", "-url=x"]), strings(&["--", "-url=x"]));
    }

    #[test]
    fn flyway_flags() {
        let out = rewrite(&strings(&["-n", "-skipCheckForUpdate", "-v"])).unwrap();
        assert_eq!(out.args, strings(&["--version"]));
        assert_eq!(out.notes.len(), 2);
        assert_eq!(rewritten(&["info", "-?"]), strings(&["info", "--help"]));
        let out = rewrite(&strings(&["-oracle.sqlplus=true", "info"])).unwrap();
        assert_eq!(out.args, strings(&["info"]));
        assert_eq!(out.notes.len(), 1);
    }

    #[test]
    fn both_forms_give_the_same_invocation() {
        let flyway = parse_ok(&[
            "-url=jdbc:sqlite:app.db",
            "-locations=filesystem:sql",
            "-target=3",
            "migrate",
        ]);
        let gnu = parse_ok(&[
            "--url",
            "jdbc:sqlite:app.db",
            "--locations",
            "filesystem:sql",
            "--target",
            "3",
            "migrate",
        ]);
        let after = parse_ok(&[
            "migrate",
            "--url=jdbc:sqlite:app.db",
            "--locations",
            "filesystem:sql",
            "--target",
            "3",
        ]);
        assert_eq!(flyway.command, Command::Migrate(MigrateArgs::default()));
        assert_eq!(flyway.settings, gnu.settings);
        assert_eq!(flyway.settings, after.settings);
        assert_eq!(flyway.settings.url, "jdbc:sqlite:app.db");
        assert_eq!(flyway.settings.locations, vec![PathBuf::from("sql")]);
        assert_eq!(flyway.settings.target, "3");
    }

    #[test]
    fn flags_reach_the_settings() {
        let inv = parse_ok(&[
            "info",
            "--out-of-order",
            "--clean-disabled",
            "false",
            "--username",
            "me",
            "-X",
            "-q",
            "--format",
            "json",
            "--placeholder",
            "Owner=app",
            "-placeholders.region=eu",
            "--lock-retry-count",
            "-1",
            "-Dliquibase.x=1",
            "-D",
            "flag",
            "--postgresql-transactional-lock",
        ]);
        let s = &inv.settings;
        assert_eq!(inv.command, Command::Info(InfoArgs::default()));
        assert!(s.out_of_order);
        assert!(!s.clean_disabled);
        assert_eq!(s.user.as_deref(), Some("me"));
        assert!(s.debug && s.quiet);
        assert_eq!(s.format, Format::Json);
        assert_eq!(s.placeholders["Owner"], "app");
        assert_eq!(s.placeholders["region"], "eu");
        assert_eq!(s.lock_retry_count, -1);
        assert!(s.postgresql_transactional_lock);
        assert_eq!(
            inv.defines,
            vec![
                ("liquibase.x".to_string(), "1".to_string()),
                ("flag".to_string(), String::new())
            ]
        );
        let inv = parse_ok(&["-outputType=json", "-user=u", "validate"]);
        assert_eq!(inv.settings.format, Format::Json);
        assert_eq!(inv.settings.user.as_deref(), Some("u"));
        assert_eq!(inv.command, Command::Validate);
    }

    #[test]
    fn last_flag_wins() {
        let inv = parse_ok(&["--table", "a", "-table=b", "clean", "--table=c"]);
        assert_eq!(inv.settings.table, "c");
    }

    #[test]
    fn ignored_flyway_keys_are_accepted() {
        let inv = parse_ok(&[
            "-licenseKey=FL01",
            "-jarDirs=jars",
            "-stream=true",
            "-batch=false",
            "-cherryPick=1,2",
            "-callbacks=x.Y",
            "-errorOverrides=S0001:0:I-",
            "-color=always",
            "-outputFile=out.txt",
            "-driver=org.sqlite.JDBC",
            "-configFileEncoding=UTF-8",
            "baseline",
        ]);
        assert_eq!(inv.command, Command::Baseline);
        assert!(
            inv.notes.iter().any(|n| n.contains("licenseKey")),
            "{:?}",
            inv.notes
        );
        let err = usage_error(&["-stream=perhaps", "info"]);
        assert!(
            err.contains("flyway.stream") && err.contains("-stream"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_the_flag_as_written() {
        let err = usage_error(&["-outOfOrder=yes", "migrate"]);
        assert_eq!(
            err,
            "Invalid value for flyway.outOfOrder (should be either true or false): yes (from command-line flag -outOfOrder)"
        );
        let err = usage_error(&["--out-of-order=yes", "migrate"]);
        assert!(
            err.ends_with("(from command-line flag --out-of-order)"),
            "{err}"
        );
        let err = usage_error(&["--placeholder", "novalue", "migrate"]);
        assert!(err.contains("NAME=VALUE"), "{err}");
        let err = usage_error(&["-fooBar=x", "migrate"]);
        assert!(
            err.starts_with("Unknown configuration property: fooBar"),
            "{err}"
        );
        let err = usage_error(&["--url", "postgres://u:hunter2@h:x/db", "info"]);
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn env_and_files_through_parse() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("flyway.conf"),
            "flyway.table=conf_table\nflyway.target=2\n",
        )
        .unwrap();
        let inv = parse_in(
            &["-target=4", "info"],
            &[
                ("FLYWAY_TABLE", "env_table"),
                ("FLYWAY_BASELINE_VERSION", "7"),
            ],
            dir.path(),
        )
        .unwrap();
        assert_eq!(inv.settings.table, "env_table");
        assert_eq!(inv.settings.target, "4");
        assert_eq!(inv.settings.baseline_version, "7");
        assert_eq!(
            inv.settings.config_files,
            vec![dir.path().join("flyway.conf")]
        );
        let inv = parse_in(&["info", "--config-files", "flyway.conf"], &[], dir.path()).unwrap();
        assert_eq!(inv.settings.config_files.len(), 2);
    }

    #[test]
    fn clap_handles_help_version_and_usage() {
        let dir = tempfile::tempdir().unwrap();
        let kind = |args: &[&str]| match parse_in(args, &[], dir.path()) {
            Err(CliError::Clap(e)) => e.kind(),
            other => panic!("{args:?}: expected a clap error, got {other:?}"),
        };
        use clap::error::ErrorKind;
        assert_eq!(kind(&["--help"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["migrate", "--help"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["-v"]), ErrorKind::DisplayVersion);
        assert_eq!(kind(&["--version"]), ErrorKind::DisplayVersion);
        assert_eq!(kind(&["snapshot"]), ErrorKind::InvalidSubcommand);
        assert_eq!(kind(&["--url", "x"]), ErrorKind::MissingSubcommand);
        assert_eq!(kind(&["--nope", "info"]), ErrorKind::UnknownArgument);
        assert_eq!(
            kind(&[]),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
        // The help lists implemented flags, not ignored ones.
        let help = command().render_long_help().to_string();
        assert!(help.contains("--out-of-order"));
        assert!(help.contains("FLYWAY_OUT_OF_ORDER"));
        assert!(!help.contains("--license-key"));
    }
}
