//! The mutual-TLS client.

use std::fmt;
use std::time::Duration;

use madoguchi_protocol::ErrorBody;
use madoguchi_protocol::endpoint::{Endpoint, HttpMethod};
use reqwest::{Certificate, Identity, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{LinkError, TransportFailure, classify};
use crate::line::LineMonitor;
use crate::revocation::{ProbeOutcome, RevocationProbe};

/// How to reach the union. Built from the terminal's enrolment (or training mode's generated PKI).
#[derive(Clone)]
pub struct LinkConfig {
    /// `https://host:port`, the union endpoint. Nothing else is ever contacted.
    pub endpoint: String,
    /// The union's CA certificate(s), PEM. The only trust anchors.
    pub union_ca_pem: Vec<u8>,
    /// The terminal's certificate chain and private key, PEM (one buffer).
    pub terminal_identity_pem: Zeroizing<Vec<u8>>,
    /// The union CA's CRL, PEM, when distributed: a revoked server certificate is refused.
    pub union_crl_pem: Option<Vec<u8>>,
    /// Per request.
    pub request_timeout: Duration,
    /// To establish a connection.
    pub connect_timeout: Duration,
}

impl fmt::Debug for LinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkConfig")
            .field("endpoint", &self.endpoint)
            .field("terminal_identity_pem", &"<secret>")
            .finish_non_exhaustive()
    }
}

impl LinkConfig {
    /// Defaults for a counter: an answer within 10 s or the line counts as failing.
    pub fn new(
        endpoint: impl Into<String>,
        union_ca_pem: Vec<u8>,
        terminal_identity_pem: Vec<u8>,
    ) -> Self {
        LinkConfig {
            endpoint: endpoint.into(),
            union_ca_pem,
            terminal_identity_pem: Zeroizing::new(terminal_identity_pem),
            union_crl_pem: None,
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

/// A staff session token from sign-in. Redacts itself.
#[derive(Clone)]
pub struct SessionToken(Zeroizing<String>);

impl SessionToken {
    /// Wraps the token the union returned.
    pub fn new(token: String) -> Self {
        SessionToken(Zeroizing::new(token))
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.0.as_str())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// The union client: one connection pool, reused across requests (the round trip stays in milliseconds).
#[derive(Clone)]
pub struct UnionClient {
    http: reqwest::Client,
    base: Url,
    line: LineMonitor,
    probe: std::sync::Arc<RevocationProbe>,
}

impl UnionClient {
    /// Builds the client: TLS 1.3 only, trust only the union CA, present the terminal certificate, no
    /// proxies, no redirects, HTTPS only.
    pub fn new(cfg: &LinkConfig, line: LineMonitor) -> Result<Self, LinkError> {
        let base =
            Url::parse(&cfg.endpoint).map_err(|e| LinkError::Config(format!("endpoint: {e}")))?;
        if base.scheme() != "https" || base.host_str().is_none() {
            return Err(LinkError::Config(
                "endpoint must be an https:// URL with a host".into(),
            ));
        }
        let roots = Certificate::from_pem_bundle(&cfg.union_ca_pem)
            .map_err(|e| LinkError::Config(format!("union CA: {e}")))?;
        if roots.is_empty() {
            return Err(LinkError::Config(
                "union CA: no certificate in the PEM".into(),
            ));
        }
        let probe = std::sync::Arc::new(RevocationProbe::new(cfg, &base)?);
        let identity = Identity::from_pem(&cfg.terminal_identity_pem)
            .map_err(|e| LinkError::Config(format!("terminal identity: {e}")))?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_rustls()
            .tls_certs_only(roots)
            .identity(identity)
            .tls_version_min(reqwest::tls::Version::TLS_1_3)
            .https_only(true)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("madoguchi-terminal/", env!("CARGO_PKG_VERSION")));
        if let Some(crl) = &cfg.union_crl_pem {
            let crls = reqwest::tls::CertificateRevocationList::from_pem_bundle(crl)
                .map_err(|e| LinkError::Config(format!("union CRL: {e}")))?;
            builder = builder.tls_crls_only(crls);
        }
        let http = builder
            .build()
            .map_err(|e| LinkError::Config(format!("client: {e}")))?;
        Ok(UnionClient {
            http,
            base,
            line,
            probe,
        })
    }

    /// A request that did not get through. A TLS failure may be the union refusing a revoked certificate:
    /// that is confirmed by a separate, verified handshake (`revocation.rs`) before it is believed.
    async fn transport_failure(&self, e: &reqwest::Error) -> LinkError {
        let kind = classify(e);
        if kind == TransportFailure::Tls && self.probe.confirm().await == ProbeOutcome::Revoked {
            return self.revoked();
        }
        tracing::warn!(failure = ?kind, "union request failed");
        self.line.record_failure(kind);
        LinkError::Transport(kind)
    }

    fn revoked(&self) -> LinkError {
        if !self.line.terminal_revoked() {
            tracing::error!("the union refused this terminal's certificate as revoked");
        }
        self.line.mark_terminal_revoked();
        LinkError::TerminalRevoked
    }

    /// Whether the union has refused this terminal's certificate as revoked.
    pub fn terminal_revoked(&self) -> bool {
        self.line.terminal_revoked()
    }

    /// The line monitor this client reports to.
    pub fn line(&self) -> &LineMonitor {
        &self.line
    }

    /// Sends one request with a raw path, for system tests that probe the wire with requests the
    /// terminal never makes (the terminal's own code goes through [`Self::send`]).
    #[cfg(feature = "test-support")]
    pub async fn call<Req, Resp>(
        &self,
        method: Method,
        path: &str,
        token: Option<&SessionToken>,
        idempotency_key: Option<Uuid>,
        body: Option<&Req>,
    ) -> Result<Resp, LinkError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.call_path(method, path, token, idempotency_key, body)
            .await
    }

    /// Sends one request. `path` is relative to the endpoint (`/v1/...`) and must stay on it.
    async fn call_path<Req, Resp>(
        &self,
        method: Method,
        path: &str,
        token: Option<&SessionToken>,
        idempotency_key: Option<Uuid>,
        body: Option<&Req>,
    ) -> Result<Resp, LinkError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        if self.line.terminal_revoked() {
            return Err(LinkError::TerminalRevoked);
        }
        if self.line.simulated_offline() {
            self.line.record_failure(TransportFailure::Simulated);
            return Err(LinkError::Transport(TransportFailure::Simulated));
        }
        let url = self
            .base
            .join(path)
            .map_err(|e| LinkError::Config(format!("path: {e}")))?;
        if url.origin() != self.base.origin() {
            return Err(LinkError::Config(
                "a request may only go to the union endpoint".into(),
            ));
        }
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.header(reqwest::header::AUTHORIZATION, t.bearer());
        }
        if let Some(k) = idempotency_key {
            req = req.header(
                madoguchi_protocol::v1::IDEMPOTENCY_KEY_HEADER,
                k.to_string(),
            );
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.transport_failure(&e).await),
        };
        let status = resp.status().as_u16();
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.transport_failure(&e).await),
        };
        if status >= 500 {
            self.line.record_server_error();
        } else {
            self.line.record_answer();
        }
        if (200..300).contains(&status) {
            // `204 No Content` (sign-out) reads as JSON `null`, which is what `NoContent` expects.
            let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(bytes).map_err(|e| LinkError::Unexpected {
                status,
                detail: format!(
                    "response does not match the protocol: {}",
                    e.classify_name()
                ),
            });
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            // Said by the union on a connection whose certificate we verified: authentic.
            Ok(body) if body.code == madoguchi_protocol::ErrorCode::TerminalRevoked => {
                Err(self.revoked())
            }
            Ok(body) => Err(LinkError::Refused {
                status,
                body: Box::new(body),
            }),
            Err(_) => Err(LinkError::Unexpected {
                status,
                detail: "error without a readable error body".into(),
            }),
        }
    }

    /// Sends one request to a described endpoint (`madoguchi_protocol::endpoint`): the path is built from
    /// the template and `params`, and the body and answer have the endpoint's types.
    pub async fn send<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        endpoint: &Endpoint<Req, Resp>,
        params: &[&str],
        token: Option<&SessionToken>,
        idempotency_key: Option<Uuid>,
        body: Option<&Req>,
    ) -> Result<Resp, LinkError> {
        self.send_with_query(endpoint, params, "", token, idempotency_key, body)
            .await
    }

    /// [`Self::send`] with a query string (`offset=0&limit=100`) for paged reads.
    pub async fn send_with_query<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        endpoint: &Endpoint<Req, Resp>,
        params: &[&str],
        query: &str,
        token: Option<&SessionToken>,
        idempotency_key: Option<Uuid>,
        body: Option<&Req>,
    ) -> Result<Resp, LinkError> {
        let mut path = endpoint
            .path(params)
            .map_err(|e| LinkError::Config(format!("{endpoint:?}: {e}")))?;
        if !query.is_empty() {
            path.push('?');
            path.push_str(query);
        }
        let method = match endpoint.method() {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
            HttpMethod::Put => Method::PUT,
            HttpMethod::Delete => Method::DELETE,
        };
        self.call_path(method, &path, token, idempotency_key, body)
            .await
    }

    /// `GET` without a body, raw path (system tests only).
    #[cfg(feature = "test-support")]
    pub async fn get<Resp: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&SessionToken>,
    ) -> Result<Resp, LinkError> {
        self.call_path::<(), Resp>(Method::GET, path, token, None, None)
            .await
    }

    /// `POST` with a JSON body, raw path (system tests only).
    #[cfg(feature = "test-support")]
    pub async fn post<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&SessionToken>,
        idempotency_key: Option<Uuid>,
        body: &Req,
    ) -> Result<Resp, LinkError> {
        self.call_path(Method::POST, path, token, idempotency_key, Some(body))
            .await
    }

    /// `GET /v1/health`: proves the line and both certificates work.
    pub async fn health(&self) -> Result<madoguchi_protocol::v1::HealthResponse, LinkError> {
        self.send(&madoguchi_protocol::endpoint::HEALTH, &[], None, None, None)
            .await
    }

    /// Probes the line every `every` until the returned handle is aborted, so the state stays true even
    /// when nobody is working at the counter.
    pub fn spawn_health_probe(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // The outcome is recorded by `call`; the answer itself is not needed here.
                let _ = me.health().await;
            }
        })
    }
}

/// Names the kind of a serde error without its text (which may quote the body).
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_plain_http_and_bad_pem() {
        let cfg = LinkConfig::new("http://127.0.0.1:1", b"x".to_vec(), b"y".to_vec());
        assert!(matches!(
            UnionClient::new(&cfg, LineMonitor::new()),
            Err(LinkError::Config(_))
        ));
        let cfg = LinkConfig::new(
            "https://127.0.0.1:1",
            b"not pem".to_vec(),
            b"PRIVATE-KEY-MATERIAL".to_vec(),
        );
        assert!(matches!(
            UnionClient::new(&cfg, LineMonitor::new()),
            Err(LinkError::Config(_))
        ));
        assert!(
            !format!("{cfg:?}").contains("PRIVATE-KEY"),
            "identity is secret"
        );
    }

    #[test]
    fn tokens_redact() {
        let t = SessionToken::new("secret-token".into());
        assert_eq!(format!("{t:?}"), "SessionToken(<redacted>)");
    }
}
