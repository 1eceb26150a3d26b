//! Every way of configuring a run: both flag forms, the environment, and config files.

use super::support::Project;

fn two_locations() -> Project {
    let p = Project::new();
    p.file("sql/V1__a.sql", b"CREATE TABLE a (id INT);")
        .file("sql/V2__b.sql", b"CREATE TABLE b (id INT);");
    p
}

#[test]
fn flyway_form_flags_work_like_gnu_flags() {
    let p = two_locations();
    p.run(&[
        "-url=jdbc:sqlite:flyway.db",
        "-locations=filesystem:sql",
        "-target=1",
        "migrate",
    ])
    .ok();
    assert!(p.path().join("flyway.db").exists());
    assert!(!p.db_exists(), "the default database was not touched");
    let gnu = p
        .run(&[
            "info",
            "--url",
            "jdbc:sqlite:flyway.db",
            "--locations",
            "filesystem:sql",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let states: Vec<_> = gnu["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, ["Success", "Pending"]);
    // Flags may also follow the command.
    p.run(&["migrate", "--url", "sqlite:flyway.db", "--locations", "sql"])
        .ok();
}

#[test]
fn flyway_and_tidemark_environment_variables() {
    let mut p = two_locations();
    p.env("FLYWAY_URL", "jdbc:sqlite:from_flyway_env.db")
        .env("FLYWAY_LOCATIONS", "filesystem:sql");
    p.run(&["migrate"]).ok();
    assert!(p.path().join("from_flyway_env.db").exists());

    // TIDEMARK_* beats FLYWAY_*, a flag beats both.
    p.env("TIDEMARK_URL", "sqlite:from_tidemark_env.db");
    p.run(&["migrate"]).ok();
    assert!(p.path().join("from_tidemark_env.db").exists());
    p.run(&["migrate", "--url", "sqlite:from_flag.db"]).ok();
    assert!(p.path().join("from_flag.db").exists());

    let mut q = Project::new();
    q.migration(
        "V1__x.sql",
        "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('${who}');",
    );
    q.env("FLYWAY_PLACEHOLDERS_WHO", "env")
        .env("DATABASE_URL", "sqlite:database_url.db");
    q.run(&["migrate"]).ok();
    assert!(
        q.path().join("database_url.db").exists(),
        "DATABASE_URL is the last fallback for the URL"
    );
}

#[test]
fn flyway_conf_file() {
    let p = two_locations();
    p.file(
        "flyway.conf",
        b"# legacy Flyway configuration\nflyway.url=jdbc:sqlite:conf.db\nflyway.locations=filesystem:sql\nflyway.target=1\nflyway.placeholders.unused=x\n",
    );
    p.run(&["migrate"]).ok();
    assert!(p.path().join("conf.db").exists());
    // Flags override the file.
    p.run(&["migrate", "-target=latest"]).ok();
    let rows: i64 = rusqlite::Connection::open(p.path().join("conf.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM flyway_schema_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows, 2);

    let bad = two_locations();
    bad.file(
        "flyway.conf",
        b"flyway.url=jdbc:sqlite:conf.db\nflyway.outOfOrder=sometimes\n",
    );
    let run = bad.run(&["migrate"]).code(2);
    assert!(
        run.stderr.contains("outOfOrder") && run.stderr.contains("flyway.conf"),
        "{}",
        run.stderr
    );
}

#[test]
fn flyway_toml_file_with_environments() {
    let p = two_locations();
    p.file(
        "flyway.toml",
        b"[environments.default]\nurl = \"jdbc:sqlite:toml.db\"\n\n[flyway]\nlocations = [\"filesystem:sql\"]\n\n[flyway.placeholders]\nx = \"1\"\n",
    );
    p.run(&["migrate"]).ok();
    assert!(p.path().join("toml.db").exists());

    p.file("other.conf", b"flyway.url=jdbc:sqlite:x.db\n");
    let both = p
        .run(&["-configFiles=flyway.toml,other.conf", "info"])
        .code(2);
    assert!(
        both.stderr
            .contains("Using both TOML configuration and CONF configuration is not supported"),
        "{}",
        both.stderr
    );
}

#[test]
fn tidemark_toml_file() {
    let p = two_locations();
    p.file(
        "tidemark.toml",
        b"[tidemark]\nurl = \"sqlite:tm.db\"\nlocations = [\"filesystem:sql\"]\ntarget = \"1\"\n",
    );
    p.run(&["migrate"]).ok();
    let conn = rusqlite::Connection::open(p.path().join("tm.db")).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM flyway_schema_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows, 1);
}
