//! The workloads' files, generated deterministically: migration `i` always has the same text, so
//! two runs (and two machines) measure the same thing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Which client reads the floor script (decides how a transaction is opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// psql and sqlite3: `BEGIN;`.
    Begin,
    /// the mariadb client: `START TRANSACTION;`.
    StartTransaction,
}

/// Migration `i` (1-based): CREATE TABLE, CREATE INDEX and one 10-row INSERT, valid on
/// PostgreSQL, SQLite and MariaDB alike.
pub fn migration_sql(i: usize) -> String {
    let t = format!("bench_{i:05}");
    let mut sql = format!(
        "-- Benchmark migration {i}: one table, one index, ten rows.\n\
         CREATE TABLE {t} (\n    id INT PRIMARY KEY,\n    name VARCHAR(40) NOT NULL,\n    amount INT NOT NULL\n);\n\
         CREATE INDEX {t}_name ON {t} (name);\n\
         INSERT INTO {t} (id, name, amount) VALUES\n"
    );
    for row in 1..=10 {
        let sep = if row == 10 { ";\n" } else { ",\n" };
        let _ = write!(
            sql,
            "    ({row}, 'item {row} of {t}', {}){sep}",
            (i * 31 + row * 7) % 1000
        );
    }
    sql
}

/// A folder of `n` migrations in each tool's naming, and the floor scripts.
pub struct Workload {
    /// Number of migrations.
    pub n: usize,
    /// Flyway-style files: `V<i>__create_bench_<i>.sql`.
    pub tidemark: PathBuf,
    /// sqlx-cli files: `<i>_create_bench_<i>.sql`.
    pub sqlx: PathBuf,
    /// dbmate files: `<i>_create_bench.sql` with `-- migrate:up`.
    pub dbmate: PathBuf,
    /// A folder holding `changelog.sql`: the same migrations as Liquibase formatted-SQL
    /// changesets (`bench:<i>`).
    pub liquibase: PathBuf,
    /// Floor script for psql and sqlite3 (`BEGIN; ... COMMIT;` per migration).
    pub floor_begin: PathBuf,
    /// Floor script for the mariadb client.
    pub floor_start: PathBuf,
}

impl Workload {
    /// The floor script for a client.
    pub fn floor(&self, flavor: Flavor) -> &Path {
        match flavor {
            Flavor::Begin => &self.floor_begin,
            Flavor::StartTransaction => &self.floor_start,
        }
    }
}

/// Writes `n` migrations under `root/<n>/` (`peers`: also the sqlx and dbmate folders).
pub fn generate(root: &Path, n: usize, peers: bool) -> Result<Workload, String> {
    let base = root.join(format!("n{n}"));
    let w = Workload {
        n,
        tidemark: base.join("tidemark"),
        sqlx: base.join("sqlx"),
        dbmate: base.join("dbmate"),
        liquibase: base.join("liquibase"),
        floor_begin: base.join("floor-begin.sql"),
        floor_start: base.join("floor-start.sql"),
    };
    let dirs: &[&Path] = if peers {
        &[&w.tidemark, &w.sqlx, &w.dbmate, &w.liquibase]
    } else {
        &[&w.tidemark]
    };
    for dir in dirs {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let mut begin = String::new();
    let mut start = String::new();
    let mut changelog = String::from("-- liquibase formatted sql\n");
    for i in 1..=n {
        let sql = migration_sql(i);
        write(
            &w.tidemark.join(format!("V{i}__create_bench_{i:05}.sql")),
            &sql,
        )?;
        if peers {
            write(&w.sqlx.join(format!("{i}_create_bench_{i:05}.sql")), &sql)?;
            write(
                &w.dbmate.join(format!("{i:06}_create_bench.sql")),
                &format!("-- migrate:up\n{sql}\n-- migrate:down\n"),
            )?;
            let _ = write!(changelog, "\n-- changeset bench:{i}\n{sql}");
        }
        let _ = write!(begin, "BEGIN;\n{sql}COMMIT;\n");
        let _ = write!(start, "START TRANSACTION;\n{sql}COMMIT;\n");
    }
    if peers {
        write(&w.liquibase.join("changelog.sql"), &changelog)?;
    }
    write(&w.floor_begin, &begin)?;
    write(&w.floor_start, &start)?;
    Ok(w)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_deterministic_and_distinct() {
        assert_eq!(migration_sql(7), migration_sql(7));
        assert_ne!(migration_sql(7), migration_sql(8));
        let sql = migration_sql(3);
        assert!(sql.contains("CREATE TABLE bench_00003"));
        assert!(sql.contains("CREATE INDEX bench_00003_name ON bench_00003 (name);"));
        assert_eq!(sql.matches("'item ").count(), 10);
    }
}
