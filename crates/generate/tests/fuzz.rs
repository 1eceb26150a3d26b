//! No input makes the generators panic: thousands of pseudo-random scripts (SQL tokens, quotes,
//! comments, placeholders and stray bytes) through `undo_script`, and random names and fragments
//! through every plan generator, for every dialect.

use tidemark_generate::{
    Dialect, PlanOptions, add_foreign_key, add_not_null_column, add_unique, change_column_type,
    drop_column, rename_column, undo_script,
};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "CREATE",
    "TABLE",
    "INDEX",
    "UNIQUE",
    "CONCURRENTLY",
    "VIEW",
    "OR REPLACE",
    "SEQUENCE",
    "ALTER",
    "ADD",
    "COLUMN",
    "CONSTRAINT",
    "FOREIGN KEY",
    "REFERENCES",
    "CHECK",
    "DROP",
    "INSERT INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "FROM",
    "WHERE",
    "ON",
    "IF NOT EXISTS",
    "TRIGGER",
    "BEGIN",
    "END",
    "FUNCTION",
    "RETURNS",
    "LANGUAGE",
    "AS",
    "$$",
    "$x$",
    "(",
    ")",
    ",",
    ";",
    ";",
    "\n",
    " ",
    " ",
    "'",
    "''",
    "\"",
    "`",
    "[",
    "]",
    "--",
    "/*",
    "*/",
    "#",
    "${",
    "}",
    "${schema}",
    "t",
    "a.b",
    "\"Q\"",
    "1",
    "-1",
    "NULL",
    "int",
    "text",
    "varchar(10)",
    "\u{0}",
    "\r",
    "\u{feff}",
    "é",
    "😀",
    "\\",
    "DELIMITER $$",
    "USING INDEX",
    "NOT VALID",
    "SCHEMA",
    "TYPE",
    "EXTENSION",
    "PRAGMA",
    "RENAME",
    "TO",
];

fn random_text(rng: &mut Rng) -> String {
    let n = rng.below(40);
    (0..n)
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn random_word(rng: &mut Rng) -> String {
    let n = rng.below(4);
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

#[test]
fn undo_script_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let text = random_text(&mut rng);
        for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            let undo = undo_script(dialect, &text);
            for todo in &undo.todos {
                assert!(todo.line >= 1, "{text:?}");
            }
        }
    }
}

const SEEDS: &[&str] = &[
    "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL DEFAULT 'x');",
    "CREATE UNIQUE INDEX CONCURRENTLY i ON s.t (a, b) WHERE a > 0;",
    "ALTER TABLE t ADD COLUMN c int, ADD CONSTRAINT k FOREIGN KEY (c) REFERENCES p (id) NOT VALID;",
    "CREATE FUNCTION f(a int) RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
    "CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END;",
    "CREATE VIEW v AS SELECT a, count(*) FROM t GROUP BY a;",
    "INSERT INTO t (a) VALUES ('${x}'); UPDATE t SET a = 'b' WHERE id IN (SELECT id FROM t LIMIT 5);",
];

/// A seed statement with a few random edits: cut, insert, duplicate.
fn mutated(rng: &mut Rng) -> String {
    let mut chars: Vec<char> = SEEDS[rng.below(SEEDS.len())].chars().collect();
    for _ in 0..rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if at < chars.len() => {
                let end = (at + rng.below(6)).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let piece: Vec<char> = PIECES[rng.below(PIECES.len())].chars().collect();
                chars.splice(at..at, piece);
            }
            _ => {
                let copy: Vec<char> = chars[..at].to_vec();
                chars.extend(copy);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn undo_script_never_panics_on_near_valid_sql() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..3000 {
        let text = mutated(&mut rng);
        for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            let _ = undo_script(dialect, &text);
        }
    }
}

#[test]
fn plan_generators_never_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..2000 {
        let w: Vec<String> = (0..6).map(|_| random_word(&mut rng)).collect();
        let options = PlanOptions {
            key: random_word(&mut rng),
            batch_size: rng.below(3) as u64,
            batch_pause: Some(random_word(&mut rng)).filter(|s| !s.is_empty()),
            current_type: Some(random_word(&mut rng)).filter(|s| !s.is_empty()),
        };
        for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            let _ = rename_column(dialect, &w[0], &w[1], &w[2], &options);
            let _ = add_not_null_column(dialect, &w[0], &w[1], &w[2], &w[3], &options);
            let _ = change_column_type(dialect, &w[0], &w[1], &w[2], Some(&w[3]), &options);
            let _ = drop_column(dialect, &w[0], &w[1], &options);
            let _ = add_foreign_key(dialect, &w[0], &w[1], &w[2], &w[3], Some(&w[4]), &options);
            let _ = add_unique(dialect, &w[0], &[&w[1], &w[5]], Some(&w[4]), &options);
        }
    }
}
