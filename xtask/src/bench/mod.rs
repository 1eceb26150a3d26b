//! `bench`: the workloads of issue 10, each beside its floor, printed as a Markdown table.
//!
//! - **W1** applies N = 100 and 1000 small migrations (CREATE TABLE + CREATE INDEX + a 10-row
//!   INSERT each) to a fresh database: PostgreSQL, SQLite and MariaDB. Floor: the database's own
//!   client running the same SQL, one transaction per migration, in one session (`psql -f`,
//!   `sqlite3 .read`, `mariadb source`).
//! - **W2** has nothing to do: `info`, `validate` and `migrate` with the 1000 already applied.
//!   Floor: the client reading the history table once (the least any tool must do).
//! - **W3** discovers, checksums and plans 10,000 files with no database (`--url
//!   sqlite::memory:`): `validate` (pending allowed) and `info --format json`. Floor: `cksum`
//!   over the same files. Peak memory for 1,000, 5,000 and 10,000 files from `/usr/bin/time`.
//!
//! Contenders run alternately (tidemark, floor, peers, tidemark, ...) and each is reported by its
//! median. Peers (sqlx-cli's `sqlx`, `dbmate`) are measured when found on `PATH` or in
//! `TIDEMARK_BENCH_PEERS`. Every command runs in an empty folder with the tidemark / Flyway
//! environment variables removed, so no project configuration leaks in.

mod measure;
mod targets;
mod workload;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use measure::{Contender, Measured, Prepared, Role};
use targets::{Fresh, Kind, find_program};
use workload::{Flavor, Workload};

use crate::Options;

/// One line of the report.
struct Line {
    workload: String,
    database: String,
    results: Vec<Measured>,
}

/// Everything the run found.
struct Report {
    lines: Vec<Line>,
    memory: Vec<(usize, Result<u64, String>)>,
    notes: Vec<String>,
    versions: Vec<(Kind, String)>,
}

/// Runs the benchmark.
pub fn run(options: &Options) -> Result<(), String> {
    let bin = tidemark_binary(options)?;
    let tmp = TempDir::new()?;
    let empty = tmp.path().join("cwd");
    std::fs::create_dir_all(&empty).map_err(|e| e.to_string())?;
    let peers = Peers::find();
    let mut report = Report {
        lines: Vec::new(),
        memory: Vec::new(),
        notes: Vec::new(),
        versions: Vec::new(),
    };
    for (name, found) in [("sqlx-cli (sqlx)", &peers.sqlx), ("dbmate", &peers.dbmate)] {
        if found.is_none() {
            report.notes.push(format!(
                "{name} not found on PATH or in TIDEMARK_BENCH_PEERS: not measured."
            ));
        }
    }
    let ctx = Ctx {
        bin: &bin,
        cwd: &empty,
        tmp: tmp.path(),
        peers: &peers,
    };
    let available: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|&kind| options.dbs.is_empty() || options.named_db(kind.name()))
        .filter(|&kind| match targets::fresh(kind, tmp.path()) {
            Ok(fresh) => {
                report.versions.push((kind, fresh.server_version()));
                if find_program(kind.client()).is_none() {
                    report.notes.push(format!(
                        "{} not found: no floor for {} (tidemark still measured).",
                        kind.client(),
                        label(kind)
                    ));
                }
                true
            }
            Err(e) => {
                report
                    .notes
                    .push(format!("{}: skipped ({e}).", label(kind)));
                false
            }
        })
        .collect();

    let sizes: &[usize] = if options.quick { &[100] } else { &[100, 1000] };
    let needs_1000 = options.wants("W1") && !options.quick || options.wants("W2");
    let mut workloads: Vec<Workload> = Vec::new();
    if options.wants("W1") || options.wants("W2") {
        for &n in sizes
            .iter()
            .chain((needs_1000 && options.quick).then_some(&1000))
        {
            workloads.push(workload::generate(tmp.path(), n, true)?);
        }
    }

    if options.wants("W1") {
        let runs = options.runs.unwrap_or(if options.quick { 3 } else { 5 });
        for w in workloads.iter().filter(|w| sizes.contains(&w.n)) {
            for &kind in &available {
                if kind == Kind::Mariadb && w.n > 100 && !options.named_db("mariadb") {
                    report.notes.push(format!(
                        "W1 with N = {} on MariaDB skipped (every DDL statement commits and syncs: minutes per run); add --db mariadb to run it.",
                        w.n
                    ));
                    continue;
                }
                eprintln!(
                    "W1: apply {} migrations to {} ({runs} runs)...",
                    w.n,
                    label(kind)
                );
                report.lines.push(w1(&ctx, w, kind, runs));
            }
        }
    }
    if options.wants("W2") {
        // A run here takes tens of milliseconds, within reach of what else the machine does:
        // many runs keep the medians, and so the ratios, steady from one report to the next.
        let runs = options.runs.unwrap_or(if options.quick { 9 } else { 41 });
        let w = workloads
            .iter()
            .find(|w| w.n == 1000)
            .ok_or("no 1000-migration workload")?;
        for &kind in &available {
            if kind == Kind::Mariadb && options.quick && !options.named_db("mariadb") {
                report.notes.push(
                    "W2 on MariaDB skipped in --quick mode (applying the 1000 takes minutes); add --db mariadb to run it.".into(),
                );
                continue;
            }
            eprintln!(
                "W2: nothing to do, 1000 applied, {} ({runs} runs)...",
                label(kind)
            );
            report.lines.extend(w2(&ctx, w, kind, runs)?);
        }
    }
    if options.wants("W3") {
        let runs = options.runs.unwrap_or(if options.quick { 3 } else { 7 });
        eprintln!("W3: discover + checksum + plan 10,000 files ({runs} runs)...");
        let (lines, memory) = w3(&ctx, runs)?;
        report.lines.extend(lines);
        report.memory = memory;
    }

    let markdown = render(&report, options);
    println!("{markdown}");
    if let Some(out) = &options.out {
        std::fs::write(out, &markdown).map_err(|e| format!("write {}: {e}", out.display()))?;
        eprintln!("Report written to {}", out.display());
    }
    Ok(())
}

fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::Postgres => "PostgreSQL",
        Kind::Sqlite => "SQLite",
        Kind::Mariadb => "MariaDB",
    }
}

/// What every workload needs.
struct Ctx<'a> {
    bin: &'a Path,
    cwd: &'a Path,
    tmp: &'a Path,
    peers: &'a Peers,
}

impl Ctx<'_> {
    /// `tidemark ARGS` in the empty folder, without tidemark/Flyway variables.
    fn tidemark(&self, args: &[&str]) -> Command {
        let mut c = Command::new(self.bin);
        c.args(args).current_dir(self.cwd);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().to_string();
            if k.starts_with("TIDEMARK_") || k.starts_with("FLYWAY_") {
                c.env_remove(k);
            }
        }
        c
    }

    fn locations(dir: &Path) -> String {
        format!("filesystem:{}", dir.display())
    }
}

/// The peer tools found.
struct Peers {
    sqlx: Option<PathBuf>,
    dbmate: Option<PathBuf>,
    liquibase: Option<PathBuf>,
}

impl Peers {
    fn find() -> Peers {
        Peers {
            sqlx: find_program("sqlx"),
            dbmate: find_program("dbmate"),
            liquibase: find_liquibase(),
        }
    }

    /// `liquibase COMMAND` on the changelog in `dir` (PostgreSQL over JDBC, TLS off).
    fn liquibase(&self, fresh: &Fresh, dir: &Path, command: &str) -> Option<Command> {
        let (url, user, password) = fresh.jdbc()?;
        let mut c = Command::new(self.liquibase.as_ref()?);
        c.current_dir(dir)
            .env("LIQUIBASE_SHOW_BANNER", "false")
            .arg("--changelog-file=changelog.sql")
            .arg(format!("--url={url}"))
            .arg(format!("--username={user}"));
        if let Some(p) = password {
            c.arg(format!("--password={p}"));
        }
        c.arg(command);
        Some(c)
    }

    fn sqlx(&self, kind: Kind, fresh: &Fresh, source: &Path, args: &[&str]) -> Option<Command> {
        // The sqlx-cli build measured here speaks PostgreSQL (install with --features postgres).
        if kind != Kind::Postgres {
            return None;
        }
        let mut c = Command::new(self.sqlx.as_ref()?);
        c.args(["migrate"])
            .args(args)
            .arg("--source")
            .arg(source)
            .arg("--database-url")
            .arg(&fresh.peer_url);
        Some(c)
    }

    fn dbmate(&self, fresh: &Fresh, dir: &Path, command: &str) -> Option<Command> {
        let mut c = Command::new(self.dbmate.as_ref()?);
        c.arg("--url")
            .arg(&fresh.peer_url)
            .arg("--migrations-dir")
            .arg(dir)
            .args(["--no-dump-schema", command]);
        Some(c)
    }
}

/// A contender whose every run gets a fresh database.
fn on_fresh<'a>(
    name: &str,
    role: Role,
    kind: Kind,
    tmp: &'a Path,
    make: impl Fn(&Fresh) -> Option<Command> + 'a,
) -> Contender<'a> {
    Contender {
        name: name.to_string(),
        role,
        prepare: Box::new(move || {
            let fresh = targets::fresh(kind, tmp)?;
            let command = make(&fresh).ok_or("not available")?;
            Ok(Prepared {
                command,
                guard: fresh.into_guard(),
            })
        }),
    }
}

/// A contender running the same command every time (on a database prepared once).
fn same<'a>(name: &str, role: Role, command: impl Fn() -> Command + 'a) -> Contender<'a> {
    Contender {
        name: name.to_string(),
        role,
        prepare: Box::new(move || {
            Ok(Prepared {
                command: command(),
                guard: Box::new(()),
            })
        }),
    }
}

fn w1(ctx: &Ctx<'_>, w: &Workload, kind: Kind, runs: usize) -> Line {
    let locations = Ctx::locations(&w.tidemark);
    let flavor = if kind == Kind::Mariadb {
        Flavor::StartTransaction
    } else {
        Flavor::Begin
    };
    let floor_script = w.floor(flavor).to_path_buf();
    let mut contenders = vec![on_fresh(
        "tidemark",
        Role::Tidemark,
        kind,
        ctx.tmp,
        move |f: &Fresh| {
            Some(ctx.tidemark(&["migrate", "--url", &f.url, "--locations", &locations]))
        },
    )];
    if find_program(kind.client()).is_some() {
        contenders.push(on_fresh(
            kind.client(),
            Role::Floor,
            kind,
            ctx.tmp,
            move |f| f.client_script(&floor_script),
        ));
    }
    if ctx.peers.sqlx.is_some() && kind == Kind::Postgres {
        let dir = w.sqlx.clone();
        contenders.push(on_fresh("sqlx-cli", Role::Peer, kind, ctx.tmp, move |f| {
            ctx.peers.sqlx(kind, f, &dir, &["run"])
        }));
    }
    if ctx.peers.dbmate.is_some() {
        let dir = w.dbmate.clone();
        contenders.push(on_fresh("dbmate", Role::Peer, kind, ctx.tmp, move |f| {
            ctx.peers.dbmate(f, &dir, "up")
        }));
    }
    Line {
        workload: format!("W1 apply {}", w.n),
        database: label(kind).to_string(),
        results: measure::alternate(runs, &mut contenders, measure::Settle::Sync),
    }
}

fn w2(ctx: &Ctx<'_>, w: &Workload, kind: Kind, runs: usize) -> Result<Vec<Line>, String> {
    let locations = Ctx::locations(&w.tidemark);
    // One database per tool, migrated once (not timed).
    let tm = targets::fresh(kind, ctx.tmp)?;
    let setup = |mut c: Command, what: &str| -> Result<(), String> {
        let out = c
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("{what}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    setup(
        ctx.tidemark(&["migrate", "--url", &tm.url, "--locations", &locations]),
        "tidemark migrate (W2 setup)",
    )?;
    let sqlx_db = match ctx.peers.sqlx(kind, &tm, &w.sqlx, &["run"]) {
        Some(_) => {
            let db = targets::fresh(kind, ctx.tmp)?;
            let c = ctx.peers.sqlx(kind, &db, &w.sqlx, &["run"]).ok_or("sqlx")?;
            setup(c, "sqlx migrate run (W2 setup)").map(|()| db).ok()
        }
        None => None,
    };
    let dbmate_db = match ctx.peers.dbmate.is_some() {
        true => {
            let db = targets::fresh(kind, ctx.tmp)?;
            let c = ctx.peers.dbmate(&db, &w.dbmate, "up").ok_or("dbmate")?;
            setup(c, "dbmate up (W2 setup)").map(|()| db).ok()
        }
        false => None,
    };
    let history = "SELECT * FROM flyway_schema_history ORDER BY installed_rank";
    let mut lines = Vec::new();
    // sqlx-cli has no `validate`; its `migrate info` does the same work (every file read and
    // checksummed, the history read and compared), so it runs beside `validate` too: the
    // target's ratio is then measured in one alternation, not across two.
    for (command, sqlx_args, sqlx_name, dbmate_command) in [
        ("info", Some("info"), "sqlx-cli", Some("status")),
        ("validate", Some("info"), "sqlx-cli info", None),
        ("migrate", Some("run"), "sqlx-cli", Some("up")),
    ] {
        let mut contenders = vec![same("tidemark", Role::Tidemark, || {
            ctx.tidemark(&[command, "--url", &tm.url, "--locations", &locations])
        })];
        if tm.client_query(history).is_some() {
            contenders.push(same(kind.client(), Role::Floor, || {
                tm.client_query(history).expect("client found")
            }));
        }
        if let (Some(db), Some(args)) = (&sqlx_db, sqlx_args) {
            contenders.push(same(sqlx_name, Role::Peer, move || {
                ctx.peers
                    .sqlx(kind, db, &w.sqlx, &[args])
                    .expect("sqlx found")
            }));
        }
        if let (Some(db), Some(cmd)) = (&dbmate_db, dbmate_command) {
            contenders.push(same("dbmate", Role::Peer, move || {
                ctx.peers.dbmate(db, &w.dbmate, cmd).expect("dbmate found")
            }));
        }
        lines.push(Line {
            workload: format!("W2 {command}, 1000 applied"),
            database: label(kind).to_string(),
            results: measure::alternate(runs, &mut contenders, measure::Settle::Nothing),
        });
    }
    drop((tm, sqlx_db, dbmate_db));
    if kind == Kind::Postgres {
        lines.extend(w2_liquibase(ctx, w, runs)?);
    }
    Ok(lines)
}

/// W2 for a Liquibase project: the same 1000 migrations as changesets of one formatted-SQL
/// changelog, applied once (by tidemark, which writes Liquibase's tables as Liquibase does);
/// then `status` and `validate` by tidemark and by Liquibase (when found), beside psql reading
/// DATABASECHANGELOG.
fn w2_liquibase(ctx: &Ctx<'_>, w: &Workload, runs: usize) -> Result<Vec<Line>, String> {
    let db = targets::fresh(Kind::Postgres, ctx.tmp)?;
    let dir = &w.liquibase;
    let tidemark = |command: &str| {
        let mut c = ctx.tidemark(&[
            command,
            "--changelog-file",
            "changelog.sql",
            "--url",
            &db.url,
        ]);
        c.current_dir(dir);
        c
    };
    let out = tidemark("update")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("tidemark update (W2 Liquibase setup): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tidemark update (W2 Liquibase setup) failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let history = "SELECT * FROM databasechangelog ORDER BY orderexecuted";
    let mut lines = Vec::new();
    for command in ["status", "validate"] {
        let mut contenders = vec![same("tidemark", Role::Tidemark, || tidemark(command))];
        if db.client_query(history).is_some() {
            contenders.push(same("psql", Role::Floor, || {
                db.client_query(history).expect("client found")
            }));
        }
        if ctx.peers.liquibase.is_some() {
            contenders.push(same("Liquibase", Role::Peer, || {
                ctx.peers
                    .liquibase(&db, dir, command)
                    .expect("Liquibase found")
            }));
        }
        lines.push(Line {
            workload: format!("W2 {command}, Liquibase changelog, 1000 applied"),
            database: label(Kind::Postgres).to_string(),
            results: measure::alternate(runs.min(7), &mut contenders, measure::Settle::Nothing),
        });
    }
    drop(db);
    Ok(lines)
}

/// Liquibase's launcher: `liquibase` on `PATH` or in `TIDEMARK_BENCH_PEERS`, or the npm
/// package the interop tests use (`TIDEMARK_LIQUIBASE_HOME`, default
/// `~/.cache/tidemark/liquibase`).
fn find_liquibase() -> Option<PathBuf> {
    if let Some(found) = find_program("liquibase") {
        return Some(found);
    }
    let home = std::env::var_os("TIDEMARK_LIQUIBASE_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/tidemark/liquibase"))
        })?;
    [
        home.join("node_modules/liquibase/dist/liquibase/liquibase"),
        home.join("liquibase"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

type MemoryRows = Vec<(usize, Result<u64, String>)>;

fn w3(ctx: &Ctx<'_>, runs: usize) -> Result<(Vec<Line>, MemoryRows), String> {
    let mut memory = Vec::new();
    let mut ten_k = None;
    for n in [1_000, 5_000, 10_000] {
        let root = ctx.tmp.join("w3");
        let w = workload::generate(&root, n, false)?;
        let locations = Ctx::locations(&w.tidemark);
        let args = validate_args(&locations);
        let c = ctx.tidemark(&args.iter().map(String::as_str).collect::<Vec<_>>());
        memory.push((n, measure::peak_rss_kib(c)));
        if n == 10_000 {
            ten_k = Some(w);
        }
    }
    let w = ten_k.ok_or("no 10,000-file workload")?;
    let locations = Ctx::locations(&w.tidemark);
    let floor = |w: &Workload| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!(
            "find '{}' -type f -name '*.sql' -exec cksum {{}} + > /dev/null",
            w.tidemark.display()
        ));
        c
    };
    let mut lines = Vec::new();
    for (what, args) in [
        ("validate", validate_args(&locations)),
        (
            "info --format json",
            vec![
                "info".to_string(),
                "--url".into(),
                "sqlite::memory:".into(),
                "--locations".into(),
                locations.clone(),
                "--format".into(),
                "json".into(),
            ],
        ),
    ] {
        let mut contenders = vec![
            same("tidemark", Role::Tidemark, || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                ctx.tidemark(&args)
            }),
            same("cksum", Role::Floor, || floor(&w)),
        ];
        lines.push(Line {
            workload: format!("W3 {what}, 10,000 files"),
            database: "none (sqlite::memory:)".into(),
            results: measure::alternate(runs, &mut contenders, measure::Settle::Nothing),
        });
    }
    Ok((lines, memory))
}

fn validate_args(locations: &str) -> Vec<String> {
    [
        "validate",
        "--url",
        "sqlite::memory:",
        "--locations",
        locations,
        "--ignore-migration-patterns",
        "*:pending",
    ]
    .map(String::from)
    .to_vec()
}

/// Builds (or takes) the tidemark binary.
fn tidemark_binary(options: &Options) -> Result<PathBuf, String> {
    if let Some(bin) = &options.bin {
        return if bin.is_file() {
            Ok(bin.clone())
        } else {
            Err(format!("--bin {}: no such file", bin.display()))
        };
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("Building the release tidemark binary...");
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "tidemark"])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p tidemark failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release").join("tidemark");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("built, but {} is missing", bin.display()))
    }
}

/// The machine, as the report names it.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .split('\n')
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU".to_string(), |(_, v)| v.trim().to_string());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .split('\n')
        .find_map(|l| {
            l.strip_prefix("PRETTY_NAME=")
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .split('\n')
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kib| format!(", {} GiB RAM", (kib + 512 * 1024) / (1024 * 1024)))
        .unwrap_or_default();
    format!(
        "{cpu}, {cores} cores{memory}, {os} (Linux {})",
        kernel.trim()
    )
}

fn render(report: &Report, options: &Options) -> String {
    let mut md = String::new();
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let _ = writeln!(md, "Measured {date} on {}.", machine());
    let versions: Vec<String> = report.versions.iter().map(|(_, v)| v.clone()).collect();
    if !versions.is_empty() {
        let _ = writeln!(md, "Servers: {}.", versions.join(", "));
    }
    let _ = writeln!(
        md,
        "Median wall-clock time of alternating runs{}; ratio = tidemark / other (below 1: tidemark is faster).\n",
        if options.quick { " (--quick)" } else { "" }
    );
    let _ = writeln!(
        md,
        "| Workload | Database | tidemark | floor | tidemark / floor | peers (tidemark / peer) |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|");
    for line in &report.lines {
        let tidemark = line.results.iter().find(|m| m.role == Role::Tidemark);
        let tm = tidemark.and_then(|m| m.median);
        let cell = |m: &Measured| match (m.median, &m.failure) {
            (Some(d), _) => measure::format(d),
            (None, Some(f)) => format!("failed ({f})"),
            (None, None) => "-".into(),
        };
        let floor = line.results.iter().find(|m| m.role == Role::Floor);
        let floor_cell = floor.map_or("-".to_string(), |f| format!("{} ({})", cell(f), f.name));
        let floor_ratio = match (tm, floor.and_then(|f| f.median)) {
            (Some(a), Some(b)) => format!("**{}**", measure::ratio(a, b)),
            _ => "-".into(),
        };
        let peers: Vec<String> = line
            .results
            .iter()
            .filter(|m| m.role == Role::Peer)
            .map(|p| match (tm, p.median) {
                (Some(a), Some(b)) => format!("{} {} ({})", p.name, cell(p), measure::ratio(a, b)),
                _ => format!("{} {}", p.name, cell(p)),
            })
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            line.workload,
            line.database,
            tidemark.map_or("-".into(), cell),
            floor_cell,
            floor_ratio,
            if peers.is_empty() {
                "-".into()
            } else {
                peers.join("; ")
            }
        );
    }
    if !report.memory.is_empty() {
        let _ = writeln!(
            md,
            "\nPeak memory (max RSS) of `tidemark validate` over N files, no database:\n"
        );
        let _ = writeln!(md, "| Files | Peak RSS |");
        let _ = writeln!(md, "|---:|---:|");
        for (n, rss) in &report.memory {
            let cell = match rss {
                Ok(kib) => format!("{:.1} MiB", *kib as f64 / 1024.0),
                Err(e) => format!("not measured ({e})"),
            };
            let _ = writeln!(md, "| {n} | {cell} |");
        }
    }
    if !report.notes.is_empty() {
        md.push('\n');
        for note in &report.notes {
            let _ = writeln!(md, "- {note}");
        }
    }
    md
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("tidemark-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
