//! Mutual TLS for the union server: TLS 1.3 only, a client certificate from the union CA is required, checked
//! against the CRL, and the CRL is reloaded while the server runs.
//!
//! Each accepted connection carries a [`TerminalIdentity`] taken from the verified client certificate; the
//! municipality in it scopes every request on that connection.

use std::collections::HashSet;
use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::middleware::AddExtension;
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::server::TlsStream;
use tower::Layer;

use crate::pki::{PkiPaths, TERMINAL_URN_PREFIX};

/// Errors while building the TLS configuration.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file of the PKI directory could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's error text.
        message: String,
    },
    /// rustls refused the server certificate, key or protocol settings.
    #[error("TLS configuration error: {0}")]
    Rustls(#[from] rustls::Error),
    /// A certificate or key does not parse, or the client-certificate verifier could not be built.
    #[error("client verifier error: {0}")]
    Verifier(String),
    /// The CRL does not parse; the server refuses to run without a known revocation status.
    #[error("CRL parse error: {0}")]
    Crl(String),
}

/// The terminal at the other end of a connection, from its verified client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalIdentity {
    /// 端末ID from the certificate's URI SAN.
    pub terminal_id: String,
    /// 地方公共団体コード from the certificate's URI SAN (already validated when the certificate was issued).
    pub municipality: String,
    /// SHA-256 of the certificate DER, lowercase hex. Session tokens are bound to it.
    pub fingerprint: String,
    /// Serial number, lowercase hex, to check against the current CRL on every request.
    pub serial: String,
}

impl TerminalIdentity {
    /// Reads the identity from a DER certificate that rustls has already verified.
    pub fn from_certificate(der: &[u8]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let san = cert.subject_alternative_name().ok()??;
        let urn = san.value.general_names.iter().find_map(|name| match name {
            x509_parser::extensions::GeneralName::URI(uri) => uri.strip_prefix(TERMINAL_URN_PREFIX),
            _ => None,
        })?;
        let (municipality, terminal_id) = urn.split_once(':')?;
        // Checked when issued; checked again so a malformed certificate can never scope a request.
        madoguchi_domain::ids::MunicipalityCode::parse(municipality).ok()?;
        crate::pki::validate_terminal_id(terminal_id).ok()?;
        let serial = hex::encode(cert.tbs_certificate.raw_serial());
        Some(TerminalIdentity {
            terminal_id: terminal_id.to_string(),
            municipality: municipality.to_string(),
            fingerprint: hex::encode(Sha256::digest(der)),
            serial: strip_leading_zeros(&serial),
        })
    }
}

fn strip_leading_zeros(hex_serial: &str) -> String {
    let trimmed = hex_serial.trim_start_matches("00");
    if trimmed.is_empty() {
        "00".into()
    } else {
        trimmed.to_string()
    }
}

/// The serials in the current CRL. Connections opened before a revocation stay open (keep-alive), so every
/// request is also checked against this set, not only the handshake.
#[derive(Debug, Clone, Default)]
pub struct RevokedSerials(Arc<RwLock<HashSet<String>>>);

impl RevokedSerials {
    /// Whether the serial (lowercase hex) is revoked; `true` when in doubt.
    pub(crate) fn contains(&self, serial: &str) -> bool {
        match self.0.read() {
            Ok(set) => set.contains(serial),
            // A poisoned lock means a writer panicked mid-update: fail closed.
            Err(_) => true,
        }
    }
    /// Replaces the set (after a CRL reload).
    pub fn replace_all(&self, serials: HashSet<String>) {
        if let Ok(mut set) = self.0.write() {
            *set = serials;
        }
    }
}

/// The aws-lc-rs provider, chosen explicitly so the configuration never depends on a process-wide default.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Builds the server configuration from a PKI directory and returns it with the revoked serials of its CRL.
pub fn server_config(pki: &PkiPaths) -> Result<(Arc<ServerConfig>, HashSet<String>), TlsError> {
    let ca_pem = read(&pki.ca_cert())?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&ca_pem) {
        let cert = cert.map_err(|e| TlsError::Verifier(e.to_string()))?;
        roots.add(cert)?;
    }
    let crl_pem = read(&pki.crl())?;
    let crl = CertificateRevocationListDer::from_pem_slice(&crl_pem)
        .map_err(|e| TlsError::Crl(e.to_string()))?;
    let revoked = revoked_serials(crl.as_ref())?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .with_crls([crl])
        .build()
        .map_err(|e| TlsError::Verifier(e.to_string()))?;
    let chain_pem = read(&pki.server_cert())?;
    let chain = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Verifier(e.to_string()))?;
    let key_pem = read(&pki.server_key())?;
    let key =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::Verifier(e.to_string()))?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((Arc::new(config), revoked))
}

fn revoked_serials(crl_der: &[u8]) -> Result<HashSet<String>, TlsError> {
    let (_, crl) =
        x509_parser::parse_x509_crl(crl_der).map_err(|e| TlsError::Crl(e.to_string()))?;
    Ok(crl
        .iter_revoked_certificates()
        .map(|r| strip_leading_zeros(&hex::encode(r.raw_serial())))
        .collect())
}

/// Keeps the TLS configuration in step with `crl.pem`: polls its modification time and size, and on a
/// change rebuilds the verifier and swaps the configuration in place (new handshakes use it at once).
pub fn spawn_crl_watcher(
    pki: PkiPaths,
    rustls_config: RustlsConfig,
    revoked: RevokedSerials,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = stamp(&pki.crl());
        loop {
            tokio::time::sleep(interval).await;
            let now = stamp(&pki.crl());
            if now == last {
                continue;
            }
            match server_config(&pki) {
                Ok((config, serials)) => {
                    rustls_config.reload_from_config(config);
                    let count = serials.len();
                    revoked.replace_all(serials);
                    last = now;
                    tracing::info!(revoked = count, "CRL reloaded");
                }
                // A half-written file or a bad CRL: keep the old configuration and retry next tick.
                Err(e) => {
                    tracing::warn!(error = %e, "CRL reload failed; keeping the previous configuration")
                }
            }
        }
    })
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Wraps the rustls acceptor and attaches the client's [`TerminalIdentity`] to every request of the
/// connection. A certificate that verified but carries no terminal URN (e.g. the server's own) is refused.
#[derive(Clone)]
pub struct TerminalAcceptor {
    inner: RustlsAcceptor,
    idle: std::time::Duration,
}

impl TerminalAcceptor {
    /// `idle`: a connection with no byte read for this long is closed.
    pub fn new(inner: RustlsAcceptor, idle: std::time::Duration) -> Self {
        TerminalAcceptor { inner, idle }
    }
}

impl<I, S> Accept<I, S> for TerminalAcceptor
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Send + 'static,
{
    type Stream = Pin<Box<tokio_io_timeout::TimeoutStream<TlsStream<I>>>>;
    type Service = AddExtension<S, Arc<TerminalIdentity>>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let acceptor = self.inner.clone();
        let idle = self.idle;
        Box::pin(async move {
            let (stream, service) = acceptor.accept(stream, service).await.map_err(|e| {
                // Refused handshakes (no, unknown, expired or revoked certificate; TLS 1.2) leave a trace.
                tracing::warn!(error = %e, "TLS handshake refused");
                e
            })?;
            let identity = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|certs| certs.first())
                .and_then(|leaf| TerminalIdentity::from_certificate(leaf.as_ref()))
                .ok_or_else(|| {
                    tracing::warn!("client certificate without a terminal identity refused");
                    io::Error::new(io::ErrorKind::PermissionDenied, "no terminal identity")
                })?;
            let service = axum::Extension(Arc::new(identity)).layer(service);
            let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
            stream.set_read_timeout(Some(idle));
            Ok((Box::pin(stream), service))
        })
    }
}
