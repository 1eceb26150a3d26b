//! Bad input: clear errors naming files and lines, nothing written, the right exit code.

use super::support::Project;

#[test]
fn duplicate_versions_name_both_files_and_write_nothing() {
    let p = Project::new();
    p.migration("V1__first.sql", "CREATE TABLE a (id INT);")
        .migration("sub/V1.0__second.sql", "CREATE TABLE b (id INT);");
    let run = p.run(&["migrate"]).code(1);
    assert!(
        run.stderr
            .contains("Found more than one migration with version 1\nOffenders:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("migrations/V1__first.sql (SQL)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("migrations/sub/V1.0__second.sql (SQL)"),
        "{}",
        run.stderr
    );
    assert!(!p.has_table("flyway_schema_history"));
    assert!(!p.has_table("a"));
    let json = p.run(&["migrate", "--format", "json"]).code(1).json();
    assert_eq!(json["error"]["code"], "DUPLICATE_VERSIONED_MIGRATION");
}

#[test]
fn bad_names_are_skipped_with_a_warning_or_refused_when_validated() {
    let p = Project::new();
    p.migration("V1__ok.sql", "CREATE TABLE a (id INT);")
        .migration("V1_x__bad.sql", "x")
        .migration("schema.sql", "x");
    let run = p.run(&["migrate"]).ok();
    assert!(run.stderr.contains("2 SQL migrations were detected but not run because they did not follow the filename convention."), "{}", run.stderr);
    assert!(run.stderr.contains("schema.sql"), "{}", run.stderr);

    let q = Project::new();
    q.migration("V1__ok.sql", "CREATE TABLE a (id INT);")
        .migration("V1_x__bad.sql", "x");
    let run = q.run(&["migrate", "-validateMigrationNaming=true"]).code(1);
    assert!(
        run.stderr.contains("Invalid SQL filenames found:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("V1_x__bad.sql"), "{}", run.stderr);
    assert!(!q.has_table("flyway_schema_history"));
}

#[test]
fn non_utf8_file_is_a_clear_error_and_the_encoding_setting_fixes_it() {
    let p = Project::new();
    p.file(
        "migrations/V1__latin1.sql",
        b"CREATE TABLE t (name TEXT);\nINSERT INTO t VALUES ('caf\xe9');\n",
    );
    let run = p.run(&["migrate"]).code(1);
    assert!(
        run.stderr
            .contains("Unable to calculate checksum of migrations/V1__latin1.sql"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(line 2)"), "{}", run.stderr);
    assert!(run.stderr.contains("encoding"), "{}", run.stderr);
    assert!(!p.has_table("flyway_schema_history"));
    p.run(&["migrate", "-encoding=ISO-8859-1"]).ok();
    let name: String = p
        .db()
        .query_row("SELECT name FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "café");
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::new();
    let unknown = p.run(&["migrate", "-noSuchSetting=1"]).code(2);
    assert!(
        unknown.stderr.contains("noSuchSetting"),
        "{}",
        unknown.stderr
    );
    let bad_bool = p.run(&["migrate", "-outOfOrder=maybe"]).code(2);
    assert!(
        bad_bool.stderr.contains("should be either true or false"),
        "{}",
        bad_bool.stderr
    );
    let bad_target = p.run(&["migrate", "--target", "v1"]).code(2);
    assert!(
        bad_target.stderr.contains("Invalid target"),
        "{}",
        bad_target.stderr
    );
    let bad_url = p
        .run(&["info", "--url", "oracle://scott:tiger@db/orcl"])
        .code(2);
    assert!(
        !bad_url.all().contains("tiger"),
        "password leaked: {}",
        bad_url.all()
    );
    p.run(&["no-such-command"]).code(2);
    let json = p
        .run(&["migrate", "-outOfOrder=maybe", "--format", "json"])
        .code(2)
        .json();
    assert_eq!(json["error"]["code"], "CONFIGURATION");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("outOfOrder")
    );
}

#[test]
fn mixed_transactional_statements_are_refused_as_in_flyway() {
    let p = Project::new();
    p.migration(
        "V1__mixed.sql",
        "CREATE TABLE a (id INT);\nPRAGMA foreign_keys = ON;\n",
    );
    let run = p.run(&["migrate"]).code(1);
    assert!(run.stderr.contains("Detected both transactional and non-transactional statements within the same migration (even though mixed is false). Offending statement found at line 2: PRAGMA foreign_keys = ON"), "{}", run.stderr);
    assert!(!p.has_table("a"));
    let run = p.run(&["migrate", "-mixed=true"]).ok();
    assert!(run.stdout.contains("[non-transactional]"), "{}", run.stdout);
    assert!(p.has_table("a"));
}
