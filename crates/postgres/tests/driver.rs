//! The PostgreSQL driver against a real server (never a mock): each test makes its own database
//! (`tidemark_postgres::testing`), so the tests run in parallel. `TIDEMARK_TEST_POSTGRES_URL`
//! names the server (default `postgres://postgres@127.0.0.1:5432/postgres`); when it cannot be
//! reached the tests say so on stderr and pass, unless `TIDEMARK_REQUIRE_DB=1`, which makes that
//! a failure (CI).

use std::time::Duration;

use tidemark_engine::driver::{DbError, Driver, Value};
use tidemark_engine::history_table::HistoryTable;
use tidemark_engine::lock::flyway_lock_id;
use tidemark_postgres::{PostgresDriver, testing};
use tidemark_sql::Dialect;

/// The first column of the only row.
fn one(d: &mut PostgresDriver, sql: &str) -> Value {
    let rows = d.query(sql, &[]).unwrap();
    assert_eq!(rows.len(), 1, "{sql}");
    rows[0][0].clone()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

#[test]
fn connects_with_libpq_defaults_and_reports_the_server() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    assert_eq!(d.dialect(), Dialect::Postgres);
    assert!(d.supports_ddl_transactions());
    let version = d.server_version().unwrap();
    assert!(version.starts_with("PostgreSQL "), "{version}");
    assert!(
        version["PostgreSQL ".len()..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.'),
        "{version}"
    );
    assert_eq!(d.current_user().unwrap(), db.options().user.unwrap());
    assert_eq!(d.database_name().unwrap().as_deref(), Some(db.name()));
    assert_eq!(d.current_schema().unwrap(), "public");
    assert_eq!(
        one(&mut d, "SELECT current_setting('application_name')"),
        text("tidemark")
    );
}

#[test]
fn session_settings_come_from_the_options() {
    let Some(db) = testing::scratch() else { return };
    db.connect()
        .execute("CREATE SCHEMA \"App Schema\"", &[])
        .unwrap();
    let mut options = db.options();
    options.lock_timeout = Some(Duration::from_millis(5000));
    options.statement_timeout = Some(Duration::from_millis(300));
    options
        .params
        .push(("currentSchema".into(), "\"App Schema\"".into()));
    options
        .params
        .push(("application_name".into(), "ci".into()));
    let mut d = PostgresDriver::connect(&options).unwrap();
    assert_eq!(one(&mut d, "SHOW lock_timeout"), text("5s"));
    assert_eq!(one(&mut d, "SHOW statement_timeout"), text("300ms"));
    assert_eq!(d.current_schema().unwrap(), "App Schema");
    assert_eq!(
        one(&mut d, "SELECT current_setting('application_name')"),
        text("ci")
    );
    let e = d.execute("SELECT pg_sleep(2)", &[]).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("57014"), "{e}");
}

#[test]
fn parameters_are_converted_to_the_types_the_server_inferred() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    d.execute(
        "CREATE TABLE t (i INT, s SMALLINT, b BIGINT, ok BOOLEAN, name TEXT, v VARCHAR(10), at TIMESTAMP, n NUMERIC(6,2))",
        &[],
    )
    .unwrap();
    let insert = "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let n = d
        .execute(
            insert,
            &[
                Value::Int(7),
                Value::Int(-3),
                Value::Int(1 << 40),
                Value::Bool(true),
                text("ada"),
                text("lovelace"),
                text("2026-07-19 18:01:56.504123"),
                text("12.5"),
            ],
        )
        .unwrap();
    assert_eq!(n, 1);
    // NULL of every type, and lenient conversions (text for an int, int for a bool).
    d.execute(insert, &vec![Value::Null; 8]).unwrap();
    d.execute(
        insert,
        &[
            text("8"),
            Value::Bool(true),
            Value::Int(0),
            Value::Int(0),
            Value::Int(42),
            Value::Bool(false),
            Value::Null,
            Value::Int(3),
        ],
    )
    .unwrap();
    let rows = d
        .query(
            "SELECT i, s, b, ok, name, v, at, n FROM t WHERE i > $1 OR i IS NULL ORDER BY i NULLS LAST",
            &[Value::Int(-1)],
        )
        .unwrap();
    assert_eq!(
        rows,
        vec![
            vec![
                Value::Int(7),
                Value::Int(-3),
                Value::Int(1 << 40),
                Value::Bool(true),
                text("ada"),
                text("lovelace"),
                text("2026-07-19 18:01:56.504"),
                text("12.50"),
            ],
            vec![
                Value::Int(8),
                Value::Int(1),
                Value::Int(0),
                Value::Bool(false),
                text("42"),
                text("false"),
                Value::Null,
                text("3.00"),
            ],
            vec![Value::Null; 8],
        ]
    );
    let e = d
        .execute("INSERT INTO t (i) VALUES ($1)", &[Value::Int(1 << 40)])
        .unwrap_err();
    assert!(e.message.contains("out of range for type int4"), "{e}");
    let e = d
        .execute("INSERT INTO t (ok) VALUES ($1)", &[text("perhaps")])
        .unwrap_err();
    assert!(
        e.message
            .contains("cannot use 'perhaps' as a value of type bool"),
        "{e}"
    );
}

#[test]
fn query_reads_values_by_type() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    d.execute("SET TimeZone = 'Asia/Tokyo'", &[]).unwrap();
    let rows = d
        .query(
            "SELECT TIMESTAMP '2026-07-19 18:01:56.504999', \
             TIMESTAMPTZ '2026-07-19 18:01:56.5+09', \
             DATE '1999-12-31', \
             123.450::numeric, -0.001::numeric, \
             'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, \
             current_user, 'x'::char(3), '{\"a\": 1}'::jsonb, \
             INTERVAL '1 day 2 hours', ARRAY[1, 2], 1.5::float8, NULL::int",
            &[],
        )
        .unwrap();
    assert_eq!(
        rows,
        vec![vec![
            text("2026-07-19 18:01:56.504"),
            text("2026-07-19 09:01:56.500"),
            text("1999-12-31"),
            text("123.450"),
            text("-0.001"),
            text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            text("postgres"),
            text("x  "),
            text("{\"a\": 1}"),
            text("1 day 02:00:00"),
            text("{1,2}"),
            text("1.5"),
            Value::Null,
        ]]
    );
    // Types read as text in SQL also work for statements returning rows with parameters.
    d.execute("CREATE TABLE t (id INT, span INTERVAL)", &[])
        .unwrap();
    let rows = d
        .query(
            "INSERT INTO t VALUES ($1, '5 minutes') RETURNING id, span",
            &[Value::Int(1)],
        )
        .unwrap();
    assert_eq!(rows, vec![vec![Value::Int(1), text("00:05:00")]]);
    // Statements that return no rows.
    assert!(
        d.query("SET search_path TO public", &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn selects_with_parameters_read_every_type_in_one_go_or_by_the_fallback() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    // Parameter types inferred by the server, as a prepare would.
    let rows = d
        .query(
            "SELECT $1::int + 1, $2 || 'x', $3::bool, $4::text IS NULL, $1 = 2",
            &[Value::Int(2), text("a"), Value::Bool(true), Value::Null],
        )
        .unwrap();
    assert_eq!(
        rows,
        vec![vec![
            Value::Int(3),
            text("ax"),
            Value::Bool(true),
            Value::Bool(true),
            Value::Bool(true)
        ]]
    );
    // A column read only as text (INTERVAL) goes through the wrapping path.
    let rows = d
        .query(
            "SELECT $1::int, INTERVAL '1 hour' * $1::int",
            &[Value::Int(2)],
        )
        .unwrap();
    assert_eq!(rows, vec![vec![Value::Int(2), text("02:00:00")]]);
    // No rows, and a bad statement is the server's error.
    assert!(
        d.query("SELECT 1 WHERE $1::int > 5", &[Value::Int(1)])
            .unwrap()
            .is_empty()
    );
    let e = d
        .query("SELECT * FROM missing WHERE id = $1", &[Value::Int(1)])
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42P01"), "{e}");
}

#[test]
fn session_facts_read_while_connecting_follow_later_changes() {
    let Some(db) = testing::scratch() else { return };
    let mut setup = db.connect();
    for sql in [
        r#"CREATE SCHEMA "it's\here""#,
        "CREATE SCHEMA other",
        &format!(
            "DROP ROLE IF EXISTS facts_{0}; CREATE ROLE facts_{0}",
            db.name()
        ),
    ] {
        setup.execute(sql, &[]).unwrap();
    }
    // A search_path with a quote and a backslash survives the one-round-trip session setup.
    let mut options = db.options();
    options
        .params
        .push(("currentSchema".into(), r#""it's\here""#.into()));
    let mut d = PostgresDriver::connect(&options).unwrap();
    assert_eq!(d.current_schema().unwrap(), r"it's\here");
    let user = d.current_user().unwrap();
    // What a migration changes is read again, not answered from the connect-time facts.
    d.execute("SET search_path TO other", &[]).unwrap();
    assert_eq!(d.current_schema().unwrap(), "other");
    d.execute(&format!("SET ROLE facts_{}", db.name()), &[])
        .unwrap();
    assert_eq!(d.current_user().unwrap(), format!("facts_{}", db.name()));
    assert_ne!(user, d.current_user().unwrap());
    d.execute("RESET ROLE", &[]).unwrap();
    setup
        .execute(&format!("DROP ROLE facts_{}", db.name()), &[])
        .unwrap();
}

#[test]
fn statements_returning_rows_and_do_blocks_run_through_execute() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    d.execute("SELECT set_config('search_path', 'public', false)", &[])
        .unwrap();
    d.execute("SELECT 1", &[]).unwrap();
    d.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    d.execute(
        "DO $$\nBEGIN\n  FOR i IN 1..3 LOOP\n    INSERT INTO t VALUES (i);\n  END LOOP;\nEND\n$$",
        &[],
    )
    .unwrap();
    assert_eq!(one(&mut d, "SELECT count(*) FROM t"), Value::Int(3));
    assert_eq!(d.execute("UPDATE t SET id = id + 1", &[]).unwrap(), 3);
    assert_eq!(
        d.execute("DELETE FROM t WHERE id > $1", &[Value::Int(2)])
            .unwrap(),
        2
    );
}

#[test]
fn copy_from_stdin_streams_the_data_after_the_nul() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    let script = "CREATE TABLE t (id INT, name TEXT);\n\
                  COPY t (id, name) FROM STDIN;\n\
                  1\tada\n\
                  2\t\\N\n\
                  \\.\n\
                  INSERT INTO t VALUES (3, 'c');\n";
    let statements = tidemark_sql::split(Dialect::Postgres, script).unwrap();
    assert_eq!(statements.len(), 3);
    assert!(statements[1].sql.contains('\0'));
    let mut counts = Vec::new();
    for s in &statements {
        counts.push(d.execute(&s.sql, &[]).unwrap());
    }
    assert_eq!(counts[1], 2);
    let rows = d.query("SELECT id, name FROM t ORDER BY id", &[]).unwrap();
    assert_eq!(
        rows,
        vec![
            vec![Value::Int(1), text("ada")],
            vec![Value::Int(2), Value::Null],
            vec![Value::Int(3), text("c")],
        ]
    );
    // Bad data is the server's error, and the session stays usable.
    let e = d
        .execute("COPY t (id, name) FROM STDIN\0x\ty\n", &[])
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("22P02"), "{e}");
    assert_eq!(one(&mut d, "SELECT count(*) FROM t"), Value::Int(3));
}

#[test]
fn transactions_roll_back_ddl() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    d.begin().unwrap();
    d.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    assert!(d.table_exists("public", "t").unwrap());
    d.rollback().unwrap();
    assert!(!d.table_exists("public", "t").unwrap());
    // Rolling back with no transaction open is harmless.
    d.rollback().unwrap();
    // A failed statement aborts the transaction; rollback recovers the session.
    d.begin().unwrap();
    d.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    assert!(d.execute("SELECT * FROM nope", &[]).is_err());
    let e = d.execute("SELECT 1", &[]).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("25P02"), "{e}");
    d.rollback().unwrap();
    assert!(!d.table_exists("public", "t").unwrap());
    d.begin().unwrap();
    d.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    d.commit().unwrap();
    assert!(d.table_exists("public", "t").unwrap());
}

#[test]
fn errors_carry_sqlstate_and_the_servers_message() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    let e = d.execute("SELECT * FROM nope", &[]).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42P01"));
    assert!(
        e.message.starts_with("relation \"nope\" does not exist"),
        "{e}"
    );
    assert!(e.message.contains("Position: 15"), "{e}");
    let e = d
        .query("SELECT * FROM nope WHERE 1 = $1", &[Value::Int(1)])
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42P01"));
    d.execute("CREATE TABLE t (id INT PRIMARY KEY)", &[])
        .unwrap();
    d.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    let e = d.execute("INSERT INTO t VALUES (1)", &[]).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("23505"));
    assert!(
        e.message.contains("Detail: Key (id)=(1) already exists."),
        "{e}"
    );
    let e = d
        .execute(
            "DO $$ BEGIN RAISE EXCEPTION 'boom' USING HINT = 'try again'; END $$",
            &[],
        )
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("P0001"));
    assert!(e.message.starts_with("boom"), "{e}");
    assert!(e.message.contains("Hint: try again"), "{e}");
    assert!(e.message.contains("Where: PL/pgSQL function"), "{e}");
}

#[test]
fn advisory_lock_excludes_a_second_session() {
    let Some(db) = testing::scratch() else { return };
    let (mut a, mut b) = (db.connect(), db.connect());
    let id = flyway_lock_id("public", "flyway_schema_history");
    assert_eq!(id.key, 77433833903597);
    assert!(a.try_lock(&id).unwrap());
    assert!(!b.try_lock(&id).unwrap());
    // A session-level lock survives the engine's transactions on the same session.
    a.begin().unwrap();
    a.rollback().unwrap();
    assert!(!b.try_lock(&id).unwrap());
    a.unlock(&id).unwrap();
    assert!(b.try_lock(&id).unwrap());
    assert!(!a.try_lock(&id).unwrap());
    b.unlock(&id).unwrap();
    let e = b.unlock(&id).unwrap_err();
    assert_eq!(e.message, "Unable to release PostgreSQL advisory lock");
    // Another key is independent.
    let other = flyway_lock_id("public", "other_history");
    assert!(a.try_lock(&other).unwrap());
    assert!(b.try_lock(&id).unwrap());
}

#[test]
fn flyway_transactional_lock_held_elsewhere_blocks_try_lock() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    let mut flyway = db.connect();
    let id = flyway_lock_id("public", "flyway_schema_history");
    // What a running Flyway does (postgresql.transactional.lock=true, its default).
    flyway.begin().unwrap();
    assert_eq!(
        flyway
            .query(
                "SELECT pg_try_advisory_xact_lock($1)",
                &[Value::Int(id.key)]
            )
            .unwrap(),
        vec![vec![Value::Bool(true)]]
    );
    assert!(!d.try_lock(&id).unwrap());
    flyway.commit().unwrap();
    assert!(d.try_lock(&id).unwrap());
    // And ours blocks Flyway.
    flyway.begin().unwrap();
    assert_eq!(
        flyway
            .query(
                "SELECT pg_try_advisory_xact_lock($1)",
                &[Value::Int(id.key)]
            )
            .unwrap(),
        vec![vec![Value::Bool(false)]]
    );
    flyway.rollback().unwrap();
    d.unlock(&id).unwrap();
}

#[test]
fn transactional_lock_is_held_by_a_dedicated_session() {
    let Some(db) = testing::scratch() else { return };
    let mut options = db.options();
    options.transactional_lock = true;
    options.statement_timeout = Some(Duration::from_secs(30));
    let mut a = PostgresDriver::connect(&options).unwrap();
    let mut b = PostgresDriver::connect(&options).unwrap();
    let mut plain = db.connect();
    let id = flyway_lock_id("public", "flyway_schema_history");
    assert!(a.try_lock(&id).unwrap());
    assert!(!b.try_lock(&id).unwrap());
    assert!(!plain.try_lock(&id).unwrap());
    // The engine's transactions on the migration session neither end nor need the lock's.
    a.begin().unwrap();
    a.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    a.rollback().unwrap();
    a.begin().unwrap();
    a.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    a.commit().unwrap();
    assert!(!b.try_lock(&id).unwrap());
    // CREATE INDEX CONCURRENTLY does not wait for the lock's idle transaction.
    a.execute("CREATE INDEX CONCURRENTLY t_id ON t (id)", &[])
        .unwrap();
    // Re-entrant, like the session lock: released when every take is released.
    assert!(a.try_lock(&id).unwrap());
    a.unlock(&id).unwrap();
    assert!(!b.try_lock(&id).unwrap());
    a.unlock(&id).unwrap();
    assert!(b.try_lock(&id).unwrap());
    assert!(!a.try_lock(&id).unwrap());
    b.unlock(&id).unwrap();
    assert!(a.unlock(&id).is_err());
    assert!(plain.try_lock(&id).unwrap());
    plain.unlock(&id).unwrap();
}

#[test]
fn schema_functions_and_clean() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    let s = "My \"Schema\"";
    assert!(!d.schema_exists(s).unwrap());
    d.create_schema(s).unwrap();
    assert!(d.schema_exists(s).unwrap());
    assert!(d.schema_is_empty(s).unwrap());
    // Objects of an extension installed in the schema do not make it non-empty and stay.
    d.execute("CREATE EXTENSION citext SCHEMA \"My \"\"Schema\"\"\"", &[])
        .unwrap();
    assert!(d.schema_is_empty(s).unwrap());

    d.set_current_schema(s).unwrap();
    assert_eq!(d.current_schema().unwrap(), s);
    // The session's original path stays behind it.
    assert_eq!(
        one(&mut d, "SHOW search_path"),
        text("\"My \"\"Schema\"\"\", \"$user\", public")
    );
    for sql in [
        "CREATE TABLE \"Parent\" (id SERIAL PRIMARY KEY, name citext)",
        "CREATE TABLE child (id INT GENERATED ALWAYS AS IDENTITY, parent INT REFERENCES \"Parent\")",
        "CREATE TABLE part (id INT) PARTITION BY RANGE (id)",
        "CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (10)",
        "CREATE VIEW v AS SELECT * FROM \"Parent\"",
        "CREATE VIEW vv AS SELECT * FROM v",
        "CREATE MATERIALIZED VIEW mv AS SELECT * FROM v",
        "CREATE SEQUENCE seq",
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "CREATE TYPE pair AS (a INT, b TEXT)",
        "CREATE TYPE span AS RANGE (subtype = float8)",
        "CREATE DOMAIN positive AS INT CHECK (VALUE > 0)",
        "CREATE FUNCTION add(a INT, b INT) RETURNS INT LANGUAGE sql AS 'SELECT a + b'",
        "CREATE FUNCTION add(a TEXT, b mood) RETURNS TEXT LANGUAGE sql AS 'SELECT a'",
        "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'",
        "CREATE AGGREGATE total(INT) (sfunc = add, stype = INT)",
        "CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "CREATE TRIGGER t BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION trg()",
    ] {
        d.execute(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // Exact names, case and all.
    assert!(d.table_exists(s, "Parent").unwrap());
    assert!(!d.table_exists(s, "parent").unwrap());
    assert!(!d.table_exists(s, "v").unwrap());
    assert!(!d.table_exists("public", "Parent").unwrap());
    assert!(!d.schema_is_empty(s).unwrap());

    // A schema with only a function, or only a type, is not empty either.
    d.create_schema("f_only").unwrap();
    d.execute(
        "CREATE FUNCTION f_only.f() RETURNS INT LANGUAGE sql AS 'SELECT 1'",
        &[],
    )
    .unwrap();
    assert!(!d.schema_is_empty("f_only").unwrap());
    d.create_schema("t_only").unwrap();
    d.execute("CREATE TYPE t_only.e AS ENUM ('a')", &[])
        .unwrap();
    assert!(!d.schema_is_empty("t_only").unwrap());

    d.clean_schema(s).unwrap();
    assert!(d.schema_is_empty(s).unwrap());
    assert!(d.schema_exists(s).unwrap());
    let left = d
        .query(
            "SELECT c.relname::text, c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
            &[text(s)],
        )
        .unwrap();
    assert_eq!(left, Vec::<Vec<Value>>::new());
    // The extension is still there and usable.
    assert_eq!(
        one(
            &mut d,
            "SELECT 'A'::\"My \"\"Schema\"\"\".citext = 'a'::\"My \"\"Schema\"\"\".citext"
        ),
        Value::Bool(true)
    );
    // Clean of an empty schema is a no-op; objects elsewhere are untouched.
    d.clean_schema(s).unwrap();
    assert!(!d.schema_is_empty("f_only").unwrap());

    d.drop_schema(s).unwrap();
    assert!(!d.schema_exists(s).unwrap());
    d.drop_schema("f_only").unwrap();
    assert!(d.drop_schema("f_only").is_err());
}

#[test]
fn current_schema_without_one_is_a_clear_error() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    d.execute("SET search_path TO nowhere", &[]).unwrap();
    let e = d.current_schema().unwrap_err();
    assert_eq!(e.message, "no current schema: set schemas/defaultSchema");
}

#[test]
fn flyway_history_table_round_trips() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    let table = HistoryTable {
        dialect: Dialect::Postgres,
        schema: "public".into(),
        table: "flyway_schema_history".into(),
        tablespace: None,
    };
    for sql in table.create() {
        d.execute(&sql, &[]).unwrap();
    }
    let row = |rank: i64, version: Option<&str>, checksum: Value, success: bool| {
        vec![
            Value::Int(rank),
            version.map_or(Value::Null, text),
            text("create people"),
            text("SQL"),
            text("V1__create_people.sql"),
            checksum,
            text("postgres"),
            Value::Int(12),
            Value::Bool(success),
        ]
    };
    d.execute(
        &table.insert(),
        &row(1, Some("1"), Value::Int(-1_234_567_890), true),
    )
    .unwrap();
    d.execute(&table.insert(), &row(2, None, Value::Null, false))
        .unwrap();
    let rows = d.query(&table.select(), &[]).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], Value::Int(1));
    assert_eq!(rows[0][1], text("1"));
    assert_eq!(rows[0][5], Value::Int(-1_234_567_890));
    let installed_on = rows[0][6].as_text().unwrap();
    assert_eq!(
        installed_on.len(),
        "2026-07-19 18:01:56.504".len(),
        "{installed_on}"
    );
    assert_eq!(&installed_on[4..5], "-");
    assert_eq!(&installed_on[19..20], ".");
    assert_eq!(rows[0][7], text("postgres"));
    assert_eq!(rows[0][8], Value::Int(12));
    assert_eq!(rows[0][9], Value::Bool(true));
    assert_eq!(rows[1][1], Value::Null);
    assert_eq!(rows[1][5], Value::Null);
    assert_eq!(rows[1][9], Value::Bool(false));
    assert_eq!(
        d.execute(&table.delete_failed(false), &[Value::Null])
            .unwrap(),
        0
    );
    assert_eq!(
        d.execute(
            &table.update(),
            &[text("renamed"), text("SQL"), Value::Int(5), Value::Int(1)]
        )
        .unwrap(),
        1
    );
}

fn assert_secret_hidden(e: &DbError, secret: &str) {
    assert!(!e.message.contains(secret), "password leaked: {e}");
    assert!(!format!("{e:?}").contains(secret), "password leaked: {e:?}");
}

#[test]
fn connection_errors_name_the_server_but_never_the_password() {
    let Some(db) = testing::scratch() else { return };
    let secret = "s3cret-Pa55word";
    let mut options = db.options();
    options.password = Some(secret.into());
    options.database = Some(format!("{}_missing", db.name()));
    let e = PostgresDriver::connect(&options).err().unwrap();
    assert_eq!(e.code.as_deref(), Some("3D000"), "{e}");
    assert!(
        e.message.starts_with("Unable to connect to PostgreSQL at "),
        "{e}"
    );
    assert!(
        e.message.contains(&format!("/{}_missing", db.name())),
        "{e}"
    );
    assert!(e.message.contains("as user \""), "{e}");
    assert!(e.message.contains("does not exist"), "{e}");
    assert_secret_hidden(&e, secret);

    // Nobody listening.
    let mut options = db.options();
    options.password = Some(secret.into());
    options.host = "127.0.0.1".into();
    options.port = 1;
    let e = PostgresDriver::connect(&options).err().unwrap();
    assert!(e.message.contains("127.0.0.1:1/"), "{e}");
    assert_secret_hidden(&e, secret);

    // A user that does not exist, with the password in the URL parameters.
    let mut options = db.options();
    options.user = Some("tidemark_nobody".into());
    options.params.push(("password".into(), secret.into()));
    let e = PostgresDriver::connect(&options).err().unwrap();
    assert_eq!(e.code.as_deref(), Some("28000"), "{e}");
    assert!(e.message.contains("tidemark_nobody"), "{e}");
    assert_secret_hidden(&e, secret);
}

#[test]
fn sslmode_disable_and_prefer_connect_and_require_fails_clearly_without_server_tls() {
    let Some(db) = testing::scratch() else { return };
    let ssl_on = one(&mut db.connect(), "SHOW ssl") == text("on");
    for mode in ["disable", "prefer", "allow"] {
        let mut options = db.options();
        options.sslmode = Some(mode.into());
        let mut d = PostgresDriver::connect(&options).unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert_eq!(one(&mut d, "SELECT 1"), Value::Int(1));
    }
    if ssl_on {
        eprintln!("the test server has TLS: not testing sslmode=require against a plain server");
        return;
    }
    for mode in ["require", "verify-ca", "verify-full"] {
        let mut options = db.options();
        options.sslmode = Some(mode.into());
        options.password = Some("s3cret-Pa55word".into());
        let e = PostgresDriver::connect(&options).err().unwrap();
        assert!(
            e.message.contains(&format!(
                "the server does not support TLS, and sslmode={mode} requires it"
            )),
            "{e}"
        );
        assert_secret_hidden(&e, "s3cret-Pa55word");
    }
    // `sslmode` may also arrive among the URL parameters.
    let mut options = db.options();
    options.params.push(("sslmode".into(), "require".into()));
    assert!(PostgresDriver::connect(&options).is_err());
    let mut options = db.options();
    options.sslmode = Some("bogus".into());
    let e = PostgresDriver::connect(&options).err().unwrap();
    assert!(e.message.contains("invalid sslmode \"bogus\""), "{e}");
}

/// The engine over this driver: what users run, with the lock and transactions in play.
mod engine {
    use std::sync::{Arc, Barrier};
    use std::thread;
    use std::time::{Duration, Instant};

    use tidemark_engine::driver::{Driver, Value};
    use tidemark_engine::lock::flyway_lock_id;
    use tidemark_engine::{Collect, Config, Engine, MigrateReport};
    use tidemark_ledger::source::MemSource;
    use tidemark_postgres::{ConnectOptions, PostgresDriver, testing};

    use super::one;

    fn files() -> MemSource {
        MemSource::new()
            .with(
                "V1__people.sql",
                "CREATE TABLE people (id INT PRIMARY KEY, name TEXT);\n",
            )
            .with(
                "V2__rows.sql",
                "INSERT INTO people VALUES (1, 'ada');\nDO $$ BEGIN PERFORM pg_sleep(0.05); END $$;\n",
            )
            .with("V3__index.sql", "CREATE INDEX people_name ON people (name);\n")
            .with("R__view.sql", "CREATE OR REPLACE VIEW names AS SELECT name FROM people;\n")
    }

    fn migrate(options: &ConnectOptions, files: &MemSource) -> Result<MigrateReport, String> {
        let mut driver = PostgresDriver::connect(options).map_err(|e| e.to_string())?;
        let config = Config::default();
        let mut log = Collect::default();
        let mut engine =
            Engine::new(&mut driver, files, &config, &mut log).map_err(|e| e.to_string())?;
        engine.migrate().map_err(|f| f.to_string())
    }

    fn history(d: &mut PostgresDriver) -> Vec<(Option<String>, bool)> {
        d.query(
            "SELECT version, success FROM flyway_schema_history ORDER BY installed_rank",
            &[],
        )
        .unwrap()
        .into_iter()
        .map(|r| (r[0].as_text(), r[1].as_bool().unwrap()))
        .collect()
    }

    fn sixteen_at_once(transactional_lock: bool) {
        let Some(db) = testing::scratch() else { return };
        let mut options = db.options();
        options.transactional_lock = transactional_lock;
        let files = files();
        let start = Arc::new(Barrier::new(16));
        let runs: Vec<_> = (0..16)
            .map(|_| {
                let (options, files, start) = (options.clone(), files.clone(), start.clone());
                thread::spawn(move || {
                    start.wait();
                    migrate(&options, &files)
                })
            })
            .collect();
        let mut applied = 0;
        for run in runs {
            let report = run.join().unwrap().unwrap_or_else(|e| panic!("{e}"));
            applied += report.applied.len();
        }
        assert_eq!(applied, 4, "every migration applied exactly once");
        let mut d = db.connect();
        assert_eq!(
            history(&mut d),
            vec![
                (Some("1".into()), true),
                (Some("2".into()), true),
                (Some("3".into()), true),
                (None, true)
            ]
        );
        assert_eq!(one(&mut d, "SELECT count(*) FROM people"), Value::Int(1));
    }

    #[test]
    fn sixteen_concurrent_migrations_apply_each_script_once() {
        sixteen_at_once(false);
    }

    #[test]
    fn sixteen_concurrent_migrations_with_the_transactional_lock() {
        sixteen_at_once(true);
    }

    #[test]
    fn migrate_waits_for_flyways_lock_and_then_proceeds() {
        let Some(db) = testing::scratch() else { return };
        let mut flyway = db.connect();
        let id = flyway_lock_id("public", "flyway_schema_history");
        flyway.begin().unwrap();
        assert_eq!(
            flyway
                .query(
                    "SELECT pg_try_advisory_xact_lock($1)",
                    &[Value::Int(id.key)],
                )
                .unwrap(),
            vec![vec![Value::Bool(true)]]
        );
        let options = db.options();
        let run = thread::spawn(move || migrate(&options, &files()));
        // Wait until migrate has tried the lock and been refused (it retries once a second).
        let mut d = db.connect();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let refused = d
                .query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark' AND pid <> pg_backend_pid() AND state = 'idle' AND query LIKE 'SELECT pg_try_advisory_lock(%'",
                    &[],
                )
                .unwrap();
            if refused[0][0].as_i64().unwrap_or(0) > 0 {
                break;
            }
            assert!(!run.is_finished(), "migrate ended while the lock was held");
            assert!(
                Instant::now() < deadline,
                "migrate never tried the lock within 60 s"
            );
            thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !d.table_exists("public", "flyway_schema_history").unwrap(),
            "migrate must wait for the lock"
        );
        assert!(!run.is_finished(), "migrate must wait for the lock");
        flyway.commit().unwrap();
        let report = run.join().unwrap().unwrap();
        assert_eq!(report.applied.len(), 4);
    }

    #[test]
    fn a_session_killed_mid_migration_leaves_no_trace() {
        let Some(db) = testing::scratch() else { return };
        let slow = MemSource::new()
            .with("V1__base.sql", "CREATE TABLE base (id INT);\n")
            .with(
                "V2__slow.sql",
                "CREATE TABLE half (id INT);\nSELECT pg_sleep(30);\nCREATE TABLE never (id INT);\n",
            );
        let options = db.options();
        let files = slow.clone();
        let run = thread::spawn(move || migrate(&options, &files));
        let mut admin = db.connect();
        // Wait until V2 sleeps, then kill its session (what SIGKILL of the process does).
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let sleeping = admin
                .query(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(30)%'",
                    &[],
                )
                .unwrap();
            if let Some(pid) = sleeping.first() {
                admin
                    .query("SELECT pg_terminate_backend($1)", &[pid[0].clone()])
                    .unwrap();
                break;
            }
            assert!(Instant::now() < deadline, "V2 never started");
            thread::sleep(Duration::from_millis(50));
        }
        assert!(run.join().unwrap().is_err());
        assert_eq!(history(&mut admin), vec![(Some("1".into()), true)]);
        assert!(!admin.table_exists("public", "half").unwrap());
        // The next run applies it cleanly (without the sleep: the script is changed, V2 is new).
        let fixed = MemSource::new()
            .with("V1__base.sql", "CREATE TABLE base (id INT);\n")
            .with(
                "V2__slow.sql",
                "CREATE TABLE half (id INT);\nCREATE TABLE never (id INT);\n",
            );
        let report = migrate(&db.options(), &fixed).unwrap();
        assert_eq!(report.applied.len(), 1);
        assert_eq!(
            history(&mut admin),
            vec![(Some("1".into()), true), (Some("2".into()), true)]
        );
    }
}

#[test]
fn a_script_in_a_transaction_is_one_batch_and_a_failure_names_its_statement() {
    let Some(db) = testing::scratch() else { return };
    let mut d = db.connect();
    let script = [
        "CREATE TABLE batch (id int PRIMARY KEY) -- a comment where a ';' would be lost",
        "INSERT INTO batch VALUES (1)",
        "INSERT INTO batch VALUES (2)",
    ];
    d.begin().unwrap();
    d.execute_script(&script).unwrap();
    // The history row the engine writes next, through the prepared-statement cache, twice.
    for id in [3, 4] {
        d.execute("INSERT INTO batch VALUES ($1)", &[Value::Int(id)])
            .unwrap();
    }
    d.commit().unwrap();
    assert_eq!(one(&mut d, "SELECT count(*) FROM batch"), Value::Int(4));

    // The third statement fails: the batch is rolled back to its savepoint and replayed one by
    // one to find it; the transaction is then aborted, as after any failed statement.
    d.begin().unwrap();
    let (index, error) = d
        .execute_script(&[
            "INSERT INTO batch VALUES (10)",
            "INSERT INTO batch VALUES (11)",
            "INSERT INTO batch VALUES (1)",
            "INSERT INTO batch VALUES (12)",
        ])
        .unwrap_err();
    assert_eq!(index, 2);
    assert_eq!(error.code.as_deref(), Some("23505"), "{error}");
    d.rollback().unwrap();
    assert_eq!(one(&mut d, "SELECT count(*) FROM batch"), Value::Int(4));

    // Outside a transaction (and with transaction control inside) statements run one by one.
    let (index, _) = d
        .execute_script(&[
            "INSERT INTO batch VALUES (20)",
            "INSERT INTO nowhere VALUES (1)",
        ])
        .unwrap_err();
    assert_eq!(index, 1);
    assert_eq!(one(&mut d, "SELECT count(*) FROM batch"), Value::Int(5));
    d.begin().unwrap();
    d.execute_script(&["INSERT INTO batch VALUES (30)", "COMMIT"])
        .unwrap();
    assert_eq!(one(&mut d, "SELECT count(*) FROM batch"), Value::Int(6));
}
