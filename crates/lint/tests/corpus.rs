//! The labelled corpus in `fixtures/lint-corpus/`: every file's reported rule ids and inferred
//! phase must match its label exactly. Labels come from the reference, so a mismatch is a bug
//! in the linter or a label to re-examine, never something to auto-accept.

use std::path::Path;

use serde::Deserialize;
use tidemark_lint::{Dialect, LintConfig, Linter, Phase, SourceFile};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    dialect: String,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[allow(dead_code)]
    why: String,
    #[serde(default)]
    applied: Vec<String>,
    #[serde(default)]
    timeouts_managed: Option<bool>,
    file: Vec<File>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    sql: String,
    phase: String,
    #[serde(default)]
    declared: Option<String>,
    rules: Vec<String>,
}

fn phase(text: &str) -> Option<Phase> {
    match text {
        "none" => None,
        other => Some(other.parse().expect("phase label")),
    }
}

#[test]
fn corpus_matches_its_labels() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/lint-corpus");
    let mut mismatches = Vec::new();
    let (mut cases, mut files, mut statements) = (0, 0, 0);
    let mut names = std::collections::HashSet::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let corpus: Corpus = toml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let dialect = match corpus.dialect.as_str() {
            "postgres" => Dialect::Postgres,
            "mysql" => Dialect::Mysql,
            "sqlite" => Dialect::Sqlite,
            other => panic!("unknown dialect {other}"),
        };
        for case in &corpus.case {
            assert!(
                names.insert(format!("{}/{}", corpus.dialect, case.name)),
                "duplicate case {}",
                case.name
            );
            cases += 1;
            let config = LintConfig {
                timeouts_managed: case.timeouts_managed.unwrap_or(true),
                ..LintConfig::default()
            };
            let linter = Linter::new(dialect, config).unwrap();
            let applied: Vec<SourceFile> = case
                .applied
                .iter()
                .enumerate()
                .map(|(i, sql)| SourceFile::new(format!("A{}.sql", i + 1), sql.clone()))
                .collect();
            let pending: Vec<SourceFile> = case
                .file
                .iter()
                .enumerate()
                .map(|(i, f)| SourceFile {
                    declared_phase: f.declared.as_deref().and_then(phase),
                    ..SourceFile::new(format!("V{}.sql", i + 1), f.sql.clone())
                })
                .collect();
            let report = linter.lint_pending(&applied, &pending);
            for (i, (label, got)) in case.file.iter().zip(&report.files).enumerate() {
                files += 1;
                statements += tidemark_sql::split(dialect, &label.sql)
                    .map(|s| s.len())
                    .unwrap_or(0);
                let mut want = label.rules.clone();
                want.sort();
                let mut have: Vec<String> =
                    got.findings.iter().map(|f| f.rule.to_string()).collect();
                have.sort();
                if want != have {
                    let detail: Vec<String> = got
                        .findings
                        .iter()
                        .map(|f| format!("    {}:{} {} {}", f.line, f.column, f.rule, f.message))
                        .collect();
                    mismatches.push(format!(
                        "{}/{} file {}: expected rules {want:?}, got {have:?}\n{}",
                        corpus.dialect,
                        case.name,
                        i + 1,
                        detail.join("\n")
                    ));
                }
                if phase(&label.phase) != got.inferred_phase {
                    mismatches.push(format!(
                        "{}/{} file {}: expected phase {}, got {:?}",
                        corpus.dialect,
                        case.name,
                        i + 1,
                        label.phase,
                        got.inferred_phase
                    ));
                }
            }
        }
    }
    println!("corpus: {cases} cases, {files} files, {statements} statements");
    assert!(
        statements >= 60 && files >= 60,
        "corpus too small: {files} files, {statements} statements"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
