//! Staged, zero-downtime deploys (issue 6): phases from directives, `migrate --phase`, the
//! contract-after-expand check across a deployment id, `info`'s stage, directive errors, and
//! PostgreSQL lock timeouts that back off instead of queueing readers.

use std::time::Duration;

use super::servers::{Db, poll_until};
use super::support::Project;

/// The five-stage change as four migrations: add the new, backfill, remove the old.
fn staged() -> Project {
    let p = Project::new();
    p.migration("V1__people.sql", "-- tidemark:phase=expand\nCREATE TABLE people (id INT, name VARCHAR(50));\nINSERT INTO people (id, name) VALUES (1, 'ada');\n")
        .migration("V2__add_email.sql", "-- tidemark:phase=expand\n-- The new column, nullable so old code keeps working.\nALTER TABLE people ADD COLUMN email VARCHAR(100);\n")
        .migration("V3__copy_names.sql", "-- tidemark:phase=backfill\nUPDATE people SET email = name WHERE email IS NULL;\n")
        .migration("V4__drop_name.sql", "-- tidemark:phase=contract\nALTER TABLE people DROP COLUMN name;\n");
    p
}

/// `None` for SQLite (the project's default database), else a server scratch database.
fn targets() -> Vec<Option<Db>> {
    let mut all = vec![None];
    all.extend(Db::postgres().map(Some));
    all.extend(Db::mariadb().map(Some));
    all
}

fn with_url(db: &Option<Db>, args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if let Some(db) = db {
        v.push("--url".into());
        v.push(db.url());
    }
    v
}

fn run(p: &Project, db: &Option<Db>, args: &[&str]) -> super::support::Run {
    let args = with_url(db, args);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    p.run(&refs)
}

fn applied(p: &Project, db: &Option<Db>) -> usize {
    match db {
        Some(db) => db.history().len(),
        None => p.history().len(),
    }
}

fn label(db: &Option<Db>) -> &'static str {
    db.as_ref().map_or("SQLite", Db::label)
}

#[test]
fn migrate_phase_stops_before_the_next_phase() {
    for db in targets() {
        let name = label(&db);
        let p = staged();
        let out = run(&p, &db, &["migrate", "--phase", "expand"]).ok();
        assert!(
            out.stdout
                .contains("Stopping before V3__copy_names.sql (phase backfill)"),
            "{name}: {}",
            out.stdout
        );
        assert_eq!(applied(&p, &db), 2, "{name}");

        let info = run(&p, &db, &["info"]).ok();
        assert!(
            info.stdout.contains("Stage: expand"),
            "{name}: {}",
            info.stdout
        );
        assert!(
            info.stdout.contains("| Phase    |"),
            "{name}: {}",
            info.stdout
        );
        let json = run(&p, &db, &["info", "--format", "json"]).ok().json();
        assert_eq!(json["stage"], "expand", "{name}");
        let phases: Vec<_> = json["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["phase"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            phases,
            ["expand", "expand", "backfill", "contract"],
            "{name}"
        );

        let out = run(&p, &db, &["migrate", "--phase", "backfill"]).ok();
        assert!(
            out.stdout
                .contains("Stopping before V4__drop_name.sql (phase contract)"),
            "{name}: {}",
            out.stdout
        );
        assert_eq!(applied(&p, &db), 3, "{name}");
        assert_eq!(
            run(&p, &db, &["info", "--format", "json"]).ok().json()["stage"],
            "backfill",
            "{name}"
        );

        let out = run(
            &p,
            &db,
            &["migrate", "--phase", "contract", "--format", "json"],
        )
        .ok()
        .json();
        assert_eq!(out["migrationsExecuted"], 1, "{name}");
        assert_eq!(out["migrations"][0]["phase"], "contract", "{name}");
        assert_eq!(applied(&p, &db), 4, "{name}");
        assert!(
            run(&p, &db, &["info"])
                .ok()
                .stdout
                .contains("Stage: contract"),
            "{name}"
        );
        run(&p, &db, &["migrate", "--phase", "sideways"]).code(2);
    }
}

#[test]
fn one_run_applying_contract_after_expand_warns_or_is_refused() {
    for db in targets() {
        let name = label(&db);
        let p = staged();
        let refused = run(&p, &db, &["migrate", "-strictPhases=true"]).code(1);
        assert!(refused.stderr.contains("This run applies contract migration V4__drop_name.sql after expand migration V1__people.sql"), "{name}: {}", refused.stderr);
        assert!(refused.stderr.contains("nothing was applied"), "{name}");
        assert_eq!(
            applied(&p, &db),
            0,
            "{name}: strictPhases applied something"
        );

        let warned = run(&p, &db, &["migrate"]).ok();
        assert!(
            warned
                .stderr
                .contains("WARNING: This run applies contract migration V4__drop_name.sql"),
            "{name}: {}",
            warned.stderr
        );
        assert_eq!(
            applied(&p, &db),
            4,
            "{name}: plain migrate applies everything, as Flyway does"
        );
    }
}

#[test]
fn a_deployment_id_makes_several_invocations_one_run() {
    for db in targets() {
        let name = label(&db);
        let p = staged();
        run(
            &p,
            &db,
            &[
                "migrate",
                "--phase",
                "expand",
                "--deployment-id",
                "release-42",
            ],
        )
        .ok();
        // Same deployment: the expand step happened in this run, so contract is refused...
        let refused = run(
            &p,
            &db,
            &[
                "migrate",
                "--deployment-id",
                "release-42",
                "-strictPhases=true",
            ],
        )
        .code(1);
        assert!(
            refused.stderr.contains("same deployment id"),
            "{name}: {}",
            refused.stderr
        );
        assert_eq!(applied(&p, &db), 2, "{name}");
        // ...while a later deployment, after the code rollout, may contract.
        let next = run(
            &p,
            &db,
            &[
                "migrate",
                "--deployment-id",
                "release-43",
                "-strictPhases=true",
            ],
        )
        .ok();
        assert!(
            !next.stderr.contains("This run applies contract"),
            "{name}: {}",
            next.stderr
        );
        assert_eq!(applied(&p, &db), 4, "{name}");
    }
}

#[test]
fn untagged_migrations_count_as_expand_and_directive_errors_name_file_and_line() {
    let p = Project::new();
    p.migration("V1__plain.sql", "CREATE TABLE t (id INT);\n");
    let json = p.run(&["info", "--format", "json"]).ok().json();
    assert_eq!(json["migrations"][0]["phase"], "expand");

    p.migration(
        "V2__typo.sql",
        "-- a comment\n-- tidemark:phase=shrink\nCREATE TABLE u (id INT);\n",
    );
    let out = p.run(&["migrate"]).code(1);
    assert!(
        out.stderr.contains("migrations/V2__typo.sql:2"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("expand, backfill or contract"),
        "{}",
        out.stderr
    );
    assert!(!p.has_table("flyway_schema_history"), "nothing written");

    p.migration(
        "V2__typo.sql",
        "-- tidemark:lockTimout=5s\nCREATE TABLE u (id INT);\n",
    );
    let out = p.run(&["validate"]).code(1);
    assert!(
        out.stderr
            .contains("V2__typo.sql:1: unknown directive tidemark:lockTimout"),
        "{}",
        out.stderr
    );
}

#[test]
fn postgres_lock_timeout_backs_off_instead_of_queueing_readers() {
    let Some(db) = Db::postgres() else { return };
    let target = Some(db);
    let db = target.as_ref().unwrap();
    let p = Project::new();
    p.migration(
        "V1__t.sql",
        "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);\n",
    );
    run(&p, &target, &["migrate"]).ok();

    // A long transaction reads t and stays open: it holds an ACCESS SHARE lock.
    let mut holder = db.connect();
    holder.begin().unwrap();
    holder.query("SELECT count(*) FROM t", &[]).unwrap();

    // tidemark's ALTER needs ACCESS EXCLUSIVE: it must wait, give up after lockTimeout, and back
    // off rather than sit in the lock queue in front of every later reader.
    p.migration("V2__add_c.sql", "ALTER TABLE t ADD COLUMN c INT;\n");
    let args = with_url(
        &target,
        &[
            "migrate",
            "--lock-timeout",
            "300ms",
            "--lock-retries",
            "100",
        ],
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut tidemark = p.spawn(&refs);

    let waiting = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                   WHERE c.relname = 't' AND NOT l.granted AND l.mode = 'AccessExclusiveLock'";
    poll_until("tidemark's ALTER waiting for the lock", || {
        (db.count(waiting, &[]) > 0).then_some(())
    });
    poll_until("tidemark giving up and reporting a retry", || {
        tidemark.stderr().contains("retry 1 of 100").then_some(())
    });

    // A reader arriving now gets through although the long transaction is still open: tidemark
    // is not parked in the queue ahead of it (at most one short attempt is).
    let mut reader = db.connect();
    reader
        .execute("SET statement_timeout = '20s'", &[])
        .unwrap();
    let rows = reader
        .query("SELECT count(*) FROM t", &[])
        .expect("the reader is not blocked behind tidemark");
    assert_eq!(rows[0][0].as_i64(), Some(1));
    assert!(
        !tidemark.finished(),
        "tidemark must still be retrying while the holder is open"
    );
    assert!(
        db.history().len() == 1,
        "V2 not applied while the holder is open"
    );

    // The long transaction ends; the next retry succeeds.
    holder.commit().unwrap();
    let done = tidemark.wait_for(Duration::from_secs(60)).ok();
    assert!(
        done.stderr
            .contains("waited longer than lockTimeout for a lock"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("rolled back, retry 1 of 100"),
        "{}",
        done.stderr
    );
    assert_eq!(db.history().len(), 2);
    let column = db.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'", &[]);
    assert_eq!(column, 1);
}

#[test]
fn directives_set_transaction_mode_and_conf_files_win() {
    let p = Project::new();
    p.migration("V1__a.sql", "-- tidemark:executeInTransaction=false\nCREATE TABLE a (id INT);\nINSERT INTO nope VALUES (1);\n");
    let out = p.run(&["migrate"]).code(1);
    assert!(out.stdout.contains("[non-transactional]"), "{}", out.stdout);
    assert!(
        p.has_table("a"),
        "not in a transaction: the first statement stayed"
    );
    assert_eq!(p.history(), ["1|1|a|SQL|V1__a.sql|0"]);

    let q = Project::new();
    q.migration("V1__a.sql", "-- tidemark:executeInTransaction=false\nCREATE TABLE a (id INT);\nINSERT INTO nope VALUES (1);\n")
        .file("migrations/V1__a.sql.conf", b"executeInTransaction=true\n");
    let out = q.run(&["migrate"]).code(1);
    assert!(
        !out.stdout.contains("[non-transactional]"),
        "the .conf wins: {}",
        out.stdout
    );
    assert!(!q.has_table("a"), "rolled back");
}

#[test]
fn postgres_lock_directives_override_the_settings_for_one_migration() {
    let Some(db) = Db::postgres() else { return };
    let target = Some(db);
    let db = target.as_ref().unwrap();
    let p = Project::new();
    p.migration("V1__t.sql", "CREATE TABLE t (id INT);\n");
    run(&p, &target, &["migrate"]).ok();
    let mut holder = db.connect();
    holder.begin().unwrap();
    holder.query("SELECT count(*) FROM t", &[]).unwrap();

    p.migration("V2__add_c.sql", "-- tidemark:lockTimeout=100ms\n-- tidemark:lockRetries=1\nALTER TABLE t ADD COLUMN c INT;\n");
    // The settings would wait 5 s and retry 5 times; the directive gives up after 2 attempts.
    let out = run(&p, &target, &["migrate"]).code(1);
    assert!(out.stderr.contains("retry 1 of 1"), "{}", out.stderr);
    assert!(
        out.stderr.contains("in every one of 2 attempts"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("55P03"), "{}", out.stderr);
    assert_eq!(db.history().len(), 1, "rolled back: no row");
    holder.rollback().unwrap();
    run(&p, &target, &["migrate"]).ok();
    assert_eq!(db.history().len(), 2);
}

/// 39 expand migrations, an untagged contract one (V40) and one whose declared phase the
/// linter disputes (V41): enough pending files for phase inference on several threads and the
/// review beside it.
fn many_pending() -> Project {
    let p = Project::new();
    for i in 1..=39 {
        p.migration(
            &format!("V{i}__table_{i}.sql"),
            &format!("CREATE TABLE t{i} (id INTEGER, old TEXT);\n"),
        );
    }
    p.migration("V40__drop.sql", "ALTER TABLE t7 DROP COLUMN old;\n")
        .migration(
            "V41__drop_too.sql",
            "-- tidemark:phase=expand\nALTER TABLE t8 DROP COLUMN old;\n",
        );
    p
}

#[test]
fn many_pending_migrations_get_their_own_phases_and_are_reviewed_before_any_runs() {
    let p = many_pending();
    let staged = p.run(&["migrate", "--phase", "expand"]).ok();
    assert!(
        staged
            .stdout
            .contains("Stopping before V40__drop.sql (phase contract)"),
        "{}",
        staged.stdout
    );
    assert_eq!(p.history().len(), 39);

    let q = many_pending();
    let strict = q.run(&["migrate", "--strict-phases=true"]).code(1);
    assert!(
        strict.stderr.contains(
            "This run applies contract migration V40__drop.sql after expand migration V1__table_1.sql"
        ),
        "{}",
        strict.stderr
    );
    assert!(q.history().is_empty());
    let refused = q.run(&["migrate", "-lintOnMigrate=error"]).code(1);
    assert!(
        refused
            .stderr
            .contains("WARNING: migrations/V41__drop_too.sql:2:"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("nothing was applied"),
        "{}",
        refused.stderr
    );
    assert!(q.history().is_empty());

    let warned = q.run(&["migrate"]).ok();
    assert!(
        warned.stderr.contains("phase-mismatch")
            && warned.stderr.contains("after expand migration"),
        "{}",
        warned.stderr
    );
    assert_eq!(q.history().len(), 41);
    let db = q.db();
    let mut stmt = db
        .prepare("SELECT phase FROM flyway_schema_history_tidemark ORDER BY installed_rank")
        .unwrap();
    let phases: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut expected = vec!["expand"; 39];
    expected.extend(["contract", "expand"]);
    assert_eq!(phases, expected);
}
