//! `migrate --fleet` and `info --fleet`: many databases and tenant schemas in one command.
//!
//! On PostgreSQL: 50 databases and one database with 50 tenant schemas, migrated with
//! `--jobs 8`; one database and one tenant are made to fail midway by data they already hold,
//! the others finish, the summary names the two and why, and a rerun after the fix applies only
//! what they lacked. SQLite files and MariaDB databases as targets, with `--phase`, and
//! `--fail-fast`. Every database this file creates is a scratch database (dropped by its guard),
//! and tenant schemas live in one of them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::servers::Db;
use super::support::Project;

/// `CREATE TABLE` for V1, valid on every DBMS.
const V1: &str = "CREATE TABLE accounts (id INT NOT NULL, email VARCHAR(100) NOT NULL);\n";
/// V2 fails where two rows share an email.
const V2: &str = "CREATE UNIQUE INDEX accounts_email ON accounts (email);\n";
const V3: &str = "ALTER TABLE accounts ADD COLUMN note VARCHAR(50);\n";

/// `migrate --fleet fleet.toml --jobs 8 --format json`.
const MIGRATE_FLEET_JSON: &[&str] = &[
    "migrate",
    "--fleet",
    "fleet.toml",
    "--jobs",
    "8",
    "--format",
    "json",
];

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `target name -> (outcome, applied)` from a fleet migrate JSON document.
fn outcomes(doc: &Value) -> BTreeMap<String, (String, u64)> {
    doc["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets in {doc:#}"))
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                (
                    t["outcome"].as_str().unwrap().to_string(),
                    t["migrationsExecuted"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// `n` scratch PostgreSQL databases, created on a few threads (`None` without a server).
fn postgres_databases(n: usize) -> Option<Vec<Db>> {
    let first = Db::postgres()?;
    let mut dbs = vec![first];
    let rest: Vec<Db> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                s.spawn(move || {
                    (1..n)
                        .filter(|i| i % 4 == t)
                        .map(|_| Db::postgres().expect("the server was reachable"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("create scratch databases"))
            .collect()
    });
    dbs.extend(rest);
    Some(dbs)
}

/// Drops scratch databases on a few threads (each drop ends its sessions, then drops it).
fn drop_all(dbs: Vec<Db>) {
    let mut chunks: Vec<Vec<Db>> = (0..4).map(|_| Vec::new()).collect();
    for (i, db) in dbs.into_iter().enumerate() {
        chunks[i % 4].push(db);
    }
    std::thread::scope(|s| {
        for chunk in chunks {
            s.spawn(move || drop(chunk));
        }
    });
}

#[test]
fn postgres_fleet_of_50_databases_and_50_tenants_fails_in_two_and_resumes() {
    let Some(mut dbs) = postgres_databases(51) else {
        return;
    };
    let tenant = dbs.pop().expect("51 databases");
    let tenant_db = &tenant;
    {
        let mut admin = tenant_db.connect();
        for i in 0..50 {
            admin
                .execute(&format!("CREATE SCHEMA tenant_{i:02}"), &[])
                .expect("create tenant schema");
        }
    }
    let p = Project::new();
    p.migration("V1__create_accounts.sql", V1);
    let mut fleet = String::new();
    for (i, db) in dbs.iter().enumerate() {
        fleet.push_str(&format!(
            "[[target]]\nname = \"db{i:02}\"\nurl = {}\n\n",
            toml_str(&db.url())
        ));
    }
    fleet.push_str(&format!(
        "[[tenants]]\nname = \"t\"\nurl = {}\nschemas_query = \"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant%' ORDER BY 1\"\n",
        toml_str(&tenant_db.url())
    ));
    p.file("fleet.toml", fleet.as_bytes());

    // Everyone at version 1.
    let run = p.run(MIGRATE_FLEET_JSON).ok();
    let doc = run.json();
    assert_eq!(doc["targetCount"], 100, "{doc:#}");
    assert_eq!(doc["migrationsExecuted"], 100);
    assert!(outcomes(&doc).values().all(|(o, n)| o == "ok" && *n == 1));

    // Data that V2 cannot live with, in one database and one tenant.
    for (table, db) in [("accounts", &dbs[17]), ("tenant_23.accounts", tenant_db)] {
        db.connect()
            .execute(
                &format!(
                    "INSERT INTO {table} VALUES (1, 'same@example.com'), (2, 'same@example.com')"
                ),
                &[],
            )
            .expect("insert duplicates");
    }
    p.migration("V2__unique_emails.sql", V2);
    p.migration("V3__add_note.sql", V3);

    let run = p.run(MIGRATE_FLEET_JSON).code(1);
    let doc = run.json();
    let got = outcomes(&doc);
    let failed: Vec<&String> = got
        .iter()
        .filter(|(_, (o, _))| o == "failed")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(failed, ["db17", "t/tenant_23"], "{doc:#}");
    assert_eq!(
        got.iter()
            .filter(|(_, (o, n))| o == "ok" && *n == 2)
            .count(),
        98
    );
    assert_eq!(doc["failed"], 2);
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("db17") && message.contains("t/tenant_23"),
        "{message}"
    );
    for t in doc["targets"].as_array().unwrap() {
        if t["outcome"] == "failed" {
            let error = t["error"].as_str().unwrap();
            assert!(
                error.contains("V2__unique_emails.sql") && error.contains("accounts_email"),
                "the summary says why: {error}"
            );
            assert_eq!(t["targetSchemaVersion"], "1", "{t:#}");
        }
    }
    // PostgreSQL rolled V2 back: the failed ones stay at version 1, with no failed row.
    assert_eq!(dbs[17].history(), ["1|1|V1__create_accounts.sql|1"]);
    assert_eq!(dbs[16].history().len(), 3);

    // info --fleet shows who lags.
    let info = p
        .run(&[
            "info",
            "--fleet",
            "fleet.toml",
            "--jobs",
            "8",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let lagging: Vec<&str> = info["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] != "up to date")
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(lagging, ["db17", "t/tenant_23"], "{info:#}");
    assert_eq!(info["newestVersion"], "3");
    let text = p.run(&["info", "--fleet", "fleet.toml"]).ok().stdout;
    assert!(text.contains("2 of 100 targets lag"), "{text}");

    // The fix, then the same command: only what was left runs.
    for (table, db) in [("accounts", &dbs[17]), ("tenant_23.accounts", tenant_db)] {
        db.connect()
            .execute(&format!("DELETE FROM {table} WHERE id = 2"), &[])
            .expect("fix the data");
    }
    let run = p
        .run(&["migrate", "--fleet", "fleet.toml", "--jobs", "8"])
        .ok();
    assert!(
        run.stdout
            .contains("100 of 100 targets migrated (4 migrations applied)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("| db17 "), "{}", run.stdout);
    assert_eq!(dbs[17].history().len(), 3);
    let tenant_rows = tenant_db.count(
        "SELECT count(*) FROM tenant_23.flyway_schema_history WHERE success",
        &[],
    );
    // Three migrations (the schema existed: no SCHEMA marker row).
    assert_eq!(tenant_rows, 3);

    drop_all(dbs);
}

#[test]
fn sqlite_and_mariadb_targets_go_through_the_phases() {
    let p = Project::new();
    p.migration(
        "V1__create_accounts.sql",
        &format!("-- tidemark:phase=expand\n{V1}"),
    );
    p.migration(
        "V2__drop_legacy.sql",
        "-- tidemark:phase=contract\nDROP TABLE legacy;\n",
    );
    p.migration(
        "V0_9__legacy.sql",
        "-- tidemark:phase=expand\nCREATE TABLE legacy (id INT);\n",
    );
    let mariadb: Vec<Db> = (0..3).filter_map(|_| Db::mariadb()).collect();
    let mut fleet = String::new();
    for i in 0..3 {
        fleet.push_str(&format!(
            "[[target]]\nname = \"file{i}\"\nurl = \"sqlite:db{i}.db\"\n\n"
        ));
    }
    for (i, db) in mariadb.iter().enumerate() {
        fleet.push_str(&format!(
            "[[target]]\nname = \"maria{i}\"\nurl = {}\n\n",
            toml_str(&db.url())
        ));
    }
    p.file("fleet.toml", fleet.as_bytes());
    let n = 3 + mariadb.len();

    // Expand everywhere first: V0.9 and V1, then a stop before the contract migration.
    let doc = p
        .run(&[
            "migrate",
            "--fleet",
            "fleet.toml",
            "--jobs",
            "3",
            "--phase",
            "expand",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(doc["phase"], "expand");
    for t in doc["targets"].as_array().unwrap() {
        assert_eq!(t["outcome"], "ok", "{t:#}");
        assert_eq!(t["migrationsExecuted"], 2, "{t:#}");
        assert_eq!(t["targetSchemaVersion"], "1");
        assert_eq!(t["stoppedBefore"], "V2__drop_legacy.sql");
    }
    let info = p
        .run(&["info", "--fleet", "fleet.toml", "--format", "json"])
        .ok()
        .json();
    for t in info["targets"].as_array().unwrap() {
        assert_eq!(
            (t["pending"].as_u64(), t["stage"].as_str()),
            (Some(1), Some("expand"))
        );
    }

    // Then contract.
    let run = p
        .run(&["migrate", "--fleet", "fleet.toml", "--phase", "contract"])
        .ok();
    assert!(
        run.stdout.contains(&format!(
            "{n} of {n} targets migrated ({n} migration{} applied)",
            if n == 1 { "" } else { "s" }
        )),
        "{}",
        run.stdout
    );
    let db = rusqlite::Connection::open(p.path().join("db1.db")).unwrap();
    let versions: i64 = db
        .query_row(
            "SELECT count(*) FROM flyway_schema_history WHERE success = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(versions, 3);
    for db in &mariadb {
        assert_eq!(db.history().len(), 3, "{}", db.name());
        assert!(!db.has_table("legacy"));
    }
}

#[test]
fn fail_fast_starts_nothing_after_a_failure_and_usage_errors() {
    let p = Project::new();
    p.migration("V1__create_accounts.sql", V1);
    p.file(
        "fleet.toml",
        b"[[target]]\nname = \"broken\"\nurl = \"sqlite:missing/folder/x.db\"\n\n[[target]]\nname = \"a\"\nurl = \"sqlite:a.db\"\n\n[[target]]\nname = \"b\"\nurl = \"sqlite:b.db\"\n",
    );
    let doc = p
        .run(&[
            "migrate",
            "--fleet",
            "fleet.toml",
            "--jobs",
            "1",
            "--fail-fast",
            "--format",
            "json",
        ])
        .code(1)
        .json();
    let got = outcomes(&doc);
    assert_eq!(got["broken"].0, "failed");
    assert_eq!(
        (got["a"].0.as_str(), got["b"].0.as_str()),
        ("skipped", "skipped")
    );
    assert_eq!(doc["skipped"], 2);
    assert!(!p.path().join("a.db").exists());

    // Without --fail-fast the others go on.
    let run = p
        .run(&["migrate", "--fleet", "fleet.toml", "--jobs", "1"])
        .code(1);
    assert!(
        run.stdout.contains("2 of 3 targets migrated"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("target broken"), "{}", run.stderr);
    assert!(
        run.stderr.contains("1 of 3 targets failed: broken"),
        "{}",
        run.stderr
    );

    // Usage errors: exit 2.
    p.file("dup.toml", b"[[target]]\nname = \"a\"\nurl = \"sqlite:a.db\"\n[[target]]\nname = \"a\"\nurl = \"sqlite:b.db\"\n");
    let run = p.run(&["migrate", "--fleet", "dup.toml"]).code(2);
    assert!(run.stderr.contains("named 'a'"), "{}", run.stderr);
    p.run(&["migrate", "--fleet", "fleet.toml", "--dry-run"])
        .code(2);
    p.run(&["migrate", "--fleet", "none.toml"]).code(2);
    p.run(&["migrate", "--jobs", "2"]).code(2);
}
