//! The example project the README's quick start migrates must lint clean: no errors and no
//! warnings, so `tidemark lint` on a fresh checkout says nothing alarming.

use std::path::{Path, PathBuf};

use tidemark_lint::{Dialect, LintConfig, Linter, Phase, Severity, SourceFile};

/// Flyway order: versioned by version, then repeatables by description, then callbacks.
fn migration_files(dir: &Path) -> Vec<PathBuf> {
    let mut versioned = Vec::new();
    let mut repeatable = Vec::new();
    let mut callbacks = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations/ exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".sql") {
            continue;
        }
        if let Some(rest) = name.strip_prefix('V') {
            let version: Vec<u64> = rest
                .split("__")
                .next()
                .unwrap()
                .split(['.', '_'])
                .map(|p| p.parse().unwrap())
                .collect();
            versioned.push((version, path));
        } else if name.starts_with("R__") {
            repeatable.push(path);
        } else {
            callbacks.push(path);
        }
    }
    versioned.sort();
    repeatable.sort();
    callbacks.sort();
    versioned
        .into_iter()
        .map(|(_, p)| p)
        .chain(repeatable)
        .chain(callbacks)
        .collect()
}

#[test]
fn example_migrations_lint_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let files: Vec<SourceFile> = migration_files(&dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            SourceFile::new(p.file_name().unwrap(), text)
        })
        .collect();
    assert!(files.len() >= 5, "found {} files", files.len());
    let linter = Linter::new(Dialect::Sqlite, LintConfig::default()).unwrap();
    let report = linter.lint_files(&files);
    let alarming: Vec<String> = report
        .findings()
        .filter(|(_, f)| f.severity >= Severity::Warning)
        .map(|(file, f)| {
            format!(
                "{}:{} {} {}",
                file.path.display(),
                f.line,
                f.rule,
                f.message
            )
        })
        .collect();
    assert!(alarming.is_empty(), "{}", alarming.join("\n"));
    // Creating tables and seeding them is expand; refreshing statistics is backfill.
    let phases: Vec<(String, Option<Phase>)> = report
        .files
        .iter()
        .map(|f| (f.path.display().to_string(), f.inferred_phase))
        .collect();
    for (path, phase) in &phases {
        let want = if path.starts_with("afterMigrate") {
            Phase::Backfill
        } else {
            Phase::Expand
        };
        assert_eq!(*phase, Some(want), "{path}: {phases:?}");
    }
}
