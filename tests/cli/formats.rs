//! Report formats of the commands that report findings (issue 9): text, JSON, JUnit, GitHub
//! annotations and SARIF 2.1.0, snapshot-tested, and the machine formats parsed.

use super::support::Project;

/// A database where V1's file is gone and V2 changed after it was applied.
fn drifted() -> Project {
    let p = Project::new();
    p.migration("V1__orders.sql", "CREATE TABLE orders (id INT);\n")
        .migration("V2__people.sql", "CREATE TABLE people (id INT);\n");
    p.run(&["migrate"]).ok();
    p.remove("migrations/V1__orders.sql");
    p.migration(
        "V2__people.sql",
        "CREATE TABLE people (id INT, name TEXT);\n",
    );
    p
}

#[test]
fn validate_in_every_format() {
    let p = drifted();
    for format in ["github", "junit", "sarif"] {
        let out = p.run(&["validate", "--format", format]).code(1);
        insta::assert_snapshot!(format!("validate_{format}"), out.stdout);
        // Progress and the error summary stay on stderr, so stdout is the report alone.
        assert!(
            !out.stdout.contains("Database:"),
            "{format}: {}",
            out.stdout
        );
    }
    let json = p.run(&["validate", "--format", "json"]).code(1).json();
    assert_eq!(json["error"]["code"], "VALIDATE_ERROR");
    assert_eq!(json["invalidMigrations"].as_array().unwrap().len(), 2);
    let clean = Project::new();
    clean.migration("V1__a.sql", "SELECT 1;");
    clean.run(&["migrate"]).ok();
    let out = clean.run(&["validate", "--format", "sarif"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn junit_output_is_well_formed_with_one_failure_per_error() {
    let p = drifted();
    let out = p.run(&["validate", "--format", "junit"]).code(1);
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    let (mut testcases, mut failures, mut depth_ok) = (0, 0, true);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                depth += 1;
                match e.name().as_ref() {
                    b"testcase" => testcases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::End(_)) => {
                depth -= 1;
                depth_ok &= depth >= 0;
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{}", out.stdout),
        }
    }
    assert!(depth_ok && depth == 0, "unbalanced XML");
    assert_eq!((testcases, failures), (2, 2));
}

#[test]
fn sarif_output_has_the_required_shape() {
    let p = drifted();
    let out = p.run(&["validate", "--format", "sarif"]).code(1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "tidemark");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        assert!(
            run["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == rule),
            "rule {rule} declared"
        );
        assert_eq!(r["level"], "error");
        assert!(r["message"]["text"].as_str().unwrap().len() > 10);
    }
    let mismatch = results
        .iter()
        .find(|r| r["ruleId"] == "CHECKSUM_MISMATCH")
        .unwrap();
    assert_eq!(
        mismatch["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "migrations/V2__people.sql"
    );
}

#[test]
fn ci_formats_are_refused_for_commands_without_findings() {
    let p = Project::new();
    let out = p.run(&["migrate", "--format", "sarif"]).code(2);
    assert!(
        out.stderr.contains("for the commands that report findings"),
        "{}",
        out.stderr
    );
}
