//! Micro benchmark: lint a generated set of 1,000 PostgreSQL migrations as one set and print
//! how long it took. Not a timed test; run it with
//! `cargo run --release -p tidemark-lint --example bench [files]`.

use std::time::Instant;

use tidemark_lint::{Dialect, LintConfig, Linter, SourceFile};

fn migration(i: usize) -> String {
    let t = format!("table_{}", i / 5);
    match i % 5 {
        0 => format!(
            "-- tidemark:phase=expand\nCREATE TABLE {t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  owner_id bigint NOT NULL REFERENCES users (id),\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX {t}_owner_idx ON {t} (owner_id);\n"
        ),
        1 => format!(
            "ALTER TABLE {t} ADD COLUMN status text NOT NULL DEFAULT 'new';\nALTER TABLE {t} ADD CONSTRAINT {t}_status_ck CHECK (status IN ('new', 'done')) NOT VALID;\nCOMMENT ON COLUMN {t}.status IS 'workflow state';\n"
        ),
        2 => format!(
            "ALTER TABLE {t} VALIDATE CONSTRAINT {t}_status_ck;\nUPDATE {t} SET name = lower(name) WHERE id >= 1 AND id < 10001;\n"
        ),
        3 => format!("CREATE INDEX CONCURRENTLY IF NOT EXISTS {t}_name_idx ON {t} (name);\n"),
        _ => format!(
            "CREATE OR REPLACE VIEW {t}_open AS SELECT o.id, o.name, u.email FROM {t} o JOIN users u ON u.id = o.owner_id WHERE o.status = 'new';\nALTER TABLE orders ADD COLUMN note_{i} text;\nALTER TABLE orders DROP COLUMN IF EXISTS legacy_{i};\nDROP INDEX CONCURRENTLY IF EXISTS old_{i}_idx;\n"
        ),
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let files: Vec<SourceFile> = (0..n)
        .map(|i| SourceFile::new(format!("V{}__m.sql", i + 1), migration(i)))
        .collect();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let linter = Linter::new(Dialect::Postgres, LintConfig::default()).expect("default config");
    // Warm up once, then take the best of five.
    let mut best = f64::MAX;
    let mut report = linter.lint_files(&files);
    for _ in 0..5 {
        let start = Instant::now();
        report = linter.lint_files(&files);
        best = best.min(start.elapsed().as_secs_f64());
    }
    let findings = report.findings().count();
    if std::env::var_os("BENCH_RULES").is_some() {
        let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
        for (_, f) in report.findings() {
            *by.entry(f.rule).or_default() += 1;
        }
        eprintln!("{by:?}");
    }
    println!(
        "linted {n} files ({} KiB) as one set in {:.1} ms (best of 5), {findings} findings",
        bytes / 1024,
        best * 1000.0
    );
}
