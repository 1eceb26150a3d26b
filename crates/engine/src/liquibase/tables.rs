//! Liquibase's tracking tables, `DATABASECHANGELOG` and `DATABASECHANGELOGLOCK`, per dialect, as
//! data: the DDL and every statement Liquibase 4.28 issues against them, spelled as it spells
//! them (captured from `update-sql`, `rollback-count-sql` and `changelog-sync-sql` of the real
//! Liquibase on SQLite, PostgreSQL and MariaDB; the tests below pin the texts).
//!
//! Why literal SQL rather than bind parameters: the same text is executed and printed by the
//! `*-sql` commands, so what a reviewer reads is exactly what would run. Values are escaped as
//! Liquibase escapes them (`'` doubled; on MySQL/MariaDB `\` doubled too, since the server reads
//! backslash escapes).
//!
//! Spelling per dialect (Liquibase's own, so a table created by either tool is the same table):
//! * SQLite: unqualified upper-case names, `CURRENT_TIMESTAMP`, booleans `1`/`0`;
//! * PostgreSQL: `schema.databasechangelog` (Liquibase lower-cases its table names there),
//!   upper-case unquoted columns (folded to lower case by the server), `NOW()`, `TRUE`/`FALSE`;
//! * MySQL/MariaDB: `db.DATABASECHANGELOG`, `` `LOCKED` `` and `` `DESCRIPTION` `` quoted
//!   (reserved words), `NOW()`, `1`/`0`, `TINYINT(1)` and `datetime` columns.

use tidemark_ledger::changelog::history::ExecType;
use tidemark_sql::Dialect;

/// The Liquibase version tidemark's rows claim in the `LIQUIBASE` column: the version whose
/// behaviour (checksums, rows) tidemark reproduces, so a table written by tidemark is
/// indistinguishable from one written by Liquibase 4.28.
pub const LIQUIBASE_VERSION: &str = "4.28.0";

/// The checksum of a changeset without changes (`md5("")`), on the synthetic `tag` row.
pub const EMPTY_CHECKSUM: &str = "9:d41d8cd98f00b204e9800998ecf8427e";

/// Where the two tables live and how to spell them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// The dialect.
    pub dialect: Dialect,
    /// The schema (PostgreSQL) or database (MySQL); `None` on SQLite.
    pub schema: Option<String>,
    /// `databaseChangelogTableName` (default `DATABASECHANGELOG`).
    pub changelog: String,
    /// `databaseChangelogLockTableName` (default `DATABASECHANGELOGLOCK`).
    pub lock: String,
}

/// The values of a row `update` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowValues {
    /// `ID`.
    pub id: String,
    /// `AUTHOR`.
    pub author: String,
    /// `FILENAME`.
    pub filename: String,
    /// `ORDEREXECUTED`.
    pub order: i64,
    /// `MD5SUM`.
    pub md5sum: String,
    /// `DESCRIPTION`.
    pub description: String,
    /// `COMMENTS` (`''` when none).
    pub comments: String,
    /// `EXECTYPE`.
    pub exec_type: ExecType,
    /// `CONTEXTS`.
    pub contexts: Option<String>,
    /// `LABELS`.
    pub labels: Option<String>,
    /// `DEPLOYMENT_ID`.
    pub deployment_id: String,
    /// `TAG` (a `tagDatabase` change), written only when set.
    pub tag: Option<String>,
}

/// The columns `select_rows` reads, in this order.
pub const ROW_COLUMNS: [&str; 14] = [
    "ID",
    "AUTHOR",
    "FILENAME",
    "DATEEXECUTED",
    "ORDEREXECUTED",
    "EXECTYPE",
    "MD5SUM",
    "DESCRIPTION",
    "COMMENTS",
    "TAG",
    "LIQUIBASE",
    "CONTEXTS",
    "LABELS",
    "DEPLOYMENT_ID",
];

/// Whether `s` can be written without quotes (`[A-Za-z_][A-Za-z0-9_]*`).
fn plain(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Tables {
    /// The tables with Liquibase's default names.
    pub fn new(dialect: Dialect, schema: Option<String>) -> Tables {
        Tables {
            dialect,
            schema: if dialect == Dialect::Sqlite {
                None
            } else {
                schema
            },
            changelog: "DATABASECHANGELOG".into(),
            lock: "DATABASECHANGELOGLOCK".into(),
        }
    }

    /// An identifier as Liquibase writes it for this dialect.
    fn ident(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Postgres => {
                // Liquibase lower-cases its own table names on PostgreSQL.
                let lower = name.to_lowercase();
                if plain(&lower) {
                    lower
                } else {
                    format!("\"{}\"", lower.replace('"', "\"\""))
                }
            }
            Dialect::Mysql => {
                if plain(name) {
                    name.to_string()
                } else {
                    format!("`{}`", name.replace('`', "``"))
                }
            }
            Dialect::Sqlite => {
                if plain(name) {
                    name.to_string()
                } else {
                    format!("\"{}\"", name.replace('"', "\"\""))
                }
            }
        }
    }

    fn qualified(&self, table: &str) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", self.ident(schema), self.ident(table)),
            None => self.ident(table),
        }
    }

    /// The changelog table as written in statements.
    pub fn changelog_name(&self) -> String {
        self.qualified(&self.changelog)
    }

    /// The lock table as written in statements.
    pub fn lock_name(&self) -> String {
        self.qualified(&self.lock)
    }

    /// The bare table name as the catalog knows it (for `Driver::table_exists`).
    pub fn catalog_name(&self, table: &str) -> String {
        match self.dialect {
            Dialect::Postgres => table.to_lowercase(),
            _ => table.to_string(),
        }
    }

    /// A column name, quoted where Liquibase quotes it (MySQL's reserved `LOCKED`,
    /// `DESCRIPTION`).
    fn col(&self, name: &'static str) -> String {
        match (self.dialect, name) {
            (Dialect::Mysql, "LOCKED" | "DESCRIPTION") => format!("`{name}`"),
            _ => name.to_string(),
        }
    }

    /// The database's clock, as Liquibase calls it.
    pub fn now(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "CURRENT_TIMESTAMP",
            _ => "NOW()",
        }
    }

    fn boolean(&self, b: bool) -> &'static str {
        match (self.dialect, b) {
            (Dialect::Postgres, true) => "TRUE",
            (Dialect::Postgres, false) => "FALSE",
            (_, true) => "1",
            (_, false) => "0",
        }
    }

    /// A string literal, escaped as Liquibase escapes it for the dialect.
    pub fn literal(&self, s: &str) -> String {
        let mut escaped = s.replace('\'', "''");
        if self.dialect == Dialect::Mysql {
            escaped = escaped.replace('\\', "\\\\");
        }
        format!("'{escaped}'")
    }

    fn opt_literal(&self, s: Option<&str>) -> String {
        s.map_or_else(|| "NULL".to_string(), |s| self.literal(s))
    }

    /// `CREATE TABLE DATABASECHANGELOGLOCK …` (Liquibase's "Create Database Lock Table").
    pub fn create_lock_table(&self) -> String {
        let t = self.lock_name();
        match self.dialect {
            Dialect::Sqlite => format!(
                "CREATE TABLE {t} (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TEXT, LOCKEDBY VARCHAR(255), CONSTRAINT PK_{} PRIMARY KEY (ID))",
                self.lock.to_uppercase()
            ),
            Dialect::Postgres => format!(
                "CREATE TABLE {t} (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255), CONSTRAINT {} PRIMARY KEY (ID))",
                self.ident(&format!("{}_pkey", self.lock))
            ),
            Dialect::Mysql => format!(
                "CREATE TABLE {t} (ID INT NOT NULL, `LOCKED` TINYINT(1) NOT NULL, LOCKGRANTED datetime NULL, LOCKEDBY VARCHAR(255) NULL, CONSTRAINT PK_{} PRIMARY KEY (ID))",
                self.lock.to_uppercase()
            ),
        }
    }

    /// `CREATE TABLE DATABASECHANGELOG …` (no primary key, no index, as in Liquibase).
    pub fn create_changelog_table(&self) -> String {
        let t = self.changelog_name();
        match self.dialect {
            Dialect::Sqlite => format!(
                "CREATE TABLE {t} (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TEXT NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))"
            ),
            Dialect::Postgres => format!(
                "CREATE TABLE {t} (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))"
            ),
            Dialect::Mysql => format!(
                "CREATE TABLE {t} (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED datetime NOT NULL, ORDEREXECUTED INT NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35) NULL, `DESCRIPTION` VARCHAR(255) NULL, COMMENTS VARCHAR(255) NULL, TAG VARCHAR(255) NULL, LIQUIBASE VARCHAR(20) NULL, CONTEXTS VARCHAR(255) NULL, LABELS VARCHAR(255) NULL, DEPLOYMENT_ID VARCHAR(10) NULL)"
            ),
        }
    }

    /// "Initialize Database Lock Table": `DELETE` then the one unlocked row.
    pub fn init_lock(&self) -> [String; 2] {
        let t = self.lock_name();
        [
            format!("DELETE FROM {t}"),
            format!(
                "INSERT INTO {t} (ID, {}) VALUES (1, {})",
                self.col("LOCKED"),
                self.boolean(false)
            ),
        ]
    }

    /// How many rows the lock table has (0: not initialised).
    pub fn count_lock_rows(&self) -> String {
        format!("SELECT COUNT(*) FROM {}", self.lock_name())
    }

    /// Whether the lock is held.
    pub fn select_locked(&self) -> String {
        format!(
            "SELECT {} FROM {} WHERE ID=1",
            self.col("LOCKED"),
            self.lock_name()
        )
    }

    /// "Lock Database": takes the lock if nobody holds it (exactly one updated row = held).
    pub fn lock(&self, locked_by: &str) -> String {
        format!(
            "UPDATE {} SET {locked} = {t}, LOCKEDBY = {by}, LOCKGRANTED = {now} WHERE ID = 1 AND {locked} = {f}",
            self.lock_name(),
            locked = self.col("LOCKED"),
            t = self.boolean(true),
            by = self.literal(locked_by),
            now = self.now(),
            f = self.boolean(false),
        )
    }

    /// "Release Database Lock" (also `release-locks`).
    pub fn unlock(&self) -> String {
        format!(
            "UPDATE {} SET {} = {}, LOCKEDBY = NULL, LOCKGRANTED = NULL WHERE ID = 1",
            self.lock_name(),
            self.col("LOCKED"),
            self.boolean(false)
        )
    }

    /// The held locks: `ID, LOCKGRANTED, LOCKEDBY` of locked rows.
    pub fn list_locks(&self) -> String {
        format!(
            "SELECT ID, LOCKGRANTED, LOCKEDBY FROM {} WHERE {} = {}",
            self.lock_name(),
            self.col("LOCKED"),
            self.boolean(true)
        )
    }

    /// Every row, oldest first, as Liquibase reads them.
    pub fn select_rows(&self) -> String {
        let cols: Vec<String> = ROW_COLUMNS.iter().map(|c| self.col(c)).collect();
        format!(
            "SELECT {} FROM {} ORDER BY DATEEXECUTED ASC, ORDEREXECUTED ASC",
            cols.join(", "),
            self.changelog_name()
        )
    }

    /// `MAX(ORDEREXECUTED)` (NULL on an empty table).
    pub fn max_order(&self) -> String {
        format!("SELECT MAX(ORDEREXECUTED) FROM {}", self.changelog_name())
    }

    /// How many rows the changelog table has.
    pub fn count_rows(&self) -> String {
        format!("SELECT COUNT(*) FROM {}", self.changelog_name())
    }

    /// The `INSERT` of a new row (`MarkChangeSetRanGenerator`'s column order).
    pub fn insert(&self, r: &RowValues) -> String {
        let mut cols = format!(
            "ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, {}, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID",
            self.col("DESCRIPTION")
        );
        let mut values = format!(
            "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}",
            self.literal(&r.id),
            self.literal(&r.author),
            self.literal(&r.filename),
            self.now(),
            r.order,
            self.literal(&r.md5sum),
            self.literal(&r.description),
            self.literal(&r.comments),
            self.literal(r.exec_type.as_str()),
            self.opt_literal(r.contexts.as_deref()),
            self.opt_literal(r.labels.as_deref()),
            self.literal(LIQUIBASE_VERSION),
            self.literal(&r.deployment_id),
        );
        if let Some(tag) = &r.tag {
            cols.push_str(", TAG");
            values.push_str(&format!(", {}", self.literal(tag)));
        }
        format!(
            "INSERT INTO {} ({cols}) VALUES ({values})",
            self.changelog_name()
        )
    }

    fn identity(&self, id: &str, author: &str, filename: &str) -> String {
        format!(
            "ID = {} AND AUTHOR = {} AND FILENAME = {}",
            self.literal(id),
            self.literal(author),
            self.literal(filename)
        )
    }

    /// The `UPDATE` of a row that ran again (RERAN): new date, order, checksum, type and
    /// deployment; DESCRIPTION and LIQUIBASE stay. `at` is the stored row's (ID, AUTHOR,
    /// FILENAME).
    pub fn update_ran(&self, r: &RowValues, at: (&str, &str, &str)) -> String {
        let mut set = format!(
            "DATEEXECUTED = {}, ORDEREXECUTED = {}, MD5SUM = {}, EXECTYPE = {}, DEPLOYMENT_ID = {}, COMMENTS = {}, CONTEXTS = {}, LABELS = {}",
            self.now(),
            r.order,
            self.literal(&r.md5sum),
            self.literal(r.exec_type.as_str()),
            self.literal(&r.deployment_id),
            self.literal(&r.comments),
            self.opt_literal(r.contexts.as_deref()),
            self.opt_literal(r.labels.as_deref()),
        );
        if let Some(tag) = &r.tag {
            set.push_str(&format!(", TAG = {}", self.literal(tag)));
        }
        format!(
            "UPDATE {} SET {set} WHERE {}",
            self.changelog_name(),
            self.identity(at.0, at.1, at.2)
        )
    }

    /// Rewrites one row's checksum (upgrade to `9:`, or refill after `clear-checksums`).
    pub fn update_checksum(&self, id: &str, author: &str, filename: &str, md5sum: &str) -> String {
        format!(
            "UPDATE {} SET MD5SUM = {} WHERE {}",
            self.changelog_name(),
            self.literal(md5sum),
            self.identity(id, author, filename)
        )
    }

    /// Removes a rolled-back row.
    pub fn delete(&self, id: &str, author: &str, filename: &str) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.changelog_name(),
            self.identity(id, author, filename)
        )
    }

    /// `clear-checksums`.
    pub fn clear_checksums(&self) -> String {
        format!("UPDATE {} SET MD5SUM = NULL", self.changelog_name())
    }

    /// `tag`: sets TAG on the newest row, with Liquibase's statement per dialect (on SQLite it
    /// tags every row sharing the newest DATEEXECUTED, which has second precision there, as
    /// Liquibase's generic statement does).
    pub fn tag(&self, tag: &str) -> String {
        let t = self.changelog_name();
        let tag = self.literal(tag);
        match self.dialect {
            Dialect::Postgres => format!(
                "UPDATE {t} t SET TAG={tag} FROM (SELECT DATEEXECUTED, ORDEREXECUTED FROM {t} ORDER BY DATEEXECUTED DESC, ORDEREXECUTED DESC LIMIT 1) sub WHERE t.DATEEXECUTED=sub.DATEEXECUTED AND t.ORDEREXECUTED=sub.ORDEREXECUTED"
            ),
            Dialect::Mysql => format!(
                "UPDATE {t} AS C INNER JOIN (SELECT ORDEREXECUTED, DATEEXECUTED FROM {t} order by DATEEXECUTED desc, ORDEREXECUTED desc limit 1) AS D ON C.ORDEREXECUTED = D.ORDEREXECUTED SET C.TAG = {tag}"
            ),
            Dialect::Sqlite => format!(
                "UPDATE {t} SET TAG = {tag} WHERE DATEEXECUTED = (SELECT MAX(DATEEXECUTED) FROM {t})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RowValues {
        RowValues {
            id: "2".into(),
            author: "alice".into(),
            filename: "changelog.sql".into(),
            order: 2,
            md5sum: "9:3b11c57757cb6a6a21fc8d4b681bf973".into(),
            description: "sql".into(),
            comments: "adds t2".into(),
            exec_type: ExecType::Executed,
            contexts: Some("dev".into()),
            labels: Some("expand".into()),
            deployment_id: "5840130854".into(),
            tag: None,
        }
    }

    // The texts below are what the real Liquibase 4.28.0 printed with `update-sql`,
    // `rollback-count-sql` and `changelog-sync-sql` (trailing `;` removed).

    #[test]
    fn sqlite_statements_are_liquibases() {
        let t = Tables::new(Dialect::Sqlite, None);
        assert_eq!(
            t.create_lock_table(),
            "CREATE TABLE DATABASECHANGELOGLOCK (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TEXT, LOCKEDBY VARCHAR(255), CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID))"
        );
        assert_eq!(
            t.create_changelog_table(),
            "CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TEXT NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))"
        );
        assert_eq!(
            t.init_lock(),
            [
                "DELETE FROM DATABASECHANGELOGLOCK".to_string(),
                "INSERT INTO DATABASECHANGELOGLOCK (ID, LOCKED) VALUES (1, 0)".to_string()
            ]
        );
        assert_eq!(
            t.lock("vm (fd00:0:0:0:0:0:0:2%eth0)"),
            "UPDATE DATABASECHANGELOGLOCK SET LOCKED = 1, LOCKEDBY = 'vm (fd00:0:0:0:0:0:0:2%eth0)', LOCKGRANTED = CURRENT_TIMESTAMP WHERE ID = 1 AND LOCKED = 0"
        );
        assert_eq!(
            t.unlock(),
            "UPDATE DATABASECHANGELOGLOCK SET LOCKED = 0, LOCKEDBY = NULL, LOCKGRANTED = NULL WHERE ID = 1"
        );
        assert_eq!(
            t.insert(&row()),
            "INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('2', 'alice', 'changelog.sql', CURRENT_TIMESTAMP, 2, '9:3b11c57757cb6a6a21fc8d4b681bf973', 'sql', 'adds t2', 'EXECUTED', 'dev', 'expand', '4.28.0', '5840130854')"
        );
        assert_eq!(
            t.delete("3", "alice", "c3.sql"),
            "DELETE FROM DATABASECHANGELOG WHERE ID = '3' AND AUTHOR = 'alice' AND FILENAME = 'c3.sql'"
        );
    }

    #[test]
    fn postgres_statements_are_liquibases() {
        let t = Tables::new(Dialect::Postgres, Some("public".into()));
        assert_eq!(
            t.create_lock_table(),
            "CREATE TABLE public.databasechangeloglock (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255), CONSTRAINT databasechangeloglock_pkey PRIMARY KEY (ID))"
        );
        assert_eq!(
            t.create_changelog_table(),
            "CREATE TABLE public.databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))"
        );
        assert_eq!(
            t.init_lock()[1],
            "INSERT INTO public.databasechangeloglock (ID, LOCKED) VALUES (1, FALSE)"
        );
        assert_eq!(
            t.lock("vm (fd00:0:0:0:0:0:0:2%eth0)"),
            "UPDATE public.databasechangeloglock SET LOCKED = TRUE, LOCKEDBY = 'vm (fd00:0:0:0:0:0:0:2%eth0)', LOCKGRANTED = NOW() WHERE ID = 1 AND LOCKED = FALSE"
        );
        assert_eq!(
            t.unlock(),
            "UPDATE public.databasechangeloglock SET LOCKED = FALSE, LOCKEDBY = NULL, LOCKGRANTED = NULL WHERE ID = 1"
        );
        assert_eq!(
            t.insert(&row()),
            "INSERT INTO public.databasechangelog (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('2', 'alice', 'changelog.sql', NOW(), 2, '9:3b11c57757cb6a6a21fc8d4b681bf973', 'sql', 'adds t2', 'EXECUTED', 'dev', 'expand', '4.28.0', '5840130854')"
        );
        assert_eq!(t.catalog_name(&t.changelog), "databasechangelog");
    }

    #[test]
    fn mariadb_statements_are_liquibases() {
        let t = Tables::new(Dialect::Mysql, Some("lqt".into()));
        assert_eq!(
            t.create_lock_table(),
            "CREATE TABLE lqt.DATABASECHANGELOGLOCK (ID INT NOT NULL, `LOCKED` TINYINT(1) NOT NULL, LOCKGRANTED datetime NULL, LOCKEDBY VARCHAR(255) NULL, CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID))"
        );
        assert_eq!(
            t.create_changelog_table(),
            "CREATE TABLE lqt.DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED datetime NOT NULL, ORDEREXECUTED INT NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35) NULL, `DESCRIPTION` VARCHAR(255) NULL, COMMENTS VARCHAR(255) NULL, TAG VARCHAR(255) NULL, LIQUIBASE VARCHAR(20) NULL, CONTEXTS VARCHAR(255) NULL, LABELS VARCHAR(255) NULL, DEPLOYMENT_ID VARCHAR(10) NULL)"
        );
        assert_eq!(
            t.init_lock()[1],
            "INSERT INTO lqt.DATABASECHANGELOGLOCK (ID, `LOCKED`) VALUES (1, 0)"
        );
        assert_eq!(
            t.lock("vm (fd00:0:0:0:0:0:0:2%eth0)"),
            "UPDATE lqt.DATABASECHANGELOGLOCK SET `LOCKED` = 1, LOCKEDBY = 'vm (fd00:0:0:0:0:0:0:2%eth0)', LOCKGRANTED = NOW() WHERE ID = 1 AND `LOCKED` = 0"
        );
        assert_eq!(
            t.insert(&row()),
            "INSERT INTO lqt.DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, `DESCRIPTION`, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('2', 'alice', 'changelog.sql', NOW(), 2, '9:3b11c57757cb6a6a21fc8d4b681bf973', 'sql', 'adds t2', 'EXECUTED', 'dev', 'expand', '4.28.0', '5840130854')"
        );
        assert_eq!(t.literal("a\\b'c"), "'a\\\\b''c'");
    }

    #[test]
    fn reran_rows_and_tags() {
        let t = Tables::new(Dialect::Sqlite, None);
        let mut r = row();
        r.exec_type = ExecType::Reran;
        r.tag = Some("v1".into());
        assert_eq!(
            t.update_ran(&r, ("2", "alice", "changelog.sql")),
            "UPDATE DATABASECHANGELOG SET DATEEXECUTED = CURRENT_TIMESTAMP, ORDEREXECUTED = 2, MD5SUM = '9:3b11c57757cb6a6a21fc8d4b681bf973', EXECTYPE = 'RERAN', DEPLOYMENT_ID = '5840130854', COMMENTS = 'adds t2', CONTEXTS = 'dev', LABELS = 'expand', TAG = 'v1' WHERE ID = '2' AND AUTHOR = 'alice' AND FILENAME = 'changelog.sql'"
        );
        assert_eq!(
            t.tag("it's"),
            "UPDATE DATABASECHANGELOG SET TAG = 'it''s' WHERE DATEEXECUTED = (SELECT MAX(DATEEXECUTED) FROM DATABASECHANGELOG)"
        );
    }
}
