//! The write path. Every change the engine makes to the database goes through these few methods,
//! so that `--dry-run` can record the exact SQL instead of executing it, and nothing else in the
//! engine needs to know whether this is a dry run. Reads (the history, the catalog) always run.

use tidemark_sql::Dialect;

use super::Engine;
use crate::driver::{DbError, Value};
use crate::history_table::quote;

/// SQL recorded by a dry run, in execution order, ready to be run by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DryRun {
    /// The script text.
    pub sql: String,
}

impl DryRun {
    /// Adds a statement, terminated as the dialect's command-line client reads it (shared with
    /// the Liquibase session's `update-sql`).
    pub fn push(&mut self, dialect: Dialect, statement: &str) {
        let statement = statement.trim_end();
        if dialect == Dialect::Postgres {
            if let Some((command, data)) = statement.split_once('\0') {
                // COPY ... FROM STDIN: psql reads the data up to the `\.` line.
                self.sql.push_str(command.trim_end());
                self.sql.push_str(";\n");
                self.sql.push_str(data);
                if !data.ends_with('\n') {
                    self.sql.push('\n');
                }
                self.sql.push_str("\\.\n");
                return;
            }
        }
        if dialect == Dialect::Mysql && statement.contains(';') {
            // A stored-program body: the mysql client needs another delimiter for it.
            self.sql.push_str("DELIMITER $$\n");
            self.sql.push_str(statement);
            self.sql.push_str("$$\nDELIMITER ;\n");
            return;
        }
        self.sql.push_str(statement);
        self.sql.push_str(";\n");
    }

    /// Adds a comment line (`-- Migration V2__x.sql`).
    pub fn comment(&mut self, text: &str) {
        if !self.sql.is_empty() {
            self.sql.push('\n');
        }
        for line in text.split('\n') {
            self.sql.push_str("-- ");
            self.sql.push_str(line);
            self.sql.push('\n');
        }
    }
}

impl Engine<'_> {
    /// Executes a statement that changes the database, or records it in a dry run.
    pub(super) fn db_execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let dialect = self.driver.dialect();
        match &mut self.dry_run {
            Some(dry) => {
                dry.push(dialect, &inline_params(dialect, sql, params));
                Ok(0)
            }
            None => self.driver.execute(sql, params),
        }
    }

    /// Begins a transaction (recorded as `BEGIN` in a dry run).
    pub(super) fn db_begin(&mut self) -> Result<(), DbError> {
        let dialect = self.driver.dialect();
        match &mut self.dry_run {
            Some(dry) => {
                dry.push(
                    dialect,
                    if dialect == Dialect::Mysql {
                        "START TRANSACTION"
                    } else {
                        "BEGIN"
                    },
                );
                Ok(())
            }
            None => self.driver.begin(),
        }
    }

    /// Commits (recorded as `COMMIT` in a dry run).
    pub(super) fn db_commit(&mut self) -> Result<(), DbError> {
        let dialect = self.driver.dialect();
        match &mut self.dry_run {
            Some(dry) => {
                dry.push(dialect, "COMMIT");
                Ok(())
            }
            None => self.driver.commit(),
        }
    }

    /// Rolls back (nothing to record in a dry run: nothing failed).
    pub(super) fn db_rollback(&mut self) -> Result<(), DbError> {
        match &mut self.dry_run {
            Some(_) => Ok(()),
            None => self.driver.rollback(),
        }
    }

    /// Creates a schema (recorded as `CREATE SCHEMA` / `CREATE DATABASE` in a dry run).
    pub(super) fn db_create_schema(&mut self, schema: &str) -> Result<(), DbError> {
        let dialect = self.driver.dialect();
        match &mut self.dry_run {
            Some(dry) => {
                let keyword = if dialect == Dialect::Mysql {
                    "DATABASE"
                } else {
                    "SCHEMA"
                };
                dry.push(
                    dialect,
                    &format!("CREATE {keyword} {}", quote(dialect, schema)),
                );
                Ok(())
            }
            None => self.driver.create_schema(schema),
        }
    }

    /// Whether this engine only records.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run.is_some()
    }

    /// The SQL a dry run recorded (empty when not a dry run).
    pub fn dry_run_sql(&self) -> &str {
        self.dry_run.as_ref().map_or("", |d| d.sql.as_str())
    }

    /// Adds a comment to the dry-run script.
    pub(super) fn dry_comment(&mut self, text: &str) {
        if let Some(dry) = &mut self.dry_run {
            dry.comment(text);
        }
    }
}

/// Replaces bind parameters (`?` or `$n`) in engine-generated SQL by literals. Only used on the
/// engine's own statements, which never hold a `?` or `$` inside a literal.
pub fn inline_params(dialect: Dialect, sql: &str, params: &[Value]) -> String {
    let literal = |v: &Value| match v {
        Value::Null => "NULL".to_string(),
        Value::Int(i) => i.to_string(),
        Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Value::Bool(b) => match (dialect, b) {
            (Dialect::Postgres, true) => "TRUE".into(),
            (Dialect::Postgres, false) => "FALSE".into(),
            (_, true) => "1".into(),
            (_, false) => "0".into(),
        },
    };
    if params.is_empty() {
        return sql.to_string();
    }
    match dialect {
        Dialect::Postgres => {
            // Whole `$N` tokens only: `$1` must not match inside `$10`.
            let mut out = String::with_capacity(sql.len());
            let mut rest = sql;
            while let Some(pos) = rest.find('$') {
                out.push_str(&rest[..pos]);
                let after = &rest[pos + 1..];
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                let value = after[..digits]
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| params.get(i));
                match value {
                    Some(v) => out.push_str(&literal(v)),
                    None => {
                        out.push('$');
                        out.push_str(&after[..digits]);
                    }
                }
                rest = &after[digits..];
            }
            out.push_str(rest);
            out
        }
        _ => {
            let mut out = String::with_capacity(sql.len());
            let mut values = params.iter();
            for c in sql.chars() {
                match (c, values.len()) {
                    ('?', n) if n > 0 => {
                        out.push_str(&values.next().map(literal).unwrap_or_default())
                    }
                    _ => out.push(c),
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_literals() {
        let params = [
            Value::Int(3),
            Value::Text("it's".into()),
            Value::Null,
            Value::Bool(true),
        ];
        assert_eq!(
            inline_params(Dialect::Sqlite, "V (?,?,?,?)", &params),
            "V (3,'it''s',NULL,1)"
        );
        let pg = inline_params(Dialect::Postgres, "V ($1,$2,$3,$4) $10", &params);
        assert_eq!(pg, "V (3,'it''s',NULL,TRUE) $10");
    }

    #[test]
    fn copy_and_stored_programs_print_as_their_clients_read_them() {
        let mut d = DryRun::default();
        d.push(Dialect::Postgres, "COPY t FROM STDIN\u{0}1\t2\n");
        d.push(Dialect::Mysql, "CREATE PROCEDURE p() BEGIN SELECT 1; END");
        assert_eq!(
            d.sql,
            "COPY t FROM STDIN;\n1\t2\n\\.\nDELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\n"
        );
    }
}
