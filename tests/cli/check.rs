//! `tidemark check`, the pre-deploy CI step (issue 9): every problem in one run, each with file
//! and line, in every report format; with a database also validation and the deploy plan.

use super::support::Project;

/// A repository with a lint error, a version collision from two branches, a placeholder without
/// a value and a stray SQL file.
fn broken_repo() -> Project {
    let p = Project::new();
    p.migration(
        "V1__people.sql",
        "CREATE TABLE people (id bigint PRIMARY KEY, name text);\n",
    )
    .migration(
        "V2__drop_name.sql",
        "-- tidemark:phase=expand\nALTER TABLE people DROP COLUMN name;\n",
    )
    .migration("V3__from_branch_a.sql", "CREATE TABLE a (id bigint);\n")
    .migration("V3__from_branch_b.sql", "CREATE TABLE b (id bigint);\n")
    .migration(
        "V4__grant.sql",
        "-- grants\nGRANT SELECT ON people TO ${reader};\n",
    )
    .migration("notes.sql", "-- not a migration\n");
    p
}

#[test]
fn offline_check_reports_every_problem_in_one_run() {
    let p = broken_repo();
    let out = p
        .run(&["check", "--offline", "--dialect", "postgres"])
        .code(1);
    let text = &out.stdout;
    assert!(text.contains("DUPLICATE_VERSIONED_MIGRATION"), "{text}");
    assert!(
        text.contains("Renumber one of them above the highest version"),
        "{text}"
    );
    assert!(text.contains("migrations/V4__grant.sql:2 error PLACEHOLDER No value provided for placeholder: ${reader}."), "{text}");
    assert!(
        text.contains("migrations/V2__drop_name.sql:2:32 error phase-mismatch"),
        "{text}"
    );
    assert!(
        text.contains("migrations/notes.sql warning INVALID_MIGRATION_NAME"),
        "{text}"
    );
    assert!(
        !text.contains("Pending migrations by phase"),
        "offline: {text}"
    );
    assert!(!p.db_exists(), "offline check must not open a database");
    insta::assert_snapshot!("check_offline_text", text);
}

#[test]
fn offline_check_in_every_format() {
    let p = broken_repo();
    for format in ["github", "junit", "sarif", "json"] {
        let out = p
            .run(&[
                "check",
                "--offline",
                "--dialect",
                "postgres",
                "--format",
                format,
            ])
            .code(1);
        insta::assert_snapshot!(format!("check_offline_{format}"), out.stdout);
    }
    // JUnit parses, with one failure per error finding.
    let junit = p
        .run(&[
            "check",
            "--offline",
            "--dialect",
            "postgres",
            "--format",
            "junit",
        ])
        .code(1)
        .stdout;
    let json = p
        .run(&[
            "check",
            "--offline",
            "--dialect",
            "postgres",
            "--format",
            "json",
        ])
        .code(1)
        .json();
    let errors = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut failures = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"failure" => {
                failures += 1
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("JUnit is not XML: {e}"),
        }
    }
    assert_eq!(failures, errors);
    assert_eq!(json["errors"], errors);
    // SARIF parses and every result names a declared rule.
    let sarif: serde_json::Value = serde_json::from_str(
        &p.run(&[
            "check",
            "--offline",
            "--dialect",
            "postgres",
            "--format",
            "sarif",
        ])
        .code(1)
        .stdout,
    )
    .unwrap();
    let run = &sarif["runs"][0];
    let declared: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for result in run["results"].as_array().unwrap() {
        assert!(declared.contains(&result["ruleId"].as_str().unwrap()));
    }
}

#[test]
fn online_check_validates_and_shows_the_deploy() {
    let p = Project::new();
    p.migration(
        "V1__people.sql",
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);\n",
    )
    .migration(
        "V2__orders.sql",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n",
    )
    .migration(
        "V5__items.sql",
        "CREATE TABLE items (id INTEGER PRIMARY KEY);\n",
    );
    p.run(&["migrate"]).ok();
    // After the deploy: V1 edited, V3 merged late from a branch, V6 and V7 new.
    p.migration(
        "V1__people.sql",
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
    )
    .migration("V3__late_branch.sql", "CREATE TABLE late (id INTEGER);\n")
    .migration(
        "V6__email.sql",
        "-- tidemark:phase=expand\nALTER TABLE people ADD COLUMN email TEXT;\n",
    )
    .migration(
        "V7__copy.sql",
        "-- tidemark:phase=backfill\nUPDATE people SET email = name;\n",
    );
    let out = p.run(&["check"]).code(1);
    let text = &out.stdout;
    assert!(
        text.contains("migrations/V1__people.sql error CHECKSUM_MISMATCH"),
        "{text}"
    );
    assert!(
        text.contains("+CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        "the diff: {text}"
    );
    assert!(
        text.contains(
            "migrations/V3__late_branch.sql error RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED"
        ),
        "{text}"
    );
    assert!(text.contains("sorts below one already applied"), "{text}");
    assert!(
        text.contains(
            "Pending migrations by phase:\n  expand: V6__email.sql\n  backfill: V7__copy.sql"
        ),
        "{text}"
    );
    assert!(
        text.contains("What the deploy would run (dry run):"),
        "{text}"
    );
    assert!(
        text.contains("ALTER TABLE people ADD COLUMN email TEXT;"),
        "{text}"
    );
    let json = p.run(&["check", "--format", "json"]).code(1).json();
    assert_eq!(json["pending"]["expand"][0], "V6__email.sql");
    assert!(
        json["sql"]
            .as_str()
            .unwrap()
            .contains("UPDATE people SET email = name;")
    );
    // Nothing was written by the check.
    assert_eq!(p.history().len(), 3);
}

#[test]
fn a_clean_repository_passes() {
    let p = Project::new();
    p.migration("V1__t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
    let out = p.run(&["check", "--dialect", "postgres"]).ok();
    assert!(
        out.stdout
            .contains("check: 0 errors, 0 warnings, 1 migrations"),
        "{}",
        out.stdout
    );
    p.run(&["check", "--dialect", "db2"]).code(2);
}
