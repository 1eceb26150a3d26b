//! `rehearse`, `schema dump` and `drift` through the binary, on the real servers (skipped with a
//! note when a server is unreachable, unless `TIDEMARK_REQUIRE_DB=1`) and on SQLite.
//!
//! Nothing here asserts how long anything took: the rehearsal tests check what was observed (a
//! rewrite, a lock mode, that a lock held to commit was held at least as long as its
//! statement ran), and that the target is exactly as before (schema dump, row counts,
//! history), and that the scratch database is gone.

mod drift;
mod postgres;
mod servers;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::Project;

/// The statements of a rehearsal's JSON report, as `(script, statement)` pairs.
pub fn statements(report: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    report["migrations"]
        .as_array()
        .expect("migrations")
        .iter()
        .flat_map(|m| {
            let script = m["script"].as_str().unwrap().to_string();
            m["statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| (script.clone(), s.clone()))
        })
        .collect()
}

/// The one statement of `script` in a rehearsal report.
#[track_caller]
pub fn statement_of(report: &serde_json::Value, script: &str) -> serde_json::Value {
    let found: Vec<_> = statements(report)
        .into_iter()
        .filter(|(s, _)| s == script)
        .map(|(_, st)| st)
        .collect();
    assert_eq!(found.len(), 1, "{script} in {report:#}");
    found.into_iter().next().unwrap()
}

/// `tidemark schema dump` of the project's database, as text.
pub fn schema_dump(p: &Project, connection: &[&str]) -> String {
    let mut args = vec!["schema", "dump"];
    args.extend_from_slice(connection);
    p.run(&args).ok().stdout
}

/// Loads `html` in headless Chromium and returns the DOM it built; `None` (with a note on
/// stderr) when Chromium is not installed.
pub fn chromium_dom(html: &Path) -> Option<String> {
    let binary = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::env::var_os("PATH")
                .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(b).is_file()))
        });
    let Some(binary) = binary else {
        eprintln!(
            "skipping the HTML report check in Chromium: no chromium on the PATH (apt-get install -y chromium)"
        );
        return None;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
            &format!("file://{}", html.display()),
        ])
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // A generous deadline: only a hang reaches it.
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("chromium did not finish loading {}", html.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(std::fs::read_to_string(out.path()).unwrap())
}
