//! `rollback --tag`, `rollback-count`, `rollback-to-date` and their `-sql` forms.

use tidemark_engine::liquibase::RollbackTarget;

use super::{Access, Context, failure, print_sql, script_header, with_changelog};
use crate::failure::Failure;

/// Rolls back to `target`; `sql` = the `-sql` form (prints, writes nothing).
pub fn run(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    target: RollbackTarget,
    sql: bool,
) -> Result<(), Failure> {
    let dry = sql;
    let title = match &target {
        RollbackTarget::Tag(t) => format!("Rollback to '{t}' Script"),
        RollbackTarget::Count(n) => format!("Rollback {n} Change(s) Script"),
        RollbackTarget::Date(d) => format!("Rollback to {d} Script"),
    };
    let done = with_changelog(
        ctx,
        defines,
        if dry { Access::DryRun } else { Access::Write },
        |s, changelog, scope| {
            if dry {
                s.set_script_header(&script_header(&title, &changelog.root, &scope.target));
            }
            s.rollback(changelog, &target)
                .map_err(|e| failure(e, &scope.cwd))
        },
    )?;
    if sql {
        return print_sql(ctx, &done.sql);
    }
    Ok(())
}
