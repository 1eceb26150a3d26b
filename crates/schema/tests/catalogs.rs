//! Snapshots of real databases: every kind of object is read from each catalog, the history
//! tables are left out, two databases built by the same statements compare equal, and a change
//! made by hand is a finding.

use tidemark_engine::driver::{Dialect, Driver};
use tidemark_schema::{Change, Options, compare, snapshot, tidemark_tables};

fn run(driver: &mut dyn Driver, sql: &str) {
    for statement in tidemark_sql::split(driver.dialect(), sql).unwrap() {
        driver
            .execute(&statement.sql, &[])
            .unwrap_or_else(|e| panic!("{}: {e}", statement.sql));
    }
}

fn options(schema: &str) -> Options {
    Options {
        schemas: vec![schema.to_string()],
        exclude_tables: tidemark_tables("flyway_schema_history"),
    }
}

const POSTGRES: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id bigint REFERENCES customers (id),
  status text NOT NULL DEFAULT 'new',
  qty positive,
  feeling mood,
  total numeric(10, 2) GENERATED ALWAYS AS (qty * 2) STORED
);
CREATE INDEX orders_status ON orders (status) WHERE status <> 'done';
CREATE SEQUENCE invoice_numbers START 100;
CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status <> 'done';
CREATE MATERIALIZED VIEW order_counts AS SELECT status, count(*) AS n FROM orders GROUP BY status;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY);
"#;

#[test]
fn postgres_catalog() {
    let Some(db) = tidemark_postgres::testing::scratch() else {
        return;
    };
    let mut driver = db.connect();
    run(&mut driver, POSTGRES);
    let snap = snapshot(&mut driver, Dialect::Postgres, &options("public")).unwrap();
    let text = snap.to_text();
    for expected in [
        "extension pg_trgm VERSION",
        "type mood ENUM ('sad', 'ok')",
        "type positive DOMAIN integer CONSTRAINT positive_check CHECK (VALUE > 0)",
        "sequence invoice_numbers bigint START 100 INCREMENT 1",
        "sequence orders_id_seq bigint START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 OWNED BY orders.id",
        "table customers\n  column id bigint GENERATED ALWAYS AS IDENTITY NOT NULL\n  column name text NOT NULL\n",
        "  column id bigint DEFAULT nextval('orders_id_seq'::regclass) NOT NULL\n",
        "  column status text DEFAULT 'new'::text NOT NULL\n",
        "  column total numeric(10,2) GENERATED ALWAYS AS (((qty)::integer * 2)) STORED\n",
        "  constraint orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id)\n",
        "  index orders_status CREATE INDEX orders_status ON public.orders USING btree (status) WHERE (status <> 'done'::text)\n",
        "  trigger orders_touch CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()\n",
        "view open_orders\n",
        "materialized view order_counts\n",
        "function touch()\n    CREATE OR REPLACE FUNCTION public.touch()\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(!text.contains("flyway_schema_history"), "{text}");
    assert!(
        !text.contains("similarity"),
        "extension members are the extension's:\n{text}"
    );
    // Deterministic, and equal to a copy built by the same statements.
    let again = snapshot(&mut driver, Dialect::Postgres, &options("public")).unwrap();
    assert_eq!(again, snap);
    let other = tidemark_postgres::testing::scratch().unwrap();
    let mut other_driver = other.connect();
    run(&mut other_driver, POSTGRES);
    let copy = snapshot(&mut other_driver, Dialect::Postgres, &options("public")).unwrap();
    assert!(compare(&snap, &copy, "migrations", "database").is_empty());
    run(
        &mut other_driver,
        "ALTER TABLE orders ADD COLUMN note text; ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'open';",
    );
    let changed = snapshot(&mut other_driver, Dialect::Postgres, &options("public")).unwrap();
    let drift = compare(&snap, &changed, "migrations", "database");
    let found: Vec<_> = drift
        .findings
        .iter()
        .map(|f| (f.change, f.item.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            (Change::Unexpected, "column note".to_string()),
            (Change::Changed, "column status".to_string())
        ]
    );
}

const MARIADB: &str = r#"
CREATE TABLE customers (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE);
CREATE TABLE orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT,
  status VARCHAR(20) NOT NULL DEFAULT 'new',
  qty INT CHECK (qty > 0),
  total INT AS (qty * 2) STORED,
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX orders_status ON orders (status, qty DESC);
CREATE SEQUENCE invoice_numbers START WITH 100;
CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status <> 'done';
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW SET NEW.status = LOWER(NEW.status);
CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY);
"#;

#[test]
fn mariadb_catalog() {
    let Some(db) = tidemark_mysql::testing::scratch() else {
        return;
    };
    let mut driver = db.connect();
    run(&mut driver, MARIADB);
    let snap = snapshot(&mut driver, Dialect::Mysql, &options(db.name())).unwrap();
    let text = snap.to_text();
    for expected in [
        "table customers ENGINE=InnoDB",
        "  column id bigint(20) NOT NULL AUTO_INCREMENT\n",
        "  column status varchar(20) NOT NULL DEFAULT 'new'\n",
        "  column total int(11) AS (`qty` * 2) STORED GENERATED\n",
        "  constraint orders_customer FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON UPDATE RESTRICT ON DELETE CASCADE\n",
        "  constraint qty CHECK (`qty` > 0)\n",
        "  index orders_status (`status`, `qty` DESC) USING BTREE\n",
        "  trigger orders_touch\n      BEFORE UPDATE FOR EACH ROW\n      SET NEW.status = LOWER(NEW.status)\n",
        "sequence invoice_numbers START 100",
        "view open_orders select `orders`.`id` AS `id`",
        "function twice(IN `x` int(11))",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(
        !text.contains(db.name()),
        "the database name is left out:\n{text}"
    );
    assert!(!text.contains("flyway_schema_history"), "{text}");
    let other = tidemark_mysql::testing::scratch().unwrap();
    let mut other_driver = other.connect();
    run(&mut other_driver, MARIADB);
    let copy = snapshot(&mut other_driver, Dialect::Mysql, &options(other.name())).unwrap();
    let drift = compare(&snap, &copy, "migrations", "database");
    assert!(drift.is_empty(), "{drift:#?}");
    run(
        &mut other_driver,
        "CREATE INDEX orders_qty ON orders (qty);",
    );
    let changed = snapshot(&mut other_driver, Dialect::Mysql, &options(other.name())).unwrap();
    let drift = compare(&snap, &changed, "migrations", "database");
    assert_eq!(drift.findings.len(), 1, "{drift:#?}");
    assert_eq!(drift.findings[0].item.as_deref(), Some("index orders_qty"));
}

#[test]
fn sqlite_catalog() {
    let sql = "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE, status TEXT DEFAULT 'new');
CREATE INDEX orders_status ON orders (status);
CREATE VIEW open_orders AS SELECT id FROM orders WHERE status <> 'done';
CREATE TRIGGER orders_touch AFTER UPDATE ON orders BEGIN SELECT 1; END;
CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY);";
    let mut driver = tidemark_sqlite::SqliteDriver::memory().unwrap();
    run(&mut driver, sql);
    let snap = snapshot(&mut driver, Dialect::Sqlite, &options("main")).unwrap();
    let text = snap.to_text();
    assert_eq!(
        text,
        "table customers\n  column id INTEGER PRIMARY KEY (1)\n  column email TEXT NOT NULL\n  constraint unique (email) UNIQUE (email)\n\ntable orders\n  column id INTEGER PRIMARY KEY (1)\n  column customer_id INTEGER\n  column status TEXT DEFAULT 'new'\n  constraint foreign key (customer_id) FOREIGN KEY (customer_id) REFERENCES customers (id) ON UPDATE NO ACTION ON DELETE CASCADE\n  index orders_status CREATE INDEX orders_status ON orders (status)\n  trigger orders_touch CREATE TRIGGER orders_touch AFTER UPDATE ON orders BEGIN SELECT 1; END\n\nview open_orders CREATE VIEW open_orders AS SELECT id FROM orders WHERE status <> 'done'\n"
    );
    let json = serde_json::to_value(&snap).unwrap();
    assert_eq!(json["objects"][0]["items"][0]["kind"], "column");
}
