//! The rehearsal report: plain data (serialised as the JSON output), built from what
//! [`super::measure`] saw, and its text table.
//!
//! Lock modes keep the database's own names (`AccessExclusiveLock`, `MDL_EXCLUSIVE`); what a
//! mode blocks is derived here once: on PostgreSQL `SELECT` needs `AccessShareLock`, which only
//! `AccessExclusiveLock` conflicts with, and `INSERT`/`UPDATE`/`DELETE` need
//! `RowExclusiveLock`, which `ShareLock` and everything stronger (except
//! `ShareUpdateExclusiveLock`) conflicts with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tidemark_engine::driver::Dialect;

use super::measure::{Observed, Tracker};

/// What a lock keeps other sessions from doing while it is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocks {
    /// Neither reads nor writes (only other DDL).
    Nothing,
    /// Writes (`INSERT`, `UPDATE`, `DELETE`); reads go on.
    Writes,
    /// Reads and writes.
    ReadsAndWrites,
}

impl Blocks {
    /// `reads and writes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Blocks::Nothing => "nothing",
            Blocks::Writes => "writes",
            Blocks::ReadsAndWrites => "reads and writes",
        }
    }
}

/// The strength of a lock mode (higher conflicts with more), and what it blocks.
pub fn classify(dialect: Dialect, mode: &str) -> (u8, Blocks) {
    match dialect {
        Dialect::Postgres => match mode {
            "AccessShareLock" => (1, Blocks::Nothing),
            "RowShareLock" => (2, Blocks::Nothing),
            "RowExclusiveLock" => (3, Blocks::Nothing),
            "ShareUpdateExclusiveLock" => (4, Blocks::Nothing),
            "ShareLock" => (5, Blocks::Writes),
            "ShareRowExclusiveLock" => (6, Blocks::Writes),
            "ExclusiveLock" => (7, Blocks::Writes),
            "AccessExclusiveLock" => (8, Blocks::ReadsAndWrites),
            _ => (0, Blocks::Nothing),
        },
        _ => match mode {
            "MDL_INTENTION_EXCLUSIVE" => (1, Blocks::Nothing),
            "MDL_SHARED" => (2, Blocks::Nothing),
            "MDL_SHARED_HIGH_PRIO" => (3, Blocks::Nothing),
            "MDL_SHARED_READ" => (4, Blocks::Nothing),
            "MDL_SHARED_WRITE" => (5, Blocks::Nothing),
            "MDL_SHARED_UPGRADABLE" => (6, Blocks::Nothing),
            "MDL_SHARED_READ_ONLY" => (7, Blocks::Writes),
            "MDL_SHARED_NO_WRITE" => (8, Blocks::Writes),
            "MDL_SHARED_NO_READ_WRITE" => (9, Blocks::ReadsAndWrites),
            "MDL_EXCLUSIVE" => (10, Blocks::ReadsAndWrites),
            _ => (0, Blocks::Nothing),
        },
    }
}

/// `1.532 s`, `12 ms`, `0.4 ms`.
pub fn duration(d: Duration) -> String {
    ms(d.as_secs_f64() * 1000.0)
}

/// Milliseconds for people.
pub fn ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.3} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// The whole rehearsal.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rehearsal {
    /// The target, masked, with its server version.
    pub database: String,
    /// `postgresql`, `mysql`, `sqlite`.
    pub dialect: String,
    /// The scratch copy.
    pub copy: Copy,
    /// How locks were observed, or why they were not.
    pub lock_monitor: String,
    /// Whether locks were observed at all.
    pub locks_measured: bool,
    /// How rewrites were detected, or why they were not.
    pub rewrite_detection: String,
    /// `--phase`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// A staged rehearsal stopped before this migration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_before: Option<String>,
    /// `success` or `failed`.
    pub outcome: String,
    /// Why the rehearsal failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// From the first statement's start to the last one's end.
    pub duration_ms: f64,
    /// What ran, in order.
    pub migrations: Vec<MigrationRun>,
    /// Warnings (copy, monitor, engine).
    pub warnings: Vec<String>,
}

/// The scratch copy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Copy {
    /// The database name (or SQLite file).
    pub name: String,
    /// How it was made.
    pub source: String,
    /// Kept (`--keep`) rather than dropped.
    pub kept: bool,
}

/// One migration (or callback) as it ran.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationRun {
    /// Script path relative to its location (or the callback's file name).
    pub script: String,
    /// Version, for versioned migrations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Description.
    pub description: String,
    /// `migration` or `callback`.
    pub kind: String,
    /// Its phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// It failed.
    pub failed: bool,
    /// Tables it rewrote, its statements together (a table rebuilt and renamed into place
    /// counts).
    pub rewritten: Vec<String>,
    /// Start, from the first statement's start.
    pub start_ms: f64,
    /// From its first statement's start to its last one's end.
    pub duration_ms: f64,
    /// Its statements.
    pub statements: Vec<StatementRun>,
    /// Linter findings not on a statement (the header).
    pub lint: Vec<LintNote>,
}

/// One statement as it ran.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRun {
    /// First line in the file.
    pub line: usize,
    /// The SQL as executed.
    pub sql: String,
    /// Start, from the first statement's start.
    pub start_ms: f64,
    /// How long it ran (all executions).
    pub duration_ms: f64,
    /// How many times it ran (a backfill repeats its statement).
    pub executions: u32,
    /// Rows affected (summed over executions); absent after an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// The database's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Tables it rewrote (a new physical file).
    pub rewritten: Vec<String>,
    /// The strongest lock it took on each relation.
    pub locks: Vec<LockHeld>,
    /// The strongest of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strongest_lock: Option<String>,
    /// What its locks blocked.
    pub blocks: Blocks,
    /// How long a lock that blocks reads or writes was held (to commit, in a transaction).
    pub blocking_ms: f64,
    /// The linter's findings on this statement.
    pub lint: Vec<LintNote>,
}

/// A lock on one relation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockHeld {
    /// The table, index or view.
    pub relation: String,
    /// The mode, as the database names it.
    pub mode: String,
    /// What it blocks.
    pub blocks: Blocks,
    /// How long it was held: from when it can have been taken (its statement's start, or its
    /// previous release) to the last time it was seen, summed over the times it was taken.
    pub held_ms: f64,
    /// The statement created the relation (no one else can see it yet).
    pub created: bool,
    /// Strength, for ordering (0 for a created relation).
    #[serde(skip)]
    rank: u8,
}

/// Adds a lock to a statement's list: one entry per relation, the strongest mode, the longest
/// hold of that mode.
fn merge_lock(locks: &mut Vec<LockHeld>, held: LockHeld) {
    match locks.iter_mut().find(|l| l.relation == held.relation) {
        Some(l) if l.rank < held.rank => *l = held,
        // Taken again after a release: the holds add up.
        Some(l) if l.mode == held.mode => l.held_ms += held.held_ms,
        Some(_) => {}
        None => locks.push(held),
    }
}

/// A linter finding.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LintNote {
    /// Rule id.
    pub rule: String,
    /// `error`, `warning`, `info`.
    pub severity: String,
    /// Line in the file.
    pub line: usize,
    /// What the linter says.
    pub message: String,
}

/// What the command knows about each file that ran.
pub struct FileFacts {
    /// Script path relative to its location.
    pub script: String,
    /// Version.
    pub version: Option<String>,
    /// Description.
    pub description: String,
    /// Phase.
    pub phase: Option<String>,
}

/// Everything [`build`] needs.
pub struct Inputs<'a> {
    /// The dialect (for lock names).
    pub dialect: Dialect,
    /// The statements the hooks saw.
    pub statements: &'a [Observed],
    /// The lock records.
    pub tracker: &'a Tracker,
    /// Relation ids to names (locks seen only by the monitor carry none).
    pub names: &'a BTreeMap<String, String>,
    /// Facts about each file, by path.
    pub files: &'a BTreeMap<PathBuf, FileFacts>,
    /// Linter findings by path.
    pub lint: &'a BTreeMap<PathBuf, Vec<LintNote>>,
    /// Tables each file rewrote, by path.
    pub migration_rewrites: &'a std::collections::HashMap<PathBuf, Vec<String>>,
    /// The migration that failed, by path, with the engine's message.
    pub failed: Option<(&'a Path, String)>,
}

fn since(origin: Instant, t: Instant) -> f64 {
    t.saturating_duration_since(origin).as_secs_f64() * 1000.0
}

/// Builds the migrations of the report from the observations.
pub fn build(inputs: &Inputs<'_>) -> Vec<MigrationRun> {
    let Some(origin) = inputs.statements.first().map(|s| s.start) else {
        return Vec::new();
    };
    // Locks by statement index: the strongest per relation.
    let mut by_statement: BTreeMap<usize, Vec<LockHeld>> = BTreeMap::new();
    for record in &inputs.tracker.records {
        let name = inputs
            .names
            .get(&record.relation)
            .cloned()
            .or_else(|| record.name.clone());
        let Some(name) = name else {
            // A transient relation (a rewrite's new heap) that no longer exists.
            continue;
        };
        // A relation the statement created is invisible to everyone else until it commits:
        // its locks block no one.
        let created = inputs
            .statements
            .get(record.statement)
            .and_then(|s| s.existing.as_ref())
            .is_some_and(|existing| !existing.contains(&record.relation));
        let (rank, blocks) = if created {
            (0, Blocks::Nothing)
        } else {
            classify(inputs.dialect, &record.mode)
        };
        let start = record.taken_after.unwrap_or(record.last_seen);
        let held = LockHeld {
            relation: name,
            mode: record.mode.clone(),
            blocks,
            held_ms: since(start, record.last_seen),
            created,
            rank,
        };
        let locks = by_statement.entry(record.statement).or_default();
        merge_lock(locks, held);
    }

    let mut runs: Vec<MigrationRun> = Vec::new();
    // The (path, what) of each run, beside it.
    let mut keys: Vec<(PathBuf, String)> = Vec::new();
    let mut i = 0;
    while i < inputs.statements.len() {
        let first = &inputs.statements[i];
        // Consecutive executions of one statement (backfill batches) are one row.
        let mut j = i + 1;
        while j < inputs.statements.len()
            && inputs.statements[j].path == first.path
            && inputs.statements[j].line == first.line
            && inputs.statements[j].what == first.what
            && inputs.statements[j - 1].error.is_none()
        {
            j += 1;
        }
        let group = &inputs.statements[i..j];
        let last = &group[group.len() - 1];
        let mut locks: Vec<LockHeld> = Vec::new();
        for index in i..j {
            for held in by_statement.get(&index).into_iter().flatten() {
                merge_lock(&mut locks, held.clone());
            }
        }
        locks.sort_by(|a, b| {
            b.rank
                .cmp(&a.rank)
                .then_with(|| a.relation.cmp(&b.relation))
        });
        let strongest_lock = locks.first().map(|l| {
            format!(
                "{} on {}{}",
                l.mode,
                l.relation,
                if l.created { " (new)" } else { "" }
            )
        });
        let blocks = locks
            .iter()
            .map(|l| l.blocks)
            .max()
            .unwrap_or(Blocks::Nothing);
        let blocking_ms = locks
            .iter()
            .filter(|l| l.blocks != Blocks::Nothing)
            .map(|l| l.held_ms)
            .fold(0.0, f64::max);
        let mut rewritten: Vec<String> = group.iter().flat_map(|s| s.rewritten.clone()).collect();
        rewritten.sort();
        rewritten.dedup();
        let statement = StatementRun {
            line: first.line,
            sql: first.sql.clone(),
            start_ms: since(origin, first.start),
            duration_ms: group.iter().map(|s| since(s.start, s.end)).sum(),
            executions: group.len() as u32,
            rows: group.iter().map(|s| s.rows).sum(),
            error: last.error.clone(),
            rewritten,
            locks,
            strongest_lock,
            blocks,
            blocking_ms,
            lint: Vec::new(),
        };
        let end_ms = since(origin, last.end);
        let same_run = keys
            .last()
            .is_some_and(|(path, what)| *path == first.path && *what == first.what);
        match runs.last_mut() {
            Some(run) if same_run => {
                run.duration_ms = end_ms - run.start_ms;
                run.statements.push(statement);
            }
            _ => {
                let facts = inputs.files.get(&first.path);
                let callback = first.what.starts_with("Callback");
                let script = facts.map_or_else(
                    || {
                        first
                            .path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    },
                    |f| f.script.clone(),
                );
                runs.push(MigrationRun {
                    script,
                    version: facts.and_then(|f| f.version.clone()),
                    description: facts.map(|f| f.description.clone()).unwrap_or_default(),
                    kind: if callback { "callback" } else { "migration" }.into(),
                    phase: facts.and_then(|f| f.phase.clone()),
                    failed: false,
                    rewritten: inputs
                        .migration_rewrites
                        .get(&first.path)
                        .cloned()
                        .unwrap_or_default(),
                    start_ms: statement.start_ms,
                    duration_ms: end_ms - statement.start_ms,
                    statements: vec![statement],
                    lint: Vec::new(),
                });
                keys.push((first.path.clone(), first.what.clone()));
            }
        }
        i = j;
    }
    // Failure and lint.
    for (run, (path, what)) in runs.iter_mut().zip(&keys) {
        if let Some((failed, _)) = &inputs.failed
            && *failed == path.as_path()
            && run.statements.iter().any(|s| s.error.is_some())
        {
            run.failed = true;
        }
        if what.starts_with("Callback") {
            continue;
        }
        for note in inputs.lint.get(path).into_iter().flatten() {
            match run
                .statements
                .iter_mut()
                .rev()
                .find(|s| s.line <= note.line)
            {
                Some(statement) => statement.lint.push(note.clone()),
                None => run.lint.push(note.clone()),
            }
        }
    }
    runs
}

/// The text report: a heading, one table row per migration and per statement, a summary.
pub fn text(r: &Rehearsal) -> Vec<String> {
    let statements: usize = r.migrations.iter().map(|m| m.statements.len()).sum();
    let migrations = r
        .migrations
        .iter()
        .filter(|m| m.kind == "migration")
        .count();
    let mut out = vec![
        format!(
            "Rehearsal of {migrations} migration{} ({statements} statement{}) on a copy of {}",
            if migrations == 1 { "" } else { "s" },
            if statements == 1 { "" } else { "s" },
            r.database
        ),
        format!(
            "Copy:     {} ({}), {}",
            r.copy.name,
            r.copy.source,
            if r.copy.kept { "kept" } else { "dropped" }
        ),
        format!("Locks:    {}", r.lock_monitor),
        format!("Rewrites: {}", r.rewrite_detection),
    ];
    if r.migrations.is_empty() {
        out.push("Nothing to rehearse: no pending migration.".into());
        return out;
    }
    let mut rows = Vec::new();
    for m in &r.migrations {
        let mut name = m.script.clone();
        if m.kind == "callback" {
            name.push_str(" (callback)");
        }
        if m.failed {
            name.push_str(" [FAILED]");
        }
        let lint = m
            .lint
            .iter()
            .map(|n| format!("{} {}", n.severity, n.rule))
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(vec![
            name,
            ms(m.duration_ms),
            String::new(),
            m.rewritten.join(", "),
            String::new(),
            String::new(),
            String::new(),
            lint,
        ]);
        for s in &m.statements {
            let mut lock = s.strongest_lock.clone().unwrap_or_else(|| "-".into());
            if s.locks.len() > 1 {
                lock.push_str(&format!(" (+{})", s.locks.len() - 1));
            }
            let mut label = format!("  {}: {}", s.line, super::measure::head(&s.sql, 44));
            if s.executions > 1 {
                label.push_str(&format!(" x{}", s.executions));
            }
            rows.push(vec![
                label,
                ms(s.duration_ms),
                match (s.rows, &s.error) {
                    (_, Some(_)) => "failed".to_string(),
                    (Some(n), None) => n.to_string(),
                    (None, None) => "-".to_string(),
                },
                if s.rewritten.is_empty() {
                    "-".into()
                } else {
                    s.rewritten.join(", ")
                },
                lock,
                if s.blocks == Blocks::Nothing {
                    "-".into()
                } else {
                    s.blocks.as_str().into()
                },
                if s.blocks == Blocks::Nothing {
                    "-".into()
                } else {
                    ms(s.blocking_ms)
                },
                s.lint
                    .iter()
                    .map(|n| format!("{} {}", n.severity, n.rule))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
    }
    out.extend(crate::render::table::ascii_table(
        &[
            "Migration / statement",
            "Time",
            "Rows",
            "Rewrote",
            "Strongest lock",
            "Blocks",
            "Held",
            "Linter",
        ],
        &rows,
    ));
    let worst = r
        .migrations
        .iter()
        .flat_map(|m| m.statements.iter().map(move |s| (m, s)))
        .filter(|(_, s)| s.blocks != Blocks::Nothing)
        .max_by(|a, b| a.1.blocking_ms.total_cmp(&b.1.blocking_ms));
    out.push(format!("Total: {}", ms(r.duration_ms)));
    match worst {
        Some((m, s)) => out.push(format!(
            "Longest lock that blocks {}: {} held {} ({} line {})",
            s.blocks.as_str(),
            s.strongest_lock.clone().unwrap_or_default(),
            ms(s.blocking_ms),
            m.script,
            s.line
        )),
        None if r.locks_measured => {
            out.push("No statement took a lock that blocks reads or writes.".into())
        }
        None => {}
    }
    if let Some(stopped) = &r.stopped_before {
        out.push(format!("Stopped before {stopped} (--phase)."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_modes_say_what_they_block() {
        assert_eq!(
            classify(Dialect::Postgres, "AccessExclusiveLock").1,
            Blocks::ReadsAndWrites
        );
        assert_eq!(classify(Dialect::Postgres, "ShareLock").1, Blocks::Writes);
        assert_eq!(
            classify(Dialect::Postgres, "ShareUpdateExclusiveLock").1,
            Blocks::Nothing
        );
        assert_eq!(
            classify(Dialect::Mysql, "MDL_EXCLUSIVE").1,
            Blocks::ReadsAndWrites
        );
        assert_eq!(
            classify(Dialect::Mysql, "MDL_SHARED_UPGRADABLE").1,
            Blocks::Nothing
        );
        assert!(
            classify(Dialect::Postgres, "AccessExclusiveLock").0
                > classify(Dialect::Postgres, "ShareLock").0
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(ms(1532.4), "1.532 s");
        assert_eq!(ms(12.4), "12 ms");
        assert_eq!(ms(0.42), "0.4 ms");
    }
}
