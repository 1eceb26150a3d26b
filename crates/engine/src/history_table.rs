//! The SQL of Flyway's schema-history table, per dialect, as data.
//!
//! A database migrated by tidemark must be readable by Flyway and the other way round, so the DDL
//! is Flyway's text character for character (reference §3.1; `fixtures/flyway-history/` holds the
//! goldens) and the statements are the ones Flyway issues. Drivers never see any of this as
//! special: to them it is just SQL.

use tidemark_sql::Dialect;

/// Where the history table lives and how to spell it in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryTable {
    /// The dialect.
    pub dialect: Dialect,
    /// The schema (database on MySQL, `main` on SQLite).
    pub schema: String,
    /// The bare table name (`flyway_schema_history`).
    pub table: String,
    /// `tablespace` (PostgreSQL and MySQL only).
    pub tablespace: Option<String>,
}

/// The columns Flyway reads, in this order.
pub const SELECT_COLUMNS: &str = "installed_rank,version,description,type,script,checksum,installed_on,installed_by,execution_time,success";

impl HistoryTable {
    /// Quotes an identifier for the dialect (`"x"` or `` `x` ``), doubling embedded quotes.
    pub fn quote(&self, ident: &str) -> String {
        quote(self.dialect, ident)
    }

    /// `<quoted schema>.<quoted table>`, as Flyway prints and uses it.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.quote(&self.schema), self.quote(&self.table))
    }

    /// Flyway's `CREATE TABLE` (and index) statements, in order.
    pub fn create(&self) -> Vec<String> {
        let t = self.qualified();
        let n = &self.table;
        match self.dialect {
            Dialect::Sqlite => vec![
                format!(
                    "CREATE TABLE {t} (\n    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n    \"version\" VARCHAR(50),\n    \"description\" VARCHAR(200) NOT NULL,\n    \"type\" VARCHAR(20) NOT NULL,\n    \"script\" VARCHAR(1000) NOT NULL,\n    \"checksum\" INT,\n    \"installed_by\" VARCHAR(100) NOT NULL,\n    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n    \"execution_time\" INT NOT NULL,\n    \"success\" BOOLEAN NOT NULL\n)"
                ),
                format!(
                    "CREATE INDEX {}.{} ON {} (\"success\")",
                    self.quote(&self.schema),
                    self.quote(&format!("{n}_s_idx")),
                    self.quote(n)
                ),
            ],
            Dialect::Postgres => {
                let ts = |prefix: &str| match &self.tablespace {
                    Some(ts) => format!(" {prefix}TABLESPACE {}", self.quote(ts)),
                    None => String::new(),
                };
                vec![
                    format!(
                        "CREATE TABLE {t} (\n    \"installed_rank\" INT NOT NULL,\n    \"version\" VARCHAR(50),\n    \"description\" VARCHAR(200) NOT NULL,\n    \"type\" VARCHAR(20) NOT NULL,\n    \"script\" VARCHAR(1000) NOT NULL,\n    \"checksum\" INTEGER,\n    \"installed_by\" VARCHAR(100) NOT NULL,\n    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n    \"execution_time\" INTEGER NOT NULL,\n    \"success\" BOOLEAN NOT NULL\n){}",
                        ts("")
                    ),
                    format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} PRIMARY KEY (\"installed_rank\"){}",
                        self.quote(&format!("{n}_pk")),
                        ts("USING INDEX ")
                    ),
                    format!(
                        "CREATE INDEX {} ON {t} (\"success\"){}",
                        self.quote(&format!("{n}_s_idx")),
                        ts("")
                    ),
                ]
            }
            Dialect::Mysql => vec![
                format!(
                    "CREATE TABLE {t} (\n    `installed_rank` INT NOT NULL,\n    `version` VARCHAR(50),\n    `description` VARCHAR(200) NOT NULL,\n    `type` VARCHAR(20) NOT NULL,\n    `script` VARCHAR(1000) NOT NULL,\n    `checksum` INT,\n    `installed_by` VARCHAR(100) NOT NULL,\n    `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    `execution_time` INT NOT NULL,\n    `success` BOOL NOT NULL,\n    CONSTRAINT {} PRIMARY KEY (`installed_rank`)\n){}",
                    self.quote(&format!("{n}_pk")),
                    match &self.tablespace {
                        Some(ts) => format!(" TABLESPACE \"{ts}\""),
                        None => String::new(),
                    }
                ),
                format!(
                    "CREATE INDEX {} ON {t} (`success`)",
                    self.quote(&format!("{n}_s_idx"))
                ),
            ],
        }
    }

    /// The companion table `<table>_tidemark`: what Flyway's table has no column for (the
    /// SHA-256 and text of what was applied, its phase, the run that applied it). Keyed by the
    /// history row's `installed_rank`; Flyway's table itself is never altered.
    pub fn companion(&self) -> HistoryTable {
        HistoryTable {
            table: format!("{}_tidemark", self.table),
            ..self.clone()
        }
    }

    /// DDL of the companion table (call on [`HistoryTable::companion`]).
    pub fn create_companion(&self) -> String {
        let text = match self.dialect {
            Dialect::Mysql => "LONGTEXT",
            _ => "TEXT",
        };
        // On SQLite, `INTEGER PRIMARY KEY` makes the rank the rowid: the rows live in one B-tree
        // instead of a table plus a unique index, one page fewer to journal and write per
        // migration. (Ranks are integers everywhere, so nothing else changes.)
        let rank = match self.dialect {
            Dialect::Sqlite => "INTEGER",
            _ => "INT",
        };
        format!(
            "CREATE TABLE {} (\n    {} {rank} NOT NULL PRIMARY KEY,\n    {} VARCHAR(64) NOT NULL,\n    {} VARCHAR(20),\n    {} VARCHAR(100) NOT NULL,\n    {} {text}\n)",
            self.qualified(),
            self.quote("installed_rank"),
            self.quote("sha256"),
            self.quote("phase"),
            self.quote("run_id"),
            self.quote("script_text"),
        )
    }

    /// Insert into the companion table (call on [`HistoryTable::companion`]).
    pub fn insert_companion(&self) -> String {
        let cols = ["installed_rank", "sha256", "phase", "run_id", "script_text"]
            .iter()
            .map(|c| self.quote(c))
            .collect::<Vec<_>>()
            .join(",");
        format!(
            "INSERT INTO {} ({cols}) VALUES ({})",
            self.qualified(),
            self.params(5)
        )
    }

    /// Reads every companion row (call on [`HistoryTable::companion`]).
    pub fn select_companion(&self) -> String {
        format!(
            "SELECT {}, {}, {}, {}, {} FROM {} ORDER BY {}",
            self.quote("installed_rank"),
            self.quote("sha256"),
            self.quote("phase"),
            self.quote("run_id"),
            self.quote("script_text"),
            self.qualified(),
            self.quote("installed_rank")
        )
    }

    /// Flyway's insert (`installed_on` is left to the column default).
    pub fn insert(&self) -> String {
        let cols = [
            "installed_rank",
            "version",
            "description",
            "type",
            "script",
            "checksum",
            "installed_by",
            "execution_time",
            "success",
        ]
        .iter()
        .map(|c| self.quote(c))
        .collect::<Vec<_>>()
        .join(",");
        format!(
            "INSERT INTO {} ({cols}) VALUES ({})",
            self.qualified(),
            self.params(9)
        )
    }

    /// Every row, in no particular order: the reader sorts them by rank. (Flyway asks for
    /// `installed_rank > ?` in order; on a cold session the server's sort and the plan for it
    /// cost more than sorting a thousand ranks here, which arrive in order anyway.)
    pub fn select(&self) -> String {
        format!("SELECT {SELECT_COLUMNS} FROM {}", self.qualified())
    }

    /// Repair's realignment of one row.
    pub fn update(&self) -> String {
        format!(
            "UPDATE {} SET {}={}, {}={}, {}={} WHERE {}={}",
            self.qualified(),
            self.quote("description"),
            self.param(1),
            self.quote("type"),
            self.param(2),
            self.quote("checksum"),
            self.param(3),
            self.quote("installed_rank"),
            self.param(4)
        )
    }

    /// Repair's removal of failed rows of one version (or one repeatable description).
    pub fn delete_failed(&self, repeatable: bool) -> String {
        let key = if repeatable { "description" } else { "version" };
        format!(
            "DELETE FROM {} WHERE {}={} AND {}={}",
            self.qualified(),
            self.quote("success"),
            self.bool_literal(false),
            self.quote(key),
            self.param(1)
        )
    }

    /// The dialect's boolean literal in generated SQL (PostgreSQL `TRUE/FALSE`, others `1/0`).
    pub fn bool_literal(&self, b: bool) -> &'static str {
        match (self.dialect, b) {
            (Dialect::Postgres, true) => "TRUE",
            (Dialect::Postgres, false) => "FALSE",
            (_, true) => "1",
            (_, false) => "0",
        }
    }

    /// The `n`th (1-based) bind parameter.
    pub fn param(&self, n: usize) -> String {
        match self.dialect {
            Dialect::Postgres => format!("${n}"),
            _ => "?".to_string(),
        }
    }

    fn params(&self, count: usize) -> String {
        (1..=count)
            .map(|n| self.param(n))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Quotes an identifier for a dialect.
pub fn quote(dialect: Dialect, ident: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("`{}`", ident.replace('`', "``")),
        _ => format!("\"{}\"", ident.replace('"', "\"\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(name: &str, table: &HistoryTable) -> String {
        let path = format!(
            "{}/../../fixtures/flyway-history/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        text.replace("{T}", &table.qualified())
            .replace("{S}", &table.quote(&table.schema))
            .replace("{N}", &table.table)
    }

    fn ours(table: &HistoryTable) -> String {
        table.create().iter().map(|s| format!("{s};\n")).collect()
    }

    #[test]
    fn ddl_matches_flyway_text_for_every_dialect() {
        for (dialect, file, schema) in [
            (Dialect::Sqlite, "sqlite.sql", "main"),
            (Dialect::Postgres, "postgres.sql", "public"),
            (Dialect::Mysql, "mysql.sql", "app"),
        ] {
            let table = HistoryTable {
                dialect,
                schema: schema.into(),
                table: "flyway_schema_history".into(),
                tablespace: None,
            };
            assert_eq!(ours(&table), golden(file, &table), "{dialect}");
        }
    }

    #[test]
    fn statements_quote_per_dialect() {
        let t = HistoryTable {
            dialect: Dialect::Postgres,
            schema: "public".into(),
            table: "flyway_schema_history".into(),
            tablespace: None,
        };
        assert_eq!(
            t.insert(),
            "INSERT INTO \"public\".\"flyway_schema_history\" (\"installed_rank\",\"version\",\"description\",\"type\",\"script\",\"checksum\",\"installed_by\",\"execution_time\",\"success\") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"
        );
        assert_eq!(
            t.delete_failed(false),
            "DELETE FROM \"public\".\"flyway_schema_history\" WHERE \"success\"=FALSE AND \"version\"=$1"
        );
        let m = HistoryTable {
            dialect: Dialect::Mysql,
            ..t
        };
        assert_eq!(
            m.select(),
            "SELECT installed_rank,version,description,type,script,checksum,installed_on,installed_by,execution_time,success FROM `public`.`flyway_schema_history`"
        );
    }
}
