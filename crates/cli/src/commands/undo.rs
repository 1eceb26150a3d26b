//! `tidemark undo`: revert the latest applied migrations with their `U` files (Flyway Teams'
//! undo, for everyone). `-target=V` undoes every applied version at or above V.

use tidemark_engine::UndoRequest;
use tidemark_ledger::version::Target;

use super::{Context, with_engine_dry};
use crate::args::UndoArgs;
use crate::failure::Failure;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &UndoArgs) -> Result<(), Failure> {
    let target = match Target::parse(ctx.settings.target.trim())
        .map_err(|e| Failure::usage(format!("Invalid target '{}': {e}", ctx.settings.target)))?
    {
        // Without a target, undo walks back one migration (or --count).
        Target::Latest | Target::Current => None,
        Target::Next => return Err(Failure::usage("target next has no meaning for undo")),
        Target::Version { version, .. } => Some(version),
    };
    let request = UndoRequest {
        count: args.count,
        target,
    };
    let cwd = ctx.cwd.clone();
    let (outcome, sql) = with_engine_dry(ctx, args.run.dry_run, |engine| {
        let outcome = engine.undo(&request);
        Ok((
            outcome,
            engine
                .is_dry_run()
                .then(|| engine.dry_run_sql().to_string()),
        ))
    })?;
    super::migrate::finish(ctx, outcome, sql, &cwd, "undo")
}
