//! Missing and future rows, and the JSON form of `info`.

use super::support::Project;

#[test]
fn missing_file_fails_validation_until_repair_marks_it_deleted() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("V2__b.sql", "CREATE TABLE b (id INT);");
    p.run(&["migrate"]).ok();
    p.remove("migrations/V1__a.sql");
    assert_eq!(p.states(), ["1:Missing", "2:Success"]);
    let run = p.run(&["validate"]).code(1);
    assert!(run.stderr.contains("Detected applied migration not resolved locally: 1.\nIf you removed this migration intentionally, run repair to mark the migration as deleted."), "{}", run.stderr);
    let run = p.run(&["migrate"]).code(1);
    assert!(
        run.stderr
            .contains("Detected applied migration not resolved locally: 1."),
        "{}",
        run.stderr
    );
    p.run(&["validate", "-ignoreMigrationPatterns=*:missing"])
        .ok();

    let repair = p.run(&["repair"]).ok();
    assert!(
        repair
            .stdout
            .contains("Successfully marked missing migrations as deleted."),
        "{}",
        repair.stdout
    );
    assert_eq!(p.history().last().unwrap(), "3|1|a|DELETE|V1__a.sql|1");
    assert_eq!(p.states(), ["1:Deleted", "2:Success"]);
    p.run(&["validate"]).ok();
}

#[test]
fn future_rows_are_ignored_by_default_and_reported_when_asked() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("V2__b.sql", "CREATE TABLE b (id INT);");
    p.run(&["migrate"]).ok();
    // A newer deployment applied V2; this checkout only has V1.
    p.remove("migrations/V2__b.sql");
    assert_eq!(p.states(), ["1:Success", "2:Future"]);
    p.run(&["validate"]).ok();
    let run = p.run(&["migrate"]).ok();
    assert!(
        run.stderr
            .contains("has a version (2) that is newer than the latest available migration (1) !"),
        "{}",
        run.stderr
    );
    let strict = p
        .run(&["validate", "--ignore-migration-patterns", ""])
        .code(1);
    assert!(
        strict
            .stderr
            .contains("Detected applied migration not resolved locally: 2."),
        "{}",
        strict.stderr
    );
    // repair leaves future rows alone under the default pattern.
    p.run(&["repair"]).ok();
    assert_eq!(p.history().len(), 2);
}

#[test]
fn info_json_carries_flyways_fields() {
    let p = Project::new();
    p.migration("V1__create.sql", "CREATE TABLE a (id INT);")
        .migration("V2__more.sql", "CREATE TABLE b (id INT);")
        .migration("U1__create.sql", "DROP TABLE a;")
        .migration(
            "R__view.sql",
            "CREATE VIEW IF NOT EXISTS v AS SELECT 1 AS one;",
        );
    p.run(&["migrate", "--target", "1"]).ok();
    let json = p.run(&["info", "--format", "json"]).ok().json();
    assert_eq!(json["schemaVersion"], "1");
    let migrations = json["migrations"].as_array().unwrap();
    assert_eq!(
        migrations.len(),
        3,
        "U files are not rows of their own: {json:#}"
    );
    let v1 = &migrations[0];
    assert_eq!(v1["category"], "Versioned");
    assert_eq!(v1["version"], "1");
    assert_eq!(v1["description"], "create");
    assert_eq!(v1["type"], "SQL");
    assert_eq!(v1["state"], "Success");
    assert_eq!(v1["undoable"], "Yes");
    assert_eq!(v1["filepath"], "migrations/V1__create.sql");
    assert_eq!(v1["installedBy"], "");
    assert_eq!(v1["script"], "V1__create.sql");
    assert_eq!(v1["installedRank"], 1);
    assert!(v1["checksum"].is_i64());
    assert!(v1["executionTime"].is_i64());
    assert!(v1["installedOnUTC"].as_str().unwrap().ends_with('Z'));
    let r = &migrations[1];
    assert_eq!(r["category"], "Repeatable");
    assert!(r["version"].is_null());
    assert_eq!(r["undoable"], "");
    let v2 = &migrations[2];
    assert_eq!(v2["state"], "Pending");
    assert!(v2["installedOnUTC"].is_null());
    assert!(v2["installedRank"].is_null());
    assert_eq!(v2["undoable"], "No");

    // -outputType=json is the Flyway spelling of the same thing.
    let flyway = p.run(&["-outputType=json", "info"]).ok().json();
    assert_eq!(flyway["migrations"], json["migrations"]);
}

#[test]
fn info_on_an_empty_folder_and_database() {
    let p = Project::new();
    let run = p.run(&["info"]).ok();
    assert!(
        run.stdout.contains("Schema version: << Empty Schema >>"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("No migrations found"), "{}", run.stdout);
    let validate = p.run(&["validate"]).ok();
    assert!(
        validate
            .stderr
            .contains("No migrations found. Are your locations set up correctly?"),
        "{}",
        validate.stderr
    );
}
