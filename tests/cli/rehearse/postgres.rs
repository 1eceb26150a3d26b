//! Rehearsals on PostgreSQL: a rewrite under `AccessExclusiveLock`, a concurrent index build
//! that blocks no writer, the target left exactly as it was, a custom-format `pg_dump` as the
//! source, and the HTML report in a browser.

use std::process::Command;

use tidemark_engine::driver::Value;

use super::super::servers::Db;
use super::super::support::Project;
use super::{chromium_dom, schema_dump, statement_of, statements};

/// A table of `rows` rows applied to the target (V1), then two pending migrations: a volatile
/// default (a rewrite) and a concurrent index build.
fn project(db: &Db, rows: u32) -> Project {
    let p = Project::new();
    p.migration(
        "V1__create_t.sql",
        &format!(
            "CREATE TABLE t (id bigint PRIMARY KEY, v integer NOT NULL);\nINSERT INTO t SELECT g, g % 1000 FROM generate_series(1, {rows}) g;\n"
        ),
    );
    p.run(&["migrate", "--url", &db.url()]).ok();
    p.migration(
        "V2__add_created.sql",
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp();\n",
    )
    .migration(
        "V3__index_v.sql",
        "CREATE INDEX CONCURRENTLY t_v ON t (v);\n",
    );
    p
}

/// What must not change on the target: its schema, its rows, its history.
fn target_state(db: &Db, p: &Project) -> (String, i64, Vec<String>) {
    (
        schema_dump(p, &["--url", &db.url()]),
        db.count("SELECT count(*) FROM t", &[]),
        db.history(),
    )
}

fn database_exists(db: &Db, name: &str) -> bool {
    db.count(
        "SELECT count(*) FROM pg_database WHERE datname = $1",
        &[Value::Text(name.to_string())],
    ) > 0
}

#[test]
fn rehearsal_reports_the_rewrite_and_its_lock_and_leaves_the_target_alone() {
    let Some(db) = Db::postgres() else {
        return;
    };
    let p = project(&db, 200_000);
    let before = target_state(&db, &p);
    assert!(before.0.contains("table t\n"), "{}", before.0);

    let html = p.path().join("rehearsal.html");
    let run = p
        .run(&[
            "rehearse",
            "--url",
            &db.url(),
            "--clone",
            "--sample-rows",
            "200000",
            "--format",
            "json",
            "--html",
            html.to_str().unwrap(),
        ])
        .ok();
    let report = run.json();
    assert_eq!(report["outcome"], "success", "{report:#}");
    assert_eq!(report["dialect"], "postgresql");

    // The volatile default rewrote the table under AccessExclusiveLock, held (to the commit)
    // at least as long as the statement ran.
    let add = statement_of(&report, "V2__add_created.sql");
    assert_eq!(add["rewritten"], serde_json::json!(["t"]), "{add:#}");
    assert_eq!(add["blocks"], "reads_and_writes", "{add:#}");
    assert!(
        add["strongestLock"]
            .as_str()
            .unwrap()
            .starts_with("AccessExclusiveLock on t"),
        "{add:#}"
    );
    let lock = add["locks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "t")
        .expect("a lock on t");
    assert_eq!(lock["mode"], "AccessExclusiveLock");
    assert!(
        lock["heldMs"].as_f64().unwrap() >= add["durationMs"].as_f64().unwrap(),
        "held to commit, so at least the statement's duration: {add:#}"
    );
    assert_eq!(add["rows"], 0);
    // The linter's finding sits beside what happened.
    let rules: Vec<&str> = add["lint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"add-column-volatile-default"), "{add:#}");

    // The concurrent build took no lock that blocks writers (nor readers).
    let index = statement_of(&report, "V3__index_v.sql");
    assert_eq!(index["blocks"], "nothing", "{index:#}");
    assert!(index["rewritten"].as_array().unwrap().is_empty());
    for lock in index["locks"].as_array().unwrap() {
        assert_eq!(lock["blocks"], "nothing", "{index:#}");
    }

    // The target is exactly as it was, and the copy is gone.
    assert_eq!(target_state(&db, &p), before);
    let copy = report["copy"]["name"].as_str().unwrap();
    assert!(copy.starts_with("tidemark_rehearse_"), "{copy}");
    assert!(
        !database_exists(&db, copy),
        "the scratch database {copy} was dropped"
    );

    // The HTML report, loaded in a browser: one timeline bar per statement.
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("AccessExclusiveLock"), "{text}");
    assert!(!text.contains("<script"), "self-contained, no script");
    assert!(
        !text.contains("http://") && !text.contains("https://"),
        "no external asset"
    );
    if let Some(dom) = chromium_dom(&html) {
        let bars = dom.matches("class=\"bar ").count();
        assert_eq!(bars, statements(&report).len(), "{dom}");
        assert_eq!(bars, 2);
        assert!(
            dom.contains("data-lock=\"AccessExclusiveLock on t\""),
            "{dom}"
        );
    }
}

#[test]
fn rehearsal_text_report_and_staged_phase() {
    let Some(db) = Db::postgres() else {
        return;
    };
    let p = project(&db, 1000);
    p.migration(
        "V4__drop_v.sql",
        "-- tidemark:phase=contract\nALTER TABLE t DROP COLUMN v;\n",
    );
    let run = p
        .run(&["rehearse", "--url", &db.url(), "--phase", "expand"])
        .ok();
    let out = &run.stdout;
    assert!(
        out.contains("Rehearsal of 2 migrations (2 statements)"),
        "{out}"
    );
    assert!(out.contains("| V2__add_created.sql"), "{out}");
    assert!(out.contains("AccessExclusiveLock on t"), "{out}");
    assert!(out.contains("reads and writes"), "{out}");
    assert!(
        !out.contains("V4__drop_v.sql |"),
        "stopped before contract: {out}"
    );
    assert!(out.contains("Stopped before V4__drop_v.sql"), "{out}");
    // Progress went to stderr, one line per statement.
    assert!(
        run.stderr
            .contains("V2__add_created.sql:1 ALTER TABLE t ADD COLUMN"),
        "{}",
        run.stderr
    );
    // Nothing was applied to the target.
    assert_eq!(db.history().len(), 1, "{:?}", db.history());
}

#[test]
fn rehearsal_from_a_custom_format_pg_dump() {
    let Some(db) = Db::postgres() else {
        return;
    };
    let p = project(&db, 5000);
    let dump = p.path().join("target.dump");
    let (user, password) = db.credentials();
    let address = db.address();
    let (host, port) = address.rsplit_once(':').unwrap();
    let mut pg_dump = Command::new("pg_dump");
    pg_dump
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .args(["--host", host.trim_matches(['[', ']']), "--port", port])
        .args(["--username", &user, db.name()]);
    if let Some(password) = password {
        pg_dump.env("PGPASSWORD", password);
    }
    let status = pg_dump.status().expect("pg_dump (PostgreSQL client tools)");
    assert!(status.success());
    // Change the target after the dump: the rehearsal uses the dump, not the target.
    let mut session = db.connect();
    session.execute("DELETE FROM t WHERE id > 10", &[]).unwrap();
    let before = (db.count("SELECT count(*) FROM t", &[]), db.history());

    let run = p
        .run(&[
            "rehearse",
            "--url",
            &db.url(),
            "--from-dump",
            dump.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok();
    let report = run.json();
    assert!(
        report["copy"]["source"]
            .as_str()
            .unwrap()
            .contains("target.dump"),
        "{report:#}"
    );
    let add = statement_of(&report, "V2__add_created.sql");
    assert_eq!(add["rewritten"], serde_json::json!(["t"]), "{add:#}");
    let index = statement_of(&report, "V3__index_v.sql");
    assert_eq!(index["blocks"], "nothing", "{index:#}");
    assert_eq!(
        (db.count("SELECT count(*) FROM t", &[]), db.history()),
        before
    );
    assert!(!database_exists(
        &db,
        report["copy"]["name"].as_str().unwrap()
    ));
}

#[test]
fn a_failing_migration_fails_the_rehearsal_with_its_report_and_keep_keeps_the_copy() {
    let Some(db) = Db::postgres() else {
        return;
    };
    let p = Project::new();
    p.migration("V1__create_t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
    p.run(&["migrate", "--url", &db.url()]).ok();
    p.migration(
        "V2__broken.sql",
        "ALTER TABLE t ADD COLUMN note text;\nALTER TABLE missing ADD COLUMN x int;\n",
    );
    let run = p
        .run(&["rehearse", "--url", &db.url(), "--keep", "--format", "json"])
        .code(1);
    let doc = run.json();
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the target was not touched"),
        "{doc:#}"
    );
    let report = &doc["rehearsal"];
    assert_eq!(report["outcome"], "failed");
    assert_eq!(report["migrations"][0]["failed"], true, "{report:#}");
    let failed = &report["migrations"][0]["statements"][1];
    assert_eq!(failed["line"], 2);
    assert!(
        failed["error"].as_str().unwrap().contains("missing"),
        "{failed:#}"
    );
    // Kept: it exists, with the first statement rolled back (one transaction).
    let copy = report["copy"]["name"].as_str().unwrap().to_string();
    assert_eq!(report["copy"]["kept"], true);
    assert!(database_exists(&db, &copy));
    let mut admin = db.connect();
    admin
        .execute(&format!("DROP DATABASE \"{copy}\" WITH (FORCE)"), &[])
        .unwrap();
    assert_eq!(db.history().len(), 1);
}
