//! Golden test: tidemark's checksums against the values Flyway 13 computed.
//!
//! `fixtures/flyway-checksums/` holds files with every line-ending, BOM and encoding case Flyway
//! has been seen to care about, plus `expected.tsv` / `expected_options.tsv` produced by Flyway's
//! own `ChecksumCalculator`, `BomFilter` and `PlaceholderReplacingReader`. Every row is checked
//! and every `.sql` file must have a row, so no vector can be skipped silently. The expected
//! numbers are read from the TSV files, never copied into this file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tidemark_ledger::checksum;
use tidemark_ledger::name::{self, NamingConfig};
use tidemark_ledger::placeholder::Placeholders;
use tidemark_ledger::text::{self, Encoding, TextError};

fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/flyway-checksums"
    ))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The rows of a TSV file (header removed), split at tabs.
fn rows(file: &str) -> Vec<Vec<String>> {
    let bytes = read(&dir().join(file));
    let content = text::decode(&bytes, Encoding::Utf8).expect("TSV files are UTF-8");
    let mut all = text::lines(&content).filter(|l| !l.is_empty());
    let header = all.next().unwrap_or_else(|| panic!("{file} is empty"));
    assert!(
        header.starts_with("version\tscript\tchecksum"),
        "{file}: unexpected header {header:?}"
    );
    all.map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn expected(file: &str, row: &[String]) -> i32 {
    let value = row
        .get(2)
        .unwrap_or_else(|| panic!("{file}: short row {row:?}"));
    value
        .parse()
        .unwrap_or_else(|e| panic!("{file}: bad checksum {value:?} in {row:?}: {e}"))
}

/// Flyway's checksum of a fixture file read with `encoding`.
fn checksum_of(script: &str, encoding: Encoding) -> Result<i32, TextError> {
    let text = text::decode(&read(&dir().join(script)), encoding)?;
    Ok(checksum::flyway(&text))
}

fn utf8_checksum(script: &str) -> i32 {
    checksum_of(script, Encoding::Utf8).unwrap_or_else(|e| panic!("{script}: {e}"))
}

#[test]
fn default_settings_match_flyway() {
    let rows = rows("expected.tsv");
    assert!(rows.len() >= 20, "expected.tsv lost rows: {}", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [_, script, value] = row.as_slice() else {
            panic!("expected.tsv: row {row:?} does not have 3 columns");
        };
        let got = checksum_of(script, Encoding::Utf8);
        if value == "ERROR" {
            match got {
                Err(TextError::Malformed { .. }) => {}
                other => failures.push(format!("{script}: expected a decode error, got {other:?}")),
            }
        } else {
            let want = expected("expected.tsv", row);
            if got != Ok(want) {
                failures.push(format!("{script}: expected {want}, got {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "checksum mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fixture_file_has_a_row() {
    let scripts = |file: &str| -> BTreeSet<String> {
        rows(file)
            .into_iter()
            .filter_map(|row| row.get(1).cloned())
            .flat_map(|script| script.split('+').map(str::to_string).collect::<Vec<_>>())
            .collect()
    };
    let default_rows = scripts("expected.tsv");
    let option_rows = scripts("expected_options.tsv");
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(dir()).expect("fixture folder") {
        let file_name = entry.expect("directory entry").file_name();
        let file_name = file_name.to_string_lossy().into_owned();
        if file_name.ends_with(".sql") {
            on_disk.insert(file_name);
        }
    }
    // `R__placeholders.sql` only makes sense with placeholders, so its rows are all in
    // expected_options.tsv; every other file has a default-settings row.
    let missing: Vec<_> = on_disk
        .iter()
        .filter(|f| !default_rows.contains(*f) && !option_rows.contains(*f))
        .collect();
    assert!(
        missing.is_empty(),
        "fixture files without a golden row: {missing:?}"
    );
    let only_options: Vec<_> = on_disk
        .iter()
        .filter(|f| !default_rows.contains(*f))
        .collect();
    assert_eq!(
        only_options,
        ["R__placeholders.sql"],
        "files without a default-settings row"
    );
    let stale: Vec<_> = default_rows
        .union(&option_rows)
        .filter(|f| !on_disk.contains(*f))
        .collect();
    assert!(stale.is_empty(), "golden rows naming no file: {stale:?}");
}

#[test]
fn non_default_options_match_flyway() {
    let rows = rows("expected_options.tsv");
    assert!(
        rows.len() >= 5,
        "expected_options.tsv lost rows: {}",
        rows.len()
    );
    let mut failures = Vec::new();
    let mut check = |what: String, got: Result<i32, String>, want: i32| {
        if got != Ok(want) {
            failures.push(format!("{what}: expected {want}, got {got:?}"));
        }
    };
    for row in &rows {
        let [_, script, _, options] = row.as_slice() else {
            panic!("expected_options.tsv: row {row:?} does not have 4 columns");
        };
        let want = expected("expected_options.tsv", row);

        if let Some(names) = options.strip_prefix("encoding=") {
            // `UTF-16LE (or UTF-16)`: every encoding named must give the value.
            let names: Vec<&str> = names
                .split(" (or ")
                .map(|n| n.trim_end_matches(')').trim())
                .collect();
            assert!(!names.is_empty(), "{options}");
            for encoding_name in names {
                let encoding =
                    Encoding::from_name(encoding_name).unwrap_or_else(|e| panic!("{script}: {e}"));
                let got = checksum_of(script, encoding).map_err(|e| e.to_string());
                check(format!("{script} as {encoding_name}"), got, want);
            }
        } else if let Some(list) = options.strip_prefix("placeholders ") {
            // `greeting=hello, flyway:filename=R__placeholders.sql (repeatable: ...)`
            let list = list.split(" (").next().unwrap_or_default();
            let mut placeholders = Placeholders::default();
            for pair in list.split(", ") {
                let (key, value) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("bad placeholder {pair:?}"));
                placeholders.set(key, value);
            }
            // `flyway:filename` is what tidemark itself would rebuild from the name.
            let parsed = name::parse(script, &NamingConfig::default())
                .unwrap_or_else(|e| panic!("{script}: {e}"))
                .unwrap_or_else(|| panic!("{script}: not a SQL file name"));
            assert_eq!(
                placeholders.get("flyway:filename"),
                Some(parsed.filename(&NamingConfig::default()).as_str()),
                "{script}: rebuilt file name"
            );
            let raw = text::decode(&read(&dir().join(script)), Encoding::Utf8)
                .unwrap_or_else(|e| panic!("{script}: {e}"));
            let got = placeholders
                .replace(&raw)
                .map(|replaced| checksum::flyway(&replaced))
                .map_err(|e| e.to_string());
            check(format!("{script} after replacement"), got, want);
        } else if options.starts_with("multi-resource combine") {
            let parts: Vec<i32> = script.split('+').map(utf8_checksum).collect();
            assert!(parts.len() >= 2, "{script}: nothing to combine");
            check(
                format!("combine {script}"),
                Ok(checksum::flyway_combine(&parts)),
                want,
            );
        } else if options.starts_with("placeholderReplacement=false") {
            check(format!("{script} raw"), Ok(utf8_checksum(script)), want);
        } else {
            panic!("expected_options.tsv: no rule for options {options:?} (row {row:?})");
        }
    }
    assert!(
        failures.is_empty(),
        "checksum mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn error_rows_name_the_first_bad_byte() {
    // Not a Flyway value, but the offset must point at a byte the encoding refuses.
    for row in rows("expected.tsv") {
        if row.get(2).map(String::as_str) != Some("ERROR") {
            continue;
        }
        let script = &row[1];
        let bytes = read(&dir().join(script));
        match text::decode(&bytes, Encoding::Utf8) {
            Err(TextError::Malformed { encoding, offset }) => {
                assert_eq!(encoding, "UTF-8");
                assert!(std::str::from_utf8(&bytes[..offset]).is_ok(), "{script}");
                assert!(std::str::from_utf8(&bytes[offset..]).is_err(), "{script}");
            }
            other => panic!("{script}: expected a decode error, got {other:?}"),
        }
    }
}
