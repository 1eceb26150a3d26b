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

# Benchmarks against the local servers (W1 apply, W2 nothing to do, W3 10,000 files), each beside
# its floor (psql / sqlite3 / mariadb); prints a Markdown table. `just bench --quick --only W2`.
bench *ARGS:
    cargo run --release -p xtask -- bench {{ARGS}}
