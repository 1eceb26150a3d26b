//! The PostgreSQL driver.
//!
//! Speaks through the synchronous `postgres` crate (TLS through rustls, see `tls`), one session
//! for everything the engine does, so that a migration, its history row and the lock all live
//! where Flyway puts them. Flyway compatibility sets the details:
//!
//! - The lock is Flyway's advisory key (computed by the engine) taken with
//!   `pg_try_advisory_lock` on the migration session. Advisory locks share one key space, so a
//!   running Flyway (which takes the transactional form of the same key) excludes us and we
//!   exclude it. With `transactional_lock`, the key is taken with `pg_try_advisory_xact_lock` in
//!   a transaction held open on a second, dedicated session, as Flyway does, so the engine's own
//!   transactions on the migration session stay independent of the lock. That transaction is
//!   opened with the simple protocol so it holds no snapshot, or `CREATE INDEX CONCURRENTLY` in
//!   a migration would wait for it forever (the hang of flyway#3497).
//! - Statements without parameters go through the simple query protocol, so a migration may be
//!   anything psql would run: `DO` blocks, `SELECT set_config(...)`, statements returning rows.
//!   `COPY ... FROM STDIN` arrives as the command, a NUL, then the data (the splitter's
//!   convention) and is streamed with `copy_in`.
//! - Parameters and results are converted by type (see `value`): the `postgres` crate binds a
//!   parameter only as the type the server inferred, and the history table's `INT` columns want
//!   an `int4` where the engine holds an `i64`.
//! - A migration's statements go to the server in one simple-query batch when they run inside a
//!   transaction ([`Driver::execute_script`]), behind a savepoint: when the batch fails, the
//!   driver rolls back to the savepoint and runs the statements one by one to find the one that
//!   fails, so the error still names its line. The parameterised statements the engine repeats
//!   (history and companion rows) are prepared once per session.
//! - Round trips are what a no-op run costs, so a session is set up in one (the timeouts, the
//!   `search_path` and the facts the engine asks for first: schema, user, database, version),
//!   and parameterised SELECTs go in one (`query_typed`: parse, bind and execute together, the
//!   server inferring the parameter types as a prepare would) instead of prepare + execute.
//! - Errors carry the SQLSTATE and the server's message with its detail, hint and position, as
//!   pgjdbc prints them; connection errors name the server and user, never the password.
#![deny(missing_docs)]

mod connect;
pub mod testing;
mod tls;
mod value;

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use postgres::error::ErrorPosition;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{Kind, ToSql, Type};
use postgres::{Client, SimpleQueryMessage};
use tidemark_engine::driver::{DbError, Dialect, Driver, LockId, Row, Value};

use crate::connect::Settings;
use crate::value::{Decoder, Param, Raw};

/// How to connect. The CLI fills this from the URL and the settings (flags and environment win
/// over the URL for user and password).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Host name or address.
    pub host: String,
    /// Port (5432).
    pub port: u16,
    /// Database; `None` uses the user name, as libpq does.
    pub database: Option<String>,
    /// User; `None` uses `PGUSER`, then the OS user name.
    pub user: Option<String>,
    /// Password; `None` uses `PGPASSWORD`, then no password.
    pub password: Option<String>,
    /// `sslmode`: `disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`.
    pub sslmode: Option<String>,
    /// Other URL parameters (`currentSchema`, `connect_timeout`, `application_name`, ...).
    pub params: Vec<(String, String)>,
    /// `lock_timeout` for the session.
    pub lock_timeout: Option<Duration>,
    /// `statement_timeout` for the session.
    pub statement_timeout: Option<Duration>,
    /// Take Flyway's lock as a transaction-level advisory lock (`postgresql.transactional.lock`).
    pub transactional_lock: bool,
}

/// A session with one PostgreSQL database.
pub struct PostgresDriver {
    client: Client,
    settings: Settings,
    /// The `search_path` right after connecting; [`Driver::set_current_schema`] puts the
    /// migration schema in front of it, as Flyway does.
    search_path: String,
    transactional_lock: bool,
    /// `transactional_lock`: the dedicated session whose open transaction holds the lock.
    lock_session: Option<Client>,
    /// `transactional_lock`: how many times the held lock was taken (it is re-entrant, like the
    /// session-level lock).
    lock_depth: u32,
    /// Prepared statements of parameterised [`Driver::execute`] calls, by SQL text: the engine
    /// inserts a history row and a companion row per migration with the same two statements.
    prepared: HashMap<String, postgres::Statement>,
    /// A transaction begun with [`Driver::begin`] is open (a script may then be batched).
    in_transaction: bool,
    /// A statement controlled transactions (a script's `BEGIN` or `COMMIT`): whether one is
    /// open is not known until the engine's own commit or rollback.
    transaction_unknown: bool,
    /// What the session setup read, answered without a round trip until something runs that
    /// could change it.
    facts: Facts,
}

/// Session facts read while connecting.
#[derive(Debug, Clone, Default)]
struct Facts {
    /// `current_schema()`; `None` once a statement may have changed it.
    schema: Option<Option<String>>,
    /// `current_user`; `None` once a statement may have changed it (`SET ROLE`).
    user: Option<String>,
    /// `current_database()`: fixed for the session.
    database: String,
    /// `server_version`: fixed for the session.
    version: String,
}

/// How many parameterised statements [`PostgresDriver`] keeps prepared.
const PREPARED_CACHE: usize = 32;

/// SQLSTATE `undefined_table`.
const UNDEFINED_TABLE: &str = "42P01";
/// SQLSTATE `invalid_schema_name`.
const INVALID_SCHEMA: &str = "3F000";

/// The savepoint a batched script runs behind.
const SCRIPT_SAVEPOINT: &str = "tidemark_script";

impl PostgresDriver {
    /// Connects and prepares the session: `lock_timeout` and `statement_timeout` from the
    /// options, `currentSchema` as the `search_path`, `application_name=tidemark` unless the
    /// URL names one.
    pub fn connect(options: &ConnectOptions) -> Result<PostgresDriver, DbError> {
        let settings = Settings::new(options)?;
        let mut client = settings.open()?;
        let (search_path, facts) =
            prepare_session(&mut client, &settings).map_err(|e| settings.failed(e))?;
        Ok(PostgresDriver {
            client,
            settings,
            search_path,
            transactional_lock: options.transactional_lock,
            lock_session: None,
            lock_depth: 0,
            prepared: HashMap::new(),
            in_transaction: false,
            transaction_unknown: false,
            facts,
        })
    }

    /// Something runs that may change the schema or the user: ask the server next time.
    fn forget_facts(&mut self) {
        self.facts.schema = None;
        self.facts.user = None;
    }

    /// The prepared statement for `sql`, prepared on first use.
    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(|e| db_error(&e))?;
        if self.prepared.len() >= PREPARED_CACHE {
            self.prepared.clear();
        }
        self.prepared.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Runs SQL through the simple query protocol; returns the rows affected.
    fn simple(&mut self, sql: &str) -> Result<u64, DbError> {
        let messages = self.client.simple_query(sql).map_err(|e| db_error(&e))?;
        Ok(messages
            .iter()
            .map(|m| match m {
                SimpleQueryMessage::CommandComplete(n) => *n,
                _ => 0,
            })
            .sum())
    }

    /// `COPY ... FROM STDIN` with its data.
    fn copy_in(&mut self, command: &str, data: &str) -> Result<u64, DbError> {
        let mut writer = self.client.copy_in(command).map_err(|e| db_error(&e))?;
        if let Err(e) = writer.write_all(data.as_bytes()) {
            return Err(
                match e
                    .get_ref()
                    .and_then(|e| e.downcast_ref::<postgres::Error>())
                {
                    Some(pg) => db_error(pg),
                    None => DbError::new(format!("COPY failed: {e}")),
                },
            );
        }
        writer.finish().map_err(|e| db_error(&e))
    }

    /// Runs a statement with parameters through the extended protocol and decodes the rows.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        if !params.is_empty() && first_keyword_is(sql, "SELECT") {
            if let Some(rows) = self.rows_at_once(sql, params)? {
                return Ok(rows);
            }
        }
        self.rows_prepared(sql, params)
    }

    /// A SELECT in one round trip (no prepare). The parameters go untyped (OID 0) as text, so
    /// the server infers their types as a prepare would. `None` when a column has a type this
    /// driver cannot decode (the query then goes the prepared way, which casts it).
    fn rows_at_once(&mut self, sql: &str, params: &[Value]) -> Result<Option<Vec<Row>>, DbError> {
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let unspecified = Type::new("unspecified".into(), 0, Kind::Pseudo, "pg_catalog".into());
        // Row by row as they arrive: each is decoded and its buffer let go at once, instead of
        // holding the server's whole answer and the decoded rows side by side.
        let mut stream = self
            .client
            .query_typed_raw(sql, params.iter().map(|p| (p, unspecified.clone())))
            .map_err(|e| db_error(&e))?;
        let mut rows = Vec::new();
        // The columns' decoders, from the first row; `None` inside when some type is not read
        // here.
        let mut decoders: Option<Option<Vec<Decoder>>> = None;
        while let Some(row) = stream.next().map_err(|e| db_error(&e))? {
            let decoders = decoders.get_or_insert_with(|| decoders_for(row.columns()));
            if let Some(decoders) = decoders {
                rows.push(decode_row(&row, decoders)?);
            }
            // Otherwise the rest is read and dropped: the query goes the prepared way.
        }
        let readable = decoders.map(|d| d.is_some());
        Ok(readable.unwrap_or(true).then_some(rows))
    }

    /// Prepares, then runs: the column types are known before any row is read, and a column
    /// this driver cannot decode is cast to text by the server.
    fn rows_prepared(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let statement = self.client.prepare(sql).map_err(|e| db_error(&e))?;
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let columns = statement.columns();
        if let Some(decoders) = decoders_for(columns) {
            let rows = self
                .client
                .query(&statement, &refs)
                .map_err(|e| db_error(&e))?;
            return rows.iter().map(|row| decode_row(row, &decoders)).collect();
        }
        // Some column has a type not decoded here: let the server cast those to text.
        let names: Vec<String> = (1..=columns.len()).map(|i| format!("c{i}")).collect();
        let select: Vec<String> = columns
            .iter()
            .zip(&names)
            .map(|(c, name)| {
                if value::readable(c.type_()) {
                    name.clone()
                } else {
                    format!("{name}::text")
                }
            })
            .collect();
        let body = sql.trim_end().trim_end_matches(';');
        let wrapped = format!(
            "WITH tidemark_q ({}) AS (\n{body}\n) SELECT {} FROM tidemark_q",
            names.join(", "),
            select.join(", ")
        );
        let rows = self.client.query(&wrapped, &refs).map_err(|e| {
            let column = columns
                .iter()
                .find(|c| !value::readable(c.type_()))
                .map(|c| format!("column \"{}\" of type {}", c.name(), c.type_()))
                .unwrap_or_default();
            DbError {
                code: None,
                message: format!(
                    "cannot read {column}, and the query cannot be wrapped to cast it to text ({})",
                    db_error(&e).message
                ),
            }
        })?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let decoders = decoders_for(first.columns()).ok_or_else(|| {
            DbError::new(
                "the server sent a column type this driver cannot read after a cast to text",
            )
        })?;
        rows.iter().map(|row| decode_row(row, &decoders)).collect()
    }

    /// The first column of the first row (NULL when there is none).
    fn scalar(&mut self, sql: &str, params: &[Value]) -> Result<Value, DbError> {
        if params.is_empty() {
            // One round trip (the simple protocol) instead of prepare + execute; the value
            // arrives as text, which every caller reads back with `as_text` / `as_i64` /
            // `as_bool`.
            let messages = self.client.simple_query(sql).map_err(|e| db_error(&e))?;
            return Ok(messages
                .iter()
                .find_map(|m| match m {
                    SimpleQueryMessage::Row(row) => Some(
                        row.get(0)
                            .map_or(Value::Null, |v| Value::Text(v.to_string())),
                    ),
                    _ => None,
                })
                .unwrap_or(Value::Null));
        }
        Ok(self
            .rows(sql, params)?
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
            .unwrap_or(Value::Null))
    }

    /// `transactional_lock`: takes the key in a transaction on the dedicated lock session.
    fn try_xact_lock(&mut self, id: &LockId) -> Result<bool, DbError> {
        if self.lock_depth > 0 {
            self.lock_depth += 1;
            return Ok(true);
        }
        let mut session = match self.lock_session.take() {
            Some(session) if !session.is_closed() => session,
            _ => {
                let mut session = self.settings.open()?;
                // The lock lives as long as the transaction: a server-side idle timeout must not
                // end it while a long migration runs on the other session (PostgreSQL 9.6+;
                // older servers do not know the setting and need nothing).
                let _ = session.batch_execute("SET idle_in_transaction_session_timeout = 0");
                session
            }
        };
        // The simple protocol, not a prepared statement: an extended-protocol portal keeps its
        // snapshot until the transaction ends, and CREATE INDEX CONCURRENTLY on the migration
        // session would wait for that snapshot forever (Flyway's hang, flyway#3497).
        let taken = session
            .simple_query(&format!(
                "BEGIN; SELECT pg_try_advisory_xact_lock({})",
                id.key
            ))
            .map_err(|e| db_error(&e))
            .map(|messages| {
                messages
                    .iter()
                    .any(|m| matches!(m, SimpleQueryMessage::Row(row) if row.get(0) == Some("t")))
            });
        match taken {
            Ok(true) => {
                self.lock_depth = 1;
                self.lock_session = Some(session);
                Ok(true)
            }
            Ok(false) => {
                session
                    .batch_execute("ROLLBACK")
                    .map_err(|e| db_error(&e))?;
                self.lock_session = Some(session);
                Ok(false)
            }
            // The session is dropped: closing it ends any transaction it had.
            Err(e) => Err(e),
        }
    }

    /// `transactional_lock`: commits the lock session's transaction, which releases the key.
    fn release_xact_lock(&mut self) -> Result<(), DbError> {
        match self.lock_depth {
            0 => Err(DbError::new(
                "Unable to release PostgreSQL advisory lock: it is not held",
            )),
            1 => {
                self.lock_depth = 0;
                let session = self.lock_session.as_mut().ok_or_else(|| {
                    DbError::new("Unable to release PostgreSQL advisory lock: its session is gone")
                })?;
                session.batch_execute("COMMIT").map_err(|e| {
                    let e = db_error(&e);
                    self.lock_session = None;
                    DbError {
                        code: e.code,
                        message: format!(
                            "Unable to release PostgreSQL advisory lock: {}",
                            e.message
                        ),
                    }
                })
            }
            _ => {
                self.lock_depth -= 1;
                Ok(())
            }
        }
    }

    /// Every object `clean` drops, with the statement that drops it, in dropping order.
    fn droppable(&mut self, schema: &str) -> Result<Vec<(u8, String)>, DbError> {
        let version = self
            .scalar("SELECT current_setting('server_version_num')::int", &[])?
            .as_i64()
            .unwrap_or(0);
        let prokind = if version >= 110_000 {
            "p.prokind::text"
        } else {
            "CASE WHEN p.proisagg THEN 'a' WHEN p.proiswindow THEN 'w' ELSE 'f' END"
        };
        // Objects of an extension (`e`) are the extension's business; types and functions that
        // are part of another object (`i`: array and row types, range constructors) go with it.
        // (Relations are only checked for `e`: partitioned tables have an `i` entry of their
        // own, and identity sequences, also `i`, are gone with their table before their turn.)
        let independent = |catalog: &str, alias: &str, kinds: &str| {
            format!(
                "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.{catalog}'::regclass AND d.objid = {alias}.oid AND d.deptype IN ({kinds}))"
            )
        };
        let sql = format!(
            "SELECT 'rel:' || c.relkind::text, c.relname::text, '' \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND {} \
             UNION ALL \
             SELECT 'proc:' || {prokind}, p.proname::text, pg_catalog.pg_get_function_identity_arguments(p.oid) \
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = $1 AND {} \
             UNION ALL \
             SELECT 'type:' || t.typtype::text, t.typname::text, '' \
             FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = $1 \
             AND {} \
             AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c')) \
             ORDER BY 1, 2, 3",
            independent("pg_class", "c", "'e'"),
            independent("pg_proc", "p", "'e', 'i'"),
            independent("pg_type", "t", "'e', 'i'"),
        );
        let s = quote(schema);
        let mut out = Vec::new();
        for row in self.rows(&sql, &[Value::Text(schema.to_string())])? {
            let text = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
            let (kind, name, args) = (text(0), quote(&text(1)), text(2));
            let (order, what) = match kind.as_str() {
                "rel:m" => (0, "MATERIALIZED VIEW"),
                "rel:v" => (1, "VIEW"),
                "rel:r" | "rel:p" => (2, "TABLE"),
                "rel:f" => (2, "FOREIGN TABLE"),
                "rel:S" => (3, "SEQUENCE"),
                "proc:a" => (4, "AGGREGATE"),
                "proc:p" => (5, "PROCEDURE"),
                "proc:f" | "proc:w" => (5, "FUNCTION"),
                "type:d" => (6, "DOMAIN"),
                _ if kind.starts_with("type:") => (7, "TYPE"),
                _ => continue,
            };
            let target = if kind.starts_with("proc:") {
                format!("{s}.{name}({args})")
            } else {
                format!("{s}.{name}")
            };
            out.push((order, format!("DROP {what} IF EXISTS {target} CASCADE")));
        }
        out.sort_by_key(|(order, _)| *order);
        Ok(out)
    }
}

/// Applies the session settings in one round trip; returns the resulting `search_path` and
/// the session's facts.
fn prepare_session(client: &mut Client, settings: &Settings) -> Result<(String, Facts), DbError> {
    let millis = |d: Duration| format!("'{}ms'", d.as_millis());
    let mut batch = String::new();
    if let Some(timeout) = settings.lock_timeout {
        batch.push_str(&format!("SET lock_timeout = {};\n", millis(timeout)));
    }
    if let Some(timeout) = settings.statement_timeout {
        batch.push_str(&format!("SET statement_timeout = {};\n", millis(timeout)));
    }
    if let Some(path) = &settings.search_path {
        batch.push_str(&format!(
            "SELECT set_config('search_path', {}, false);\n",
            literal(path)
        ));
    }
    batch.push_str(
        "SELECT current_setting('search_path'), current_schema(), current_user, \
         current_database(), current_setting('server_version')",
    );
    let messages = client.simple_query(&batch).map_err(|e| db_error(&e))?;
    let row = messages
        .iter()
        .rev()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(row),
            _ => None,
        })
        .ok_or_else(|| DbError::new("the session setup returned no row"))?;
    let text = |i: usize| row.get(i).map(str::to_string);
    Ok((
        text(0).unwrap_or_default(),
        Facts {
            schema: Some(text(1)),
            user: Some(text(2).unwrap_or_default()),
            database: text(3).unwrap_or_default(),
            version: text(4).unwrap_or_default(),
        },
    ))
}

/// A string literal that reads the same whatever `standard_conforming_strings` says.
fn literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// One decoder per column, or `None` when some column's type is not read here.
fn decoders_for(columns: &[postgres::Column]) -> Option<Vec<Decoder>> {
    columns
        .iter()
        .map(|c| Decoder::for_type(c.type_()))
        .collect()
}

fn decode_row(row: &postgres::Row, decoders: &[Decoder]) -> Result<Row, DbError> {
    let columns = row.columns();
    let mut values = Vec::with_capacity(columns.len());
    for (i, (column, decoder)) in columns.iter().zip(decoders).enumerate() {
        let raw: Raw<'_> = row.try_get(i).map_err(|e| db_error(&e))?;
        values.push(decoder.decode(column.type_(), raw.0).map_err(|why| {
            DbError::new(format!("cannot read column \"{}\": {why}", column.name()))
        })?);
    }
    Ok(values)
}

/// Whether a statement starts or ends a transaction or a savepoint (its first keyword, after
/// blank space and comments): such a script is not batched.
fn controls_transaction(sql: &str) -> bool {
    matches!(
        first_keyword(sql).as_str(),
        "BEGIN"
            | "START"
            | "COMMIT"
            | "END"
            | "ROLLBACK"
            | "ABORT"
            | "SAVEPOINT"
            | "RELEASE"
            | "PREPARE"
    )
}

/// Whether the statement's first keyword is `keyword` (upper case).
fn first_keyword_is(sql: &str, keyword: &str) -> bool {
    first_keyword(sql) == keyword
}

/// The first keyword of a statement, after blank space and comments, in upper case.
fn first_keyword(sql: &str) -> String {
    let mut rest = sql;
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix("--") {
            rest = comment.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            rest = comment.split_once("*/").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    rest.chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Quotes an identifier, doubling embedded quotes.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// A `postgres` error as the engine sees it: the SQLSTATE and the server's own words (with
/// detail, hint, position and context, as pgjdbc prints them), or the client's description.
pub(crate) fn db_error(e: &postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let mut message = db.message().to_string();
        if let Some(detail) = db.detail() {
            message.push_str(&format!("\n  Detail: {detail}"));
        }
        if let Some(hint) = db.hint() {
            message.push_str(&format!("\n  Hint: {hint}"));
        }
        match db.position() {
            Some(ErrorPosition::Original(p)) => message.push_str(&format!("\n  Position: {p}")),
            Some(ErrorPosition::Internal { position, .. }) => {
                message.push_str(&format!("\n  Internal Position: {position}"))
            }
            None => {}
        }
        if let Some(context) = db.where_() {
            message.push_str(&format!("\n  Where: {context}"));
        }
        return DbError {
            code: Some(db.code().code().to_string()),
            message,
        };
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    DbError {
        code: e.code().map(|c| c.code().to_string()),
        message,
    }
}

impl Driver for PostgresDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn server_version(&mut self) -> Result<String, DbError> {
        // `15.4 (Debian 15.4-1.pgdg120+1)` -> `15.4`.
        let number = self
            .facts
            .version
            .split_whitespace()
            .next()
            .unwrap_or_default();
        Ok(format!("PostgreSQL {number}"))
    }

    fn supports_ddl_transactions(&self) -> bool {
        true
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        self.forget_facts();
        if let Some((command, data)) = sql.split_once('\0') {
            if !params.is_empty() {
                return Err(DbError::new("COPY FROM STDIN takes no parameters"));
            }
            return self.copy_in(command, data);
        }
        if params.is_empty() {
            if controls_transaction(sql) {
                // COMMIT / BEGIN in a script: what is open is no longer known; batch nothing
                // until the engine's own commit or rollback.
                self.in_transaction = false;
                self.transaction_unknown = true;
            }
            return self.simple(sql);
        }
        let statement = self.prepared(sql)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client.execute(&statement, &refs).map_err(|e| {
            // Prepared again next time: the error may be the statement's own (DEALLOCATE ALL
            // in a migration, a table dropped and created anew).
            self.prepared.remove(sql);
            db_error(&e)
        })
    }

    fn execute_script(&mut self, statements: &[&str]) -> Result<(), (usize, DbError)> {
        self.forget_facts();
        // Outside a transaction a multi-statement query would be one implicit transaction, and
        // COPY data or transaction control does not belong in a batch: one by one, as always.
        let batch = self.in_transaction
            && statements.len() > 1
            && statements
                .iter()
                .all(|s| !s.contains('\0') && !controls_transaction(s));
        if !batch {
            for (i, sql) in statements.iter().enumerate() {
                self.execute(sql, &[]).map_err(|e| (i, e))?;
            }
            return Ok(());
        }
        let mut sql = format!("SAVEPOINT {SCRIPT_SAVEPOINT};\n");
        for statement in statements {
            sql.push_str(statement);
            // On a line of its own: a statement may end in a `--` comment.
            sql.push_str("\n;\n");
        }
        sql.push_str(&format!("RELEASE SAVEPOINT {SCRIPT_SAVEPOINT}"));
        let Err(e) = self.client.batch_execute(&sql) else {
            return Ok(());
        };
        let error = db_error(&e);
        // Which statement failed? Back to the savepoint, then one by one: the failing one fails
        // again (and leaves the transaction aborted, as the batch did).
        if self
            .client
            .batch_execute(&format!("ROLLBACK TO SAVEPOINT {SCRIPT_SAVEPOINT}"))
            .is_err()
        {
            return Err((0, error));
        }
        for (i, statement) in statements.iter().enumerate() {
            self.simple(statement).map_err(|e| (i, e))?;
        }
        // Nothing failed the second time (something outside the script changed meanwhile):
        // the first error stands, on the last statement.
        Err((statements.len() - 1, error))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.forget_facts();
        self.rows(sql, params)
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.client
            .batch_execute("BEGIN")
            .map_err(|e| db_error(&e))?;
        self.in_transaction = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.in_transaction = false;
        self.transaction_unknown = false;
        self.client
            .batch_execute("COMMIT")
            .map_err(|e| db_error(&e))
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        self.in_transaction = false;
        self.transaction_unknown = false;
        // Outside a transaction the server only warns.
        self.client
            .batch_execute("ROLLBACK")
            .map_err(|e| db_error(&e))
    }

    fn try_lock(&mut self, id: &LockId) -> Result<bool, DbError> {
        if self.transactional_lock {
            return self.try_xact_lock(id);
        }
        let taken = self.scalar("SELECT pg_try_advisory_lock($1)", &[Value::Int(id.key)])?;
        Ok(taken.as_bool() == Some(true))
    }

    fn unlock(&mut self, id: &LockId) -> Result<(), DbError> {
        if self.transactional_lock {
            return self.release_xact_lock();
        }
        let released = self.scalar("SELECT pg_advisory_unlock($1)", &[Value::Int(id.key)])?;
        if released.as_bool() == Some(true) {
            Ok(())
        } else {
            Err(DbError::new("Unable to release PostgreSQL advisory lock"))
        }
    }

    fn current_schema(&mut self) -> Result<String, DbError> {
        let schema = match self.facts.schema.clone() {
            Some(schema) => schema,
            None => self.scalar("SELECT current_schema()", &[])?.as_text(),
        };
        schema.ok_or_else(|| DbError::new("no current schema: set schemas/defaultSchema"))
    }

    fn set_current_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.forget_facts();
        // Flyway puts the schema in front of the session's path, so that objects elsewhere on
        // it (extensions in `public`, say) stay visible to the migration.
        let quoted = quote(schema);
        let path = if self.search_path.trim().is_empty() {
            quoted
        } else {
            format!("{quoted}, {}", self.search_path)
        };
        self.rows(
            "SELECT set_config('search_path', $1, false)",
            &[Value::Text(path)],
        )
        .map(|_| ())
    }

    fn current_user(&mut self) -> Result<String, DbError> {
        if let Some(user) = &self.facts.user {
            return Ok(user.clone());
        }
        Ok(self
            .scalar("SELECT current_user", &[])?
            .as_text()
            .unwrap_or_default())
    }

    fn database_name(&mut self) -> Result<Option<String>, DbError> {
        Ok(Some(self.facts.database.clone()))
    }

    fn schema_exists(&mut self, schema: &str) -> Result<bool, DbError> {
        let exists = self.scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
            &[Value::Text(schema.to_string())],
        )?;
        Ok(exists.as_bool() == Some(true))
    }

    fn schema_is_empty(&mut self, schema: &str) -> Result<bool, DbError> {
        Ok(self.droppable(schema)?.is_empty())
    }

    fn create_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.simple(&format!("CREATE SCHEMA {}", quote(schema)))
            .map(|_| ())
    }

    fn table_exists(&mut self, schema: &str, table: &str) -> Result<bool, DbError> {
        let exists = self.scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p'))",
            &[
                Value::Text(schema.to_string()),
                Value::Text(table.to_string()),
            ],
        )?;
        Ok(exists.as_bool() == Some(true))
    }

    fn read_table(
        &mut self,
        schema: &str,
        table: &str,
        sql: &str,
        params: &[Value],
    ) -> Result<Option<Vec<Row>>, DbError> {
        // Outside a transaction a failed SELECT leaves nothing behind: read at once, and take
        // "no such table" (or schema) for a table that does not exist. Inside one, the error
        // would abort the transaction: ask first.
        // The engine's reads are SELECTs of columns this driver decodes: one round trip.
        let read = |driver: &mut Self| match driver.rows_at_once(sql, params)? {
            Some(rows) => Ok(rows),
            None => driver.rows_prepared(sql, params),
        };
        if self.in_transaction || self.transaction_unknown {
            if !self.table_exists(schema, table)? {
                return Ok(None);
            }
            return read(self).map(Some);
        }
        match read(self) {
            Ok(rows) => Ok(Some(rows)),
            Err(e) if matches!(e.code.as_deref(), Some(UNDEFINED_TABLE | INVALID_SCHEMA)) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn clean_schema(&mut self, schema: &str) -> Result<(), DbError> {
        for (_, drop) in self.droppable(schema)? {
            self.simple(&drop)?;
        }
        Ok(())
    }

    fn drop_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.simple(&format!("DROP SCHEMA {} CASCADE", quote(schema)))
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::controls_transaction;

    #[test]
    fn transaction_control_is_not_batched() {
        for sql in [
            "COMMIT",
            "  begin",
            "-- done\nEND",
            "/* x */ ROLLBACK TO SAVEPOINT a",
            "savepoint a",
            "PREPARE TRANSACTION 'x'",
        ] {
            assert!(controls_transaction(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE commits (id int)",
            "-- COMMIT\nINSERT INTO t VALUES (1)",
            "UPDATE t SET begin_at = now()",
        ] {
            assert!(!controls_transaction(sql), "{sql}");
        }
    }
}
