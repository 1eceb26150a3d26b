//! The backfill engine (issue 8): batches in short transactions until nothing changes, the
//! history row only at completion, and a rerun that continues an interrupted backfill.

use super::servers::{Db, poll_until};
use super::support::Project;

/// A table of `rows` rows whose column `b` is to be filled from `a`, and the backfill.
fn project(dialect: &str, rows: u32, batch: u32, pause: &str) -> Project {
    let p = Project::new();
    let (create, fill, update) = match dialect {
        "sqlite" => (
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(20), b VARCHAR(20));",
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO t (id, a) SELECT i, 'v' || i FROM n;"
            ),
            "UPDATE t SET b = a WHERE rowid IN (SELECT rowid FROM t WHERE b IS NULL LIMIT ${tidemark:batchSize});",
        ),
        "postgres" => (
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b VARCHAR(20));",
            format!(
                "INSERT INTO t (id, a) SELECT i, 'v' || i FROM generate_series(1, {rows}) AS i;"
            ),
            "UPDATE t SET b = a WHERE id IN (SELECT id FROM t WHERE b IS NULL LIMIT ${tidemark:batchSize});",
        ),
        _ => (
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b VARCHAR(20));",
            {
                // Portable row generator: four digit tables cross-joined (0..9999).
                let d = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
                format!(
                    "INSERT INTO t (id, a) SELECT n, CONCAT('v', n) FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 1 AS n FROM {d} a, {d} b, {d} c, {d} e) x WHERE n <= {rows};"
                )
            },
            "UPDATE t SET b = a WHERE b IS NULL LIMIT ${tidemark:batchSize};",
        ),
    };
    p.migration("V1__table.sql", &format!("{create}\n{fill}\n"));
    let pause = if pause.is_empty() {
        String::new()
    } else {
        format!("-- tidemark:batchPause={pause}\n")
    };
    p.migration(
        "V2__copy_a_to_b.sql",
        &format!("-- tidemark:phase=backfill\n-- tidemark:batchSize={batch}\n{pause}{update}\n"),
    );
    p
}

fn url_args(db: &Option<Db>, args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if let Some(db) = db {
        v.extend(["--url".to_string(), db.url()]);
    }
    v
}

#[test]
fn backfill_runs_in_batches_until_nothing_changes_on_every_database() {
    let mut targets: Vec<(&str, Option<Db>)> = vec![("sqlite", None)];
    targets.extend(Db::postgres().map(|d| ("postgres", Some(d))));
    targets.extend(Db::mariadb().map(|d| ("mysql", Some(d))));
    for (dialect, db) in targets {
        let p = project(dialect, 2500, 1000, "");
        let args = url_args(&db, &["migrate"]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = p.run(&refs).ok();
        assert!(
            out.stdout.contains("[backfill, batches of 1000]"),
            "{dialect}: {}",
            out.stdout
        );
        assert!(
            out.stdout
                .contains("Backfill V2__copy_a_to_b.sql complete: 2500 rows in 4 batches"),
            "{dialect}: {}",
            out.stdout
        );
        let (done, rows) = match &db {
            Some(db) => (
                db.count("SELECT count(*) FROM t WHERE b = a", &[]),
                db.history().len(),
            ),
            None => (
                p.db()
                    .query_row("SELECT count(*) FROM t WHERE b = a", [], |r| {
                        r.get::<_, i64>(0)
                    })
                    .unwrap(),
                p.history().len(),
            ),
        };
        assert_eq!(done, 2500, "{dialect}");
        assert_eq!(rows, 2, "{dialect}");
    }
}

#[test]
fn interrupted_backfill_has_no_history_row_and_a_rerun_completes_it() {
    let Some(db) = Db::postgres() else { return };
    let p = project("postgres", 20_000, 200, "50ms");
    let url = db.url();
    p.run(&["migrate", "--url", &url, "--target", "1"]).ok();
    let mut tidemark = p.spawn(&["migrate", "--url", &url]);
    poll_until("some batches committed", || {
        (db.count("SELECT count(*) FROM t WHERE b IS NOT NULL", &[]) >= 1000).then_some(())
    });
    tidemark.kill();
    let partial = db.count("SELECT count(*) FROM t WHERE b IS NOT NULL", &[]);
    assert!(
        partial > 0 && partial < 20_000,
        "killed mid-backfill: {partial} rows done"
    );
    assert_eq!(
        db.history(),
        ["1|1|V1__table.sql|1"],
        "no history row before completion"
    );

    let out = p.run(&["migrate", "--url", &url]).ok();
    assert!(
        out.stdout.contains("Backfill V2__copy_a_to_b.sql complete"),
        "{}",
        out.stdout
    );
    assert_eq!(db.count("SELECT count(*) FROM t WHERE b = a", &[]), 20_000);
    assert_eq!(
        db.count("SELECT count(*) FROM t WHERE b IS DISTINCT FROM a", &[]),
        0
    );
    assert_eq!(db.history().len(), 2);
}

#[test]
fn backfill_rules_and_dry_run() {
    let p = project("sqlite", 10, 4, "");
    let dry = p.run(&["migrate", "--dry-run"]).ok();
    assert!(
        dry.stdout.contains("LIMIT 4)"),
        "the batch size is in the printed SQL: {}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("Repeat the next statement until it changes no rows"),
        "{}",
        dry.stdout
    );

    // One DML statement only.
    p.migration("V2__copy_a_to_b.sql", "-- tidemark:batchSize=4\nUPDATE t SET b = a WHERE rowid IN (SELECT rowid FROM t WHERE b IS NULL LIMIT ${tidemark:batchSize});\nSELECT 1;\n");
    let out = p.run(&["migrate"]).code(1);
    assert!(
        out.stderr.contains("V2__copy_a_to_b.sql:3"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("exactly one DML statement"),
        "{}",
        out.stderr
    );
    assert_eq!(p.history().len(), 1, "V1 applied, the backfill not");

    // The placeholder outside a backfill is refused, as plain Flyway refuses it.
    let q = Project::new();
    q.migration(
        "V1__x.sql",
        "CREATE TABLE x (id INT);\nUPDATE x SET id = 1 LIMIT ${tidemark:batchSize};\n",
    );
    let out = q.run(&["migrate"]).code(1);
    assert!(
        out.stderr.contains("${tidemark:batchSize}"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("V1__x.sql:2"), "{}", out.stderr);

    // A failing batch: earlier batches stay, no row, and the hint says how to continue.
    let r = project("sqlite", 10, 4, "");
    r.migration("V2__copy_a_to_b.sql", "-- tidemark:batchSize=4\nUPDATE t SET b = (SELECT no_such_column FROM t) WHERE rowid IN (SELECT rowid FROM t WHERE b IS NULL LIMIT ${tidemark:batchSize});\n");
    let out = r.run(&["migrate"]).code(1);
    assert!(
        out.stderr.contains("run migrate again to continue"),
        "{}",
        out.stderr
    );
}
