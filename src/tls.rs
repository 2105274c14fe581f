//! The TLS listener's certificate. python-okx's WebSocket client refuses
//! `ws://` (it always passes an SSL context), so okx-mock can serve the same
//! routes over TLS on a second port: with a certificate given by path, or a
//! self-signed one made at start-up for `localhost`, `*.localhost` (the
//! regional Host labels), 127.0.0.1 and ::1. Clients trust it through
//! `SSL_CERT_FILE` (Python), `NODE_EXTRA_CA_CERTS` (Node) or the PEM itself.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the TLS listener's certificate comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TlsCert {
    /// A self-signed certificate made at start-up (the default).
    #[default]
    SelfSigned,
    /// A PEM certificate chain and its PEM private key.
    Files {
        /// The certificate (chain), PEM.
        cert: PathBuf,
        /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
}

/// Why the TLS listener could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file could not be read or parsed.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The certificate could not be made or does not fit its key.
    #[error("invalid TLS certificate: {0}")]
    Invalid(String),
}

/// A ready TLS setup: the acceptor and the certificate clients must trust.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    /// The certificate chain as PEM, served at `/__admin/tls/cert`.
    pub(crate) cert_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

/// Builds the acceptor for `source`.
pub(crate) fn setup(source: &TlsCert) -> Result<Tls, TlsError> {
    let (cert_pem, key_pem) = match source {
        TlsCert::SelfSigned => self_signed()?,
        TlsCert::Files { cert, key } => (read(cert)?, read(key)?),
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Invalid(format!("certificate: {e}")))?;
    if chain.is_empty() {
        return Err(TlsError::Invalid("no certificate in the PEM".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| TlsError::Invalid(format!("private key: {e}")))?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Invalid(e.to_string()))?;
    // HTTP/1.1 only: WebSocket upgrades need it, and httpx (python-okx,
    // `http2=True`) then speaks the same HTTP/1.1 it speaks to plain okx-mock.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        cert_pem,
    })
}

fn read(path: &PathBuf) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(|e| TlsError::Read {
        path: path.clone(),
        reason: e.to_string(),
    })
}

/// A fresh self-signed certificate and key, both PEM.
fn self_signed() -> Result<(String, String), TlsError> {
    let names = ["localhost", "*.localhost", "127.0.0.1", "::1"].map(String::from);
    let made = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| TlsError::Invalid(e.to_string()))?;
    Ok((made.cert.pem(), made.signing_key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_made_and_accepted() {
        let tls = setup(&TlsCert::SelfSigned).expect("a certificate is made");
        assert!(tls.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn a_missing_file_names_the_file() {
        let source = TlsCert::Files {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        };
        let error = setup(&source).unwrap_err().to_string();
        assert!(
            error.starts_with("cannot read /nonexistent/cert.pem"),
            "{error}"
        );
    }
}
