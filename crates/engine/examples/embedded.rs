//! Migrating at start-up: an application applies its pending migrations to its own database
//! before it serves anything, through the library (no `tidemark` binary, no JVM).
//!
//! It migrates the repository's example project (`migrations/`) into an SQLite database, the way
//! `tidemark migrate` would, and writes the same Flyway history table, so the `tidemark` binary
//! (or Flyway) can run `info` or `validate` on the result. A second run finds nothing to do.
//!
//! ```sh
//! cargo run -p tidemark-engine --example embedded                  # a database in the temp folder
//! cargo run -p tidemark-engine --example embedded -- app.db        # or this file
//! cargo run -p tidemark-engine --example embedded -- app.db sql/   # and these migrations
//! ```

use std::path::PathBuf;

use tidemark_engine::{Config, Driver, Engine, Reporter};
use tidemark_ledger::source::FsSource;
use tidemark_sqlite::SqliteDriver;

/// Where the engine's progress lines go: an application hands them to its logger.
struct Log;

impl Reporter for Log {
    fn info(&mut self, line: &str) {
        eprintln!("[migrate] {line}");
    }

    fn warn(&mut self, line: &str) {
        eprintln!("[migrate] WARNING: {line}");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let database = args
        .next()
        .unwrap_or_else(|| std::env::temp_dir().join("tidemark-embedded-example.db"));
    let migrations = args
        .next()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations"));

    // The three pieces: a connection, where the files are, and the settings (Flyway's defaults:
    // table flyway_schema_history, validate before migrating, one transaction per migration).
    let mut driver = SqliteDriver::open(&database)?;
    let source = FsSource::new(vec![migrations], true);
    let mut config = Config::default();
    // The example project's one placeholder (tidemark.toml sets it for the binary).
    config
        .resolve
        .placeholders
        .set("shop_name", "Tidemark Coffee");

    // Takes the migration lock, validates, applies what is pending, releases the lock. A failed
    // migration is rolled back and its error names the file and line; `?` stops the start-up.
    let report = Engine::new(&mut driver, &source, &config, &mut Log)?.migrate()?;

    match &report.target_version {
        Some(version) => println!(
            "Applied {} migration(s) to {}: now at version {version}",
            report.applied.len(),
            database.display()
        ),
        None => println!(
            "{} is up to date at version {}",
            database.display(),
            report.initial_version
        ),
    }
    // The application goes on with the same connection.
    let customers = driver.query("SELECT count(*) FROM customers", &[])?;
    println!(
        "customers: {}",
        customers[0][0].as_i64().unwrap_or_default()
    );
    Ok(())
}
