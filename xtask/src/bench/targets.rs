//! The databases a workload runs against, and the commands that run on them: tidemark, the
//! floor client (psql, sqlite3, mariadb) and the peers (sqlx-cli, dbmate).
//!
//! Server databases are scratch databases from the test-support modules of the drivers (the
//! servers named by `TIDEMARK_TEST_POSTGRES_URL` / `TIDEMARK_TEST_MYSQL_URL`), dropped when
//! their guard is; SQLite databases are files in the bench's temporary folder.

use std::any::Any;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use tidemark_engine::Driver;

/// A DBMS under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// PostgreSQL.
    Postgres,
    /// SQLite (a file).
    Sqlite,
    /// MariaDB (or MySQL).
    Mariadb,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 3] = [Kind::Postgres, Kind::Sqlite, Kind::Mariadb];

    /// The name `--db` takes.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Postgres => "postgres",
            Kind::Sqlite => "sqlite",
            Kind::Mariadb => "mariadb",
        }
    }

    /// The floor client's program name.
    pub fn client(self) -> &'static str {
        match self {
            Kind::Postgres => "psql",
            Kind::Sqlite => "sqlite3",
            Kind::Mariadb => "mariadb",
        }
    }
}

/// A fresh, empty database and how to reach it.
pub struct Fresh {
    /// The URL tidemark takes.
    pub url: String,
    /// The URL sqlx-cli and dbmate take.
    pub peer_url: String,
    kind: Kind,
    /// SQLite: the file.
    file: Option<PathBuf>,
    /// Servers: host, port, user, password, database (for the mariadb client).
    server: Option<(String, u16, String, Option<String>, String)>,
    /// Drops the database.
    guard: Box<dyn Any>,
}

struct RemoveFile(PathBuf);

impl Drop for RemoveFile {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

/// Creates a fresh database of `kind` (`tmp`: where SQLite files go). `Err` when the server
/// cannot be reached.
pub fn fresh(kind: Kind, tmp: &Path) -> Result<Fresh, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    match kind {
        Kind::Sqlite => {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let file = tmp.join(format!("bench-{n}.db"));
            let guard = RemoveFile(file.clone());
            drop(RemoveFile(file.clone()));
            Ok(Fresh {
                url: format!("sqlite:{}", file.display()),
                peer_url: format!("sqlite:{}", file.display()),
                kind,
                file: Some(file),
                server: None,
                guard: Box::new(guard),
            })
        }
        Kind::Postgres => {
            let db = quietly(tidemark_postgres::testing::scratch)
                .ok_or("PostgreSQL is not reachable")?;
            let o = db.options();
            // One transport for every contender: TLS off. Left to their defaults, tidemark
            // and psql would negotiate TLS (`prefer`), sqlx-cli too (a handshake of about
            // 90 ms with its rustls build here) and dbmate would insist on it (`require`).
            let base = db.url();
            let url = if base.contains('?') {
                format!("{base}&sslmode=disable")
            } else {
                format!("{base}?sslmode=disable")
            };
            Ok(Fresh {
                peer_url: url.clone(),
                url,
                kind,
                file: None,
                server: Some((
                    o.host,
                    o.port,
                    o.user.unwrap_or_else(|| "postgres".into()),
                    o.password,
                    db.name().to_string(),
                )),
                guard: Box::new(db),
            })
        }
        Kind::Mariadb => {
            let db = quietly(tidemark_mysql::testing::scratch).ok_or("MariaDB is not reachable")?;
            let o = db.options();
            Ok(Fresh {
                url: db.url(),
                peer_url: db.url(),
                kind,
                file: None,
                server: Some((
                    o.host,
                    o.port,
                    o.user.unwrap_or_else(|| "root".into()),
                    o.password,
                    db.name().to_string(),
                )),
                guard: Box::new(db),
            })
        }
    }
}

/// Runs a scratch constructor without letting `TIDEMARK_REQUIRE_DB` turn "unreachable" into a
/// panic: the bench skips what it cannot reach.
fn quietly<T>(f: fn() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(f).ok().flatten()
}

impl Fresh {
    /// The guard that drops the database, to keep while the database is in use.
    pub fn into_guard(self) -> Box<dyn Any> {
        self.guard
    }

    /// The server's product and version (`PostgreSQL 15.4`).
    pub fn server_version(&self) -> String {
        let version = match (self.kind, &self.server) {
            (Kind::Postgres, Some((host, port, user, password, db))) => {
                tidemark_postgres::PostgresDriver::connect(&tidemark_postgres::ConnectOptions {
                    host: host.clone(),
                    port: *port,
                    database: Some(db.clone()),
                    user: Some(user.clone()),
                    password: password.clone(),
                    ..Default::default()
                })
                .and_then(|mut d| d.server_version())
                .ok()
            }
            (Kind::Mariadb, Some((host, port, user, password, db))) => {
                tidemark_mysql::MysqlDriver::connect(&tidemark_mysql::ConnectOptions {
                    host: host.clone(),
                    port: *port,
                    database: Some(db.clone()),
                    user: Some(user.clone()),
                    password: password.clone(),
                    ..Default::default()
                })
                .and_then(|mut d| d.server_version())
                .ok()
            }
            _ => Command::new("sqlite3")
                .arg("--version")
                .output()
                .ok()
                .and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .split_whitespace()
                        .next()
                        .map(|v| format!("SQLite {v} (sqlite3 shell)"))
                }),
        };
        version.unwrap_or_else(|| match self.kind {
            Kind::Postgres => "PostgreSQL".into(),
            Kind::Sqlite => "SQLite".into(),
            Kind::Mariadb => "MariaDB".into(),
        })
    }

    /// For Liquibase on PostgreSQL: the JDBC URL (TLS off, like every contender), the user and
    /// the password.
    pub fn jdbc(&self) -> Option<(String, String, Option<String>)> {
        let (host, port, user, password, db) = self.server.as_ref()?;
        (self.kind == Kind::Postgres).then(|| {
            (
                format!("jdbc:postgresql://{host}:{port}/{db}?sslmode=disable"),
                user.clone(),
                password.clone(),
            )
        })
    }

    /// The floor client reading a script file (`None` when the client is not installed).
    pub fn client_script(&self, script: &Path) -> Option<Command> {
        let mut c = self.client()?;
        match self.kind {
            Kind::Postgres => {
                c.arg("-f").arg(script);
            }
            Kind::Sqlite => {
                c.arg(format!(".read {}", script.display()));
            }
            Kind::Mariadb => {
                c.arg(format!("--execute=source {}", script.display()));
            }
        }
        Some(c)
    }

    /// The floor client running one query (`None` when the client is not installed).
    pub fn client_query(&self, sql: &str) -> Option<Command> {
        let mut c = self.client()?;
        match self.kind {
            Kind::Postgres => {
                c.arg("-c").arg(sql);
            }
            Kind::Sqlite => {
                c.arg(sql);
            }
            Kind::Mariadb => {
                c.arg(format!("--execute={sql}"));
            }
        }
        Some(c)
    }

    fn client(&self) -> Option<Command> {
        let program = find_program(self.kind.client())?;
        let mut c = Command::new(program);
        match (self.kind, &self.server, &self.file) {
            (Kind::Postgres, Some(_), _) => {
                c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &self.url]);
            }
            (Kind::Sqlite, _, Some(file)) => {
                c.arg("-bail").arg(file);
            }
            (Kind::Mariadb, Some((host, port, user, password, db)), _) => {
                c.args([
                    "-h",
                    host,
                    "-P",
                    &port.to_string(),
                    "-u",
                    user,
                    "--batch",
                    db,
                ]);
                if let Some(p) = password {
                    c.env("MYSQL_PWD", p);
                }
            }
            _ => return None,
        }
        Some(c)
    }
}

/// A program on `PATH` or in `TIDEMARK_BENCH_PEERS` (also its `bin/` and
/// `node_modules/.bin/` sub-folders).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(extra) = std::env::var("TIDEMARK_BENCH_PEERS") {
        for dir in extra.split(':').filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            dirs.push(dir.join("bin"));
            dirs.push(dir.join("node_modules/.bin"));
            dirs.push(dir);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}
