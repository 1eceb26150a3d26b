//! Database URLs: every form users bring from Flyway, Liquibase and libpq, parsed into one type,
//! and masked before any of it reaches a message.
