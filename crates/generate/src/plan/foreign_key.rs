//! Add a foreign key without holding locks on both tables for a full scan.
//!
//! `ADD FOREIGN KEY` takes SHARE ROW EXCLUSIVE on both tables and keeps it while it checks every
//! row. The plan builds the index the referencing column needs (deletes on the referenced table
//! look it up) concurrently, adds the key `NOT VALID` (a brief lock; new writes are checked from
//! then on), and validates it separately, which lets reads and writes continue.

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use super::{Step, Target, check_options, finish, unsupported};
use crate::ident::{Ident, Name};
use crate::{GenerateError, PlanOptions, PlannedFile};

/// Add `table(column) REFERENCES ref_table(ref_column)`, named `name` (default
/// `<table>_<column>_fkey`): the index concurrently, the key NOT VALID (expand), then VALIDATE
/// (backfill). PostgreSQL only.
pub fn add_foreign_key(
    dialect: Dialect,
    table: &str,
    column: &str,
    ref_table: &str,
    ref_column: &str,
    name: Option<&str>,
    options: &PlanOptions,
) -> Result<Vec<PlannedFile>, GenerateError> {
    if dialect != Dialect::Postgres {
        return Err(unsupported("add-foreign-key", dialect, "PostgreSQL"));
    }
    check_options(dialect, options)?;
    let target = Target::new(dialect, table)?;
    let column = Ident::parse("column", column)?;
    let referenced = Name::parse("referenced table", ref_table)?;
    let ref_column = Ident::parse("referenced column", ref_column)?;
    let raw = column.raw();
    let name = match name {
        Some(n) => Ident::parse("constraint", n)?,
        None => Ident::derived(&[target.table_raw(), raw, "fkey"]),
    };
    let index_parts = [target.table_raw(), raw, "idx"];
    let (t, c, k) = (target.t(), target.c(&column), target.c(&name));
    let (rt, rc) = (referenced.sql(dialect), ref_column.sql(dialect));
    let (rt_raw, rc_raw) = (referenced.raw(), ref_column.raw());
    let index = target.bare(&index_parts);
    let index_qualified = target.derived(&index_parts);
    let orphans = format!(
        "SELECT r.{c} FROM {t} AS r LEFT JOIN {rt} AS p ON p.{rc} = r.{c} WHERE r.{c} IS NOT NULL AND p.{rc} IS NULL"
    );

    let index_step = Step::new(Phase::Expand, "index")
        .does(format!(
            "index {raw} concurrently (no transaction; writes continue), so deletes and key updates on {rt_raw} do not scan {} for references.",
            target.table.raw()
        ))
        .next(format!(
            "Next: step 2 checks every new write: make sure the running code never writes a {raw} that {rt_raw}.{rc_raw} lacks. If this build fails it leaves an invalid index: DROP INDEX CONCURRENTLY {index_qualified}; then re-run."
        ))
        .sql(format!("CREATE INDEX CONCURRENTLY {index} ON {t} ({c});"))
        .undo(
            "drop the index, concurrently.",
            vec![format!("DROP INDEX CONCURRENTLY {index_qualified};")],
        );
    let add = Step::new(Phase::Expand, "not_valid")
        .does(
            "add the foreign key NOT VALID: new writes are checked from now on, existing rows are not scanned, and both tables are locked only briefly."
        )
        .next(format!(
            "Next: fix the existing rows whose {raw} has no match (find them with: {orphans};), then apply step 3, which validates them."
        ))
        .sql(format!(
            "ALTER TABLE {t} ADD CONSTRAINT {k}\n  FOREIGN KEY ({c}) REFERENCES {rt} ({rc}) NOT VALID;"
        ))
        .undo(
            "drop the foreign key.",
            vec![format!("ALTER TABLE {t} DROP CONSTRAINT {k};")],
        );
    let validate = Step::new(Phase::Backfill, "validate")
        .does(format!(
            "validate the foreign key: a scan that lets reads and writes continue. It fails on a row whose {raw} has no match: fix it, then re-run."
        ))
        .next("Nothing to deploy after it: the database now guarantees the reference.")
        .sql(format!("ALTER TABLE {t} VALIDATE CONSTRAINT {k};"))
        .undo(
            "nothing to reverse: a validated key is dropped like any other when step 2 is undone.",
            Vec::new(),
        );

    Ok(finish(
        &format!(
            "Add foreign key {}.{raw} -> {rt_raw}.{rc_raw}",
            target.table.raw()
        ),
        &["add", target.table_raw(), raw, "fkey"],
        vec![index_step, add, validate],
        options,
    ))
}
