//! `migrate`, `info` and `validate` on fresh and migrated databases.

use super::support::Project;

fn shop() -> Project {
    let p = Project::new();
    p.migration(
        "V1__create_people.sql",
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
    )
    .migration(
        "V2__add_email.sql",
        "ALTER TABLE people ADD COLUMN email TEXT;\n",
    )
    .migration(
        "V3__seed.sql",
        "INSERT INTO people (name, email) VALUES ('Ada', 'ada@example.com');\n",
    )
    .migration(
        "R__people_view.sql",
        "DROP VIEW IF EXISTS people_view;\nCREATE VIEW people_view AS SELECT name FROM people;\n",
    );
    p
}

#[test]
fn migrate_info_validate_on_a_fresh_database() {
    let p = shop();
    let info = p.run(&["info"]).ok();
    assert!(
        info.stdout.contains("Schema version: << Empty Schema >>"),
        "{}",
        info.stdout
    );
    assert!(
        info.stdout.contains(
            "| Versioned  | 1       | create people | SQL  |              | Pending | No       |"
        ),
        "{}",
        info.stdout
    );
    assert!(!p.has_table("flyway_schema_history"), "info must not write");

    let run = p.run(&["migrate"]).ok();
    assert!(
        run.stdout
            .contains("Current version of schema \"main\": << Empty Schema >>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Migrating schema \"main\" to version \"1 - create people\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Migrating schema \"main\" with repeatable migration \"people view\"")
    );
    assert!(
        run.stdout
            .contains("Successfully applied 4 migrations to schema \"main\", now at version v3"),
        "{}",
        run.stdout
    );
    assert_eq!(
        p.history(),
        [
            "1|1|create people|SQL|V1__create_people.sql|1",
            "2|2|add email|SQL|V2__add_email.sql|1",
            "3|3|seed|SQL|V3__seed.sql|1",
            "4||people view|SQL|R__people_view.sql|1",
        ]
    );
    let name: String = p
        .db()
        .query_row("SELECT name FROM people_view", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Ada");

    let info = p.run(&["info"]).ok();
    assert!(info.stdout.contains("Schema version: 3"), "{}", info.stdout);
    assert_eq!(
        info.stdout.matches("| Success |").count(),
        4,
        "{}",
        info.stdout
    );

    let validate = p.run(&["validate"]).ok();
    assert!(
        validate
            .stdout
            .contains("Successfully validated 4 migrations"),
        "{}",
        validate.stdout
    );

    let again = p.run(&["migrate"]).ok();
    assert!(
        again
            .stdout
            .contains("Schema \"main\" is up to date. No migration necessary."),
        "{}",
        again.stdout
    );
    assert_eq!(p.history().len(), 4);
}

#[test]
fn validate_fails_on_pending_migrations_with_flyways_advice() {
    let p = shop();
    let run = p.run(&["validate"]).code(1);
    assert!(
        run.stderr
            .contains("Validate failed: Migrations have failed validation"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Detected resolved migration not applied to database: 1.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'."), "{}", run.stderr);
    p.run(&["validate", "--ignore-migration-patterns", "*:pending"])
        .ok();
}

#[test]
fn failed_migration_leaves_no_row_and_names_file_and_line() {
    let p = Project::new();
    p.migration("V1__ok.sql", "CREATE TABLE ok_table (id INT);\n")
        .migration("V2__broken.sql", "CREATE TABLE half_done (id INT);\n\n-- the typo is on line 4\nINSERT INTO missing_table VALUES (1);\n");
    let run = p.run(&["migrate"]).code(1);
    let err = run.stderr.clone();
    assert!(
        err.contains("Migration V2__broken.sql failed! Changes successfully rolled back."),
        "{err}"
    );
    assert!(
        err.contains("Location   : migrations/V2__broken.sql:4")
            || err.contains("V2__broken.sql:4"),
        "{err}"
    );
    assert!(err.contains("Line       : 4"), "{err}");
    assert!(err.contains("no such table: missing_table"), "{err}");
    assert_eq!(
        p.history(),
        ["1|1|ok|SQL|V1__ok.sql|1"],
        "no row for the failed migration"
    );
    assert!(!p.has_table("half_done"), "no partial schema");
    assert!(p.has_table("ok_table"));

    // Fixing the file lets the next run apply it cleanly.
    p.migration("V2__broken.sql", "CREATE TABLE half_done (id INT);\n");
    p.run(&["migrate"]).ok();
    assert_eq!(p.history().len(), 2);
}

#[test]
fn targets_latest_version_current_and_next() {
    let p = shop();
    let run = p.run(&["migrate", "--target", "2"]).ok();
    assert!(run.stdout.contains("now at version v2"), "{}", run.stdout);
    // Repeatables are not versioned, so a target does not hold them back (as in Flyway).
    assert_eq!(
        p.states_with(&["--target", "2"]),
        [
            "1:Success",
            "2:Success",
            "people view:Success",
            "3:Above Target"
        ]
    );
    assert_eq!(
        p.states(),
        ["1:Success", "2:Success", "people view:Success", "3:Pending"]
    );

    let missing = p.run(&["migrate", "--target", "9"]).code(1);
    assert!(missing.stderr.contains("No migration with a target version 9 could be found. Ensure target is specified correctly and the migration exists."), "{}", missing.stderr);
    assert_eq!(
        p.history().len(),
        3,
        "the repeatable ran with target 2; nothing else"
    );

    p.run(&["migrate", "-target=next"]).ok();
    assert_eq!(p.history().len(), 4);
    p.run(&["migrate", "--target", "current"]).ok();
    assert_eq!(
        p.history().len(),
        4,
        "target current applies no new versions"
    );
    p.run(&["migrate", "--target", "latest"]).ok();
    assert!(p.history().iter().all(|r| r.ends_with("|1")));
}

#[test]
fn out_of_order_is_ignored_by_default_and_applied_when_allowed() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("V3__c.sql", "CREATE TABLE c (id INT);");
    p.run(&["migrate"]).ok();
    p.migration("V2__b.sql", "CREATE TABLE b (id INT);");
    assert_eq!(p.states(), ["1:Success", "2:Ignored", "3:Success"]);

    let refused = p.run(&["migrate"]).code(1);
    assert!(refused.stderr.contains("Detected resolved migration not applied to database: 2.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true."), "{}", refused.stderr);
    p.run(&["migrate", "--ignore-migration-patterns", "*:ignored"])
        .ok();
    assert!(!p.has_table("b"));

    let run = p.run(&["migrate", "--out-of-order"]).ok();
    assert!(
        run.stdout.contains("to version \"2 - b\" [out of order]"),
        "{}",
        run.stdout
    );
    assert!(p.has_table("b"));
    assert_eq!(p.states(), ["1:Success", "3:Success", "2:Out of Order"]);
}

#[test]
fn changed_repeatable_is_outdated_reapplied_then_superseded() {
    let p = shop();
    p.run(&["migrate"]).ok();
    p.migration("R__people_view.sql", "DROP VIEW IF EXISTS people_view;\nCREATE VIEW people_view AS SELECT name, email FROM people;\n");
    assert_eq!(
        p.states(),
        [
            "1:Success",
            "2:Success",
            "3:Success",
            "people view:Outdated",
            "people view:Pending"
        ]
    );
    let validate = p.run(&["validate"]).code(1);
    assert!(validate.stderr.contains("Detected outdated resolved repeatable migration that should be re-applied to database: people view.\nRun migrate to execute this migration."), "{}", validate.stderr);
    p.run(&["migrate"]).ok();
    assert_eq!(
        p.states(),
        [
            "1:Success",
            "2:Success",
            "3:Success",
            "people view:Superseded",
            "people view:Success"
        ]
    );
    let email: String = p
        .db()
        .query_row("SELECT email FROM people_view", [], |r| r.get(0))
        .unwrap();
    assert_eq!(email, "ada@example.com");
    p.run(&["validate"]).ok();
}

#[test]
fn baseline_command_and_baseline_on_migrate() {
    let p = Project::new();
    p.migration("V1__legacy.sql", "CREATE TABLE legacy (id INT);")
        .migration("V2__new.sql", "CREATE TABLE newer (id INT);");
    p.db()
        .execute_batch("CREATE TABLE legacy (id INT);")
        .unwrap();

    let refused = p.run(&["migrate"]).code(1);
    assert!(refused.stderr.contains("Found non-empty schema(s) \"main\" but no schema history table. Use baseline() or set baselineOnMigrate to true to initialize the schema history table."), "{}", refused.stderr);
    assert!(!p.has_table("flyway_schema_history"), "nothing written");

    let run = p.run(&["baseline"]).ok();
    assert!(
        run.stdout
            .contains("Successfully baselined schema with version: 1"),
        "{}",
        run.stdout
    );
    assert_eq!(
        p.history(),
        ["1|1|<< Flyway Baseline >>|BASELINE|<< Flyway Baseline >>|1"]
    );
    assert_eq!(
        p.states(),
        ["1:Ignored (Baseline)", "1:Baseline", "2:Pending"]
    );
    p.run(&["migrate"]).ok();
    assert!(p.has_table("newer"));
    let again = p.run(&["baseline"]).ok();
    assert!(again.stdout.contains("Skipping"), "{}", again.stdout);
    let other = p.run(&["baseline", "--baseline-version", "5"]).code(1);
    assert!(
        other.stderr.contains("as it already contains migrations")
            || other.stderr.contains("has already been baselined"),
        "{}",
        other.stderr
    );

    // baselineOnMigrate on another database with a custom version and description.
    let q = Project::new();
    q.migration("V1__legacy.sql", "CREATE TABLE legacy (id INT);")
        .migration("V2__new.sql", "CREATE TABLE newer (id INT);");
    q.db()
        .execute_batch("CREATE TABLE legacy (id INT);")
        .unwrap();
    q.run(&[
        "migrate",
        "-baselineOnMigrate=true",
        "-baselineVersion=1",
        "-baselineDescription=adopted",
    ])
    .ok();
    assert_eq!(
        q.history(),
        [
            "1|1|adopted|BASELINE|adopted|1",
            "2|2|new|SQL|V2__new.sql|1"
        ]
    );
}

#[test]
fn baseline_migrations_replace_history_on_an_empty_database() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("V2__b.sql", "CREATE TABLE b (id INT);")
        .migration(
            "B2__a_and_b.sql",
            "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);",
        )
        .migration("V3__c.sql", "CREATE TABLE c (id INT);");
    p.run(&["migrate"]).ok();
    assert_eq!(
        p.history(),
        [
            "1|2|a and b|SQL_BASELINE|B2__a_and_b.sql|1",
            "2|3|c|SQL|V3__c.sql|1"
        ]
    );
    assert_eq!(
        p.states(),
        [
            "1:Below Baseline",
            "2:Ignored (Baseline)",
            "2:Baseline",
            "3:Success"
        ]
    );
}

#[test]
fn placeholders_are_replaced_in_sql_and_builtins_are_known() {
    let p = Project::new();
    p.migration(
        "V1__people.sql",
        "CREATE TABLE ${table} (id INT, note TEXT);\nINSERT INTO ${table} VALUES (1, '${flyway:filename} by ${Greeting} on ${flyway:table}');\n",
    );
    p.run(&[
        "migrate",
        "--placeholder",
        "table=people",
        "-placeholders.greeting=hello",
    ])
    .ok();
    let note: String = p
        .db()
        .query_row("SELECT note FROM people", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "V1__people.sql by hello on flyway_schema_history");

    let q = Project::new();
    q.migration("V1__x.sql", "SELECT '${undefined}';");
    let run = q.run(&["migrate"]).code(1);
    assert!(
        run.stderr.contains(
            "No value provided for placeholder: ${undefined}.  Check your configuration!"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("V1__x.sql:1"), "{}", run.stderr);
    // Replacement can be switched off.
    q.run(&["migrate", "-placeholderReplacement=false"]).ok();
}

#[test]
fn example_project_of_the_readme_migrates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let p = Project::new();
    for entry in std::fs::read_dir(root.join("migrations")).unwrap() {
        let entry = entry.unwrap();
        let bytes = std::fs::read(entry.path()).unwrap();
        p.file(
            &format!("migrations/{}", entry.file_name().to_string_lossy()),
            &bytes,
        );
    }
    p.file(
        "tidemark.toml",
        &std::fs::read(root.join("tidemark.toml")).unwrap(),
    );
    let run = p.run(&["migrate"]).ok();
    assert!(
        run.stdout.contains("Successfully applied"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Executing SQL callback: afterMigrate"),
        "{}",
        run.stdout
    );
    p.run(&["validate"]).ok();
    let shop: String = p
        .db()
        .query_row("SELECT name FROM customers", [], |r| r.get(0))
        .unwrap();
    assert!(shop.contains("Tidemark Coffee"), "{shop}");
}
