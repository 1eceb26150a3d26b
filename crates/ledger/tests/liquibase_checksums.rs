//! Golden test: every case of `fixtures/liquibase-checksums/` against what the real Liquibase
//! wrote (4.28.0 on PostgreSQL and SQLite, 4.4.0 for `8:`).
//!
//! For each case the changelog is loaded exactly as Liquibase was run (`--changelog-file
//! changelog.sql` from the case folder, `-D` parameters from `case.json`), then:
//! * every `9:` in `expected.tsv` (PostgreSQL) and `expected_sqlite.tsv` (SQLite) must equal
//!   [`checksum_v9`] of the changeset with the same id, author and FILENAME, and every changeset
//!   Liquibase records (not `ignore:`d) must have a row;
//! * every `8:` in `expected_v8_428.tsv` must be accepted (`MatchUpgrade` to the `9:` value);
//! * every `8:` in `expected_v8.tsv` (written by 4.4, whose parser sometimes saw different
//!   text) must get Liquibase 4.28's verdict: accepted when 4.28 accepted the same value,
//!   `Mismatch` when 4.28's accepted value differs, and "no such changeset" when 4.4 recorded
//!   an identity 4.28 does not produce.
//!
//! Expected values are only ever read from the TSV files; no case or row may be skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tidemark_ledger::changelog::{self, ChecksumVerdict, Properties, checksum_v9, matches_stored};

#[derive(Debug, Clone)]
struct Row {
    id: String,
    author: String,
    filename: String,
    md5sum: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/liquibase-checksums")
}

fn read_tsv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.split('\n').filter(|l| !l.is_empty());
    let header = lines.next().unwrap_or_default();
    assert_eq!(header, "id\tauthor\tfilename\tmd5sum", "{}", path.display());
    lines
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "{}: bad row {l:?}", path.display());
            Row {
                id: cols[0].to_string(),
                author: cols[1].to_string(),
                filename: cols[2].to_string(),
                md5sum: cols[3].to_string(),
            }
        })
        .collect()
}

fn params(case: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(case.join("case.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    if let Some(map) = json.get("params").and_then(|p| p.as_object()) {
        for (k, v) in map {
            let v = v
                .as_str()
                .unwrap_or_else(|| panic!("{}: non-string param {k}", case.display()));
            out.push((k.clone(), v.to_string()));
        }
    }
    out
}

fn load(case: &Path, dbms: &str) -> changelog::Changelog {
    let props = Properties {
        cli: params(case),
        filter: changelog::Filter {
            dbms: Some(dbms.to_string()),
            ..changelog::Filter::default()
        },
        ..Properties::default()
    };
    changelog::load(Path::new("changelog.sql"), &[case.to_path_buf()], &props)
        .unwrap_or_else(|e| panic!("{}: {e} (line {:?})", case.display(), e.line))
}

/// Compares the `9:` values of one run; returns how many values were checked.
fn check_v9(case: &Path, dbms: &str, file: &str) -> usize {
    let rows = read_tsv(&case.join(file));
    let cl = load(case, dbms);
    let recorded: Vec<&changelog::ChangeSet> = cl
        .changesets
        .iter()
        .filter(|cs| {
            !cs.ignore
                && cs
                    .matches_filter(&changelog::Filter {
                        dbms: Some(dbms.into()),
                        ..Default::default()
                    })
                    .unwrap()
        })
        .collect();
    assert_eq!(
        recorded.len(),
        rows.len(),
        "{} {file}: {} changesets recorded by tidemark, {} rows by Liquibase: {:?}",
        case.display(),
        recorded.len(),
        rows.len(),
        recorded.iter().map(|c| c.identifier()).collect::<Vec<_>>()
    );
    for (cs, row) in recorded.iter().zip(&rows) {
        let what = format!(
            "{} {file} {}::{}::{}",
            case.display(),
            row.filename,
            row.id,
            row.author
        );
        assert_eq!(cs.id, row.id, "{what}: ID");
        assert_eq!(cs.author, row.author, "{what}: AUTHOR");
        assert_eq!(cs.filename, row.filename, "{what}: FILENAME");
        assert_eq!(checksum_v9(cs), row.md5sum, "{what}: MD5SUM");
    }
    rows.len()
}

#[test]
fn every_case_matches_liquibase() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/liquibase-checksums")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "expected the shared golden set, found {} cases",
        cases.len()
    );

    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        for f in [
            "changelog.sql",
            "case.json",
            "expected.tsv",
            "expected_sqlite.tsv",
            "expected_v8.tsv",
            "expected_v8_428.tsv",
        ] {
            assert!(case.join(f).exists(), "{} lacks {f}", case.display());
        }
        *totals.entry("9: postgresql").or_default() += check_v9(case, "postgresql", "expected.tsv");
        *totals.entry("9: sqlite").or_default() += check_v9(case, "sqlite", "expected_sqlite.tsv");

        let cl = load(case, "postgresql");
        let accepted = read_tsv(&case.join("expected_v8_428.tsv"));
        for row in &accepted {
            let what = format!(
                "{} v8_428 {}::{}::{}",
                case.display(),
                row.filename,
                row.id,
                row.author
            );
            let cs = cl
                .find(&row.id, &row.author, &row.filename)
                .unwrap_or_else(|| panic!("{what}: no changeset"));
            assert_eq!(
                matches_stored(cs, &row.md5sum),
                ChecksumVerdict::MatchUpgrade {
                    now: checksum_v9(cs)
                },
                "{what}"
            );
            *totals.entry("8: accepted by 4.28").or_default() += 1;
        }

        for row in read_tsv(&case.join("expected_v8.tsv")) {
            let what = format!(
                "{} v8(4.4) {}::{}::{}",
                case.display(),
                row.filename,
                row.id,
                row.author
            );
            let same_identity = accepted
                .iter()
                .find(|a| a.id == row.id && a.author == row.author && a.filename == row.filename);
            match (cl.find(&row.id, &row.author, &row.filename), same_identity) {
                (None, _) => {
                    // 4.4 recorded an identity 4.28's parser does not produce (quoted ids,
                    // unexpanded `${}`): the row belongs to no changeset, so no checksum verdict.
                    *totals
                        .entry("8: 4.4 rows for no 4.28 changeset")
                        .or_default() += 1;
                }
                (Some(cs), Some(a)) if a.md5sum == row.md5sum => {
                    assert!(
                        matches!(
                            matches_stored(cs, &row.md5sum),
                            ChecksumVerdict::MatchUpgrade { .. }
                        ),
                        "{what}"
                    );
                    *totals.entry("8: 4.4 values accepted").or_default() += 1;
                }
                (Some(cs), Some(a)) => {
                    // 4.4 hashed different text; 4.28 recomputes its own 8: and rejects the row.
                    assert_eq!(
                        matches_stored(cs, &row.md5sum),
                        ChecksumVerdict::Mismatch {
                            was: row.md5sum.clone(),
                            now: a.md5sum.clone()
                        },
                        "{what}"
                    );
                    *totals.entry("8: 4.4 values rejected").or_default() += 1;
                }
                (Some(cs), None) => {
                    // Only `ignore:true` changesets: 4.4 did not know the attribute and ran it;
                    // 4.28 never runs nor validates them. The text is the same, so the stored
                    // value is also what 4.28 would compute.
                    assert!(
                        cs.ignore,
                        "{what}: 4.28 recorded no row for a changeset it runs"
                    );
                    assert!(
                        !matches!(
                            matches_stored(cs, &row.md5sum),
                            ChecksumVerdict::Mismatch { .. }
                        ),
                        "{what}"
                    );
                    *totals
                        .entry("8: 4.4 rows for ignored changesets")
                        .or_default() += 1;
                }
            }
        }
        *totals.entry("cases").or_default() += 1;
    }
    println!("liquibase goldens: {totals:?}");
}
