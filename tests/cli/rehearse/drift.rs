//! `drift` and `schema dump` on the three databases: a database migrated only by tidemark shows
//! no drift; a column, an index and a changed default added by hand are each a finding with a
//! diff; pending migrations are left out (or, below the current version, named as the reason);
//! `--against` compares two live databases.

use super::super::servers::Db;
use super::super::support::{Project, Run};

const V1: &str = "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) DEFAULT 'new', total INT);\nCREATE INDEX orders_status ON orders (status);\n";

/// The findings of a failed `drift --format json`, as `change item` lines, and each one's diff.
fn findings(run: &Run) -> Vec<(String, String)> {
    let doc = run.json();
    assert_eq!(doc["error"]["code"], "DRIFT", "{doc:#}");
    assert_eq!(doc["drift"]["drift"], true);
    doc["drift"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                format!(
                    "{} {}",
                    f["change"].as_str().unwrap(),
                    f["item"].as_str().unwrap_or("-")
                ),
                f["diff"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Migrates, checks there is no drift, changes the database by hand with `by_hand`, and checks
/// each change is reported with a diff.
fn drift_scenario(label: &str, p: &Project, connection: &[&str], by_hand: impl FnOnce()) -> Run {
    let with = |args: &[&'static str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(connection);
        all
    };
    p.migration("V1__orders.sql", V1);
    p.run(&with(&["migrate"])).ok();

    let clean = p.run(&with(&["drift"])).ok();
    assert!(
        clean.stdout.contains("No drift:") && clean.stdout.contains("matches its migrations"),
        "{label}: {}",
        clean.stdout
    );
    let dump = p.run(&with(&["schema", "dump"])).ok().stdout;
    assert!(dump.starts_with("table orders"), "{label}: {dump}");
    assert!(dump.contains("  index orders_status "), "{label}: {dump}");
    assert!(!dump.contains("flyway_schema_history"), "{label}: {dump}");
    let json = p
        .run(&with(&["schema", "dump", "--format", "json"]))
        .ok()
        .json();
    assert_eq!(json["objects"][0]["name"], "orders", "{label}: {json:#}");
    assert_eq!(json["objects"][0]["items"][0]["kind"], "column");

    by_hand();

    let found = findings(&p.run(&with(&["drift", "--format", "json"])).code(1));
    let summary: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        summary,
        [
            "unexpected column note",
            "changed column status",
            "unexpected index orders_total"
        ],
        "{label}"
    );
    for (what, diff) in &found {
        assert!(
            diff.starts_with("--- migrations\n+++ database\n"),
            "{label} {what}: {diff}"
        );
    }
    assert!(
        found[0].1.contains("\n+  column note "),
        "{label}: {}",
        found[0].1
    );
    assert!(
        found[1].1.contains("\n-  column status "),
        "{label}: {}",
        found[1].1
    );
    assert!(found[1].1.contains("'open'"), "{label}: {}", found[1].1);
    assert!(
        found[2].1.contains("\n+  index orders_total "),
        "{label}: {}",
        found[2].1
    );

    let text = p.run(&with(&["drift"])).code(1);
    assert!(
        text.stdout
            .contains("1. column note of table orders: in the database, not in the migrations"),
        "{label}: {}",
        text.stdout
    );
    assert!(
        text.stderr
            .contains("ERROR: 3 differences between the migrations and the database"),
        "{label}: {}",
        text.stderr
    );
    text
}

#[test]
fn drift_on_sqlite() {
    let p = Project::new();
    let last = drift_scenario("SQLite", &p, &[], || {
        // SQLite cannot change a default in place: rebuild the table by hand.
        p.db()
            .execute_batch(
                "CREATE TABLE orders_new (id INT PRIMARY KEY, status VARCHAR(20) DEFAULT 'open', total INT, note VARCHAR(50));
                 INSERT INTO orders_new (id, status, total) SELECT id, status, total FROM orders;
                 DROP TABLE orders;
                 ALTER TABLE orders_new RENAME TO orders;
                 CREATE INDEX orders_status ON orders (status);
                 CREATE INDEX orders_total ON orders (total);",
            )
            .unwrap();
    });
    assert!(
        last.stdout.contains("--- migrations\n+++ database\n"),
        "{}",
        last.stdout
    );
}

/// Pending migrations are not drift: the scratch copy stops at the database's current version
/// when newer ones are pending, and says so; a pending one below it (out of order) is part of
/// the comparison, and the drift it explains comes with a warning saying so.
fn pending_scenario(label: &str, p: &Project, connection: &[&str]) {
    let with = |args: &[&'static str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(connection);
        all
    };
    p.migration("V1__orders.sql", V1);
    p.migration(
        "V3__items.sql",
        "CREATE TABLE items (id INT PRIMARY KEY);\n",
    );
    p.run(&with(&["migrate"])).ok();
    p.migration(
        "V4__later.sql",
        "CREATE TABLE later (id INT PRIMARY KEY);\n",
    );
    p.migration(
        "V5__later_still.sql",
        "CREATE TABLE later_still (id INT PRIMARY KEY);\n",
    );

    let clean = p.run(&with(&["drift"])).ok();
    assert!(
        clean.stdout.contains("No drift:"),
        "{label}: {}",
        clean.stdout
    );
    assert!(
        clean.stderr.contains(
            "2 pending migrations above version 3 left out: the database is compared with what it has applied"
        ),
        "{label}: {}",
        clean.stderr
    );
    let json = p.run(&with(&["drift", "--format", "json"])).ok().json();
    assert_eq!(json["pendingLeftOut"], 2, "{label}: {json:#}");
    assert_eq!(json["pendingIncluded"], 0, "{label}: {json:#}");

    // V2 comes late, below the current version: the scratch copy applies it, the database has
    // not, so its table is reported, with the reason.
    p.migration("V2__late.sql", "CREATE TABLE late (id INT PRIMARY KEY);\n");
    let drifted = p.run(&with(&["drift"])).code(1);
    assert!(
        drifted
            .stdout
            .contains("table late: in the migrations, missing from the database"),
        "{label}: {}",
        drifted.stdout
    );
    assert!(
        drifted.stderr.contains(
            "1 pending migration (repeatable, or below the current version) is part of the comparison: what they create shows as missing"
        ),
        "{label}: {}",
        drifted.stderr
    );
    assert!(
        !drifted.stdout.contains("later"),
        "{label}: V4 and V5 stay out: {}",
        drifted.stdout
    );
}

#[test]
fn pending_migrations_are_not_drift_on_sqlite() {
    let p = Project::new();
    // Reading the history for the comparison is not `info`: its callbacks stay out of it.
    p.migration(
        "beforeInfo.sql",
        "CREATE TABLE info_callback_ran (id INT PRIMARY KEY);\n",
    );
    pending_scenario("SQLite", &p, &[]);
    let tables = p.db().query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'info_callback_ran'",
        [],
        |row| row.get::<_, i64>(0),
    );
    assert_eq!(tables.unwrap(), 0);
}

#[test]
fn pending_migrations_are_not_drift_on_postgres() {
    let Some(db) = Db::postgres() else {
        return;
    };
    pending_scenario(db.label(), &Project::new(), &["--url", &db.url()]);
}

fn server_scenario(db: &Db) {
    let p = Project::new();
    let url = db.url();
    let last = drift_scenario(db.label(), &p, &["--url", &url], || {
        let mut session = db.connect();
        for sql in [
            "ALTER TABLE orders ADD COLUMN note VARCHAR(50)",
            "CREATE INDEX orders_total ON orders (total)",
            "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'open'",
        ] {
            session.execute(sql, &[]).unwrap();
        }
    });
    // The scratch database is gone.
    let name = last
        .stderr
        .split("scratch database ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the scratch database is named: {}", last.stderr))
        .to_string();
    assert!(name.starts_with("tidemark_drift_"), "{name}");
    let sql = if db.is_postgres() {
        "SELECT count(*) FROM pg_database WHERE datname = $1"
    } else {
        "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?"
    };
    assert_eq!(
        db.count(sql, &[tidemark_engine::driver::Value::Text(name.clone())]),
        0,
        "{name} was dropped"
    );
}

#[test]
fn drift_on_postgres() {
    let Some(db) = Db::postgres() else {
        return;
    };
    server_scenario(&db);
}

#[test]
fn drift_on_mariadb() {
    let Some(db) = Db::mariadb() else {
        return;
    };
    server_scenario(&db);
}

#[test]
fn drift_against_another_live_database() {
    let (Some(old), Some(new)) = (Db::postgres(), Db::postgres()) else {
        return;
    };
    let p = Project::new();
    p.migration("V1__orders.sql", V1);
    p.run(&["migrate", "--url", &old.url()]).ok();
    p.run(&["migrate", "--url", &new.url()]).ok();
    let same = p
        .run(&["drift", "--url", &old.url(), "--against", &new.url()])
        .ok();
    assert!(
        same.stdout.contains("have the same schema"),
        "{}",
        same.stdout
    );
    new.connect()
        .execute("ALTER TABLE orders ADD COLUMN note text", &[])
        .unwrap();
    let run = p
        .run(&[
            "drift",
            "--url",
            &old.url(),
            "--against",
            &new.url(),
            "--format",
            "json",
        ])
        .code(1);
    let found = findings(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "unexpected column note");
    assert!(
        found[0].1.starts_with("--- database\n+++ other database\n"),
        "{}",
        found[0].1
    );
}

/// A database name quoted for the server.
fn quoted(db: &Db, name: &str) -> String {
    if db.is_postgres() {
        format!("\"{name}\"")
    } else {
        format!("`{name}`")
    }
}

/// Drops the databases it names when the test ends, however it ends.
struct DropAll<'a>(&'a Db, Vec<String>);

impl Drop for DropAll<'_> {
    fn drop(&mut self) {
        let mut session = self.0.connect();
        for name in &self.1 {
            let sql = format!("DROP DATABASE IF EXISTS {}", quoted(self.0, name));
            let _ = session.execute(&sql, &[]);
        }
    }
}

/// A scratch database an earlier run left behind (killed before it could drop it, or kept) is
/// reported by the next `drift` with the statement that drops it; a recent one (another
/// machine's run may be using it) and other names are not. Nothing is dropped.
fn leftovers_scenario(db: &Db) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let unique = std::process::id();
    let old = format!(
        "tidemark_rehearse_{unique}_{}",
        now - 3 * 3_600_000 - 60_000
    );
    let recent = format!("tidemark_drift_{unique}_{}", now - 60_000);
    let other = format!("tidemark_kept_by_hand_{unique}");
    let guard = DropAll(db, vec![old.clone(), recent.clone(), other.clone()]);
    let mut session = db.connect();
    for name in &guard.1 {
        let sql = format!("CREATE DATABASE {}", quoted(db, name));
        session.execute(&sql, &[]).unwrap();
    }
    let p = Project::new();
    p.migration("V1__orders.sql", V1);
    let url = db.url();
    p.run(&["migrate", "--url", &url]).ok();
    let run = p.run(&["drift", "--url", &url]).ok();
    let warning = format!(
        "WARNING: The scratch database {old}, made 3 hours ago by a drift or rehearse that did not drop it"
    );
    assert!(
        run.stderr.contains(&warning),
        "{}: {}",
        db.label(),
        run.stderr
    );
    assert!(
        !run.stderr.contains(&recent),
        "{}: {}",
        db.label(),
        run.stderr
    );
    assert!(
        !run.stderr.contains(&other),
        "{}: {}",
        db.label(),
        run.stderr
    );
    let exists = if db.is_postgres() {
        "SELECT count(*) FROM pg_database WHERE datname = $1"
    } else {
        "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?"
    };
    assert_eq!(
        db.count(exists, &[tidemark_engine::driver::Value::Text(old.clone())]),
        1,
        "{}: reported, not dropped",
        db.label()
    );
    drop(guard);
}

#[test]
fn scratch_databases_left_behind_are_reported_on_postgres() {
    let Some(db) = Db::postgres() else {
        return;
    };
    leftovers_scenario(&db);
}

#[test]
fn scratch_databases_left_behind_are_reported_on_mariadb() {
    let Some(db) = Db::mariadb() else {
        return;
    };
    leftovers_scenario(&db);
}
