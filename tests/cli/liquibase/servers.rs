//! Liquibase mode on PostgreSQL and MariaDB: the tables are Liquibase's (as the catalog shows
//! them), rows are written as on SQLite, and a failing changeset leaves behind exactly what the
//! DBMS could not roll back, saying so.

use tidemark_engine::driver::Value;
use tidemark_ledger::changelog::{Properties, checksum_v9, parse_sql};

use super::super::servers::Db;
use super::super::support::{Project, Run};
use super::{deployments, locked, project, rows};

const CHANGELOG: &str = "-- liquibase formatted sql

-- changeset alice:1
CREATE TABLE t1 (id INT);
-- rollback DROP TABLE t1;

-- changeset alice:2 context:dev labels:expand
-- comment adds t2
CREATE TABLE t2 (id INT);
-- rollback DROP TABLE t2;
";

fn run(p: &Project, db: &Db, args: &[&str]) -> Run {
    let url = db.url();
    let mut all = vec!["--changelog-file", "changelog.sql", "--url", url.as_str()];
    all.extend_from_slice(args);
    p.run(&all)
}

fn servers() -> Vec<Db> {
    Db::postgres().into_iter().chain(Db::mariadb()).collect()
}

/// `column|type|length|nullable` of a table, in column order.
fn columns(db: &Db, table: &str) -> Vec<String> {
    let sql = if db.is_postgres() {
        "SELECT column_name::text, data_type::text, coalesce(character_maximum_length, 0)::int, is_nullable::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position"
    } else {
        "SELECT COLUMN_NAME, COLUMN_TYPE, COALESCE(CHARACTER_MAXIMUM_LENGTH, 0), IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION"
    };
    db.connect()
        .query(
            sql,
            &[Value::Text(db.schema()), Value::Text(table.to_string())],
        )
        .expect("read the catalog")
        .into_iter()
        .map(|r| {
            r.iter()
                .map(|v| v.as_text().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[test]
fn tables_are_liquibases_ddl() {
    for db in servers() {
        let p = project(CHANGELOG);
        run(&p, &db, &["update"]).ok();
        let label = db.label();
        if db.is_postgres() {
            // Reference §B3 (pg_dump -s of the tables Liquibase 4.28 created).
            let varchar =
                |name: &str, n: u32, null: &str| format!("{name}|character varying|{n}|{null}");
            assert_eq!(
                columns(&db, "databasechangelog"),
                [
                    varchar("id", 255, "NO"),
                    varchar("author", 255, "NO"),
                    varchar("filename", 255, "NO"),
                    "dateexecuted|timestamp without time zone|0|NO".to_string(),
                    "orderexecuted|integer|0|NO".to_string(),
                    varchar("exectype", 10, "NO"),
                    varchar("md5sum", 35, "YES"),
                    varchar("description", 255, "YES"),
                    varchar("comments", 255, "YES"),
                    varchar("tag", 255, "YES"),
                    varchar("liquibase", 20, "YES"),
                    varchar("contexts", 255, "YES"),
                    varchar("labels", 255, "YES"),
                    varchar("deployment_id", 10, "YES"),
                ],
                "{label}"
            );
            assert_eq!(
                columns(&db, "databasechangeloglock"),
                [
                    "id|integer|0|NO",
                    "locked|boolean|0|NO",
                    "lockgranted|timestamp without time zone|0|YES",
                    "lockedby|character varying|255|YES",
                ]
            );
            let pk = db.count(
                "SELECT count(*) FROM pg_constraint WHERE conname = 'databasechangeloglock_pkey'",
                &[],
            );
            assert_eq!(pk, 1);
            // DATABASECHANGELOG has no primary key and no index.
            let indexes = db.count(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'databasechangelog'",
                &[],
            );
            assert_eq!(indexes, 0);
        } else {
            // As Liquibase 4.28 creates them on MariaDB (its update-sql).
            let cols = columns(&db, "DATABASECHANGELOG");
            assert_eq!(cols[3], "DATEEXECUTED|datetime|0|NO", "{cols:?}");
            assert_eq!(cols[4], "ORDEREXECUTED|int(11)|0|NO", "{cols:?}");
            assert_eq!(cols[7], "DESCRIPTION|varchar(255)|255|YES", "{cols:?}");
            assert_eq!(cols.len(), 14);
            assert_eq!(
                columns(&db, "DATABASECHANGELOGLOCK"),
                [
                    "ID|int(11)|0|NO",
                    "LOCKED|tinyint(1)|0|NO",
                    "LOCKGRANTED|datetime|0|YES",
                    "LOCKEDBY|varchar(255)|255|YES",
                ]
            );
        }
        let sums: Vec<String> = parse_sql(CHANGELOG, "changelog.sql", &Properties::default())
            .unwrap()
            .iter()
            .map(checksum_v9)
            .collect();
        let mut driver = db.connect();
        assert_eq!(
            rows(driver.as_mut()),
            [
                format!(
                    "1|alice|changelog.sql|1|EXECUTED|{}|sql||NULL|NULL|NULL",
                    sums[0]
                ),
                format!(
                    "2|alice|changelog.sql|2|EXECUTED|{}|sql|adds t2|dev|expand|NULL",
                    sums[1]
                ),
            ],
            "{label}"
        );
        let deps = deployments(driver.as_mut());
        assert!(deps.iter().all(|(id, v)| id.len() == 10 && v == "4.28.0"));
        assert!(!locked(driver.as_mut()));
        let status = run(&p, &db, &["status"]).ok();
        assert!(
            status.stdout.ends_with(" is up to date\n"),
            "{label}: {}",
            status.stdout
        );
        run(&p, &db, &["rollback-count", "2"]).ok();
        assert!(rows(driver.as_mut()).is_empty(), "{label}");
        assert!(!db.has_table("t1") && !db.has_table("t2"), "{label}");
    }
}

#[test]
fn a_failing_changeset_leaves_what_the_dbms_cannot_undo() {
    for db in servers() {
        let p = project(
            "-- liquibase formatted sql\n-- changeset alice:ok\nCREATE TABLE ok_t (id INT);\n-- changeset alice:d2\nCREATE TABLE half (id INT);\nINSERT INTO missing VALUES (1);\n",
        );
        let label = db.label();
        let out = run(&p, &db, &["update"]).code(1);
        assert!(
            out.stderr
                .contains("Migration failed for changeset changelog.sql::d2::alice:")
                && out.stderr.contains("Location: changelog.sql:6"),
            "{label}: {}",
            out.stderr
        );
        let mut driver = db.connect();
        assert_eq!(rows(driver.as_mut()).len(), 1, "{label}");
        assert!(!locked(driver.as_mut()), "{label}: lock not released");
        if db.is_postgres() {
            assert!(!db.has_table("half"), "{label}");
            assert!(out.stderr.contains("were rolled back"), "{}", out.stderr);
        } else {
            // MariaDB committed the CREATE TABLE implicitly: said honestly, nothing recorded.
            assert!(db.has_table("half"), "{label}");
            assert!(
                out.stderr
                    .contains("1 earlier statement(s) of this changeset ran and may stay applied"),
                "{}",
                out.stderr
            );
        }
    }
}

#[test]
fn jdbc_urls_and_liquibase_credentials_flags() {
    let Some(db) = Db::postgres() else { return };
    let (user, password) = db.credentials();
    let p = project(CHANGELOG);
    let url = format!("jdbc:postgresql://{}/{}", db.address(), db.name());
    let password = password.map(|pw| format!("--password={pw}"));
    let mut update = vec![
        "--changelog-file",
        "changelog.sql",
        "--url",
        url.as_str(),
        "update",
        "--username",
        user.as_str(),
    ];
    update.extend(password.as_deref());
    p.run(&update).ok();
    let url_flag = format!("--url={url}");
    let user_flag = format!("--user={user}");
    let mut status = vec![
        "status",
        url_flag.as_str(),
        user_flag.as_str(),
        "--changelog-file=changelog.sql",
    ];
    status.extend(password.as_deref());
    let out = p.run(&status).ok();
    assert_eq!(out.stdout, format!("{user}@{url} is up to date\n"));
}

#[test]
fn concurrent_runs_apply_each_changeset_once() {
    for db in servers() {
        let label = db.label();
        let p = project(&format!(
            "-- liquibase formatted sql\n-- changeset a:1\nCREATE TABLE c1 (id INT);\n-- changeset a:2\n{}\n-- changeset a:3\nCREATE TABLE c3 (id INT);\n-- changeset a:4\nINSERT INTO c3 VALUES (1);\n",
            db.sleep("1")
        ));
        let url = db.url();
        let runs: Vec<_> = (0..8)
            .map(|_| {
                p.spawn(&[
                    "--changelog-file",
                    "changelog.sql",
                    "--url",
                    url.as_str(),
                    "update",
                    "--changelog-lock-poll-rate=1",
                ])
            })
            .collect();
        for run in runs {
            let out = run.wait_for(std::time::Duration::from_secs(120));
            assert_eq!(out.code, 0, "{label}: {}", out.stderr);
        }
        let mut driver = db.connect();
        let ids: Vec<String> = rows(driver.as_mut())
            .iter()
            .map(|r| r.split('|').next().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["1", "2", "3", "4"], "{label}");
        assert_eq!(
            db.count("SELECT count(*) FROM c3", &[]),
            1,
            "{label}: a changeset ran twice"
        );
        assert!(!locked(driver.as_mut()), "{label}");
    }
}
