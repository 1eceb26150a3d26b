//! The URL parameters the driver understands.
//!
//! Flyway users bring JDBC URLs written for MySQL Connector/J or MariaDB Connector/J, so the
//! TLS switches of both are accepted: `sslMode` (also `ssl-mode`, `ssl_mode`, the mysql client's
//! spelling) with Connector/J's `DISABLED|PREFERRED|REQUIRED|VERIFY_CA|VERIFY_IDENTITY` and
//! MariaDB's `disable|trust|verify-ca|verify-full`, the older `useSSL`/`requireSSL`/
//! `verifyServerCertificate`, and a CA file (`sslCa`, `ssl-ca`, `serverSslCert`). A URL that
//! asks for TLS must never silently connect in plain text, so a value the driver does not know
//! is an error rather than a guess. Every other parameter (Connector/J has hundreds) is ignored.

use std::path::PathBuf;
use std::time::Duration;

use mysql::SslOpts;
use tidemark_engine::driver::DbError;

/// How long opening the TCP connection may take unless `connectTimeout` says otherwise.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether and how to use TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    /// Plain text.
    Disabled,
    /// TLS when the server offers it, plain text otherwise; the certificate is not verified.
    Preferred,
    /// TLS or fail; the certificate is not verified (Connector/J's `REQUIRED`).
    Required,
    /// TLS with a certificate signed by a trusted CA, whatever host name it names.
    VerifyCa,
    /// TLS with a trusted certificate for the host connected to.
    VerifyIdentity,
}

impl TlsMode {
    /// The `mysql` crate's options for this mode (`None`: no TLS).
    pub(crate) fn ssl_opts(self, ca: Option<&PathBuf>) -> Option<SslOpts> {
        let opts = SslOpts::default().with_root_cert_path(ca.cloned());
        match self {
            TlsMode::Disabled => None,
            TlsMode::Preferred | TlsMode::Required => Some(
                opts.with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
            ),
            TlsMode::VerifyCa => Some(opts.with_danger_skip_domain_validation(true)),
            TlsMode::VerifyIdentity => Some(opts),
        }
    }

    /// The name Connector/J gives this mode (for messages).
    pub(crate) fn name(self) -> &'static str {
        match self {
            TlsMode::Disabled => "DISABLED",
            TlsMode::Preferred => "PREFERRED",
            TlsMode::Required => "REQUIRED",
            TlsMode::VerifyCa => "VERIFY_CA",
            TlsMode::VerifyIdentity => "VERIFY_IDENTITY",
        }
    }
}

/// What the URL parameters ask of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Params {
    /// TLS; plain text unless a parameter asks for it.
    pub tls: TlsMode,
    /// A PEM file of CA certificates to trust besides the public roots.
    pub ca: Option<PathBuf>,
    /// Time allowed to open the TCP connection (`None`: the operating system's limit).
    pub connect_timeout: Option<Duration>,
}

/// Parameter names compare ignoring case, `-` and `_` (`sslMode`, `ssl-mode`, `SSL_MODE`).
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

fn flag(name: &str, value: &str) -> Result<bool, DbError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(DbError::new(format!(
            "invalid value '{value}' for URL parameter {name}: expected true or false"
        ))),
    }
}

/// Reads the parameters the driver understands.
pub(crate) fn parse(params: &[(String, String)]) -> Result<Params, DbError> {
    let mut mode: Option<TlsMode> = None;
    let mut use_ssl: Option<bool> = None;
    let mut verify_cert = false;
    let mut ca = None;
    let mut connect_timeout = Some(DEFAULT_CONNECT_TIMEOUT);
    for (name, value) in params {
        match key(name).as_str() {
            "sslmode" => {
                mode = Some(match key(value).as_str() {
                    "disabled" | "disable" => TlsMode::Disabled,
                    "preferred" | "prefer" => TlsMode::Preferred,
                    "required" | "require" | "trust" => TlsMode::Required,
                    "verifyca" => TlsMode::VerifyCa,
                    "verifyidentity" | "verifyfull" => TlsMode::VerifyIdentity,
                    _ => {
                        return Err(DbError::new(format!(
                            "invalid value '{value}' for URL parameter {name}: expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY (MariaDB: disable, trust, verify-ca, verify-full)"
                        )));
                    }
                });
            }
            "usessl" | "requiressl" => {
                let on = flag(name, value)?;
                use_ssl = Some(on || use_ssl == Some(true));
            }
            "verifyservercertificate" => verify_cert = flag(name, value)?,
            "sslca" | "serversslcert" => ca = Some(PathBuf::from(value)),
            "connecttimeout" => {
                let ms: u64 = value.trim().parse().map_err(|_| {
                    DbError::new(format!(
                        "invalid value '{value}' for URL parameter {name}: expected milliseconds"
                    ))
                })?;
                // Connector/J: 0 means no limit; the operating system's own limit then applies.
                connect_timeout = (ms > 0).then(|| Duration::from_millis(ms));
            }
            _ => {}
        }
    }
    let tls = match (mode, use_ssl) {
        (Some(mode), _) => mode,
        (None, Some(true)) if verify_cert => TlsMode::VerifyCa,
        (None, Some(true)) => TlsMode::Required,
        (None, Some(false) | None) => TlsMode::Disabled,
    };
    Ok(Params {
        tls,
        ca,
        connect_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(list: &[(&str, &str)]) -> Result<TlsMode, DbError> {
        let params: Vec<(String, String)> = list
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(&params).map(|p| p.tls)
    }

    #[test]
    fn tls_is_off_unless_asked_for() {
        assert_eq!(tls(&[]).unwrap(), TlsMode::Disabled);
        assert_eq!(
            tls(&[("useSSL", "false"), ("serverTimezone", "UTC")]).unwrap(),
            TlsMode::Disabled
        );
    }

    #[test]
    fn connector_j_and_mariadb_spellings() {
        assert_eq!(tls(&[("useSSL", "true")]).unwrap(), TlsMode::Required);
        assert_eq!(tls(&[("requireSSL", "true")]).unwrap(), TlsMode::Required);
        assert_eq!(
            tls(&[("useSSL", "true"), ("verifyServerCertificate", "true")]).unwrap(),
            TlsMode::VerifyCa
        );
        assert_eq!(tls(&[("sslMode", "REQUIRED")]).unwrap(), TlsMode::Required);
        assert_eq!(
            tls(&[("ssl-mode", "verify_ca")]).unwrap(),
            TlsMode::VerifyCa
        );
        assert_eq!(
            tls(&[("ssl_mode", "VERIFY_IDENTITY")]).unwrap(),
            TlsMode::VerifyIdentity
        );
        assert_eq!(tls(&[("sslMode", "trust")]).unwrap(), TlsMode::Required);
        assert_eq!(
            tls(&[("sslMode", "verify-full")]).unwrap(),
            TlsMode::VerifyIdentity
        );
        assert_eq!(tls(&[("sslMode", "disable")]).unwrap(), TlsMode::Disabled);
        assert_eq!(
            tls(&[("sslMode", "PREFERRED")]).unwrap(),
            TlsMode::Preferred
        );
        // sslMode wins over the older switch, as in Connector/J 8.
        assert_eq!(
            tls(&[("useSSL", "true"), ("sslMode", "DISABLED")]).unwrap(),
            TlsMode::Disabled
        );
        // useSSL=false does not undo requireSSL=true.
        assert_eq!(
            tls(&[("requireSSL", "true"), ("useSSL", "false")]).unwrap(),
            TlsMode::Required
        );
    }

    #[test]
    fn unknown_values_are_errors_not_guesses() {
        let e = tls(&[("sslMode", "maybe")]).unwrap_err();
        assert!(e.message.contains("sslMode"), "{e}");
        assert!(tls(&[("useSSL", "sure")]).is_err());
        let params = vec![("connectTimeout".to_string(), "soon".to_string())];
        assert!(parse(&params).is_err());
    }

    #[test]
    fn connect_timeout_is_milliseconds() {
        let params = vec![("connectTimeout".to_string(), "2500".to_string())];
        assert_eq!(
            parse(&params).unwrap().connect_timeout,
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            parse(&[]).unwrap().connect_timeout,
            Some(DEFAULT_CONNECT_TIMEOUT)
        );
    }
}
