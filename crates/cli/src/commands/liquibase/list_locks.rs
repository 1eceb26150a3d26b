//! `list-locks`: who holds DATABASECHANGELOGLOCK, and since when.

use tidemark_engine::liquibase::medium_date;

use super::{Access, Context, failure, with_session};
use crate::failure::Failure;

/// Prints `Database change log locks for <db>` and ` - <host> (<ip>) at <date>` per lock.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let done = with_session(ctx, Access::Read, |s, scope| {
        s.list_locks().map_err(|e| failure(e, &scope.cwd))
    })?;
    ctx.out
        .result(&format!("Database change log locks for {}", done.target));
    if done.value.is_empty() {
        ctx.out.result(" - No locks");
    }
    for lock in &done.value {
        ctx.out.result(&format!(
            " - {} at {}",
            lock.locked_by,
            medium_date(&lock.granted)
        ));
    }
    Ok(())
}
