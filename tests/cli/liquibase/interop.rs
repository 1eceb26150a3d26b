//! tidemark against the real Liquibase 4.28, on PostgreSQL and SQLite: one tool applies, the
//! other reads; both reject the same changed changeset; each rolls back what the other applied;
//! each waits for the other's lock.
//!
//! Liquibase comes from the npm package `liquibase@4.28.1` (its `dist/liquibase` holds the full
//! distribution, Liquibase 4.28.0): `TIDEMARK_LIQUIBASE_HOME` names that folder (or an npm prefix
//! holding `node_modules/liquibase`), default `~/.cache/tidemark/liquibase` (`.ci/run` installs
//! it there). It is launched with `java` directly, without the Pro jar (open-source behaviour);
//! SQLite needs `slf4j-api.jar` and `slf4j-nop.jar` (Debian's `libslf4j-java`, found in
//! `/usr/share/java` or `TIDEMARK_SLF4J_DIR`). Without java or the package the tests say so on
//! stderr and pass, unless `TIDEMARK_REQUIRE_LIQUIBASE=1` (CI), where that is a failure.
//!
//! Each Liquibase start costs a couple of seconds of JVM start-up, so each test does several
//! things; the tests still run in parallel, each on databases of its own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tidemark_engine::driver::Driver;

use super::super::servers::{Db, poll_until};
use super::super::support::{Project, Run};
use super::{locked, rows};

/// How to start the real Liquibase.
#[derive(Debug, Clone)]
struct Liquibase {
    java: PathBuf,
    /// Class path without the slf4j jars.
    classpath: String,
    /// `slf4j-api.jar` and `slf4j-nop.jar`, if found (SQLite needs them).
    slf4j: Option<String>,
}

fn skip(reason: &str) -> Option<Liquibase> {
    if std::env::var("TIDEMARK_REQUIRE_LIQUIBASE").as_deref() == Ok("1") {
        panic!("the real Liquibase is required (TIDEMARK_REQUIRE_LIQUIBASE=1): {reason}");
    }
    eprintln!("skipping Liquibase interop tests: {reason}");
    None
}

/// The Liquibase distribution folder (`.../dist/liquibase`).
fn home() -> Option<PathBuf> {
    let base = match std::env::var_os("TIDEMARK_LIQUIBASE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/tidemark/liquibase"),
    };
    [
        base.clone(),
        base.join("dist/liquibase"),
        base.join("node_modules/liquibase/dist/liquibase"),
    ]
    .into_iter()
    .find(|d| d.join("internal/lib/liquibase-core.jar").is_file())
}

fn find() -> Option<Liquibase> {
    static FOUND: OnceLock<Option<Liquibase>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let java = match std::env::var_os("JAVA_HOME") {
                Some(home) => PathBuf::from(home).join("bin/java"),
                None => PathBuf::from("java"),
            };
            let works = Command::new(&java)
                .arg("-version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !works {
                return skip("java is not installed (java 17 runs Liquibase 4.28)");
            }
            let Some(home) = home() else {
                return skip(
                    "Liquibase 4.28 not found: `npm install --prefix ~/.cache/tidemark/liquibase liquibase@4.28.1` (or set TIDEMARK_LIQUIBASE_HOME)",
                );
            };
            let lib = home.join("internal/lib");
            let mut jars: Vec<String> = std::fs::read_dir(&lib)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "jar"))
                // Without the Pro jar: Liquibase open source.
                .filter(|p| !p.to_string_lossy().contains("liquibase-commercial"))
                .map(|p| p.display().to_string())
                .collect();
            jars.sort();
            let slf4j_dir = std::env::var_os("TIDEMARK_SLF4J_DIR")
                .map_or_else(|| PathBuf::from("/usr/share/java"), PathBuf::from);
            let api = slf4j_dir.join("slf4j-api.jar");
            let nop = slf4j_dir.join("slf4j-nop.jar");
            let slf4j = (api.is_file() && nop.is_file())
                .then(|| format!("{}:{}", api.display(), nop.display()));
            Some(Liquibase {
                java,
                classpath: jars.join(":"),
                slf4j,
            })
        })
        .clone()
}

/// A database both tools use: its Liquibase URL and tidemark URL.
struct Target {
    /// For Liquibase: `--url=… [--username=… --password=…]`.
    liquibase: Vec<String>,
    /// For tidemark: `--url …`.
    tidemark: String,
    /// Keeps a server database alive.
    server: Option<Db>,
}

impl Target {
    fn sqlite(p: &Project) -> Target {
        let file = p.path().join("tidemark.db");
        Target {
            // sqlite-jdbc gives up on a busy database after 3 s unless told otherwise.
            liquibase: vec![format!(
                "--url=jdbc:sqlite:{}?busy_timeout=60000",
                file.display()
            )],
            tidemark: "sqlite:tidemark.db".to_string(),
            server: None,
        }
    }

    fn postgres(db: Db) -> Target {
        let (user, password) = db.credentials();
        let mut liquibase = vec![
            format!("--url=jdbc:postgresql://{}/{}", db.address(), db.name()),
            format!("--username={user}"),
        ];
        if let Some(pw) = password {
            liquibase.push(format!("--password={pw}"));
        }
        Target {
            liquibase,
            tidemark: db.url(),
            server: Some(db),
        }
    }

    fn connect(&self, p: &Project) -> Box<dyn Driver> {
        match &self.server {
            Some(db) => db.connect(),
            None => Box::new(
                tidemark_sqlite::SqliteDriver::open(&p.path().join("tidemark.db")).unwrap(),
            ),
        }
    }

    fn label(&self) -> &'static str {
        if self.server.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

/// Both databases of a test: SQLite (when Liquibase can load its driver) and PostgreSQL (when
/// the server is reachable), each with a fresh project, and the Liquibase launcher.
fn setups() -> Vec<(Liquibase, Project, Target)> {
    let Some(liquibase) = find() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if liquibase.slf4j.is_some() {
        let p = Project::new();
        let t = Target::sqlite(&p);
        out.push((liquibase.clone(), p, t));
    } else {
        skip_sqlite();
    }
    if let Some(db) = Db::postgres() {
        out.push((liquibase, Project::new(), Target::postgres(db)));
    }
    out
}

fn skip_sqlite() {
    if std::env::var("TIDEMARK_REQUIRE_LIQUIBASE").as_deref() == Ok("1") {
        panic!(
            "slf4j-api.jar and slf4j-nop.jar are required for Liquibase on SQLite (apt-get install libslf4j-java)"
        );
    }
    eprintln!(
        "skipping Liquibase interop tests on SQLite: slf4j-api.jar/slf4j-nop.jar not found (apt-get install libslf4j-java, or TIDEMARK_SLF4J_DIR)"
    );
}

impl Liquibase {
    fn command(&self, dir: &Path, target: &Target, args: &[&str]) -> Command {
        let mut classpath = self.classpath.clone();
        if let Some(slf4j) = &self.slf4j {
            classpath.push(':');
            classpath.push_str(slf4j);
        }
        let mut c = Command::new(&self.java);
        c.current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("TZ", "UTC")
            .env("LIQUIBASE_SHOW_BANNER", "false")
            .env("LIQUIBASE_HEADLESS", "true")
            .args([
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Duser.timezone=UTC",
                "-cp",
                &classpath,
                "liquibase.integration.commandline.LiquibaseCommandLine",
            ])
            .args(&target.liquibase)
            .arg("--changelog-file=changelog.sql")
            .args(args);
        c
    }

    fn run(&self, dir: &Path, target: &Target, args: &[&str]) -> Run {
        let out = self
            .command(dir, target, args)
            .output()
            .expect("start java for Liquibase");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts Liquibase with its output going to files (read while it runs).
    fn spawn(&self, dir: &Path, target: &Target, args: &[&str]) -> Background {
        let output = tempfile::tempdir().expect("temp dir");
        let file = |name: &str| std::fs::File::create(output.path().join(name)).unwrap();
        let child = self
            .command(dir, target, args)
            .stdin(Stdio::null())
            .stdout(file("stdout"))
            .stderr(file("stderr"))
            .spawn()
            .expect("start java for Liquibase");
        Background { child, output }
    }
}

/// A Liquibase process running in the background; killed if the test ends first.
struct Background {
    child: Child,
    output: TempDir,
}

impl Background {
    fn read(&self, name: &str) -> String {
        String::from_utf8_lossy(&std::fs::read(self.output.path().join(name)).unwrap_or_default())
            .into_owned()
    }

    fn wait(mut self) -> Run {
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Run {
                    code: status.code().unwrap_or(-1),
                    stdout: self.read("stdout"),
                    stderr: self.read("stderr"),
                };
            }
            assert!(
                Instant::now() < until,
                "Liquibase still running\n{}",
                self.read("stderr")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[track_caller]
fn ok(run: Run, what: &str) -> Run {
    assert_eq!(
        run.code, 0,
        "{what} failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    run
}

/// tidemark in the project, on the target's database.
fn tidemark(p: &Project, t: &Target, args: &[&str]) -> Run {
    let mut all = vec![
        "--changelog-file",
        "changelog.sql",
        "--url",
        t.tidemark.as_str(),
    ];
    all.extend_from_slice(args);
    p.run(&all)
}

/// A changelog that exercises what rows depend on: a property, a comment, contexts, labels,
/// runOnChange, a precondition that marks the changeset ran, rollbacks.
const CHANGELOG: &str = "-- liquibase formatted sql
-- property name:tbl value:items

-- changeset alice:1
-- comment the items table
CREATE TABLE ${tbl} (id INT, name VARCHAR(50));
-- rollback DROP TABLE ${tbl};

-- changeset alice:2 context:dev labels:expand
INSERT INTO items (id, name) VALUES (1, 'one');
-- rollback DELETE FROM items WHERE id = 1;

-- changeset bob:3 runOnChange:true
CREATE VIEW item_names AS SELECT name FROM items;
-- rollback DROP VIEW item_names;

-- changeset bob:4
-- preconditions onFail:MARK_RAN
-- precondition-sql-check expectedResult:0 SELECT count(*) FROM items
INSERT INTO items (id, name) VALUES (2, 'two');
-- rollback DELETE FROM items WHERE id = 2;

-- changeset carol:5 labels:contract
CREATE TABLE extra (id INT);
/* liquibase rollback
DROP TABLE extra;
*/
";

/// Rows without what differs between runs (dates, deployment ids).
fn comparable(t: &Target, p: &Project) -> Vec<String> {
    rows(t.connect(p).as_mut())
}

#[test]
fn liquibase_applies_and_tidemark_agrees() {
    // (1) Liquibase updates; tidemark's status says up to date and validate is clean; the rows
    // are the ones tidemark writes itself on a second database.
    for (liquibase, p, t) in setups() {
        let label = t.label();
        p.file("changelog.sql", CHANGELOG.as_bytes());
        let run = ok(liquibase.run(p.path(), &t, &["update"]), "Liquibase update");
        assert!(
            run.stdout.contains("Run:                          5"),
            "{label}: {}",
            run.stdout
        );
        let status = ok(
            tidemark(&p, &t, &["status", "--verbose"]),
            "tidemark status",
        );
        assert!(
            status.stdout.ends_with(" is up to date\n"),
            "{label}: {}",
            status.stdout
        );
        let validate = ok(tidemark(&p, &t, &["validate"]), "tidemark validate");
        assert!(validate.stdout.contains("No validation errors found."));
        let update = ok(tidemark(&p, &t, &["update"]), "tidemark update");
        assert!(
            update
                .stderr
                .contains("Database is up to date, no changesets to execute"),
            "{label}: {}",
            update.stderr
        );

        // The same changelog applied by tidemark on a fresh database gives the same rows.
        let q = Project::new();
        q.file("changelog.sql", CHANGELOG.as_bytes());
        let fresh = match &t.server {
            Some(_) => match Db::postgres() {
                Some(db) => Target::postgres(db),
                None => continue,
            },
            None => Target::sqlite(&q),
        };
        ok(tidemark(&q, &fresh, &["update"]), "tidemark update (fresh)");
        assert_eq!(comparable(&t, &p), comparable(&fresh, &q), "{label}");
        let exec: Vec<String> = comparable(&fresh, &q)
            .iter()
            .map(|r| r.split('|').nth(4).unwrap().to_string())
            .collect();
        assert_eq!(
            exec,
            ["EXECUTED", "EXECUTED", "EXECUTED", "MARK_RAN", "EXECUTED"]
        );
    }
}

#[test]
fn tidemark_applies_and_liquibase_agrees() {
    // (2) tidemark updates; Liquibase's status says up to date, validate passes, update has
    // nothing to do; a runOnChange change is re-run by Liquibase over tidemark's row.
    for (liquibase, p, t) in setups() {
        let label = t.label();
        p.file("changelog.sql", CHANGELOG.as_bytes());
        ok(tidemark(&p, &t, &["update"]), "tidemark update");
        let status = ok(
            liquibase.run(p.path(), &t, &["status", "--verbose"]),
            "Liquibase status",
        );
        assert!(
            status.stdout.contains(" is up to date"),
            "{label}: {}",
            status.stdout
        );
        let validate = ok(
            liquibase.run(p.path(), &t, &["validate"]),
            "Liquibase validate",
        );
        assert!(
            validate.stderr.contains("No validation errors found."),
            "{label}: {}",
            validate.stderr
        );
        let changed = CHANGELOG.replace(
            "CREATE VIEW item_names AS SELECT name FROM items;",
            "DROP VIEW item_names;\nCREATE VIEW item_names AS SELECT id, name FROM items;",
        );
        p.file("changelog.sql", changed.as_bytes());
        let update = ok(liquibase.run(p.path(), &t, &["update"]), "Liquibase update");
        assert!(
            update.stdout.contains("Run:                          1"),
            "{label}: {}",
            update.stdout
        );
        let got = comparable(&t, &p);
        assert!(
            got[4].starts_with("3|bob|changelog.sql|6|RERAN|"),
            "{label}: {got:?}"
        );
        // And tidemark accepts Liquibase's RERAN row.
        let status = ok(tidemark(&p, &t, &["status"]), "tidemark status");
        assert!(
            status.stdout.ends_with(" is up to date\n"),
            "{label}: {}",
            status.stdout
        );
    }
}

#[test]
fn a_changed_changeset_fails_in_both_with_the_same_changeset_named() {
    // (3)
    for (liquibase, p, t) in setups() {
        let label = t.label();
        p.file("changelog.sql", CHANGELOG.as_bytes());
        ok(tidemark(&p, &t, &["update"]), "tidemark update");
        let changed = CHANGELOG.replace(
            "CREATE TABLE extra (id INT);",
            "CREATE TABLE extra (id INT, note VARCHAR(10));",
        );
        p.file("changelog.sql", changed.as_bytes());
        let ours = tidemark(&p, &t, &["validate"]);
        assert_eq!(ours.code, 1, "{label}: {}", ours.stderr);
        let theirs = liquibase.run(p.path(), &t, &["validate"]);
        assert_eq!(theirs.code, 1, "{label}: {}", theirs.stderr);
        // The line naming the changeset, the stored and the new checksum: identical.
        let line = |text: &str| {
            text.split('\n')
                .find(|l| l.contains("::5::carol was: "))
                .map(|l| l.trim().to_string())
        };
        let ours_line = line(&ours.stderr).unwrap_or_else(|| panic!("{label}: {}", ours.stderr));
        assert_eq!(Some(ours_line.clone()), line(&theirs.stderr), "{label}");
        assert!(ours_line.starts_with("changelog.sql::5::carol was: 9:"));
        assert!(ours.stderr.contains("1 changesets check sum"));
        assert!(theirs.stderr.contains("1 changesets check sum"));
        // update refuses in both, before running anything.
        assert_eq!(tidemark(&p, &t, &["update"]).code, 1);
        assert_eq!(liquibase.run(p.path(), &t, &["update"]).code, 1);
    }
}

#[test]
fn each_rolls_back_what_the_other_applied() {
    // (4)
    for (liquibase, p, t) in setups() {
        let label = t.label();
        p.file("changelog.sql", CHANGELOG.as_bytes());
        ok(liquibase.run(p.path(), &t, &["update"]), "Liquibase update");
        let back = ok(
            tidemark(&p, &t, &["rollback-count", "--count", "2"]),
            "tidemark rollback-count",
        );
        assert!(
            back.stderr.contains(
                "Rolling Back Changeset: changelog.sql::5::carol\nRolling Back Changeset: changelog.sql::4::bob"
            ),
            "{label}: {}",
            back.stderr
        );
        let mut driver = t.connect(&p);
        assert_eq!(rows(driver.as_mut()).len(), 3, "{label}");
        assert!(
            driver.query("SELECT * FROM extra", &[]).is_err(),
            "{label}: extra still exists"
        );
        // Changeset 4 was MARK_RAN: its rollback deleted nothing that changeset 4 inserted,
        // exactly as Liquibase's own rollback would.
        let status = ok(
            liquibase.run(p.path(), &t, &["status", "--verbose"]),
            "Liquibase status",
        );
        assert!(
            status.stdout.contains("2 changesets have not been applied")
                && status.stdout.contains("changelog.sql::4::bob")
                && status.stdout.contains("changelog.sql::5::carol"),
            "{label}: {}",
            status.stdout
        );

        ok(tidemark(&p, &t, &["update"]), "tidemark update");
        ok(
            liquibase.run(p.path(), &t, &["rollback-count", "--count=1"]),
            "Liquibase rollback-count",
        );
        assert_eq!(rows(driver.as_mut()).len(), 4, "{label}");
        let status = ok(tidemark(&p, &t, &["status"]), "tidemark status");
        assert!(
            status
                .stdout
                .starts_with("1 changesets have not been applied to ")
                && status.stdout.ends_with("\n     changelog.sql::5::carol\n"),
            "{label}: {}",
            status.stdout
        );
    }
}

/// A changeset that blocks until the test lets it go: it writes to `gate`, which the test keeps
/// locked (PostgreSQL: `LOCK TABLE`; SQLite: an open write transaction on the attached file
/// `gate.db`). The tool running it holds DATABASECHANGELOGLOCK meanwhile.
fn gated_changelog(t: &Target) -> String {
    format!(
        "-- liquibase formatted sql\n-- changeset a:1\nCREATE TABLE t1 (id INT);\n-- changeset a:gated runInTransaction:false\n{}\n-- changeset a:3\nCREATE TABLE t3 (id INT);\n",
        gated_body(t)
    )
}

/// The statements that wait for the gate.
fn gated_body(t: &Target) -> &'static str {
    if t.server.is_some() {
        "INSERT INTO gate VALUES (1);"
    } else {
        "ATTACH DATABASE 'gate.db' AS g;\nINSERT INTO g.gate VALUES (1);\nDETACH DATABASE g;"
    }
}

/// Holds the gate closed until dropped (or `open`).
enum Gate {
    Postgres(Box<dyn Driver>),
    Sqlite(rusqlite::Connection),
}

impl Gate {
    fn close(p: &Project, t: &Target) -> Gate {
        match &t.server {
            Some(db) => {
                let mut d = db.connect();
                d.execute("CREATE TABLE gate (id INT)", &[]).unwrap();
                d.begin().unwrap();
                d.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE", &[])
                    .unwrap();
                Gate::Postgres(d)
            }
            None => {
                let c = rusqlite::Connection::open(p.path().join("gate.db")).unwrap();
                c.execute_batch(
                    "CREATE TABLE gate (id INT); BEGIN EXCLUSIVE; INSERT INTO gate VALUES (0);",
                )
                .unwrap();
                Gate::Sqlite(c)
            }
        }
    }

    fn open(self) {
        match self {
            Gate::Postgres(mut d) => d.commit().unwrap(),
            Gate::Sqlite(c) => c.execute_batch("COMMIT").unwrap(),
        }
    }
}

#[test]
fn each_waits_for_the_others_lock() {
    // (5) One holds DATABASECHANGELOGLOCK (blocked in a changeset), the other waits for it, then
    // finds everything applied.
    for (liquibase, p, t) in setups() {
        let label = t.label();
        p.file("changelog.sql", gated_changelog(&t).as_bytes());

        // tidemark holds, Liquibase waits.
        let gate = Gate::close(&p, &t);
        // No lock_timeout: the changeset waits for the gate as long as it takes.
        let holder = p.spawn(&[
            "--changelog-file",
            "changelog.sql",
            "--url",
            t.tidemark.as_str(),
            "update",
            "--lock-timeout=0",
        ]);
        poll_until("tidemark to take the lock", || {
            locked(t.connect(&p).as_mut()).then_some(())
        });
        let waiter = liquibase.spawn(
            p.path(),
            &t,
            // Liquibase's global flags go before the command.
            &["--changelog-lock-poll-rate=1", "--log-level=INFO", "update"],
        );
        poll_until("Liquibase to wait for the lock", || {
            waiter
                .read("stderr")
                .contains("Waiting for changelog lock")
                .then_some(())
        });
        assert_eq!(rows(t.connect(&p).as_mut()).len(), 1, "{label}");
        gate.open();
        let held = holder.wait_for(Duration::from_secs(120));
        assert_eq!(held.code, 0, "{label}: tidemark\n{}", held.stderr);
        let waited = ok(waiter.wait(), "Liquibase update");
        assert!(
            waited.stdout.contains("Run:                          0"),
            "{label}: {}",
            waited.stdout
        );
        assert_eq!(rows(t.connect(&p).as_mut()).len(), 3, "{label}");

        // Liquibase holds, tidemark waits.
        let next = format!(
            "{}-- changeset a:gated2 runInTransaction:false\n{}\n",
            gated_changelog(&t),
            gated_body(&t)
        );
        p.file("changelog.sql", next.as_bytes());
        let gate = Gate::close_again(&p, &t);
        let holder = liquibase.spawn(p.path(), &t, &["update"]);
        poll_until("Liquibase to take the lock", || {
            locked(t.connect(&p).as_mut()).then_some(())
        });
        let waiter = p.spawn(&[
            "--changelog-file",
            "changelog.sql",
            "--url",
            t.tidemark.as_str(),
            "update",
            "--changelog-lock-poll-rate=1",
        ]);
        poll_until("tidemark to wait for the lock", || {
            waiter
                .stderr()
                .contains("Waiting for changelog lock....")
                .then_some(())
        });
        assert_eq!(rows(t.connect(&p).as_mut()).len(), 3, "{label}");
        gate.open();
        let held = ok(holder.wait(), "Liquibase update");
        assert!(
            held.stdout.contains("Run:                          1"),
            "{label}: {}",
            held.stdout
        );
        let waited = waiter.wait_for(Duration::from_secs(120));
        assert_eq!(waited.code, 0, "{label}: tidemark\n{}", waited.stderr);
        assert!(
            waited
                .stderr
                .contains("Database is up to date, no changesets to execute"),
            "{label}: {}",
            waited.stderr
        );
        assert_eq!(rows(t.connect(&p).as_mut()).len(), 4, "{label}");
        assert!(!locked(t.connect(&p).as_mut()), "{label}");
    }
}

impl Gate {
    /// Closes the gate again (the table exists already).
    fn close_again(p: &Project, t: &Target) -> Gate {
        match &t.server {
            Some(db) => {
                let mut d = db.connect();
                d.begin().unwrap();
                d.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE", &[])
                    .unwrap();
                Gate::Postgres(d)
            }
            None => {
                let c = rusqlite::Connection::open(p.path().join("gate.db")).unwrap();
                c.execute_batch("BEGIN EXCLUSIVE; INSERT INTO gate VALUES (0);")
                    .unwrap();
                Gate::Sqlite(c)
            }
        }
    }
}
