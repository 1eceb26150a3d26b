//! `tidemark adopt --from refinery|sqlx|dbmate [--dry-run]`: take over a database that another
//! tool migrated, without re-running anything.
//!
//! Read the other tool's history table and the files in the first location; let the ledger plan
//! the conversion (`tidemark_ledger::adopt`); rename or split the files into Flyway's form; then
//! let the engine create Flyway's history table and record the applied migrations with the
//! checksums of the renamed files (`Engine::record_applied`), in the order the other tool applied
//! them. Afterwards `validate` is clean and `migrate` applies only what the other tool had not.
//!
//! Nothing is touched before every check has passed (the other tool's table exists, tidemark's
//! does not, every applied migration has its file, no new name is taken). If recording the
//! history fails, the files are put back as they were. `--dry-run` prints the plan and changes
//! nothing. The other tool's table is left in place.

use std::path::{Path, PathBuf};

use serde_json::json;
use tidemark_engine::Reporter;
use tidemark_engine::driver::{Dialect, Driver, Value};
use tidemark_engine::history_table::quote;
use tidemark_ledger::adopt::{self, AdoptPlan, FileOp, Tool, ToolFile, ToolRow};
use tidemark_ledger::source::{FsSource, MemSource, Source, resolve};

use super::{Context, display_path, engine_config, source};
use crate::connect::{self, Connection};
use crate::failure::Failure;

/// Options of `adopt`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct AdoptArgs {
    /// The tool that migrated the database so far.
    #[arg(long, value_name = "TOOL", value_parser = ["refinery", "sqlx", "dbmate"])]
    pub from: String,
    /// The other tool's history table, when it is not the tool's default
    /// (refinery_schema_history, _sqlx_migrations, schema_migrations); `schema.table` allowed.
    #[arg(long, value_name = "TABLE")]
    pub from_table: Option<String>,
    /// Print the plan (renames and history rows) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &AdoptArgs) -> Result<(), Failure> {
    let tool = Tool::parse(&args.from)
        .ok_or_else(|| Failure::usage(format!("Unknown tool '{}'", args.from)))?;
    let config = engine_config(ctx.settings)?;
    let location =
        ctx.settings.locations.first().cloned().ok_or_else(|| {
            Failure::usage("no location configured: adopt works on the first one")
        })?;
    let folder = display_path(&location, &ctx.cwd);

    let Connection {
        mut driver,
        description,
    } = if args.dry_run {
        connect::connect_read_only(ctx.settings, &ctx.cwd)?
    } else {
        connect::connect(ctx.settings, &ctx.cwd)?
    };
    ctx.out.info(&format!("Database: {description}"));
    let db = |what: &str, e: tidemark_engine::DbError| {
        Failure::from(tidemark_engine::Error::db(what, e))
    };

    // Where Flyway's table goes (as the engine decides it) and where the other tool's is.
    let current = driver
        .current_schema()
        .map_err(|e| db("determine the current schema", e))?;
    let schema = config
        .default_schema
        .clone()
        .or_else(|| config.schemas.first().cloned())
        .unwrap_or_else(|| current.clone());
    let dialect = driver.dialect();
    let qualified = |s: &str, t: &str| format!("{}.{}", quote(dialect, s), quote(dialect, t));
    if driver
        .table_exists(&schema, &config.table)
        .map_err(|e| db("check for the schema history table", e))?
    {
        return Err(refused(format!(
            "tidemark's history table {} already exists: this database already has a Flyway history, so there is nothing to adopt (adopt only starts a history; check it with `tidemark info`).",
            qualified(&schema, &config.table)
        )));
    }
    let (tool_schema, tool_table) =
        find_tool_table(driver.as_mut(), tool, args, &current, &schema)?;

    let rows = read_rows(driver.as_mut(), tool, &qualified(&tool_schema, &tool_table))?;
    let files = list_files(&location)?;
    let plan = adopt::plan(tool, &files, &rows, &config.resolve.naming, &folder)
        .map_err(|e| refused(e.to_string()))?;
    check_targets(&plan, &location, &folder)?;
    for warning in &plan.warnings {
        ctx.out.warn(warning);
    }

    // The rows to write, with the checksums the files will have: resolved from memory exactly as
    // the engine will resolve them from disk.
    let mut mem = MemSource::new();
    for (relative, bytes) in plan.files() {
        mem.add(0, &relative, bytes);
    }
    let preview = resolve(&mem, &config.resolve).map_err(tidemark_engine::Error::Resolve)?;
    let history = qualified(&schema, &config.table);
    let mut row_docs = Vec::new();
    for (rank, m) in (1..).zip(plan.applied_migrations()) {
        let Some(r) = preview
            .migrations
            .iter()
            .find(|r| r.script == m.versioned.relative)
        else {
            continue;
        };
        row_docs.push(json!({
            "installedRank": rank,
            "version": r.version().map(|v| v.as_str().to_string()),
            "description": r.description(),
            "type": r.migration_type().as_str(),
            "script": r.script,
            "checksum": r.checksum,
        }));
    }
    let pending: Vec<String> = plan
        .migrations
        .iter()
        .filter(|m| !m.applied)
        .map(|m| m.versioned.relative.clone())
        .collect();
    let ops = plan.operations();
    let file_docs: Vec<_> = ops.iter().map(op_json).collect();

    let text = summary(
        tool,
        &folder,
        &tool_table,
        &history,
        &ops,
        &row_docs,
        &pending,
    );
    if args.dry_run {
        for line in &text {
            ctx.out.result(line);
        }
        ctx.out.result("Dry run: nothing was changed.");
        ctx.out.json(&json!({
            "operation": "adopt",
            "from": tool.name(),
            "dryRun": true,
            "files": file_docs,
            "rows": row_docs,
            "pending": pending,
            "warnings": ctx.out.warnings,
        }));
        return Ok(());
    }

    for line in &text {
        ctx.out.info(line);
    }
    let mut journal = Journal::default();
    if let Err(e) = journal.apply(&location, &ops) {
        journal.undo();
        return Err(Failure::failed("ADOPT_FILES", e));
    }
    let recorded = record(ctx, driver.as_mut(), &config, &plan);
    let count = match recorded {
        Ok(count) => count,
        Err(failure) => {
            journal.undo();
            return Err(Failure {
                message: format!("{}\nThe files were put back as they were.", failure.message),
                ..failure
            });
        }
    };
    ctx.out.result(&format!(
        "Adopted {count} migration{} applied by {tool} into {history}; {} pending. The {tool} table {} was left in place: drop it when you no longer need it.",
        if count == 1 { "" } else { "s" },
        pending.len(),
        quote(dialect, &tool_table),
    ));
    ctx.out.json(&json!({
        "operation": "adopt",
        "from": tool.name(),
        "dryRun": false,
        "files": file_docs,
        "rows": row_docs,
        "recorded": count,
        "pending": pending,
        "warnings": ctx.out.warnings,
    }));
    Ok(())
}

fn refused(message: String) -> Failure {
    Failure::failed("ADOPT_REFUSED", message)
}

/// The other tool's table: `--from-table` (maybe `schema.table`), else its default name in the
/// connection's current schema or in tidemark's schema.
fn find_tool_table(
    driver: &mut dyn Driver,
    tool: Tool,
    args: &AdoptArgs,
    current: &str,
    schema: &str,
) -> Result<(String, String), Failure> {
    let (given_schema, table) = match args.from_table.as_deref().map(str::trim) {
        Some(t) => match t.split_once('.') {
            Some((s, t)) => (Some(s.to_string()), t.to_string()),
            None => (None, t.to_string()),
        },
        None => (None, tool.default_table().to_string()),
    };
    let mut candidates = match given_schema {
        Some(s) => vec![s],
        None => vec![current.to_string(), schema.to_string()],
    };
    candidates.dedup();
    for candidate in &candidates {
        let exists = driver.table_exists(candidate, &table).map_err(|e| {
            Failure::from(tidemark_engine::Error::db("look for the history table", e))
        })?;
        if exists {
            return Ok((candidate.clone(), table));
        }
    }
    let dialect = driver.dialect();
    Err(refused(format!(
        "No {tool} history table {} in schema {}: nothing to adopt. Check the URL, or name the table with --from-table if {tool} was configured with another one.",
        quote(dialect, &table),
        candidates
            .iter()
            .map(|s| quote(dialect, s))
            .collect::<Vec<_>>()
            .join(" or ")
    )))
}

/// Reads the other tool's history table.
fn read_rows(driver: &mut dyn Driver, tool: Tool, table: &str) -> Result<Vec<ToolRow>, Failure> {
    let dialect = driver.dialect();
    let sql = match tool {
        Tool::Refinery => format!("SELECT version, name, applied_on FROM {table}"),
        Tool::Sqlx => {
            let hex = match dialect {
                Dialect::Postgres => "encode(checksum, 'hex')",
                Dialect::Sqlite | Dialect::Mysql => "hex(checksum)",
            };
            format!("SELECT version, description, installed_on, success, {hex} FROM {table}")
        }
        Tool::Dbmate => format!("SELECT version FROM {table}"),
    };
    let rows = driver.query(&sql, &[]).map_err(|e| {
        Failure::from(tidemark_engine::Error::db(
            &format!("read the {tool} history table {table}"),
            e,
        ))
    })?;
    let get = |row: &[Value], i: usize| row.get(i).and_then(Value::as_text);
    Ok(rows
        .iter()
        .map(|row| ToolRow {
            version: get(row, 0).unwrap_or_default(),
            name: get(row, 1),
            applied_on: get(row, 2),
            success: match tool {
                Tool::Sqlx => row.get(3).and_then(Value::as_bool).unwrap_or(false),
                _ => true,
            },
            checksum: match tool {
                Tool::Sqlx => get(row, 4),
                _ => None,
            },
        })
        .collect())
}

/// Every file in the location (the ledger decides which are the tool's).
fn list_files(location: &Path) -> Result<Vec<ToolFile>, Failure> {
    let source = FsSource::new(vec![location.to_path_buf()], true);
    let listing = source
        .list()
        .map_err(|e| Failure::failed("ADOPT_FILES", e.to_string()))?;
    listing
        .files
        .iter()
        .map(|f| {
            let bytes = source
                .read(f)
                .map_err(|e| Failure::failed("ADOPT_FILES", e.to_string()))?;
            Ok(ToolFile {
                relative: f.relative.clone(),
                bytes,
            })
        })
        .collect()
}

/// No new name may be taken already (a file that keeps its name is fine).
fn check_targets(plan: &AdoptPlan, location: &Path, folder: &str) -> Result<(), Failure> {
    for op in plan.operations() {
        let (to, source) = match &op {
            FileOp::Rename { from, to } => (to, from.clone()),
            FileOp::Write { to, .. } => (to, String::new()),
            FileOp::Remove { .. } => continue,
        };
        if location.join(to).exists() {
            let source = if source.is_empty() {
                plan.migrations
                    .iter()
                    .flat_map(|m| std::iter::once(&m.versioned).chain(m.undo.as_ref()))
                    .find(|f| to.starts_with(&f.relative))
                    .map(|f| f.source.clone())
                    .unwrap_or_default()
            } else {
                source
            };
            return Err(refused(
                adopt::AdoptError::TargetExists {
                    file: format!("{folder}/{to}"),
                    source_file: format!("{folder}/{source}"),
                }
                .to_string(),
            ));
        }
    }
    Ok(())
}

/// Builds the engine over the renamed files and records the applied migrations.
fn record(
    ctx: &mut Context<'_>,
    driver: &mut dyn Driver,
    config: &tidemark_engine::Config,
    plan: &AdoptPlan,
) -> Result<usize, Failure> {
    let source = source(ctx.settings, &ctx.cwd);
    let mut engine = tidemark_engine::Engine::new(driver, &source, config, &mut ctx.out)?;
    let mut applied = Vec::new();
    for m in plan.applied_migrations() {
        let resolved = engine
            .resolved()
            .migrations
            .iter()
            .find(|r| r.script == m.versioned.relative && !r.migration_type().is_undo())
            .cloned()
            .ok_or_else(|| {
                Failure::failed(
                    "ADOPT_FILES",
                    format!(
                        "{} was written but is not resolved as a migration from the configured locations",
                        m.versioned.relative
                    ),
                )
            })?;
        applied.push(resolved);
    }
    Ok(engine.record_applied(&applied)?)
}

/// What was done to the folder, so it can be undone.
#[derive(Default)]
struct Journal {
    done: Vec<Done>,
}

enum Done {
    Renamed { from: PathBuf, to: PathBuf },
    Wrote(PathBuf),
    Removed(PathBuf, Vec<u8>),
}

impl Journal {
    fn apply(&mut self, location: &Path, ops: &[FileOp]) -> Result<(), String> {
        for op in ops {
            match op {
                FileOp::Rename { from, to } => {
                    let (from, to) = (location.join(from), location.join(to));
                    std::fs::rename(&from, &to).map_err(|e| {
                        format!(
                            "Unable to rename {} to {}: {e}",
                            from.display(),
                            to.display()
                        )
                    })?;
                    self.done.push(Done::Renamed { from, to });
                }
                FileOp::Write { to, bytes } => {
                    let to = location.join(to);
                    std::fs::write(&to, bytes)
                        .map_err(|e| format!("Unable to write {}: {e}", to.display()))?;
                    self.done.push(Done::Wrote(to));
                }
                FileOp::Remove { from } => {
                    let from = location.join(from);
                    let bytes = std::fs::read(&from)
                        .map_err(|e| format!("Unable to read {}: {e}", from.display()))?;
                    std::fs::remove_file(&from)
                        .map_err(|e| format!("Unable to remove {}: {e}", from.display()))?;
                    self.done.push(Done::Removed(from, bytes));
                }
            }
        }
        Ok(())
    }

    /// Best effort: every step is reverted in reverse order.
    fn undo(&mut self) {
        while let Some(done) = self.done.pop() {
            let _ = match done {
                Done::Renamed { from, to } => std::fs::rename(to, from),
                Done::Wrote(to) => std::fs::remove_file(to),
                Done::Removed(from, bytes) => std::fs::write(from, bytes),
            };
        }
    }
}

fn op_json(op: &FileOp) -> serde_json::Value {
    match op {
        FileOp::Rename { from, to } => json!({ "action": "rename", "from": from, "to": to }),
        FileOp::Write { to, .. } => json!({ "action": "write", "to": to }),
        FileOp::Remove { from } => json!({ "action": "remove", "from": from }),
    }
}

/// The plan as text: files, then rows.
fn summary(
    tool: Tool,
    folder: &str,
    tool_table: &str,
    history: &str,
    ops: &[FileOp],
    rows: &[serde_json::Value],
    pending: &[String],
) -> Vec<String> {
    let mut out = vec![format!(
        "Adopting the {tool} history ({tool_table}: {} applied) and the files in {folder}",
        rows.len()
    )];
    if ops.is_empty() {
        out.push("Files: no change needed".into());
    } else {
        out.push("Files:".into());
        for op in ops {
            out.push(match op {
                FileOp::Rename { from, to } => format!("  rename {folder}/{from} -> {folder}/{to}"),
                FileOp::Write { to, .. } => format!("  write  {folder}/{to}"),
                FileOp::Remove { from } => format!("  remove {folder}/{from} (split above)"),
            });
        }
    }
    out.push(format!(
        "History {history} (installed_rank in the order {tool} applied them):"
    ));
    for row in rows {
        out.push(format!(
            "  {:>4}  {:<16} {:<40} {:>12}  {}",
            row["installedRank"],
            row["version"].as_str().unwrap_or_default(),
            row["description"].as_str().unwrap_or_default(),
            row["checksum"],
            row["script"].as_str().unwrap_or_default(),
        ));
    }
    if pending.is_empty() {
        out.push("Pending afterwards: none".into());
    } else {
        out.push(format!("Pending afterwards: {}", pending.join(", ")));
    }
    out
}
