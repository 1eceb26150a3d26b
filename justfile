# Convenience recipes; each is a plain cargo command you can run without just.

# Format check and lints, as CI runs them.
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Every test (database suites skip with a message when no server is reachable).
test:
    cargo test --workspace

# Every test, with PostgreSQL and MariaDB required (what CI does).
test-db:
    TIDEMARK_REQUIRE_DB=1 cargo test --workspace

# Migrate the example project into ./tidemark.db and show the result.
demo:
    cargo run --release -p tidemark -- migrate
    cargo run --release -p tidemark -- info
