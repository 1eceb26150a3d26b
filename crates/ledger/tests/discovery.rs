//! Discovery: what `resolve` finds in locations, and the errors it refuses with (reference §1.4,
//! §2, §9).

use std::fs;

use tidemark_ledger::name::Kind;
use tidemark_ledger::placeholder::Placeholders;
use tidemark_ledger::source::{FsSource, MemSource, ResolveConfig, ResolveError, Source, resolve};

fn mem(list: &[(&str, &[u8])]) -> MemSource {
    let mut src = MemSource::new();
    for (name, bytes) in list {
        src.add(0, name, bytes.to_vec());
    }
    src
}

#[test]
fn duplicate_versions_are_refused_naming_both_files() {
    let src = mem(&[
        ("V1__a.sql", b"a"),
        ("V1.0__b.sql", b"b"),
        ("U1__a.sql", b"u"),
        ("B1__base.sql", b"x"),
    ]);
    let err = resolve(&src, &ResolveConfig::default()).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    let text = err.to_string();
    // Either file's spelling of the version (`1` or `1.0`) names the collision.
    assert!(
        text.starts_with("Found more than one migration with version 1"),
        "{text}"
    );
    assert!(text.contains("\nOffenders:\n-> mem0/V1"), "{text}");
    assert!(
        text.contains("V1.0__b.sql (SQL)") && text.contains("V1__a.sql (SQL)"),
        "{text}"
    );
}

#[test]
fn undo_and_baseline_of_same_version_are_not_duplicates() {
    let src = mem(&[
        ("V1__a.sql", b"a"),
        ("U1__a.sql", b"u"),
        ("B1__base.sql", b"x"),
    ]);
    let r = resolve(&src, &ResolveConfig::default()).unwrap();
    let kinds: Vec<_> = r.migrations.iter().map(|m| m.name.kind).collect();
    assert_eq!(kinds, [Kind::Versioned, Kind::Baseline, Kind::Undo]);
}

#[test]
fn repeatables_collide_on_description_and_callbacks_on_name() {
    let src = mem(&[("R__a_b.sql", b"1"), ("sub/R__a b.sql", b"2")]);
    let err = resolve(&src, &ResolveConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("Found more than one repeatable migration with description a b"),
        "{err}"
    );

    let mut src = MemSource::new();
    src.add(0, "afterMigrate.sql", b"x".to_vec());
    src.add(1, "afterMigrate.sql", b"y".to_vec());
    let err = resolve(&src, &ResolveConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("Found more than 1 SQL callback script called afterMigrate!"),
        "{err}"
    );
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let src = mem(&[
        ("V1__a.sql", b"a"),
        ("V1__b.sql", b"b"),
        ("V2__bad.sql", b"caf\xe9"),
        ("V3__x.sql.conf", b"nope=1"),
    ]);
    let mut with_v3 = src.clone();
    with_v3.add(0, "V3__x.sql", b"x".to_vec());
    let err = resolve(&with_v3, &ResolveConfig::default()).unwrap_err();
    assert_eq!(err.0.len(), 3, "{err}");
    assert!(
        err.0
            .iter()
            .any(|e| matches!(e, ResolveError::Decode { line: 1, .. }))
    );
    assert!(
        err.0
            .iter()
            .any(|e| matches!(e, ResolveError::ScriptConfig { line: 1, .. }))
    );
    assert!(
        err.0
            .iter()
            .any(|e| matches!(e, ResolveError::DuplicateVersion { .. }))
    );
}

#[test]
fn non_utf8_file_names_file_line_and_the_fix() {
    let src = mem(&[("V1__latin.sql", b"select 1;\nselect 'caf\xe9';\n")]);
    let err = resolve(&src, &ResolveConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Unable to calculate checksum of mem0/V1__latin.sql"),
        "{err}"
    );
    assert!(err.contains("(line 2)"), "{err}");
    assert!(err.contains("encoding"), "{err}");
    // A per-script .conf fixes it.
    let mut fixed = src.clone();
    fixed.add(0, "V1__latin.sql.conf", b"encoding=ISO-8859-1\n".to_vec());
    let r = resolve(&fixed, &ResolveConfig::default()).unwrap();
    assert!(r.migrations[0].text.contains("café"));
    assert_eq!(
        r.migrations[0].config.encoding.as_deref(),
        Some("ISO-8859-1")
    );
}

#[test]
fn bad_names_are_skipped_or_refused_with_validate_naming() {
    let src = mem(&[
        ("V1__ok.sql", b"a"),
        ("v2__lower.sql", b"b"),
        ("Vx__bad.sql", b"c"),
        ("notes.txt", b"d"),
        ("R1__rep.sql", b"e"),
    ]);
    let r = resolve(&src, &ResolveConfig::default()).unwrap();
    assert_eq!(r.migrations.len(), 1);
    assert_eq!(r.skipped.len(), 3);
    let strict = ResolveConfig {
        validate_naming: true,
        ..ResolveConfig::default()
    };
    let err = resolve(&src, &strict).unwrap_err().to_string();
    assert!(err.starts_with("Invalid SQL filenames found:\r\n"), "{err}");
    assert!(
        err.contains("could not recognise version number x"),
        "{err}"
    );
    assert!(
        err.contains("Unrecognised migration name format: v2__lower.sql"),
        "{err}"
    );
}

#[test]
fn repeatable_checksum_is_after_placeholders_with_filename() {
    let text = b"CREATE VIEW v AS SELECT '${greeting}' AS g, '${flyway:filename}' AS f;";
    let src = mem(&[("R__v.sql", text), ("V1__v.sql", text)]);
    let mut placeholders = Placeholders::default();
    placeholders.set("greeting", "hello");
    let config = ResolveConfig {
        placeholders,
        ..ResolveConfig::default()
    };
    let r = resolve(&src, &config).unwrap();
    let versioned = &r.migrations[0];
    let repeatable = &r.migrations[1];
    // Versioned: raw text. Repeatable: replaced text, raw kept as the equivalent checksum.
    assert_eq!(versioned.checksum, versioned.raw_checksum);
    assert_eq!(repeatable.raw_checksum, versioned.checksum);
    assert_ne!(repeatable.checksum, repeatable.raw_checksum);
    assert!(repeatable.checksum_matches(Some(repeatable.raw_checksum)));

    let missing = resolve(&mem(&[("R__v.sql", text)]), &ResolveConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        missing
            .contains("No value provided for placeholder: ${greeting}.  Check your configuration!"),
        "{missing}"
    );
}

#[test]
fn filesystem_walk_records_paths_relative_to_location_and_skips_hidden_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sql");
    fs::create_dir_all(root.join("2024/q1")).unwrap();
    fs::create_dir_all(root.join(".hidden")).unwrap();
    fs::write(root.join("V1__a.sql"), "a").unwrap();
    fs::write(root.join("2024/q1/V2__b.sql"), "b").unwrap();
    fs::write(root.join(".hidden/V3__c.sql"), "c").unwrap();
    fs::write(root.join("README.md"), "docs").unwrap();
    let src = FsSource::new(
        vec![root.clone(), root.clone(), dir.path().join("absent")],
        false,
    );
    let r = resolve(&src, &ResolveConfig::default()).unwrap();
    let scripts: Vec<_> = r.migrations.iter().map(|m| m.script.as_str()).collect();
    // The same location twice collapses; the hidden folder is skipped.
    assert_eq!(scripts, ["V1__a.sql", "2024/q1/V2__b.sql"]);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("absent"));

    let strict = FsSource::new(vec![dir.path().join("absent")], true);
    assert!(resolve(&strict, &ResolveConfig::default()).is_err());

    // Overlapping locations that give different script paths are duplicates, as in Flyway.
    let overlap = FsSource::new(vec![root.clone(), root.join("2024")], false);
    let err = resolve(&overlap, &ResolveConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Found more than one migration with version 2"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn listed_paths_join_the_location_and_the_name_exactly() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sql");
    fs::create_dir_all(root.join("a/b")).unwrap();
    fs::write(root.join(".V1__hidden_file_is_listed.sql"), "1").unwrap();
    fs::write(root.join("a/b/V2__deep.sql"), "2").unwrap();
    // A name that is not UTF-8: shown with a replacement character, read by its real bytes.
    let latin = std::ffi::OsStr::from_bytes(b"V3__caf\xe9.sql");
    fs::write(root.join("a").join(latin), "3").unwrap();
    // The location written with a trailing slash gives the same paths (no doubled slash).
    let mut with_slash = root.clone().into_os_string();
    with_slash.push("/");
    for location in [root.clone(), std::path::PathBuf::from(with_slash)] {
        let src = FsSource::new(vec![location], false);
        let listing = src.list().unwrap();
        // Compared as strings: `Path` equality would let a doubled `/` through.
        let found: Vec<(String, std::ffi::OsString)> = listing
            .files
            .iter()
            .map(|f| (f.relative.clone(), f.path.clone().into_os_string()))
            .collect();
        let expected = [
            (
                ".V1__hidden_file_is_listed.sql",
                root.join(".V1__hidden_file_is_listed.sql"),
            ),
            ("a/V3__caf\u{fffd}.sql", root.join("a").join(latin)),
            ("a/b/V2__deep.sql", root.join("a/b/V2__deep.sql")),
        ]
        .map(|(relative, path)| (relative.to_string(), path.into_os_string()));
        assert_eq!(found, expected);
        let bytes = src.read(&listing.files[1]).unwrap();
        assert_eq!(bytes, b"3");
    }
}

#[test]
fn many_files_load_on_several_threads_with_every_result_in_listing_order() {
    // Enough files for the parallel path; every fifth one is broken (bad directive) so the
    // errors, too, must come back in file order.
    let mut src = MemSource::new();
    for i in 1..=600 {
        let text = if i % 5 == 0 {
            format!("-- tidemark:phase=sideways\nSELECT {i};\n")
        } else {
            format!("SELECT {i};\n")
        };
        src.add(0, &format!("V{i}__m.sql"), text.into_bytes());
    }
    src.add(0, "afterMigrate.sql", b"SELECT 0;\n".to_vec());
    let (resolved, errors) = tidemark_ledger::source::resolve_all(&src, &ResolveConfig::default());
    let versions: Vec<String> = resolved
        .migrations
        .iter()
        .map(|m| m.name.version.as_ref().unwrap().to_string())
        .collect();
    let expected: Vec<String> = (1..=600)
        .filter(|i| i % 5 != 0)
        .map(|i| i.to_string())
        .collect();
    assert_eq!(versions, expected);
    assert_eq!(resolved.callbacks.len(), 1);
    // Each file's checksum is its own (not a neighbour's from another thread).
    let one = resolve(
        &mem(&[("V7__m.sql", b"SELECT 7;\n")]),
        &ResolveConfig::default(),
    )
    .unwrap()
    .migrations[0]
        .checksum;
    let seven = resolved
        .migrations
        .iter()
        .find(|m| m.name.version.as_ref().unwrap().to_string() == "7")
        .unwrap();
    assert_eq!(seven.checksum, one);
    let failed: Vec<String> = errors
        .iter()
        .map(|e| e.to_string())
        .filter(|e| e.contains("sideways"))
        .collect();
    assert_eq!(failed.len(), 120, "{errors:?}");
    let order: Vec<usize> = failed
        .iter()
        .map(|e| {
            let at = e.find("/V").unwrap() + 2;
            e[at..].split("__").next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[cfg(unix)]
#[test]
fn linked_files_and_folders_are_followed_and_large_files_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sql");
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir_all(&root).unwrap();
    fs::create_dir_all(elsewhere.join("nested")).unwrap();
    // Larger than one read chunk, with a multi-byte character across the chunk boundary.
    let big = format!("-- {}é\nSELECT 1;\n", "x".repeat(8189));
    fs::write(root.join("V1__big.sql"), &big).unwrap();
    fs::write(elsewhere.join("V2__linked.sql"), "SELECT 2;\n").unwrap();
    fs::write(
        elsewhere.join("nested/V3__in_linked_dir.sql"),
        "SELECT 3;\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        elsewhere.join("V2__linked.sql"),
        root.join("V2__linked.sql"),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.join("nested"), root.join("more")).unwrap();
    let src = FsSource::new(vec![root.clone()], false);
    let r = resolve(&src, &ResolveConfig::default()).unwrap();
    let scripts: Vec<_> = r.migrations.iter().map(|m| m.script.as_str()).collect();
    assert_eq!(
        scripts,
        [
            "V1__big.sql",
            "V2__linked.sql",
            "more/V3__in_linked_dir.sql"
        ]
    );
    assert_eq!(r.migrations[0].text, big);
    assert_eq!(
        r.migrations[0].checksum,
        tidemark_ledger::checksum::flyway(&big)
    );
}

#[test]
fn prefetched_files_resolve_as_the_source_itself_and_are_handed_over_once() {
    use tidemark_ledger::source::{Prefetched, Source};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sql");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("V1__a.sql"), "SELECT 1;\n").unwrap();
    fs::write(root.join("V1__a.sql.conf"), "executeInTransaction=false\n").unwrap();
    fs::write(root.join("R__view.sql"), "SELECT ${x};\n").unwrap();
    fs::write(root.join("notes.txt"), "not read ahead").unwrap();
    let src = FsSource::new(vec![root.clone()], false);
    let mut config = ResolveConfig::default();
    config.placeholders.set("x", "42".to_string());
    let direct = resolve(&src, &config).unwrap();

    let prefetched = Prefetched::load(&src, |name| {
        name.ends_with(".sql") || name.ends_with(".conf")
    });
    // Changed after the read-ahead: what was read ahead is what resolves.
    fs::write(root.join("V1__a.sql"), "SELECT 'changed';\n").unwrap();
    let ahead = resolve(&prefetched, &config).unwrap();
    let summary = |r: &tidemark_ledger::source::Resolved| {
        r.migrations
            .iter()
            .map(|m| {
                (
                    m.script.clone(),
                    m.checksum,
                    m.config.execute_in_transaction,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&ahead), summary(&direct));
    assert_eq!(
        direct.migrations[0].config.execute_in_transaction,
        Some(false)
    );
    // Handed over once: asked again, the files come from disk (the listing too), and a file
    // that was not read ahead is read when asked for.
    let again = resolve(&prefetched, &config).unwrap();
    let v1 = again
        .migrations
        .iter()
        .find(|m| m.script == "V1__a.sql")
        .unwrap();
    assert_eq!(v1.text, "SELECT 'changed';\n");
    let listing = prefetched.list().unwrap();
    let notes = listing
        .files
        .iter()
        .find(|f| f.relative == "notes.txt")
        .unwrap();
    assert_eq!(prefetched.read(notes).unwrap(), b"not read ahead");
    // A location that cannot be listed fails as the source itself does.
    let strict = FsSource::new(vec![dir.path().join("absent")], true);
    let prefetched = Prefetched::load(&strict, |_| true);
    assert!(resolve(&prefetched, &config).is_err());
}

#[test]
fn the_listing_is_in_the_order_of_a_walk_by_file_name() {
    // Names where comparing whole paths as text would differ from comparing them name by name
    // ('-' and '.' sort before '/'), nested folders, and upper case before lower case.
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "a.sql",
        "a/x.sql",
        "a/b/y.sql",
        "a-b.sql",
        "a/c.sql",
        "B.sql",
        "b/V1__z.sql",
        "b.sql",
        "ab.sql",
        "a/b.sql",
    ] {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"SELECT 1;\n").unwrap();
    }
    let src = FsSource::new(vec![dir.path().to_path_buf()], true);
    let listed: Vec<String> = src
        .list()
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.relative)
        .collect();
    let walked: Vec<String> = walkdir::WalkDir::new(dir.path())
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir.path()).unwrap();
            rel.to_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(listed, walked);
    assert_eq!(listed.first().map(String::as_str), Some("B.sql"));
    let a_dir = listed.iter().position(|r| r == "a/x.sql").unwrap();
    let a_file = listed.iter().position(|r| r == "a.sql").unwrap();
    assert!(a_dir < a_file, "{listed:?}");
}

#[test]
fn migrations_sort_by_version_kind_and_description_whatever_the_listing_order() {
    // One-number versions (sorted by a key) and, with `1.1` among them, versions of several
    // parts (sorted in full): the same order either way.
    let names = [
        "V10__b.sql",
        "R__zeta.sql",
        "V2__c.sql",
        "U2__c.sql",
        "R__Beta.sql",
        "V20240101120000__ts.sql",
        "V1__a.sql",
        "R__alpha.sql",
        "V5__e.sql",
    ];
    let expected = [
        "V1__a.sql",
        "V2__c.sql",
        "U2__c.sql",
        "V5__e.sql",
        "V10__b.sql",
        "V20240101120000__ts.sql",
        "R__Beta.sql",
        "R__alpha.sql",
        "R__zeta.sql",
    ];
    for extra in [None, Some("V1.1__between.sql")] {
        let mut src = MemSource::new();
        for name in names.iter().chain(extra.as_ref()) {
            src.add(0, name, b"SELECT 1;\n".to_vec());
        }
        let (resolved, errors) =
            tidemark_ledger::source::resolve_all(&src, &ResolveConfig::default());
        assert!(errors.is_empty(), "{errors:?}");
        let scripts: Vec<&str> = resolved
            .migrations
            .iter()
            .map(|m| m.script.as_str())
            .collect();
        let mut want: Vec<&str> = expected.to_vec();
        if let Some(extra) = extra {
            want.insert(1, extra);
        }
        assert_eq!(scripts, want);
    }
}
