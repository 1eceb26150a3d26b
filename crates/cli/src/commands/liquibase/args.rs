//! Liquibase's commands and their own flags, as clap types (flattened into the top-level
//! command list by `args.rs`). Names are Liquibase's kebab-case ones; each command's flags come
//! after it (`update-count --count 2`, `--count=2`), and for the commonest a bare value works too
//! (`update-count 2`, `tag v1`). The settings (`--changelog-file`, `--url`, `--contexts`, ...)
//! are global flags and go anywhere, `--output-file` of the `*-sql` commands included.

use clap::{Args, Subcommand};

/// A count (`--count N`, or `N`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct CountArgs {
    /// How many changesets.
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// The count, given without --count.
    #[arg(value_name = "N", hide = true)]
    pub value: Option<usize>,
}

/// A tag (`--tag T`, or `T`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct TagArgs {
    /// The tag.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The tag, given without --tag.
    #[arg(value_name = "TAG", hide = true)]
    pub value: Option<String>,
}

/// A date (`--date 2024-01-31T10:00:00`, or `2024-01-31 10:00:00`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct DateArgs {
    /// Roll back changesets executed after this date and time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS
    /// or 'YYYY-MM-DD HH:MM:SS', the database's clock).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// The date, given without --date.
    #[arg(value_name = "DATE", hide = true, num_args = 0..=2)]
    pub value: Vec<String>,
}

/// Options of `status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct StatusArgs {
    /// List the pending changesets (Liquibase's default; --verbose=false prints only the count).
    #[arg(long, value_name = "true|false", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub verbose: Option<String>,
}

/// Options of `calculate-checksum`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct ChecksumArgs {
    /// The changeset, as path::id::author.
    #[arg(long, value_name = "PATH::ID::AUTHOR")]
    pub changeset_identifier: Option<String>,
    /// The changeset's id (with --changeset-author and --changeset-path).
    #[arg(long, value_name = "ID")]
    pub changeset_id: Option<String>,
    /// The changeset's author.
    #[arg(long, value_name = "AUTHOR")]
    pub changeset_author: Option<String>,
    /// The changeset's path (FILENAME).
    #[arg(long, value_name = "PATH")]
    pub changeset_path: Option<String>,
}

/// Options of `update` in Liquibase mode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct UpdateArgs {
    /// Staged deploy: stop before the first pending changeset labelled with a later phase
    /// (expand < backfill < contract).
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<String>,
}

/// Liquibase's commands (Liquibase mode: a changelog is configured).
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum LiquibaseCommand {
    /// Liquibase: deploy every pending changeset
    #[command(
        after_help = "Example:\n  tidemark update --changelog-file changelog.sql --url jdbc:postgresql://localhost/app"
    )]
    Update(UpdateArgs),
    /// Liquibase: deploy the next N pending changesets
    #[command(after_help = "Example:\n  tidemark update-count 2")]
    UpdateCount(CountArgs),
    /// Liquibase: deploy up to and including the changeset tagged T (tagDatabase)
    #[command(after_help = "Example:\n  tidemark update-to-tag v1.2")]
    UpdateToTag(TagArgs),
    /// Liquibase: print the SQL update would run (nothing is written)
    #[command(after_help = "Example:\n  tidemark update-sql > deploy.sql")]
    UpdateSql,
    /// Liquibase: print the SQL update-count would run
    #[command(after_help = "Example:\n  tidemark update-count-sql 1")]
    UpdateCountSql(CountArgs),
    /// Liquibase: print the SQL update-to-tag would run
    #[command(after_help = "Example:\n  tidemark update-to-tag-sql v1.2")]
    UpdateToTagSql(TagArgs),
    /// Liquibase: list the changesets not yet applied
    #[command(after_help = "Example:\n  tidemark status --verbose --context-filter prod")]
    Status(StatusArgs),
    /// Liquibase: list the applied changesets (DATABASECHANGELOG)
    #[command(after_help = "Example:\n  tidemark history")]
    History,
    /// Liquibase: tag the newest applied changeset
    #[command(after_help = "Example:\n  tidemark tag release-42")]
    Tag(TagArgs),
    /// Liquibase: roll back every changeset applied after a tag
    #[command(after_help = "Example:\n  tidemark rollback release-41")]
    Rollback(TagArgs),
    /// Liquibase: print the SQL rollback would run
    #[command(after_help = "Example:\n  tidemark rollback-sql release-41")]
    RollbackSql(TagArgs),
    /// Liquibase: roll back the N newest changesets
    #[command(after_help = "Example:\n  tidemark rollback-count 1")]
    RollbackCount(CountArgs),
    /// Liquibase: print the SQL rollback-count would run
    #[command(after_help = "Example:\n  tidemark rollback-count-sql 1")]
    RollbackCountSql(CountArgs),
    /// Liquibase: roll back the changesets applied after a date
    #[command(after_help = "Example:\n  tidemark rollback-to-date 2026-11-01T12:00:00")]
    RollbackToDate(DateArgs),
    /// Liquibase: print the SQL rollback-to-date would run
    #[command(after_help = "Example:\n  tidemark rollback-to-date-sql 2026-11-01")]
    RollbackToDateSql(DateArgs),
    /// Liquibase: record every pending changeset as applied, without running it
    #[command(after_help = "Example:\n  tidemark changelog-sync")]
    ChangelogSync,
    /// Liquibase: print the SQL changelog-sync would run
    #[command(after_help = "Example:\n  tidemark changelog-sync-sql")]
    ChangelogSyncSql,
    /// Liquibase: record pending changesets up to a tag as applied
    #[command(after_help = "Example:\n  tidemark changelog-sync-to-tag v1.0")]
    ChangelogSyncToTag(TagArgs),
    /// Liquibase: print the SQL changelog-sync-to-tag would run
    #[command(after_help = "Example:\n  tidemark changelog-sync-to-tag-sql v1.0")]
    ChangelogSyncToTagSql(TagArgs),
    /// Liquibase: set every MD5SUM to NULL (the next update refills them)
    #[command(after_help = "Example:\n  tidemark clear-checksums")]
    ClearChecksums,
    /// Liquibase: print the checksum of a changeset
    #[command(
        after_help = "Example:\n  tidemark calculate-checksum --changeset-id 1 --changeset-author ada --changeset-path changelog.sql"
    )]
    CalculateChecksum(ChecksumArgs),
    /// Liquibase: release DATABASECHANGELOGLOCK (a lock left by a killed run)
    #[command(after_help = "Example:\n  tidemark release-locks")]
    ReleaseLocks,
    /// Liquibase: show who holds DATABASECHANGELOGLOCK
    #[command(after_help = "Example:\n  tidemark list-locks")]
    ListLocks,
}

/// The command names, in declaration order (for `args.rs`'s rewriter and its test).
pub const NAMES: &[&str] = &[
    "update",
    "update-count",
    "update-to-tag",
    "update-sql",
    "update-count-sql",
    "update-to-tag-sql",
    "status",
    "history",
    "tag",
    "rollback",
    "rollback-sql",
    "rollback-count",
    "rollback-count-sql",
    "rollback-to-date",
    "rollback-to-date-sql",
    "changelog-sync",
    "changelog-sync-sql",
    "changelog-sync-to-tag",
    "changelog-sync-to-tag-sql",
    "clear-checksums",
    "calculate-checksum",
    "release-locks",
    "list-locks",
];

impl LiquibaseCommand {
    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        use LiquibaseCommand as C;
        match self {
            C::Update(_) => "update",
            C::UpdateCount(_) => "update-count",
            C::UpdateToTag(_) => "update-to-tag",
            C::UpdateSql => "update-sql",
            C::UpdateCountSql(_) => "update-count-sql",
            C::UpdateToTagSql(_) => "update-to-tag-sql",
            C::Status(_) => "status",
            C::History => "history",
            C::Tag(_) => "tag",
            C::Rollback(_) => "rollback",
            C::RollbackSql(_) => "rollback-sql",
            C::RollbackCount(_) => "rollback-count",
            C::RollbackCountSql(_) => "rollback-count-sql",
            C::RollbackToDate(_) => "rollback-to-date",
            C::RollbackToDateSql(_) => "rollback-to-date-sql",
            C::ChangelogSync => "changelog-sync",
            C::ChangelogSyncSql => "changelog-sync-sql",
            C::ChangelogSyncToTag(_) => "changelog-sync-to-tag",
            C::ChangelogSyncToTagSql(_) => "changelog-sync-to-tag-sql",
            C::ClearChecksums => "clear-checksums",
            C::CalculateChecksum(_) => "calculate-checksum",
            C::ReleaseLocks => "release-locks",
            C::ListLocks => "list-locks",
        }
    }
}
