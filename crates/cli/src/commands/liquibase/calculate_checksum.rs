//! `calculate-checksum`: the `9:` checksum of one changeset, as `update` would store it.

use tidemark_engine::liquibase::calculate_checksum;

use super::args::ChecksumArgs;
use super::{Access, Context, with_changelog};
use crate::failure::Failure;

/// Prints the checksum of `--changeset-identifier path::id::author` (or `--changeset-path`,
/// `--changeset-id`, `--changeset-author`).
pub fn run(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    a: &ChecksumArgs,
) -> Result<(), Failure> {
    let identifier = match (
        &a.changeset_identifier,
        &a.changeset_path,
        &a.changeset_id,
        &a.changeset_author,
    ) {
        (Some(identifier), _, _, _) => identifier.clone(),
        (None, Some(path), Some(id), Some(author)) => format!("{path}::{id}::{author}"),
        _ => {
            return Err(Failure::usage(
                "'calculate-checksum' needs --changeset-identifier path::id::author (or --changeset-path, --changeset-id and --changeset-author)",
            ));
        }
    };
    let done = with_changelog(ctx, defines, Access::Read, |_, changelog, _| {
        calculate_checksum(changelog, &identifier).ok_or_else(|| {
            Failure::failed(
                "CHANGESET_NOT_FOUND",
                format!("No changeset {identifier} in changelog {}", changelog.root),
            )
        })
    })?;
    ctx.out.result(&done.value);
    Ok(())
}
