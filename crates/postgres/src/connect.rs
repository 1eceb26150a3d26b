//! From [`ConnectOptions`] to an open session, with libpq's defaults and error messages that
//! name the server but never the password.
//!
//! Users move between psql, Flyway and tidemark with the same environment, so the defaults are
//! libpq's: user from `PGUSER`, else the OS user; password from `PGPASSWORD`; database named
//! after the user. The URL parameters understood are those of libpq and pgjdbc that matter to a
//! migration tool (`currentSchema`, `connect_timeout`/`connectTimeout`,
//! `application_name`/`ApplicationName`, `options`, `sslmode`, pgjdbc's `ssl=true`,
//! `sslrootcert`); others are ignored, as pgjdbc ignores unknown ones.

use std::time::Duration;

use postgres::Client;
use tidemark_engine::driver::DbError;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::tls::{self, SslMode};
use crate::{ConnectOptions, db_error};

/// Everything needed to open (and reopen) a session.
pub(crate) struct Settings {
    config: postgres::Config,
    tls: MakeRustlsConnect,
    mode: SslMode,
    /// `host:port/database as user "u"`, for messages.
    target: String,
    /// Scrubbed from every connection error, in case a library ever echoes it.
    password: Option<String>,
    /// `currentSchema`: the session's `search_path`.
    pub(crate) search_path: Option<String>,
    pub(crate) lock_timeout: Option<Duration>,
    pub(crate) statement_timeout: Option<Duration>,
}

fn param<'a>(options: &'a ConnectOptions, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| {
        options
            .params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    pub(crate) fn new(options: &ConnectOptions) -> Result<Settings, DbError> {
        let host = if options.host.is_empty() {
            "localhost".to_string()
        } else {
            options.host.clone()
        };
        let port = if options.port == 0 {
            5432
        } else {
            options.port
        };
        let user = options
            .user
            .clone()
            .or_else(|| param(options, &["user"]).map(str::to_string))
            .or_else(|| env("PGUSER"))
            .or_else(|| env("USER"))
            .or_else(|| env("LOGNAME"))
            .or_else(|| env("USERNAME"));
        let database = options
            .database
            .clone()
            .filter(|d| !d.is_empty())
            .or_else(|| user.clone());
        let target = format!(
            "{host}:{port}/{} as user \"{}\"",
            database.as_deref().unwrap_or(""),
            user.as_deref().unwrap_or("")
        );
        let fail = |why: String| {
            DbError::new(format!(
                "Unable to connect to PostgreSQL at {target}: {why}"
            ))
        };
        let Some(user) = user else {
            return Err(fail("no user name: set the user (or PGUSER)".to_string()));
        };
        let password = options
            .password
            .clone()
            .or_else(|| param(options, &["password"]).map(str::to_string))
            .or_else(|| env("PGPASSWORD"));

        let mode = match options
            .sslmode
            .as_deref()
            .or_else(|| param(options, &["sslmode"]))
        {
            Some(mode) => SslMode::parse(mode).map_err(fail)?,
            // pgjdbc: `ssl=true` without `sslmode` means verify-full.
            None if param(options, &["ssl"]).is_some_and(|v| v.eq_ignore_ascii_case("true")) => {
                SslMode::VerifyFull
            }
            None => SslMode::Prefer,
        };
        let tls = tls::connector(mode, param(options, &["sslrootcert"])).map_err(fail)?;

        let mut config = postgres::Config::new();
        config
            .host(&host)
            .port(port)
            .user(&user)
            .dbname(database.as_deref().unwrap_or(&user))
            .application_name(
                param(options, &["application_name", "ApplicationName"]).unwrap_or("tidemark"),
            )
            .ssl_mode(mode.wire());
        if let Some(password) = &password {
            config.password(password);
        }
        if let Some(options) = param(options, &["options"]) {
            config.options(options);
        }
        if let Some(timeout) = param(options, &["connect_timeout", "connectTimeout"]) {
            let seconds: i64 = timeout.trim().parse().map_err(|_| {
                fail(format!(
                    "invalid connect_timeout \"{timeout}\": expected seconds"
                ))
            })?;
            // libpq and pgjdbc: zero (or less) waits forever.
            if let Ok(seconds @ 1..) = u64::try_from(seconds) {
                config.connect_timeout(Duration::from_secs(seconds));
            }
        }
        Ok(Settings {
            config,
            tls,
            mode,
            target,
            password,
            search_path: param(options, &["currentSchema"])
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            lock_timeout: options.lock_timeout,
            statement_timeout: options.statement_timeout,
        })
    }

    /// Opens a session (no session settings applied yet).
    pub(crate) fn open(&self) -> Result<Client, DbError> {
        self.config.connect(self.tls.clone()).map_err(|e| {
            let mut error = db_error(&e);
            if error.message.contains("server does not support TLS") {
                error.message = format!(
                    "the server does not support TLS, and sslmode={} requires it (use sslmode=prefer or sslmode=disable to connect without TLS)",
                    self.mode.name()
                );
            }
            self.failed(error)
        })
    }

    /// A connection error, in context, without the password.
    pub(crate) fn failed(&self, error: DbError) -> DbError {
        let mut message = format!(
            "Unable to connect to PostgreSQL at {}: {}",
            self.target, error.message
        );
        if let Some(password) = self.password.as_deref().filter(|p| !p.is_empty()) {
            message = message.replace(password, "***");
        }
        DbError {
            code: error.code,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ConnectOptions {
        ConnectOptions {
            host: "db.example.com".into(),
            port: 6543,
            database: Some("app".into()),
            user: Some("me".into()),
            password: Some("hunter2".into()),
            ..ConnectOptions::default()
        }
    }

    #[test]
    fn reads_libpq_and_pgjdbc_parameters() {
        let mut o = options();
        o.params = vec![
            ("currentSchema".into(), "s1".into()),
            ("connectTimeout".into(), "7".into()),
            ("ApplicationName".into(), "ci".into()),
            ("ssl".into(), "true".into()),
        ];
        let s = Settings::new(&o).unwrap();
        assert_eq!(s.search_path.as_deref(), Some("s1"));
        assert_eq!(
            s.config.get_connect_timeout(),
            Some(&Duration::from_secs(7))
        );
        assert_eq!(s.config.get_application_name(), Some("ci"));
        assert_eq!(s.mode, SslMode::VerifyFull);
        assert_eq!(s.target, "db.example.com:6543/app as user \"me\"");

        let s = Settings::new(&options()).unwrap();
        assert_eq!(s.config.get_application_name(), Some("tidemark"));
        assert_eq!(s.mode, SslMode::Prefer);
        assert_eq!(s.config.get_connect_timeout(), None);
    }

    #[test]
    fn database_defaults_to_the_user() {
        let mut o = options();
        o.database = None;
        let s = Settings::new(&o).unwrap();
        assert_eq!(s.config.get_dbname(), Some("me"));
    }

    #[test]
    fn bad_settings_are_clear_and_never_show_the_password() {
        let mut o = options();
        o.sslmode = Some("maybe".into());
        let e = Settings::new(&o).err().unwrap();
        assert!(e.message.contains("invalid sslmode \"maybe\""), "{e}");
        assert!(e.message.contains("db.example.com:6543/app"), "{e}");
        assert!(!e.message.contains("hunter2"), "{e}");

        let mut o = options();
        o.params = vec![("connect_timeout".into(), "soon".into())];
        let e = Settings::new(&o).err().unwrap();
        assert!(e.message.contains("invalid connect_timeout"), "{e}");

        let s = Settings::new(&options()).unwrap();
        let e = s.failed(DbError::new("echo hunter2"));
        assert!(!e.message.contains("hunter2"), "{e}");
    }
}
