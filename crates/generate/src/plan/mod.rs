//! Multi-phase zero-downtime plans: one intent (rename a column, add a NOT NULL column, ...) in,
//! the migration files of each phase out, each with its undo.
//!
//! Every plan is a list of [`Step`]s; [`finish`] turns them into files with the same header
//! shape: the phase directive (and the batch directives of a backfill) first, because
//! directives only count before the first statement, then what the step does and what to deploy
//! before the next one. One file per generator under this folder, so a dialect's version of a
//! pattern sits next to the others and can be compared.

mod add_not_null;
mod change_type;
mod drop_column;
mod foreign_key;
mod rename;
mod unique;

pub use add_not_null::add_not_null_column;
pub use change_type::change_column_type;
pub use drop_column::drop_column;
pub use foreign_key::add_foreign_key;
pub use rename::rename_column;
pub use unique::add_unique;

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use crate::ident::{Ident, Name, derived_name};
use crate::{Fragment, GenerateError, PlanOptions, PlannedFile, dialect_label};

/// Comment lines are wrapped at this width.
const WIDTH: usize = 100;

/// The placeholder the backfill engine replaces with the batch size.
const BATCH: &str = "${tidemark:batchSize}";

/// One file of a plan, before numbering and headers.
struct Step {
    phase: Phase,
    /// Appended to the plan's slug to make the file's description (`expand`, `validate`).
    suffix: &'static str,
    /// What this file does (after "Step i of n (phase):").
    does: String,
    /// What to deploy or check before the next file (or, for the last, what it needs first).
    next: String,
    /// The statements, each complete with its `;`.
    body: Vec<String>,
    /// What the undo does.
    undoes: String,
    /// The undo's statements; empty when there is nothing to reverse.
    undo: Vec<String>,
    /// Whether this is a batched backfill (gets the batch directives).
    batched: bool,
}

impl Step {
    fn new(phase: Phase, suffix: &'static str) -> Step {
        Step {
            phase,
            suffix,
            does: String::new(),
            next: String::new(),
            body: Vec::new(),
            undoes: String::new(),
            undo: Vec::new(),
            batched: false,
        }
    }

    fn does(mut self, text: impl Into<String>) -> Step {
        self.does = text.into();
        self
    }

    fn next(mut self, text: impl Into<String>) -> Step {
        self.next = text.into();
        self
    }

    fn sql(mut self, statement: impl Into<String>) -> Step {
        self.body.push(statement.into());
        self
    }

    fn undo(mut self, what: impl Into<String>, statements: Vec<String>) -> Step {
        self.undoes = what.into();
        self.undo = statements;
        self
    }

    fn batched(mut self) -> Step {
        self.batched = true;
        self
    }
}

/// Turns steps into files: descriptions `<slug>_<suffix>`, headers, bodies.
fn finish(title: &str, slug: &[&str], steps: Vec<Step>, options: &PlanOptions) -> Vec<PlannedFile> {
    let n = steps.len();
    steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let mut parts = slug.to_vec();
            parts.push(step.suffix);
            let description = derived_name(&parts);
            let position = format!("step {} of {n}", i + 1);
            let mut sql = format!("-- tidemark:phase={}\n", step.phase);
            if step.batched {
                sql.push_str(&format!("-- tidemark:batchSize={}\n", options.batch_size));
                if let Some(pause) = &options.batch_pause {
                    sql.push_str(&format!("-- tidemark:batchPause={pause}\n"));
                }
            }
            sql.push_str(&comment(&format!(
                "{title}, {position} ({}): {}",
                step.phase, step.does
            )));
            sql.push_str(&comment(&step.next));
            sql.push('\n');
            sql.push_str(&step.body.join("\n\n"));
            sql.push('\n');

            let mut undo_sql = comment(&format!(
                "Undoes {position} ({}) of: {title}. {}",
                step.phase,
                capitalized(&step.undoes)
            ));
            if !step.undo.is_empty() {
                undo_sql.push('\n');
                undo_sql.push_str(&step.undo.join("\n\n"));
                undo_sql.push('\n');
            }
            PlannedFile {
                phase: step.phase,
                description,
                sql,
                undo_sql,
            }
        })
        .collect()
}

/// `text` with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` as `-- ` comment lines wrapped at [`WIDTH`].
fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("--");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > WIDTH && line.len() > 2 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("--");
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.len() > 2 {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The error for a plan a dialect does not have.
fn unsupported(plan: &'static str, dialect: Dialect, supported: &str) -> GenerateError {
    GenerateError::Unsupported {
        plan,
        dialect,
        reason: Some(format!(
            "{} has no generator for it yet (supported: {supported})",
            dialect_label(dialect)
        )),
    }
}

/// Checks the shared options.
fn check_options(dialect: Dialect, options: &PlanOptions) -> Result<Ident, GenerateError> {
    if options.batch_size == 0 {
        return Err(GenerateError::InvalidOption {
            what: "batch size",
            reason: "it must be above 0".into(),
        });
    }
    if let Some(pause) = &options.batch_pause {
        if tidemark_ledger::directive::parse_duration(pause).is_none() || pause.contains(' ') {
            return Err(GenerateError::InvalidOption {
                what: "batch pause",
                reason: format!("'{pause}' is not a duration such as 50ms or 1s"),
            });
        }
    }
    let _ = dialect;
    Ident::parse("key column", &options.key)
}

/// The column's current type from the options, checked.
fn current_type(
    dialect: Dialect,
    options: &PlanOptions,
) -> Result<Option<Fragment>, GenerateError> {
    options
        .current_type
        .as_deref()
        .map(|t| Fragment::parse(dialect, "current type", t))
        .transpose()
}

/// The names every generator starts from.
struct Target {
    dialect: Dialect,
    table: Name,
}

impl Target {
    fn new(dialect: Dialect, table: &str) -> Result<Target, GenerateError> {
        Ok(Target {
            dialect,
            table: Name::parse("table", table)?,
        })
    }

    /// The table as SQL.
    fn t(&self) -> String {
        self.table.sql(self.dialect)
    }

    /// A column as SQL.
    fn c(&self, column: &Ident) -> String {
        column.sql(self.dialect)
    }

    /// A name tidemark derives, in the table's schema, as SQL.
    fn derived(&self, parts: &[&str]) -> String {
        self.table.sibling(self.dialect, &Ident::derived(parts))
    }

    /// A name tidemark derives, bare (triggers on PostgreSQL, constraints, indexes).
    fn bare(&self, parts: &[&str]) -> String {
        Ident::derived(parts).sql(self.dialect)
    }

    /// The table's bare name as written, for derived names.
    fn table_raw(&self) -> &str {
        self.table.last().raw()
    }

    /// A string literal.
    fn lit(&self, text: &str) -> String {
        crate::ident::literal(self.dialect, text)
    }
}

/// The `$$` quote for a PostgreSQL body, or `$tidemark$` when the body holds `$$` itself.
fn dollar(body: &str) -> &'static str {
    if body.contains("$$") {
        "$tidemark$"
    } else {
        "$$"
    }
}

/// The PostgreSQL (or MySQL) statements that add `column` to the table with the type of
/// `source` as the catalog has it when the migration runs.
fn add_column_like(target: &Target, column: &Ident, source: &Ident) -> Vec<String> {
    let d = target.dialect;
    match d {
        Dialect::Postgres => {
            let ddl = format!(
                "ALTER TABLE {} ADD COLUMN {} ",
                target.t(),
                target.c(column)
            );
            let lookup = format!(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute\n    WHERE attrelid = {}::regclass AND attname = {} AND NOT attisdropped",
                target.lit(&target.t()),
                target.lit(&source.catalog(d)),
            );
            let body = format!(
                "\nDECLARE\n  column_type text := ({lookup});\nBEGIN\n  IF column_type IS NULL THEN\n    RAISE EXCEPTION 'column %.% does not exist', {}, {};\n  END IF;\n  EXECUTE {} || column_type;\nEND\n",
                target.lit(&target.t()),
                target.lit(&source.catalog(d)),
                target.lit(&ddl),
            );
            let q = dollar(&body);
            vec![format!(
                "-- tidemark:allow=unparsed-statement\nDO {q}{body}{q};"
            )]
        }
        Dialect::Mysql => {
            let schema = match target.table.schema_catalog(d) {
                Some(s) => target.lit(&s),
                None => "DATABASE()".into(),
            };
            let ddl = format!(
                "ALTER TABLE {} ADD COLUMN {} ",
                target.t(),
                target.c(column)
            );
            vec![
                format!(
                    "SET @tidemark_ddl = (SELECT CONCAT({}, COLUMN_TYPE) FROM information_schema.COLUMNS\n  WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {} AND COLUMN_NAME = {});",
                    target.lit(&ddl),
                    target.lit(&target.table.last().catalog(d)),
                    target.lit(&source.catalog(d)),
                ),
                "-- The linter cannot read PREPARE ... FROM @variable; it runs the ALTER TABLE built above.\n-- tidemark:allow=unparsed-statement\nPREPARE tidemark_ddl FROM @tidemark_ddl;".into(),
                "EXECUTE tidemark_ddl;".into(),
                "DEALLOCATE PREPARE tidemark_ddl;".into(),
            ]
        }
        Dialect::Sqlite => vec![format!(
            "ALTER TABLE {} ADD COLUMN {};",
            target.t(),
            target.c(column)
        )],
    }
}

/// `ALTER TABLE t ADD COLUMN c TYPE;`, or the catalog copy of `source`'s type when the type is
/// not known.
fn add_column(
    target: &Target,
    column: &Ident,
    column_type: Option<&Fragment>,
    source: &Ident,
) -> Vec<String> {
    match column_type {
        Some(ty) => vec![format!(
            "ALTER TABLE {} ADD COLUMN {} {ty};",
            target.t(),
            target.c(column)
        )],
        None => add_column_like(target, column, source),
    }
}

/// The statements that make a PostgreSQL undo fail loudly when it would need the column's type
/// and nobody gave it: running it must not pretend to restore the column.
fn refuse_undo(target: &Target, column: &Ident) -> Vec<String> {
    refuse(
        target,
        &format!(
            "tidemark: this undo cannot re-create {}.{}: its type is unknown. Generate the plan again with --current-type, or edit this file",
            target.table.raw(),
            column.raw()
        ),
    )
}

/// A `TODO` comment and a PostgreSQL statement that fails with `message`, so the undo stops
/// (and rolls back) instead of doing half of what it should.
fn refuse(target: &Target, message: &str) -> Vec<String> {
    let body = format!(" BEGIN RAISE EXCEPTION '%', {}; END ", target.lit(message));
    let q = dollar(&body);
    vec![format!("-- TODO: {message}.\nDO {q}{body}{q};")]
}

/// The batched UPDATE of a backfill: `SET assignments` on the rows `pending` selects, one batch
/// per run. Each dialect selects a batch the way its engine can: PostgreSQL by key through a
/// sub-select, MySQL with `UPDATE ... LIMIT`, SQLite by `rowid`.
fn batched_update(target: &Target, key: &Ident, assignments: &str, pending: &str) -> String {
    let t = target.t();
    match target.dialect {
        Dialect::Postgres => {
            let k = target.c(key);
            format!(
                "UPDATE {t} SET {assignments}\nWHERE {k} IN (\n  SELECT {k} FROM {t}\n  WHERE {pending}\n  LIMIT {BATCH}\n);"
            )
        }
        Dialect::Mysql => format!("UPDATE {t} SET {assignments}\nWHERE {pending}\nLIMIT {BATCH};"),
        Dialect::Sqlite => format!(
            "UPDATE {t} SET {assignments}\nWHERE rowid IN (\n  SELECT rowid FROM {t}\n  WHERE {pending}\n  LIMIT {BATCH}\n);"
        ),
    }
}

/// `a` and `b` differ, NULLs compared as values.
fn distinct(dialect: Dialect, a: &str, b: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("{a} IS DISTINCT FROM {b}"),
        Dialect::Mysql => format!("NOT ({a} <=> {b})"),
        Dialect::Sqlite => format!("{a} IS NOT {b}"),
    }
}

/// `a` and `b` are equal, NULLs compared as values.
fn same(dialect: Dialect, a: &str, b: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("{a} IS NOT DISTINCT FROM {b}"),
        Dialect::Mysql => format!("{a} <=> {b}"),
        Dialect::Sqlite => format!("{a} IS {b}"),
    }
}
