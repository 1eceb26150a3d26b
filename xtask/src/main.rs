//! Project chores that need nothing beyond cargo. For now one: `bench`.
//!
//! ```text
//! cargo run --release -p xtask -- bench [--quick] [--only W1,W2,W3] [--db LIST] [--out FILE] [--bin PATH] [--runs N]
//! ```
//!
//! Why a program and not timed tests: timings belong in a report read by people (medians of
//! alternating runs, the machine named, every figure beside the floor it is compared with), never
//! in assertions that fail on a busy CI machine. See `bench` for what is measured.

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo run --release -p xtask -- bench [OPTIONS]

Benchmarks tidemark against the floor (psql / sqlite3 / mariadb applying the same SQL) and,
when installed, peers (sqlx-cli, dbmate). Prints a Markdown table.

options:
  --quick            fewer runs, W1 with N = 100 only
  --only W1,W2,W3    run only these workloads
  --db LIST          only these databases: postgres,sqlite,mariadb (default: all reachable;
                     MariaDB's W1 with N = 1000, about 3 minutes a run here, and its W2 in
                     --quick mode only when named explicitly)
  --out FILE         also write the Markdown report to FILE
  --bin PATH         measure this tidemark binary instead of building target/release/tidemark
  --runs N           runs per contender (default: 5 for W1, 41 for W2, 7 for W3)

environment:
  TIDEMARK_TEST_POSTGRES_URL  PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
  TIDEMARK_TEST_MYSQL_URL     MariaDB/MySQL server (default mysql://root@127.0.0.1:3306/)
  TIDEMARK_BENCH_PEERS        extra folders (':'-separated) searched for sqlx and dbmate";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => match parse_bench(&args[1..]) {
            Ok(options) => match bench::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("bench: {e}");
                    ExitCode::FAILURE
                }
            },
            Err(e) => {
                eprintln!("{e}\n\n{USAGE}");
                ExitCode::from(2)
            }
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `bench` options.
#[derive(Debug, Default)]
pub struct Options {
    /// Fewer runs and smaller workloads.
    pub quick: bool,
    /// Workloads to run (`W1`, `W2`, `W3`); empty: all.
    pub only: Vec<String>,
    /// Databases to run (`postgres`, `sqlite`, `mariadb`); empty: all.
    pub dbs: Vec<String>,
    /// Also write the report here.
    pub out: Option<PathBuf>,
    /// The tidemark binary to measure.
    pub bin: Option<PathBuf>,
    /// Runs per contender, overriding the defaults.
    pub runs: Option<usize>,
}

impl Options {
    /// Whether database `db` was named explicitly with `--db`.
    pub fn named_db(&self, db: &str) -> bool {
        self.dbs.iter().any(|d| d == db)
    }

    /// Whether workload `w` was asked for.
    pub fn wants(&self, w: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o.eq_ignore_ascii_case(w))
    }
}

fn parse_bench(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--quick" => options.quick = true,
            "--only" => {
                options.only = value("--only")?
                    .split(',')
                    .map(|w| w.trim().to_ascii_uppercase())
                    .filter(|w| !w.is_empty())
                    .collect();
                if let Some(bad) = options
                    .only
                    .iter()
                    .find(|w| !matches!(w.as_str(), "W1" | "W2" | "W3"))
                {
                    return Err(format!("unknown workload {bad} (W1, W2 or W3)"));
                }
            }
            "--db" => {
                options.dbs = value("--db")?
                    .split(',')
                    .map(|d| d.trim().to_ascii_lowercase())
                    .filter(|d| !d.is_empty())
                    .collect();
                if let Some(bad) = options
                    .dbs
                    .iter()
                    .find(|d| !matches!(d.as_str(), "postgres" | "sqlite" | "mariadb"))
                {
                    return Err(format!(
                        "unknown database {bad} (postgres, sqlite or mariadb)"
                    ));
                }
            }
            "--out" => options.out = Some(PathBuf::from(value("--out")?)),
            "--bin" => options.bin = Some(PathBuf::from(value("--bin")?)),
            "--runs" => {
                let n = value("--runs")?;
                options.runs = Some(
                    n.parse()
                        .ok()
                        .filter(|&n: &usize| n > 0)
                        .ok_or_else(|| format!("--runs: not a positive number: {n}"))?,
                );
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}
