//! A failing statement: exit 1, the file and the statement's line, and the database's own error
//! (SQLSTATE and message), in text and in JSON.

use super::super::support::Project;
use super::Db;

/// Migrates V1 (fine) and V2 whose third line fails, printing text or JSON; checks what the
/// user is told.
fn bad_third_line(db: &Db, json: bool, sqlstate: &str, message: &str) {
    let p = Project::new();
    p.migration("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n")
        .migration(
            "V2__bad.sql",
            "INSERT INTO ok_table (id) VALUES (1);\n\
             INSERT INTO ok_table (id) VALUES (2);\n\
             INSERT INTO missing_table (id) VALUES (3);\n\
             INSERT INTO ok_table (id) VALUES (4);\n",
        );
    let url = db.url();
    let label = db.label();
    if json {
        let run = p
            .run(&["migrate", "--url", &url, "--format", "json"])
            .code(1);
        let error = run.json()["error"].to_string();
        for expected in ["V2__bad.sql", sqlstate, &message.replace('"', "\\\"")] {
            assert!(
                error.contains(expected),
                "{label}: expected '{expected}' in the JSON error:\n{}",
                run.stdout
            );
        }
        return;
    }
    let run = p.run(&["migrate", "--url", &url]).code(1);
    for expected in [
        "Migration V2__bad.sql failed!",
        "migrations/V2__bad.sql:3",
        "Line       : 3",
        &format!("SQL State  : {sqlstate}"),
        message,
        "Statement  : INSERT INTO missing_table (id) VALUES (3)",
    ] {
        assert!(
            run.stderr.contains(expected),
            "{label}: expected '{expected}' in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn postgres_failing_statement_names_file_line_sqlstate_and_message() {
    for json in [false, true] {
        let Some(db) = Db::postgres() else { return };
        bad_third_line(
            &db,
            json,
            "42P01",
            "relation \"missing_table\" does not exist",
        );
        // The migration and its row rolled back together.
        assert_eq!(db.history(), ["1|1|V1__ok.sql|1"]);
        assert_eq!(db.count("SELECT count(*) FROM ok_table", &[]), 0);
    }
}

#[test]
fn mariadb_failing_statement_names_file_line_sqlstate_and_message() {
    for json in [false, true] {
        let Some(db) = Db::mariadb() else { return };
        let message = format!("Table '{}.missing_table' doesn't exist", db.name());
        bad_third_line(&db, json, "42S02", &message);
        // MariaDB keeps an honest failed row.
        assert_eq!(db.history(), ["1|1|V1__ok.sql|1", "2|2|V2__bad.sql|0"]);
    }
}
