//! Drop a column the code stops using, without breaking the code that still uses it.
//!
//! The drop itself is quick; the danger is timing. Old code that reads or writes the column
//! fails the moment it is gone, and new code that no longer writes it fails to insert while it
//! is still NOT NULL without a default. So the plan first makes it nullable (expand), then drops
//! it once nothing running uses it (contract). The undo of the drop can re-create the column but
//! not its values.

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use super::{Step, Target, check_options, current_type, finish, refuse_undo, unsupported};
use crate::ident::Ident;
use crate::{GenerateError, PlanOptions, PlannedFile};

/// Drop `table.column`: expand (drop its NOT NULL, so code that stops writing it can insert),
/// contract (drop it). PostgreSQL only.
pub fn drop_column(
    dialect: Dialect,
    table: &str,
    column: &str,
    options: &PlanOptions,
) -> Result<Vec<PlannedFile>, GenerateError> {
    if dialect != Dialect::Postgres {
        return Err(unsupported("drop-column", dialect, "PostgreSQL"));
    }
    check_options(dialect, options)?;
    let target = Target::new(dialect, table)?;
    let column = Ident::parse("column", column)?;
    let ty = current_type(dialect, options)?;
    let (t, c, raw) = (target.t(), target.c(&column), column.raw());

    let expand = Step::new(Phase::Expand, "expand")
        .does(format!(
            "make {raw} nullable (nothing changes if it already is), so code that stops writing it can still insert."
        ))
        .next(format!(
            "Next: deploy code that neither reads nor writes {raw} (remove it from ORM models too: their cached column lists name it), then apply the contract (step 2)."
        ))
        .sql(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;"))
        .undo(
            format!(
                "nothing is run: tidemark cannot know whether {raw} was NOT NULL before. If it was, and it has no NULL now: ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;"
            ),
            Vec::new(),
        );

    let undo_contract = match &ty {
        Some(ty) => vec![format!("ALTER TABLE {t} ADD COLUMN {c} {ty};")],
        None => refuse_undo(&target, &column),
    };
    let contract = Step::new(Phase::Contract, "contract")
        .does(format!("drop {raw}."))
        .next(format!(
            "Deploy first, everywhere: code that neither reads nor writes {raw} (the previous release gone). Its values are gone after this: copy them elsewhere first if they may be needed."
        ))
        .sql(format!("ALTER TABLE {t} DROP COLUMN {c};"))
        .undo(
            if ty.is_some() {
                format!(
                    "re-create {raw}, empty: its values were dropped with it (restore them from a backup if needed)."
                )
            } else {
                "not generated (see the TODO): as written, it stops with an error and changes nothing.".to_string()
            },
            undo_contract,
        );

    Ok(finish(
        &format!("Drop {}.{raw}", target.table.raw()),
        &["drop", target.table_raw(), raw],
        vec![expand, contract],
        options,
    ))
}
