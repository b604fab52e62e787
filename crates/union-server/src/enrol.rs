//! Terminal enrolment (端末登録): one-time enrolment codes and the enrolment listener.
//!
//! The 情報システム管理者 of the union creates a code for one municipality and one terminal id with
//! `madoguchi-union pki enrolment-code`; the terminal's administrator runs `madoguchi-admin enroll` with it.
//! The terminal creates its key itself and sends only a certificate signing request (CSR); the union signs
//! it with its CA, taking subject, SAN (`urn:madoguchi:terminal:<municipality>:<terminal-id>`), usage and
//! validity from the code — never from the CSR — and records it in `index.json` like any other terminal
//! certificate. The key never leaves the terminal, which the seeds' line requirement (認証・通信内容の暗号化,
//! N:3811–3812) and the brief's per-terminal identity need.
//!
//! State lives in the PKI directory, not in the store (which `serve` holds locked), so the CLI can add codes
//! while the server runs: `enrolment.json` (0600) keeps only a SHA-256 of each code, its binding, expiry and
//! use; every change happens under the PKI lock and is re-read on each request. Every attempt, accepted or
//! refused, is appended to `enrolment-log.jsonl` (time, remote address, outcome, terminal — never the code).
//!
//! The listener is separate from the API (a terminal without a certificate cannot pass the API's mutual
//! TLS): TLS 1.3 with the server certificate, no client certificate, one route, a small body limit, and a
//! per-address limit on failed attempts.

use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use madoguchi_protocol::enrol::{
    ENROL_PATH, EnrolErrorBody, EnrolErrorCode, EnrolRequest, EnrolResponse,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::pki::{self, PkiError, PkiPaths};

/// Characters of an enrolment code: Crockford base32 (no I, L, O, U), read aloud or typed without doubt.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 20 characters × 5 bits = 100 bits: far beyond guessing within the attempt limits.
const CODE_LEN: usize = 20;
/// Failed attempts per remote address within [`FAILURE_WINDOW`] before it is refused outright.
pub const MAX_FAILURES: usize = 5;
/// Window of the failure limit.
pub const FAILURE_WINDOW: StdDuration = StdDuration::from_secs(15 * 60);
/// Largest accepted request body (a CSR is about 1 KiB).
const BODY_LIMIT: usize = 16 * 1024;

/// One code, as kept in `enrolment.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolmentCode {
    /// SHA-256 of the normalised code, lowercase hex. The code itself is never stored.
    pub code_sha256: String,
    /// 市町村コード the issued certificate will name; fixed by the administrator, never by the terminal.
    pub municipality: String,
    /// Terminal id the issued certificate will name.
    pub terminal_id: String,
    /// Validity of the certificate issued with it, in days.
    pub certificate_days: u32,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// RFC 3339, once used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    /// Serial of the certificate issued with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct EnrolmentState {
    codes: Vec<EnrolmentCode>,
}

/// A code just created: shown once to the administrator, then only its hash remains.
#[derive(Clone)]
pub struct IssuedCode {
    /// Four groups of five characters (Crockford base 32), e.g. `7K2QD-M9TXA-04RBW-HZ3NE`.
    pub code: String,
    /// After this the code is refused (`valid_for` after creation).
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("code", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn state_path(paths: &PkiPaths) -> std::path::PathBuf {
    paths.dir.join("enrolment.json")
}

fn log_path(paths: &PkiPaths) -> std::path::PathBuf {
    paths.dir.join("enrolment-log.jsonl")
}

fn load_state(paths: &PkiPaths) -> Result<EnrolmentState, PkiError> {
    let path = state_path(paths);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(serde_json::from_str(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(EnrolmentState::default()),
        Err(e) => Err(PkiError::Io { path, source: e }),
    }
}

fn save_state(paths: &PkiPaths, state: &EnrolmentState) -> Result<(), PkiError> {
    let text = serde_json::to_vec_pretty(state)?;
    pki::write_private(&state_path(paths), &text)
}

/// Upper case, without spaces and '-', so a code read over the phone still matches.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn code_hash(code: &str) -> [u8; 32] {
    Sha256::digest(normalise(code).as_bytes()).into()
}

fn random_code() -> String {
    let mut out = String::with_capacity(CODE_LEN + CODE_LEN / 5);
    for i in 0..CODE_LEN {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        let n: u8 = rand::random::<u8>() & 0x1f;
        out.push(char::from(ALPHABET[usize::from(n)]));
    }
    out
}

/// Creates a one-time enrolment code for `terminal_id` of `municipality` (a validated 地方公共団体コード),
/// valid for `valid_for`; the certificate issued with it is valid `certificate_days` days.
pub fn create_code(
    dir: &Path,
    municipality: &str,
    terminal_id: &str,
    valid_for: Duration,
    certificate_days: u32,
) -> Result<IssuedCode, PkiError> {
    create_code_at(
        dir,
        municipality,
        terminal_id,
        valid_for,
        certificate_days,
        OffsetDateTime::now_utc(),
    )
}

/// [`create_code`] as of `now` (tests let the code expire without sleeping).
pub fn create_code_at(
    dir: &Path,
    municipality: &str,
    terminal_id: &str,
    valid_for: Duration,
    certificate_days: u32,
    now: OffsetDateTime,
) -> Result<IssuedCode, PkiError> {
    pki::validate_terminal_id(terminal_id)?;
    if valid_for <= Duration::ZERO {
        return Err(PkiError::InvalidValidity(
            "the code must be valid for some time".into(),
        ));
    }
    pki::validity(certificate_days)?;
    let paths = PkiPaths::new(dir);
    let _lock = pki::lock(&paths)?;
    // Refuse early what the redemption would refuse: no CA, or a terminal id of another municipality.
    let index = pki::load_index(&paths)?;
    if !paths.ca_key().exists() {
        return Err(PkiError::NotInitialised(dir.to_path_buf()));
    }
    pki::check_terminal_municipality(&index, municipality, terminal_id)?;
    let mut state = load_state(&paths)?;
    let code = random_code();
    let expires_at = now + valid_for;
    state.codes.push(EnrolmentCode {
        code_sha256: hex::encode(code_hash(&code)),
        municipality: municipality.to_string(),
        terminal_id: terminal_id.to_string(),
        certificate_days,
        created_at: pki::rfc3339(now),
        expires_at: pki::rfc3339(expires_at),
        used_at: None,
        serial: None,
    });
    save_state(&paths, &state)?;
    Ok(IssuedCode { code, expires_at })
}

/// The codes of a PKI directory (hashes only), for `pki enrolment-codes`.
pub fn list_codes(dir: &Path) -> Result<Vec<EnrolmentCode>, PkiError> {
    load_state(&PkiPaths::new(dir)).map(|s| s.codes)
}

/// Why a redemption failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RedeemError {
    /// Refused for a reason the terminal is told (e.g. unknown, used or expired code, bad CSR).
    #[error("{}", .0.message_en())]
    Refused(EnrolErrorCode),
    /// The PKI directory failed; the terminal is told only "internal".
    #[error(transparent)]
    Pki(#[from] PkiError),
}

impl RedeemError {
    /// The error code sent to the terminal.
    pub(crate) fn code(&self) -> EnrolErrorCode {
        match self {
            RedeemError::Refused(c) => *c,
            RedeemError::Pki(_) => EnrolErrorCode::Internal,
        }
    }
}

/// Redeems `code` for the CSR: checks the code (constant-time hash compare over every code, single use,
/// not expired), marks it used, signs the CSR's public key with names from the code and returns what the
/// terminal needs. The code is consumed before signing, so even a crash can never let it issue twice.
pub(crate) fn redeem(
    dir: &Path,
    code: &str,
    csr_pem: &str,
    api_endpoint: Option<&str>,
) -> Result<EnrolResponse, RedeemError> {
    redeem_at(dir, code, csr_pem, api_endpoint, OffsetDateTime::now_utc())
}

/// [`redeem`] as of `now`.
pub(crate) fn redeem_at(
    dir: &Path,
    code: &str,
    csr_pem: &str,
    api_endpoint: Option<&str>,
    now: OffsetDateTime,
) -> Result<EnrolResponse, RedeemError> {
    // Parse and verify the CSR's self-signature first: a bad CSR must not consume the code.
    let csr = rcgen::CertificateSigningRequestParams::from_pem(csr_pem)
        .map_err(|_| RedeemError::Refused(EnrolErrorCode::BadCsr))?;
    let paths = PkiPaths::new(dir);
    let _lock = pki::lock(&paths)?;
    let mut state = load_state(&paths)?;
    let wanted = code_hash(code);
    // Compare with every stored hash without stopping early: the time taken does not say which matched.
    let mut found: Option<usize> = None;
    for (i, c) in state.codes.iter().enumerate() {
        let stored = hex::decode(&c.code_sha256).unwrap_or_default();
        if bool::from(stored.as_slice().ct_eq(&wanted)) {
            found = Some(i);
        }
    }
    let i = found.ok_or(RedeemError::Refused(EnrolErrorCode::UnknownCode))?;
    let entry = state.codes[i].clone();
    if entry.used_at.is_some() {
        return Err(RedeemError::Refused(EnrolErrorCode::UsedCode));
    }
    let expires = OffsetDateTime::parse(
        &entry.expires_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| PkiError::CorruptIndex("enrolment.json: bad expiry".into()))?;
    if now >= expires {
        return Err(RedeemError::Refused(EnrolErrorCode::ExpiredCode));
    }
    state.codes[i].used_at = Some(pki::rfc3339(now));
    save_state(&paths, &state)?;

    let (not_before, not_after) = pki::validity(entry.certificate_days)?;
    let (cert, serial) = pki::sign_terminal(
        &paths,
        &entry.municipality,
        &entry.terminal_id,
        not_before,
        not_after,
        &csr.public_key,
    )?;
    state.codes[i].serial = Some(serial.clone());
    save_state(&paths, &state)?;

    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(&p).map_err(|e| PkiError::Io { path: p, source: e })
    };
    let ca_pem = read(paths.ca_cert())?;
    let crl_pem = read(paths.crl())?;
    let index = pki::load_index(&paths)?;
    Ok(EnrolResponse {
        terminal_id: entry.terminal_id,
        municipality: entry.municipality,
        union_name: index.union_name,
        certificate_chain_pem: format!("{}{}", cert.pem(), ca_pem),
        ca_pem,
        crl_pem,
        serial,
        not_after: pki::rfc3339(not_after),
        api_endpoint: api_endpoint.map(str::to_owned),
    })
}

/// Failed attempts per remote address.
#[derive(Default)]
struct Limiter(Mutex<HashMap<IpAddr, Vec<Instant>>>);

impl Limiter {
    fn blocked(&self, ip: IpAddr) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return true;
        };
        let now = Instant::now();
        // Forget what is out of the window, so the map holds only addresses that failed lately.
        map.retain(|_, list| {
            list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
            !list.is_empty()
        });
        map.get(&ip).is_some_and(|list| list.len() >= MAX_FAILURES)
    }
    fn failed(&self, ip: IpAddr) {
        if let Ok(mut map) = self.0.lock() {
            map.entry(ip).or_default().push(Instant::now());
        }
    }
}

struct EnrolState {
    paths: PkiPaths,
    api_endpoint: Option<String>,
    limiter: Limiter,
    /// Serialises redemptions in this process (the file lock serialises between processes).
    serial: tokio::sync::Mutex<()>,
}

#[derive(Serialize)]
struct LogLine<'a> {
    at: String,
    remote: String,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    terminal_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    municipality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial: Option<&'a str>,
}

fn audit(paths: &PkiPaths, line: &LogLine<'_>) {
    let path = log_path(paths);
    let result = serde_json::to_string(line)
        .map_err(std::io::Error::other)
        .and_then(|text| {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            writeln!(f, "{text}")?;
            f.sync_data()
        });
    if let Err(e) = result {
        tracing::error!(error = %e, "enrolment attempt could not be written to the enrolment log");
    }
}

fn refusal(code: EnrolErrorCode) -> Response {
    let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(EnrolErrorBody::from(code))).into_response()
}

async fn enrol_handler(
    State(state): State<Arc<EnrolState>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    body: axum::body::Bytes,
) -> Response {
    let ip = remote.ip();
    let remote_text = ip.to_string();
    let log = |outcome: &str, t: Option<&EnrolResponse>| {
        audit(
            &state.paths,
            &LogLine {
                at: pki::rfc3339(OffsetDateTime::now_utc()),
                remote: remote_text.clone(),
                outcome,
                terminal_id: t.map(|r| r.terminal_id.as_str()),
                municipality: t.map(|r| r.municipality.as_str()),
                serial: t.map(|r| r.serial.as_str()),
            },
        )
    };
    if state.limiter.blocked(ip) {
        tracing::warn!(remote = %ip, "enrolment refused: too many failed attempts");
        log("too_many_attempts", None);
        return refusal(EnrolErrorCode::TooManyAttempts);
    }
    let Ok(req) = serde_json::from_slice::<EnrolRequest>(&body) else {
        state.limiter.failed(ip);
        log("malformed", None);
        return refusal(EnrolErrorCode::Malformed);
    };
    let _one_at_a_time = state.serial.lock().await;
    let dir = state.paths.dir.clone();
    let api = state.api_endpoint.clone();
    let result =
        tokio::task::spawn_blocking(move || redeem(&dir, &req.code, &req.csr_pem, api.as_deref()))
            .await;
    match result {
        Ok(Ok(resp)) => {
            tracing::info!(
                remote = %ip,
                terminal = %resp.terminal_id,
                municipality = %resp.municipality,
                serial = %resp.serial,
                "terminal enrolled"
            );
            log("enrolled", Some(&resp));
            (StatusCode::OK, axum::Json(resp)).into_response()
        }
        Ok(Err(e)) => {
            let code = e.code();
            if code != EnrolErrorCode::Internal {
                state.limiter.failed(ip);
            }
            tracing::warn!(remote = %ip, error = %e, "enrolment refused");
            log(
                serde_json::to_value(code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .as_deref()
                    .unwrap_or("refused"),
                None,
            );
            refusal(code)
        }
        Err(e) => {
            tracing::error!(error = %e, "enrolment task failed");
            log("internal", None);
            refusal(EnrolErrorCode::Internal)
        }
    }
}

/// The enrolment listener's TLS: TLS 1.3, the server certificate, no client certificate asked for.
pub(crate) fn enrol_tls_config(
    paths: &PkiPaths,
) -> Result<rustls::ServerConfig, crate::tls::TlsError> {
    let read = |p: std::path::PathBuf| {
        std::fs::read(&p).map_err(|e| crate::tls::TlsError::Read {
            path: p.display().to_string(),
            message: e.to_string(),
        })
    };
    let chain_pem = read(paths.server_cert())?;
    let chain = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| crate::tls::TlsError::Verifier(e.to_string()))?;
    let key_pem = read(paths.server_key())?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| crate::tls::TlsError::Verifier(e.to_string()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(crate::tls::provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A running enrolment listener.
pub(crate) struct EnrolListener {
    /// The address actually bound (port 0 resolved).
    pub(crate) addr: SocketAddr,
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl EnrolListener {
    /// Stops it (requests in flight get up to 5 s).
    pub(crate) async fn shutdown(self) {
        self.handle
            .graceful_shutdown(Some(StdDuration::from_secs(5)));
        let _ = self.task.await;
    }
}

/// Starts the enrolment listener on `listen`.
pub(crate) fn spawn_listener(
    pki_dir: &Path,
    listen: SocketAddr,
    api_endpoint: Option<String>,
    handshake_timeout: StdDuration,
) -> Result<EnrolListener, crate::server::ServeError> {
    let paths = PkiPaths::new(pki_dir);
    let tls = RustlsConfig::from_config(Arc::new(enrol_tls_config(&paths)?));
    let state = Arc::new(EnrolState {
        paths,
        api_endpoint,
        limiter: Limiter::default(),
        serial: tokio::sync::Mutex::new(()),
    });
    let app = Router::new()
        .route(ENROL_PATH, post(enrol_handler))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    let listen_error = |e: std::io::Error| crate::server::ServeError::Listen {
        addr: listen,
        message: e.to_string(),
    };
    let listener = std::net::TcpListener::bind(listen).map_err(listen_error)?;
    listener.set_nonblocking(true).map_err(listen_error)?;
    let addr = listener.local_addr().map_err(listen_error)?;
    let handle = Handle::new();
    let acceptor =
        axum_server::tls_rustls::RustlsAcceptor::new(tls).handshake_timeout(handshake_timeout);
    let mut server = axum_server::from_tcp(listener)
        .map_err(listen_error)?
        .acceptor(acceptor)
        .handle(handle.clone());
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(handshake_timeout);
    let task = tokio::spawn(async move {
        server
            .serve(app.into_make_service_with_connect_info::<SocketAddr>())
            .await
    });
    tracing::info!(%addr, "enrolment listener (TLS 1.3, server-authenticated only)");
    Ok(EnrolListener { addr, handle, task })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr_for(names: Vec<String>) -> (rcgen::KeyPair, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "evil");
        let csr = params.serialize_request(&key).unwrap().pem().unwrap();
        (key, csr)
    }

    fn pki() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        pki::init(dir.path(), "テスト広域連合", 30).unwrap();
        pki::issue_server(dir.path(), &["localhost".into()], 30).unwrap();
        dir
    }

    #[test]
    fn codes_are_single_use_and_bound_to_their_terminal() {
        let dir = pki();
        let d = dir.path();
        let issued = create_code(d, "152111", "T-9", Duration::hours(1), 30).unwrap();
        assert_eq!(issued.code.len(), 23);
        assert!(!format!("{issued:?}").contains(&issued.code));
        let stored = std::fs::read_to_string(d.join("enrolment.json")).unwrap();
        assert!(!stored.contains(&issued.code), "only the hash is stored");

        let (_k, csr) = csr_for(vec!["urn:madoguchi:terminal:131016:ADMIN".into()]);
        assert!(matches!(
            redeem(d, "WRONG-CODE", &csr, None),
            Err(RedeemError::Refused(EnrolErrorCode::UnknownCode))
        ));
        assert!(matches!(
            redeem(d, &issued.code, "not a csr", None),
            Err(RedeemError::Refused(EnrolErrorCode::BadCsr))
        ));
        // Lower case and without dashes still matches.
        let typed = issued.code.replace('-', " ").to_lowercase();
        let resp = redeem(d, &typed, &csr, Some("https://u:8443")).unwrap();
        assert_eq!(resp.terminal_id, "T-9");
        assert_eq!(resp.municipality, "152111");
        assert_eq!(resp.api_endpoint.as_deref(), Some("https://u:8443"));
        let leaf = CertificateDer::pem_slice_iter(resp.certificate_chain_pem.as_bytes())
            .next()
            .unwrap()
            .unwrap();
        let id = crate::tls::TerminalIdentity::from_certificate(leaf.as_ref()).unwrap();
        assert_eq!(id.terminal_id, "T-9");
        assert_eq!(id.municipality, "152111");
        assert!(matches!(
            redeem(d, &issued.code, &csr, None),
            Err(RedeemError::Refused(EnrolErrorCode::UsedCode))
        ));
        let index = pki::load_index(&PkiPaths::new(d)).unwrap();
        assert!(index.certificates.iter().any(|c| c.serial == resp.serial));
    }

    #[test]
    fn expired_codes_are_refused_and_municipality_binding_holds() {
        let dir = pki();
        let d = dir.path();
        let made = OffsetDateTime::now_utc();
        let issued = create_code_at(d, "152111", "T-1", Duration::hours(1), 30, made).unwrap();
        let (_k, csr) = csr_for(vec![]);
        // At the hour the code is spent; a second code is still good one second before it.
        let later = made + Duration::hours(1);
        assert!(matches!(
            redeem_at(d, &issued.code, &csr, None, later),
            Err(RedeemError::Refused(EnrolErrorCode::ExpiredCode))
        ));
        let issued = create_code_at(d, "152111", "T-1", Duration::hours(1), 30, made).unwrap();
        assert!(
            redeem_at(d, &issued.code, &csr, None, later - Duration::seconds(1)).is_ok(),
            "valid until the last second"
        );
        pki::issue_terminal(d, "152111", "T-2", 10).unwrap();
        assert!(matches!(
            create_code(d, "152021", "T-2", Duration::hours(1), 30),
            Err(PkiError::TerminalOfOtherMunicipality { .. })
        ));
    }
}
