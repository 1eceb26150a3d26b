//! `changelog-sync`, `changelog-sync-to-tag` and their `-sql` forms: record pending changesets
//! as applied without running them (a database brought up to date by other means).

use tidemark_engine::liquibase::Limit;

use super::{Access, Context, failure, print_sql, script_header, with_changelog};
use crate::failure::Failure;

/// Records the changesets (up to `to_tag`); `sql` = the `-sql` form.
pub fn run(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    to_tag: Option<String>,
    sql: bool,
) -> Result<(), Failure> {
    let dry = sql;
    let limit = to_tag.map_or(Limit::All, Limit::ToTag);
    let done = with_changelog(
        ctx,
        defines,
        if dry { Access::DryRun } else { Access::Write },
        |s, changelog, scope| {
            if dry {
                s.set_script_header(&script_header(
                    "SQL to add all changesets to database history table",
                    &changelog.root,
                    &scope.target,
                ));
            }
            s.changelog_sync(changelog, &limit)
                .map_err(|e| failure(e, &scope.cwd))
        },
    )?;
    if sql {
        return print_sql(ctx, &done.sql);
    }
    Ok(())
}
