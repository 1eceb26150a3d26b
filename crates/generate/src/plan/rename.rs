//! Rename a column without breaking the code that still uses the old name.
//!
//! A plain `RENAME COLUMN` breaks every running instance of the previous release at once. The
//! plan instead adds the new column with a trigger that copies whichever column a writer changed
//! into the other (expand), copies the existing rows in batches (backfill), and drops the trigger
//! and the old column once no running code uses it (contract).
//!
//! On INSERT a non-NULL value in the new column wins (it has no default, so someone wrote it);
//! otherwise the old column's value is copied. On UPDATE the column that changed is copied into
//! the one that did not. The triggers cannot loop: on PostgreSQL and MySQL they are `BEFORE` row
//! triggers that only assign `NEW`, so they never write the table themselves; SQLite's `BEFORE`
//! triggers cannot assign `NEW`, so its `AFTER` triggers update the row, but only when the two
//! columns differ, and after their update they are equal, so no trigger condition matches again
//! (even with `recursive_triggers` on).

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use super::{
    Step, Target, add_column, batched_update, check_options, current_type, distinct, dollar,
    finish, same,
};
use crate::ident::Ident;
use crate::{GenerateError, PlanOptions, PlannedFile};

/// Rename `table.old` to `new` in three files: expand (new column and sync trigger), backfill
/// (batched copy), contract (drop the trigger and the old column). All dialects.
pub fn rename_column(
    dialect: Dialect,
    table: &str,
    old: &str,
    new: &str,
    options: &PlanOptions,
) -> Result<Vec<PlannedFile>, GenerateError> {
    let key = check_options(dialect, options)?;
    let target = Target::new(dialect, table)?;
    let old = Ident::parse("column", old)?;
    let new = Ident::parse("new column", new)?;
    if old
        .catalog(dialect)
        .eq_ignore_ascii_case(&new.catalog(dialect))
    {
        return Err(GenerateError::InvalidName {
            what: "new column",
            value: new.raw().to_string(),
            reason: "it is the same as the old name".into(),
        });
    }
    let ty = current_type(dialect, options)?;
    let sync = Sync::new(&target, &old, &new);
    let (t, o, n) = (target.t(), target.c(&old), target.c(&new));
    let (old_raw, new_raw) = (old.raw(), new.raw());

    let type_note = match (&ty, dialect) {
        (Some(_), _) => String::new(),
        (None, Dialect::Sqlite) => format!(
            "-- {new_raw} has no declared type (SQLite keeps each value as copied); generate the plan with --current-type to declare one.\n"
        ),
        (None, _) => format!(
            "-- {new_raw} gets {old_raw}'s exact type, read from the catalog when this runs.\n"
        ),
    };
    let mut add_new = add_column(&target, &new, ty.as_ref(), &old);
    if let Some(first) = add_new.first_mut() {
        first.insert_str(0, &type_note);
    }
    let mut expand = Step::new(Phase::Expand, "expand")
        .does(format!(
            "add {new_raw}, and a trigger that copies whichever of the two columns a writer changes into the other, so code using {old_raw} and code using {new_raw} both keep working."
        ))
        .next("Next: apply the backfill (step 2). No code change is needed before it.");
    for statement in add_new {
        expand = expand.sql(statement);
    }
    for statement in sync.create() {
        expand = expand.sql(statement);
    }
    let mut undo_expand = sync.drop();
    undo_expand.push(format!("ALTER TABLE {t} DROP COLUMN {n};"));
    let expand = expand.undo(
        format!("drop the trigger and {new_raw} (no code reads {new_raw} yet)."),
        undo_expand,
    );

    // SQLite checks NOT NULL before its (AFTER) triggers run, so a trigger cannot fill the old
    // column for an INSERT that leaves it out.
    let sqlite_note = if dialect == Dialect::Sqlite {
        format!(
            " On SQLite, if {old_raw} is NOT NULL without a default, that code must keep writing {old_raw} too until the contract: SQLite checks NOT NULL before the trigger can fill it."
        )
    } else {
        String::new()
    };
    let backfill = Step::new(Phase::Backfill, "backfill")
        .does(format!(
            "copy {old_raw} into {new_raw} for the existing rows, in batches, each in its own transaction; rows already equal are skipped, so an interrupted run continues where it stopped."
        ))
        .next(format!(
            "Next: give {new_raw} the indexes and constraints {old_raw} has (CREATE INDEX CONCURRENTLY; NOT NULL through a validated check): none are copied. Its default, if any, belongs in the contract: while the trigger runs, a default in {new_raw} would overwrite what old code inserts into {old_raw}. Deploy code that reads and writes {new_raw} instead of {old_raw} (while the rollout runs, the trigger keeps {old_raw} up to date for the old code). Apply the contract (step 3) once no running code uses {old_raw}.{sqlite_note}"
        ))
        .sql(batched_update(
            &target,
            &key,
            &format!("{n} = {o}"),
            &distinct(dialect, &n, &o),
        ))
        .batched()
        .undo(
            format!(
                "nothing to reverse: the copied values go with {new_raw} when step 1 is undone."
            ),
            Vec::new(),
        );

    let mut contract = Step::new(Phase::Contract, "contract")
        .does(format!("drop the trigger and {old_raw}."))
        .next(format!(
            "Deploy first, everywhere: code that no longer reads or writes {old_raw} (the previous release gone)."
        ));
    for statement in sync.drop() {
        contract = contract.sql(statement);
    }
    contract = contract.sql(format!("ALTER TABLE {t} DROP COLUMN {o};"));
    let mut undo_contract = add_column(&target, &old, ty.as_ref(), &new);
    undo_contract.extend(sync.create());
    undo_contract.push(format!(
        "-- One UPDATE over the whole table: on a large table, copy in batches by hand instead.\nUPDATE {t} SET {o} = {n};"
    ));
    let contract = contract.undo(
        format!(
            "re-create {old_raw} from {new_raw}, and the trigger that keeps them in sync ({old_raw} comes back nullable, without the indexes, constraints or default it had)."
        ),
        undo_contract,
    );

    let title = format!("Rename {}.{old_raw} to {new_raw}", target.table.raw());
    Ok(finish(
        &title,
        &["rename", target.table_raw(), old_raw, "to", new_raw],
        vec![expand, backfill, contract],
        options,
    ))
}

/// The sync trigger(s) of one rename, per dialect.
struct Sync<'a> {
    target: &'a Target,
    old: String,
    new: String,
    /// PostgreSQL: the function; MySQL and SQLite: unused.
    function: String,
    /// The trigger names (PostgreSQL: one; MySQL: insert, update; SQLite: insert, old, new).
    triggers: Vec<String>,
}

impl<'a> Sync<'a> {
    fn new(target: &'a Target, old: &Ident, new: &Ident) -> Sync<'a> {
        let base = [target.table_raw(), new.raw(), "sync"];
        let named = |suffix: &str| {
            let mut parts = base.to_vec();
            parts.push(suffix);
            target.derived(&parts)
        };
        let triggers = match target.dialect {
            Dialect::Postgres => vec![target.bare(&base)],
            Dialect::Mysql => vec![named("insert"), named("update")],
            Dialect::Sqlite => vec![named("insert"), named("old"), named("new")],
        };
        Sync {
            target,
            old: target.c(old),
            new: target.c(new),
            function: target.derived(&base),
            triggers,
        }
    }

    /// The statements that create the sync.
    fn create(&self) -> Vec<String> {
        let (o, n, d) = (&self.old, &self.new, self.target.dialect);
        let t = self.target.t();
        match d {
            Dialect::Postgres => {
                let body = format!(
                    "
BEGIN
  -- Copy whichever column the writer changed into the other. Only NEW is assigned: the
  -- trigger never writes the table itself, so it cannot fire itself again.
  -- On INSERT a value in {n} (which has no default) was written on purpose and wins.
  IF TG_OP = 'INSERT' THEN
    IF NEW.{n} IS NULL THEN
      NEW.{n} := NEW.{o};
    ELSE
      NEW.{o} := NEW.{n};
    END IF;
  ELSIF {} AND {} THEN
    NEW.{o} := NEW.{n};
  ELSIF {} AND {} THEN
    NEW.{n} := NEW.{o};
  END IF;
  RETURN NEW;
END
",
                    distinct(d, &format!("NEW.{n}"), &format!("OLD.{n}")),
                    same(d, &format!("NEW.{o}"), &format!("OLD.{o}")),
                    distinct(d, &format!("NEW.{o}"), &format!("OLD.{o}")),
                    same(d, &format!("NEW.{n}"), &format!("OLD.{n}")),
                );
                let q = dollar(&body);
                vec![
                    format!(
                        "CREATE FUNCTION {}() RETURNS trigger\nLANGUAGE plpgsql AS {q}{body}{q};",
                        self.function
                    ),
                    format!(
                        "CREATE TRIGGER {}\nBEFORE INSERT OR UPDATE ON {t}\nFOR EACH ROW EXECUTE FUNCTION {}();",
                        self.triggers[0], self.function
                    ),
                ]
            }
            Dialect::Mysql => vec![
                format!(
                    "-- BEFORE triggers only assign NEW: they never write the table, so they cannot loop.
CREATE TRIGGER {} BEFORE INSERT ON {t}
FOR EACH ROW
BEGIN
  -- A value in {n} (which has no default) was written on purpose and wins.
  IF NEW.{n} IS NULL THEN
    SET NEW.{n} = NEW.{o};
  ELSE
    SET NEW.{o} = NEW.{n};
  END IF;
END;",
                    self.triggers[0]
                ),
                format!(
                    "CREATE TRIGGER {} BEFORE UPDATE ON {t}
FOR EACH ROW
BEGIN
  IF {} AND {} THEN
    SET NEW.{o} = NEW.{n};
  ELSEIF {} AND {} THEN
    SET NEW.{n} = NEW.{o};
  END IF;
END;",
                    self.triggers[1],
                    distinct(d, &format!("NEW.{n}"), &format!("OLD.{n}")),
                    same(d, &format!("NEW.{o}"), &format!("OLD.{o}")),
                    distinct(d, &format!("NEW.{o}"), &format!("OLD.{o}")),
                    same(d, &format!("NEW.{n}"), &format!("OLD.{n}")),
                ),
            ],
            Dialect::Sqlite => {
                // Statements inside a SQLite trigger cannot name the schema.
                let bare = self.target.table.last().sql(d);
                vec![
                    format!(
                        "-- SQLite triggers cannot assign NEW, so these update the row, and only while the two
-- columns differ: after their update they are equal and no condition here matches again.
-- On INSERT a value in {n} (which has no default) was written on purpose and wins.
CREATE TRIGGER {} AFTER INSERT ON {bare}
WHEN NEW.{n} IS NOT NEW.{o}
BEGIN
  UPDATE {bare} SET {n} = coalesce({n}, {o}), {o} = coalesce({n}, {o}) WHERE rowid = NEW.rowid;
END;",
                        self.triggers[0]
                    ),
                    format!(
                        "CREATE TRIGGER {} AFTER UPDATE OF {o} ON {bare}
WHEN NEW.{o} IS NOT OLD.{o} AND NEW.{n} IS OLD.{n} AND NEW.{n} IS NOT NEW.{o}
BEGIN
  UPDATE {bare} SET {n} = NEW.{o} WHERE rowid = NEW.rowid;
END;",
                        self.triggers[1]
                    ),
                    format!(
                        "CREATE TRIGGER {} AFTER UPDATE OF {n} ON {bare}
WHEN NEW.{n} IS NOT OLD.{n} AND NEW.{o} IS OLD.{o} AND NEW.{o} IS NOT NEW.{n}
BEGIN
  UPDATE {bare} SET {o} = NEW.{n} WHERE rowid = NEW.rowid;
END;",
                        self.triggers[2]
                    ),
                ]
            }
        }
    }

    /// The statements that drop the sync.
    fn drop(&self) -> Vec<String> {
        let t = self.target.t();
        match self.target.dialect {
            Dialect::Postgres => vec![
                format!("DROP TRIGGER {} ON {t};", self.triggers[0]),
                format!("DROP FUNCTION {}();", self.function),
            ],
            Dialect::Mysql | Dialect::Sqlite => self
                .triggers
                .iter()
                .map(|name| format!("DROP TRIGGER {name};"))
                .collect(),
        }
    }
}
