//! A throwaway project folder and a way to run the real `tidemark` binary in it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tempfile::TempDir;

/// The `tidemark` binary, built once per test run (honours `CARGO_TARGET_DIR`).
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let run = escargot::CargoBuild::new()
            .package("tidemark")
            .bin("tidemark")
            .current_release()
            .current_target()
            .manifest_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
            .run()
            .expect("cargo build -p tidemark");
        run.path().to_path_buf()
    })
}

/// What one run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit 0 and returns self.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts the exit code and returns self.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// A `tidemark` process started by [`Project::spawn`]; killed (SIGKILL) if still running when
/// dropped, so a failing test leaves no process behind.
pub struct Spawned {
    child: Child,
    output: TempDir,
    code: Option<i32>,
}

impl Spawned {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What it has printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.read("stdout")
    }

    /// What it has printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.read("stderr")
    }

    fn read(&self, name: &str) -> String {
        String::from_utf8_lossy(&std::fs::read(self.output.path().join(name)).unwrap_or_default())
            .into_owned()
    }

    /// Whether it has exited (reaping it if so).
    pub fn finished(&mut self) -> bool {
        if self.code.is_none()
            && let Some(status) = self.child.try_wait().expect("try_wait")
        {
            self.code = Some(status.code().unwrap_or(-1));
        }
        self.code.is_some()
    }

    /// Kills it with SIGKILL (no chance to clean up) and reaps it.
    pub fn kill(&mut self) {
        if !self.finished() {
            self.child.kill().expect("kill tidemark");
            let status = self.child.wait().expect("wait for tidemark");
            self.code = Some(status.code().unwrap_or(-1));
        }
    }

    /// Waits for it to exit (killing it and failing after `deadline`, which is generous: a
    /// hang, not slowness) and returns what it printed; a killed process has code -1.
    #[track_caller]
    pub fn wait_for(mut self, deadline: Duration) -> Run {
        let until = Instant::now() + deadline;
        while !self.finished() {
            if Instant::now() > until {
                self.kill();
                panic!(
                    "tidemark (pid {}) still running after {deadline:?}\nstdout:\n{}\nstderr:\n{}",
                    self.id(),
                    self.stdout(),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Run {
            code: self.code.unwrap_or(-1),
            stdout: self.stdout(),
            stderr: self.stderr(),
        }
    }

    /// Waits for it to exit, up to a minute; see [`Spawned::wait_for`].
    #[track_caller]
    pub fn wait(self) -> Run {
        self.wait_for(Duration::from_secs(60))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if self.code.is_none() && !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A project folder with a `migrations/` folder and a SQLite database `tidemark.db`.
pub struct Project {
    dir: TempDir,
    env: BTreeMap<String, String>,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
        Project {
            dir,
            env: BTreeMap::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `migrations/<name>` (creating sub-folders).
    pub fn migration(&self, name: &str, text: &str) -> &Project {
        self.file(&format!("migrations/{name}"), text.as_bytes())
    }

    /// Writes any file relative to the project.
    pub fn file(&self, name: &str, bytes: &[u8]) -> &Project {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
        self
    }

    /// Removes a file relative to the project.
    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.dir.path().join(name)).unwrap();
    }

    /// Sets an environment variable for every later run.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Project {
        self.env.insert(key.into(), value.into());
        self
    }

    /// `tidemark ARGS` in the project folder with a clean environment, not started yet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TZ", "UTC")
            .envs(&self.env);
        command
    }

    /// Runs `tidemark ARGS` in the project folder with a clean environment.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run tidemark");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts `tidemark ARGS` like [`Project::run`] without waiting for it. Its output goes to
    /// files, so it can be read while the process runs ([`Spawned::stderr`]) and no pipe fills.
    pub fn spawn(&self, args: &[&str]) -> Spawned {
        let output = tempfile::tempdir().expect("temp dir");
        let file = |name: &str| std::fs::File::create(output.path().join(name)).unwrap();
        let child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(file("stdout"))
            .stderr(file("stderr"))
            .spawn()
            .expect("start tidemark");
        Spawned {
            child,
            output,
            code: None,
        }
    }

    /// The project's SQLite database.
    pub fn db(&self) -> Connection {
        Connection::open(self.dir.path().join("tidemark.db")).expect("open tidemark.db")
    }

    /// Whether the database file exists at all.
    pub fn db_exists(&self) -> bool {
        self.dir.path().join("tidemark.db").exists()
    }

    /// Whether `table` exists in the database.
    pub fn has_table(&self, table: &str) -> bool {
        self.db_exists()
            && self
                .db()
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                    [table],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                == 1
    }

    /// History rows as `version|description|type|script|success`, by rank.
    pub fn history(&self) -> Vec<String> {
        if !self.has_table("flyway_schema_history") {
            return Vec::new();
        }
        let db = self.db();
        let mut stmt = db
            .prepare("SELECT installed_rank, coalesce(version, ''), description, type, script, success FROM flyway_schema_history ORDER BY installed_rank")
            .unwrap();
        stmt.query_map([], |r| {
            Ok(format!(
                "{}|{}|{}|{}|{}|{}",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    /// The `info --format json` states as `version-or-description:state`.
    pub fn states(&self) -> Vec<String> {
        self.states_with(&[])
    }

    /// Like [`Project::states`], with extra arguments for `info`.
    pub fn states_with(&self, extra: &[&str]) -> Vec<String> {
        let mut args = vec!["info", "--format", "json"];
        args.extend_from_slice(extra);
        let json = self.run(&args).ok().json();
        json["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let key = m["version"].as_str().map_or_else(
                    || m["description"].as_str().unwrap().to_string(),
                    str::to_string,
                );
                format!("{key}:{}", m["state"].as_str().unwrap())
            })
            .collect()
    }
}
