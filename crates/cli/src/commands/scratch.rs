//! Scratch databases for `drift` and `rehearse`: a uniquely named database on the target's own
//! server (PostgreSQL and MySQL/MariaDB: `CREATE DATABASE`), or a temporary file (SQLite), and
//! the ways to fill it: from a dump file, or as a copy of the target (schema plus sample rows).
//!
//! Why here and not in a driver: creating, copying and dropping databases is what these two
//! commands need, not what migrating needs, and it leans on the vendors' own dump tools
//! (`pg_dump`, `pg_restore`, `psql`, `mariadb-dump`, `mariadb`) where they are the only complete
//! way to copy a schema. The target is only ever read: the copy is made with `pg_dump`
//! (`AccessShareLock`s, as any backup), `mariadb-dump --single-transaction --skip-lock-tables`,
//! `SELECT ... LIMIT n` and SQLite's `VACUUM INTO`; every write goes to the scratch database.
//! The scratch database is dropped when its guard is, on every path, unless kept.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tidemark_engine::driver::{Dialect, Driver, Value};
use tidemark_engine::history_table::quote;

use crate::connect::{self, Connection};
use crate::failure::Failure;
use crate::settings::Settings;
use crate::url::DatabaseUrl;

/// A scratch database and how to reach it; dropped with the guard unless kept.
pub struct Scratch {
    /// The database name, or the SQLite file.
    pub name: String,
    /// The settings with the URL pointing at the scratch database.
    pub settings: Settings,
    /// Its dialect.
    pub dialect: Dialect,
    /// A session on the target's database, from which the scratch database is dropped.
    admin: Option<Box<dyn Driver>>,
    /// The SQLite scratch folder.
    dir: Option<tempfile::TempDir>,
    /// Keep it (`rehearse --keep`).
    keep: bool,
}

impl Scratch {
    /// Creates an empty scratch database beside the one `settings` names: same server, same
    /// encoding and collation. `purpose` goes into the name (`tidemark_drift_<pid>_<ms>`).
    pub fn create(settings: &Settings, cwd: &Path, purpose: &str) -> Result<Scratch, Failure> {
        let url = DatabaseUrl::parse(&settings.url).map_err(|e| Failure::usage(e.to_string()))?;
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let name = format!("tidemark_{purpose}_{}_{millis}", std::process::id());
        match url {
            DatabaseUrl::Sqlite { .. } => {
                let dir = tempfile::Builder::new()
                    .prefix(&format!("tidemark_{purpose}_"))
                    .tempdir()
                    .map_err(|e| {
                        Failure::failed(
                            "SCRATCH",
                            format!("Unable to create a temporary folder: {e}"),
                        )
                    })?;
                let file = dir.path().join(format!("{name}.db"));
                let mut scratch_settings = settings.clone();
                scratch_settings.url = format!("sqlite:{}", file.display());
                Ok(Scratch {
                    name: file.display().to_string(),
                    settings: scratch_settings,
                    dialect: Dialect::Sqlite,
                    admin: None,
                    dir: Some(dir),
                    keep: false,
                })
            }
            DatabaseUrl::Postgres { .. } | DatabaseUrl::Mysql { .. } => {
                let Connection { mut driver, .. } = connect::connect(settings, cwd)?;
                let dialect = driver.dialect();
                let create = match dialect {
                    Dialect::Postgres => {
                        let rows = driver
                            .query(
                                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()",
                                &[],
                            )
                            .map_err(|e| db_failure("read the database's encoding", &e))?;
                        let get = |i: usize| {
                            rows.first()
                                .and_then(|r| r.get(i))
                                .and_then(Value::as_text)
                                .unwrap_or_default()
                                .replace('\'', "''")
                        };
                        format!(
                            "CREATE DATABASE {} TEMPLATE template0 ENCODING '{}' LC_COLLATE '{}' LC_CTYPE '{}'",
                            quote(dialect, &name),
                            get(0),
                            get(1),
                            get(2)
                        )
                    }
                    _ => {
                        let schema = driver
                            .current_schema()
                            .map_err(|e| db_failure("read the current database", &e))?;
                        let rows = driver
                            .query(
                                "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                                &[Value::Text(schema)],
                            )
                            .map_err(|e| db_failure("read the database's character set", &e))?;
                        match rows.first() {
                            Some(r) => format!(
                                "CREATE DATABASE {} CHARACTER SET {} COLLATE {}",
                                quote(dialect, &name),
                                r[0].as_text().unwrap_or_default(),
                                r[1].as_text().unwrap_or_default()
                            ),
                            None => format!("CREATE DATABASE {}", quote(dialect, &name)),
                        }
                    }
                };
                driver.execute(&create, &[]).map_err(|e| {
                    Failure::failed(
                        "SCRATCH",
                        format!("Unable to create the scratch database {name} on the target's server (the user needs the right to create databases): {e}"),
                    )
                })?;
                let mut scratch_settings = settings.clone();
                scratch_settings.url = with_database(&settings.url, &name)?;
                if dialect == Dialect::Mysql {
                    // The schema on MySQL is the database: migrations must land in the copy.
                    scratch_settings.schemas = vec![name.clone()];
                    scratch_settings.default_schema = None;
                }
                Ok(Scratch {
                    name,
                    settings: scratch_settings,
                    dialect,
                    admin: Some(driver),
                    dir: None,
                    keep: false,
                })
            }
        }
    }

    /// Scratch databases on the same server that earlier runs left behind: a `drift` or
    /// `rehearse` killed before it could drop its copy (SIGKILL, a lost machine), or a copy kept
    /// with `rehearse --keep`. Named by the same pattern as this one and older than an hour;
    /// with their age in hours. Nothing is dropped: a kept copy is somebody's on purpose, and
    /// another machine's run may still be using a recent one.
    pub fn leftovers(&mut self) -> Vec<(String, u128)> {
        let Some(admin) = self.admin.as_mut() else {
            return Vec::new();
        };
        let sql = match self.dialect {
            Dialect::Postgres => {
                "SELECT datname FROM pg_database WHERE datname LIKE 'tidemark\\_%' ORDER BY datname"
            }
            _ => {
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'tidemark\\_%' ORDER BY SCHEMA_NAME"
            }
        };
        let Ok(rows) = admin.query(sql, &[]) else {
            return Vec::new();
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        rows.iter()
            .filter_map(|row| row.first().and_then(Value::as_text))
            .filter(|name| *name != self.name)
            .filter_map(|name| {
                let made = scratch_made_at(&name)?;
                let age = now.checked_sub(made)?;
                (age >= LEFTOVER_AFTER_MS).then_some((name, age / 3_600_000))
            })
            .collect()
    }

    /// Keeps the database after the command (prints where it is instead of dropping it).
    pub fn keep(&mut self) {
        self.keep = true;
        if let Some(dir) = self.dir.take() {
            let _ = dir.keep();
        }
    }

    /// Whether it is kept.
    pub fn kept(&self) -> bool {
        self.keep
    }

    /// A new session on the scratch database.
    pub fn connect(&self, cwd: &Path) -> Result<Box<dyn Driver>, Failure> {
        Ok(connect::connect(&self.settings, cwd)?.driver)
    }

    /// The SQLite file, when it is one.
    pub fn file(&self) -> Option<PathBuf> {
        (self.dialect == Dialect::Sqlite).then(|| PathBuf::from(&self.name))
    }

    /// Drops the scratch database now (unless kept); the error, if any, is the caller's to
    /// report. Sessions still connected to it are ended (PostgreSQL `WITH (FORCE)`).
    pub fn drop_now(&mut self) -> Result<(), String> {
        if self.keep {
            return Ok(());
        }
        self.dir.take();
        let Some(mut admin) = self.admin.take() else {
            return Ok(());
        };
        let sql = match self.dialect {
            Dialect::Postgres => format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote(self.dialect, &self.name)
            ),
            _ => format!(
                "DROP DATABASE IF EXISTS {}",
                quote(self.dialect, &self.name)
            ),
        };
        admin
            .execute(&sql, &[])
            .map(|_| ())
            .map_err(|e| format!("Unable to drop the scratch database {}: {e}", self.name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = self.drop_now() {
            eprintln!("WARNING: {e}");
        }
    }
}

/// How old a scratch database of another run must be to be reported as left behind.
const LEFTOVER_AFTER_MS: u128 = 3_600_000;

/// When a scratch database was made, from its name (`tidemark_<purpose>_<pid>_<ms>`, see
/// [`Scratch::create`]); `None` for any other name.
fn scratch_made_at(name: &str) -> Option<u128> {
    let rest = name
        .strip_prefix("tidemark_drift_")
        .or_else(|| name.strip_prefix("tidemark_rehearse_"))?;
    let (pid, millis) = rest.split_once('_')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(pid) && digits(millis)) {
        return None;
    }
    millis.parse().ok()
}

/// The warning for each scratch database an earlier run left behind (see
/// [`Scratch::leftovers`]).
pub fn warn_leftovers(scratch: &mut Scratch, out: &mut crate::output::Output) {
    use tidemark_engine::Reporter;
    for (name, hours) in scratch.leftovers() {
        out.warn(&format!(
            "The scratch database {name}, made {hours} hour{} ago by a drift or rehearse that did not drop it (killed, or kept with --keep), is still on this server: DROP DATABASE {} when it is no longer needed",
            super::plural(usize::try_from(hours).unwrap_or(usize::MAX)),
            quote(scratch.dialect, &name)
        ));
    }
}

fn db_failure(what: &str, e: &tidemark_engine::DbError) -> Failure {
    Failure::failed("DB_ERROR", format!("Unable to {what}: {e}"))
}

/// `url` with another database name (the password and parameters kept).
pub fn with_database(url: &str, name: &str) -> Result<String, Failure> {
    let mut parsed = DatabaseUrl::parse(url).map_err(|e| Failure::usage(e.to_string()))?;
    if let DatabaseUrl::Postgres { database, .. } | DatabaseUrl::Mysql { database, .. } =
        &mut parsed
    {
        *database = Some(name.to_string());
    }
    Ok(parsed.canonical())
}

/// Where the server is and who we are, for the vendors' command-line tools.
struct ToolAccess {
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
    sslmode: Option<String>,
}

fn tool_access(settings: &Settings) -> Result<ToolAccess, Failure> {
    match DatabaseUrl::parse(&settings.url).map_err(|e| Failure::usage(e.to_string()))? {
        DatabaseUrl::Postgres {
            host,
            port,
            user,
            password,
            params,
            ..
        } => Ok(ToolAccess {
            host,
            port,
            user: settings.user.clone().or(user),
            password: settings.password.clone().or(password),
            sslmode: params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("sslmode"))
                .map(|(_, v)| v.clone()),
        }),
        DatabaseUrl::Mysql {
            host,
            port,
            user,
            password,
            ..
        } => Ok(ToolAccess {
            host,
            port,
            user: settings.user.clone().or(user),
            password: settings.password.clone().or(password),
            sslmode: None,
        }),
        DatabaseUrl::Sqlite { .. } => Err(Failure::usage("no server for a SQLite URL")),
    }
}

/// A PostgreSQL tool (`pg_dump`, `pg_restore`, `psql`) with the connection in its environment,
/// so the password never appears in a process list.
fn pg_tool(tool: &str, access: &ToolAccess, database: &str) -> Command {
    let mut command = Command::new(tool);
    command
        .env("PGHOST", &access.host)
        .env("PGPORT", access.port.to_string())
        .env("PGDATABASE", database)
        .env("PGAPPNAME", "tidemark")
        .stdin(Stdio::null());
    if let Some(user) = &access.user {
        command.env("PGUSER", user);
    }
    if let Some(password) = &access.password {
        command.env("PGPASSWORD", password);
    }
    if let Some(mode) = &access.sslmode {
        command.env("PGSSLMODE", mode);
    }
    command
}

/// A MySQL/MariaDB tool; the first of `names` found on the PATH. The password goes in
/// `MYSQL_PWD`.
fn mysql_tool(names: &[&str], access: &ToolAccess) -> Command {
    let tool = names
        .iter()
        .find(|n| on_path(n))
        .copied()
        .unwrap_or(names[0]);
    let mut command = Command::new(tool);
    command
        .arg(format!("--host={}", access.host))
        .arg(format!("--port={}", access.port));
    if access.host != "localhost" {
        command.arg("--protocol=TCP");
    }
    if let Some(user) = &access.user {
        command.arg(format!("--user={user}"));
    }
    if let Some(password) = &access.password {
        command.env("MYSQL_PWD", password);
    }
    command
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Runs a tool; a missing tool is a clear failure, a non-zero exit returns its stderr.
fn run_tool(mut command: Command, what: &str) -> Result<Result<(), String>, Failure> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command.stdout(Stdio::null()).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::failed(
                "TOOL_MISSING",
                format!("{program} is needed to {what} and was not found on the PATH: install the database's client tools"),
            )
        } else {
            Failure::failed("TOOL_FAILED", format!("Unable to run {program}: {e}"))
        }
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if output.status.success() {
        Ok(Ok(()))
    } else {
        Ok(Err(format!(
            "{program} failed ({}): {stderr}",
            output.status
        )))
    }
}

/// The last lines of a tool's complaint, for a warning.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(6);
    lines[start..].join("\n")
}

/// Fills the scratch database from a dump: PostgreSQL custom/directory format with
/// `pg_restore`, plain SQL with `psql`; a mysqldump file with the `mariadb`/`mysql` client; a
/// SQLite database file (copied) or SQL text (executed). Returns warnings (a restore that
/// reported errors but finished).
pub fn restore_dump(scratch: &Scratch, file: &Path, cwd: &Path) -> Result<Vec<String>, Failure> {
    let file = if file.is_absolute() {
        file.to_path_buf()
    } else {
        cwd.join(file)
    };
    if !file.exists() {
        return Err(Failure::usage(format!(
            "The dump file {} does not exist",
            file.display()
        )));
    }
    let mut warnings = Vec::new();
    match scratch.dialect {
        Dialect::Sqlite => {
            let target = scratch.file().unwrap_or_default();
            let mut magic = [0u8; 16];
            let is_db = std::fs::File::open(&file)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
                .is_ok()
                && &magic == b"SQLite format 3\0";
            if is_db {
                std::fs::copy(&file, &target).map_err(|e| {
                    Failure::failed("SCRATCH", format!("Unable to copy {}: {e}", file.display()))
                })?;
            } else {
                let text = std::fs::read_to_string(&file).map_err(|e| {
                    Failure::usage(format!("Unable to read the dump {}: {e}", file.display()))
                })?;
                let mut driver = scratch.connect(cwd)?;
                let statements = tidemark_sql::split(Dialect::Sqlite, &text)
                    .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
                for statement in statements {
                    driver.execute(&statement.sql, &[]).map_err(|e| {
                        Failure::failed(
                            "RESTORE_FAILED",
                            format!("{}:{}: {e}", file.display(), statement.line),
                        )
                    })?;
                }
            }
        }
        Dialect::Postgres => {
            let access = tool_access(&scratch.settings)?;
            let mut magic = [0u8; 5];
            let custom = file.is_dir()
                || (std::fs::File::open(&file)
                    .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
                    .is_ok()
                    && &magic == b"PGDMP");
            let mut command;
            if custom {
                command = pg_tool("pg_restore", &access, &scratch.name);
                command
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg(format!("--dbname={}", scratch.name))
                    .arg(&file);
            } else {
                refuse_switching(&file, &["\\connect", "\\c ", "create database"])?;
                command = pg_tool("psql", &access, &scratch.name);
                command
                    .arg("--no-psqlrc")
                    .arg("--quiet")
                    .arg("--set=ON_ERROR_STOP=0")
                    .arg(format!("--file={}", file.display()));
            }
            if let Err(e) = run_tool(command, "restore the dump")? {
                warnings.push(format!(
                    "The restore of {} reported errors; the copy may differ from the original:\n{}",
                    file.display(),
                    tail(&e)
                ));
            }
        }
        Dialect::Mysql => {
            refuse_switching(&file, &["use ", "create database", "create schema"])?;
            let access = tool_access(&scratch.settings)?;
            let mut command = mysql_tool(&["mariadb", "mysql"], &access);
            command.arg(format!("--database={}", scratch.name));
            let input = std::fs::File::open(&file).map_err(|e| {
                Failure::usage(format!("Unable to read the dump {}: {e}", file.display()))
            })?;
            command.stdin(input);
            if let Err(e) = run_tool(command, "restore the dump")? {
                return Err(Failure::failed(
                    "RESTORE_FAILED",
                    format!("The restore of {} failed: {}", file.display(), tail(&e)),
                ));
            }
        }
    }
    Ok(warnings)
}

/// Refuses a dump that would switch to another database (and so write to it, perhaps the
/// target): `USE app;`, `\connect app`, `CREATE DATABASE`.
fn refuse_switching(file: &Path, prefixes: &[&str]) -> Result<(), Failure> {
    let reader =
        std::io::BufReader::new(std::fs::File::open(file).map_err(|e| {
            Failure::usage(format!("Unable to read the dump {}: {e}", file.display()))
        })?);
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
        let line = String::from_utf8_lossy(&line);
        let lower = line.trim_start().to_ascii_lowercase();
        if prefixes.iter().any(|p| lower.starts_with(p)) {
            return Err(Failure::usage(format!(
                "{}:{}: the dump switches to or creates a database (`{}`), so restoring it could write outside the scratch copy. Dump one database without --databases / --create.",
                file.display(),
                i + 1,
                line.trim()
            )));
        }
    }
    Ok(())
}

/// What a clone copied, for the report.
pub struct Cloned {
    /// Warnings (rows that could not be copied, ...).
    pub warnings: Vec<String>,
    /// Tables whose rows were sampled.
    pub tables: usize,
}

/// Copies the target into the scratch database: PostgreSQL and MySQL/MariaDB the schema (with
/// the vendors' dump tools) plus up to `sample_rows` rows per table, and every row of the
/// history tables (`history`), so the copy knows what is applied; SQLite the whole file
/// (`VACUUM INTO`, a consistent copy even while others write).
pub fn clone_target(
    target: &mut dyn Driver,
    target_settings: &Settings,
    scratch: &Scratch,
    sample_rows: u64,
    history: &[String],
    cwd: &Path,
) -> Result<Cloned, Failure> {
    match scratch.dialect {
        Dialect::Sqlite => {
            let file = scratch.file().unwrap_or_default();
            let sql = format!(
                "VACUUM INTO '{}'",
                file.display().to_string().replace('\'', "''")
            );
            target
                .execute(&sql, &[])
                .map_err(|e| db_failure("copy the SQLite database (VACUUM INTO)", &e))?;
            Ok(Cloned {
                warnings: Vec::new(),
                tables: 0,
            })
        }
        Dialect::Postgres => {
            clone_postgres(target, target_settings, scratch, sample_rows, history, cwd)
        }
        Dialect::Mysql => clone_mysql(target, target_settings, scratch, sample_rows, history, cwd),
    }
}

fn clone_postgres(
    target: &mut dyn Driver,
    target_settings: &Settings,
    scratch: &Scratch,
    sample_rows: u64,
    history: &[String],
    cwd: &Path,
) -> Result<Cloned, Failure> {
    let access = tool_access(target_settings)?;
    let database = target
        .database_name()
        .map_err(|e| db_failure("read the database name", &e))?
        .unwrap_or_default();
    let dir = tempfile::tempdir().map_err(|e| {
        Failure::failed(
            "SCRATCH",
            format!("Unable to create a temporary folder: {e}"),
        )
    })?;
    let dump = dir.path().join("schema.dump");
    let mut command = pg_tool("pg_dump", &access, &database);
    command
        .arg("--schema-only")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--format=custom")
        .arg(format!("--file={}", dump.display()));
    if let Err(e) = run_tool(command, "copy the schema")? {
        return Err(Failure::failed("CLONE_FAILED", e));
    }
    let mut warnings = restore_dump(scratch, &dump, cwd)?;

    let mut copy = scratch.connect(cwd)?;
    let replica = copy
        .execute("SET session_replication_role = replica", &[])
        .is_ok();
    if !replica && sample_rows > 0 {
        warnings.push("Sample rows are inserted with foreign keys and triggers active (session_replication_role needs a superuser): a table whose sample references rows that were not sampled keeps no sample rows.".into());
    }
    let tables = target
        .query(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
              ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| db_failure("list the tables", &e))?;
    let mut sampled = 0;
    for row in &tables {
        let (schema, table) = (
            row[0].as_text().unwrap_or_default(),
            row[1].as_text().unwrap_or_default(),
        );
        let full = history.iter().any(|h| h.eq_ignore_ascii_case(&table));
        if !full && sample_rows == 0 {
            continue;
        }
        let qualified = format!(
            "{}.{}",
            quote(Dialect::Postgres, &schema),
            quote(Dialect::Postgres, &table)
        );
        let columns = copy
            .query(
                "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                  WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''",
                &[Value::Text(qualified.clone())],
            )
            .ok()
            .and_then(|r| r.first().and_then(|r| r.first()).and_then(Value::as_text));
        let Some(columns) = columns else {
            continue;
        };
        let limit = if full {
            String::new()
        } else {
            format!(" LIMIT {sample_rows}")
        };
        let json = target
            .query(
                &format!(
                    "SELECT COALESCE(json_agg(row_to_json(s)), '[]')::text FROM (SELECT {columns} FROM {qualified}{limit}) s"
                ),
                &[],
            )
            .map_err(|e| db_failure(&format!("read rows of {qualified}"), &e))?
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_text)
            .unwrap_or_else(|| "[]".into());
        let insert = format!(
            "INSERT INTO {qualified} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM json_populate_recordset(NULL::{qualified}, $1::json)"
        );
        match copy.execute(&insert, &[Value::Text(json)]) {
            Ok(_) => sampled += 1,
            Err(e) => warnings.push(format!("No rows copied into {qualified}: {e}")),
        }
    }
    // Sequence positions are data too; the copy continues where the original is.
    let sequences = target
        .query(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .map_err(|e| db_failure("list the sequences", &e))?;
    for row in sequences {
        let name = row[0].as_text().unwrap_or_default();
        let Ok(state) = target.query(&format!("SELECT last_value, is_called FROM {name}"), &[])
        else {
            continue;
        };
        if let Some(state) = state.first() {
            let _ = copy.query(
                "SELECT setval($1::text::regclass, $2, $3)",
                &[
                    Value::Text(name),
                    state[0].clone(),
                    Value::Bool(state[1].as_bool().unwrap_or(false)),
                ],
            );
        }
    }
    Ok(Cloned {
        warnings,
        tables: sampled,
    })
}

fn clone_mysql(
    target: &mut dyn Driver,
    target_settings: &Settings,
    scratch: &Scratch,
    sample_rows: u64,
    history: &[String],
    cwd: &Path,
) -> Result<Cloned, Failure> {
    let access = tool_access(target_settings)?;
    let schema = target
        .current_schema()
        .map_err(|e| db_failure("read the current database", &e))?;
    let dir = tempfile::tempdir().map_err(|e| {
        Failure::failed(
            "SCRATCH",
            format!("Unable to create a temporary folder: {e}"),
        )
    })?;
    let dump = dir.path().join("schema.sql");
    let mut command = mysql_tool(&["mariadb-dump", "mysqldump"], &access);
    command
        .arg("--no-data")
        .arg("--routines")
        .arg("--triggers")
        .arg("--single-transaction")
        .arg("--skip-lock-tables")
        .arg("--skip-add-drop-table")
        .arg(format!("--result-file={}", dump.display()))
        .arg(&schema);
    if let Err(e) = run_tool(command, "copy the schema")? {
        return Err(Failure::failed("CLONE_FAILED", e));
    }
    let warnings = restore_dump(scratch, &dump, cwd)?;
    let mut copy = scratch.connect(cwd)?;
    let setup = [
        "SET SESSION FOREIGN_KEY_CHECKS = 0",
        // A consistent read of the original that takes no row locks there.
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    ];
    for sql in setup {
        copy.execute(sql, &[])
            .map_err(|e| db_failure("prepare the copy session", &e))?;
    }
    let columns = target
        .query(
            "SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c
               JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
              WHERE c.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE' AND c.EXTRA NOT LIKE '%GENERATED%'
              ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
            &[Value::Text(schema.clone())],
        )
        .map_err(|e| db_failure("list the columns", &e))?;
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for row in columns {
        let (table, column) = (
            row[0].as_text().unwrap_or_default(),
            quote(Dialect::Mysql, &row[1].as_text().unwrap_or_default()),
        );
        match tables.last_mut() {
            Some((t, cols)) if *t == table => cols.push(column),
            _ => tables.push((table, vec![column])),
        }
    }
    let mut warnings = warnings;
    let mut sampled = 0;
    for (table, columns) in tables {
        let full = history.iter().any(|h| h.eq_ignore_ascii_case(&table));
        if !full && sample_rows == 0 {
            continue;
        }
        let columns = columns.join(", ");
        let limit = if full {
            String::new()
        } else {
            format!(" LIMIT {sample_rows}")
        };
        let sql = format!(
            "INSERT INTO {}.{t} ({columns}) SELECT {columns} FROM {}.{t}{limit}",
            quote(Dialect::Mysql, &scratch.name),
            quote(Dialect::Mysql, &schema),
            t = quote(Dialect::Mysql, &table)
        );
        match copy.execute(&sql, &[]) {
            Ok(_) => sampled += 1,
            Err(e) => warnings.push(format!("No rows copied into {table}: {e}")),
        }
    }
    Ok(Cloned {
        warnings,
        tables: sampled,
    })
}

#[cfg(test)]
mod tests {
    use super::scratch_made_at;

    #[test]
    fn a_scratch_database_is_known_by_its_name_and_dated_by_it() {
        assert_eq!(
            scratch_made_at("tidemark_rehearse_4242_1795918860387"),
            Some(1_795_918_860_387)
        );
        assert_eq!(scratch_made_at("tidemark_drift_1_2"), Some(2));
        for other in [
            "tidemark_kept_by_hand_1",
            "tidemark_drift_1",
            "tidemark_drift__2",
            "tidemark_drift_1_2x",
            "tidemark_backup_1_2",
            "app_tidemark_drift_1_2",
        ] {
            assert_eq!(scratch_made_at(other), None, "{other}");
        }
    }
}
