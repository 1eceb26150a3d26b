//! Database URLs: every form users bring from Flyway, Liquibase and libpq, parsed into one type,
//! and masked before any of it reaches a message.
//!
//! Why one module: URLs arrive from flags, environment variables and config files in JDBC form
//! (`jdbc:postgresql://h/db?password=...`), libpq/sqlx form (`postgres://u:p@h/db`) or as a
//! bare SQLite file name. Parsing them in one place gives `connect` a single typed value, and
//! [`mask`] guarantees that a password never reaches an error message or a log line: every
//! [`UrlError`] carries the masked URL only.
//!
//! Accepted forms:
//! - SQLite: `sqlite:PATH`, `sqlite://PATH` (`sqlite:///abs/path` is absolute),
//!   `sqlite::memory:`, `jdbc:sqlite:PATH`, `jdbc:sqlite::memory:`, `jdbc:p6spy:sqlite:PATH`,
//!   `jdbc:sqldroid:PATH`, `jdbc:sqlite:file:PATH` (a file), `jdbc:sqlite:file:NAME?mode=memory...`
//!   (in memory: tidemark holds one connection per run, so a shared-cache memory database behaves
//!   like `:memory:`), and a bare path ending in `.db`, `.sqlite` or `.sqlite3`. Query parameters
//!   on a SQLite URL other than `mode=memory` are ignored. A relative path stays relative here;
//!   [`DatabaseUrl::relative_to`] resolves it against the working directory.
//! - PostgreSQL: `postgres://` and `postgresql://` (`user:password@host:port/db?params`,
//!   percent-decoded), `jdbc:postgresql://host[:port]/db?user=&password=&...`,
//!   `jdbc:postgresql:db`, and the `jdbc:p6spy:` / `jdbc:aws-wrapper:` wrappers. Default port 5432.
//! - MySQL / MariaDB: `mysql://`, `mariadb://`, `jdbc:mysql://`, `jdbc:mariadb://` and the
//!   wrappers. Default port 3306.
//!
//! `user` and `password` query parameters (any case) are moved into the `user` / `password`
//! fields; the remaining parameters are kept in order. Multi-host URLs are refused for now.

use std::fmt;
use std::path::{Path, PathBuf};

/// The supported forms, listed in [`UrlError::Unsupported`].
const SUPPORTED: &str = "sqlite:PATH, sqlite::memory:, jdbc:sqlite:PATH, jdbc:sqlite::memory:, \
     a path ending in .db/.sqlite/.sqlite3, postgres://USER:PASSWORD@HOST:PORT/DB, \
     jdbc:postgresql://HOST:PORT/DB, mysql://..., mariadb://..., jdbc:mysql://..., jdbc:mariadb://...";

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database.
    Sqlite {
        /// The database file; `None` is an in-memory database.
        path: Option<PathBuf>,
    },
    /// A PostgreSQL server.
    Postgres {
        /// Host name or address (IPv6 without brackets); `localhost` when the URL has none.
        host: String,
        /// Port, default 5432.
        port: u16,
        /// Database name, if the URL names one.
        database: Option<String>,
        /// User from the URL (userinfo or `user=` parameter).
        user: Option<String>,
        /// Password from the URL (userinfo or `password=` parameter).
        password: Option<String>,
        /// Other query parameters, decoded, in order (`currentSchema`, `sslmode`, ...).
        params: Vec<(String, String)>,
    },
    /// A MySQL or MariaDB server.
    Mysql {
        /// Host name or address (IPv6 without brackets); `localhost` when the URL has none.
        host: String,
        /// Port, default 3306.
        port: u16,
        /// Database name, if the URL names one.
        database: Option<String>,
        /// User from the URL (userinfo or `user=` parameter).
        user: Option<String>,
        /// Password from the URL (userinfo or `password=` parameter).
        password: Option<String>,
        /// Other query parameters, decoded, in order.
        params: Vec<(String, String)>,
        /// The URL said `mariadb` (MariaDB behind a `mysql` URL is detected later, from the
        /// server version).
        mariadb: bool,
    },
}

/// A URL that cannot be used. Messages carry the masked URL only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// No supported scheme.
    #[error("Unsupported database URL '{url}'. Supported forms: {SUPPORTED}")]
    Unsupported {
        /// The masked URL.
        url: String,
    },
    /// A supported scheme with a malformed rest.
    #[error("Invalid database URL '{url}': {reason}")]
    Invalid {
        /// The masked URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

impl DatabaseUrl {
    /// Parses any supported form; see the module docs.
    pub fn parse(url: &str) -> Result<DatabaseUrl, UrlError> {
        let trimmed = url.trim();
        let invalid = |reason: &str| UrlError::Invalid {
            url: mask(url),
            reason: reason.to_string(),
        };
        let lower = trimmed.to_ascii_lowercase();
        // JDBC wrappers that only add behaviour around the real driver.
        let mut rest_start = 0;
        let mut jdbc = false;
        if lower.starts_with("jdbc:") {
            jdbc = true;
            rest_start = 5;
            for wrapper in ["p6spy:", "aws-wrapper:"] {
                if lower[rest_start..].starts_with(wrapper) {
                    rest_start += wrapper.len();
                }
            }
        }
        let rest = &trimmed[rest_start..];
        let rest_lower = &lower[rest_start..];

        for scheme in ["sqlite:", "sqldroid:"] {
            if rest_lower.starts_with(scheme) && (jdbc || scheme == "sqlite:") {
                return parse_sqlite(&rest[scheme.len()..]).map_err(|r| invalid(&r));
            }
        }
        let server_schemes: [(&str, ServerKind); 4] = [
            ("postgresql:", ServerKind::Postgres),
            ("postgres:", ServerKind::Postgres),
            ("mysql:", ServerKind::Mysql { mariadb: false }),
            ("mariadb:", ServerKind::Mysql { mariadb: true }),
        ];
        for (scheme, kind) in server_schemes {
            if !rest_lower.starts_with(scheme) {
                continue;
            }
            if !jdbc && scheme == "postgresql:" && !rest[scheme.len()..].starts_with("//") {
                break;
            }
            if jdbc && scheme == "postgres:" {
                // `jdbc:postgres:` is not a JDBC URL the driver accepts.
                break;
            }
            let after = &rest[scheme.len()..];
            let parts = if let Some(hier) = after.strip_prefix("//") {
                split_server(hier).map_err(|r| invalid(&r))?
            } else if jdbc && kind == ServerKind::Postgres {
                // `jdbc:postgresql:database[?params]`: localhost, default port.
                let (db, query) = split_once_any(after, '?');
                ServerParts {
                    userinfo: None,
                    host: String::new(),
                    port: None,
                    path: db.to_string(),
                    query: query.map(str::to_string),
                }
            } else {
                return Err(invalid("expected '//' after the scheme"));
            };
            return build_server(parts, kind).map_err(|r| invalid(&r));
        }

        if !jdbc && !rest_lower.contains("://") {
            let path_lower = rest_lower.trim_end_matches(['/', '\\']);
            if [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|suffix| path_lower.ends_with(suffix) && path_lower.len() > suffix.len())
            {
                return Ok(DatabaseUrl::Sqlite {
                    path: Some(PathBuf::from(trimmed)),
                });
            }
        }
        Err(UrlError::Unsupported { url: mask(url) })
    }

    /// The password carried by the URL, if any.
    pub fn password(&self) -> Option<&str> {
        match self {
            DatabaseUrl::Sqlite { .. } => None,
            DatabaseUrl::Postgres { password, .. } | DatabaseUrl::Mysql { password, .. } => {
                password.as_deref()
            }
        }
    }

    /// The same URL with a relative SQLite path made relative to `base` (the working
    /// directory); other URLs are returned unchanged.
    // For `connect`, which the lead is writing.
    #[allow(dead_code)]
    pub fn relative_to(self, base: &Path) -> DatabaseUrl {
        match self {
            DatabaseUrl::Sqlite { path: Some(path) } if path.is_relative() => DatabaseUrl::Sqlite {
                path: Some(base.join(path)),
            },
            other => other,
        }
    }

    /// A canonical URL for this value (`sqlite:PATH`, `postgres://...`, `mysql://...`,
    /// `mariadb://...`), password included: never print it, print [`DatabaseUrl`]'s `Display`
    /// (masked) instead. `DatabaseUrl::parse(&url.canonical())` gives `url` back.
    pub fn canonical(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path: None } => "sqlite::memory:".to_string(),
            DatabaseUrl::Sqlite { path: Some(path) } => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres {
                host,
                port,
                database,
                user,
                password,
                params,
            } => server_url("postgres", host, *port, database, user, password, params),
            DatabaseUrl::Mysql {
                host,
                port,
                database,
                user,
                password,
                params,
                mariadb,
            } => {
                let scheme = if *mariadb { "mariadb" } else { "mysql" };
                server_url(scheme, host, *port, database, user, password, params)
            }
        }
    }
}

impl fmt::Display for DatabaseUrl {
    /// The canonical URL with any password masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(&self.canonical()))
    }
}

/// Replaces every password in `url` with `***`: the `user:secret@` userinfo of any
/// `scheme://` URL, and the value of any `password=`, `sslpassword=`, `pwd=`, `passwd=`,
/// `secret=`, `token=`/`accessToken=` parameter (any case; after `?`, `&`, `;` or `:`).
/// Never fails; on garbage it masks generously rather than too little.
pub fn mask(url: &str) -> String {
    let mut out = mask_userinfo(url);
    out = mask_params(&out);
    out
}

fn mask_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let start = scheme_end + 3;
    let rest = &url[start..];
    let query = rest.find('?').unwrap_or(rest.len());
    let at = match rest[..query].rfind('@') {
        Some(at) => at,
        None => match rest.rfind('@') {
            // A password containing an unencoded '?': mask up to the last '@' anyway.
            Some(at) => at,
            None => return url.to_string(),
        },
    };
    let Some(colon) = rest[..at].find(':') else {
        return url.to_string();
    };
    if colon + 1 == at {
        return url.to_string();
    }
    format!("{}{}:***{}", &url[..start], &rest[..colon], &rest[at..])
}

fn is_secret_key(key: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    let key = key.rsplit('.').next().unwrap_or(&key).to_string();
    key.ends_with("password")
        || key == "pwd"
        || key == "passwd"
        || key == "secret"
        || key.ends_with("token")
}

fn mask_params(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    // Walk `key=value` segments separated by '?', '&' or ';' (and ':' for `jdbc:x:;k=v`).
    loop {
        let Some(eq) = rest.find('=') else {
            out.push_str(rest);
            return out;
        };
        let key_start = rest[..eq]
            .rfind(['?', '&', ';', ':', '/'])
            .map_or(0, |i| i + 1);
        let key = &rest[key_start..eq];
        let value_end = rest[eq + 1..]
            .find(['&', ';'])
            .map_or(rest.len(), |i| eq + 1 + i);
        out.push_str(&rest[..=eq]);
        if is_secret_key(key) && value_end > eq + 1 {
            out.push_str("***");
        } else {
            out.push_str(&rest[eq + 1..value_end]);
        }
        rest = &rest[value_end..];
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerKind {
    Postgres,
    Mysql { mariadb: bool },
}

/// The raw, still percent-encoded pieces of `//userinfo@host:port/path?query`.
struct ServerParts {
    userinfo: Option<String>,
    host: String,
    port: Option<String>,
    path: String,
    query: Option<String>,
}

fn split_once_any(s: &str, c: char) -> (&str, Option<&str>) {
    match s.find(c) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

fn split_server(hier: &str) -> Result<ServerParts, String> {
    let (hier, _fragment) = split_once_any(hier, '#');
    let (before_query, query) = split_once_any(hier, '?');
    // The userinfo ends at the last '@' before the path (passwords may contain '@' or '/').
    let (userinfo, host_and_path) = match before_query.rfind('@') {
        Some(at) => (Some(&before_query[..at]), &before_query[at + 1..]),
        None => (None, before_query),
    };
    let (authority, path) = match host_and_path.find('/') {
        Some(slash) => (&host_and_path[..slash], &host_and_path[slash + 1..]),
        None => (host_and_path, ""),
    };
    if authority.contains(',') {
        return Err("multi-host URLs are not supported yet; give one host".to_string());
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some(close) = bracketed.find(']') else {
            return Err("unterminated '[' in the host".to_string());
        };
        let host = &bracketed[..close];
        let after = &bracketed[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port.to_string()),
            None if after.is_empty() => None,
            None => return Err(format!("unexpected '{after}' after the host")),
        };
        (host.to_string(), port)
    } else {
        match authority.rfind(':') {
            Some(colon) => (
                authority[..colon].to_string(),
                Some(authority[colon + 1..].to_string()),
            ),
            None => (authority.to_string(), None),
        }
    };
    Ok(ServerParts {
        userinfo: userinfo.map(str::to_string),
        host,
        port,
        path: path.to_string(),
        query: query.map(str::to_string),
    })
}

fn build_server(parts: ServerParts, kind: ServerKind) -> Result<DatabaseUrl, String> {
    let default_port = match kind {
        ServerKind::Postgres => 5432,
        ServerKind::Mysql { .. } => 3306,
    };
    let port = match parts.port.as_deref() {
        None | Some("") => default_port,
        Some(port) => port
            .parse::<u16>()
            .map_err(|_| format!("invalid port '{port}'"))?,
    };
    let host = if parts.host.is_empty() {
        "localhost".to_string()
    } else {
        percent_decode(&parts.host)?
    };
    let (mut user, mut password) = (None, None);
    if let Some(userinfo) = &parts.userinfo {
        let (u, p) = split_once_any(userinfo, ':');
        if !u.is_empty() {
            user = Some(percent_decode(u)?);
        }
        if let Some(p) = p {
            password = Some(percent_decode(p)?);
        }
    }
    let path = parts.path.trim_end_matches('/');
    let database = if path.is_empty() {
        None
    } else {
        Some(percent_decode(path)?)
    };
    let mut params = Vec::new();
    for pair in parts.query.as_deref().unwrap_or("").split(['&', ';']) {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = split_once_any(pair, '=');
        let key = percent_decode(key)?;
        let value = percent_decode(value.unwrap_or(""))?;
        if key.eq_ignore_ascii_case("user") {
            user = Some(value);
        } else if key.eq_ignore_ascii_case("password") {
            password = Some(value);
        } else {
            params.push((key, value));
        }
    }
    Ok(match kind {
        ServerKind::Postgres => DatabaseUrl::Postgres {
            host,
            port,
            database,
            user,
            password,
            params,
        },
        ServerKind::Mysql { mariadb } => DatabaseUrl::Mysql {
            host,
            port,
            database,
            user,
            password,
            params,
            mariadb,
        },
    })
}

fn parse_sqlite(rest: &str) -> Result<DatabaseUrl, String> {
    let (body, query) = split_once_any(rest, '?');
    let memory_mode = query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.eq_ignore_ascii_case("mode=memory"))
    });
    if body == ":memory:" || body.is_empty() && memory_mode {
        return Ok(DatabaseUrl::Sqlite { path: None });
    }
    let mut path = body;
    if let Some(file) = path.strip_prefix("file:") {
        if memory_mode || file == ":memory:" {
            return Ok(DatabaseUrl::Sqlite { path: None });
        }
        path = file;
    }
    // `//PATH` (sqlx style): `sqlite://app.db` is relative, `sqlite:///abs/app.db` absolute.
    if let Some(stripped) = path.strip_prefix("//") {
        path = stripped;
    }
    if path.is_empty() {
        return Err(
            "missing the database file path (use sqlite:PATH or sqlite::memory:)".to_string(),
        );
    }
    if path == ":memory:" {
        return Ok(DatabaseUrl::Sqlite { path: None });
    }
    Ok(DatabaseUrl::Sqlite {
        path: Some(PathBuf::from(percent_decode_lenient(path))),
    })
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "percent-encoded text is not valid UTF-8".to_string())
}

/// Paths keep a '%' that does not start a valid UTF-8 escape.
fn percent_decode_lenient(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    percent_decode(s).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn server_url(
    scheme: &str,
    host: &str,
    port: u16,
    database: &Option<String>,
    user: &Option<String>,
    password: &Option<String>,
    params: &[(String, String)],
) -> String {
    let mut url = format!("{scheme}://");
    if let Some(user) = user {
        url.push_str(&percent_encode(user));
    }
    if let Some(password) = password {
        url.push(':');
        url.push_str(&percent_encode(password));
    }
    if user.is_some() || password.is_some() {
        url.push('@');
    }
    if host.contains(':') {
        url.push_str(&format!("[{host}]"));
    } else {
        url.push_str(&percent_encode(host));
    }
    url.push_str(&format!(":{port}"));
    if let Some(database) = database {
        url.push('/');
        url.push_str(&percent_encode(database));
    }
    for (i, (key, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&percent_encode(key));
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(path: &str) -> DatabaseUrl {
        DatabaseUrl::Sqlite {
            path: Some(PathBuf::from(path)),
        }
    }

    const MEMORY: DatabaseUrl = DatabaseUrl::Sqlite { path: None };

    #[test]
    fn sqlite_forms() {
        let cases: &[(&str, DatabaseUrl)] = &[
            ("sqlite:app.db", sqlite("app.db")),
            ("sqlite:tidemark.db", sqlite("tidemark.db")),
            ("sqlite://app.db", sqlite("app.db")),
            ("sqlite:///var/lib/app.db", sqlite("/var/lib/app.db")),
            ("sqlite::memory:", MEMORY),
            ("jdbc:sqlite:app.db", sqlite("app.db")),
            ("jdbc:sqlite:/abs/app.db", sqlite("/abs/app.db")),
            ("jdbc:sqlite::memory:", MEMORY),
            ("JDBC:SQLITE:data/x.sqlite", sqlite("data/x.sqlite")),
            ("jdbc:sqlite:file:shared?mode=memory&cache=shared", MEMORY),
            ("jdbc:sqlite:file:app.db", sqlite("app.db")),
            ("jdbc:sqlite:file:///tmp/app.db", sqlite("/tmp/app.db")),
            ("jdbc:sqlite:app.db?journal_mode=wal", sqlite("app.db")),
            ("jdbc:p6spy:sqlite:app.db", sqlite("app.db")),
            ("jdbc:sqldroid:app.db", sqlite("app.db")),
            ("app.db", sqlite("app.db")),
            ("./data/app.sqlite3", sqlite("./data/app.sqlite3")),
            ("/tmp/x.SQLITE", sqlite("/tmp/x.SQLITE")),
            ("sqlite:my%20db.db", sqlite("my db.db")),
        ];
        for (url, expected) in cases {
            assert_eq!(&DatabaseUrl::parse(url).unwrap(), expected, "{url}");
        }
    }

    #[test]
    fn postgres_forms() {
        let url = DatabaseUrl::parse(
            "postgres://app:s%40cret@db.example.com:6543/app_db?sslmode=require",
        )
        .unwrap();
        assert_eq!(
            url,
            DatabaseUrl::Postgres {
                host: "db.example.com".into(),
                port: 6543,
                database: Some("app_db".into()),
                user: Some("app".into()),
                password: Some("s@cret".into()),
                params: vec![("sslmode".into(), "require".into())],
            }
        );
        let url = DatabaseUrl::parse(
            "jdbc:postgresql://localhost/app?user=me&password=pw&currentSchema=s1&sslmode=disable",
        )
        .unwrap();
        assert_eq!(
            url,
            DatabaseUrl::Postgres {
                host: "localhost".into(),
                port: 5432,
                database: Some("app".into()),
                user: Some("me".into()),
                password: Some("pw".into()),
                params: vec![
                    ("currentSchema".into(), "s1".into()),
                    ("sslmode".into(), "disable".into())
                ],
            }
        );
        let url = DatabaseUrl::parse("jdbc:postgresql:app").unwrap();
        assert_eq!(
            url,
            DatabaseUrl::Postgres {
                host: "localhost".into(),
                port: 5432,
                database: Some("app".into()),
                user: None,
                password: None,
                params: vec![],
            }
        );
        let url = DatabaseUrl::parse("postgresql://[::1]:5433/x").unwrap();
        assert!(matches!(url, DatabaseUrl::Postgres { ref host, port: 5433, .. } if host == "::1"));
        let url = DatabaseUrl::parse("jdbc:aws-wrapper:postgresql://h:1/d").unwrap();
        assert!(matches!(url, DatabaseUrl::Postgres { port: 1, .. }));
        // A password with an unencoded '@' and '/'.
        let url = DatabaseUrl::parse("postgres://u:p@ss@h/db").unwrap();
        assert!(matches!(url, DatabaseUrl::Postgres { password: Some(ref p), .. } if p == "p@ss"));
    }

    #[test]
    fn mysql_forms() {
        let url = DatabaseUrl::parse("mysql://root:pw@127.0.0.1/shop").unwrap();
        assert_eq!(
            url,
            DatabaseUrl::Mysql {
                host: "127.0.0.1".into(),
                port: 3306,
                database: Some("shop".into()),
                user: Some("root".into()),
                password: Some("pw".into()),
                params: vec![],
                mariadb: false,
            }
        );
        let url = DatabaseUrl::parse("jdbc:mariadb://db:3307/shop?user=a&PASSWORD=b&useSSL=false")
            .unwrap();
        assert_eq!(
            url,
            DatabaseUrl::Mysql {
                host: "db".into(),
                port: 3307,
                database: Some("shop".into()),
                user: Some("a".into()),
                password: Some("b".into()),
                params: vec![("useSSL".into(), "false".into())],
                mariadb: true,
            }
        );
        assert!(matches!(
            DatabaseUrl::parse("mariadb://h/d").unwrap(),
            DatabaseUrl::Mysql { mariadb: true, .. }
        ));
        assert!(matches!(
            DatabaseUrl::parse("jdbc:mysql://h/d").unwrap(),
            DatabaseUrl::Mysql { mariadb: false, .. }
        ));
    }

    #[test]
    fn canonical_round_trips() {
        for url in [
            "sqlite:app.db",
            "sqlite::memory:",
            "jdbc:sqlite:/abs/dir/app.db",
            "postgres://app:s%40cret%2F%3F@db.example.com:6543/app_db?sslmode=require",
            "jdbc:postgresql://h/db?user=u&password=p%26q&currentSchema=a,b",
            "jdbc:postgresql:app",
            "postgresql://[::1]:5433/x",
            "mysql://root:pw@127.0.0.1/shop?useSSL=false",
            "jdbc:mariadb://db:3307/shop",
            "mysql://h",
        ] {
            let parsed = DatabaseUrl::parse(url).unwrap();
            let again = DatabaseUrl::parse(&parsed.canonical()).unwrap();
            assert_eq!(parsed, again, "{url} -> {}", parsed.canonical());
        }
    }

    #[test]
    fn display_is_masked() {
        let url = DatabaseUrl::parse("postgres://u:hunter2@h/db").unwrap();
        assert_eq!(url.to_string(), "postgres://u:***@h:5432/db");
        let url = DatabaseUrl::parse("jdbc:mysql://h/db?password=hunter2").unwrap();
        assert!(!url.to_string().contains("hunter2"));
    }

    #[test]
    fn unsupported_and_invalid() {
        let err = DatabaseUrl::parse("jdbc:oracle:thin:scott/tiger@h:1521:orcl").unwrap_err();
        assert!(matches!(err, UrlError::Unsupported { .. }));
        assert!(err.to_string().contains("sqlite:PATH"), "{err}");
        let err = DatabaseUrl::parse("jdbc:sqlserver://h;user=sa;password=hunter2").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = DatabaseUrl::parse("postgres://u:hunter2@h:notaport/db").unwrap_err();
        assert!(err.to_string().contains("invalid port"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = DatabaseUrl::parse("postgres://a:1,b:2/db").unwrap_err();
        assert!(err.to_string().contains("multi-host"), "{err}");
        assert!(DatabaseUrl::parse("sqlite:").is_err());
        assert!(DatabaseUrl::parse("").is_err());
        assert!(DatabaseUrl::parse("migrations").is_err());
        assert!(DatabaseUrl::parse("http://example.com/x.db").is_err());
    }

    #[test]
    fn relative_to_resolves_sqlite_paths_only() {
        let base = Path::new("/work");
        assert_eq!(
            DatabaseUrl::parse("sqlite:app.db")
                .unwrap()
                .relative_to(base),
            sqlite("/work/app.db")
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:/abs.db")
                .unwrap()
                .relative_to(base),
            sqlite("/abs.db")
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:")
                .unwrap()
                .relative_to(base),
            MEMORY
        );
    }

    #[test]
    fn mask_never_leaks_a_password() {
        let secret = "hunter2";
        let cases = [
            "postgres://app:hunter2@db/app",
            "postgresql://app:hunter2@db:5432/app?sslmode=require",
            "mysql://root:hunter2@127.0.0.1/shop",
            "jdbc:postgresql://h/db?user=u&password=hunter2",
            "jdbc:postgresql://h/db?password=hunter2&user=u",
            "jdbc:postgresql://h/db?PASSWORD=hunter2",
            "jdbc:postgresql://h/db?sslpassword=hunter2",
            "jdbc:mysql://h/db?user=u&Password=hunter2&useSSL=false",
            "jdbc:sqlserver://h:1433;databaseName=x;user=sa;password=hunter2;encrypt=true",
            "jdbc:sqlserver://h:1433;password=hunter2",
            "jdbc:snowflake://acct/?accessToken=hunter2",
            "postgres://u:hunter2@",
            "postgres://u:hun?ter2@h/db",
            "postgres://u:hunter2@h@x/db?password=hunter2",
            "jdbc:x:;pwd=hunter2",
            "odbc:Server=h;Uid=u;Pwd=hunter2;",
        ];
        for url in cases {
            let masked = mask(url);
            assert!(!masked.contains(secret), "{url} -> {masked}");
            assert!(masked.contains("***"), "{url} -> {masked}");
        }
        // `hun?ter2` is masked as a whole.
        assert!(!mask("postgres://u:hun?ter2@h/db").contains("ter2"));
    }

    #[test]
    fn mask_keeps_urls_without_secrets_and_survives_garbage() {
        for url in [
            "sqlite:app.db",
            "jdbc:postgresql://h:5432/db?user=u",
            "postgres://u@h/db",
            "mysql://h:3306/db",
        ] {
            assert_eq!(mask(url), url);
        }
        for garbage in [
            "",
            "://",
            "@",
            ":@",
            "=",
            "&=&",
            "?password=",
            "a://:@",
            "é://ü:ß@",
            "%%%",
            "a=b=c",
            "password",
            "x://@@@::",
            ";;;password=;",
        ] {
            let _ = mask(garbage);
            let _ = DatabaseUrl::parse(garbage);
        }
        assert_eq!(mask("x://u:@h"), "x://u:@h");
    }
}
