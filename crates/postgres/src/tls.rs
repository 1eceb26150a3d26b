//! `sslmode`, as libpq reads it, on top of rustls.
//!
//! rustls rather than OpenSSL so that tidemark builds and runs where no OpenSSL headers or
//! libraries exist. The modes mean what they mean to libpq (and to pgjdbc's `sslmode`), because
//! users copy their connection strings from other tools:
//!
//! - `disable`: never ask for TLS.
//! - `allow`, `prefer` (the default): ask; when the server says no, go on in plain text.
//!   (libpq's `allow` tries plain text first; asking for TLS first is the safer reading and
//!   connects wherever `allow` does.)
//! - `require`: TLS or no connection, but the certificate is not checked (libpq does the same
//!   unless a root certificate file exists): it protects against eavesdropping, not against a
//!   man in the middle. The handshake signatures are still verified.
//! - `verify-ca`: the server certificate must chain to a trusted root; its host name is not
//!   checked.
//! - `verify-full`: the chain and the host name.
//!
//! Trusted roots for the verifying modes: the `sslrootcert` parameter (a PEM file; `system` for
//! the bundled Mozilla roots), else `~/.postgresql/root.crt` when it exists (libpq's default),
//! else the Mozilla roots from `webpki-roots` (where libpq would refuse to connect; cloud
//! providers with public certificates then just work, private CAs need `sslrootcert`).

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it (`allow` and `prefer`), certificate not checked.
    Prefer,
    /// TLS, certificate not checked.
    Require,
    /// TLS, certificate chain checked.
    VerifyCa,
    /// TLS, certificate chain and host name checked.
    VerifyFull,
}

impl SslMode {
    /// Reads a `sslmode` value (case-insensitive, as pgjdbc does).
    pub(crate) fn parse(value: &str) -> Result<SslMode, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "disable" => Ok(SslMode::Disable),
            "allow" | "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(format!(
                "invalid sslmode \"{other}\": expected disable, allow, prefer, require, verify-ca or verify-full"
            )),
        }
    }

    /// The name users write.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// What the `postgres` crate is told: whether to ask, and whether a "no" is fatal.
    pub(crate) fn wire(self) -> postgres::config::SslMode {
        match self {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
            }
        }
    }
}

/// The TLS connector for a mode. `rootcert` is the `sslrootcert` parameter.
pub(crate) fn connector(
    mode: SslMode,
    rootcert: Option<&str>,
) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            Arc::new(NoCertificateCheck(provider))
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = Arc::new(roots(rootcert)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| format!("TLS setup failed: {e}"))?;
            if mode == SslMode::VerifyCa {
                Arc::new(IgnoreHostName(webpki))
            } else {
                webpki
            }
        }
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The trusted roots (see the module docs for the order).
fn roots(rootcert: Option<&str>) -> Result<RootCertStore, String> {
    let file = match rootcert.map(str::trim) {
        Some("system") => None,
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".postgresql").join("root.crt"))
            .filter(|p| p.is_file()),
    };
    let mut store = RootCertStore::empty();
    match file {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(&path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    format!(
                        "cannot read the root certificates (sslrootcert) {}: {e}",
                        path.display()
                    )
                })?;
            let (added, _ignored) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!(
                    "no usable certificate in the root certificate file (sslrootcert) {}",
                    path.display()
                ));
            }
        }
    }
    Ok(store)
}

/// Accepts any certificate (`prefer`, `require`), still checking that the server holds the key of
/// the certificate it presented.
#[derive(Debug)]
struct NoCertificateCheck(Arc<CryptoProvider>);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the full check, except that a certificate for another host name is accepted
/// (webpki checks the chain before the name, so a name error means the chain was good).
#[derive(Debug)]
struct IgnoreHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for IgnoreHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libpq_modes() {
        assert_eq!(SslMode::parse("disable"), Ok(SslMode::Disable));
        assert_eq!(SslMode::parse("allow"), Ok(SslMode::Prefer));
        assert_eq!(SslMode::parse("Prefer"), Ok(SslMode::Prefer));
        assert_eq!(SslMode::parse("require"), Ok(SslMode::Require));
        assert_eq!(SslMode::parse("verify-ca"), Ok(SslMode::VerifyCa));
        assert_eq!(SslMode::parse("VERIFY-FULL"), Ok(SslMode::VerifyFull));
        let e = SslMode::parse("sometimes").unwrap_err();
        assert!(e.contains("invalid sslmode \"sometimes\""), "{e}");
    }

    #[test]
    fn builds_every_connector() {
        for mode in [
            SslMode::Disable,
            SslMode::Prefer,
            SslMode::Require,
            SslMode::VerifyCa,
            SslMode::VerifyFull,
        ] {
            connector(mode, Some("system")).unwrap();
        }
    }

    #[test]
    fn unreadable_root_certificate_file_is_a_clear_error() {
        let e = connector(SslMode::VerifyFull, Some("/nonexistent/root.crt"))
            .err()
            .unwrap();
        assert!(e.contains("/nonexistent/root.crt"), "{e}");
        assert!(e.contains("sslrootcert"), "{e}");
    }
}
