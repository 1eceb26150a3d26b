//! The inverse of a migration, for the statements whose inverse is certain.
//!
//! Creating something is undone by dropping it, and nothing else is: a `DROP` loses the
//! definition and the data, an `UPDATE` the previous values, an `ALTER COLUMN TYPE` possibly
//! precision, an unnamed constraint has a name only the database knows, and `CREATE OR REPLACE`
//! may have replaced something. Those become `TODO` comments at the place their inverse belongs,
//! so the author writes them by hand; a wrong guess in an undo file would run in an emergency,
//! exactly when nobody reads it carefully.
//!
//! Each statement comes from `tidemark-sql`'s splitter (so lines match `migrate`'s) and is
//! parsed by `sqlparser`; a statement it cannot parse is a `TODO` too. Flyway placeholders
//! (`${schema}`) are masked as identifiers for parsing and put back in the output. Session
//! settings (`SET search_path ...`) are copied to the top, because the inverses need the same
//! name resolution.

use std::fmt::Write as _;

use sqlparser::ast::{
    AlterTableOperation, ArgMode, CreateFunction, ObjectName, SchemaName, Statement,
    TableConstraint,
};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use tidemark_sql::Dialect;

/// The generated undo script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoScript {
    /// The script: session settings first, then each inverse in reverse order, with a
    /// `-- TODO: cannot invert automatically (line N): ...` comment where an inverse is missing.
    pub sql: String,
    /// The statements that could not be inverted, in the order they appear in `sql`.
    pub todos: Vec<Todo>,
}

/// A statement the generator could not invert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    /// 1-based line of the statement in the migration.
    pub line: usize,
    /// The statement as written (empty when the script itself cannot be split).
    pub statement: String,
    /// Why it was not inverted.
    pub reason: String,
}

/// The sqlparser dialect for a tidemark dialect.
pub(crate) fn parser_dialect(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    }
}

/// Writes the inverse of `sql`: statements that only add (CREATE TABLE, INDEX, VIEW, SEQUENCE,
/// SCHEMA, TYPE, EXTENSION, FUNCTION, TRIGGER; ALTER TABLE ADD COLUMN and ADD CONSTRAINT with a
/// name) are dropped again, last first; every other statement is a [`Todo`]. Never fails: a
/// script that cannot be split or parsed yields TODOs.
pub fn undo_script(dialect: Dialect, sql: &str) -> UndoScript {
    let statements = match tidemark_sql::split(dialect, sql) {
        Ok(statements) => statements,
        Err(e) => {
            let todo = Todo {
                line: e.line,
                statement: String::new(),
                reason: format!("the script cannot be split into statements: {e}"),
            };
            return UndoScript {
                sql: todo_comment(&todo),
                todos: vec![todo],
            };
        }
    };
    let mut settings = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    for statement in &statements {
        match invert(dialect, &statement.sql) {
            Inverse::Setting => settings.push(format!("{};", statement.sql.trim_end())),
            Inverse::Sql(sql) => items.push(Item::Sql(sql)),
            Inverse::Todo(reason) => items.push(Item::Todo(Todo {
                line: statement.line,
                statement: statement.sql.clone(),
                reason,
            })),
        }
    }
    let mut out = String::new();
    for setting in &settings {
        out.push_str(setting);
        out.push('\n');
    }
    if !settings.is_empty() && !items.is_empty() {
        out.push('\n');
    }
    let mut todos = Vec::new();
    for item in items.into_iter().rev() {
        match item {
            Item::Sql(sql) => {
                out.push_str(&sql);
                out.push_str(";\n");
            }
            Item::Todo(todo) => {
                out.push_str(&todo_comment(&todo));
                todos.push(todo);
            }
        }
    }
    UndoScript { sql: out, todos }
}

enum Item {
    Sql(String),
    Todo(Todo),
}

enum Inverse {
    /// A session setting, copied before the inverses.
    Setting,
    /// The inverse statement, without its `;`.
    Sql(String),
    /// No certain inverse: why.
    Todo(String),
}

/// The comment that stands for a missing inverse.
fn todo_comment(todo: &Todo) -> String {
    let mut out = String::new();
    if todo.statement.is_empty() {
        let _ = writeln!(
            out,
            "-- TODO: cannot invert automatically (line {}): {}",
            todo.line, todo.reason
        );
        return out;
    }
    let mut lines = tidemark_ledger::text::lines(&todo.statement);
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(
        out,
        "-- TODO: cannot invert automatically (line {}): {}",
        todo.line,
        first.trim_end()
    );
    for line in lines {
        let _ = writeln!(out, "--   {}", line.trim_end());
    }
    let _ = writeln!(out, "--   why: {}", todo.reason);
    out
}

/// Flyway placeholders replaced by identifiers the parser accepts, and the way back.
struct Masked {
    sql: String,
    tokens: Vec<(String, String)>,
}

impl Masked {
    fn new(sql: &str) -> Masked {
        let mut out = String::new();
        let mut tokens = Vec::new();
        let mut rest = sql;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            let placeholder = &rest[start..start + len + 1];
            if placeholder.contains(['\n', '\r']) {
                break;
            }
            let token = format!("tidemark_placeholder_{}", tokens.len());
            out.push_str(&rest[..start]);
            out.push_str(&token);
            tokens.push((token, placeholder.to_string()));
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        Masked { sql: out, tokens }
    }

    fn unmask(&self, text: &str) -> String {
        // Longest first, so `..._10` is not taken for `..._1` followed by `0`.
        self.tokens
            .iter()
            .rev()
            .fold(text.to_string(), |acc, (token, placeholder)| {
                acc.replace(token.as_str(), placeholder)
            })
    }
}

fn invert(dialect: Dialect, sql: &str) -> Inverse {
    let masked = Masked::new(sql);
    let parser_dialect = parser_dialect(dialect);
    let parsed = Parser::new(parser_dialect.as_ref())
        .try_with_sql(&masked.sql)
        .and_then(|mut p| p.parse_statements());
    let statement = match parsed {
        Ok(mut statements) if statements.len() == 1 => statements.remove(0),
        Ok(_) => return Inverse::Todo("the parser read more than one statement here".into()),
        Err(e) => return Inverse::Todo(format!("the SQL parser cannot read it ({e})")),
    };
    match inverse_of(dialect, &statement) {
        Inverse::Sql(text) => Inverse::Sql(masked.unmask(&text)),
        other => other,
    }
}

fn inverse_of(dialect: Dialect, statement: &Statement) -> Inverse {
    use Inverse::{Setting, Sql, Todo};
    let replaces = |what: &str| {
        Todo(format!(
            "OR REPLACE may have replaced an existing {what}: restore its previous definition by hand"
        ))
    };
    match statement {
        Statement::Set(_) => Setting,
        Statement::CreateTable(create) => {
            if create.or_replace {
                return replaces("table");
            }
            Sql(format!("DROP TABLE {}", create.name))
        }
        Statement::CreateIndex(create) => {
            let Some(name) = &create.name else {
                return Todo(
                    "the index has no name: look up the name the database gave it and drop that"
                        .into(),
                );
            };
            match dialect {
                Dialect::Postgres => {
                    let concurrently = if create.concurrently {
                        "CONCURRENTLY "
                    } else {
                        ""
                    };
                    Sql(format!(
                        "DROP INDEX {concurrently}{}",
                        in_schema_of(name, &create.table_name)
                    ))
                }
                Dialect::Mysql => Sql(format!("DROP INDEX {name} ON {}", create.table_name)),
                Dialect::Sqlite => Sql(format!("DROP INDEX {name}")),
            }
        }
        Statement::CreateView(create) => {
            if create.or_replace || create.or_alter {
                return replaces("view");
            }
            if create.materialized {
                Sql(format!("DROP MATERIALIZED VIEW {}", create.name))
            } else {
                Sql(format!("DROP VIEW {}", create.name))
            }
        }
        Statement::CreateSequence { name, .. } => Sql(format!("DROP SEQUENCE {name}")),
        Statement::CreateSchema {
            schema_name,
            or_replace,
            ..
        } => {
            if *or_replace {
                return replaces("schema");
            }
            let name = match schema_name {
                SchemaName::Simple(name) | SchemaName::NamedAuthorization(name, _) => {
                    name.to_string()
                }
                SchemaName::UnnamedAuthorization(user) => user.to_string(),
            };
            match dialect {
                Dialect::Mysql => Sql(format!("DROP DATABASE {name}")),
                _ => Sql(format!("DROP SCHEMA {name}")),
            }
        }
        Statement::CreateType { name, .. } if dialect == Dialect::Postgres => {
            Sql(format!("DROP TYPE {name}"))
        }
        Statement::CreateExtension(create) if dialect == Dialect::Postgres => {
            Sql(format!("DROP EXTENSION {}", create.name))
        }
        Statement::CreateFunction(create) => drop_function(dialect, create),
        Statement::CreateTrigger(create) => {
            if create.or_replace || create.or_alter {
                return replaces("trigger");
            }
            match dialect {
                Dialect::Postgres => Sql(format!(
                    "DROP TRIGGER {} ON {}",
                    create.name, create.table_name
                )),
                _ => Sql(format!("DROP TRIGGER {}", create.name)),
            }
        }
        Statement::AlterTable(alter) => {
            if alter.table_type.is_some() {
                return Todo("only plain ALTER TABLE is inverted".into());
            }
            let mut inverses = Vec::new();
            for operation in &alter.operations {
                match inverse_operation(dialect, operation) {
                    Ok(inverse) => inverses.push(inverse),
                    Err(reason) => return Todo(reason),
                }
            }
            if inverses.is_empty() {
                return Todo("ALTER TABLE without an operation".into());
            }
            inverses.reverse();
            let table = &alter.name;
            match dialect {
                // SQLite takes one operation per ALTER TABLE.
                Dialect::Sqlite => Sql(inverses
                    .iter()
                    .map(|op| format!("ALTER TABLE {table} {op}"))
                    .collect::<Vec<_>>()
                    .join(";\n")),
                _ => Sql(format!("ALTER TABLE {table} {}", inverses.join(", "))),
            }
        }
        Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_)
        | Statement::Merge(_)
        | Statement::Copy { .. }
        | Statement::Truncate(_) => {
            Todo("a data change: its inverse depends on the data it changed".into())
        }
        Statement::Drop { .. } | Statement::DropFunction(_) | Statement::DropTrigger(_) => {
            Todo("a DROP: the definition and data it removes are not in this file".into())
        }
        other => Todo(format!(
            "{} is not a purely additive statement",
            keyword(&other.to_string())
        )),
    }
}

/// The inverse of one ALTER TABLE operation, without `ALTER TABLE t`.
fn inverse_operation(dialect: Dialect, operation: &AlterTableOperation) -> Result<String, String> {
    match operation {
        AlterTableOperation::AddColumn { column_def, .. } => {
            Ok(format!("DROP COLUMN {}", column_def.name))
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            drop_constraint(dialect, constraint)
        }
        other => Err(format!(
            "ALTER TABLE ... {} is not purely additive",
            keyword(&other.to_string())
        )),
    }
}

/// The inverse of `ADD CONSTRAINT`, per dialect.
fn drop_constraint(dialect: Dialect, constraint: &TableConstraint) -> Result<String, String> {
    let unnamed = || {
        Err(
            "the constraint has no name: look up the name the database gave it and drop that"
                .to_string(),
        )
    };
    if dialect == Dialect::Sqlite {
        return Err("SQLite cannot drop a constraint: the table must be rebuilt".into());
    }
    if let TableConstraint::PrimaryKeyUsingIndex(_) | TableConstraint::UniqueUsingIndex(_) =
        constraint
    {
        return Err(
            "USING INDEX adopted an existing index, which dropping the constraint would drop too"
                .into(),
        );
    }
    if dialect == Dialect::Postgres {
        let name = match constraint {
            TableConstraint::Unique(c) => c.name.as_ref(),
            TableConstraint::PrimaryKey(c) => c.name.as_ref(),
            TableConstraint::ForeignKey(c) => c.name.as_ref(),
            TableConstraint::Check(c) => c.name.as_ref(),
            TableConstraint::Exclude(c) => c.name.as_ref(),
            _ => return Err("this kind of constraint is not inverted".into()),
        };
        return match name {
            Some(name) => Ok(format!("DROP CONSTRAINT {name}")),
            None => unnamed(),
        };
    }
    // MySQL and MariaDB: each kind has its own DROP. CHECK uses DROP CONSTRAINT, which both
    // MySQL 8.0.19+ and MariaDB accept (MariaDB has no DROP CHECK).
    match constraint {
        TableConstraint::PrimaryKey(_) => Ok("DROP PRIMARY KEY".into()),
        TableConstraint::ForeignKey(c) => match &c.name {
            Some(name) => Ok(format!("DROP FOREIGN KEY {name}")),
            None => unnamed(),
        },
        TableConstraint::Unique(c) => match c.name.as_ref().or(c.index_name.as_ref()) {
            Some(name) => Ok(format!("DROP INDEX {name}")),
            None => unnamed(),
        },
        TableConstraint::Index(c) => match &c.name {
            Some(name) => Ok(format!("DROP INDEX {name}")),
            None => unnamed(),
        },
        TableConstraint::FulltextOrSpatial(c) => match &c.opt_index_name {
            Some(name) => Ok(format!("DROP INDEX {name}")),
            None => unnamed(),
        },
        TableConstraint::Check(c) => match &c.name {
            Some(name) => Ok(format!("DROP CONSTRAINT {name}")),
            None => unnamed(),
        },
        _ => Err("this kind of constraint is not inverted".into()),
    }
}

/// `DROP FUNCTION`, with the argument types PostgreSQL needs to find the right overload.
fn drop_function(dialect: Dialect, create: &CreateFunction) -> Inverse {
    if create.or_replace || create.or_alter {
        return Inverse::Todo(
            "OR REPLACE may have replaced an existing function: restore its previous definition by hand"
                .into(),
        );
    }
    match dialect {
        Dialect::Postgres => {
            let args = create
                .args
                .iter()
                .flatten()
                .filter(|a| !matches!(a.mode, Some(ArgMode::Out)))
                .map(|a| match a.mode {
                    Some(ArgMode::InOut) => format!("INOUT {}", a.data_type),
                    Some(ArgMode::Variadic) => format!("VARIADIC {}", a.data_type),
                    _ => a.data_type.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            Inverse::Sql(format!("DROP FUNCTION {}({args})", create.name))
        }
        _ => Inverse::Sql(format!("DROP FUNCTION {}", create.name)),
    }
}

/// A PostgreSQL index name qualified with its table's schema: the index lives there, and a bare
/// name would be looked up on the search path instead.
fn in_schema_of(index: &ObjectName, table: &ObjectName) -> String {
    if index.0.len() == 1 && table.0.len() > 1 {
        let schema: Vec<String> = table.0[..table.0.len() - 1]
            .iter()
            .map(ToString::to_string)
            .collect();
        format!("{}.{index}", schema.join("."))
    } else {
        index.to_string()
    }
}

/// The first words of a statement, upper-cased, for messages (`ALTER TYPE`).
fn keyword(text: &str) -> String {
    text.split_whitespace()
        .take(2)
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}
