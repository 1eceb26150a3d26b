//! The MySQL/MariaDB driver against a real server (`TIDEMARK_TEST_MYSQL_URL`, default the local
//! server as root). Each test makes its own database and drops it; without a server the tests
//! skip, unless `TIDEMARK_REQUIRE_DB=1`.

use std::time::{Duration, Instant};

use tidemark_engine::driver::{Dialect, Driver, LockId, Value};
use tidemark_mysql::testing::{self, ScratchDatabase};
use tidemark_mysql::{ConnectOptions, MysqlDriver};

/// A scratch database and a connection to it, or `None` (skipped).
fn setup() -> Option<(ScratchDatabase, MysqlDriver)> {
    let db = testing::scratch()?;
    let driver = db.connect();
    Some((db, driver))
}

fn int(v: i64) -> Value {
    Value::Int(v)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn scalar(d: &mut MysqlDriver, sql: &str) -> Value {
    d.query(sql, &[]).unwrap().remove(0).remove(0)
}

fn count(d: &mut MysqlDriver, table: &str) -> i64 {
    scalar(d, &format!("SELECT COUNT(*) FROM {table}"))
        .as_i64()
        .unwrap()
}

#[test]
fn connects_and_describes_the_server() {
    let Some((db, mut d)) = setup() else { return };
    assert_eq!(d.dialect(), Dialect::Mysql);
    assert!(!d.supports_ddl_transactions());
    let version = d.server_version().unwrap();
    let expected = if d.is_mariadb() { "MariaDB " } else { "MySQL " };
    assert!(version.starts_with(expected), "{version}");
    assert!(
        version[expected.len()..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.'),
        "{version}"
    );
    assert_eq!(d.current_schema().unwrap(), db.name());
    assert_eq!(d.database_name().unwrap().as_deref(), Some(db.name()));
    let user = testing::server()
        .unwrap()
        .user
        .unwrap_or_else(|| "root".into());
    assert_eq!(d.current_user().unwrap(), user);
}

#[test]
fn without_a_database_there_is_no_current_schema() {
    let Some((_db, _)) = setup() else { return };
    let mut d = MysqlDriver::connect(&testing::server().unwrap()).unwrap();
    assert_eq!(d.database_name().unwrap(), None);
    let e = d.current_schema().unwrap_err();
    assert!(e.message.contains("no database selected"), "{e}");
}

#[test]
fn parameters_and_columns_convert_both_ways() {
    let Some((_db, mut d)) = setup() else { return };
    d.execute(
        "CREATE TABLE t (id INT, name VARCHAR(20), ok BOOL, big BIGINT UNSIGNED, amount DECIMAL(5,2), at DATETIME(6), ts TIMESTAMP NULL, day DATE, note TEXT)",
        &[],
    )
    .unwrap();
    let changed = d
        .execute(
            "INSERT INTO t (id, name, ok, big, amount, at, ts, day, note) VALUES (?, ?, ?, 18446744073709551615, 12.5, '2026-07-19 18:01:56.504321', '2026-07-19 18:01:56', '2026-07-19', ?)",
            &[int(7), text("ada ☃"), Value::Bool(true), Value::Null],
        )
        .unwrap();
    assert_eq!(changed, 1);
    d.execute(
        "INSERT INTO t (id, ok) VALUES (?, ?)",
        &[int(-8), Value::Bool(false)],
    )
    .unwrap();
    let expected = vec![
        vec![
            int(-8),
            Value::Null,
            int(0),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ],
        vec![
            int(7),
            text("ada ☃"),
            int(1),
            text("18446744073709551615"),
            text("12.50"),
            text("2026-07-19 18:01:56.504"),
            text("2026-07-19 18:01:56"),
            text("2026-07-19"),
            Value::Null,
        ],
    ];
    let sql = "SELECT id, name, ok, big, amount, at, ts, day, note FROM t";
    // Text protocol (no parameters) and binary protocol (parameters) read alike.
    assert_eq!(
        d.query(&format!("{sql} ORDER BY id"), &[]).unwrap(),
        expected
    );
    assert_eq!(
        d.query(&format!("{sql} WHERE id > ? ORDER BY id"), &[int(-100)])
            .unwrap(),
        expected
    );
    let rows = d
        .query(
            "SELECT name FROM t WHERE name = ? AND ok = ?",
            &[text("ada ☃"), Value::Bool(true)],
        )
        .unwrap();
    assert_eq!(rows, vec![vec![text("ada ☃")]]);
}

#[test]
fn execute_accepts_statements_that_return_rows_and_counts_changes() {
    let Some((_db, mut d)) = setup() else { return };
    d.execute("CREATE TABLE t (id INT PRIMARY KEY)", &[])
        .unwrap();
    assert_eq!(
        d.execute("INSERT INTO t VALUES (1), (2), (3)", &[])
            .unwrap(),
        3
    );
    assert_eq!(d.execute("SELECT * FROM t", &[]).unwrap(), 0);
    d.execute("SHOW TABLES", &[]).unwrap();
    assert_eq!(
        d.execute("UPDATE t SET id = id + 10 WHERE id > ?", &[int(1)])
            .unwrap(),
        2
    );
    assert_eq!(d.execute("DELETE FROM t", &[]).unwrap(), 3);
    // Statements the binary protocol refuses run through the text protocol.
    d.execute("LOCK TABLES t WRITE", &[]).unwrap();
    d.execute("UNLOCK TABLES", &[]).unwrap();
}

#[test]
fn stored_programs_run_as_one_statement() {
    let Some((_db, mut d)) = setup() else { return };
    d.execute("CREATE TABLE t (id INT)", &[]).unwrap();
    d.execute(
        "CREATE PROCEDURE fill(IN n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < n DO\n    INSERT INTO t VALUES (i);\n    SET i = i + 1;\n  END WHILE;\n  SELECT COUNT(*) FROM t;\nEND",
        &[],
    )
    .unwrap();
    // A CALL returns a result set and a final status: both are read.
    d.execute("CALL fill(3)", &[]).unwrap();
    assert_eq!(count(&mut d, "t"), 3);
    assert_eq!(d.query("CALL fill(2)", &[]).unwrap(), vec![vec![int(5)]]);
    // The connection is still usable after the multi-result CALL.
    assert_eq!(count(&mut d, "t"), 5);
    // An error after a first result set is not lost.
    d.execute(
        "CREATE PROCEDURE boom() BEGIN SELECT 1; INSERT INTO no_such_table VALUES (1); END",
        &[],
    )
    .unwrap();
    let e = d.execute("CALL boom()", &[]).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42S02"), "{e}");
    assert!(d.query("CALL boom()", &[]).is_err());
    assert_eq!(count(&mut d, "t"), 5);
    d.execute(
        "CREATE TRIGGER t_ins BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.id < 0 THEN SET NEW.id = 0; END IF; END",
        &[],
    )
    .unwrap();
    d.execute("INSERT INTO t VALUES (-5)", &[]).unwrap();
    assert_eq!(scalar(&mut d, "SELECT MIN(id) FROM t").as_i64(), Some(0));
}

#[test]
fn ddl_commits_implicitly_but_dml_rolls_back() {
    let Some((db, mut d)) = setup() else { return };
    d.begin().unwrap();
    d.execute("CREATE TABLE t (id INT) ENGINE=InnoDB", &[])
        .unwrap();
    d.rollback().unwrap();
    assert!(
        d.table_exists(db.name(), "t").unwrap(),
        "DDL is not rolled back"
    );

    d.begin().unwrap();
    d.execute("INSERT INTO t VALUES (?)", &[int(1)]).unwrap();
    d.rollback().unwrap();
    assert_eq!(count(&mut d, "t"), 0, "DML is rolled back");

    d.begin().unwrap();
    d.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    d.commit().unwrap();
    assert_eq!(count(&mut d, "t"), 1);

    // Harmless without a transaction.
    d.rollback().unwrap();
    d.commit().unwrap();
}

#[test]
fn errors_carry_sqlstate_and_error_number() {
    let Some((_db, mut d)) = setup() else { return };
    let e = d
        .execute("INSERT INTO no_such_table VALUES (1)", &[])
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42S02"), "{e}");
    assert!(e.message.contains("no_such_table"), "{e}");
    assert!(e.message.ends_with("(error 1146)"), "{e}");
    // The same through the binary protocol.
    let e = d
        .query("SELECT * FROM no_such_table WHERE id = ?", &[int(1)])
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42S02"), "{e}");
    assert!(e.message.ends_with("(error 1146)"), "{e}");
    let e = d.execute("CREATE TABLEX t (id INT)", &[]).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("42000"), "{e}");
    assert!(e.message.ends_with("(error 1064)"), "{e}");
    // The connection survives errors.
    assert_eq!(scalar(&mut d, "SELECT 1").as_i64(), Some(1));
}

#[test]
fn get_lock_excludes_a_second_connection_until_unlocked() {
    let Some((db, mut first)) = setup() else {
        return;
    };
    let mut second = db.connect();
    second.set_lock_wait(Duration::from_secs(1));
    // A name of this test's own, so parallel tests do not meet.
    let id = LockId {
        key: 0,
        name: format!("Flyway-test-{}", db.name()),
    };
    assert!(first.try_lock(&id).unwrap());
    let start = Instant::now();
    assert!(!second.try_lock(&id).unwrap(), "the lock is held");
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "GET_LOCK waited"
    );
    first.unlock(&id).unwrap();
    assert!(second.try_lock(&id).unwrap(), "released by unlock");
    first.set_lock_wait(Duration::ZERO);
    assert!(!first.try_lock(&id).unwrap());
    second.unlock(&id).unwrap();
    // Releasing a lock nobody holds is harmless.
    second.unlock(&id).unwrap();
}

#[test]
fn schema_functions_create_inspect_clean_and_drop() {
    let Some((db, mut d)) = setup() else { return };
    let name = db.name().to_string();
    assert!(d.schema_exists(&name).unwrap());
    assert!(!d.schema_exists(&format!("{name}_missing")).unwrap());
    assert!(d.schema_is_empty(&name).unwrap());

    d.execute("CREATE TABLE Parent (id INT PRIMARY KEY)", &[])
        .unwrap();
    d.execute(
        "CREATE TABLE child (id INT, parent_id INT, FOREIGN KEY (parent_id) REFERENCES Parent (id))",
        &[],
    )
    .unwrap();
    d.execute("INSERT INTO Parent VALUES (1)", &[]).unwrap();
    d.execute("INSERT INTO child VALUES (1, 1)", &[]).unwrap();
    d.execute("CREATE VIEW v AS SELECT * FROM child", &[])
        .unwrap();
    d.execute("CREATE PROCEDURE p() BEGIN SELECT 1; END", &[])
        .unwrap();
    d.execute(
        "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1",
        &[],
    )
    .unwrap();
    d.execute(
        "CREATE TRIGGER tr BEFORE INSERT ON child FOR EACH ROW SET NEW.id = NEW.id",
        &[],
    )
    .unwrap();
    d.execute(
        "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DISABLE DO SELECT 1",
        &[],
    )
    .unwrap();
    if d.is_mariadb() {
        d.execute("CREATE SEQUENCE s", &[]).unwrap();
    }
    assert!(!d.schema_is_empty(&name).unwrap());

    assert!(d.table_exists(&name, "Parent").unwrap());
    assert!(d.table_exists(&name, "child").unwrap());
    assert!(
        !d.table_exists(&name, "v").unwrap(),
        "a view is not a table"
    );
    assert!(!d.table_exists(&name, "missing").unwrap());
    assert!(!d.table_exists(&format!("{name}_missing"), "child").unwrap());
    let fold = scalar(&mut d, "SELECT @@lower_case_table_names")
        .as_i64()
        .unwrap();
    if fold == 0 {
        // Names are case-sensitive here, although information_schema compares them
        // case-insensitively.
        assert!(!d.table_exists(&name, "parent").unwrap());
        assert!(!d.table_exists(&name, "CHILD").unwrap());
    }

    d.clean_schema(&name).unwrap();
    assert!(d.schema_is_empty(&name).unwrap());
    assert!(d.schema_exists(&name).unwrap());
    assert_eq!(
        scalar(&mut d, "SELECT @@SESSION.FOREIGN_KEY_CHECKS").as_i64(),
        Some(1),
        "foreign key checks restored"
    );
    // Cleaning an empty schema is fine too.
    d.clean_schema(&name).unwrap();

    // create / USE / drop another schema (a second scratch name, dropped by its guard anyway).
    let other = testing::scratch().unwrap();
    let other_name = other.name().to_string();
    d.drop_schema(&other_name).unwrap();
    assert!(!d.schema_exists(&other_name).unwrap());
    d.create_schema(&other_name).unwrap();
    assert!(d.schema_exists(&other_name).unwrap());
    d.set_current_schema(&other_name).unwrap();
    assert_eq!(d.current_schema().unwrap(), other_name);
    d.execute("CREATE TABLE here (id INT)", &[]).unwrap();
    assert!(d.table_exists(&other_name, "here").unwrap());
    assert!(!d.table_exists(&name, "here").unwrap());
    assert!(!d.schema_is_empty(&other_name).unwrap());
    d.set_current_schema(&name).unwrap();
    d.drop_schema(&other_name).unwrap();
    assert!(!d.schema_exists(&other_name).unwrap());
    assert!(d.clean_schema(&other_name).is_err());
}

#[test]
fn session_timeouts_are_set_at_connect() {
    let Some((db, _)) = setup() else { return };
    let options = ConnectOptions {
        lock_timeout: Some(Duration::from_millis(2500)),
        statement_timeout: Some(Duration::from_millis(1500)),
        ..db.options()
    };
    let mut d = MysqlDriver::connect(&options).unwrap();
    assert_eq!(
        scalar(&mut d, "SELECT @@SESSION.lock_wait_timeout").as_i64(),
        Some(3),
        "rounded up to whole seconds"
    );
    if d.is_mariadb() {
        let v = scalar(&mut d, "SELECT @@SESSION.max_statement_time")
            .as_text()
            .unwrap();
        assert_eq!(v.parse::<f64>().unwrap(), 1.5, "{v}");
    } else {
        assert_eq!(
            scalar(&mut d, "SELECT @@SESSION.max_execution_time").as_i64(),
            Some(1500)
        );
    }
    // A tiny lock timeout is at least a second.
    let options = ConnectOptions {
        lock_timeout: Some(Duration::from_millis(1)),
        ..db.options()
    };
    let mut d = MysqlDriver::connect(&options).unwrap();
    assert_eq!(
        scalar(&mut d, "SELECT @@SESSION.lock_wait_timeout").as_i64(),
        Some(1)
    );
}

#[test]
fn connection_errors_never_show_the_password() {
    let Some((db, _)) = setup() else { return };
    let password = "Sup3r-Secret-Passw0rd";
    let options = ConnectOptions {
        user: Some("tidemark_no_such_user".into()),
        password: Some(password.into()),
        ..db.options()
    };
    let e = MysqlDriver::connect(&options).err().expect("login fails");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(password), "{shown}");
    assert_eq!(e.code.as_deref(), Some("28000"), "{e}");
    assert!(e.message.contains("(error 1045)"), "{e}");
    assert!(e.message.contains("tidemark_no_such_user"), "{e}");
    assert!(
        e.message
            .contains(&format!("{}:{}/{}", options.host, options.port, db.name())),
        "{e}"
    );
    // Nothing listening there.
    let options = ConnectOptions {
        host: "127.0.0.1".into(),
        port: 1,
        ..options
    };
    let e = MysqlDriver::connect(&options).err().expect("refused");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(password), "{shown}");
    assert!(e.message.contains("127.0.0.1:1/"), "{e}");
}

#[test]
fn asking_for_tls_never_falls_back_to_plain_text() {
    let Some((db, mut d)) = setup() else { return };
    let have_ssl = scalar(&mut d, "SELECT @@have_ssl")
        .as_text()
        .unwrap_or_default();
    for (name, value) in [
        ("useSSL", "true"),
        ("sslMode", "REQUIRED"),
        ("ssl-mode", "VERIFY_IDENTITY"),
        ("sslMode", "VERIFY_CA"),
    ] {
        let options = ConnectOptions {
            params: vec![(name.into(), value.into())],
            ..db.options()
        };
        let result = MysqlDriver::connect(&options);
        if have_ssl == "YES" {
            // A TLS server: REQUIRED connects (verification may still refuse a self-signed
            // certificate for the VERIFY modes).
            if value == "REQUIRED" || value == "true" {
                result.unwrap();
            }
            continue;
        }
        let e = result.err().expect("TLS is not available on this server");
        assert!(e.message.contains("TLS"), "{e}");
        assert_eq!(e.code.as_deref(), Some("08001"), "{e}");
    }
    // PREFERRED falls back; DISABLED and useSSL=false never try.
    for (name, value) in [
        ("sslMode", "PREFERRED"),
        ("sslMode", "DISABLED"),
        ("useSSL", "false"),
    ] {
        let options = ConnectOptions {
            params: vec![(name.into(), value.into())],
            ..db.options()
        };
        MysqlDriver::connect(&options).unwrap();
    }
    let options = ConnectOptions {
        params: vec![("sslMode".into(), "sometimes".into())],
        ..db.options()
    };
    let e = MysqlDriver::connect(&options).err().expect("bad sslMode");
    assert!(e.message.contains("sslMode"), "{e}");
}
