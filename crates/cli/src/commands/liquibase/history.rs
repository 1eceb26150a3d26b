//! `history`: the rows of DATABASECHANGELOG, as Liquibase's table.

use tidemark_engine::liquibase::short_date;

use super::{Access, Context, failure, with_session};
use crate::failure::Failure;
use crate::settings::Format;
use crate::url::mask;

/// Prints `Liquibase History for <url>` and a table of the applied changesets.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let done = with_session(ctx, Access::Read, |s, scope| {
        s.history().map_err(|e| failure(e, &scope.cwd))
    })?;
    let rows = done.value;
    if ctx.out.format == Format::Json {
        ctx.out.json(&serde_json::json!({
            "database": done.target,
            "changesets": rows.iter().map(|r| serde_json::json!({
                "deploymentId": r.deployment_id,
                "dateExecuted": r.date_executed,
                "orderExecuted": r.order_executed,
                "path": r.filename,
                "author": r.author,
                "id": r.id,
                "execType": r.exec_type.as_str(),
                "checksum": r.md5sum,
                "tag": r.tag,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    ctx.out.result(&format!(
        "Liquibase History for {}",
        mask(&ctx.settings.url)
    ));
    ctx.out.result("");
    if rows.is_empty() {
        ctx.out.result("No changesets deployed");
        return Ok(());
    }
    let header = [
        "Deployment ID",
        "Update Date",
        "Changelog Path",
        "Changeset Author",
        "Changeset ID",
        "Tag",
    ];
    let body: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.deployment_id.clone().unwrap_or_default(),
                short_date(&r.date_executed),
                r.filename.clone(),
                r.author.clone(),
                r.id.clone(),
                r.tag.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &body {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let rule = format!(
        "+{}+",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c:<w$} "))
            .collect();
        format!("|{}|", parts.join("|"))
    };
    ctx.out.result(&rule);
    ctx.out.result(&line(&header.map(String::from)));
    ctx.out.result(&rule);
    for row in &body {
        ctx.out.result(&line(row));
        ctx.out.result(&rule);
    }
    ctx.out.result("");
    Ok(())
}
