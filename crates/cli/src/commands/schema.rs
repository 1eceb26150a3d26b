//! `tidemark schema dump`: print the database's schema as the catalogs describe it, normalised
//! and in a stable order (text, or JSON with `--format json`), without tidemark's, Flyway's and
//! Liquibase's own tables. Two databases with the same schema print the same text, so the
//! output can be committed, diffed and reviewed.

use tidemark_engine::driver::{Dialect, Driver};
use tidemark_schema::{Options, Snapshot};

use super::Context;
use crate::connect::{self, Connection};
use crate::failure::Failure;
use crate::settings::{Format, Settings};

/// Options of `schema`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SchemaArgs {
    /// What to do with the schema.
    #[command(subcommand)]
    pub action: SchemaAction,
}

/// `schema` subcommands.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum SchemaAction {
    /// Print a normalised, deterministic description of the schema
    #[command(
        long_about = "Print the schema of the configured schemas (default: the connection's current schema) from the catalogs: tables, columns, types, defaults, constraints, indexes, views, functions, triggers, sequences. Stable order; the history tables are left out. --format json prints the same as one JSON document.",
        after_help = "Example:\n  tidemark schema dump > schema.txt\n  tidemark schema dump --format json"
    )]
    Dump,
}

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &SchemaArgs) -> Result<(), Failure> {
    match args.action {
        SchemaAction::Dump => dump(ctx),
    }
}

fn dump(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let Connection { mut driver, .. } = connect::connect_read_only(ctx.settings, &ctx.cwd)?;
    let snapshot = read(driver.as_mut(), ctx.settings)?;
    match ctx.out.format {
        Format::Json => ctx
            .out
            .json(&serde_json::to_value(&snapshot).unwrap_or_default()),
        _ => {
            let text = snapshot.to_text();
            for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
                ctx.out.result(line);
            }
        }
    }
    Ok(())
}

/// What to snapshot: the configured schemas, else the connection's current one; without the
/// history tables of the configured `table`.
pub fn options(driver: &mut dyn Driver, settings: &Settings) -> Result<Options, Failure> {
    let schemas = if driver.dialect() == Dialect::Sqlite {
        vec!["main".to_string()]
    } else if settings.schemas.is_empty() {
        vec![driver.current_schema().map_err(|e| {
            Failure::failed(
                "DB_ERROR",
                format!("Unable to read the current schema: {e}"),
            )
        })?]
    } else {
        settings.schemas.clone()
    };
    Ok(Options {
        schemas,
        exclude_tables: tidemark_schema::tidemark_tables(&settings.table),
    })
}

/// Reads the snapshot of the database behind `driver`, as `settings` configure it.
pub fn read(driver: &mut dyn Driver, settings: &Settings) -> Result<Snapshot, Failure> {
    let options = options(driver, settings)?;
    let dialect = driver.dialect();
    tidemark_schema::snapshot(driver, dialect, &options)
        .map_err(|e| Failure::failed("DB_ERROR", e.to_string()))
}
