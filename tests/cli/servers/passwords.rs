//! Passwords never appear in any output or error: not when the connection fails, whichever way
//! the password was given, and not when `info` and `migrate` succeed with a password in the URL
//! (the `Database:` line shows `***`).

use std::sync::atomic::{AtomicU32, Ordering};

use super::super::support::{Project, Run};
use super::Db;

const SECRET: &str = "S3cretPass";

#[track_caller]
fn assert_hidden(run: &Run, secret: &str, what: &str) {
    assert!(
        !run.all().contains(secret),
        "password leaked ({what}):\n{}",
        run.all()
    );
}

/// Runs `info` and `migrate`, in text and JSON, with `args` (and `env`); each must fail to
/// connect without showing the password.
fn failed_connects(case: &str, args: &[String], env: &[(&str, &str)]) {
    let mut p = Project::new();
    p.migration("V1__t.sql", "CREATE TABLE t (id INT);\n");
    for (key, value) in env {
        p.env(key, value);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for command in ["info", "migrate"] {
        for extra in [
            &[][..],
            &["--format", "json"],
            &["-X"],
            &["-connectRetries=1"],
        ] {
            let mut all = vec![command];
            all.extend_from_slice(&args);
            all.extend_from_slice(extra);
            let what = format!("{case}: {all:?}");
            let run = p.run(&all);
            assert_eq!(run.code, 1, "{what}: expected exit 1:\n{}", run.all());
            assert_hidden(&run, SECRET, &what);
            if extra.first() == Some(&"--format") {
                let json = run.json();
                assert_eq!(json["error"]["code"], "DB_CONNECTION", "{what}");
            } else {
                assert!(
                    run.stderr.contains("Unable to connect to the database"),
                    "{what}:\n{}",
                    run.stderr
                );
            }
        }
    }
}

#[test]
fn failed_postgres_connects_never_show_the_password() {
    let Some(db) = Db::postgres() else { return };
    let (user, _) = db.credentials();
    let at = db.address();
    let s = |v: &str| v.to_string();
    let missing = format!("{at}/nonexistent_db");
    failed_connects(
        "userinfo",
        &[s("--url"), format!("postgres://{user}:{SECRET}@{missing}")],
        &[],
    );
    failed_connects(
        "jdbc parameters",
        &[
            s("--url"),
            format!("jdbc:postgresql://{missing}?user={user}&password={SECRET}"),
        ],
        &[],
    );
    failed_connects(
        "--password",
        &[
            s("--url"),
            format!("postgres://{user}@{missing}"),
            s("--password"),
            s(SECRET),
        ],
        &[],
    );
    failed_connects(
        "Flyway-form flags",
        &[
            format!("-url=jdbc:postgresql://{missing}"),
            format!("-user={user}"),
            format!("-password={SECRET}"),
        ],
        &[],
    );
    failed_connects(
        "FLYWAY_PASSWORD",
        &[s("--url"), format!("postgres://{user}@{missing}")],
        &[("FLYWAY_PASSWORD", SECRET)],
    );
    failed_connects(
        "PGPASSWORD",
        &[s("--url"), format!("postgres://{user}@{missing}")],
        &[("PGPASSWORD", SECRET)],
    );
}

#[test]
fn failed_mariadb_connects_never_show_the_password() {
    let Some(db) = Db::mariadb() else { return };
    let (user, password) = db.credentials();
    if password.as_deref() == Some(SECRET) {
        eprintln!("the test server's password is {SECRET}: cannot test a wrong one");
        return;
    }
    let at = db.address();
    let s = |v: &str| v.to_string();
    let missing = format!("{at}/nonexistent_db");
    failed_connects(
        "userinfo, wrong password",
        &[s("--url"), format!("mysql://{user}:{SECRET}@{missing}")],
        &[],
    );
    failed_connects(
        "jdbc parameters, wrong password",
        &[
            s("--url"),
            format!("jdbc:mariadb://{missing}?user={user}&password={SECRET}"),
        ],
        &[],
    );
    failed_connects(
        "Flyway-form flags, wrong password",
        &[
            format!("-url=jdbc:mariadb://{missing}"),
            format!("-user={user}"),
            format!("-password={SECRET}"),
        ],
        &[],
    );
    failed_connects(
        "--password, wrong password",
        &[
            s("--url"),
            format!("mariadb://{user}@{missing}"),
            s("--password"),
            s(SECRET),
        ],
        &[],
    );
}

/// Runs `info`, `migrate`, `validate` and `info` again (text, JSON, debug) with `url`, which
/// holds `secret`; all succeed and none shows it.
fn successful_runs(db: &Db, url: &str, secret: &str, masked: &str) {
    let p = Project::new();
    p.migration("V1__t.sql", "CREATE TABLE t (id INT);\n")
        .migration("V2__u.sql", "CREATE TABLE u (id INT);\n");
    let label = db.label();
    let flyway_url = format!("-url={url}");
    let runs: [&[&str]; 7] = [
        &["info", "--url", url],
        &["info", "--url", url, "--format", "json"],
        &["-X", "migrate", "--url", url],
        &["info", "--url", url],
        &["validate", "--url", url],
        &["migrate", "--url", url, "--format", "json"],
        &[&flyway_url, "info"],
    ];
    for args in runs {
        let run = p.run(args).ok();
        assert_hidden(&run, secret, &format!("{label}: {args:?}"));
        if !args.contains(&"json") {
            assert!(
                run.stdout.contains(&format!("Database: {masked}")),
                "{label}: expected 'Database: {masked}' in:\n{}",
                run.stdout
            );
        }
    }
    assert_eq!(db.history(), ["1|1|V1__t.sql|1", "2|2|V2__u.sql|1"]);
}

#[test]
fn postgres_info_and_migrate_with_a_password_in_the_url_never_show_it() {
    let Some(db) = Db::postgres() else { return };
    let (user, password) = db.credentials();
    // Trust authentication ignores a password; a server that wants one gets its own.
    let secret = password.unwrap_or_else(|| SECRET.to_string());
    let at = db.address();
    let url = format!("postgres://{user}:{secret}@{at}/{}", db.name());
    let masked = format!("postgres://{user}:***@{at}/{}", db.name());
    successful_runs(&db, &url, &secret, &masked);
}

/// A MariaDB user with a password, allowed on one database; dropped with this guard.
struct User<'a> {
    db: &'a Db,
    name: String,
}

impl Drop for User<'_> {
    fn drop(&mut self) {
        if let Err(e) = self
            .db
            .connect()
            .execute(&format!("DROP USER IF EXISTS '{}'@'%'", self.name), &[])
        {
            eprintln!("could not drop test user {}: {e}", self.name);
        }
    }
}

#[test]
fn mariadb_info_and_migrate_with_a_password_in_the_url_never_show_it() {
    let Some(db) = Db::mariadb() else { return };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let user = User {
        db: &db,
        name: format!(
            "tm_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ),
    };
    let mut admin = db.connect();
    admin
        .execute(&format!("DROP USER IF EXISTS '{}'@'%'", user.name), &[])
        .unwrap();
    admin
        .execute(
            &format!("CREATE USER '{}'@'%' IDENTIFIED BY '{SECRET}'", user.name),
            &[],
        )
        .unwrap();
    admin
        .execute(
            &format!("GRANT ALL ON `{}`.* TO '{}'@'%'", db.name(), user.name),
            &[],
        )
        .unwrap();
    let at = db.address();
    let url = format!("mysql://{}:{SECRET}@{at}/{}", user.name, db.name());
    let masked = format!("mysql://{}:***@{at}/{}", user.name, db.name());
    successful_runs(&db, &url, SECRET, &masked);
}
