//! `validate`: changed checksums and duplicate identifiers, with Liquibase's message.

use super::{Access, Context, failure, with_changelog};
use crate::failure::Failure;

/// Prints `No validation errors found.` or fails with `Validation Failed: …`.
pub fn run(ctx: &mut Context<'_>, defines: &[(String, String)]) -> Result<(), Failure> {
    with_changelog(ctx, defines, Access::Read, |s, changelog, scope| {
        s.validate(changelog).map_err(|e| failure(e, &scope.cwd))
    })?;
    ctx.out.result("No validation errors found.");
    Ok(())
}
