//! Rehearsals where the catalogs allow less: MariaDB (schema plus sample rows; metadata locks
//! when the server lets the monitor see them; a rebuild seen as a new InnoDB table id), and
//! SQLite (a copy of the file; a table rebuilt and renamed into place counts as rewritten).

use tidemark_engine::driver::Value;

use super::super::servers::Db;
use super::super::support::Project;
use super::{schema_dump, statement_of};

#[test]
fn mariadb_rehearsal_on_a_sampled_clone() {
    let Some(db) = Db::mariadb() else {
        return;
    };
    let p = Project::new();
    p.migration(
        "V1__create_t.sql",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, v INT NOT NULL);\nINSERT INTO t SELECT seq, seq % 100 FROM seq_1_to_5000;\n",
    );
    p.run(&["migrate", "--url", &db.url()]).ok();
    p.migration(
        "V2__rebuild.sql",
        "ALTER TABLE t ADD COLUMN c VARCHAR(20) DEFAULT 'x', ALGORITHM=COPY;\n",
    );
    let before = (
        schema_dump(&p, &["--url", &db.url()]),
        db.count("SELECT count(*) FROM t", &[]),
        db.history(),
    );
    let run = p
        .run(&[
            "rehearse",
            "--url",
            &db.url(),
            "--sample-rows",
            "100",
            "--format",
            "json",
        ])
        .ok();
    let report = run.json();
    assert_eq!(report["dialect"], "mysql");
    let rebuild = statement_of(&report, "V2__rebuild.sql");
    assert_eq!(rebuild["rewritten"], serde_json::json!(["t"]), "{report:#}");
    // The copy holds the sample, not the whole table.
    assert_eq!(rebuild["rows"], 100, "{rebuild:#}");
    let monitor = report["lockMonitor"].as_str().unwrap();
    if !monitor.starts_with("not available") {
        assert!(
            rebuild["locks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["mode"].as_str().unwrap().starts_with("MDL_")),
            "{rebuild:#}"
        );
    }
    let after = (
        schema_dump(&p, &["--url", &db.url()]),
        db.count("SELECT count(*) FROM t", &[]),
        db.history(),
    );
    assert_eq!(after, before);
    let copy = report["copy"]["name"].as_str().unwrap();
    assert_eq!(
        db.count(
            "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            &[Value::Text(copy.to_string())]
        ),
        0,
        "{copy} dropped"
    );
}

#[test]
fn sqlite_rehearsal_on_a_file_copy() {
    let p = Project::new();
    p.migration(
        "V1__create_t.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v INT);\nINSERT INTO t (v) VALUES (1), (2), (3);\n",
    );
    p.run(&["migrate"]).ok();
    p.migration(
        "V2__rebuild.sql",
        "CREATE TABLE t_new (id INTEGER PRIMARY KEY, v INT NOT NULL DEFAULT 0);\nINSERT INTO t_new SELECT id, v FROM t;\nDROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n",
    );
    let before = std::fs::read(p.path().join("tidemark.db")).unwrap();
    let html = p.path().join("r.html");
    let run = p
        .run(&[
            "rehearse",
            "--format",
            "json",
            "--html",
            html.to_str().unwrap(),
        ])
        .ok();
    let report = run.json();
    assert_eq!(report["dialect"], "sqlite");
    assert!(
        report["lockMonitor"]
            .as_str()
            .unwrap()
            .starts_with("not available"),
        "{report:#}"
    );
    let migration = &report["migrations"][0];
    assert_eq!(
        migration["rewritten"],
        serde_json::json!(["t"]),
        "{report:#}"
    );
    assert_eq!(migration["statements"][1]["rows"], 3);
    assert!(
        migration["statements"][2].get("rows").is_none(),
        "no row count for DDL on SQLite: {report:#}"
    );
    assert_eq!(
        std::fs::read(p.path().join("tidemark.db")).unwrap(),
        before,
        "the target file is untouched, byte for byte"
    );
    let copy = report["copy"]["name"].as_str().unwrap();
    assert!(!std::path::Path::new(copy).exists(), "{copy} removed");
    assert!(html.exists());
}
