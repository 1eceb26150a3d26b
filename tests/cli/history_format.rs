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
