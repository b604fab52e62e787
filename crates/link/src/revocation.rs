//! Telling a revoked terminal certificate apart from everything else that breaks a TLS handshake.
//!
//! Revocation makes the terminal wipe its vault, so it must never be triggered by a network fault or by
//! anyone but the union. A TLS alert alone proves nothing: before the server is authenticated, anyone on the
//! path can send `certificate_revoked` (in plaintext before the ServerHello, or encrypted under keys agreed
//! with an impostor). So when a request fails in the TLS layer, a separate confirming handshake is made with
//! our own rustls client whose verifier records that (1) the union's certificate chain verified against the
//! union CA and (2) the server's TLS 1.3 CertificateVerify signature — which covers the key exchange — verified
//! with that certificate's key. Only an alert `certificate_revoked` received after both is taken as the
//! union's word: from then on the record layer's keys are bound to the verified union key, so the alert can
//! come from the union only.
//!
//! In TLS 1.3 the client finishes its side of the handshake before the server has looked at the client
//! certificate, so the server's refusal arrives on the first read: the probe sends a `GET /v1/health` and
//! reads the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, ServerName, UnixTime,
};
use rustls::{AlertDescription, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

use crate::client::LinkConfig;
use crate::error::LinkError;

/// What a confirming handshake found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The authenticated union refused our certificate as revoked.
    Revoked,
    /// Anything else: connected fine, network error, timeout, unverified server, another alert.
    NotConfirmed,
}

/// Everything needed to make a confirming handshake, parsed once when the client is built.
pub(crate) struct RevocationProbe {
    provider: Arc<CryptoProvider>,
    roots: Arc<RootCertStore>,
    crls: Vec<CertificateRevocationListDer<'static>>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    server_name: ServerName<'static>,
    host: String,
    port: u16,
    timeout: Duration,
}

impl RevocationProbe {
    pub(crate) fn new(cfg: &LinkConfig, base: &Url) -> Result<Self, LinkError> {
        let bad = |what: &str| LinkError::Config(format!("revocation probe: {what}"));
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&cfg.union_ca_pem) {
            roots
                .add(cert.map_err(|_| bad("union CA"))?)
                .map_err(|_| bad("union CA"))?;
        }
        let crls = match &cfg.union_crl_pem {
            Some(pem) => CertificateRevocationListDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| bad("union CRL"))?,
            None => Vec::new(),
        };
        let chain = CertificateDer::pem_slice_iter(&cfg.terminal_identity_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad("terminal certificate"))?;
        let key = PrivateKeyDer::from_pem_slice(&cfg.terminal_identity_pem)
            .map_err(|_| bad("terminal key"))?;
        let host = base
            .host_str()
            .ok_or_else(|| bad("endpoint host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let server_name = ServerName::try_from(host.clone()).map_err(|_| bad("endpoint host"))?;
        let port = base
            .port_or_known_default()
            .ok_or_else(|| bad("endpoint port"))?;
        Ok(RevocationProbe {
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
            roots: Arc::new(roots),
            crls,
            chain,
            key,
            server_name,
            host,
            port,
            timeout: cfg.connect_timeout + cfg.request_timeout,
        })
    }

    /// Makes one confirming handshake.
    pub(crate) async fn confirm(&self) -> ProbeOutcome {
        match tokio::time::timeout(self.timeout, self.exchange()).await {
            Ok(outcome) => outcome,
            Err(_) => ProbeOutcome::NotConfirmed,
        }
    }

    async fn exchange(&self) -> ProbeOutcome {
        let verified = Arc::new(AtomicBool::new(false));
        let Ok(config) = self.client_config(verified.clone()) else {
            return ProbeOutcome::NotConfirmed;
        };
        let Ok(tcp) = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await else {
            return ProbeOutcome::NotConfirmed;
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let mut tls = match connector.connect(self.server_name.clone(), tcp).await {
            Ok(s) => s,
            Err(e) => return judge(&e, &verified),
        };
        let request = format!(
            "GET /v1/health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.host
        );
        if let Err(e) = tls.write_all(request.as_bytes()).await {
            return judge(&e, &verified);
        }
        let mut sink = Vec::new();
        match tls.read_to_end(&mut sink).await {
            Ok(_) => ProbeOutcome::NotConfirmed,
            Err(e) => judge(&e, &verified),
        }
    }

    fn client_config(&self, verified: Arc<AtomicBool>) -> Result<rustls::ClientConfig, String> {
        let mut builder =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), self.provider.clone());
        if !self.crls.is_empty() {
            builder = builder.with_crls(self.crls.clone());
        }
        let inner = builder.build().map_err(|e| e.to_string())?;
        let verifier = Arc::new(RecordingVerifier {
            inner,
            chain_ok: AtomicBool::new(false),
            verified,
        });
        rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_auth_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| e.to_string())
    }
}

/// Revoked only when the union was authenticated on this very connection and then sent the alert.
fn judge(e: &std::io::Error, verified: &AtomicBool) -> ProbeOutcome {
    let alert = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .is_some_and(|re| {
            matches!(
                re,
                rustls::Error::AlertReceived(AlertDescription::CertificateRevoked)
            )
        });
    if alert && verified.load(Ordering::SeqCst) {
        ProbeOutcome::Revoked
    } else {
        ProbeOutcome::NotConfirmed
    }
}

/// The standard WebPKI verifier, plus a record of whether this connection's server proved itself.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    chain_ok: AtomicBool,
    verified: Arc<AtomicBool>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let r = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        if r.is_ok() {
            self.chain_ok.store(true, Ordering::SeqCst);
        }
        r
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // Only TLS 1.3 is offered; a TLS 1.2 handshake is never taken as proof.
        Err(rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::Tls12NotOffered,
        ))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let r = self.inner.verify_tls13_signature(message, cert, dss);
        if r.is_ok() && self.chain_ok.load(Ordering::SeqCst) {
            self.verified.store(true, Ordering::SeqCst);
        }
        r
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_alert(a: AlertDescription) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(a),
        )
    }

    #[test]
    fn an_alert_counts_only_after_the_union_was_verified() {
        let unverified = AtomicBool::new(false);
        let verified = AtomicBool::new(true);
        let revoked = io_alert(AlertDescription::CertificateRevoked);
        assert_eq!(judge(&revoked, &unverified), ProbeOutcome::NotConfirmed);
        assert_eq!(judge(&revoked, &verified), ProbeOutcome::Revoked);
        assert_eq!(
            judge(&io_alert(AlertDescription::BadCertificate), &verified),
            ProbeOutcome::NotConfirmed
        );
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(judge(&reset, &verified), ProbeOutcome::NotConfirmed);
    }
}
