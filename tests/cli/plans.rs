//! Plan generators and generated undo through the binary (issues 4 and 8): `tidemark plan ...`
//! writes files that apply in order (expand, backfill, contract) on SQLite, PostgreSQL and
//! MariaDB while "old" and "new" application code write to the table between the phases, and
//! whose undo files, run by `tidemark undo`, bring back the schema and the data they started
//! from. `tidemark undo-script` inverts additive migrations and stops at what it cannot.
//!
//! "The original schema" is compared as the columns' names and types plus the triggers,
//! functions, indexes and constraints on the tables: an undo re-creates a dropped column as
//! nullable (its values come back, its NOT NULL does not), and columns may change position.

use super::servers::Db;
use super::support::{Project, Run};

/// Where a plan is applied: the project's SQLite file or a scratch server database.
struct Bench {
    p: Project,
    db: Option<Db>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
    Mariadb,
}

impl Bench {
    fn sqlite() -> Bench {
        Bench {
            p: Project::new(),
            db: None,
        }
    }

    fn postgres() -> Option<Bench> {
        Some(Bench {
            p: Project::new(),
            db: Some(Db::postgres()?),
        })
    }

    fn mariadb() -> Option<Bench> {
        Some(Bench {
            p: Project::new(),
            db: Some(Db::mariadb()?),
        })
    }

    /// SQLite, then every reachable server.
    fn all() -> Vec<Bench> {
        let mut all = vec![Bench::sqlite()];
        all.extend(Bench::postgres());
        all.extend(Bench::mariadb());
        all
    }

    fn kind(&self) -> Kind {
        match &self.db {
            None => Kind::Sqlite,
            Some(db) if db.is_postgres() => Kind::Postgres,
            Some(_) => Kind::Mariadb,
        }
    }

    fn label(&self) -> &'static str {
        self.db.as_ref().map_or("SQLite", Db::label)
    }

    /// `tidemark ARGS --url <this database>`.
    fn tidemark(&self, args: &[&str]) -> Run {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        if let Some(db) = &self.db {
            all.extend(["--url".to_string(), db.url()]);
        }
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        self.p.run(&refs)
    }

    /// Runs `sql` as the application would.
    fn try_exec(&self, sql: &str) -> Result<(), String> {
        match &self.db {
            Some(db) => db
                .connect()
                .execute(sql, &[])
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => self.p.db().execute_batch(sql).map_err(|e| e.to_string()),
        }
    }

    #[track_caller]
    fn exec(&self, sql: &str) {
        if let Err(e) = self.try_exec(sql) {
            panic!("{}: {sql}: {e}", self.label());
        }
    }

    /// Every row of `sql`, columns joined with `|`, NULL as `NULL`.
    fn rows(&self, sql: &str) -> Vec<String> {
        match &self.db {
            Some(db) => db
                .connect()
                .query(sql, &[])
                .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.label()))
                .into_iter()
                .map(|row| {
                    row.iter()
                        .map(|v| v.as_text().unwrap_or_else(|| "NULL".into()))
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect(),
            None => {
                let conn = self.p.db();
                let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let n = stmt.column_count();
                stmt.query_map([], |row| {
                    let mut cols = Vec::new();
                    for i in 0..n {
                        use rusqlite::types::ValueRef;
                        cols.push(match row.get_ref(i)? {
                            ValueRef::Null => "NULL".to_string(),
                            ValueRef::Integer(v) => v.to_string(),
                            ValueRef::Real(v) => v.to_string(),
                            ValueRef::Text(t) | ValueRef::Blob(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                        });
                    }
                    Ok(cols.join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
        }
    }

    /// The single value of `sql`.
    fn one(&self, sql: &str) -> String {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{}: {sql}: {rows:?}", self.label());
        rows.into_iter().next().unwrap_or_default()
    }

    /// `name type` of each column of `table`, by name.
    fn columns(&self, table: &str) -> Vec<String> {
        self.rows(&match self.kind() {
            Kind::Sqlite => format!(
                "SELECT name || ' ' || type FROM pragma_table_info('{table}') ORDER BY name"
            ),
            Kind::Postgres => format!(
                "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass('{table}') AND attnum > 0 AND NOT attisdropped ORDER BY attname"
            ),
            Kind::Mariadb => format!(
                "SELECT CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' ORDER BY COLUMN_NAME"
            ),
        })
    }

    /// Whether `table.column` is NOT NULL.
    fn not_null(&self, table: &str, column: &str) -> bool {
        let value = self.one(&match self.kind() {
            Kind::Sqlite => format!(
                "SELECT \"notnull\" FROM pragma_table_info('{table}') WHERE name = '{column}'"
            ),
            Kind::Postgres => format!(
                "SELECT attnotnull::int FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attname = '{column}'"
            ),
            Kind::Mariadb => format!(
                "SELECT IF(IS_NULLABLE = 'NO', 1, 0) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND COLUMN_NAME = '{column}'"
            ),
        });
        value == "1"
    }

    /// Triggers, functions, indexes and constraints outside the history tables.
    fn objects(&self) -> Vec<String> {
        self.rows(match self.kind() {
            Kind::Sqlite => {
                "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') AND name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE 'flyway%' ORDER BY 1"
            }
            Kind::Postgres => {
                "SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
                 UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
                 UNION ALL SELECT 'constraint ' || conname || ' ' || convalidated::text FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE 'flyway%'
                 UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename NOT LIKE 'flyway%'
                 ORDER BY 1"
            }
            Kind::Mariadb => {
                "SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
                 UNION SELECT CONCAT('index ', TABLE_NAME, '.', INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE 'flyway%'
                 UNION SELECT CONCAT('constraint ', TABLE_NAME, '.', CONSTRAINT_NAME) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE 'flyway%'
                 ORDER BY 1"
            }
        })
    }

    /// `version:state` per version, from `info` (the state of its latest row: an undone
    /// migration is listed as applied, undone, then pending again).
    fn states(&self) -> Vec<String> {
        let json = self.tidemark(&["info", "--format", "json"]).ok().json();
        let mut states: Vec<(String, String)> = Vec::new();
        for m in json["migrations"].as_array().unwrap() {
            let version = m["version"].as_str().unwrap_or_default().to_string();
            let state = m["state"].as_str().unwrap_or_default().to_string();
            match states.iter_mut().find(|(v, _)| *v == version) {
                Some(entry) => entry.1 = state,
                None => states.push((version, state)),
            }
        }
        states
            .into_iter()
            .map(|(v, s)| format!("{v}:{s}"))
            .collect()
    }

    /// `a` and `b` differ, NULLs compared as values.
    fn distinct(&self, a: &str, b: &str) -> String {
        match self.kind() {
            Kind::Sqlite => format!("{a} IS NOT {b}"),
            Kind::Postgres => format!("{a} IS DISTINCT FROM {b}"),
            Kind::Mariadb => format!("NOT ({a} <=> {b})"),
        }
    }

    /// `INSERT INTO table (columns) SELECT values FROM 1..=n`, where `values` may use `n` and
    /// `{s}` (n as text).
    fn seed(&self, table: &str, columns: &str, values: &str, rows: u32) -> String {
        let (numbers, text) = match self.kind() {
            Kind::Sqlite => (
                format!(
                    "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows}) SELECT n FROM s) AS g"
                ),
                "CAST(n AS TEXT)",
            ),
            Kind::Postgres => (format!("generate_series(1, {rows}) AS g(n)"), "n::text"),
            Kind::Mariadb => {
                let d = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
                (
                    format!(
                        "(SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 1 AS n FROM {d} a, {d} b, {d} c, {d} e) AS g WHERE n <= {rows}"
                    ),
                    "CAST(n AS CHAR)",
                )
            }
        };
        let values = values.replace("{s}", text);
        format!("INSERT INTO {table} ({columns}) SELECT {values} FROM {numbers};")
    }

    /// String concatenation.
    fn concat(&self, parts: &[&str]) -> String {
        match self.kind() {
            Kind::Mariadb => format!("CONCAT({})", parts.join(", ")),
            _ => parts.join(" || "),
        }
    }

    /// The key column type.
    fn id(&self) -> &'static str {
        match self.kind() {
            Kind::Sqlite => "INTEGER PRIMARY KEY",
            _ => "BIGINT PRIMARY KEY",
        }
    }

    /// The migration files in `migrations/`, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.p.path().join("migrations"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

#[test]
fn rename_column_plan_applies_in_phases_and_undoes_on_every_database() {
    for b in Bench::all() {
        let name = b.label();
        let email = b.concat(&["'u'", "{s}", "'@x'"]);
        b.p.migration(
            "V1__users.sql",
            &format!(
                "-- tidemark:phase=expand\nCREATE TABLE users (id {}, email_address VARCHAR(100) NOT NULL, name VARCHAR(50));\n{}\n",
                b.id(),
                b.seed("users", "id, email_address", &format!("n, {email}"), 2000)
            ),
        );
        b.tidemark(&["migrate"]).ok();
        let original_columns = b.columns("users");
        let original_objects = b.objects();

        // SQLite cannot read a type from the catalog while migrating: give it.
        let mut plan = vec![
            "plan",
            "rename-column",
            "users",
            "email_address",
            "email",
            "--batch-size",
            "300",
        ];
        if b.kind() == Kind::Sqlite {
            plan.extend(["--current-type", "VARCHAR(100)"]);
        }
        let out = b.tidemark(&plan).ok();
        assert!(
            out.stdout.contains(
                "Created migrations/V2__rename_users_email_address_to_email_expand.sql (expand)"
            ),
            "{name}: {}",
            out.stdout
        );
        assert_eq!(b.files().len(), 7, "{name}: {:?}", b.files());

        b.tidemark(&["migrate", "--phase", "expand"]).ok();
        assert_eq!(
            b.states(),
            ["1:Success", "2:Success", "3:Pending", "4:Pending"],
            "{name}"
        );
        // Old code writes only email_address, new code only email (email_address is NOT NULL:
        // the trigger fills it); both keep working and both columns stay equal.
        b.exec("INSERT INTO users (id, email_address) VALUES (5001, 'old@x')");
        if b.kind() == Kind::Sqlite {
            // SQLite checks NOT NULL before any trigger runs: while email_address is NOT NULL
            // without a default, new code must keep writing it (the plan's header says so).
            assert!(
                b.try_exec("INSERT INTO users (id, email) VALUES (5002, 'new@x')")
                    .is_err()
            );
            b.exec("INSERT INTO users (id, email, email_address) VALUES (5002, 'new@x', 'new@x')");
        } else {
            b.exec("INSERT INTO users (id, email) VALUES (5002, 'new@x')");
        }
        b.exec("UPDATE users SET email_address = 'changed@x' WHERE id = 1");
        b.exec("UPDATE users SET email = 'renamed@x' WHERE id = 2");
        assert_eq!(
            b.rows("SELECT id, email_address, email FROM users WHERE id IN (1, 2, 3, 5001, 5002) ORDER BY id"),
            [
                "1|changed@x|changed@x",
                "2|renamed@x|renamed@x",
                "3|u3@x|NULL",
                "5001|old@x|old@x",
                "5002|new@x|new@x",
            ],
            "{name}"
        );

        let out = b.tidemark(&["migrate", "--phase", "backfill"]).ok();
        assert!(
            out.stdout.contains(
                "Backfill V3__rename_users_email_address_to_email_backfill.sql complete: 1998 rows in"
            ),
            "{name}: {}",
            out.stdout
        );
        let differ = b.distinct("email", "email_address");
        assert_eq!(
            b.one(&format!("SELECT count(*) FROM users WHERE {differ}")),
            "0",
            "{name}"
        );
        let emails = b.rows("SELECT id, email_address FROM users ORDER BY id");
        assert_eq!(emails.len(), 2002, "{name}");

        b.tidemark(&["migrate"]).ok();
        assert!(
            !b.columns("users")
                .iter()
                .any(|c| c.starts_with("email_address ")),
            "{name}: {:?}",
            b.columns("users")
        );
        assert_eq!(b.objects(), original_objects, "{name}: the trigger is gone");
        assert_eq!(
            b.rows("SELECT id, email FROM users ORDER BY id"),
            emails,
            "{name}: every row kept its value under the new name"
        );
        // The new code keeps writing after the contract.
        b.exec("INSERT INTO users (id, email) VALUES (5003, 'after@x')");

        let out = b.tidemark(&["undo", "--count", "3"]).ok();
        assert!(
            out.stdout.contains("Successfully undid 3 migrations"),
            "{name}: {}",
            out.stdout
        );
        assert_eq!(b.columns("users"), original_columns, "{name}");
        assert_eq!(b.objects(), original_objects, "{name}");
        let mut expected = emails.clone();
        expected.push("5003|after@x".into());
        assert_eq!(
            b.rows("SELECT id, email_address FROM users ORDER BY id"),
            expected,
            "{name}: the undo copied the values back"
        );
        assert_eq!(
            b.states(),
            ["1:Success", "2:Pending", "3:Pending", "4:Pending"],
            "{name}"
        );
        // And the plan applies again after its undo.
        b.tidemark(&["migrate"]).ok();
        assert_eq!(
            b.one("SELECT count(*) FROM users WHERE email IS NULL"),
            "0",
            "{name}"
        );
    }
}

#[test]
fn rename_sync_keeps_what_each_writer_wrote_when_the_old_column_has_a_default() {
    for b in Bench::all() {
        let name = b.label();
        b.p.migration(
            "V1__orders.sql",
            "-- tidemark:phase=expand\nCREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'new');\n",
        );
        b.tidemark(&[
            "plan",
            "rename-column",
            "orders",
            "status",
            "state",
            "--current-type",
            "VARCHAR(20)",
        ])
        .ok();
        b.tidemark(&["migrate", "--phase", "expand"]).ok();
        // New code writes only `state` (the old column gets its default first): state wins.
        b.exec("INSERT INTO orders (id, state) VALUES (1, 'paid')");
        // Old code writes only `status`, or nothing (the default).
        b.exec("INSERT INTO orders (id, status) VALUES (2, 'shipped')");
        b.exec("INSERT INTO orders (id) VALUES (3)");
        assert_eq!(
            b.rows("SELECT id, status, state FROM orders ORDER BY id"),
            ["1|paid|paid", "2|shipped|shipped", "3|new|new"],
            "{name}"
        );
    }
}

#[test]
fn add_not_null_column_with_a_constant_is_one_step_on_every_database() {
    for b in Bench::all() {
        let name = b.label();
        b.p.migration(
            "V1__users.sql",
            &format!(
                "-- tidemark:phase=expand\nCREATE TABLE users (id {}, name VARCHAR(50));\n{}\n",
                b.id(),
                b.seed("users", "id", "n", 500)
            ),
        );
        b.tidemark(&["migrate"]).ok();
        let original_columns = b.columns("users");
        let ty = if b.kind() == Kind::Postgres {
            "text"
        } else {
            "VARCHAR(20)"
        };
        b.tidemark(&[
            "plan",
            "add-not-null-column",
            "users",
            "plan",
            ty,
            "--default",
            "'free'",
        ])
        .ok();
        assert_eq!(b.files().len(), 3, "{name}: one step: {:?}", b.files());
        b.tidemark(&["migrate", "--phase", "expand"]).ok();
        // Old code does not know the column; its INSERTs get the default.
        b.exec("INSERT INTO users (id, name) VALUES (9001, 'old code')");
        assert_eq!(
            b.one("SELECT count(*) FROM users WHERE plan = 'free'"),
            "501",
            "{name}"
        );
        assert!(b.not_null("users", "plan"), "{name}");
        assert!(
            b.try_exec("INSERT INTO users (id, plan) VALUES (9002, NULL)")
                .is_err(),
            "{name}"
        );
        b.tidemark(&["undo"]).ok();
        assert_eq!(b.columns("users"), original_columns, "{name}");
    }
}

#[test]
fn add_not_null_column_with_an_expression_backfills_then_tightens_on_the_servers() {
    let mut benches: Vec<(Bench, &str, &str)> = Vec::new();
    benches.extend(Bench::postgres().map(|b| (b, "timestamptz", "now()")));
    benches.extend(Bench::mariadb().map(|b| (b, "VARCHAR(40)", "uuid()")));
    for (b, ty, default) in benches {
        let name = b.label();
        b.p.migration(
            "V1__users.sql",
            &format!(
                "-- tidemark:phase=expand\nCREATE TABLE users (id {}, name VARCHAR(50));\n{}\n",
                b.id(),
                b.seed("users", "id", "n", 1200)
            ),
        );
        b.tidemark(&["migrate"]).ok();
        let original_columns = b.columns("users");
        let original_objects = b.objects();
        b.tidemark(&[
            "plan",
            "add-not-null-column",
            "users",
            "token",
            ty,
            "--default",
            default,
            "--batch-size",
            "500",
        ])
        .ok();
        let steps = if b.kind() == Kind::Postgres { 5 } else { 3 };
        assert_eq!(b.files().len(), 1 + 2 * steps, "{name}: {:?}", b.files());

        b.tidemark(&["migrate", "--phase", "expand"]).ok();
        b.exec("INSERT INTO users (id, name) VALUES (9001, 'old code')");
        assert_eq!(
            b.one("SELECT count(*) FROM users WHERE token IS NULL"),
            "1200",
            "{name}: existing rows wait for the backfill, new ones get the default"
        );
        assert!(!b.not_null("users", "token"), "{name}");

        let out = b.tidemark(&["migrate", "--phase", "backfill"]).ok();
        assert!(
            out.stdout.contains("complete: 1200 rows in"),
            "{name}: {}",
            out.stdout
        );
        assert_eq!(
            b.one("SELECT count(*) FROM users WHERE token IS NULL"),
            "0",
            "{name}"
        );
        if b.kind() == Kind::Postgres {
            assert!(
                b.objects()
                    .contains(&"constraint users_token_not_null true".to_string()),
                "{name}: {:?}",
                b.objects()
            );
        }

        b.tidemark(&["migrate"]).ok();
        assert!(b.not_null("users", "token"), "{name}");
        assert_eq!(b.objects(), original_objects, "{name}: the check is gone");
        assert!(
            b.try_exec("INSERT INTO users (id, token) VALUES (9002, NULL)")
                .is_err(),
            "{name}"
        );
        b.exec("INSERT INTO users (id, name) VALUES (9003, 'still gets the default')");

        b.tidemark(&["undo", "--count", &steps.to_string()]).ok();
        assert_eq!(b.columns("users"), original_columns, "{name}");
        assert_eq!(b.objects(), original_objects, "{name}");
    }
}

#[test]
fn change_column_type_plan_swaps_and_undoes_on_postgres() {
    let Some(b) = Bench::postgres() else { return };
    b.p.migration(
        "V1__orders.sql",
        &format!(
            "-- tidemark:phase=expand\nCREATE TABLE orders (id bigint PRIMARY KEY, quantity integer NOT NULL);\n{}\n",
            b.seed("orders", "id, quantity", "n, n * 3", 1500)
        ),
    );
    b.tidemark(&["migrate"]).ok();
    let original_columns = b.columns("orders");
    let original_objects = b.objects();
    b.tidemark(&[
        "plan",
        "change-column-type",
        "orders",
        "quantity",
        "bigint",
        "--current-type",
        "integer",
        "--batch-size",
        "400",
    ])
    .ok();

    b.tidemark(&["migrate", "--phase", "expand"]).ok();
    b.exec("INSERT INTO orders (id, quantity) VALUES (5001, 7)");
    b.exec("UPDATE orders SET quantity = 2000000000 WHERE id = 1");
    assert_eq!(
        b.rows(
            "SELECT id, quantity, quantity_new FROM orders WHERE id IN (1, 2, 5001) ORDER BY id"
        ),
        ["1|2000000000|2000000000", "2|6|NULL", "5001|7|7"]
    );
    let out = b.tidemark(&["migrate", "--phase", "backfill"]).ok();
    assert!(
        out.stdout.contains("complete: 1499 rows in"),
        "{}",
        out.stdout
    );
    let values = b.rows("SELECT id, quantity FROM orders ORDER BY id");

    b.tidemark(&["migrate"]).ok();
    assert_eq!(b.columns("orders"), ["id bigint", "quantity bigint"]);
    assert_eq!(b.objects(), original_objects);
    assert_eq!(
        b.rows("SELECT id, quantity FROM orders ORDER BY id"),
        values
    );
    // New code uses the wider type.
    b.exec("INSERT INTO orders (id, quantity) VALUES (5002, 3)");

    b.tidemark(&["undo", "--count", "3"]).ok();
    assert_eq!(b.columns("orders"), original_columns);
    assert_eq!(b.objects(), original_objects);
    let mut expected = values.clone();
    expected.push("5002|3".into());
    assert_eq!(
        b.rows("SELECT id, quantity FROM orders ORDER BY id"),
        expected
    );
}

#[test]
fn change_column_type_using_converts_and_its_undo_refuses_on_postgres() {
    let Some(b) = Bench::postgres() else { return };
    b.p.migration(
        "V1__orders.sql",
        &format!(
            "-- tidemark:phase=expand\nCREATE TABLE orders (id bigint PRIMARY KEY, price numeric(10,2));\n{}\n",
            b.seed("orders", "id, price", "n, n * 1.25", 300)
        ),
    );
    b.tidemark(&["migrate"]).ok();
    b.tidemark(&[
        "plan",
        "change-column-type",
        "orders",
        "price",
        "bigint",
        "--using",
        "round(price * 100)",
        "--current-type",
        "numeric(10,2)",
    ])
    .ok();
    b.tidemark(&["migrate", "--phase", "expand"]).ok();
    b.exec("INSERT INTO orders (id, price) VALUES (5001, 2.5)");
    b.tidemark(&["migrate"]).ok();
    assert_eq!(
        b.rows("SELECT id, price FROM orders WHERE id IN (1, 2, 5001) ORDER BY id"),
        ["1|125", "2|250", "5001|250"]
    );
    // Converting back is not a cast: the undo stops and changes nothing.
    let columns = b.columns("orders");
    let out = b.tidemark(&["undo"]).code(1);
    assert!(
        out.stderr.contains("has no automatic inverse"),
        "{}",
        out.stderr
    );
    assert_eq!(b.columns("orders"), columns);
}

#[test]
fn drop_column_plan_on_postgres() {
    let Some(b) = Bench::postgres() else { return };
    b.p.migration(
        "V1__users.sql",
        "-- tidemark:phase=expand\nCREATE TABLE users (id bigint PRIMARY KEY, name text, legacy_name text NOT NULL);\nINSERT INTO users VALUES (1, 'a', 'x'), (2, 'b', 'y');\n",
    );
    b.tidemark(&["migrate"]).ok();
    let original_columns = b.columns("users");
    b.tidemark(&[
        "plan",
        "drop-column",
        "users",
        "legacy_name",
        "--current-type",
        "text",
    ])
    .ok();
    b.tidemark(&["migrate", "--phase", "expand"]).ok();
    // New code no longer writes the column, and can insert.
    b.exec("INSERT INTO users (id, name) VALUES (3, 'new code')");
    // Old code still reads and writes it.
    b.exec("UPDATE users SET legacy_name = 'z' WHERE id = 1");
    b.tidemark(&["migrate"]).ok();
    assert_eq!(b.columns("users"), ["id bigint", "name text"]);

    b.tidemark(&["undo", "--count", "2"]).ok();
    assert_eq!(b.columns("users"), original_columns);
    assert_eq!(
        b.one("SELECT count(*) FROM users WHERE legacy_name IS NULL"),
        "3",
        "the column comes back empty: its values were dropped"
    );

    // Without the type, the undo of the drop refuses instead of guessing.
    let Some(b) = Bench::postgres() else { return };
    b.p.migration(
        "V1__users.sql",
        "-- tidemark:phase=expand\nCREATE TABLE users (id bigint PRIMARY KEY, legacy_name text);\n",
    );
    let out = b
        .tidemark(&["plan", "drop-column", "users", "legacy_name"])
        .ok();
    assert!(
        out.stderr.contains(
            "WARNING: migrations/U3__drop_users_legacy_name_contract.sql: tidemark: this undo cannot re-create users.legacy_name: its type is unknown"
        ),
        "{}",
        out.stderr
    );
    b.tidemark(&["migrate"]).ok();
    let out = b.tidemark(&["undo"]).code(1);
    assert!(out.stderr.contains("its type is unknown"), "{}", out.stderr);
    assert_eq!(b.columns("users"), ["id bigint"]);
}

#[test]
fn add_foreign_key_plan_on_postgres() {
    let Some(b) = Bench::postgres() else { return };
    b.p.migration(
        "V1__tables.sql",
        &format!(
            "-- tidemark:phase=expand\nCREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n{}\n{}\n",
            b.seed("users", "id", "n", 100),
            b.seed("orders", "id, user_id", "n, n % 100 + 1", 1000)
        ),
    );
    b.tidemark(&["migrate"]).ok();
    let original_objects = b.objects();
    b.tidemark(&[
        "plan",
        "add-foreign-key",
        "orders",
        "user_id",
        "users",
        "id",
    ])
    .ok();
    b.tidemark(&["migrate", "--phase", "expand"]).ok();
    let objects = b.objects();
    assert!(
        objects.contains(&"constraint orders_user_id_fkey false".to_string())
            && objects.contains(&"index orders_user_id_idx".to_string()),
        "{objects:?}"
    );
    // New writes are checked from the NOT VALID step on.
    assert!(b.try_exec("INSERT INTO orders VALUES (5001, 999)").is_err());
    b.tidemark(&["migrate"]).ok();
    assert!(
        b.objects()
            .contains(&"constraint orders_user_id_fkey true".to_string())
    );
    b.tidemark(&["undo", "--count", "3"]).ok();
    assert_eq!(b.objects(), original_objects);
    b.exec("INSERT INTO orders VALUES (5001, 999)");
}

#[test]
fn add_unique_plan_on_postgres() {
    let Some(b) = Bench::postgres() else { return };
    b.p.migration(
        "V1__users.sql",
        &format!(
            "-- tidemark:phase=expand\nCREATE TABLE users (id bigint PRIMARY KEY, tenant_id bigint, email text);\n{}\n",
            b.seed("users", "id, tenant_id, email", "n, n % 7, 'u' || n", 700)
        ),
    );
    b.tidemark(&["migrate"]).ok();
    let original_objects = b.objects();
    b.tidemark(&["plan", "add-unique", "users", "tenant_id,email"])
        .ok();
    b.tidemark(&["migrate"]).ok();
    assert!(
        b.objects()
            .contains(&"constraint users_tenant_id_email_key true".to_string()),
        "{:?}",
        b.objects()
    );
    assert!(
        b.try_exec("INSERT INTO users VALUES (9001, 1, 'u1')")
            .is_err()
    );
    b.tidemark(&["undo", "--count", "2"]).ok();
    assert_eq!(b.objects(), original_objects);
    b.exec("INSERT INTO users VALUES (9001, 1, 'u1')");
}

#[test]
fn plan_numbers_like_new_and_never_connects() {
    let p = Project::new();
    p.migration("V7__old.sql", "CREATE TABLE users (id INT);\n");
    // A PostgreSQL URL on a port nothing listens on: the dialect comes from its scheme.
    let url = "jdbc:postgresql://127.0.0.1:9/nowhere";
    let out = p
        .run(&["plan", "add-unique", "users", "email", "--url", url])
        .ok();
    assert!(
        out.stdout
            .contains("Created migrations/V8__add_users_email_unique_index.sql (expand)")
            && out
                .stdout
                .contains("Created migrations/U9__add_users_email_unique_constraint.sql"),
        "{}",
        out.stdout
    );
    // `new` continues after the plan.
    let out = p.run(&["new", "next", "thing"]).ok();
    assert!(
        out.stdout
            .contains("Created migrations/V10__next_thing.sql"),
        "{}",
        out.stdout
    );
    // --dialect wins over the URL; unsupported plans are usage errors that write nothing.
    let out = p
        .run(&["plan", "drop-column", "users", "x", "--dialect", "mariadb"])
        .code(2);
    assert!(
        out.stderr
            .contains("drop-column is not supported for mysql"),
        "{}",
        out.stderr
    );
    let out = p
        .run(&["plan", "drop-column", "users", "x", "--dialect", "oracle"])
        .code(2);
    assert!(
        out.stderr.contains("Unknown dialect 'oracle'"),
        "{}",
        out.stderr
    );
    let out = p
        .run(&["plan", "rename-column", "users", "a b", "c"])
        .code(2);
    assert!(
        out.stderr.contains("invalid column name 'a b'"),
        "{}",
        out.stderr
    );
    let json = p
        .run(&[
            "plan",
            "rename-column",
            "users",
            "a",
            "b",
            "--format",
            "json",
            "--batch-pause",
            "20ms",
        ])
        .ok()
        .json();
    assert_eq!(json["plan"], "rename-column");
    assert_eq!(json["dialect"], "sqlite");
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[1]["version"], "12");
    assert_eq!(files[1]["phase"], "backfill");
    let backfill = std::fs::read_to_string(
        p.path()
            .join("migrations/V12__rename_users_a_to_b_backfill.sql"),
    )
    .unwrap();
    assert!(
        backfill.starts_with(
            "-- tidemark:phase=backfill\n-- tidemark:batchSize=1000\n-- tidemark:batchPause=20ms\n"
        ),
        "{backfill}"
    );
    let count = std::fs::read_dir(p.path().join("migrations"))
        .unwrap()
        .count();
    assert_eq!(count, 1 + 4 + 2 + 6);
}

#[test]
fn undo_script_inverts_additive_migrations_on_every_database() {
    for b in Bench::all() {
        let name = b.label();
        b.p.migration(
            "V1__shop.sql",
            "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100));
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, total INT);
CREATE INDEX orders_customer_idx ON orders (customer_id);
ALTER TABLE orders ADD COLUMN note VARCHAR(200);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
",
        );
        let out = b.tidemark(&["undo-script", "1"]).ok();
        assert!(
            out.stdout.contains("Wrote migrations/U1__shop.sql"),
            "{name}: {}",
            out.stdout
        );
        let undo = std::fs::read_to_string(b.p.path().join("migrations/U1__shop.sql")).unwrap();
        assert!(undo.contains("DROP VIEW big_orders;"), "{name}: {undo}");
        b.tidemark(&["migrate"]).ok();
        b.exec("INSERT INTO orders (id, total) VALUES (1, 500)");
        b.tidemark(&["undo"]).ok();
        assert_eq!(b.objects(), Vec::<String>::new(), "{name}");
        assert!(
            b.columns("orders").is_empty() && b.columns("customers").is_empty(),
            "{name}"
        );
        assert_eq!(b.states(), ["1:Pending"], "{name}");
    }
}

#[test]
fn undo_script_writes_todos_refuses_to_overwrite_and_exits_1() {
    let p = Project::new();
    p.migration(
        "V1__seed.sql",
        "CREATE TABLE t (id INT);\n\nINSERT INTO t VALUES (1);\nALTER TABLE t RENAME TO t2;\n",
    );
    let out = p.run(&["undo-script", "1"]).code(1);
    assert!(
        out.stdout
            .contains("TODO: migrations/V1__seed.sql:3: INSERT INTO t VALUES (1)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("2 statements of migrations/V1__seed.sql could not be inverted"),
        "{}",
        out.stderr
    );
    let undo = std::fs::read_to_string(p.path().join("migrations/U1__seed.sql")).unwrap();
    assert!(
        undo.contains("-- TODO: cannot invert automatically (line 3): INSERT INTO t VALUES (1)")
            && undo.ends_with("DROP TABLE t;\n"),
        "{undo}"
    );
    // The U file now has a statement: not overwritten without --force.
    let out = p.run(&["undo-script", "1"]).code(1);
    assert!(
        out.stderr.contains("already has statements"),
        "{}",
        out.stderr
    );
    let json = p
        .run(&["undo-script", "1", "--force", "--format", "json"])
        .code(1)
        .json();
    assert_eq!(json["error"]["code"], "UNDO_INCOMPLETE");
    assert_eq!(json["todos"][0]["line"], 4);
    assert_eq!(json["file"], "migrations/U1__seed.sql");

    // The comment-only U file `new` writes is replaced without --force.
    p.run(&["new", "add", "notes"]).ok();
    std::fs::write(
        p.path().join("migrations/V2__add_notes.sql"),
        "-- tidemark:phase=expand\nALTER TABLE t ADD COLUMN note TEXT;\n",
    )
    .unwrap();
    p.run(&["undo-script", "2"]).ok();
    let undo = std::fs::read_to_string(p.path().join("migrations/U2__add_notes.sql")).unwrap();
    assert!(
        undo.ends_with("ALTER TABLE t DROP COLUMN note;\n"),
        "{undo}"
    );
    let out = p.run(&["undo-script", "9"]).code(1);
    assert!(
        out.stderr.contains("No versioned migration with version 9"),
        "{}",
        out.stderr
    );
}
