//! `release-locks`: frees DATABASECHANGELOGLOCK (a lock a killed run left; there is no expiry).

use super::{Access, Context, failure, note, with_session};
use crate::failure::Failure;

/// Releases the lock and says so.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let done = with_session(ctx, Access::Write, |s, scope| {
        s.release_locks().map_err(|e| failure(e, &scope.cwd))
    })?;
    note(
        ctx,
        &format!(
            "Successfully released all database change log locks for '{}'",
            done.target
        ),
    );
    Ok(())
}
