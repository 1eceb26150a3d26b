//! Liquibase's lock through the engine on SQLite: released after an error and after a panic,
//! waited for and reported when someone else holds it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use tidemark_engine::Collect;
use tidemark_engine::liquibase::{Config, Error, Session};
use tidemark_sqlite::SqliteDriver;

fn is_locked(s: &mut Session<'_>) -> bool {
    let sql = s.tables().select_locked();
    s.driver().query(&sql, &[]).unwrap()[0][0]
        .as_bool()
        .unwrap()
}

#[test]
fn the_lock_is_released_after_errors_and_panics() {
    let mut driver = SqliteDriver::memory().unwrap();
    let config = Config::default();
    let mut log = Collect::default();
    let mut s = Session::new(&mut driver, &config, &mut log).unwrap();
    let err = s
        .with_lock(|s| -> Result<(), Error> {
            assert!(is_locked(s));
            Err(Error::Lock("boom".into()))
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "boom");
    assert!(!is_locked(&mut s));
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        let _ = s.with_lock(|_| -> Result<(), Error> { panic!("in the work") });
    }));
    assert!(panicked.is_err());
    assert!(!is_locked(&mut s));
    assert_eq!(s.with_lock(|_| Ok(7)).unwrap(), 7);
    assert!(!is_locked(&mut s));
}

#[test]
fn a_held_lock_is_waited_for_then_reported() {
    let mut driver = SqliteDriver::memory().unwrap();
    let config = Config {
        lock_wait: Duration::ZERO,
        lock_poll: Duration::from_millis(10),
        ..Config::default()
    };
    let mut log = Collect::default();
    {
        let mut s = Session::new(&mut driver, &config, &mut log).unwrap();
        // Creates and initialises the lock table.
        s.with_lock(|_| Ok(())).unwrap();
        let sql = s.tables().lock("otherhost (10.0.0.9)");
        assert_eq!(s.driver().execute(&sql, &[]).unwrap(), 1);
        let err = s.with_lock(|_| Ok(())).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "Could not acquire change log lock.  Currently locked by otherhost (10.0.0.9) since "
            ),
            "{err}"
        );
        // Still held by the other one: a failed attempt releases nothing.
        assert!(is_locked(&mut s));
        let locks = s.list_locks().unwrap();
        assert_eq!(locks.len(), 1);
        assert_eq!(locks[0].locked_by, "otherhost (10.0.0.9)");
        s.release_locks().unwrap();
        assert!(!is_locked(&mut s));
    }
    assert!(
        log.info
            .iter()
            .any(|l| l.starts_with("Waiting for changelog lock.... (locked by otherhost")),
        "{:?}",
        log.info
    );
}
