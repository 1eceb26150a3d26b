//! Undo, dry-run, the companion table's diffs, and `new`.

use super::support::Project;

fn five() -> Project {
    let p = Project::new();
    for n in 1..=5 {
        p.migration(
            &format!("V{n}__table_{n}.sql"),
            &format!("CREATE TABLE t{n} (id INT);\n"),
        );
        p.migration(
            &format!("U{n}__table_{n}.sql"),
            &format!("DROP TABLE t{n};\n"),
        );
    }
    p
}

#[test]
fn undo_twice_then_migrate_reapplies() {
    let p = five();
    p.run(&["migrate"]).ok();
    let run = p.run(&["undo"]).ok();
    assert!(
        run.stdout
            .contains("Undoing migration of schema \"main\" to version \"5 - table 5\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("now at version v4"), "{}", run.stdout);
    p.run(&["undo"]).ok();
    assert!(!p.has_table("t5") && !p.has_table("t4") && p.has_table("t3"));
    let history = p.history();
    assert_eq!(history[5], "6|5|table 5|UNDO_SQL|U5__table_5.sql|1");
    assert_eq!(history[6], "7|4|table 4|UNDO_SQL|U4__table_4.sql|1");
    assert_eq!(
        p.states(),
        [
            "1:Success",
            "2:Success",
            "3:Success",
            "4:Undone",
            "5:Undone",
            "5:Success",
            "4:Success",
            "4:Pending",
            "5:Pending"
        ]
    );
    let json = p.run(&["info", "--format", "json"]).ok().json();
    assert_eq!(json["schemaVersion"], "3");
    // The UNDO_SQL row is recorded with the U file's Flyway checksum.
    let undo_row = &json["migrations"][5];
    assert_eq!(undo_row["category"], "Undo");
    assert_eq!(undo_row["script"], "U5__table_5.sql");
    p.run(&["migrate"]).ok();
    assert!(p.has_table("t5"));
    assert_eq!(
        p.run(&["info", "--format", "json"]).ok().json()["schemaVersion"],
        "5"
    );
    p.run(&["validate"]).ok();
}

#[test]
fn undo_target_and_count() {
    let p = five();
    p.run(&["migrate"]).ok();
    p.run(&["undo", "--count", "2"]).ok();
    assert!(!p.has_table("t5") && !p.has_table("t4") && p.has_table("t3"));
    p.run(&["migrate"]).ok();
    // -target=3 undoes every applied version at or above 3, newest first.
    let run = p.run(&["-target=3", "undo"]).ok();
    let order: Vec<&str> = run
        .stdout
        .split('\n')
        .filter(|l| l.starts_with("Undoing"))
        .collect();
    assert_eq!(order.len(), 3, "{}", run.stdout);
    assert!(
        order[0].contains("\"5 - table 5\"") && order[2].contains("\"3 - table 3\""),
        "{order:?}"
    );
    assert!(p.has_table("t2") && !p.has_table("t3"));
}

#[test]
fn undo_without_undo_file_refuses_and_changes_nothing() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("V2__b.sql", "CREATE TABLE b (id INT);");
    p.migration("U1__a.sql", "DROP TABLE a;");
    p.run(&["migrate"]).ok();
    let before = p.history();
    let run = p.run(&["undo", "--count", "2"]).code(1);
    assert!(run.stderr.contains("Unable to undo migration to version 2 as no corresponding undo migration has been found."), "{}", run.stderr);
    assert_eq!(p.history(), before);
    assert!(p.has_table("a") && p.has_table("b"));
    assert_eq!(p.states(), ["1:Success", "2:Success"]);
    let json = p.run(&["info", "--format", "json"]).ok().json();
    assert_eq!(json["migrations"][0]["undoable"], "Yes");
    assert_eq!(json["migrations"][1]["undoable"], "No");
}

#[test]
fn undo_below_the_baseline_is_refused() {
    let p = five();
    p.db()
        .execute_batch("CREATE TABLE legacy (id INT);")
        .unwrap();
    p.run(&["baseline", "--baseline-version", "2"]).ok();
    p.run(&["migrate"]).ok();
    let run = p.run(&["undo", "--target", "2"]).code(1);
    assert!(run.stderr.contains("below the baseline"), "{}", run.stderr);
    p.run(&["undo", "--target", "3"]).ok();
}

#[test]
fn failing_undo_rolls_back_and_records_nothing() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("U1__a.sql", "DROP TABLE a;\nDROP TABLE not_there;\n");
    p.run(&["migrate"]).ok();
    let run = p.run(&["undo"]).code(1);
    assert!(run.stderr.contains("U1__a.sql:2"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Changes successfully rolled back."),
        "{}",
        run.stderr
    );
    assert!(
        p.has_table("a"),
        "the DROP of the first statement was rolled back"
    );
    assert_eq!(p.history().len(), 1);
}

#[test]
fn undo_record_delete_writes_a_row_flyway_community_reads() {
    let p = five();
    p.run(&["migrate"]).ok();
    p.run(&["undo", "-undoRecord=delete"]).ok();
    let last = p.history().pop().unwrap();
    assert_eq!(last, "6|5|table 5|DELETE|V5__table_5.sql|1");
    assert_eq!(
        p.states(),
        [
            "1:Success",
            "2:Success",
            "3:Success",
            "4:Success",
            "5:Deleted",
            "5:Pending"
        ]
    );
    p.run(&["migrate"]).ok();
    assert!(p.has_table("t5"));
    let bad = p.run(&["undo", "-undoRecord=erase"]).code(2);
    assert!(bad.stderr.contains("undoRecord"), "{}", bad.stderr);
}

#[test]
fn dry_run_prints_the_sql_and_leaves_the_database_byte_for_byte_unchanged() {
    let p = five();
    p.run(&["migrate", "--target", "2"]).ok();
    let path = p.path().join("tidemark.db");
    let before = std::fs::read(&path).unwrap();

    let run = p.run(&["migrate", "--dry-run"]).ok();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the database file changed"
    );
    let sql = &run.stdout;
    assert!(
        sql.contains("-- Migrating schema \"main\" to version \"3 - table 3\""),
        "{sql}"
    );
    assert!(sql.contains("CREATE TABLE t3 (id INT);"), "{sql}");
    assert!(sql.contains("INSERT INTO \"main\".\"flyway_schema_history\" (\"installed_rank\",\"version\",\"description\",\"type\",\"script\",\"checksum\",\"installed_by\",\"execution_time\",\"success\") VALUES (3,'3','table 3','SQL','V3__table_3.sql',"), "{sql}");
    let order: Vec<usize> = ["t3", "t4", "t5"]
        .iter()
        .map(|t| sql.find(&format!("CREATE TABLE {t}")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in order");
    assert!(
        !sql.contains("Migrating schema") || sql.split('\n').all(|l| !l.starts_with("Migrating")),
        "progress goes to stderr"
    );
    assert!(
        run.stderr
            .contains("Migrating schema \"main\" to version \"3 - table 3\""),
        "{}",
        run.stderr
    );

    // The dry-run script is real SQL: applying it by hand gives what migrate gives.
    p.db().execute_batch(sql).unwrap();
    assert!(p.has_table("t5"));
    p.run(&["validate"]).ok();

    // --dry-run-output writes a file; undo has a dry run too.
    let before = std::fs::read(&path).unwrap();
    p.run(&["undo", "--dry-run-output", "undo.sql"]).ok();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let undo_sql = std::fs::read_to_string(p.path().join("undo.sql")).unwrap();
    assert!(undo_sql.contains("DROP TABLE t5;"), "{undo_sql}");
    assert!(undo_sql.contains("'UNDO_SQL'"), "{undo_sql}");
}

#[test]
fn dry_run_on_a_missing_database_creates_nothing() {
    let p = five();
    let run = p.run(&["migrate", "--dry-run"]).ok();
    assert!(
        run.stdout
            .contains("CREATE TABLE \"main\".\"flyway_schema_history\""),
        "{}",
        run.stdout
    );
    assert!(!p.db_exists(), "a dry run created the database file");
}

#[test]
fn validate_shows_what_changed_in_an_applied_file() {
    let p = Project::new();
    p.migration(
        "V1__people.sql",
        "CREATE TABLE people (\n    id INT,\n    name TEXT\n);\n",
    );
    p.run(&["migrate"]).ok();
    p.migration(
        "V1__people.sql",
        "CREATE TABLE people (\n    id INT,\n    name TEXT NOT NULL\n);\n",
    );
    let run = p.run(&["validate"]).code(1);
    insta::assert_snapshot!("validate_diff", run.stderr);

    let diff = p.run(&["diff", "1"]).code(1);
    assert!(
        diff.stdout
            .contains("-    name TEXT\n+    name TEXT NOT NULL"),
        "{}",
        diff.stdout
    );
    p.migration(
        "V1__people.sql",
        "CREATE TABLE people (\n    id INT,\n    name TEXT\n);\n",
    );
    let same = p.run(&["diff", "1"]).ok();
    assert!(same.stdout.contains("unchanged"), "{}", same.stdout);
}

#[test]
fn a_database_migrated_without_the_companion_table_still_validates() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate"]).ok();
    // As if Flyway had migrated it: no companion table.
    p.db()
        .execute_batch("DROP TABLE flyway_schema_history_tidemark;")
        .unwrap();
    p.run(&["validate"]).ok();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT, b INT);");
    let run = p.run(&["validate"]).code(1);
    assert!(
        run.stderr.contains("The applied text is unknown"),
        "{}",
        run.stderr
    );
    let diff = p.run(&["diff", "1"]).code(1);
    assert!(
        diff.stdout.contains("The applied text is unknown"),
        "{}",
        diff.stdout
    );
    // The next migrate creates it again, for what it applies from then on.
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);");
    p.migration("V2__b.sql", "CREATE TABLE b (id INT);");
    p.run(&["migrate"]).ok();
    assert!(p.has_table("flyway_schema_history_tidemark"));
}

#[test]
fn new_creates_the_next_files_with_a_phase_header() {
    let p = Project::new();
    p.migration("V7__seven.sql", "SELECT 1;");
    let run = p
        .run(&["new", "add", "orders", "table", "--phase", "contract"])
        .ok();
    assert!(
        run.stdout
            .contains("Created migrations/V8__add_orders_table.sql"),
        "{}",
        run.stdout
    );
    let text =
        std::fs::read_to_string(p.path().join("migrations/V8__add_orders_table.sql")).unwrap();
    assert!(text.starts_with("-- tidemark:phase=contract\n"), "{text}");
    assert!(
        p.path()
            .join("migrations/U8__add_orders_table.sql")
            .exists()
    );
    p.run(&["new", "next"]).ok();
    assert!(p.path().join("migrations/V9__next.sql").exists());
    p.run(&["new", "bad", "--phase", "later"]).code(2);
    // The new files are valid migrations.
    p.run(&["info"]).ok();

    let q = Project::new();
    q.migration("V20240105123000__stamped.sql", "SELECT 1;");
    let run = q.run(&["new", "stamped", "too"]).ok();
    assert!(
        run.stdout.contains("Created migrations/V20"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("V20240105123001"),
        "a timestamp of now, not +1: {}",
        run.stdout
    );
}
