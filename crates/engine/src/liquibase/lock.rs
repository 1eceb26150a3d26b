//! Liquibase's lock: the one row of `DATABASECHANGELOGLOCK`, taken and released exactly as
//! Liquibase 4.28's `StandardLockService` does, so a tidemark run and a Liquibase run exclude
//! each other.
//!
//! * Acquire: `SELECT LOCKED … WHERE ID=1`; if it is not locked,
//!   `UPDATE … SET LOCKED = TRUE, LOCKEDBY = '<host> (<ip>)', LOCKGRANTED = NOW() WHERE ID = 1 AND
//!   LOCKED = FALSE`, committed at once; exactly one updated row means the lock is ours, none
//!   means someone else was faster.
//! * Wait: try again every `changelogLockPollRate` (10 s) until `changelogLockWaitTimeInMinutes`
//!   (5 min) has passed (one more try happens even with a wait of 0, as in Liquibase); then
//!   "Could not acquire change log lock.  Currently locked by … since …".
//! * Release: `UPDATE … SET LOCKED = FALSE, LOCKEDBY = NULL, LOCKGRANTED = NULL WHERE ID = 1`, on
//!   every path: success, error and panic.
//!
//! There is no expiry (Liquibase has none either): a killed process leaves the row locked until
//! `release-locks`. The tables are created when missing, with retries, because two processes
//! may race to create them.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::{Duration, Instant};

use super::session::Session;
use super::{Error, short_date};
use crate::driver::Value;

/// One held lock, as `list-locks` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockInfo {
    /// The row's ID (always 1 with Liquibase).
    pub id: i64,
    /// `LOCKEDBY`.
    pub locked_by: String,
    /// `LOCKGRANTED` as text.
    pub granted: String,
}

/// `LOCKEDBY` as Liquibase writes it: `<host name> (<address>)`, the address being the one the
/// host would use to reach the network (not loopback).
pub fn locked_by() -> String {
    format!("{} ({})", host_name(), host_address())
}

fn host_name() -> String {
    let from_file = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    from_file("/proc/sys/kernel/hostname")
        .or_else(|| from_file("/etc/hostname"))
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("COMPUTERNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "localhost".to_string())
}

/// The local address of a route to the outside, found by "connecting" a UDP socket (no packet
/// is sent); loopback when there is no route.
fn host_address() -> String {
    use std::net::UdpSocket;
    let probe = |bind: &str, target: &str| {
        let socket = UdpSocket::bind(bind).ok()?;
        socket.connect(target).ok()?;
        let ip = socket.local_addr().ok()?.ip();
        (!ip.is_loopback() && !ip.is_unspecified()).then(|| ip.to_string())
    };
    probe("0.0.0.0:0", "192.0.2.1:9")
        .or_else(|| probe("[::]:0", "[2001:db8::1]:9"))
        .unwrap_or_else(|| "127.0.0.1".to_string())
}

impl Session<'_> {
    /// Creates and initialises `DATABASECHANGELOGLOCK` when needed, retrying as Liquibase does
    /// when another process creates it at the same moment.
    pub(super) fn ensure_lock_table(&mut self) -> Result<(), Error> {
        let attempts = if self.dry.is_some() { 1 } else { 10 };
        let mut last = None;
        for attempt in 0..attempts {
            match self.try_ensure_lock_table() {
                Ok(()) => return Ok(()),
                Err(e) => {
                    if self.dry.is_none() {
                        let _ = self.driver.rollback();
                    }
                    last = Some(e);
                    if attempt + 1 < attempts {
                        let jitter = u64::from(std::process::id() % 7) * 97 + 100;
                        std::thread::sleep(Duration::from_millis(jitter));
                    }
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Lock("Could not create the lock table".into())))
    }

    fn try_ensure_lock_table(&mut self) -> Result<(), Error> {
        let mut created = false;
        if !self.lock_table_exists()? {
            // Where DDL is transactional, the table appears with its row or not at all, so a
            // concurrent run never sees (and re-initialises) an empty lock table.
            let atomic = self.dry.is_none() && self.driver.supports_ddl_transactions();
            if atomic {
                self.tx_begin()
                    .map_err(|e| Error::db("begin a transaction", e))?;
            }
            self.comment("Create Database Lock Table");
            let sql = self.tables.create_lock_table();
            self.exec(&sql)
                .map_err(|e| Error::db("create the lock table", e))?;
            if atomic {
                self.comment("Initialize Database Lock Table");
                for sql in self.tables.init_lock() {
                    self.exec(&sql)
                        .map_err(|e| Error::db("initialise the lock table", e))?;
                }
                self.tx_commit().map_err(|e| Error::db("commit", e))?;
                return Ok(());
            }
            created = true;
            if self.dry.is_some() {
                self.dry_created.lock = true;
            }
        }
        let initialised = if self.dry.is_some() && created {
            false
        } else {
            let sql = self.tables.count_lock_rows();
            let rows = self
                .driver
                .query(&sql, &[])
                .map_err(|e| Error::db("read the lock table", e))?;
            rows.first()
                .and_then(|r| r.first())
                .and_then(Value::as_i64)
                .unwrap_or(0)
                > 0
        };
        if !initialised {
            self.comment("Initialize Database Lock Table");
            let [delete, insert] = self.tables.init_lock();
            // The table was seen empty: Liquibase's DELETE could only remove the row a
            // concurrent run inserted (and locked) since, so only a dry run prints it. A
            // concurrent INSERT makes this one fail on the key, and the retry finds the row.
            if self.dry.is_some() {
                let _ = self.exec(&delete);
            }
            self.exec(&insert)
                .map_err(|e| Error::db("initialise the lock table", e))?;
        }
        Ok(())
    }

    /// One attempt: `Ok(true)` when the lock is now ours.
    fn try_lock(&mut self, by: &str) -> Result<bool, Error> {
        let sql = self.tables.select_locked();
        let rows = self
            .driver
            .query(&sql, &[])
            .map_err(|e| Error::db("read the lock table", e))?;
        let locked = rows
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if locked {
            return Ok(false);
        }
        let sql = self.tables.lock(by);
        let updated = self
            .driver
            .execute(&sql, &[])
            .map_err(|e| Error::db("take the changelog lock", e))?;
        if updated > 1 {
            return Err(Error::Lock(
                "Did not update change log lock correctly".into(),
            ));
        }
        Ok(updated == 1)
    }

    /// Takes the lock, waiting as Liquibase waits.
    pub(super) fn acquire_lock(&mut self) -> Result<(), Error> {
        let by = locked_by();
        if self.dry.is_some() {
            self.comment("Lock Database");
            let sql = self.tables.lock(&by);
            let _ = self.exec(&sql);
            return Ok(());
        }
        let give_up = Instant::now() + self.config.lock_wait;
        let mut locked = self.try_lock(&by)?;
        let mut told = false;
        while !locked {
            if !told {
                let holder = self
                    .list_locks()?
                    .into_iter()
                    .next()
                    .map(|l| {
                        format!(
                            " (locked by {} since {})",
                            l.locked_by,
                            short_date(&l.granted)
                        )
                    })
                    .unwrap_or_default();
                self.reporter
                    .info(&format!("Waiting for changelog lock....{holder}"));
                told = true;
            }
            std::thread::sleep(self.config.lock_poll);
            locked = self.try_lock(&by)?;
            if Instant::now() >= give_up {
                break;
            }
        }
        if !locked {
            let holder = match self.list_locks()?.into_iter().next() {
                Some(l) => format!("{} since {}", l.locked_by, short_date(&l.granted)),
                None => "UNKNOWN".to_string(),
            };
            return Err(Error::Lock(format!(
                "Could not acquire change log lock.  Currently locked by {holder}"
            )));
        }
        Ok(())
    }

    /// Releases the lock (recorded in a dry run).
    pub(super) fn release_lock(&mut self) -> Result<(), Error> {
        self.comment("Release Database Lock");
        let sql = self.tables.unlock();
        self.exec(&sql)
            .map(drop)
            .map_err(|e| Error::db("release the changelog lock", e))
    }

    /// Runs `work` holding the lock (waiting for it as Liquibase does); the lock is released on
    /// every path, a panic included. Every command that writes runs in here.
    pub fn with_lock<T>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.ensure_lock_table()?;
        self.acquire_lock()?;
        if let Some(header) = self.script_header.clone() {
            self.comment(&header);
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&mut *self)));
        if !matches!(outcome, Ok(Ok(_))) && self.dry.is_none() {
            // Whatever transaction the failure left open must not swallow the release.
            let _ = self.driver.rollback();
        }
        let released = self.release_lock();
        match outcome {
            Ok(Ok(value)) => released.map(|()| value),
            Ok(Err(e)) => Err(e),
            Err(panic) => resume_unwind(panic),
        }
    }

    /// The held locks (`list-locks`); empty when the lock table does not exist.
    pub fn list_locks(&mut self) -> Result<Vec<LockInfo>, Error> {
        if self.dry_created.lock || !self.lock_table_exists()? {
            return Ok(Vec::new());
        }
        let sql = self.tables.list_locks();
        let rows = self
            .driver
            .query(&sql, &[])
            .map_err(|e| Error::db("read the lock table", e))?;
        Ok(rows
            .into_iter()
            .map(|r| LockInfo {
                id: r.first().and_then(Value::as_i64).unwrap_or(1),
                granted: r.get(1).and_then(Value::as_text).unwrap_or_default(),
                locked_by: r.get(2).and_then(Value::as_text).unwrap_or_default(),
            })
            .collect())
    }

    /// `release-locks`: clears the lock row whoever holds it (for a lock a killed process left).
    pub fn release_locks(&mut self) -> Result<(), Error> {
        if !self.lock_table_exists()? {
            return Ok(());
        }
        let sql = self.tables.unlock();
        self.exec(&sql)
            .map(drop)
            .map_err(|e| Error::db("release the changelog lock", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_by_is_host_and_address() {
        let by = locked_by();
        assert!(by.contains(" (") && by.ends_with(')'), "{by}");
    }
}
