//! Add a unique constraint without building its index under an exclusive lock.
//!
//! `ADD CONSTRAINT ... UNIQUE` builds the index while every query on the table waits. The plan
//! builds it concurrently first (writes continue), then attaches it as the constraint, which
//! only touches the catalog.

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use super::{Step, Target, check_options, finish, unsupported};
use crate::ident::Ident;
use crate::{GenerateError, PlanOptions, PlannedFile};

/// Add `UNIQUE (columns)` to `table`, named `name` (default `<table>_<columns>_key`): the
/// unique index concurrently, then the constraint `USING INDEX`. Both steps are expand.
/// PostgreSQL only.
pub fn add_unique(
    dialect: Dialect,
    table: &str,
    columns: &[&str],
    name: Option<&str>,
    options: &PlanOptions,
) -> Result<Vec<PlannedFile>, GenerateError> {
    if dialect != Dialect::Postgres {
        return Err(unsupported("add-unique", dialect, "PostgreSQL"));
    }
    check_options(dialect, options)?;
    let target = Target::new(dialect, table)?;
    if columns.is_empty() {
        return Err(GenerateError::InvalidName {
            what: "column",
            value: String::new(),
            reason: "at least one column is needed".into(),
        });
    }
    let columns = columns
        .iter()
        .map(|c| Ident::parse("column", c))
        .collect::<Result<Vec<_>, _>>()?;
    let raws: Vec<&str> = columns.iter().map(Ident::raw).collect();
    let name = match name {
        Some(n) => Ident::parse("constraint", n)?,
        None => {
            let mut parts = vec![target.table_raw()];
            parts.extend(&raws);
            parts.push("key");
            Ident::derived(&parts)
        }
    };
    let t = target.t();
    let list = columns
        .iter()
        .map(|c| target.c(c))
        .collect::<Vec<_>>()
        .join(", ");
    let k = target.c(&name);
    let qualified = target.table.sibling(dialect, &name);
    let what = raws.join(", ");

    let index = Step::new(Phase::Expand, "index")
        .does(format!(
            "build the unique index on ({what}) concurrently (no transaction; writes continue). Uniqueness is enforced from the moment it exists."
        ))
        .next(format!(
            "Before this step: remove duplicates (SELECT {list}, count(*) FROM {t} GROUP BY {list} HAVING count(*) > 1;) and deploy code that never creates them. If the build fails, it leaves an invalid index: DROP INDEX CONCURRENTLY {qualified}; fix the duplicates and re-run. Next: apply step 2."
        ))
        .sql(format!("CREATE UNIQUE INDEX CONCURRENTLY {k} ON {t} ({list});"))
        .undo(
            "drop the index, concurrently (already gone if step 2 was undone: dropping the constraint drops its index).",
            vec![format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified};")],
        );
    let attach = Step::new(Phase::Expand, "constraint")
        .does("make the index the table's unique constraint: a brief lock, no scan, no build.")
        .next("Nothing to deploy after it: the database now guarantees uniqueness.")
        .sql(format!(
            "ALTER TABLE {t} ADD CONSTRAINT {k} UNIQUE USING INDEX {k};"
        ))
        .undo(
            "drop the constraint (which drops its index too).",
            vec![format!("ALTER TABLE {t} DROP CONSTRAINT {k};")],
        );

    let mut slug = vec!["add", target.table_raw()];
    slug.extend(&raws);
    slug.push("unique");
    Ok(finish(
        &format!("Add unique ({what}) on {}", target.table.raw()),
        &slug,
        vec![index, attach],
        options,
    ))
}
