//! `clear-checksums`: every MD5SUM to NULL; the next `update` refills them without running
//! anything.

use super::{Access, Context, failure, with_session};
use crate::failure::Failure;

/// Clears the checksums (prints nothing, as Liquibase).
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    with_session(ctx, Access::Write, |s, scope| {
        s.clear_checksums().map_err(|e| failure(e, &scope.cwd))
    })?;
    Ok(())
}
