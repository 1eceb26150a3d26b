//! Settings that reach the database: placeholders (built-ins included), `installedBy`,
//! `schemas`/`defaultSchema` with `createSchemas` (reference §3.2, §5.7, §7).

use tidemark_engine::{Config, Dialect, Error};

use super::harness::{databases, files, per_dialect};

/// An identifier quoted as Flyway quotes it for the DBMS.
fn quoted(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

#[test]
fn placeholders_and_builtins_are_replaced() {
    for mut db in databases() {
        let name = db.name;
        let mut config = Config {
            table: "tm_history".into(),
            ..Config::default()
        };
        config.resolve.placeholders.set("table", "people");
        config.resolve.placeholders.set("greeting", "hello");
        let src = files(&[(
            "V1__people.sql",
            "CREATE TABLE ${table} (id INT, note VARCHAR(200));\nINSERT INTO ${table} VALUES (1, '${flyway:filename} by ${Greeting} on ${flyway:table}');\nINSERT INTO ${table} VALUES (2, '${flyway:defaultSchema}');\nINSERT INTO ${table} VALUES (3, '${flyway:user}');\n",
        )]);
        db.migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let schema = db.schema();
        let user = db.driver.current_user().unwrap();
        assert_eq!(
            db.texts("SELECT note FROM people ORDER BY id"),
            [
                "V1__people.sql by hello on tm_history".to_string(),
                schema,
                user
            ],
            "{name}: ${{flyway:defaultSchema}} is the driver's current schema"
        );
        assert!(db.has_table("tm_history"), "{name}");
        assert!(!db.has_table("flyway_schema_history"), "{name}");

        // An unknown placeholder is an error naming the file and line; nothing runs.
        let bad = files(&[
            (
                "V1__people.sql",
                "CREATE TABLE ${table} (id INT, note VARCHAR(200));\nINSERT INTO ${table} VALUES (1, '${flyway:filename} by ${Greeting} on ${flyway:table}');\nINSERT INTO ${table} VALUES (2, '${flyway:defaultSchema}');\nINSERT INTO ${table} VALUES (3, '${flyway:user}');\n",
            ),
            (
                "V2__x.sql",
                "INSERT INTO people VALUES (4, 'x');\nINSERT INTO people VALUES (5, '${undefined}');\n",
            ),
        ]);
        let failure = db.migrate(&bad, &config).unwrap_err();
        let Error::Prepare { line, message, .. } = &failure.error else {
            panic!("{name}: {}", failure.error)
        };
        assert_eq!(*line, 2, "{name}");
        assert_eq!(
            message, "No value provided for placeholder: ${undefined}.  Check your configuration!",
            "{name}"
        );
        assert_eq!(
            db.texts("SELECT COUNT(*) FROM people"),
            ["3"],
            "{name}: V2 did not run"
        );
        // Replacement can be switched off.
        let mut off = config.clone();
        off.resolve.placeholder_replacement = false;
        db.migrate(&bad, &off)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(
            db.texts("SELECT note FROM people WHERE id = 5"),
            ["${undefined}"],
            "{name}"
        );
    }
}

#[test]
fn installed_by_is_the_database_user_unless_set() {
    for mut db in databases() {
        let name = db.name;
        // What Flyway records by default: PostgreSQL `current_user`, MySQL the user part of
        // `USER()`, SQLite the empty string (reference §3.2), asked here without the driver.
        let user_sql = per_dialect(
            db.driver.dialect(),
            [
                "SELECT ''",
                "SELECT current_user",
                "SELECT SUBSTRING_INDEX(USER(),'@',1)",
            ],
        );
        let user = db.texts(user_sql).remove(0);
        match db.driver.dialect() {
            Dialect::Sqlite => assert_eq!(user, "", "{name}"),
            _ => assert!(!user.is_empty(), "{name}"),
        }
        db.migrate(
            &files(&[("V1__a.sql", "CREATE TABLE a (id INT);")]),
            &Config::default(),
        )
        .unwrap_or_else(|f| panic!("{name}: {f}"));
        let config = Config {
            installed_by: Some("deployer".into()),
            ..Config::default()
        };
        db.migrate(
            &files(&[
                ("V1__a.sql", "CREATE TABLE a (id INT);"),
                ("V2__b.sql", "CREATE TABLE b (id INT);"),
            ]),
            &config,
        )
        .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(db.installed_by(), [user, "deployer".to_string()], "{name}");
    }
}

/// `schemas` with `createSchemas` (the default): the missing schemas are created, Flyway's
/// `SCHEMA` row (rank 0, the quoted names) is written, the history table lives in the first
/// one, migrations without a schema prefix land in it, and `clean` drops the schemas it
/// created. Schemas are a PostgreSQL and MySQL matter: SQLite's are attached files.
#[test]
fn schemas_are_created_recorded_used_and_dropped_by_clean() {
    for mut db in databases() {
        let name = db.name;
        let dialect = db.driver.dialect();
        if dialect == Dialect::Sqlite {
            // SQLite cannot create schemas (they are attached database files).
            continue;
        }
        let (first, _first_guard) = db.extra_schema("s1");
        let (second, _second_guard) = db.extra_schema("s2");
        let home = db.schema();
        let config = Config {
            schemas: vec![first.clone(), second.clone()],
            ..Config::default()
        };
        let src = files(&[
            (
                "V1__widgets.sql",
                "CREATE TABLE widgets (id INT);\nINSERT INTO widgets VALUES (1);\n",
            ),
            (
                "V2__where.sql",
                "CREATE TABLE placed (s VARCHAR(100));\nINSERT INTO placed VALUES ('${flyway:defaultSchema}');\n",
            ),
        ]);
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 2, "{name}");
        assert!(db.driver.schema_exists(&first).unwrap(), "{name}");
        assert!(db.driver.schema_exists(&second).unwrap(), "{name}");

        let rows = db.history_at(&first, "flyway_schema_history");
        let summary: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.rank,
                    r.version.clone(),
                    r.description.as_str(),
                    r.kind.as_str(),
                    r.script.clone(),
                    r.checksum,
                    r.success,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    0,
                    None,
                    "<< Flyway Schema Creation >>",
                    "SCHEMA",
                    format!("{},{}", quoted(dialect, &first), quoted(dialect, &second)),
                    None,
                    true
                ),
                (
                    1,
                    Some("1".to_string()),
                    "widgets",
                    "SQL",
                    "V1__widgets.sql".to_string(),
                    summary[1].5,
                    true
                ),
                (
                    2,
                    Some("2".to_string()),
                    "where",
                    "SQL",
                    "V2__where.sql".to_string(),
                    summary[2].5,
                    true
                ),
            ],
            "{name}"
        );
        assert!(
            db.driver.table_exists(&first, "widgets").unwrap(),
            "{name}: a migration without a schema prefix lands in the default schema {first}"
        );
        assert!(
            !db.driver.table_exists(&home, "widgets").unwrap(),
            "{name}: not in the connection's original schema {home}"
        );
        let where_sql = format!(
            "SELECT s FROM {}",
            quoted(dialect, &first) + "." + &quoted(dialect, "placed")
        );
        assert_eq!(
            db.texts(&where_sql),
            [first.as_str()],
            "{name}: ${{flyway:defaultSchema}}"
        );
        let snapshot = db
            .with_engine(&src, &config, |e| e.info())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            super::harness::state_labels(&snapshot),
            [
                "<< Flyway Schema Creation >>:Success",
                "1:Success",
                "2:Success"
            ],
            "{name}"
        );
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        let clean = Config {
            clean_disabled: false,
            ..config.clone()
        };
        db.with_engine(&src, &clean, |e| e.clean())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !db.driver.schema_exists(&first).unwrap(),
            "{name}: {first} dropped"
        );
        assert!(
            !db.driver.schema_exists(&second).unwrap(),
            "{name}: {second} dropped"
        );
        assert!(
            db.driver.schema_exists(&home).unwrap(),
            "{name}: {home} untouched"
        );
    }
}

/// `defaultSchema` alone: created, recorded and used like the first of `schemas`.
#[test]
fn default_schema_is_created_and_holds_the_history() {
    for mut db in databases() {
        let name = db.name;
        let dialect = db.driver.dialect();
        if dialect == Dialect::Sqlite {
            // SQLite cannot create schemas (they are attached database files).
            continue;
        }
        let (schema, _guard) = db.extra_schema("app");
        let home = db.schema();
        let config = Config {
            default_schema: Some(schema.clone()),
            ..Config::default()
        };
        assert_eq!(
            db.schema_display(&config),
            quoted(dialect, &schema),
            "{name}"
        );
        let src = files(&[("V1__widgets.sql", "CREATE TABLE widgets (id INT);\n")]);
        db.migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let rows = db.history_at(&schema, "flyway_schema_history");
        assert_eq!(rows.len(), 2, "{name}");
        assert_eq!(
            (rows[0].rank, rows[0].kind.as_str(), rows[0].script.clone()),
            (0, "SCHEMA", quoted(dialect, &schema)),
            "{name}"
        );
        assert!(
            !db.driver
                .table_exists(&home, "flyway_schema_history")
                .unwrap(),
            "{name}"
        );
        assert!(
            db.driver.table_exists(&schema, "widgets").unwrap(),
            "{name}: a migration without a schema prefix lands in {schema}"
        );

        // createSchemas=false refuses a missing schema.
        let (other, _other_guard) = db.extra_schema("other");
        let no_create = Config {
            default_schema: Some(other.clone()),
            create_schemas: false,
            ..Config::default()
        };
        let err = db.migrate(&src, &no_create).unwrap_err();
        assert!(
            err.error.to_string().contains("doesn't exist yet"),
            "{name}: {}",
            err.error
        );
        assert!(!db.driver.schema_exists(&other).unwrap(), "{name}");
    }
}
