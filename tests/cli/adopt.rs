//! `tidemark adopt --from refinery|sqlx|dbmate`: a database migrated by another tool is taken
//! over without re-running anything.
//!
//! refinery's database is really migrated by the `refinery` crate (on PostgreSQL). The sqlx and
//! dbmate databases get their history tables exactly as those tools create them (the DDL from
//! their sources, on SQLite and PostgreSQL) with the rows they insert, after the migrations' SQL
//! has really run. Each test then checks the renamed files, the new history rows (Flyway's
//! checksums of the new files, ranks in the other tool's order), that `validate` is clean, and
//! that `migrate` applies only what the other tool had not.

use std::path::{Path, PathBuf};

use tidemark_engine::driver::Value;
use tidemark_ledger::adopt::sha384_hex;
use tidemark_ledger::checksum;

use super::servers::Db;
use super::support::{Project, Run};

/// The `_sqlx_migrations` table as sqlx creates it on SQLite (`sqlx-sqlite/src/migrate.rs`).
const SQLX_SQLITE_DDL: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);";

/// The same on PostgreSQL (`sqlx-postgres/src/migrate.rs`).
const SQLX_POSTGRES_DDL: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// dbmate's `schema_migrations` on SQLite, PostgreSQL and MySQL/MariaDB (`pkg/driver/*/`).
const DBMATE_SQLITE_DDL: &str =
    "create table if not exists \"schema_migrations\" (version varchar(128) primary key)";
const DBMATE_POSTGRES_DDL: &str =
    "create table if not exists public.schema_migrations (version varchar(255) primary key)";
const DBMATE_MYSQL_DDL: &str =
    "create table if not exists schema_migrations (version varchar(255) primary key)";

fn read(p: &Project, name: &str) -> String {
    std::fs::read_to_string(p.path().join("migrations").join(name))
        .unwrap_or_else(|e| panic!("migrations/{name}: {e}"))
}

fn exists(p: &Project, name: &str) -> bool {
    p.path().join("migrations").join(name).exists()
}

/// Every file under `migrations/`, sorted, `/`-separated.
fn listing(p: &Project) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(&p.path().join("migrations"), "", &mut out);
    out.sort();
    out
}

/// `rank|version|script|checksum|success` of the SQLite project's history.
fn sqlite_rows(p: &Project) -> Vec<String> {
    let db = p.db();
    let mut stmt = db
        .prepare("SELECT installed_rank, version, script, checksum, success, execution_time FROM flyway_schema_history ORDER BY installed_rank")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{}|{}|{}|{}|{}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The row adopt must write for a file: its Flyway checksum, success.
fn row(p: &Project, rank: usize, version: &str, script: &str) -> String {
    format!(
        "{rank}|{version}|{script}|{}|1",
        checksum::flyway(&read(p, script))
    )
}

/// A sqlx project on SQLite: a reversible migration and a simple one applied by "sqlx" (their
/// SQL run, their rows inserted as sqlx inserts them), a third one pending.
fn sqlx_sqlite() -> Project {
    let p = Project::new();
    p.migration(
        "20240101000000_create_users.up.sql",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
    )
    .migration(
        "20240101000000_create_users.down.sql",
        "DROP TABLE users;\n",
    )
    .migration(
        "20240102000000_user_names.sql",
        "-- no-transaction\nCREATE INDEX users_name ON users (name);\n",
    )
    .migration(
        "20240103000000_add_email.sql",
        "ALTER TABLE users ADD COLUMN email TEXT;\n",
    );
    let db = p.db();
    db.execute_batch(SQLX_SQLITE_DDL).unwrap();
    for (version, description, file) in [
        (
            20240101000000_i64,
            "create users",
            "20240101000000_create_users.up.sql",
        ),
        (
            20240102000000,
            "user names",
            "20240102000000_user_names.sql",
        ),
    ] {
        let sql = read(&p, file);
        db.execute_batch(&sql).unwrap();
        db.execute(
            "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( ?1, ?2, TRUE, ?3, -1 )",
            rusqlite::params![version, description, sha384(&sql)],
        )
        .unwrap();
    }
    p
}

fn sha384(text: &str) -> Vec<u8> {
    let hex = sha384_hex(text.as_bytes());
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn sqlx_on_sqlite_is_adopted_and_only_the_rest_is_migrated() {
    let p = sqlx_sqlite();
    let before = listing(&p);

    // The dry run prints the plan and changes nothing.
    let dry = p.run(&["adopt", "--from", "sqlx", "--dry-run"]).ok();
    for expected in [
        "rename migrations/20240101000000_create_users.up.sql -> migrations/V20240101000000__create_users.sql",
        "rename migrations/20240101000000_create_users.down.sql -> migrations/U20240101000000__create_users.sql",
        "rename migrations/20240102000000_user_names.sql -> migrations/V20240102000000__user_names.sql",
        "write  migrations/V20240102000000__user_names.sql.conf",
        "Pending afterwards: V20240103000000__add_email.sql",
        "Dry run: nothing was changed.",
    ] {
        assert!(dry.stdout.contains(expected), "{expected}\n{}", dry.stdout);
    }
    assert!(dry.stdout.contains("create users"), "{}", dry.stdout);
    assert_eq!(listing(&p), before);
    assert!(!p.has_table("flyway_schema_history"));

    let run = p.run(&["adopt", "--from", "sqlx"]).ok();
    assert!(
        run.stdout.contains("Adopted 2 migrations applied by sqlx into \"main\".\"flyway_schema_history\"; 1 pending"),
        "{}",
        run.stdout
    );
    assert_eq!(
        listing(&p),
        [
            "U20240101000000__create_users.sql",
            "V20240101000000__create_users.sql",
            "V20240102000000__user_names.sql",
            "V20240102000000__user_names.sql.conf",
            "V20240103000000__add_email.sql",
        ]
    );
    // Renamed, not rewritten.
    assert_eq!(
        read(&p, "U20240101000000__create_users.sql"),
        "DROP TABLE users;\n"
    );
    assert_eq!(
        read(&p, "V20240102000000__user_names.sql.conf"),
        "executeInTransaction=false\n"
    );
    assert_eq!(
        sqlite_rows(&p),
        [
            row(&p, 1, "20240101000000", "V20240101000000__create_users.sql"),
            row(&p, 2, "20240102000000", "V20240102000000__user_names.sql"),
        ]
    );
    let descriptions: Vec<String> = p
        .history()
        .iter()
        .map(|r| r.split('|').nth(2).unwrap().to_string())
        .collect();
    assert_eq!(descriptions, ["create users", "user names"]);
    assert!(p.has_table("flyway_schema_history_tidemark"));
    assert!(
        p.has_table("_sqlx_migrations"),
        "the other tool's table stays"
    );

    // Clean but for the pending migration; migrate applies only that one.
    p.run(&["validate", "-ignoreMigrationPatterns=*:pending"])
        .ok();
    assert_eq!(
        p.states(),
        [
            "20240101000000:Success",
            "20240102000000:Success",
            "20240103000000:Pending"
        ]
    );
    let migrate = p.run(&["migrate"]).ok();
    assert!(
        migrate.stdout.contains("Successfully applied 1 migration"),
        "{}",
        migrate.stdout
    );
    assert_eq!(p.history().len(), 3);
    p.run(&["validate"]).ok();

    // A second adopt is refused: the history exists now.
    let again = p.run(&["adopt", "--from", "sqlx"]).code(1);
    assert!(
        again
            .stderr
            .contains("tidemark's history table \"main\".\"flyway_schema_history\" already exists"),
        "{}",
        again.stderr
    );
}

#[test]
fn sqlx_json_dry_run_lists_files_and_rows() {
    let p = sqlx_sqlite();
    let doc = p
        .run(&["adopt", "--from", "sqlx", "--dry-run", "--format", "json"])
        .ok()
        .json();
    assert_eq!(doc["operation"], "adopt");
    assert_eq!(doc["from"], "sqlx");
    assert_eq!(doc["dryRun"], true);
    assert_eq!(doc["files"][0]["action"], "rename");
    assert_eq!(doc["rows"].as_array().unwrap().len(), 2);
    let text = read(&p, "20240101000000_create_users.up.sql");
    assert_eq!(doc["rows"][0]["checksum"], checksum::flyway(&text));
    assert_eq!(
        doc["rows"][0]["script"],
        "V20240101000000__create_users.sql"
    );
    assert_eq!(doc["rows"][0]["type"], "SQL");
    assert_eq!(doc["pending"][0], "V20240103000000__add_email.sql");
}

#[test]
fn sqlx_refusals_change_nothing() {
    // A file sqlx applied is missing.
    let p = sqlx_sqlite();
    p.remove("migrations/20240102000000_user_names.sql");
    let before = listing(&p);
    let run = p.run(&["adopt", "--from", "sqlx"]).code(1);
    assert!(
        run.stderr.contains("sqlx recorded version 20240102000000 (user names) as applied, but no migration file with that version is in migrations"),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&p), before);
    assert!(!p.has_table("flyway_schema_history"));

    // A file changed since sqlx applied it.
    let p = sqlx_sqlite();
    p.migration(
        "20240102000000_user_names.sql",
        "CREATE INDEX users_name ON users (name, id);\n",
    );
    let run = p.run(&["adopt", "--from", "sqlx"]).code(1);
    assert!(
        run.stderr
            .contains("20240102000000_user_names.sql changed since sqlx applied it"),
        "{}",
        run.stderr
    );

    // A failed (dirty) migration.
    let p = sqlx_sqlite();
    p.db()
        .execute(
            "UPDATE _sqlx_migrations SET success = FALSE WHERE version = 20240102000000",
            [],
        )
        .unwrap();
    let run = p.run(&["adopt", "--from", "sqlx"]).code(1);
    assert!(
        run.stderr.contains("as failed (success = false)"),
        "{}",
        run.stderr
    );

    // A Flyway name that is taken already.
    let p = sqlx_sqlite();
    p.migration("V20240103000000__add_email.sql", "SELECT 1;\n");
    let run = p.run(&["adopt", "--from", "sqlx"]).code(1);
    assert!(
        run.stderr
            .contains("migrations/V20240103000000__add_email.sql already exists"),
        "{}",
        run.stderr
    );

    // No sqlx history at all.
    let p = Project::new();
    p.migration("1_a.sql", "SELECT 1;\n");
    let run = p.run(&["adopt", "--from", "sqlx"]).code(1);
    assert!(
        run.stderr.contains(
            "No sqlx history table \"_sqlx_migrations\" in schema \"main\": nothing to adopt"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&p), ["1_a.sql"]);

    // An unknown tool is a usage error.
    p.run(&["adopt", "--from", "flyway"]).code(2);
}

#[test]
fn files_are_put_back_when_the_history_cannot_be_written() {
    // A second location holds another version 20240101000000: resolving fails after the renames,
    // so they are undone and nothing is recorded.
    let p = sqlx_sqlite();
    p.file("more/V20240101000000__clash.sql", b"SELECT 1;\n");
    let before = listing(&p);
    let run = p
        .run(&[
            "adopt",
            "--from",
            "sqlx",
            "-locations=filesystem:migrations,filesystem:more",
        ])
        .code(1);
    assert!(
        run.stderr.contains("The files were put back as they were."),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&p), before);
    assert!(!p.has_table("flyway_schema_history"));
}

/// A dbmate project: three migrations (the tests apply the first two as dbmate does).
fn dbmate_files(p: &Project) {
    dbmate_first_two(p);
    dbmate_third(p);
}

fn dbmate_first_two(p: &Project) {
    p.migration(
        "20240101000000_create_users.sql",
        "-- The users.\n-- migrate:up\ncreate table users (id integer primary key, name text);\n\n-- migrate:down\ndrop table users;\n",
    )
    .migration(
        "20240102000000_seed.sql",
        "-- migrate:up transaction:false\ninsert into users (id, name) values (1, 'ada');\n-- migrate:down\n",
    );
}

/// The migration written after the switch.
fn dbmate_third(p: &Project) {
    p.migration(
        "20240103000000_add_email.sql",
        "-- migrate:up\nalter table users add column email text;\n\n-- migrate:down\nalter table users drop column email;\n",
    );
}

/// The up block of a dbmate file, as dbmate runs it.
fn up_block(text: &str) -> &str {
    let start = text.find("-- migrate:up").unwrap();
    let end = text.find("-- migrate:down").unwrap();
    &text[start..end]
}

#[test]
fn dbmate_on_sqlite_is_split_and_adopted() {
    let p = Project::new();
    dbmate_files(&p);
    let db = p.db();
    db.execute_batch(DBMATE_SQLITE_DDL).unwrap();
    for version in ["20240101000000", "20240102000000"] {
        let file = listing(&p)
            .into_iter()
            .find(|f| f.starts_with(version))
            .unwrap();
        db.execute_batch(up_block(&read(&p, &file))).unwrap();
        db.execute(
            "insert into \"schema_migrations\" (version) values (?)",
            [version],
        )
        .unwrap();
    }
    drop(db);

    let run = p.run(&["adopt", "--from", "dbmate"]).ok();
    assert!(
        run.stdout
            .contains("remove migrations/20240101000000_create_users.sql (split above)"),
        "{}",
        run.stdout
    );
    assert_eq!(
        listing(&p),
        [
            "U20240101000000__create_users.sql",
            "U20240103000000__add_email.sql",
            "V20240101000000__create_users.sql",
            "V20240102000000__seed.sql",
            "V20240102000000__seed.sql.conf",
            "V20240103000000__add_email.sql",
        ]
    );
    assert_eq!(
        read(&p, "V20240101000000__create_users.sql"),
        "-- The users.\ncreate table users (id integer primary key, name text);\n"
    );
    assert_eq!(
        read(&p, "U20240101000000__create_users.sql"),
        "drop table users;\n"
    );
    assert_eq!(
        read(&p, "V20240103000000__add_email.sql"),
        "alter table users add column email text;\n"
    );
    assert_eq!(
        sqlite_rows(&p),
        [
            row(&p, 1, "20240101000000", "V20240101000000__create_users.sql"),
            row(&p, 2, "20240102000000", "V20240102000000__seed.sql"),
        ]
    );
    p.run(&["validate", "-ignoreMigrationPatterns=*:pending"])
        .ok();
    p.run(&["migrate"]).ok();
    assert_eq!(p.history().len(), 3);
    p.run(&["validate"]).ok();
    // The seed ran once (by dbmate), not again.
    let users: i64 = p
        .db()
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1);
    // The down block became a working undo.
    p.run(&["undo"]).ok();
    let columns: i64 = p
        .db()
        .query_row(
            "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(columns, 0);
}

fn run_on(p: &Project, db: &Db, args: &[&str]) -> Run {
    let url = db.url();
    let mut all = args.to_vec();
    all.extend(["--url", url.as_str()]);
    p.run(&all)
}

/// `rank|version|script|checksum|success` of a server database's history.
fn server_rows(db: &Db) -> Vec<String> {
    db.connect()
        .query(
            "SELECT installed_rank, version, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank",
            &[],
        )
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}",
                r[0].as_i64().unwrap(),
                r[1].as_text().unwrap(),
                r[2].as_text().unwrap(),
                r[3].as_i64().unwrap(),
                u8::from(r[4].as_bool().unwrap())
            )
        })
        .collect()
}

#[test]
fn refinery_on_postgres_is_adopted() {
    let Some(db) = Db::postgres() else { return };
    let p = Project::new();
    p.migration(
        "V1__create_people.sql",
        "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(255));\n",
    )
    .migration(
        "V2__add_city.sql",
        "ALTER TABLE people ADD COLUMN city VARCHAR(255);\n",
    )
    .migration(
        "seeds/U3__seed_people.sql",
        "INSERT INTO people (id, name, city) VALUES (1, 'Ada', 'London');\n",
    );

    // refinery itself migrates the database.
    let mut client = postgres::Client::connect(&db.url(), postgres::NoTls).expect("connect");
    let migrations = refinery::load_sql_migrations(p.path().join("migrations")).unwrap();
    let report = refinery::Runner::new(&migrations)
        .run(&mut client)
        .expect("refinery migrates");
    assert_eq!(report.applied_migrations().len(), 3);
    drop(client);
    // A migration written after the switch.
    p.migration(
        "V4__add_email.sql",
        "ALTER TABLE people ADD COLUMN email VARCHAR(255);\n",
    );

    let dry = run_on(&p, &db, &["adopt", "--from", "refinery", "--dry-run"]).ok();
    assert!(
        dry.stdout.contains(
            "rename migrations/seeds/U3__seed_people.sql -> migrations/seeds/V3__seed_people.sql"
        ),
        "{}",
        dry.stdout
    );
    assert!(!db.has_table("flyway_schema_history"));
    assert!(exists(&p, "seeds/U3__seed_people.sql"));

    let run = run_on(&p, &db, &["adopt", "--from", "refinery"]).ok();
    assert!(
        run.stderr
            .contains("WARNING: seeds/U3__seed_people.sql is an unversioned refinery migration"),
        "{}",
        run.stderr
    );
    assert_eq!(
        listing(&p),
        [
            "V1__create_people.sql",
            "V2__add_city.sql",
            "V4__add_email.sql",
            "seeds/V3__seed_people.sql",
        ]
    );
    assert_eq!(
        server_rows(&db),
        [
            row(&p, 1, "1", "V1__create_people.sql"),
            row(&p, 2, "2", "V2__add_city.sql"),
            row(&p, 3, "3", "seeds/V3__seed_people.sql"),
        ]
    );
    assert!(db.has_table("refinery_schema_history"));
    assert!(db.has_table("flyway_schema_history_tidemark"));

    run_on(&p, &db, &["validate", "-ignoreMigrationPatterns=*:pending"]).ok();
    let migrate = run_on(&p, &db, &["migrate"]).ok();
    assert!(
        migrate
            .stdout
            .contains("Migrating schema \"public\" to version \"4 - add email\""),
        "{}",
        migrate.stdout
    );
    assert!(
        migrate.stdout.contains("Successfully applied 1 migration"),
        "{}",
        migrate.stdout
    );
    run_on(&p, &db, &["validate"]).ok();
    assert_eq!(
        db.count("SELECT count(*) FROM people", &[]),
        1,
        "the seed ran once"
    );
}

#[test]
fn sqlx_on_postgres_is_adopted() {
    let Some(db) = Db::postgres() else { return };
    let p = Project::new();
    p.migration("1_create_items.up.sql", "CREATE TABLE items (id INT);\n")
        .migration("1_create_items.down.sql", "DROP TABLE items;\n")
        .migration(
            "2_add_name.sql",
            "ALTER TABLE items ADD COLUMN name TEXT;\n",
        )
        .migration(
            "3_add_note.sql",
            "ALTER TABLE items ADD COLUMN note TEXT;\n",
        );
    let mut driver = db.connect();
    driver.execute(SQLX_POSTGRES_DDL, &[]).unwrap();
    for (version, description, file) in [
        (1, "create items", "1_create_items.up.sql"),
        (2, "add name", "2_add_name.sql"),
    ] {
        let sql = read(&p, file);
        driver.execute(&sql, &[]).unwrap();
        driver
            .execute(
                "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( $1, $2, TRUE, decode($3, 'hex'), -1 )",
                &[
                    Value::Int(version),
                    Value::Text(description.into()),
                    Value::Text(sha384_hex(sql.as_bytes())),
                ],
            )
            .unwrap();
    }
    drop(driver);

    run_on(&p, &db, &["adopt", "--from", "sqlx"]).ok();
    assert_eq!(
        server_rows(&db),
        [
            row(&p, 1, "1", "V1__create_items.sql"),
            row(&p, 2, "2", "V2__add_name.sql"),
        ]
    );
    run_on(&p, &db, &["migrate"]).ok();
    assert_eq!(db.history().len(), 3);
    run_on(&p, &db, &["validate"]).ok();
}

#[test]
fn dbmate_on_postgres_is_adopted() {
    let Some(db) = Db::postgres() else { return };
    dbmate_on_server(&db, DBMATE_POSTGRES_DDL);
}

#[test]
fn dbmate_on_mariadb_is_adopted() {
    let Some(db) = Db::mariadb() else { return };
    dbmate_on_server(&db, DBMATE_MYSQL_DDL);
}

/// dbmate's flow on a server: its table, the first two up blocks and their rows, then adopt.
fn dbmate_on_server(db: &Db, ddl: &str) {
    let label = db.label();
    let p = Project::new();
    dbmate_files(&p);
    let mut driver = db.connect();
    driver.execute(ddl, &[]).unwrap();
    for version in ["20240101000000", "20240102000000"] {
        let file = listing(&p)
            .into_iter()
            .find(|f| f.starts_with(version))
            .unwrap();
        driver.execute(up_block(&read(&p, &file)), &[]).unwrap();
        driver
            .execute(
                &format!("insert into schema_migrations (version) values ('{version}')"),
                &[],
            )
            .unwrap();
    }
    drop(driver);

    run_on(&p, db, &["adopt", "--from", "dbmate"]).ok();
    assert_eq!(
        server_rows(db),
        [
            row(&p, 1, "20240101000000", "V20240101000000__create_users.sql"),
            row(&p, 2, "20240102000000", "V20240102000000__seed.sql"),
        ],
        "{label}"
    );
    run_on(&p, db, &["migrate"]).ok();
    assert_eq!(db.history().len(), 3, "{label}");
    run_on(&p, db, &["validate"]).ok();
    assert_eq!(db.count("SELECT count(*) FROM users", &[]), 1, "{label}");
}

/// An optional real tool: `$VAR`, else the cache folder outside the repository where it may have
/// been installed (`~/.cache/tidemark-tools/`, see the README); `None`, with a note on stderr,
/// when it is not there. The tests above do not need it: they create the tool's table as its
/// source does.
fn installed_tool(var: &str, cached: &str) -> Option<PathBuf> {
    let path = std::env::var_os(var).map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|home| {
            PathBuf::from(home)
                .join(".cache/tidemark-tools")
                .join(cached)
        })
    })?;
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} not found (set {var}, or install the tool there to run this test)",
            path.display()
        );
        None
    }
}

/// Runs a real tool in the project folder.
#[track_caller]
fn run_tool(p: &Project, tool: &Path, args: &[&str]) {
    let out = std::process::Command::new(tool)
        .args(args)
        .current_dir(p.path())
        .output()
        .expect("run the tool");
    assert!(
        out.status.success(),
        "{} {args:?}\nstdout:\n{}\nstderr:\n{}",
        tool.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server URL with `sslmode=disable` (the Go and sqlx clients would try TLS first).
fn plain_url(db: &Db) -> String {
    let url = db.url();
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

#[test]
fn dbmate_itself_then_adopt() {
    let Some(dbmate) = installed_tool("TIDEMARK_DBMATE", "dbmate/node_modules/.bin/dbmate") else {
        return;
    };
    // SQLite.
    let p = Project::new();
    dbmate_first_two(&p);
    let up = [
        "--url",
        "sqlite:tidemark.db",
        "--migrations-dir",
        "migrations",
        "--no-dump-schema",
        "up",
    ];
    run_tool(&p, &dbmate, &up);
    dbmate_third(&p);
    p.run(&["adopt", "--from", "dbmate"]).ok();
    assert_eq!(
        sqlite_rows(&p),
        [
            row(&p, 1, "20240101000000", "V20240101000000__create_users.sql"),
            row(&p, 2, "20240102000000", "V20240102000000__seed.sql"),
        ]
    );
    p.run(&["migrate"]).ok();
    assert_eq!(p.history().len(), 3);
    p.run(&["validate"]).ok();

    // PostgreSQL.
    let Some(db) = Db::postgres() else { return };
    let p = Project::new();
    dbmate_first_two(&p);
    let url = plain_url(&db);
    let mut up = up;
    up[1] = &url;
    run_tool(&p, &dbmate, &up);
    dbmate_third(&p);
    run_on(&p, &db, &["adopt", "--from", "dbmate"]).ok();
    assert_eq!(db.history().len(), 2);
    run_on(&p, &db, &["migrate"]).ok();
    run_on(&p, &db, &["validate"]).ok();
    assert_eq!(db.count("SELECT count(*) FROM users", &[]), 1);
}

#[test]
fn sqlx_itself_then_adopt() {
    let Some(sqlx) = installed_tool("TIDEMARK_SQLX", "sqlx/bin/sqlx") else {
        return;
    };
    let first_two = |p: &Project| {
        p.migration(
            "20240101000000_create_users.up.sql",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
        )
        .migration(
            "20240101000000_create_users.down.sql",
            "DROP TABLE users;\n",
        )
        .migration(
            "20240102000000_seed.up.sql",
            "INSERT INTO users (id, name) VALUES (1, 'ada');\n",
        )
        .migration("20240102000000_seed.down.sql", "DELETE FROM users;\n");
    };
    let third = |p: &Project| {
        p.migration(
            "20240103000000_add_email.up.sql",
            "ALTER TABLE users ADD COLUMN email TEXT;\n",
        )
        .migration(
            "20240103000000_add_email.down.sql",
            "ALTER TABLE users DROP COLUMN email;\n",
        );
    };
    let check = |p: &Project, rows: Vec<String>| {
        assert_eq!(
            rows,
            [
                row(p, 1, "20240101000000", "V20240101000000__create_users.sql"),
                row(p, 2, "20240102000000", "V20240102000000__seed.sql"),
            ]
        );
        assert_eq!(read(p, "U20240102000000__seed.sql"), "DELETE FROM users;\n");
    };

    // SQLite.
    let p = Project::new();
    first_two(&p);
    run_tool(
        &p,
        &sqlx,
        &[
            "migrate",
            "run",
            "--database-url",
            "sqlite:tidemark.db?mode=rwc",
            "--source",
            "migrations",
        ],
    );
    third(&p);
    p.run(&["adopt", "--from", "sqlx"]).ok();
    check(&p, sqlite_rows(&p));
    p.run(&["migrate"]).ok();
    assert_eq!(p.history().len(), 3);
    p.run(&["validate"]).ok();

    // PostgreSQL.
    let Some(db) = Db::postgres() else { return };
    let p = Project::new();
    first_two(&p);
    let url = plain_url(&db);
    run_tool(
        &p,
        &sqlx,
        &[
            "migrate",
            "run",
            "--database-url",
            &url,
            "--source",
            "migrations",
        ],
    );
    third(&p);
    run_on(&p, &db, &["adopt", "--from", "sqlx"]).ok();
    check(&p, server_rows(&db));
    run_on(&p, &db, &["migrate"]).ok();
    run_on(&p, &db, &["validate"]).ok();
    assert_eq!(db.count("SELECT count(*) FROM users", &[]), 1);
}
