//! `tidemark migrate`: apply every pending migration (Flyway's `migrate`). With `--dry-run` (or
//! `dryRunOutput`), print the SQL it would run instead.

use serde_json::json;
use tidemark_engine::ReadAheadMode;

use tidemark_ledger::phase::Phase;

use super::{Context, with_engine_configured};
use crate::args::MigrateArgs;
use crate::failure::Failure;
use crate::render;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &MigrateArgs) -> Result<(), Failure> {
    let cwd = ctx.cwd.clone();
    let phase: Option<Phase> = match &args.phase {
        Some(p) => Some(p.parse().map_err(Failure::usage)?),
        None => None,
    };
    if let Some(file) = &args.fleet.fleet {
        if args.run.dry_run {
            return Err(Failure::usage(
                "--dry-run cannot be combined with --fleet: dry-run one target at a time",
            ));
        }
        return super::fleet::migrate(ctx, file, args.fleet.jobs, args.fail_fast, phase);
    }
    let dry_run = args.run.dry_run;
    let review = super::lint::migrate_review(ctx.settings)?;
    let configure = |config: &mut tidemark_engine::Config| {
        config.dry_run |= dry_run;
        config.phase_limit = phase;
        config.review = review;
        // The history comes first: read it (without the lock) while the files load.
        config.read_ahead = ReadAheadMode::History;
    };
    let (outcome, sql) = with_engine_configured(ctx, configure, |engine| {
        let outcome = engine.migrate();
        Ok((
            outcome,
            engine
                .is_dry_run()
                .then(|| engine.dry_run_sql().to_string()),
        ))
    })?;
    finish(ctx, outcome, sql, &cwd, "migrate")
}

/// Shared by migrate and undo: print the dry-run SQL, the JSON document, or the failure.
pub fn finish(
    ctx: &mut Context<'_>,
    outcome: Result<tidemark_engine::MigrateReport, Box<tidemark_engine::MigrateFailure>>,
    sql: Option<String>,
    cwd: &std::path::Path,
    operation: &str,
) -> Result<(), Failure> {
    if let Some(sql) = &sql {
        let file = ctx.settings.dry_run_output.clone();
        ctx.out
            .dry_run_sql(sql, file.as_deref())
            .map_err(|e| Failure::usage(format!("Unable to write the dry-run output: {e}")))?;
    }
    match outcome {
        Ok(report) => {
            let mut doc = render::migrate_json(&report, cwd, &ctx.out.warnings, true);
            doc["operation"] = json!(operation);
            if let Some(sql) = sql {
                doc["dryRun"] = json!(true);
                doc["sql"] = json!(sql);
            }
            ctx.out.json(&doc);
            Ok(())
        }
        Err(failure) => {
            let mut f = Failure::from(failure.error);
            let mut partial = render::migrate_json(&failure.report, cwd, &ctx.out.warnings, false);
            partial["operation"] = json!(operation);
            f.details = Some(json!({ operation: partial }));
            Err(f)
        }
    }
}
