//! `tidemark plan <change> ...`: write the migration files of a zero-downtime change (expand,
//! backfill, contract), each with its undo file, into the first location.
//!
//! The SQL comes from `tidemark-generate`; this command only picks the dialect (`--dialect`, or
//! the scheme of the configured URL, without connecting), numbers the files as `new` does
//! ([`crate::numbering`]) and writes them. Nothing touches the database: the files are reviewed,
//! linted and applied like any other migration (`migrate --phase expand`, ...).

use std::path::PathBuf;

use serde_json::json;
use tidemark_generate::{Dialect, PlanOptions, PlannedFile};

use super::{Context, display_path, engine_config};
use crate::args::{PlanArgs, PlanChange};
use crate::failure::Failure;
use crate::numbering;
use crate::settings::Settings;
use crate::url::DatabaseUrl;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &PlanArgs) -> Result<(), Failure> {
    let dialect = dialect(ctx.settings, args.options.dialect.as_deref())?;
    let config = engine_config(ctx.settings)?;
    let naming = &config.resolve.naming;
    let current_type = match &args.change {
        PlanChange::RenameColumn { current_type, .. }
        | PlanChange::ChangeColumnType { current_type, .. }
        | PlanChange::DropColumn { current_type, .. } => current_type.clone(),
        _ => None,
    };
    let options = PlanOptions {
        key: args.options.key.clone(),
        batch_size: args.options.batch_size,
        batch_pause: args.options.batch_pause.clone(),
        current_type,
    };
    let (name, files) = generate(dialect, &args.change, &options)?;

    let first = ctx
        .settings
        .locations
        .first()
        .cloned()
        .ok_or_else(|| Failure::usage("no location configured"))?;
    let versions = numbering::next_versions(
        &ctx.settings.locations,
        naming,
        files.len(),
        chrono::Utc::now(),
    );
    let mut writes: Vec<(String, &PlannedFile, PathBuf, PathBuf)> = Vec::new();
    for (version, file) in versions.into_iter().zip(&files) {
        let (v_name, u_name) = numbering::file_names(naming, &version, &file.description);
        writes.push((version, file, first.join(v_name), first.join(u_name)));
    }
    // Refuse before writing anything, so a clash never leaves half a plan behind.
    for (_, _, v_path, u_path) in &writes {
        for path in [v_path, u_path] {
            if path.exists() {
                return Err(Failure::usage(format!("{} already exists", path.display())));
            }
        }
    }
    std::fs::create_dir_all(&first)
        .map_err(|e| Failure::usage(format!("Unable to create {}: {e}", first.display())))?;
    let mut shown = Vec::new();
    let mut notes = Vec::new();
    for (version, file, v_path, u_path) in &writes {
        for (path, text) in [(v_path, &file.sql), (u_path, &file.undo_sql)] {
            std::fs::write(path, text).map_err(|e| {
                Failure::failed(
                    "WRITE_ERROR",
                    format!("Unable to write {}: {e}", path.display()),
                )
            })?;
        }
        let (v_show, u_show) = (
            display_path(v_path, &ctx.cwd),
            display_path(u_path, &ctx.cwd),
        );
        for line in tidemark_ledger::text::lines(&file.undo_sql) {
            if let Some(todo) = line.strip_prefix("-- TODO: ") {
                notes.push(format!("{u_show}: {todo}"));
            }
        }
        ctx.out.result(&format!(
            "Created {v_show} ({})\nCreated {u_show}",
            file.phase
        ));
        shown.push(json!({
            "version": version,
            "phase": file.phase.as_str(),
            "file": v_show,
            "undo": u_show,
        }));
    }
    use tidemark_engine::Reporter;
    for note in &notes {
        ctx.out.warn(note);
    }
    let phases: Vec<&str> = {
        let mut p: Vec<&str> = files.iter().map(|f| f.phase.as_str()).collect();
        p.dedup();
        p
    };
    ctx.out.result(&format!(
        "Apply them stage by stage ({}): `tidemark migrate --phase <phase>`. Each file's header says what to deploy before the next one.",
        phases.join(", then ")
    ));
    ctx.out.json(&json!({
        "operation": "plan",
        "plan": name,
        "dialect": dialect.to_string(),
        "files": shown,
        "warnings": notes,
    }));
    Ok(())
}

/// The files of `change`, and the plan's name as the CLI spells it.
fn generate(
    dialect: Dialect,
    change: &PlanChange,
    options: &PlanOptions,
) -> Result<(&'static str, Vec<PlannedFile>), Failure> {
    use tidemark_generate as g;
    let result = match change {
        PlanChange::RenameColumn {
            table, old, new, ..
        } => (
            "rename-column",
            g::rename_column(dialect, table, old, new, options),
        ),
        PlanChange::AddNotNullColumn {
            table,
            column,
            column_type,
            default,
        } => (
            "add-not-null-column",
            g::add_not_null_column(dialect, table, column, column_type, default, options),
        ),
        PlanChange::ChangeColumnType {
            table,
            column,
            column_type,
            using,
            ..
        } => (
            "change-column-type",
            g::change_column_type(
                dialect,
                table,
                column,
                column_type,
                using.as_deref(),
                options,
            ),
        ),
        PlanChange::DropColumn { table, column, .. } => (
            "drop-column",
            g::drop_column(dialect, table, column, options),
        ),
        PlanChange::AddForeignKey {
            table,
            column,
            ref_table,
            ref_column,
            name,
        } => (
            "add-foreign-key",
            g::add_foreign_key(
                dialect,
                table,
                column,
                ref_table,
                ref_column,
                name.as_deref(),
                options,
            ),
        ),
        PlanChange::AddUnique {
            table,
            columns,
            name,
        } => {
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            (
                "add-unique",
                g::add_unique(dialect, table, &columns, name.as_deref(), options),
            )
        }
    };
    let (name, files) = result;
    files
        .map(|files| (name, files))
        .map_err(|e| Failure::usage(format!("Cannot plan {name}: {e}")))
}

/// The dialect to write: `--dialect`, else the scheme of the configured URL (not connecting).
pub fn dialect(settings: &Settings, flag: Option<&str>) -> Result<Dialect, Failure> {
    if let Some(name) = flag {
        return match name.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            other => Err(Failure::usage(format!(
                "Unknown dialect '{other}' (expected postgres, mysql, mariadb or sqlite)"
            ))),
        };
    }
    if settings.url.trim().is_empty() {
        return Err(Failure::usage(
            "Which SQL dialect? Give --dialect postgres|mysql|mariadb|sqlite, or a --url (it is not connected to)",
        ));
    }
    match DatabaseUrl::parse(&settings.url) {
        Ok(DatabaseUrl::Sqlite { .. }) => Ok(Dialect::Sqlite),
        Ok(DatabaseUrl::Postgres { .. }) => Ok(Dialect::Postgres),
        Ok(DatabaseUrl::Mysql { .. }) => Ok(Dialect::Mysql),
        Err(e) => Err(Failure::usage(e.to_string())),
    }
}
