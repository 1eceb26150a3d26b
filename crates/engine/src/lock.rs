//! Flyway's migration lock, computed exactly as Flyway computes it (reference §10), so a
//! tidemark run and a concurrently running Flyway exclude each other.
//!
//! The identity is derived from the quoted history table name with Java's `String.hashCode`:
//! PostgreSQL advisory key `0x466C79776179 + hash("\"schema\".\"table\"")`, MySQL/MariaDB lock
//! name `Flyway-<hash("`db`.`table`")>`. The runner takes it with [`acquire`] and releases it on
//! every path, including a panic in the work.

use std::time::Duration;

use crate::driver::{Driver, LockId};
use crate::error::Error;
use crate::history_table::quote;
use tidemark_sql::Dialect;

/// Java's `String.hashCode`: `h = 31*h + c` over UTF-16 code units, wrapping at 32 bits.
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Flyway's lock identity for a history table.
pub fn flyway_lock_id(schema: &str, table: &str) -> LockId {
    let pg = format!(
        "{}.{}",
        quote(Dialect::Postgres, schema),
        quote(Dialect::Postgres, table)
    );
    let my = format!(
        "{}.{}",
        quote(Dialect::Mysql, schema),
        quote(Dialect::Mysql, table)
    );
    LockId {
        key: 0x466C_7977_6179_i64 + i64::from(java_hash(&pg)),
        name: format!("Flyway-{}", java_hash(&my)),
    }
}

/// Takes the lock, retrying once a second up to `retries` times (`-1`: forever). `on_wait` is
/// told each failed attempt so the user sees why nothing happens.
pub fn acquire(
    driver: &mut dyn Driver,
    id: &LockId,
    retries: i64,
    mut on_wait: impl FnMut(u64),
) -> Result<(), Error> {
    let mut attempt: u64 = 0;
    loop {
        match driver.try_lock(id) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                if retries >= 0 && attempt >= retries.unsigned_abs() {
                    return Err(Error::Lock(format!(
                        "Number of retries exceeded while attempting to acquire the migration lock ({} / advisory key {}). Configure the number of retries with the 'lockRetryCount' configuration option",
                        id.name, id.key
                    )));
                }
                attempt += 1;
                on_wait(attempt);
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(e) => return Err(Error::db("take the migration lock", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_flyway_reference_values() {
        // Reference §10: "public"."flyway_schema_history" -> hash 2125624436 -> key 77433833903597.
        assert_eq!(
            java_hash("\"public\".\"flyway_schema_history\""),
            2125624436
        );
        assert_eq!(
            flyway_lock_id("public", "flyway_schema_history").key,
            77433833903597
        );
        // Reference §10: `mydb`.`flyway_schema_history` -> Flyway-278632207.
        assert_eq!(
            flyway_lock_id("mydb", "flyway_schema_history").name,
            "Flyway-278632207"
        );
    }

    #[test]
    fn java_hash_wraps_and_uses_utf16_units() {
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("a"), 97);
        // A character outside the BMP is two UTF-16 units.
        assert_eq!(java_hash("😀"), 0xD83D * 31 + 0xDE00);
        let long = "x".repeat(100);
        let _ = java_hash(&long); // wraps without overflow panic in debug builds
    }
}
