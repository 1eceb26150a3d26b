//! One command's session: the connection, the tracking tables, and the one write path.
//!
//! Every change goes through [`Session::exec`] (and the transaction calls), so the `*-sql`
//! commands record exactly the SQL the real command would run, through the Flyway runner's
//! [`DryRun`] writer, and nothing else needs to know it is a dry run. Reads (rows, the lock
//! row, preconditions) always run against the real database.

use tidemark_ledger::changelog::history::{ExecType, RanChangeSet};
use tidemark_sql::Dialect;

use super::tables::Tables;
use super::{Config, Error};
use crate::driver::{DbError, Driver, Value};
use crate::report::Reporter;
use crate::runner::DryRun;

/// A Liquibase-mode command's session with one database.
pub struct Session<'a> {
    pub(super) driver: &'a mut dyn Driver,
    pub(super) config: &'a Config,
    pub(super) reporter: &'a mut dyn Reporter,
    pub(super) tables: Tables,
    pub(super) dbms: String,
    pub(super) schema: String,
    pub(super) dry: Option<DryRun>,
    pub(super) deployment_id: String,
    pub(super) last_order: Option<i64>,
    /// Tables a dry run has "created" (recorded their DDL).
    pub(super) dry_created: DryTables,
    /// The comment block a dry run prints after taking the lock (`Update Database Script`).
    pub(super) script_header: Option<String>,
}

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct DryTables {
    pub(super) lock: bool,
    pub(super) changelog: bool,
}

/// Liquibase's short name of the database (`dbms:` values, `${database.typeName}`).
fn short_name(dialect: Dialect, version: &str) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgresql",
        Dialect::Mysql if version.to_ascii_lowercase().contains("mariadb") => "mariadb",
        Dialect::Mysql => "mysql",
    }
}

/// The last 10 digits of the epoch-milliseconds clock, as Liquibase makes a DEPLOYMENT_ID.
pub fn new_deployment_id() -> String {
    let millis = chrono::Utc::now().timestamp_millis().to_string();
    let start = millis.len().saturating_sub(10);
    millis[start..].to_string()
}

impl<'a> Session<'a> {
    /// Connects the pieces: finds the schema and the database's short name, and switches to
    /// the configured schema (as Liquibase sets `search_path` / `USE`). Nothing is written.
    pub fn new(
        driver: &'a mut dyn Driver,
        config: &'a Config,
        reporter: &'a mut dyn Reporter,
    ) -> Result<Session<'a>, Error> {
        let dialect = driver.dialect();
        let version = driver
            .server_version()
            .map_err(|e| Error::db("read the server version", e))?;
        let schema = match &config.schema {
            Some(s) => s.clone(),
            None => driver
                .current_schema()
                .map_err(|e| Error::db("determine the current schema", e))?,
        };
        if config.schema.is_some() && dialect != Dialect::Sqlite {
            let exists = driver
                .schema_exists(&schema)
                .map_err(|e| Error::db(&format!("check schema {schema}"), e))?;
            if exists {
                driver
                    .set_current_schema(&schema)
                    .map_err(|e| Error::db(&format!("switch to schema {schema}"), e))?;
            } else if !config.dry_run {
                return Err(Error::Table(format!(
                    "Schema {schema} does not exist (set by defaultSchemaName)"
                )));
            }
        }
        let mut tables = Tables::new(dialect, Some(schema.clone()));
        tables.changelog = config.changelog_table.clone();
        tables.lock = config.lock_table.clone();
        let deployment_id = match config.deployment_id.as_deref() {
            Some(id) if !id.is_empty() && id.chars().count() <= 10 => id.to_string(),
            Some(id) => {
                reporter.warn(&format!(
                    "deploymentId '{id}' does not fit DEPLOYMENT_ID (at most 10 characters); using a generated one"
                ));
                new_deployment_id()
            }
            None => new_deployment_id(),
        };
        Ok(Session {
            driver,
            config,
            reporter,
            tables,
            dbms: short_name(dialect, &version).to_string(),
            schema,
            dry: config.dry_run.then(DryRun::default),
            deployment_id,
            last_order: None,
            dry_created: DryTables::default(),
            script_header: None,
        })
    }

    /// Liquibase's short name of the database: `sqlite`, `postgresql`, `mysql`, `mariadb`.
    pub fn dbms(&self) -> &str {
        &self.dbms
    }

    /// The schema (database on MySQL, `main` on SQLite) the tables live in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The tables, as spelled in statements.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The DEPLOYMENT_ID this command writes.
    pub fn deployment_id(&self) -> &str {
        &self.deployment_id
    }

    /// The built-in `database.*` changelog parameters Liquibase sets once connected.
    pub fn database_properties(&self) -> Vec<(String, String)> {
        let p = |k: &str, v: &str| (format!("database.{k}"), v.to_string());
        vec![
            p("typeName", &self.dbms),
            p("defaultSchemaName", &self.schema),
            p("liquibaseSchemaName", &self.schema),
            p("databaseChangeLogTableName", &self.tables.changelog),
            p("databaseChangeLogLockTableName", &self.tables.lock),
            p("currentDateTimeFunction", self.tables.now()),
            p("lineComment", "--"),
        ]
    }

    /// The user Liquibase names in messages (`postgres@jdbc:…`); `null` on SQLite.
    pub fn user(&mut self) -> String {
        if self.tables.dialect == Dialect::Sqlite {
            return "null".to_string();
        }
        self.driver
            .current_user()
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "null".to_string())
    }

    /// The connection (tests and tools that look after a command).
    pub fn driver(&mut self) -> &mut dyn Driver {
        self.driver
    }

    /// Whether this session only records SQL.
    pub fn is_dry_run(&self) -> bool {
        self.dry.is_some()
    }

    /// Sets the comment block a dry run prints once the lock is taken (Liquibase's
    /// `Update Database Script` banner).
    pub fn set_script_header(&mut self, header: &str) {
        self.script_header = Some(header.to_string());
    }

    /// The SQL a dry run recorded.
    pub fn dry_run_sql(&self) -> &str {
        self.dry.as_ref().map_or("", |d| d.sql.as_str())
    }

    // The write path.

    /// Executes a statement that changes the database, or records it in a dry run.
    pub(super) fn exec(&mut self, sql: &str) -> Result<u64, DbError> {
        let dialect = self.tables.dialect;
        match &mut self.dry {
            Some(dry) => {
                dry.push(dialect, sql);
                Ok(0)
            }
            None => self.driver.execute(sql, &[]),
        }
    }

    /// Begins a transaction (nothing is recorded in a dry run: Liquibase's `*-sql` output has
    /// no transaction statements).
    pub(super) fn tx_begin(&mut self) -> Result<(), DbError> {
        match self.dry {
            Some(_) => Ok(()),
            None => self.driver.begin(),
        }
    }

    /// Commits.
    pub(super) fn tx_commit(&mut self) -> Result<(), DbError> {
        match self.dry {
            Some(_) => Ok(()),
            None => self.driver.commit(),
        }
    }

    /// Rolls back.
    pub(super) fn tx_rollback(&mut self) -> Result<(), DbError> {
        match self.dry {
            Some(_) => Ok(()),
            None => self.driver.rollback(),
        }
    }

    /// A comment line in the dry-run script (`-- Changeset changelog.sql::1::alice`).
    pub(super) fn comment(&mut self, text: &str) {
        if let Some(dry) = &mut self.dry {
            dry.comment(text);
        }
    }

    // The tables.

    fn table_exists(&mut self, name: &str) -> Result<bool, Error> {
        let catalog = self.tables.catalog_name(name);
        let schema = self.schema.clone();
        self.driver
            .table_exists(&schema, &catalog)
            .map_err(|e| Error::db(&format!("check for table {name}"), e))
    }

    /// Whether `DATABASECHANGELOGLOCK` exists (or a dry run created it).
    pub(super) fn lock_table_exists(&mut self) -> Result<bool, Error> {
        if self.dry_created.lock {
            return Ok(true);
        }
        let name = self.tables.lock.clone();
        self.table_exists(&name)
    }

    /// Whether `DATABASECHANGELOG` exists (or a dry run created it).
    pub(super) fn changelog_table_exists(&mut self) -> Result<bool, Error> {
        if self.dry_created.changelog {
            return Ok(true);
        }
        let name = self.tables.changelog.clone();
        self.table_exists(&name)
    }

    /// Creates `DATABASECHANGELOG` if it does not exist ("Create Database Change Log Table").
    pub(super) fn ensure_changelog_table(&mut self) -> Result<(), Error> {
        if self.changelog_table_exists()? {
            return Ok(());
        }
        self.reporter.info(&format!(
            "Creating database history table with name: {}",
            self.tables.changelog_name()
        ));
        self.comment("Create Database Change Log Table");
        let sql = self.tables.create_changelog_table();
        let created = self.exec(&sql);
        match created {
            Ok(_) => {
                if self.dry.is_some() {
                    self.dry_created.changelog = true;
                }
                Ok(())
            }
            // Someone else created it in between (we hold the lock, so only a tool that does
            // not lock): fine if it is there now.
            Err(e) => {
                let _ = self.driver.rollback();
                if self.changelog_table_exists()? {
                    Ok(())
                } else {
                    Err(Error::db("create the changelog table", e))
                }
            }
        }
    }

    /// Every row, oldest first (`ORDER BY DATEEXECUTED, ORDEREXECUTED`); empty when the table
    /// does not exist.
    pub fn read_rows(&mut self) -> Result<Vec<RanChangeSet>, Error> {
        if self.dry_created.changelog {
            return Ok(Vec::new());
        }
        let sql = self.tables.select_rows();
        let catalog = self.tables.catalog_name(&self.tables.changelog);
        let rows = self
            .driver
            .read_table(&self.schema, &catalog, &sql, &[])
            .map_err(|e| Error::db(&format!("read {}", self.tables.changelog_name()), e))?;
        rows.unwrap_or_default()
            .iter()
            .map(|r| parse_row(r))
            .collect()
    }

    /// The next ORDEREXECUTED: `MAX(ORDEREXECUTED)` read once per command, then +1 per row.
    pub(super) fn next_order(&mut self) -> Result<i64, Error> {
        let last = match self.last_order {
            Some(n) => n,
            None => {
                if self.dry_created.changelog || !self.changelog_table_exists()? {
                    0
                } else {
                    let sql = self.tables.max_order();
                    let rows = self
                        .driver
                        .query(&sql, &[])
                        .map_err(|e| Error::db("read MAX(ORDEREXECUTED)", e))?;
                    rows.first()
                        .and_then(|r| r.first())
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                }
            }
        };
        self.last_order = Some(last + 1);
        Ok(last + 1)
    }
}

fn parse_row(row: &[Value]) -> Result<RanChangeSet, Error> {
    let text = |i: usize| row.get(i).and_then(Value::as_text);
    let exec_text = text(5).unwrap_or_default();
    let exec_type = ExecType::parse(&exec_text)
        .ok_or_else(|| Error::Table(format!("Unknown EXECTYPE from database: {exec_text}")))?;
    Ok(RanChangeSet {
        id: text(0).unwrap_or_default(),
        author: text(1).unwrap_or_default(),
        filename: text(2).unwrap_or_default(),
        date_executed: text(3).unwrap_or_default(),
        order_executed: row.get(4).and_then(Value::as_i64).unwrap_or(0),
        exec_type,
        md5sum: text(6),
        description: text(7),
        comments: text(8),
        tag: text(9),
        liquibase: text(10),
        contexts: text(11),
        labels: text(12),
        deployment_id: text(13),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_ids_are_ten_digits() {
        let id = new_deployment_id();
        assert_eq!(id.len(), 10);
        assert!(id.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name(Dialect::Mysql, "MariaDB 10.11.6"), "mariadb");
        assert_eq!(short_name(Dialect::Mysql, "MySQL 8.0"), "mysql");
        assert_eq!(short_name(Dialect::Postgres, "PostgreSQL 15"), "postgresql");
    }
}
