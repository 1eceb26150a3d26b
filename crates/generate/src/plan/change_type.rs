//! Change a column's type without rewriting the table under an exclusive lock.
//!
//! `ALTER COLUMN ... TYPE` rewrites the table and its indexes while every query on it waits.
//! The plan builds the converted column beside the old one instead: a trigger converts every
//! write of the running code (expand), the existing rows are converted in batches (backfill),
//! and a short transaction swaps the columns (contract). The trigger converts one way only,
//! old to new: until the swap no code writes the new column, which is tidemark's internal one.

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use super::{
    Step, Target, batched_update, check_options, current_type, distinct, dollar, finish, refuse,
    refuse_undo, unsupported,
};
use crate::ident::Ident;
use crate::{Fragment, GenerateError, PlanOptions, PlannedFile};

/// Change `table.column` to `new_type` (converted with `using`, an expression over the row's
/// columns by their bare names, else a cast of the column): expand (converted column and
/// trigger), backfill (batched conversion), contract (swap). PostgreSQL only.
pub fn change_column_type(
    dialect: Dialect,
    table: &str,
    column: &str,
    new_type: &str,
    using: Option<&str>,
    options: &PlanOptions,
) -> Result<Vec<PlannedFile>, GenerateError> {
    if dialect != Dialect::Postgres {
        return Err(unsupported("change-column-type", dialect, "PostgreSQL"));
    }
    let key = check_options(dialect, options)?;
    let target = Target::new(dialect, table)?;
    let column = Ident::parse("column", column)?;
    let ty = Fragment::parse(dialect, "type", new_type)?;
    let using = using
        .map(|u| Fragment::parse(dialect, "USING expression", u))
        .transpose()?;
    let old_type = current_type(dialect, options)?;
    let raw = column.raw();
    let shadow = Ident::derived(&[raw, "new"]);
    let shadow_raw = shadow.raw().to_string();
    let (t, c, s) = (target.t(), target.c(&column), target.c(&shadow));
    let base = [target.table_raw(), raw, "convert"];
    let function = target.derived(&base);
    let trigger = target.bare(&base);

    // The converted value, in a statement over the table and in the trigger over NEW.
    let (converted, converted_new) = match &using {
        None => (
            format!("CAST({c} AS {ty})"),
            format!("CAST(NEW.{c} AS {ty})"),
        ),
        Some(expr) => (
            format!("CAST(({expr}) AS {ty})"),
            format!("(SELECT CAST(({expr}) AS {ty}) FROM (SELECT NEW.*) AS tidemark_row)"),
        ),
    };
    let body = format!(
        "
BEGIN
  -- One way only, old to new: nothing writes {shadow_raw} until the contract renames it.
  NEW.{s} := {converted_new};
  RETURN NEW;
END
"
    );
    let q = dollar(&body);
    let create = vec![
        format!("CREATE FUNCTION {function}() RETURNS trigger\nLANGUAGE plpgsql AS {q}{body}{q};"),
        format!(
            "CREATE TRIGGER {trigger}\nBEFORE INSERT OR UPDATE ON {t}\nFOR EACH ROW EXECUTE FUNCTION {function}();"
        ),
    ];
    let drop = vec![
        format!("DROP TRIGGER {trigger} ON {t};"),
        format!("DROP FUNCTION {function}();"),
    ];

    let mut expand = Step::new(Phase::Expand, "expand")
        .does(format!(
            "add {shadow_raw} {ty}, and a trigger that fills it from {raw} on every insert and update, so it follows whatever the running code writes."
        ))
        .next("Next: apply the backfill (step 2). No code change is needed before it.")
        .sql(format!("ALTER TABLE {t} ADD COLUMN {s} {ty};"));
    for statement in &create {
        expand = expand.sql(statement.clone());
    }
    let mut undo_expand = drop.clone();
    undo_expand.push(format!("ALTER TABLE {t} DROP COLUMN {s};"));
    let expand = expand.undo(format!("drop the trigger and {shadow_raw}."), undo_expand);

    let backfill = Step::new(Phase::Backfill, "backfill")
        .does(format!(
            "convert {raw} into {shadow_raw} for the existing rows, in batches, each in its own transaction; converted rows are skipped, so an interrupted run continues where it stopped."
        ))
        .next(format!(
            "Next: give {shadow_raw} what {raw} has and must keep (indexes with CREATE INDEX CONCURRENTLY, NOT NULL through a validated check, constraints, its default: none are copied), and deploy code that works with either type. Then apply the contract."
        ))
        .sql(batched_update(
            &target,
            &key,
            &format!("{s} = {converted}"),
            &distinct(dialect, &s, &converted),
        ))
        .batched()
        .undo(
            format!("nothing to reverse: the values go with {shadow_raw} when step 1 is undone."),
            Vec::new(),
        );

    let mut contract = Step::new(Phase::Contract, "contract")
        .does(format!(
            "in one transaction, drop the trigger and the old {raw}, and rename {shadow_raw} to {raw}."
        ))
        .next(format!(
            "Deploy first: code that works with {raw} as {ty}. The column moves to the end of the table (SELECT * lists it last); views that use {raw} make the drop fail: drop and re-create them around this step."
        ));
    for statement in &drop {
        contract = contract.sql(statement.clone());
    }
    contract = contract
        .sql(format!("ALTER TABLE {t} DROP COLUMN {c};"))
        .sql(format!("ALTER TABLE {t} RENAME COLUMN {s} TO {c};"));
    let mut undo_contract = vec![format!("ALTER TABLE {t} RENAME COLUMN {c} TO {s};")];
    match (&old_type, &using) {
        (None, _) => undo_contract = refuse_undo(&target, &column),
        (Some(_), Some(expr)) => {
            undo_contract = refuse(
                &target,
                &format!(
                    "tidemark: this undo cannot convert {shadow_raw} back into {raw}: USING {expr} has no automatic inverse. Write the conversion here (rename {raw} to {shadow_raw}, add {raw} with its old type, convert, re-create the trigger), then remove this statement"
                ),
            );
        }
        (Some(old), None) => {
            undo_contract.push(format!("ALTER TABLE {t} ADD COLUMN {c} {old};"));
            undo_contract.extend(create.iter().cloned());
            undo_contract.push(format!(
                "-- One UPDATE over the whole table: on a large table, convert in batches by hand instead.\nUPDATE {t} SET {c} = CAST({s} AS {old});"
            ));
        }
    }
    let undoes = if old_type.is_some() && using.is_none() {
        format!(
            "swap back: {raw} becomes {shadow_raw} again, the old {raw} is re-created from it, and the trigger is restored."
        )
    } else {
        "not generated (see the TODO): as written, it stops with an error and changes nothing."
            .to_string()
    };
    let contract = contract.undo(undoes, undo_contract);

    let mut title = format!("Change {}.{raw} to {ty}", target.table.raw());
    if let Some(expr) = &using {
        title.push_str(&format!(" USING {expr}"));
    }
    Ok(finish(
        &title,
        &["change", target.table_raw(), raw, "type"],
        vec![expand, backfill, contract],
        options,
    ))
}
