//! `status` (and Flyway's `info` in Liquibase mode): what `update` would run.

use super::{Access, Context, failure, with_changelog};
use crate::failure::Failure;
use crate::settings::Format;

/// Prints `N changesets have not been applied to <db>` and, when `verbose`, each of them; or
/// `<db> is up to date`.
pub fn run(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    verbose: bool,
) -> Result<(), Failure> {
    let done = with_changelog(ctx, defines, Access::Read, |s, changelog, scope| {
        s.status(changelog).map_err(|e| failure(e, &scope.cwd))
    })?;
    let report = done.value;
    if ctx.out.format == Format::Json {
        ctx.out.json(&serde_json::json!({
            "database": done.target,
            "upToDate": report.pending.is_empty(),
            "pending": report.pending,
            "unexpected": report.unexpected,
        }));
        return Ok(());
    }
    if report.pending.is_empty() {
        ctx.out.result(&format!("{} is up to date", done.target));
        return Ok(());
    }
    ctx.out.result(&format!(
        "{} changesets have not been applied to {}",
        report.pending.len(),
        done.target
    ));
    if verbose {
        for identifier in &report.pending {
            ctx.out.result(&format!("     {identifier}"));
        }
    }
    Ok(())
}
