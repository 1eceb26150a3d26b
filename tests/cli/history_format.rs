//! The database tidemark writes is the one Flyway writes: the DDL as SQLite stores it and the
//! rows, compared with the reference text (`fixtures/flyway-history/`) and the checksums Flyway
//! computed (`fixtures/flyway-checksums/`).

use std::path::Path;

use super::support::Project;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"))
}

#[test]
fn sqlite_history_table_matches_flyways_ddl_character_for_character() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate"]).ok();

    // Flyway's DDL text, executed on a fresh database, is what Flyway would have created.
    let golden = std::fs::read_to_string(fixtures().join("flyway-history/sqlite.sql")).unwrap();
    let golden = golden
        .replace("{T}", "\"main\".\"flyway_schema_history\"")
        .replace("{S}", "\"main\"")
        .replace("{N}", "flyway_schema_history");
    let reference = rusqlite::Connection::open_in_memory().unwrap();
    reference.execute_batch(&golden).unwrap();

    let schema = |c: &rusqlite::Connection| -> Vec<(String, String, Option<String>)> {
        let mut stmt = c
            .prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'flyway_schema_history' ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let ours = schema(&p.db());
    assert_eq!(
        ours.len(),
        3,
        "table, primary-key autoindex and success index: {ours:?}"
    );
    assert_eq!(ours, schema(&reference));
}

#[test]
fn rows_are_written_as_flyway_writes_them() {
    let p = Project::new();
    p.migration("V1_1__first_step.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate", "-installedBy=deployer"]).ok();
    let db = p.db();
    let (rank, version, desc, kind, script, by, on, time, success): (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
    ) = db
        .query_row("SELECT * FROM flyway_schema_history", [], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .unwrap();
    assert_eq!(
        (
            rank,
            version.as_str(),
            desc.as_str(),
            kind.as_str(),
            script.as_str()
        ),
        (1, "1.1", "first step", "SQL", "V1_1__first_step.sql")
    );
    assert_eq!(by, "deployer");
    // installed_on is the column default: UTC text with milliseconds.
    assert_eq!(on.len(), 23, "{on}");
    assert_eq!(&on[4..5], "-");
    assert_eq!(&on[19..20], ".");
    assert!(time >= 0);
    assert_eq!(success, 1);
}

#[test]
fn checksums_through_the_binary_match_flyways_goldens() {
    let p = Project::new();
    let dir = fixtures().join("flyway-checksums");
    let tsv = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut expected = Vec::new();
    for line in tsv.split('\n').skip(1).filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[2] == "ERROR" {
            continue;
        }
        p.file(
            &format!("migrations/{}", cols[1]),
            &std::fs::read(dir.join(cols[1])).unwrap(),
        );
        expected.push((cols[0].to_string(), cols[2].parse::<i64>().unwrap()));
    }
    let json = p.run(&["info", "--format", "json"]).ok().json();
    let mut got: Vec<(String, i64)> = json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["version"].as_str().unwrap().to_string(),
                m["checksum"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn custom_table_and_version_text_as_flyway_stores_it() {
    let p = Project::new();
    p.migration("V004_20230112155656__grant.sql", "CREATE TABLE g (id INT);")
        .migration("V2024.01.05.1__dated.sql", "CREATE TABLE d (id INT);");
    p.run(&["migrate", "--table", "schema_version_custom"]).ok();
    assert!(!p.has_table("flyway_schema_history"));
    let db = p.db();
    let versions: Vec<String> = db
        .prepare("SELECT version FROM schema_version_custom ORDER BY installed_rank")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Underscores become dots, leading zeros stay; ordering is numeric (4 < 2024).
    assert_eq!(versions, ["004.20230112155656", "2024.01.05.1"]);
    let index: i64 = db
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'schema_version_custom_s_idx'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(index, 1);
    p.run(&["validate", "--table", "schema_version_custom"])
        .ok();
}

#[test]
fn group_applies_everything_in_one_transaction() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration(
            "V2__b.sql",
            "CREATE TABLE b (id INT);\nINSERT INTO nope VALUES (1);",
        );
    p.run(&["migrate", "-group=true"]).code(1);
    assert!(!p.has_table("a"), "V1 was rolled back with the group");
    assert!(!p.has_table("flyway_schema_history") || p.history().is_empty());
    p.migration("V2__b.sql", "CREATE TABLE b (id INT);");
    p.run(&["migrate", "--group"]).ok();
    assert_eq!(p.history().len(), 2);
}

#[test]
fn skip_executing_migrations_records_without_running() {
    let p = Project::new();
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);");
    p.run(&["migrate", "-skipExecutingMigrations=true"]).ok();
    assert_eq!(p.history(), ["1|1|a|SQL|V1__a.sql|1"]);
    assert!(!p.has_table("a"));
}

#[test]
fn info_json_has_the_sha256_of_each_file() {
    let p = Project::new();
    p.migration("V1__a.sql", "abc");
    let json = p.run(&["info", "--format", "json"]).ok().json();
    // SHA-256("abc"), the FIPS 180-2 test vector.
    assert_eq!(
        json["migrations"][0]["sha256"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
