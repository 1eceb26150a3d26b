//! The five-stage change under load (issue 8): old application code keeps inserting and
//! updating through the old column of a 200,000-row PostgreSQL table while `migrate --phase
//! expand` and `--phase backfill` apply a generated rename plan. No write may fail and every row
//! must end with the new column equal to the old. The same writer against a one-step
//! `RENAME COLUMN` shows why the plan exists: it breaks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use tidemark_engine::driver::{Driver, Value};

use super::servers::{Db, poll_until};
use super::support::Project;

const ROWS: i64 = 200_000;

/// The old application: inserts and updates `accounts.username` until told to stop, counting
/// the writes that succeed and those that fail.
struct Writer {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    handle: thread::JoinHandle<Option<String>>,
}

impl Writer {
    fn start(url: &str) -> Writer {
        let options = tidemark_postgres::testing::parse_url(url).expect("test URL");
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let (stop2, ok2, failed2) = (stop.clone(), ok.clone(), failed.clone());
        let handle = thread::spawn(move || {
            let mut db =
                tidemark_postgres::PostgresDriver::connect(&options).expect("writer connects");
            let mut first = None;
            let mut n: i64 = 0;
            while !stop2.load(Ordering::Relaxed) {
                n += 1;
                let insert = db.execute(
                    "INSERT INTO accounts (username) VALUES ($1)",
                    &[Value::Text(format!("new-user-{n}"))],
                );
                let update = db.execute(
                    "UPDATE accounts SET username = $1 WHERE id = $2",
                    &[
                        Value::Text(format!("renamed-{n}")),
                        Value::Int(1 + (n * 7919) % ROWS),
                    ],
                );
                for result in [insert, update] {
                    match result {
                        Ok(_) => {
                            ok2.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failed2.fetch_add(1, Ordering::Relaxed);
                            first.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
            }
            first
        });
        Writer {
            stop,
            ok,
            failed,
            handle,
        }
    }

    /// Waits until the writer has done `more` further successful writes (it is really running).
    fn wait_for_writes(&self, more: u64) {
        let target = self.ok.load(Ordering::Relaxed) + more;
        poll_until("the writer to make progress", || {
            (self.ok.load(Ordering::Relaxed) >= target).then_some(())
        });
    }

    /// Stops the writer: (successful writes, failed writes, the first failure).
    fn stop(self) -> (u64, u64, Option<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let first = self.handle.join().expect("writer thread");
        (
            self.ok.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            first,
        )
    }
}

fn accounts(p: &Project) {
    p.migration(
        "V1__accounts.sql",
        &format!(
            "CREATE TABLE accounts (id bigserial PRIMARY KEY, username text NOT NULL);\nINSERT INTO accounts (username) SELECT 'user-' || i FROM generate_series(1, {ROWS}) AS i;\n"
        ),
    );
}

#[test]
fn a_generated_rename_plan_keeps_old_code_writing_through_expand_and_backfill() {
    let Some(db) = Db::postgres() else { return };
    let url = db.url();
    let p = Project::new();
    accounts(&p);
    p.run(&["migrate", "--url", &url]).ok();
    let plan = p
        .run(&[
            "plan",
            "rename-column",
            "accounts",
            "username",
            "login",
            "--dialect",
            "postgres",
            "--current-type",
            "text",
            "--batch-size",
            "5000",
        ])
        .ok();
    assert!(plan.stdout.contains("V2__"), "{}", plan.stdout);

    let writer = Writer::start(&url);
    writer.wait_for_writes(50);
    let expand = p.run(&["migrate", "--url", &url, "--phase", "expand"]).ok();
    assert!(
        expand.stdout.contains("Stopping before V3__"),
        "{}",
        expand.stdout
    );
    writer.wait_for_writes(50);
    let backfill = p
        .run(&["migrate", "--url", &url, "--phase", "backfill"])
        .ok();
    assert!(backfill.stdout.contains("complete"), "{}", backfill.stdout);
    writer.wait_for_writes(50);
    let (ok, failed, first) = writer.stop();

    assert_eq!(
        failed,
        0,
        "old code failed {failed} of {} writes; first: {first:?}",
        ok + failed
    );
    assert!(ok > 150, "the writer really ran: {ok} writes");
    let total = db.count("SELECT count(*) FROM accounts", &[]);
    assert!(total >= ROWS);
    let diverged = db.count(
        "SELECT count(*) FROM accounts WHERE login IS DISTINCT FROM username",
        &[],
    );
    assert_eq!(diverged, 0, "every row ends with login = username");
    assert_eq!(
        db.history().len(),
        3,
        "V1, expand, backfill applied; contract waits for the code"
    );
}

#[test]
fn a_one_step_rename_breaks_the_running_writer() {
    let Some(db) = Db::postgres() else { return };
    let url = db.url();
    let p = Project::new();
    accounts(&p);
    p.run(&["migrate", "--url", &url]).ok();
    p.migration(
        "V2__rename.sql",
        "ALTER TABLE accounts RENAME COLUMN username TO login;\n",
    );

    let writer = Writer::start(&url);
    writer.wait_for_writes(50);
    p.run(&["migrate", "--url", &url]).ok();
    poll_until("old code to hit the renamed column", || {
        (writer.failed.load(Ordering::Relaxed) > 0).then_some(())
    });
    let (_, failed, first) = writer.stop();
    assert!(failed > 0, "a one-step rename must break old code");
    let first = first.unwrap_or_default();
    assert!(
        first.contains("username"),
        "the failure names the old column: {first}"
    );
}
