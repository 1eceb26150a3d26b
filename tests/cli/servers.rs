//! The binary against PostgreSQL and MariaDB: concurrency, lock interop, crash safety, errors
//! and password masking (filled in with the server drivers).
