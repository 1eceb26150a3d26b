//! Measuring a rehearsal while the real engine runs it.
//!
//! Three sources, because no single one sees everything:
//! - **The engine's statement hooks** ([`Reporter::before_statement`] /
//!   [`Reporter::after_statement`]): exact start and end of each statement, its rows, its error,
//!   and the migrating session itself for read-only catalog queries: which tables have a new
//!   file afterwards (PostgreSQL `relfilenode`, InnoDB `TABLE_ID`, SQLite `rootpage`: the table
//!   was rewritten), and which locks the session holds right after the statement (inside a
//!   transaction they are held until commit, so this never misses them).
//! - **A monitor session** (a second connection, its own thread) that samples `pg_locks` (or
//!   MariaDB's `METADATA_LOCK_INFO`) for the migrating session every few milliseconds while a
//!   statement runs or a lock is still held. It sees locks that end with their statement
//!   (`CREATE INDEX CONCURRENTLY`, MySQL DDL) and when each lock is released (commit).
//! - **The clock**: a lock is taken at the earliest when its statement starts, so a lock's hold
//!   time runs from its statement's start to the last time it was seen.
//!
//! Durations are measured between the hooks' own catalog queries, which are not counted.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tidemark_engine::driver::{DbError, Dialect, Driver, Value};
use tidemark_engine::{Progress, Reporter, StatementEvent};

use crate::output::Output;
use crate::settings::{Format, Settings};

/// How often the monitor samples the migrating session's locks.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(5);

/// One lock seen on one relation: `(relation id, name if known, mode)`.
type Seen = (String, Option<String>, String);

/// A lock of the migrating session, from first to last sighting.
#[derive(Debug, Clone)]
pub struct LockRecord {
    /// The relation's id (PostgreSQL oid, MySQL `schema.table`).
    pub relation: String,
    /// Its name, when a sighting named it.
    pub name: Option<String>,
    /// The lock mode as the database names it (`AccessExclusiveLock`, `MDL_EXCLUSIVE`).
    pub mode: String,
    /// The statement (index in [`Measure::statements`]) that took it.
    pub statement: usize,
    /// It was taken after this moment: its statement's start, or when the same lock was last
    /// seen released during that statement.
    pub taken_after: Option<Instant>,
    /// Last time it was seen held.
    pub last_seen: Instant,
    /// Still held at the last sighting.
    open: bool,
}

/// What the hooks and the monitor know about locks, shared between their threads.
#[derive(Debug, Default)]
pub struct Tracker {
    /// Start and end of each statement, by index.
    spans: Vec<(Instant, Option<Instant>)>,
    /// Every lock record.
    pub records: Vec<LockRecord>,
    /// Records still held, by (relation, mode).
    open: HashMap<(String, String), usize>,
    /// When each (relation, mode) was last seen released.
    released: HashMap<(String, String), Instant>,
    /// Samples the monitor took.
    pub samples: u64,
}

impl Tracker {
    fn statement_at(&self, t: Instant) -> Option<usize> {
        self.spans
            .iter()
            .rposition(|(start, end)| *start <= t && end.is_none_or(|end| t <= end))
    }

    /// Whether the monitor has anything to watch.
    fn watching(&self) -> bool {
        self.spans.last().is_some_and(|(_, end)| end.is_none()) || !self.open.is_empty()
    }

    /// A complete list of the session's locks at `taken`. New locks go to `statement` (the
    /// hook's) or to the statement running at `taken` (the monitor's); locks no longer listed
    /// that were last seen before `taken` are released.
    fn observe(&mut self, taken: Instant, locks: Vec<Seen>, statement: Option<usize>) {
        let mut present = HashSet::new();
        for (relation, name, mode) in locks {
            let key = (relation.clone(), mode.clone());
            present.insert(key.clone());
            if let Some(&i) = self.open.get(&key) {
                let record = &mut self.records[i];
                record.last_seen = record.last_seen.max(taken);
                if record.name.is_none() {
                    record.name = name;
                }
                continue;
            }
            let Some(statement) = statement.or_else(|| self.statement_at(taken)) else {
                continue;
            };
            let start = self.spans.get(statement).map(|(s, _)| *s);
            let taken_after = match (start, self.released.get(&key)) {
                (Some(s), Some(r)) => Some(s.max(*r)),
                (s, _) => s,
            };
            self.open.insert(key, self.records.len());
            self.records.push(LockRecord {
                relation,
                name,
                mode,
                statement,
                taken_after,
                last_seen: taken,
                open: true,
            });
        }
        let records = &mut self.records;
        let released = &mut self.released;
        self.open.retain(|key, i| {
            let gone = !present.contains(key) && records[*i].last_seen < taken;
            if gone {
                records[*i].open = false;
                released.insert(key.clone(), taken);
            }
            !gone
        });
    }
}

/// A statement as the hooks saw it.
#[derive(Debug, Clone)]
pub struct Observed {
    /// `Migration V2__x.sql`, `Callback afterMigrate.sql`.
    pub what: String,
    /// The file.
    pub path: PathBuf,
    /// Its first line.
    pub line: usize,
    /// The SQL.
    pub sql: String,
    /// When it started.
    pub start: Instant,
    /// When it ended.
    pub end: Instant,
    /// Rows affected (`None` after an error).
    pub rows: Option<u64>,
    /// The database's error.
    pub error: Option<String>,
    /// Tables with a new file after it.
    pub rewritten: Vec<String>,
    /// Ids of the relations that existed when it started (`None`: not known).
    pub existing: Option<HashSet<String>>,
}

/// The migrating session's id for the lock catalogs (PostgreSQL backend pid, MySQL connection
/// id); `None` on SQLite.
pub fn session_id(driver: &mut dyn Driver) -> Option<i64> {
    let sql = match driver.dialect() {
        Dialect::Postgres => "SELECT pg_backend_pid()",
        Dialect::Mysql => "SELECT CONNECTION_ID()",
        Dialect::Sqlite => return None,
    };
    driver.query(sql, &[]).ok()?.first()?.first()?.as_i64()
}

/// The monitor query for `dialect`, taking the session id as its one parameter.
fn monitor_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "SELECT relation::bigint, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND granted AND relation >= 16384"
        }
        _ => {
            "SELECT TABLE_SCHEMA, TABLE_NAME, LOCK_MODE FROM information_schema.METADATA_LOCK_INFO WHERE THREAD_ID = ? AND LOCK_TYPE LIKE 'Table%' AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
        }
    }
}

/// The locks the migrating session holds now, asked on that session itself.
fn own_locks(driver: &mut dyn Driver) -> Option<Vec<Seen>> {
    match driver.dialect() {
        Dialect::Postgres => {
            let rows = driver
                .query(
                    "SELECT l.relation::bigint, CASE WHEN c.oid IS NOT NULL THEN l.relation::regclass::text END, l.mode FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384 AND (n.nspname IS NULL OR n.nspname NOT LIKE 'pg\\_toast%')",
                    &[],
                )
                .ok()?;
            Some(
                rows.iter()
                    .map(|r| (text(r, 0), r.get(1).and_then(Value::as_text), text(r, 2)))
                    .collect(),
            )
        }
        Dialect::Mysql => {
            let rows = driver
                .query(
                    "SELECT TABLE_SCHEMA, TABLE_NAME, LOCK_MODE FROM information_schema.METADATA_LOCK_INFO WHERE THREAD_ID = CONNECTION_ID() AND LOCK_TYPE LIKE 'Table%' AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')",
                    &[],
                )
                .ok()?;
            Some(rows.iter().map(|r| mysql_lock(r)).collect())
        }
        Dialect::Sqlite => None,
    }
}

fn mysql_lock(row: &[Value]) -> Seen {
    let (schema, table) = (text(row, 0), text(row, 1));
    (format!("{schema}.{table}"), Some(table), text(row, 2))
}

fn text(row: &[Value], i: usize) -> String {
    row.get(i).and_then(Value::as_text).unwrap_or_default()
}

/// A relation as [`relations`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Relation {
    /// Its name as the migrating session prints it.
    name: String,
    /// Its physical file (a table only).
    file: Option<i64>,
}

/// Every relation by id (the ids lock sightings use): tables with their physical file
/// (PostgreSQL `relfilenode`, InnoDB `TABLE_ID`, SQLite `rootpage`), and on PostgreSQL indexes,
/// sequences and views too. A table whose file changed across a statement was rewritten; a
/// relation that did not exist before a statement is new, and its locks block no one.
fn relations(driver: &mut dyn Driver) -> Result<HashMap<String, Relation>, DbError> {
    let sql = match driver.dialect() {
        Dialect::Postgres => {
            "SELECT c.oid::bigint, c.oid::regclass::text, CASE WHEN c.relkind IN ('r', 'm') THEN c.relfilenode::bigint END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
        }
        Dialect::Mysql => {
            "SELECT REPLACE(NAME, '/', '.'), NAME, TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME LIKE CONCAT(DATABASE(), '/%')"
        }
        Dialect::Sqlite => "SELECT name, name, rootpage FROM sqlite_master WHERE type = 'table'",
    };
    let rows = driver.query(sql, &[])?;
    Ok(rows
        .iter()
        .map(|r| {
            let mut name = text(r, 1);
            if let Some((_, table)) = name.split_once('/') {
                name = table.to_string();
            }
            let file = r.get(2).and_then(Value::as_i64);
            (text(r, 0), Relation { name, file })
        })
        .collect())
}

/// The lock monitor: a second session sampling the migrating session's locks on its own
/// thread until stopped.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Option<String>>>,
}

impl Monitor {
    /// Starts sampling; `Err` says why lock monitoring is not available.
    pub fn start(
        dialect: Dialect,
        settings: &Settings,
        cwd: &Path,
        session: Option<i64>,
        tracker: Arc<Mutex<Tracker>>,
    ) -> Result<(Monitor, Option<String>), String> {
        let Some(session) = session else {
            return Err(
                "not available on SQLite (it locks the whole database for each writer)".into(),
            );
        };
        let settings = settings.clone();
        let cwd = cwd.to_path_buf();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let (ready, started) = std::sync::mpsc::channel::<Result<Option<String>, String>>();
        // The session lives on the monitor's thread (drivers are not `Send`).
        let thread = std::thread::spawn(move || {
            let sql = monitor_sql(dialect);
            let opened = (|| {
                let mut driver = crate::connect::connect(&settings, &cwd)
                    .map_err(|f| format!("the monitor session could not connect: {}", f.message))?
                    .driver;
                let note = if dialect == Dialect::Mysql {
                    mysql_metadata_locks(driver.as_mut())?
                } else {
                    None
                };
                // Fail early (privileges) rather than sample nothing.
                driver.query(sql, &[Value::Int(session)]).map_err(|e| {
                    format!("the monitor session cannot read the lock catalog: {e}")
                })?;
                Ok((driver, note))
            })();
            let mut driver = match opened {
                Ok((driver, note)) => {
                    let _ = ready.send(Ok(note));
                    driver
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return None;
                }
            };
            let mut failure = None;
            while !stopping.load(Ordering::Relaxed) {
                let watching = tracker.lock().map(|t| t.watching()).unwrap_or(false);
                if watching {
                    let taken = Instant::now();
                    match driver.query(sql, &[Value::Int(session)]) {
                        Ok(rows) => {
                            let locks: Vec<Seen> = match dialect {
                                Dialect::Postgres => rows
                                    .iter()
                                    .map(|r| (text(r, 0), None, text(r, 1)))
                                    .collect(),
                                _ => rows.iter().map(|r| mysql_lock(r)).collect(),
                            };
                            if let Ok(mut t) = tracker.lock() {
                                t.samples += 1;
                                t.observe(taken, locks, None);
                            }
                        }
                        Err(e) => {
                            failure = Some(format!("the lock monitor stopped: {e}"));
                            break;
                        }
                    }
                }
                std::thread::sleep(SAMPLE_INTERVAL);
            }
            failure
        });
        let note = match started.recv() {
            Ok(Ok(note)) => note,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err("the lock monitor could not start".into());
            }
        };
        Ok((
            Monitor {
                stop,
                thread: Some(thread),
            },
            note,
        ))
    }

    /// Stops sampling; returns the monitor's own failure, if it had one.
    pub fn stop(mut self) -> Option<String> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok().flatten())
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// MariaDB lists metadata locks only with the `metadata_lock_info` plugin: installs it when it
/// is missing and allowed (a server-wide change, said in the report), else explains.
fn mysql_metadata_locks(driver: &mut dyn Driver) -> Result<Option<String>, String> {
    let active = driver
        .query(
            "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO'",
            &[],
        )
        .map_err(|e| format!("cannot read information_schema.PLUGINS: {e}"))?;
    if active
        .first()
        .and_then(|r| r.first())
        .and_then(Value::as_text)
        .is_some_and(|s| s == "ACTIVE")
    {
        return Ok(None);
    }
    match driver.execute("INSTALL SONAME 'metadata_lock_info'", &[]) {
        Ok(_) => Ok(Some(
            "installed MariaDB's metadata_lock_info plugin on the server to see metadata locks (UNINSTALL SONAME 'metadata_lock_info' removes it)".into(),
        )),
        // Installed by a concurrent rehearsal in between.
        Err(e) if e.message.contains("already") => Ok(None),
        Err(e) => Err(format!(
            "not available: information_schema.METADATA_LOCK_INFO needs the metadata_lock_info plugin (MariaDB) and installing it was refused: {e}"
        )),
    }
}

/// The reporter a rehearsal gives the engine: passes progress lines on, and measures every
/// statement through the hooks.
pub struct Measure<'o> {
    out: &'o mut Output,
    /// Shared with the monitor.
    pub tracker: Arc<Mutex<Tracker>>,
    /// Every statement, in order.
    pub statements: Vec<Observed>,
    /// Table files before the running statement.
    files_before: Option<HashMap<String, Relation>>,
    /// Why rewrite detection is unavailable, once it failed.
    pub rewrite_failure: Option<String>,
    /// Table files by name when each migration (file) started.
    migration_files: HashMap<PathBuf, HashMap<String, i64>>,
    /// Tables each migration rewrote, by name: also a table replaced by a rebuilt copy under
    /// the same name (SQLite's way to alter a table), which no single statement rewrites.
    pub migration_rewrites: HashMap<PathBuf, Vec<String>>,
    bar: Option<indicatif::ProgressBar>,
    /// Print a line per statement (not on a terminal, not quiet, text mode).
    lines: bool,
}

impl<'o> Measure<'o> {
    /// A measuring reporter; `total` statements expected (for the progress bar).
    pub fn new(out: &'o mut Output, tracker: Arc<Mutex<Tracker>>, total: u64) -> Measure<'o> {
        let text = out.format == Format::Text && !out.quiet;
        let terminal = text && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = indicatif::ProgressBar::new(total.max(1));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} statements [{elapsed_precise}] {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Measure {
            out,
            tracker,
            statements: Vec::new(),
            files_before: None,
            rewrite_failure: None,
            migration_files: HashMap::new(),
            migration_rewrites: HashMap::new(),
            bar,
            lines: text && !terminal,
        }
    }

    /// Clears the progress bar.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Table files by table name.
fn by_name(relations: &HashMap<String, Relation>) -> HashMap<String, i64> {
    relations
        .values()
        .filter_map(|r| Some((r.name.clone(), r.file?)))
        .collect()
}

/// Whether a statement changes rows (its leading keyword, after comments).
fn is_dml(sql: &str) -> bool {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "WITH" | "UPSERT" | "MERGE" | "COPY"
    )
}

/// The first line of a statement, shortened to `width` characters.
pub fn head(sql: &str, width: usize) -> String {
    let first = sql
        .split('\n')
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let multi = sql.trim().contains('\n');
    if first.chars().count() > width {
        let cut: String = first.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    } else if multi {
        format!("{first} …")
    } else {
        first.to_string()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Reporter for Measure<'_> {
    fn info(&mut self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.out.info(line)),
            None => self.out.info(line),
        }
    }

    fn warn(&mut self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.out.warn(line)),
            None => self.out.warn(line),
        }
    }

    fn progress(&mut self, progress: &Progress) {
        if let Some(bar) = &self.bar {
            bar.set_message(progress.line());
        } else if progress.finished || progress.batches == 1 || progress.batches % 10 == 0 {
            self.info(&progress.line());
        }
    }

    fn before_statement(&mut self, statement: &StatementEvent<'_>, driver: &mut dyn Driver) {
        if self.rewrite_failure.is_none() {
            match relations(driver) {
                Ok(files) => {
                    self.migration_files
                        .entry(statement.path.to_path_buf())
                        .or_insert_with(|| by_name(&files));
                    self.files_before = Some(files);
                }
                Err(e) => {
                    self.files_before = None;
                    self.rewrite_failure = Some(e.to_string());
                }
            }
        }
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{}:{} {}",
                file_name(statement.path),
                statement.line,
                head(statement.sql, 50)
            ));
        }
        let start = Instant::now();
        if let Ok(mut t) = self.tracker.lock() {
            t.spans.push((start, None));
        }
        self.statements.push(Observed {
            what: statement.what.to_string(),
            path: statement.path.to_path_buf(),
            line: statement.line,
            sql: statement.sql.to_string(),
            start,
            end: start,
            rows: None,
            error: None,
            rewritten: Vec::new(),
            existing: self
                .files_before
                .as_ref()
                .map(|files| files.keys().cloned().collect()),
        });
    }

    fn after_statement(
        &mut self,
        _statement: &StatementEvent<'_>,
        outcome: Result<u64, &DbError>,
        driver: &mut dyn Driver,
    ) {
        let end = Instant::now();
        let index = self.statements.len() - 1;
        if let Ok(mut t) = self.tracker.lock()
            && let Some(span) = t.spans.last_mut()
        {
            span.1 = Some(end);
        }
        let failed = outcome.is_err();
        if !failed && let Some(locks) = own_locks(driver) {
            let taken = Instant::now();
            if let Ok(mut t) = self.tracker.lock() {
                t.observe(taken, locks, Some(index));
            }
        }
        let mut rewritten = Vec::new();
        if let (Some(before), false) = (self.files_before.take(), failed)
            && let Ok(after) = relations(driver)
        {
            for (id, relation) in &after {
                let old = before.get(id).and_then(|r| r.file);
                if relation.file.is_some() && old.is_some() && old != relation.file {
                    rewritten.push(relation.name.clone());
                }
            }
            rewritten.sort();
            let path = &self.statements[index].path;
            if let Some(start) = self.migration_files.get(path) {
                let mut replaced: Vec<String> = by_name(&after)
                    .into_iter()
                    .filter(|(name, file)| start.get(name).is_some_and(|old| old != file))
                    .map(|(name, _)| name)
                    .collect();
                replaced.sort();
                self.migration_rewrites.insert(path.clone(), replaced);
            }
        }
        let observed = &mut self.statements[index];
        observed.end = end;
        // SQLite reports the last DML's count after DDL too.
        observed.rows = outcome
            .as_ref()
            .ok()
            .copied()
            .filter(|_| driver.dialect() != Dialect::Sqlite || is_dml(&observed.sql));
        observed.error = outcome.err().map(ToString::to_string);
        observed.rewritten = rewritten;
        let observed = observed.clone();
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        if self.lines {
            let rows = match (observed.rows, &observed.error) {
                (_, Some(_)) => "failed".to_string(),
                (Some(n), None) => format!("{n} rows"),
                (None, None) => "done".to_string(),
            };
            let rewrite = if observed.rewritten.is_empty() {
                String::new()
            } else {
                format!(", rewrote {}", observed.rewritten.join(", "))
            };
            self.out.info(&format!(
                "  {}:{} {} ({}, {rows}{rewrite})",
                file_name(&observed.path),
                observed.line,
                head(&observed.sql, 60),
                super::report::duration(observed.end - observed.start)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(relation: &str, mode: &str) -> Seen {
        (relation.to_string(), None, mode.to_string())
    }

    #[test]
    fn locks_go_to_the_statement_that_took_them_and_end_when_released() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut t = Tracker::default();
        // Statement 0 runs from 0 to 100 ms; the monitor sees its lock at 10 and 90 ms.
        t.spans.push((at(0), Some(at(100))));
        t.observe(at(10), vec![lock("1", "AccessExclusiveLock")], None);
        t.observe(at(90), vec![lock("1", "AccessExclusiveLock")], None);
        // Held to commit: still seen at 150 ms, between statements; gone at 160 ms.
        t.observe(at(150), vec![lock("1", "AccessExclusiveLock")], None);
        t.observe(at(160), vec![], None);
        // Between statements a new lock belongs to no statement.
        t.observe(at(170), vec![lock("2", "RowExclusiveLock")], None);
        // Statement 1: the hook reports a lock right after it (attributed explicitly).
        t.spans.push((at(200), Some(at(210))));
        t.observe(at(211), vec![lock("1", "ShareLock")], Some(1));
        assert_eq!(t.records.len(), 2, "{:?}", t.records);
        let first = &t.records[0];
        assert_eq!((first.statement, first.open), (0, false));
        assert_eq!(first.taken_after, Some(at(0)));
        assert_eq!(first.last_seen, at(150));
        let second = &t.records[1];
        assert_eq!((second.statement, second.mode.as_str()), (1, "ShareLock"));
        // A sample taken before the hook's sighting cannot release it.
        t.observe(at(205), vec![], None);
        assert!(t.records[1].open);
    }

    #[test]
    fn a_lock_taken_again_counts_from_its_release() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut t = Tracker::default();
        t.spans.push((at(0), None));
        t.observe(at(5), vec![lock("1", "MDL_EXCLUSIVE")], None);
        t.observe(at(10), vec![lock("1", "MDL_SHARED_UPGRADABLE")], None);
        t.observe(at(90), vec![lock("1", "MDL_EXCLUSIVE")], None);
        let exclusive: Vec<_> = t
            .records
            .iter()
            .filter(|r| r.mode == "MDL_EXCLUSIVE")
            .collect();
        assert_eq!(exclusive.len(), 2);
        assert_eq!(exclusive[1].taken_after, Some(at(10)));
    }

    #[test]
    fn statements_are_dml_by_their_first_keyword() {
        assert!(is_dml("-- note\n/* x */ INSERT INTO t VALUES (1)"));
        assert!(is_dml("with x as (select 1) update t set a = 1"));
        assert!(!is_dml("CREATE TABLE t (a int)"));
        assert!(!is_dml("DROP TABLE t"));
    }

    #[test]
    fn heads_are_short_and_one_line() {
        assert_eq!(head("SELECT 1", 20), "SELECT 1");
        assert_eq!(head("SELECT 1,\n 2", 20), "SELECT 1, …");
        assert_eq!(head("SELECT 123456789", 8), "SELECT …");
    }
}
