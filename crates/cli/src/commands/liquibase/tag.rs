//! `tag`: marks the newest applied changeset, for `rollback --tag`.

use super::{Access, Context, failure, note, with_session};
use crate::failure::Failure;

/// Tags the database and prints `Successfully tagged '<db>'`.
pub fn run(ctx: &mut Context<'_>, tag: &str) -> Result<(), Failure> {
    let done = with_session(ctx, Access::Write, |s, scope| {
        s.tag(tag).map_err(|e| failure(e, &scope.cwd))
    })?;
    note(ctx, &format!("Successfully tagged '{}'", done.target));
    Ok(())
}
