//! No input makes the linter panic: thousands of pseudo-random scripts built from SQL words,
//! punctuation, quotes, comments and raw bytes, in all three dialects, through every public entry
//! point. Deterministic (a fixed-seed xorshift), so a failure reproduces.

use tidemark_lint::{Dialect, LintConfig, Linter, Phase, SourceFile, infer_phase, render_text};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "ALTER",
    "TABLE",
    "ADD",
    "COLUMN",
    "DROP",
    "CREATE",
    "INDEX",
    "CONCURRENTLY",
    "IF",
    "NOT",
    "EXISTS",
    "UNIQUE",
    "ON",
    "t",
    "users",
    "id",
    "c",
    "text",
    "bigint",
    "int",
    "varchar(10)",
    "DEFAULT",
    "now()",
    "gen_random_uuid()",
    "NULL",
    "CHECK",
    "(",
    ")",
    ",",
    ";",
    "=",
    "'x'",
    "CONSTRAINT",
    "FOREIGN",
    "KEY",
    "REFERENCES",
    "VALID",
    "VALIDATE",
    "RENAME",
    "TO",
    "TYPE",
    "SET",
    "UPDATE",
    "DELETE",
    "FROM",
    "WHERE",
    "INSERT",
    "INTO",
    "VALUES",
    "SELECT",
    "*",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "VIEW",
    "AS",
    "TRUNCATE",
    "CASCADE",
    "REINDEX",
    "CLUSTER",
    "VACUUM",
    "FULL",
    "DOMAIN",
    "PRAGMA",
    "foreign_keys",
    "LIMIT",
    "BETWEEN",
    "AND",
    "OR",
    "$$",
    "$tag$",
    "--",
    "/*",
    "*/",
    "\n",
    "\r",
    "\r\n",
    "\"q\"",
    "`b`",
    "[x]",
    "DELIMITER",
    "//",
    "-- tidemark:phase=contract\n",
    "-- tidemark:allow=ban-drop-column\n",
    "-- tidemark:bad\n",
    "E'\\''",
    "\u{feff}",
    "é",
    "𝔘",
    "\0",
    "MODIFY",
    "CHANGE",
    "ENUM",
    "GENERATED",
    "ALWAYS",
    "STORED",
    "IDENTITY",
    "PRIMARY",
    "TRIGGER",
    "INSTEAD",
    "OF",
    "EACH",
    "ROW",
    "EXECUTE",
    "FUNCTION",
    "f()",
    "DO",
    "COPY",
    "STDIN",
    "\\.",
    "999999999999999999999999",
    "-1",
    ".",
];

fn script(rng: &mut Rng) -> String {
    let len = rng.next() % 60;
    let mut s = String::new();
    for _ in 0..len {
        if rng.next() % 17 == 0 {
            // A raw character, anything at all.
            let c = char::from_u32((rng.next() % 0x2FFF) as u32).unwrap_or('?');
            s.push(c);
        } else {
            s.push_str(rng.pick(WORDS));
        }
        s.push(if rng.next() % 5 == 0 { '\n' } else { ' ' });
    }
    s
}

#[test]
fn random_scripts_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let dialects = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];
    let config = LintConfig {
        timeouts_managed: false,
        severity_overrides: vec![("require-table-schema".into(), tidemark_lint::Severity::Info)],
        ..LintConfig::default()
    };
    for round in 0..1500 {
        let dialect = dialects[round % 3];
        let linter = Linter::new(dialect, config.clone()).unwrap();
        let files: Vec<SourceFile> = (0..3)
            .map(|i| SourceFile {
                declared_phase: [None, Some(Phase::Expand), Some(Phase::Contract)][i],
                ..SourceFile::new(format!("V{i}.sql"), script(&mut rng))
            })
            .collect();
        let report = linter.lint_pending(&files[..1], &files[1..]);
        let _ = render_text(&report);
        let _ = serde_json::to_string(&report).unwrap();
        for f in &files {
            let _ = infer_phase(dialect, &f.text);
        }
        for (file, finding) in report.findings() {
            assert!(finding.line >= 1 && finding.column >= 1, "{file:?}");
        }
    }
}

#[test]
fn pathological_inputs_never_panic() {
    let deep = format!("SELECT {}1{};", "(".repeat(5000), ")".repeat(5000));
    let long_name = format!("CREATE TABLE {} (id bigint);", "x".repeat(100_000));
    let many = "ALTER TABLE t ADD COLUMN c text;\n".repeat(500);
    let unclosed = "CREATE TABLE t (note text DEFAULT 'never closed);\nDROP TABLE t;";
    let nested = format!(
        "UPDATE t SET a = 1 WHERE {};",
        vec!["(a = 1 OR b = 2)"; 400].join(" AND ")
    );
    let chain = format!(
        "UPDATE t SET a = 1 WHERE {};",
        vec!["a = 1"; 12_000].join(" AND ")
    );
    let sum = format!("SELECT {};", vec!["1"; 12_000].join(" + "));
    // Many operators, but in rows: a big seed INSERT stays parseable.
    let rows = format!(
        "INSERT INTO t (a, b) VALUES {};",
        vec!["(-1, 'a-b+c')"; 6_000].join(", ")
    );
    for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
        let linter = Linter::new(dialect, LintConfig::default()).unwrap();
        for text in [
            &deep, &long_name, &many, unclosed, &nested, &chain, &sum, &rows, "", ";;;", "\u{feff}",
        ] {
            let report = linter.lint_files(&[SourceFile::new("V1.sql", text.to_string())]);
            let _ = render_text(&report);
            let _ = infer_phase(dialect, text);
        }
    }
}
