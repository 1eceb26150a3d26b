//! A changed applied file: validate and migrate refuse with Flyway's text; repair realigns.

use super::support::Project;

#[test]
fn changed_applied_file_fails_validate_and_migrate_then_repair_realigns() {
    let p = Project::new();
    p.migration("V1__create.sql", "CREATE TABLE a (id INT);\n");
    p.run(&["migrate"]).ok();
    let old: i64 = p
        .db()
        .query_row("SELECT checksum FROM flyway_schema_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    // Line endings alone never change a checksum.
    p.migration("V1__create.sql", "CREATE TABLE a (id INT);\r\n\r\n");
    p.run(&["validate"]).ok();

    p.migration("V1__create.sql", "CREATE TABLE a (id INT, extra INT);\n");
    let expected = format!(
        "Migration checksum mismatch for migration version 1\n-> Applied to database : {old}\n-> Resolved locally    : "
    );
    let validate = p.run(&["validate"]).code(1);
    assert!(validate.stderr.contains(&expected), "{}", validate.stderr);
    assert!(validate.stderr.contains(
        "Either revert the changes to the migration, or run repair to update the schema history."
    ));
    let migrate = p.run(&["migrate"]).code(1);
    assert!(migrate.stderr.contains(&expected), "{}", migrate.stderr);

    let repair = p.run(&["repair"]).ok();
    assert!(
        repair
            .stdout
            .contains("Successfully aligned applied migration checksums."),
        "{}",
        repair.stdout
    );
    assert!(
        repair.stdout.contains(
            "Successfully repaired schema history table \"main\".\"flyway_schema_history\""
        ),
        "{}",
        repair.stdout
    );
    let new: i64 = p
        .db()
        .query_row("SELECT checksum FROM flyway_schema_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_ne!(old, new);
    p.run(&["validate"]).ok();
    // Repair never touches user objects: the table still has one column.
    let cols: i64 = p
        .db()
        .query_row("SELECT count(*) FROM pragma_table_info('a')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(cols, 1);
}

#[test]
fn renamed_description_is_realigned_by_repair() {
    let p = Project::new();
    p.migration("V1__old_name.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate"]).ok();
    p.remove("migrations/V1__old_name.sql");
    p.migration("V1__new_name.sql", "CREATE TABLE a (id INT);");
    let run = p.run(&["validate"]).code(1);
    assert!(run.stderr.contains("Migration description mismatch for migration version 1\n-> Applied to database : old name\n-> Resolved locally    : new name"), "{}", run.stderr);
    p.run(&["repair"]).ok();
    p.run(&["validate"]).ok();
    assert_eq!(p.history(), ["1|1|new name|SQL|V1__old_name.sql|1"]);
}

#[test]
fn failed_non_transactional_migration_blocks_until_repair() {
    let p = Project::new();
    p.migration(
        "V1__half.sql",
        "CREATE TABLE first_half (id INT);\nINSERT INTO nope VALUES (1);\n",
    )
    .file(
        "migrations/V1__half.sql.conf",
        b"executeInTransaction=false\n",
    );
    let run = p.run(&["migrate"]).code(1);
    assert!(
        run.stderr
            .contains("Please restore backups and roll back database and code!"),
        "{}",
        run.stderr
    );
    assert_eq!(p.history(), ["1|1|half|SQL|V1__half.sql|0"]);
    assert!(
        p.has_table("first_half"),
        "the statement before the failure was committed"
    );
    assert_eq!(p.states(), ["1:Failed"]);

    let again = p.run(&["migrate"]).code(1);
    assert!(again.stderr.contains("Detected failed migration to version 1 (half).\nPlease remove any half-completed changes then run repair to fix the schema history."), "{}", again.stderr);

    let repair = p.run(&["repair"]).ok();
    assert!(
        repair
            .stdout
            .contains("Successfully removed failed migrations."),
        "{}",
        repair.stdout
    );
    assert!(p.history().is_empty());
    p.db().execute_batch("DROP TABLE first_half;").unwrap();
    p.migration("V1__half.sql", "CREATE TABLE first_half (id INT);\n");
    p.run(&["migrate"]).ok();
    assert_eq!(p.history(), ["1|1|half|SQL|V1__half.sql|1"]);
}

#[test]
fn clean_is_refused_unless_enabled() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate"]).ok();
    let refused = p.run(&["clean"]).code(1);
    assert!(
        refused
            .stderr
            .contains("Unable to execute clean as it has been disabled"),
        "{}",
        refused.stderr
    );
    assert!(p.has_table("a"));
    p.run(&["clean", "-cleanDisabled=false"]).ok();
    assert!(!p.has_table("a"));
    assert!(!p.has_table("flyway_schema_history"));
}
