//! `tidemark lint`, `[lint]` configuration, `lintOnMigrate`, and phase inference through the
//! binary (issue 7).

use super::support::Project;

/// Migrations on a table that already exists (created before this migration set), so it has
/// traffic: a table created earlier in the set would be new and empty, and not alarm.
fn unsafe_pg() -> Project {
    let p = Project::new();
    p.migration(
        "V2__index.sql",
        "-- tidemark:phase=expand\nCREATE INDEX people_email ON people (email);\n",
    )
    .migration(
        "V3__drop.sql",
        "-- tidemark:phase=expand\nALTER TABLE people DROP COLUMN name;\n",
    );
    p
}

#[test]
fn example_project_lints_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let p = Project::new();
    for entry in std::fs::read_dir(root.join("migrations")).unwrap() {
        let entry = entry.unwrap();
        p.file(
            &format!("migrations/{}", entry.file_name().to_string_lossy()),
            &std::fs::read(entry.path()).unwrap(),
        );
    }
    p.file(
        "tidemark.toml",
        &std::fs::read(root.join("tidemark.toml")).unwrap(),
    );
    let out = p.run(&["lint"]).ok();
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "{}",
        out.stdout
    );
}

#[test]
fn findings_name_file_line_column_rule_and_the_safe_alternative() {
    let p = unsafe_pg();
    let out = p.run(&["lint", "--dialect", "postgres"]).code(1);
    assert!(
        out.stdout
            .contains("migrations/V3__drop.sql:2:32 error ban-drop-column"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("ban-drop-column"), "{}", out.stdout);
    assert!(
        out.stdout.contains("phase-mismatch"),
        "a DROP tagged expand: {}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("migrations/V2__index.sql:2:1 warning require-concurrent-index-creation"),
        "{}",
        out.stdout
    );
    // A single file given on the command line.
    let one = p
        .run(&["lint", "--dialect", "postgres", "migrations/V2__index.sql"])
        .ok();
    assert!(
        one.stdout.contains("1 files linted: 0 errors, 1 warnings"),
        "{}",
        one.stdout
    );
    // The dialect comes from the URL when not given (no connection is made).
    let by_url = p
        .run(&["lint", "--url", "postgres://nobody@127.0.0.1:1/none"])
        .code(1);
    assert!(
        by_url.stdout.contains("ban-drop-column"),
        "{}",
        by_url.stdout
    );
    p.run(&["lint", "--dialect", "oracle"]).code(2);
}

#[test]
fn json_output_has_the_documented_shape() {
    let p = unsafe_pg();
    let json = p
        .run(&["lint", "--dialect", "postgres", "--format", "json"])
        .code(1)
        .json();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let drop = &files[1];
    assert_eq!(drop["path"], "migrations/V3__drop.sql");
    assert_eq!(drop["declaredPhase"], "expand");
    assert_eq!(drop["phase"], "expand");
    let f = drop["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ban-drop-column")
        .unwrap();
    for key in ["rule", "severity", "line", "column", "message", "help"] {
        assert!(!f[key].is_null(), "{key} missing: {f}");
    }
    assert_eq!(f["line"], 2);
    // An untagged DROP is inferred as contract.
    let q = Project::new();
    q.migration("V1__t.sql", "CREATE TABLE t (id int, old int);\n")
        .migration("V2__drop.sql", "ALTER TABLE t DROP COLUMN old;\n");
    let json = q
        .run(&["lint", "--dialect", "postgres", "--format", "json"])
        .json();
    assert_eq!(json["files"][1]["phase"], "contract", "{json:#}");
    assert!(json["files"][1]["declaredPhase"].is_null());
    let info = q.run(&["info", "--format", "json"]).ok().json();
    assert_eq!(
        info["migrations"][1]["phase"], "contract",
        "staged migrate uses the inferred phase"
    );
}

#[test]
fn allow_directives_and_lint_config_silence_rules() {
    let p = unsafe_pg();
    p.migration("V3__drop.sql", "-- tidemark:phase=contract\n-- tidemark:allow=ban-drop-column\nALTER TABLE people DROP COLUMN name;\n");
    let out = p.run(&["lint", "--dialect", "postgres"]).ok();
    assert!(!out.stdout.contains("ban-drop-column"), "{}", out.stdout);
    assert!(
        out.stdout.contains("require-concurrent-index-creation"),
        "{}",
        out.stdout
    );

    p.file("tidemark.toml", b"[tidemark]\nlocations = [\"filesystem:migrations\"]\n\n[lint]\ndisable = [\"require-concurrent-index-creation\"]\n\n[lint.severity]\nprefer-text-field = \"error\"\n");
    let out = p.run(&["lint", "--dialect", "postgres"]).ok();
    assert!(
        !out.stdout.contains("require-concurrent-index-creation"),
        "{}",
        out.stdout
    );
    p.file("tidemark.toml", b"[lint]\ndisable = [\"no-such-rule\"]\n");
    let out = p.run(&["lint", "--dialect", "postgres"]).code(2);
    assert!(
        out.stderr.contains("unknown lint rule 'no-such-rule'"),
        "{}",
        out.stderr
    );
}

#[test]
fn lint_in_ci_formats() {
    let p = unsafe_pg();
    let out = p
        .run(&["lint", "--dialect", "postgres", "--format", "github"])
        .code(1);
    insta::assert_snapshot!("lint_github", out.stdout);
    let sarif: serde_json::Value = serde_json::from_str(
        &p.run(&["lint", "--dialect", "postgres", "--format", "sarif"])
            .code(1)
            .stdout,
    )
    .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "ban-drop-column"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 2));
    let junit = p
        .run(&["lint", "--dialect", "postgres", "--format", "junit"])
        .code(1)
        .stdout;
    assert!(
        junit.contains("<failure type=\"ban-drop-column\""),
        "{junit}"
    );
}

/// With `lintOnMigrate=warn` the review runs while the migrations are applied: its findings
/// are still shown when a later migration fails, and in the JSON report's warnings.
#[test]
fn warn_mode_findings_survive_a_failed_migration_and_reach_json() {
    // V2 declares expand but drops a column: a phase-mismatch error finding.
    let disputed = || {
        let p = Project::new();
        p.migration("V1__t.sql", "CREATE TABLE t (id INTEGER, old TEXT);\n")
            .migration(
                "V2__drop.sql",
                "-- tidemark:phase=expand\nALTER TABLE t DROP COLUMN old;\n",
            );
        p
    };
    let p = disputed();
    p.migration("V3__broken.sql", "CREATE TABLE u (id INTEGER;\n");
    let failed = p.run(&["migrate"]).code(1);
    assert!(
        failed
            .stderr
            .contains("WARNING: migrations/V2__drop.sql:2:27 error phase-mismatch"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("V3__broken.sql"),
        "{}",
        failed.stderr
    );
    assert_eq!(p.history().len(), 2);

    let q = disputed();
    let json = q.run(&["migrate", "--format", "json"]).ok().json();
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("phase-mismatch"), "{json}");
    assert_eq!(q.history().len(), 2);
}

#[test]
fn migrate_shows_findings_and_refuses_only_with_lint_on_migrate_error() {
    let p = Project::new();
    p.migration("V1__t.sql", "CREATE TABLE t (id INTEGER, old TEXT);\n")
        .migration(
            "V2__drop.sql",
            "-- tidemark:phase=expand\nALTER TABLE t DROP COLUMN old;\n",
        );
    let refused = p.run(&["migrate", "-lintOnMigrate=error"]).code(1);
    assert!(
        refused.stderr.contains("phase-mismatch"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("nothing was applied"),
        "{}",
        refused.stderr
    );
    assert!(p.history().is_empty());
    let warned = p.run(&["migrate"]).ok();
    assert!(
        warned
            .stderr
            .contains("WARNING: migrations/V2__drop.sql:2:27 error phase-mismatch"),
        "{}",
        warned.stderr
    );
    assert_eq!(p.history().len(), 2);
    let q = Project::new();
    q.migration(
        "V1__t.sql",
        "CREATE TABLE t (id INTEGER, old TEXT);\nALTER TABLE t DROP COLUMN old;\n",
    );
    let quiet = q.run(&["migrate", "--lint-on-migrate", "off"]).ok();
    assert!(
        !quiet.stderr.contains("WARNING: migrations/"),
        "{}",
        quiet.stderr
    );
}
