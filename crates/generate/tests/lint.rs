//! Every generated migration lints clean for its dialect: no error and no warning. The plan's
//! files are linted as one pending set in plan order, after the migration that created the
//! tables as already applied (so the tables exist and have traffic, as in production), the way
//! `tidemark lint` sees a project connected to its database.

mod common;

use tidemark_lint::{LintConfig, Linter, Severity, SourceFile};

#[test]
fn generated_plans_lint_clean() {
    let mut problems = Vec::new();
    for case in common::cases() {
        let linter = Linter::new(case.dialect, LintConfig::default()).unwrap();
        let files: Vec<SourceFile> = case
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                // What the backfill engine executes: the placeholder replaced by the batch size.
                let size = tidemark_ledger::directive::parse(&f.sql)
                    .unwrap()
                    .into_iter()
                    .find_map(|d| match d.directive {
                        tidemark_ledger::directive::Directive::BatchSize(n) => Some(n),
                        _ => None,
                    })
                    .unwrap_or(1000);
                let text = f.sql.replace("${tidemark:batchSize}", &size.to_string());
                SourceFile::new(format!("V{}__{}.sql", i + 1, f.description), text)
            })
            .collect();
        let applied = [SourceFile::new("V0__base.sql", case.base())];
        let report = linter.lint_pending(&applied, &files);
        for file in &report.files {
            for finding in &file.findings {
                if finding.severity >= Severity::Warning {
                    problems.push(format!(
                        "{} {}:{}: {} {}: {}",
                        case.name,
                        file.path.display(),
                        finding.line,
                        finding.severity,
                        finding.rule,
                        finding.message
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "lint findings:\n{}",
        problems.join("\n")
    );
}
