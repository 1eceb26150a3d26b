//! Liquibase mode end to end on SQLite: every command, the tables and rows as Liquibase 4.28
//! writes them, and the texts a Liquibase user sees.

use std::time::Duration;

use tidemark_engine::driver::Driver;
use tidemark_ledger::changelog::{Properties, checksum_v8, checksum_v9, parse_sql};

use super::super::servers::poll_until;
use super::super::support::Project;
use super::{deployments, lb, locked, project, rows, sqlite};

const THREE: &str = "-- liquibase formatted sql

-- changeset alice:1
CREATE TABLE t1 (id INT);
-- rollback DROP TABLE t1;

-- changeset alice:2 context:dev labels:expand
-- comment adds t2
CREATE TABLE t2 (id INT);
-- rollback DROP TABLE t2;

-- changeset bob:3
CREATE TABLE t3 (id INT);
INSERT INTO t3 VALUES (1);
-- rollback DROP TABLE t3;
";

/// The `9:` checksums of the changesets of `text` (as `changelog.sql`).
fn sums(text: &str) -> Vec<String> {
    parse_sql(text, "changelog.sql", &Properties::default())
        .unwrap()
        .iter()
        .map(checksum_v9)
        .collect()
}

fn has_table(p: &Project, table: &str) -> bool {
    sqlite(p).table_exists("main", table).unwrap()
}

#[test]
fn tables_and_rows_are_liquibases() {
    let p = project(THREE);
    let run = lb(&p, &["update"]).ok();
    assert!(
        run.stdout.contains(
            "UPDATE SUMMARY\nRun:                          3\nPreviously run:               0\nFiltered out:                 0\n-------------------------------\nTotal change sets:            3\n"
        ),
        "{}",
        run.stdout
    );
    for id in [
        "changelog.sql::1::alice",
        "changelog.sql::2::alice",
        "changelog.sql::3::bob",
    ] {
        assert!(
            run.stderr.contains(&format!("Running Changeset: {id}")),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("Liquibase: Update has been successful.")
    );

    // The DDL, character for character, as `sqlite3 .schema` shows Liquibase's (reference §B3).
    let db = p.db();
    let ddl = |name: &str| -> String {
        db.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(
        ddl("DATABASECHANGELOG"),
        "CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TEXT NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))"
    );
    assert_eq!(
        ddl("DATABASECHANGELOGLOCK"),
        "CREATE TABLE DATABASECHANGELOGLOCK (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TEXT, LOCKEDBY VARCHAR(255), CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID))"
    );

    let s = sums(THREE);
    let mut d = sqlite(&p);
    assert_eq!(
        rows(&mut d),
        [
            format!(
                "1|alice|changelog.sql|1|EXECUTED|{}|sql||NULL|NULL|NULL",
                s[0]
            ),
            format!(
                "2|alice|changelog.sql|2|EXECUTED|{}|sql|adds t2|dev|expand|NULL",
                s[1]
            ),
            format!(
                "3|bob|changelog.sql|3|EXECUTED|{}|sql||NULL|NULL|NULL",
                s[2]
            ),
        ]
    );
    // One DEPLOYMENT_ID per command: the last 10 digits of the epoch-millisecond clock.
    let deps = deployments(&mut d);
    assert!(deps.iter().all(|(id, v)| id == &deps[0].0 && v == "4.28.0"));
    assert!(deps[0].0.len() == 10 && deps[0].0.chars().all(|c| c.is_ascii_digit()));
    // DATEEXECUTED as CURRENT_TIMESTAMP writes it; the lock is free again.
    let date: String = db
        .query_row(
            "SELECT DATEEXECUTED FROM DATABASECHANGELOG LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(date.len(), 19, "{date}");
    assert!(!locked(&mut d));
    let lock: (i64, Option<String>) = db
        .query_row("SELECT ID, LOCKEDBY FROM DATABASECHANGELOGLOCK", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(lock, (1, None));
    assert!(has_table(&p, "t3"));
}

#[test]
fn status_texts_and_second_update() {
    let p = project(THREE);
    let status = lb(&p, &["status", "--verbose"]).ok();
    assert_eq!(
        status.stdout,
        "3 changesets have not been applied to null@sqlite:tidemark.db\n     changelog.sql::1::alice\n     changelog.sql::2::alice\n     changelog.sql::3::bob\n"
    );
    // status is read-only: no table, not even the database file.
    assert!(!p.db_exists());
    let quiet = lb(&p, &["status", "--verbose=false"]).ok();
    assert_eq!(
        quiet.stdout,
        "3 changesets have not been applied to null@sqlite:tidemark.db\n"
    );
    lb(&p, &["update"]).ok();
    let status = lb(&p, &["status"]).ok();
    assert_eq!(status.stdout, "null@sqlite:tidemark.db is up to date\n");
    let again = lb(&p, &["update"]).ok();
    assert!(
        again
            .stderr
            .contains("Database is up to date, no changesets to execute"),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stdout
            .contains("Run:                          0\nPreviously run:               3")
    );
    let validate = lb(&p, &["validate"]).ok();
    assert!(validate.stdout.contains("No validation errors found."));
}

#[test]
fn contexts_and_labels_filter_the_run() {
    let text = "-- liquibase formatted sql
-- changeset a:dev context:dev
CREATE TABLE d (id INT);
-- changeset a:prod context:prod
CREATE TABLE p (id INT);
-- changeset a:both context:\"dev or prod\"
CREATE TABLE b (id INT);
-- changeset a:exp labels:expand
CREATE TABLE e (id INT);
-- changeset a:con labels:contract
CREATE TABLE c (id INT);
";
    let p = project(text);
    let run = lb(
        &p,
        &["update", "--contexts", "dev", "--label-filter=expand"],
    )
    .ok();
    assert!(
        run.stdout
            .contains("FILTERED CHANGE SETS SUMMARY\nContext mismatch:             1\nLabel mismatch:               1\n"),
        "{}",
        run.stdout
    );
    let mut d = sqlite(&p);
    let ran: Vec<String> = rows(&mut d)
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split('|').collect();
            format!("{}:{}:{}", f[0], f[8], f[9])
        })
        .collect();
    assert_eq!(
        ran,
        ["dev:dev:NULL", "both:(dev or prod):NULL", "exp:NULL:expand"]
    );
    // The same filter sees nothing pending; without it, the rest is pending.
    let status = lb(
        &p,
        &["status", "--context-filter", "dev", "--labels", "expand"],
    )
    .ok();
    assert!(
        status.stdout.ends_with("is up to date\n"),
        "{}",
        status.stdout
    );
    let status = lb(&p, &["status"]).ok();
    assert!(
        status
            .stdout
            .starts_with("2 changesets have not been applied"),
        "{}",
        status.stdout
    );
}

#[test]
fn preconditions_mark_ran_continue_and_halt() {
    let text = "-- liquibase formatted sql
-- changeset a:1
-- preconditions onFail:MARK_RAN
-- precondition-sql-check expectedResult:1 SELECT count(*) FROM sqlite_master WHERE name = 'nothere'
CREATE TABLE never (id INT);
-- changeset a:2
-- preconditions onFail:CONTINUE
-- precondition-table-exists table:later
CREATE TABLE after_later (id INT);
-- changeset a:3
CREATE TABLE later (id INT);
";
    let p = project(text);
    let run = lb(&p, &["update"]).ok();
    assert!(
        run.stderr.contains("Expected '1' got '0'"),
        "{}",
        run.stderr
    );
    let mut d = sqlite(&p);
    let kinds: Vec<String> = rows(&mut d)
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split('|').collect();
            format!("{}:{}", f[0], f[4])
        })
        .collect();
    assert_eq!(kinds, ["1:MARK_RAN", "3:EXECUTED"]);
    assert!(!has_table(&p, "never"));
    assert!(!has_table(&p, "after_later"));
    // CONTINUE is retried: now `later` exists, so changeset 2 runs.
    lb(&p, &["update"]).ok();
    assert!(has_table(&p, "after_later"));
    assert_eq!(rows(&mut d).len(), 3);

    // HALT (the default) stops with the changeset named.
    let p = project(
        "-- liquibase formatted sql\n-- changeset a:1\n-- preconditions\n-- precondition-table-exists table:missing\nSELECT 1;\n",
    );
    let run = lb(&p, &["update"]).code(1);
    assert!(
        run.stderr.contains(
            "Migration failed for changeset changelog.sql::1::a:\n     Reason: \n          changelog.sql : Table missing does not exist"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Location: changelog.sql:2"),
        "{}",
        run.stderr
    );
}

#[test]
fn run_on_change_reruns_and_run_always_always_runs() {
    let text = "-- liquibase formatted sql
-- changeset a:view runOnChange:true
DROP VIEW IF EXISTS v;
CREATE VIEW v AS SELECT 1 AS x;
-- changeset a:always runAlways:true
CREATE TABLE IF NOT EXISTS counter (n INT);
INSERT INTO counter VALUES (1);
";
    let p = project(text);
    lb(&p, &["update"]).ok();
    let status = lb(&p, &["status"]).ok();
    assert!(
        status
            .stdout
            .starts_with("1 changesets have not been applied")
            && status.stdout.contains("changelog.sql::always::a"),
        "{}",
        status.stdout
    );
    let changed = text.replace("SELECT 1 AS x", "SELECT 2 AS x");
    p.file("changelog.sql", changed.as_bytes());
    lb(&p, &["update"]).ok();
    let mut d = sqlite(&p);
    let s = sums(&changed);
    assert_eq!(
        rows(&mut d),
        [
            format!("view|a|changelog.sql|3|RERAN|{}|sql||NULL|NULL|NULL", s[0]),
            format!(
                "always|a|changelog.sql|4|RERAN|{}|sql||NULL|NULL|NULL",
                s[1]
            ),
        ]
    );
    let n: i64 = p
        .db()
        .query_row("SELECT count(*) FROM counter", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    let x: i64 = p
        .db()
        .query_row("SELECT x FROM v", [], |r| r.get(0))
        .unwrap();
    assert_eq!(x, 2);
}

#[test]
fn rollback_by_tag_count_and_date() {
    let p = project(THREE);
    lb(&p, &["update-count", "--count", "1"]).ok();
    let tag = lb(&p, &["tag", "--tag=v1"]).ok();
    assert!(
        tag.stderr
            .contains("Successfully tagged 'null@sqlite:tidemark.db'"),
        "{}",
        tag.stderr
    );
    lb(&p, &["update"]).ok();
    let mut d = sqlite(&p);
    assert_eq!(rows(&mut d).len(), 3);
    assert!(rows(&mut d)[0].ends_with("|v1"), "{:?}", rows(&mut d));

    let unknown = lb(&p, &["rollback", "--tag", "nope"]).code(1);
    assert!(
        unknown
            .stderr
            .contains("Could not find tag 'nope' in the database"),
        "{}",
        unknown.stderr
    );
    let back = lb(&p, &["rollback", "v1"]).ok();
    assert!(
        back.stderr.contains(
            "Rolling Back Changeset: changelog.sql::3::bob\nRolling Back Changeset: changelog.sql::2::alice"
        ),
        "{}",
        back.stderr
    );
    assert_eq!(rows(&mut d).len(), 1);
    assert!(has_table(&p, "t1") && !has_table(&p, "t2") && !has_table(&p, "t3"));

    lb(&p, &["update"]).ok();
    lb(&p, &["rollback-count", "--count=1"]).ok();
    assert_eq!(rows(&mut d).len(), 2);
    assert!(!has_table(&p, "t3"));

    lb(&p, &["rollback-to-date", "--date", "2000-01-01T00:00:00"]).ok();
    assert!(rows(&mut d).is_empty());
    assert!(!has_table(&p, "t1"));

    // A changeset without rollback cannot be rolled back; nothing changes.
    let p = project("-- liquibase formatted sql\n-- changeset a:1\nCREATE TABLE x (id INT);\n");
    lb(&p, &["update"]).ok();
    let run = lb(&p, &["rollback-count", "1"]).code(1);
    assert!(
        run.stderr
            .contains("Rollback failed for changeset changelog.sql::1::a:")
            && run.stderr.contains(
                "Liquibase does not support automatic rollback generation for raw sql changes"
            ),
        "{}",
        run.stderr
    );
    assert_eq!(rows(&mut sqlite(&p)).len(), 1);
}

#[test]
fn sql_commands_write_nothing() {
    let p = project(THREE);
    let run = lb(&p, &["update-sql"]).ok();
    assert!(!p.db_exists(), "update-sql created the database");
    for expected in [
        "-- Create Database Lock Table\nCREATE TABLE DATABASECHANGELOGLOCK (ID INTEGER NOT NULL",
        "-- Initialize Database Lock Table\nDELETE FROM DATABASECHANGELOGLOCK;\nINSERT INTO DATABASECHANGELOGLOCK (ID, LOCKED) VALUES (1, 0);",
        "-- Lock Database\nUPDATE DATABASECHANGELOGLOCK SET LOCKED = 1, LOCKEDBY = '",
        "-- Update Database Script",
        "CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL",
        "-- Changeset changelog.sql::2::alice\n-- adds t2\nCREATE TABLE t2 (id INT);\nINSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('2', 'alice', 'changelog.sql', CURRENT_TIMESTAMP, 2,",
        "-- Release Database Lock\nUPDATE DATABASECHANGELOGLOCK SET LOCKED = 0, LOCKEDBY = NULL, LOCKGRANTED = NULL WHERE ID = 1;",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            run.stdout
        );
    }
    // On an applied database: the rollback SQL, and the file is unchanged byte for byte.
    lb(&p, &["update"]).ok();
    let before = std::fs::read(p.path().join("tidemark.db")).unwrap();
    let run = lb(&p, &["rollback-count-sql", "--count", "2"]).ok();
    assert!(
        run.stdout.contains("-- Rollback 2 Change(s) Script")
            && run.stdout.contains("-- Rolling Back ChangeSet: changelog.sql::3::bob\nDROP TABLE t3;\nDELETE FROM DATABASECHANGELOG WHERE ID = '3' AND AUTHOR = 'bob' AND FILENAME = 'changelog.sql';"),
        "{}",
        run.stdout
    );
    lb(&p, &["update-sql", "--output-file", "out.sql"]).ok();
    lb(&p, &["changelog-sync-sql"]).ok();
    lb(&p, &["rollback-sql", "--tag=x"]).code(1);
    assert_eq!(std::fs::read(p.path().join("tidemark.db")).unwrap(), before);
    let out = std::fs::read_to_string(p.path().join("out.sql")).unwrap();
    assert!(out.contains("-- Update Database Script") && !out.contains("CREATE TABLE t1"));
}

#[test]
fn changelog_sync_and_clear_checksums() {
    let p = project(THREE);
    lb(&p, &["changelog-sync"]).ok();
    assert!(!has_table(&p, "t1"), "changelog-sync ran SQL");
    let mut d = sqlite(&p);
    let s = sums(THREE);
    let got = rows(&mut d);
    assert_eq!(got.len(), 3);
    assert!(got[1].starts_with(&format!(
        "2|alice|changelog.sql|2|EXECUTED|{}|sql|adds t2|dev|expand",
        s[1]
    )));
    assert!(lb(&p, &["status"]).ok().stdout.ends_with("is up to date\n"));

    lb(&p, &["clear-checksums"]).ok();
    assert!(
        rows(&mut d)
            .iter()
            .all(|r| r.split('|').nth(5) == Some("NULL"))
    );
    // status and validate accept NULL; update refills without running anything.
    lb(&p, &["validate"]).ok();
    lb(&p, &["update"]).ok();
    assert!(!has_table(&p, "t1"));
    let refilled: Vec<String> = rows(&mut d)
        .iter()
        .map(|r| r.split('|').nth(5).unwrap().to_string())
        .collect();
    assert_eq!(refilled, s);
}

#[test]
fn v8_rows_are_accepted_and_upgraded() {
    let p = project(THREE);
    lb(&p, &["update"]).ok();
    let changesets = parse_sql(THREE, "changelog.sql", &Properties::default()).unwrap();
    let v8 = checksum_v8(&changesets[1]);
    let db = p.db();
    db.execute(
        "UPDATE DATABASECHANGELOG SET MD5SUM = ? WHERE ID = '2'",
        [&v8],
    )
    .unwrap();
    // status accepts it and does not upgrade; update upgrades it.
    lb(&p, &["status"]).ok();
    let run = lb(&p, &["update"]).ok();
    let v9 = checksum_v9(&changesets[1]);
    assert!(
        run.stderr.contains(&format!(
            "Upgrading checksum for Changeset changelog.sql::2::alice from {v8} to {v9}."
        )),
        "{}",
        run.stderr
    );
    let stored: String = db
        .query_row(
            "SELECT MD5SUM FROM DATABASECHANGELOG WHERE ID = '2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, v9);
    // A wrong 8: value is a changed checksum, reported with the recomputed 8: value.
    db.execute(
        "UPDATE DATABASECHANGELOG SET MD5SUM = '8:00000000000000000000000000000000' WHERE ID = '2'",
        [],
    )
    .unwrap();
    let run = lb(&p, &["validate"]).code(1);
    assert!(
        run.stderr.contains(&format!(
            "changelog.sql::2::alice was: 8:00000000000000000000000000000000 but is now: {v8}"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn errors_name_the_file_line_and_changeset() {
    // A failing statement: its line, the changeset, the database's message; rolled back.
    let p = project(
        "-- liquibase formatted sql\n\n-- changeset alice:ok\nCREATE TABLE ok (id INT);\n\n-- changeset alice:d2\nCREATE TABLE half (id INT);\n\nINSERT INTO missing VALUES (1);\n",
    );
    let run = lb(&p, &["update"]).code(1);
    assert!(
        run.stderr.contains(
            "ERROR: Migration failed for changeset changelog.sql::d2::alice:\n     Reason: liquibase.exception.DatabaseException: no such table: missing [Failed SQL: ("
        ) && run.stderr.contains("INSERT INTO missing VALUES (1)]\n     Location: changelog.sql:9\n     The changeset's changes were rolled back; nothing was recorded."),
        "{}",
        run.stderr
    );
    assert!(has_table(&p, "ok") && !has_table(&p, "half"));
    assert_eq!(rows(&mut sqlite(&p)).len(), 1);
    assert!(!locked(&mut sqlite(&p)), "the lock was not released");

    // A changed checksum: Liquibase's text, then where the changeset is.
    let text = "-- liquibase formatted sql\n\n-- changeset alice:1\nCREATE TABLE a (id INT);\n";
    let p = project(text);
    lb(&p, &["update"]).ok();
    let was = sums(text)[0].clone();
    let changed = text.replace("(id INT)", "(id BIGINT)");
    p.file("changelog.sql", changed.as_bytes());
    let now = sums(&changed)[0].clone();
    for command in ["update", "status", "validate"] {
        let run = lb(&p, &[command]).code(1);
        assert!(
            run.stderr.contains(&format!(
                "ERROR: Validation Failed:\n     1 changesets check sum\n          changelog.sql::1::alice was: {was} but is now: {now}\n            at changelog.sql:3"
            )),
            "{command}: {}",
            run.stderr
        );
    }

    // A malformed directive: Liquibase's text, the line, and the changeset it is in.
    let p = project(
        "-- liquibase formatted sql\n-- changeset alice:1\nSELECT 1;\n-- property tax rate\n",
    );
    let run = lb(&p, &["status"]).code(1);
    assert!(
        run.stderr
            .contains("Unexpected formatting in formatted changelog 'changelog.sql' at line 4.")
            && run
                .stderr
                .contains("Location: changelog.sql:4\n     In changeset: changelog.sql::1::alice"),
        "{}",
        run.stderr
    );

    // failOnError:false: reported, rolled back, not recorded, retried next time.
    let p = project(
        "-- liquibase formatted sql\n-- changeset a:1 failOnError:false\nINSERT INTO nothere VALUES (1);\n-- changeset a:2\nCREATE TABLE two (id INT);\n",
    );
    let run = lb(&p, &["update"]).ok();
    assert!(
        run.stderr
            .contains("Changeset changelog.sql::1::a failed, but failOnError was false."),
        "{}",
        run.stderr
    );
    assert_eq!(rows(&mut sqlite(&p)).len(), 1);
    assert!(
        lb(&p, &["status"])
            .ok()
            .stdout
            .contains("changelog.sql::1::a")
    );
}

#[test]
fn flyway_commands_act_as_liquibase_ones() {
    let p = project(THREE);
    let info = lb(&p, &["info"]).ok();
    assert!(
        info.stdout
            .starts_with("3 changesets have not been applied"),
        "{}",
        info.stdout
    );
    assert!(info.stdout.contains("     changelog.sql::3::bob"));
    lb(&p, &["migrate"]).ok();
    assert_eq!(rows(&mut sqlite(&p)).len(), 3);
    lb(&p, &["validate"]).ok();
    let baseline = lb(&p, &["baseline"]).code(2);
    assert!(
        baseline.stderr.contains("is a Flyway command"),
        "{}",
        baseline.stderr
    );
    // Liquibase commands need a changelog.
    let plain = Project::new();
    let run = plain.run(&["update"]).code(2);
    assert!(
        run.stderr
            .contains("'update' is a Liquibase command and needs a changelog"),
        "{}",
        run.stderr
    );
    // The ones that never read a changelog run without one.
    let locks = plain.run(&["list-locks"]).ok();
    assert_eq!(
        locks.stdout,
        "Database change log locks for null@sqlite:tidemark.db\n - No locks\n"
    );
    assert!(
        plain
            .run(&["history"])
            .ok()
            .stdout
            .contains("No changesets deployed")
    );
}

#[test]
fn every_settings_source_selects_liquibase_mode() {
    let text = "-- liquibase formatted sql\n-- changeset a:1\nCREATE TABLE ${table} (id INT);\n";
    // -D properties substitute ${...}.
    let p = project(text);
    lb(&p, &["update", "-Dtable=from_define"]).ok();
    assert!(has_table(&p, "from_define"));

    // liquibase.properties: changeLogFile, url, parameter.*; flags after the command.
    let p = Project::new();
    p.file("db/changelog.sql", text.as_bytes());
    p.file(
        "liquibase.properties",
        b"changeLogFile=db/changelog.sql\nurl=jdbc:sqlite:lb.db\nparameter.table=from_properties\ndriver=org.sqlite.JDBC\n",
    );
    let run = p.run(&["status"]).ok();
    assert!(
        run.stdout.starts_with("1 changesets have not been applied to null@jdbc:sqlite:lb.db\n     db/changelog.sql::1::a"),
        "{}",
        run.stdout
    );
    p.run(&["update"]).ok();
    let lbdb = rusqlite::Connection::open(p.path().join("lb.db")).unwrap();
    let n: i64 = lbdb
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'from_properties'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);

    // --defaults-file, and LIQUIBASE_COMMAND_* variables.
    let mut p = Project::new();
    p.file("changelog.sql", text.as_bytes());
    p.file("other.properties", b"parameter.table=from_defaults_file\n");
    p.env("LIQUIBASE_COMMAND_CHANGELOG_FILE", "changelog.sql");
    p.env("LIQUIBASE_COMMAND_URL", "jdbc:sqlite:tidemark.db");
    p.run(&["update", "--defaults-file=other.properties"]).ok();
    assert!(has_table(&p, "from_defaults_file"));

    // tidemark.toml's `changelog`, with a search path.
    let p = Project::new();
    p.file("db/sql/changelog.sql", text.as_bytes());
    p.file(
        "tidemark.toml",
        b"[tidemark]\nchangelog = \"sql/changelog.sql\"\nsearchPath = \"db\"\n",
    );
    p.run(&["update", "-D", "table=from_toml"]).ok();
    assert!(has_table(&p, "from_toml"));
    let filename: String = p
        .db()
        .query_row("SELECT FILENAME FROM DATABASECHANGELOG", [], |r| r.get(0))
        .unwrap();
    assert_eq!(filename, "sql/changelog.sql");
}

#[test]
fn phase_labels_stage_the_update() {
    let text = "-- liquibase formatted sql
-- changeset a:1 labels:expand
CREATE TABLE e (id INT);
-- changeset a:2 labels:backfill
INSERT INTO e VALUES (1);
-- changeset a:3 labels:contract
CREATE TABLE c (id INT);
";
    let p = project(text);
    let run = lb(&p, &["migrate", "--phase", "expand"]).ok();
    assert!(
        run.stdout.contains("After phase:                  2"),
        "{}",
        run.stdout
    );
    assert_eq!(rows(&mut sqlite(&p)).len(), 1);
    lb(&p, &["update", "--phase", "backfill"]).ok();
    assert_eq!(rows(&mut sqlite(&p)).len(), 2);
    lb(&p, &["update"]).ok();
    assert_eq!(rows(&mut sqlite(&p)).len(), 3);
}

#[test]
fn a_held_lock_makes_others_wait_and_release_locks_frees_it() {
    let p = project(THREE);
    lb(&p, &["update-count", "1"]).ok();
    let db = p.db();
    db.execute(
        "UPDATE DATABASECHANGELOGLOCK SET LOCKED = 1, LOCKEDBY = 'otherhost (10.0.0.9)', LOCKGRANTED = '2026-01-02 03:04:05' WHERE ID = 1",
        [],
    )
    .unwrap();
    let list = lb(&p, &["list-locks"]).ok();
    assert_eq!(
        list.stdout,
        "Database change log locks for null@sqlite:tidemark.db\n - otherhost (10.0.0.9) at Jan 2, 2026, 3:04:05 AM\n"
    );
    // Read-only commands do not lock.
    lb(&p, &["status"]).ok();
    lb(&p, &["update-sql"]).ok();
    // Giving up after the wait time (0 minutes: one more poll).
    let run = lb(
        &p,
        &[
            "update",
            "--changelog-lock-wait-time-in-minutes=0",
            "--changelog-lock-poll-rate=1",
        ],
    )
    .code(1);
    assert!(
        run.stderr.contains(
            "Could not acquire change log lock.  Currently locked by otherhost (10.0.0.9) since 1/2/26, 3:04 AM"
        ),
        "{}",
        run.stderr
    );
    // A waiting run goes on once the lock is free.
    let waiting = p.spawn(&[
        "--changelog-file",
        "changelog.sql",
        "update",
        "--changelog-lock-poll-rate",
        "1",
    ]);
    poll_until("the waiting message", || {
        waiting
            .stderr()
            .contains("Waiting for changelog lock....")
            .then_some(())
    });
    assert_eq!(rows(&mut sqlite(&p)).len(), 1, "ran while locked");
    let release = lb(&p, &["release-locks"]).ok();
    assert!(release.stderr.contains(
        "Successfully released all database change log locks for 'null@sqlite:tidemark.db'"
    ));
    let done = waiting.wait_for(Duration::from_secs(60)).ok();
    assert!(
        done.stderr
            .contains("Running Changeset: changelog.sql::3::bob")
    );
    assert_eq!(rows(&mut sqlite(&p)).len(), 3);
    assert_eq!(
        lb(&p, &["list-locks"]).ok().stdout.split('\n').nth(1),
        Some(" - No locks")
    );
}

#[test]
fn history_and_calculate_checksum() {
    let p = project(THREE);
    let empty = lb(&p, &["history"]).ok();
    assert_eq!(
        empty.stdout,
        "Liquibase History for sqlite:tidemark.db\n\nNo changesets deployed\n"
    );
    lb(&p, &["update"]).ok();
    lb(&p, &["tag", "release-1"]).ok();
    let history = lb(&p, &["history"]).ok();
    let lines: Vec<&str> = history.stdout.split('\n').collect();
    // The Update Date column is as wide as its widest date, in Java's short style: 17 chars
    // for "11/28/26, 9:05 AM", 18 from ten o'clock on.
    let date_width = lines
        .iter()
        .skip(4)
        .filter(|l| l.starts_with("| "))
        .filter_map(|l| l.split('|').nth(2))
        .map(|cell| cell.trim().len())
        .max()
        .unwrap_or_else(|| panic!("{}", history.stdout))
        .max("Update Date".len());
    assert_eq!(
        lines[2],
        format!(
            "+---------------+{}+----------------+------------------+--------------+-----------+",
            "-".repeat(date_width + 2)
        ),
        "{}",
        history.stdout
    );
    assert_eq!(
        lines[3],
        format!(
            "| Deployment ID | {:<date_width$} | Changelog Path | Changeset Author | Changeset ID | Tag       |",
            "Update Date"
        ),
        "{}",
        history.stdout
    );
    assert!(
        lines[5].contains("| changelog.sql  | alice            | 1            |"),
        "{}",
        history.stdout
    );
    assert!(lines[9].ends_with("| release-1 |"), "{}", history.stdout);
    let sum = lb(
        &p,
        &[
            "calculate-checksum",
            "--changeset-identifier",
            "changelog.sql::2::alice",
        ],
    )
    .ok();
    assert_eq!(sum.stdout.trim(), sums(THREE)[1]);
    let missing = lb(
        &p,
        &[
            "calculate-checksum",
            "--changeset-identifier=changelog.sql::9::x",
        ],
    )
    .code(1);
    assert!(missing.stderr.contains("No changeset changelog.sql::9::x"));
}

#[test]
fn tag_on_an_empty_table_writes_liquibases_internal_row() {
    let p = project(THREE);
    lb(&p, &["tag", "--tag", "start"]).ok();
    let got = rows(&mut sqlite(&p));
    assert_eq!(got.len(), 1);
    let f: Vec<&str> = got[0].split('|').collect();
    assert_eq!(
        &f[1..],
        [
            "liquibase",
            "liquibase-internal",
            "1",
            "EXECUTED",
            "9:d41d8cd98f00b204e9800998ecf8427e",
            "empty",
            "",
            "NULL",
            "NULL",
            "start"
        ]
    );
    assert!(f[0].len() >= 13 && f[0].chars().all(|c| c.is_ascii_digit()));
    // The tag's row is not pending, and a rollback to the tag undoes everything after it.
    lb(&p, &["update"]).ok();
    lb(&p, &["rollback", "--tag", "start"]).ok();
    assert_eq!(rows(&mut sqlite(&p)).len(), 1);
    assert!(!has_table(&p, "t1"));
}

#[test]
fn an_xml_master_with_included_sql_records_liquibases_filenames() {
    let p = Project::new();
    p.file(
        "db/master.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.28.xsd">
  <include file="sql/a.sql" relativeToChangelogFile="true"/>
  <changeSet id="x1" author="xml">
    <sql>CREATE TABLE inline_t (id INT);</sql>
  </changeSet>
</databaseChangeLog>
"#,
    );
    p.file(
        "db/sql/a.sql",
        b"-- liquibase formatted sql\n-- changeset a:1\nCREATE TABLE a (id INT);\n",
    );
    p.run(&["--changelog-file", "db/master.xml", "update"]).ok();
    let ids: Vec<String> = rows(&mut sqlite(&p))
        .iter()
        .map(|r| r.split('|').take(5).collect::<Vec<_>>().join("|"))
        .collect();
    assert_eq!(
        ids,
        [
            "1|a|db/sql/a.sql|1|EXECUTED",
            "x1|xml|db/master.xml|2|EXECUTED"
        ]
    );
    assert!(has_table(&p, "inline_t"));
    let status = p.run(&["--changelog-file", "db/master.xml", "status"]).ok();
    assert!(
        status.stdout.ends_with("is up to date\n"),
        "{}",
        status.stdout
    );
}
