//! Undo and dry-run on every driver (issue 4): Flyway Teams' undo semantics, honest history on
//! failure, and a dry run that leaves the database exactly as it was.

use tidemark_engine::{Config, Dialect, Error, UndoRecord, UndoRequest};
use tidemark_ledger::source::MemSource;
use tidemark_ledger::version::Version;

use super::harness::{TestDb, databases, files};

fn five() -> MemSource {
    let mut list = Vec::new();
    for n in 1..=5 {
        list.push((
            format!("V{n}__table_{n}.sql"),
            format!("CREATE TABLE t{n} (id INT);\n"),
        ));
        list.push((
            format!("U{n}__table_{n}.sql"),
            format!("DROP TABLE t{n};\n"),
        ));
    }
    let borrowed: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    files(&borrowed)
}

fn undo(
    db: &mut TestDb,
    src: &MemSource,
    config: &Config,
    request: UndoRequest,
) -> Result<usize, Error> {
    db.with_engine(src, config, |e| {
        e.undo(&request)
            .map(|r| r.applied.len())
            .map_err(|f| f.error)
    })
}

/// Every table's columns and rows, in a stable order: equal dumps mean an unchanged database.
fn dump(db: &mut TestDb) -> Vec<String> {
    let schema = db.schema();
    let dialect = db.driver.dialect();
    let tables_sql = match dialect {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name".to_string()
        }
        _ => format!(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY table_name"
        ),
    };
    let mut out = Vec::new();
    for table in db.texts(&tables_sql) {
        let quoted = tidemark_engine::history_table::quote(dialect, &table);
        out.push(format!("table {table}"));
        let rows = db
            .driver
            .query(&format!("SELECT * FROM {quoted}"), &[])
            .unwrap();
        let mut rows: Vec<String> = rows.iter().map(|r| format!("  {r:?}")).collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

#[test]
fn undo_twice_then_migrate_reapplies() {
    for mut db in databases() {
        let name = db.name;
        let src = five();
        let config = Config::default();
        db.migrate(&src, &config).unwrap();
        assert_eq!(
            undo(&mut db, &src, &config, UndoRequest::default()).unwrap(),
            1,
            "{name}"
        );
        assert_eq!(
            undo(&mut db, &src, &config, UndoRequest::default()).unwrap(),
            1,
            "{name}"
        );
        assert!(
            !db.has_table("t5") && !db.has_table("t4") && db.has_table("t3"),
            "{name}"
        );
        let (states, version) = db.info(&src, &config);
        assert_eq!(
            states,
            [
                "1:Success",
                "2:Success",
                "3:Success",
                "4:Undone",
                "5:Undone",
                "5:Success",
                "4:Success",
                "4:Pending",
                "5:Pending"
            ],
            "{name}"
        );
        assert_eq!(version, "3", "{name}");
        let rows = db.history();
        assert_eq!(
            (
                rows[5].kind.as_str(),
                rows[5].version.as_deref(),
                rows[5].script.as_str()
            ),
            ("UNDO_SQL", Some("5"), "U5__table_5.sql"),
            "{name}"
        );
        db.migrate(&src, &config).unwrap();
        assert!(db.has_table("t5"), "{name}");
        assert_eq!(db.info(&src, &config).1, "5", "{name}");
        db.with_engine(&src, &config, |e| e.validate()).unwrap();
    }
}

#[test]
fn undo_target_walks_back_to_and_including_the_target() {
    for mut db in databases() {
        let name = db.name;
        let src = five();
        let config = Config::default();
        db.migrate(&src, &config).unwrap();
        let target = UndoRequest {
            count: None,
            target: Some(Version::parse("3").unwrap()),
        };
        assert_eq!(undo(&mut db, &src, &config, target).unwrap(), 3, "{name}");
        assert!(db.has_table("t2") && !db.has_table("t3"), "{name}");
        assert_eq!(db.info(&src, &config).1, "2", "{name}");
    }
}

#[test]
fn undo_without_an_undo_file_refuses_and_changes_nothing() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&[
            ("V1__a.sql", "CREATE TABLE a (id INT);"),
            ("V2__b.sql", "CREATE TABLE b (id INT);"),
            ("U1__a.sql", "DROP TABLE a;"),
        ]);
        let config = Config::default();
        db.migrate(&src, &config).unwrap();
        let before = dump(&mut db);
        let err = undo(
            &mut db,
            &src,
            &config,
            UndoRequest {
                count: Some(2),
                target: None,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("Unable to undo migration to version 2 as no corresponding undo migration has been found."), "{name}: {err}");
        assert_eq!(dump(&mut db), before, "{name}: nothing may change");
    }
}

#[test]
fn failing_undo_is_rolled_back_or_recorded_honestly() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&[
            ("V1__a.sql", "CREATE TABLE a (id INT);"),
            ("U1__a.sql", "DROP TABLE a;\nDROP TABLE not_there;\n"),
        ]);
        let config = Config::default();
        db.migrate(&src, &config).unwrap();
        let err = undo(&mut db, &src, &config, UndoRequest::default()).unwrap_err();
        let Error::Script(f) = &err else {
            panic!("{name}: {err}")
        };
        assert_eq!(f.line, 2, "{name}");
        let rows = db.history();
        if db.driver.supports_ddl_transactions() {
            // PostgreSQL, SQLite: the DROP of line 1 is rolled back, no row is written.
            assert!(f.rolled_back, "{name}");
            assert!(db.has_table("a"), "{name}");
            assert_eq!(rows.len(), 1, "{name}");
        } else {
            // MariaDB: the DROP committed; the history says so with a failed UNDO_SQL row.
            assert!(!f.rolled_back, "{name}");
            assert!(!db.has_table("a"), "{name}");
            assert_eq!(rows.len(), 2, "{name}");
            assert_eq!(
                (rows[1].kind.as_str(), rows[1].success),
                ("UNDO_SQL", false),
                "{name}"
            );
            let refused = db.migrate(&src, &config).unwrap_err();
            assert!(
                refused
                    .error
                    .to_string()
                    .contains("Detected failed migration to version 1"),
                "{name}: {}",
                refused.error
            );
            db.with_engine(&src, &config, |e| e.repair()).unwrap();
            assert_eq!(
                db.history().len(),
                1,
                "{name}: repair removed the failed row"
            );
        }
    }
}

#[test]
fn undo_record_delete_is_read_as_a_removed_migration() {
    for mut db in databases() {
        let name = db.name;
        let src = five();
        let config = Config {
            undo_record: UndoRecord::Delete,
            ..Config::default()
        };
        db.migrate(&src, &config).unwrap();
        undo(&mut db, &src, &config, UndoRequest::default()).unwrap();
        let last = db.history().pop().unwrap();
        assert_eq!(
            (
                last.kind.as_str(),
                last.version.as_deref(),
                last.script.as_str()
            ),
            ("DELETE", Some("5"), "V5__table_5.sql"),
            "{name}"
        );
        let states = db.states(&src, &config);
        assert_eq!(
            states.last().map(String::as_str),
            Some("5:Pending"),
            "{name}: {states:?}"
        );
        db.migrate(&src, &config).unwrap();
        assert!(db.has_table("t5"), "{name}");
    }
}

#[test]
fn dry_run_changes_nothing_and_records_every_write() {
    for mut db in databases() {
        let name = db.name;
        let src = five();
        let config = Config {
            plan: tidemark_ledger::plan::PlanConfig {
                target: tidemark_ledger::version::Target::parse("2").unwrap(),
                out_of_order: false,
            },
            ..Config::default()
        };
        db.migrate(&src, &config).unwrap();
        let before = dump(&mut db);

        let dry = Config {
            dry_run: true,
            ..Config::default()
        };
        let sql = db.with_engine(&src, &dry, |e| {
            e.migrate().map_err(|f| f.error)?;
            Ok(e.dry_run_sql().to_string())
        });
        let sql = sql.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            dump(&mut db),
            before,
            "{name}: a dry-run migrate changed the database"
        );
        for t in ["t3", "t4", "t5"] {
            assert!(
                sql.contains(&format!("CREATE TABLE {t} (id INT);")),
                "{name}: {sql}"
            );
        }
        assert!(
            sql.contains("'V5__table_5.sql'"),
            "{name}: history inserts are part of the script"
        );

        let undo_sql = db.with_engine(&src, &dry, |e| {
            e.undo(&UndoRequest::default()).map_err(|f| f.error)?;
            Ok(e.dry_run_sql().to_string())
        });
        let undo_sql = undo_sql.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            dump(&mut db),
            before,
            "{name}: a dry-run undo changed the database"
        );
        assert!(
            undo_sql.contains("DROP TABLE t2;") && undo_sql.contains("'UNDO_SQL'"),
            "{name}: {undo_sql}"
        );
    }
}
