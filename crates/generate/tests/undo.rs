//! Snapshots of `undo_script`: what it inverts per dialect, and the TODOs for what it cannot.

use std::collections::BTreeSet;

use tidemark_generate::{Dialect, undo_script};

/// `(snapshot name, dialect, migration)`.
const CASES: &[(&str, Dialect, &str)] = &[
    (
        "postgres_additive",
        Dialect::Postgres,
        "SET search_path TO app, public;
CREATE SCHEMA billing;
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SEQUENCE invoice_seq;
CREATE TABLE billing.invoices (
  id bigint PRIMARY KEY,
  total numeric(12, 2) NOT NULL
);
CREATE INDEX invoices_total_idx ON billing.invoices (total);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Invoices By Id\" ON billing.invoices (id);
ALTER TABLE billing.invoices ADD COLUMN note text, ADD COLUMN mood mood;
ALTER TABLE billing.invoices ADD CONSTRAINT invoices_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_invoice_fk FOREIGN KEY (invoice_id) REFERENCES billing.invoices (id);
CREATE VIEW billing.big_invoices AS SELECT * FROM billing.invoices WHERE total > 1000;
CREATE MATERIALIZED VIEW billing.totals AS SELECT sum(total) AS total FROM billing.invoices;
CREATE FUNCTION billing.stamp(a integer, INOUT b text, OUT c text) LANGUAGE plpgsql AS $$ BEGIN c := b; END $$;
CREATE TRIGGER invoices_stamp BEFORE INSERT ON billing.invoices FOR EACH ROW EXECUTE FUNCTION billing.stamp_trigger();
CREATE TABLE ${schema}.audit (id bigint);
",
    ),
    (
        "postgres_todo",
        Dialect::Postgres,
        "CREATE TABLE t (id bigint);
INSERT INTO t VALUES (1);
UPDATE t
   SET id = 2
 WHERE id = 1;
ALTER TABLE t ALTER COLUMN id TYPE integer;
ALTER TABLE t ADD COLUMN a text, DROP COLUMN b;
ALTER TABLE t ADD CHECK (id > 0);
ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;
ALTER TYPE mood ADD VALUE 'meh';
CREATE OR REPLACE VIEW v AS SELECT 1;
CREATE INDEX ON t (id);
DROP TABLE old_stuff;
FROB THE TABLE t;
COMMENT ON TABLE t IS 'x';
",
    ),
    (
        "mysql_additive",
        Dialect::Mysql,
        "SET NAMES utf8mb4;
CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT, email VARCHAR(100), total INT);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE UNIQUE INDEX orders_email_idx ON orders (email);
ALTER TABLE orders ADD COLUMN note TEXT, ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'new';
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ADD CONSTRAINT orders_email_key UNIQUE (email);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
ALTER TABLE orders ADD INDEX orders_status_idx (status);
CREATE VIEW open_orders AS SELECT * FROM orders WHERE status = 'new';
CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW
BEGIN
  IF NEW.note IS NULL THEN
    SET NEW.note = 'none';
  END IF;
END;
",
    ),
    (
        "mysql_todo",
        Dialect::Mysql,
        "ALTER TABLE orders MODIFY COLUMN note VARCHAR(200);
RENAME TABLE orders TO purchases;
DELETE FROM orders WHERE id < 10;
ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);
DROP INDEX orders_user_idx ON orders;
",
    ),
    (
        "sqlite_additive",
        Dialect::Sqlite,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE UNIQUE INDEX users_email ON users (email);
ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';
CREATE VIEW free_users AS SELECT * FROM users WHERE plan = 'free';
CREATE TRIGGER users_plan AFTER INSERT ON users
BEGIN
  UPDATE users SET plan = 'free' WHERE rowid = NEW.rowid AND plan IS NULL;
END;
",
    ),
    (
        "sqlite_todo",
        Dialect::Sqlite,
        "PRAGMA foreign_keys = OFF;
ALTER TABLE users RENAME COLUMN email TO mail;
INSERT INTO users (id) VALUES (1);
ALTER TABLE users ADD CONSTRAINT users_id_check CHECK (id > 0);
",
    ),
    ("unterminated", Dialect::Postgres, "CREATE TABLE t (id int);\nSELECT 'open;\n"),
    ("empty", Dialect::Sqlite, "-- only a comment\n"),
];

#[test]
fn undo_scripts() {
    for (name, dialect, sql) in CASES {
        let undo = undo_script(*dialect, sql);
        let mut out = undo.sql.clone();
        out.push_str("---- todos\n");
        for todo in &undo.todos {
            out.push_str(&format!("line {}: {}\n", todo.line, todo.reason));
        }
        insta::assert_snapshot!(*name, out);
        // Everything written parses as a script again.
        tidemark_sql::split(*dialect, &undo.sql).unwrap();
    }
}

#[test]
fn todo_lines_match_the_migration() {
    let sql = "CREATE TABLE t (id int);\n\nINSERT INTO t VALUES (1);\nDROP TABLE t;\n";
    let undo = undo_script(Dialect::Sqlite, sql);
    let lines: Vec<usize> = undo.todos.iter().map(|t| t.line).collect();
    // Reverse order: the DROP's inverse would come first.
    assert_eq!(lines, [4, 3]);
    assert!(
        undo.sql
            .contains("-- TODO: cannot invert automatically (line 3): INSERT INTO t VALUES (1)")
    );
    assert!(undo.sql.ends_with("DROP TABLE t;\n"), "{}", undo.sql);
}

#[test]
fn no_orphan_snapshots() {
    let expected: BTreeSet<String> = CASES
        .iter()
        .map(|(name, _, _)| format!("undo__{name}.snap"))
        .collect();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    let found: BTreeSet<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("undo__") && n.ends_with(".snap"))
                .collect()
        })
        .unwrap_or_default();
    let orphans: Vec<_> = found.difference(&expected).collect();
    assert!(orphans.is_empty(), "orphan snapshots: {orphans:?}");
}
