//! `info`, `migrate` and `validate` through the binary with the URL forms Flyway users bring: a
//! `jdbc:` URL with the user as a parameter, and Flyway's `-url=... -user=...` flags.

use super::super::support::Project;
use super::{Db, FIVE_APPLIED, five_migrations};

const PENDING: [&str; 5] = [
    "1:Pending",
    "2:Pending",
    "3:Pending",
    "4:Pending",
    "items view:Pending",
];

const SUCCESS: [&str; 5] = [
    "1:Success",
    "2:Success",
    "3:Success",
    "4:Success",
    "items view:Success",
];

/// info (pending), migrate, info (applied), validate, migrate again (nothing to do), each with
/// `connection` (the arguments naming the database).
fn smoke(db: &Db, connection: &[&str]) {
    let p = Project::new();
    five_migrations(db, &p, "0");
    let label = db.label();
    let with = |command: &'static str| {
        let mut args = vec![command];
        args.extend_from_slice(connection);
        args
    };
    let info = p.run(&with("info")).ok();
    assert!(
        info.stdout.contains("Schema version: << Empty Schema >>"),
        "{label}: {}",
        info.stdout
    );
    assert!(
        info.stdout.contains(&format!("/{}", db.name())),
        "{label}: the Database: line names the database:\n{}",
        info.stdout
    );
    assert_eq!(p.states_with(connection), PENDING, "{label}");
    assert!(
        !db.has_table("flyway_schema_history"),
        "{label}: info must not write"
    );

    let run = p.run(&with("migrate")).ok();
    assert!(
        run.stdout.contains("Successfully applied 5 migrations"),
        "{label}: {}",
        run.stdout
    );
    assert_eq!(db.history(), FIVE_APPLIED, "{label}");
    assert_eq!(p.states_with(connection), SUCCESS, "{label}");

    let validate = p.run(&with("validate")).ok();
    assert!(
        validate
            .stdout
            .contains("Successfully validated 5 migrations"),
        "{label}: {}",
        validate.stdout
    );
    let again = p.run(&with("migrate")).ok();
    assert!(
        again
            .stdout
            .contains("is up to date. No migration necessary."),
        "{label}: {}",
        again.stdout
    );
    assert_eq!(db.history(), FIVE_APPLIED, "{label}");

    // A changed script is caught by validate, with exit 1.
    p.migration(
        "V3__add_note.sql",
        "ALTER TABLE items ADD COLUMN note VARCHAR(60);\n",
    );
    let changed = p.run(&with("validate")).code(1);
    assert!(
        changed
            .stderr
            .contains("Migration checksum mismatch for migration version 3"),
        "{label}: {}",
        changed.stderr
    );
}

/// `?user=...[&password=...]` for the test server's credentials.
fn user_params(db: &Db) -> String {
    match db.credentials() {
        (user, Some(password)) => format!("user={user}&password={password}"),
        (user, None) => format!("user={user}"),
    }
}

/// `-user=... [-password=...]` for the test server's credentials.
fn user_flags(db: &Db) -> Vec<String> {
    let (user, password) = db.credentials();
    let mut flags = vec![format!("-user={user}")];
    flags.extend(password.map(|p| format!("-password={p}")));
    flags
}

#[test]
fn postgres_jdbc_url_with_the_user_as_a_parameter() {
    let Some(db) = Db::postgres() else { return };
    let url = format!(
        "jdbc:postgresql://{}/{}?{}",
        db.address(),
        db.name(),
        user_params(&db)
    );
    smoke(&db, &["--url", &url]);
}

#[test]
fn postgres_flyway_form_url_and_user_flags() {
    let Some(db) = Db::postgres() else { return };
    let mut flags = vec![format!(
        "-url=jdbc:postgresql://{}/{}",
        db.address(),
        db.name()
    )];
    flags.extend(user_flags(&db));
    smoke(&db, &flags.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn mariadb_jdbc_url_with_the_user_as_a_parameter() {
    let Some(db) = Db::mariadb() else { return };
    let url = format!(
        "jdbc:mariadb://{}/{}?{}",
        db.address(),
        db.name(),
        user_params(&db)
    );
    smoke(&db, &["--url", &url]);
}

#[test]
fn mariadb_flyway_form_url_and_user_flags() {
    let Some(db) = Db::mariadb() else { return };
    let mut flags = vec![format!(
        "-url=jdbc:mariadb://{}/{}",
        db.address(),
        db.name()
    )];
    flags.extend(user_flags(&db));
    smoke(&db, &flags.iter().map(String::as_str).collect::<Vec<_>>());
}
