//! Enrolling this terminal with the union (端末登録), and loading the enrolled identity.
//!
//! [`enrol`] creates the terminal's key pair here (ECDSA P-256; the private key never leaves the terminal),
//! seals the private key under a key-encryption key kept in the OS keyring (`madoguchi_vault::
//! seal_terminal_key`: on disk only ciphertext), sends a certificate signing request with the one-time
//! enrolment code to the union's enrolment listener — trusting only the union CA the administrator got out
//! of band, no client certificate — and installs what comes back. [`EnrolledTerminal::load`] and
//! [`EnrolledTerminal::link_config`] give the app and tests the [`LinkConfig`] of an enrolled terminal.
//!
//! The terminal directory after enrolment:
//! - `terminal.toml` — endpoint, terminal id, municipality, file names, keyring entry name (no secrets);
//! - `terminal.pem` — the certificate chain (terminal certificate, then the union CA);
//! - `union-ca.pem`, `union-crl.pem` — the union CA and its CRL as of enrolment;
//! - `terminal-key.sealed` — the private key, sealed (0600).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use madoguchi_domain::StaffMessage;
use madoguchi_protocol::enrol::{
    ENROL_PATH, EnrolErrorBody, EnrolErrorCode, EnrolRequest, EnrolResponse,
};
use madoguchi_vault::{KeyStore, VaultError};
use serde::{Deserialize, Serialize};
use url::Url;
use zeroize::Zeroizing;

use crate::client::LinkConfig;

/// Name of the description file in a terminal directory.
pub const TERMINAL_FILE: &str = "terminal.toml";
const CERT_FILE: &str = "terminal.pem";
const CA_FILE: &str = "union-ca.pem";
const CRL_FILE: &str = "union-crl.pem";
const KEY_FILE: &str = "terminal-key.sealed";

/// Why enrolment (or loading an enrolled terminal) failed. Every variant has a Japanese message.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// The terminal directory holds an enrolment already.
    #[error("{0} already holds an enrolled terminal; use another directory or remove it first")]
    AlreadyEnrolled(PathBuf),
    /// No enrolment in the directory.
    #[error("{0} holds no enrolled terminal (terminal.toml missing)")]
    NotEnrolled(PathBuf),
    /// Bad arguments (URL, CA file).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The OS keyring cannot be used (missing, locked, no session keyring).
    #[error("OS keyring unavailable: {0}")]
    Keyring(String),
    /// The keyring no longer holds the terminal key's KEK (deleted, or a new login session on Linux).
    #[error("the OS keyring has no key for this terminal's identity (entry {0})")]
    KeyMissing(String),
    /// The union's enrolment listener cannot be reached.
    #[error("the union's enrolment listener cannot be reached")]
    Unreachable,
    /// The TLS handshake failed: the server's certificate is not from the given union CA (or TLS < 1.3).
    #[error("the union's certificate does not verify against the given CA")]
    UnionNotTrusted,
    /// The union refused the enrolment.
    #[error("the union refused the enrolment: {}", .0.message_en())]
    Refused(EnrolErrorCode),
    /// The union's answer cannot be used.
    #[error("unexpected answer from the union: {0}")]
    Unexpected(String),
    /// A file of the terminal directory cannot be read or written.
    #[error("file error: {0}")]
    Io(String),
    /// The certificate or key could not be generated or read.
    #[error("key or certificate error: {0}")]
    Crypto(String),
}

impl StaffMessage for EnrolError {
    fn message_ja(&self) -> String {
        match self {
            EnrolError::AlreadyEnrolled(_) => "指定の端末ディレクトリには登録済みの端末があります。別のディレクトリを指定するか、先に削除してください。".into(),
            EnrolError::NotEnrolled(_) => "指定の端末ディレクトリに登録情報（terminal.toml）がありません。先に端末登録を行ってください。".into(),
            EnrolError::Invalid(_) => "指定内容が正しくありません（接続先URLまたはCA証明書ファイル）。".into(),
            EnrolError::Keyring(_) => "この端末のキーリング（OSの鍵保管庫）を利用できません。端末の鍵はキーリングでしか保護できないため、登録できません。Linuxではセッションキーリング（keyctl session）が必要です。".into(),
            EnrolError::KeyMissing(_) => "端末の鍵を保護する暗号鍵がキーリングにありません。端末を再登録してください。".into(),
            EnrolError::Unreachable => "広域連合の端末登録窓口に接続できません。接続先URLと回線を確認してください。".into(),
            EnrolError::UnionNotTrusted => "広域連合のサーバー証明書を、指定のCA証明書で確認できません。CA証明書と接続先を確認してください。".into(),
            EnrolError::Refused(code) => code.message_ja().into(),
            EnrolError::Unexpected(_) => "広域連合から想定外の応答がありました。広域連合に連絡してください。".into(),
            EnrolError::Io(_) => "端末ディレクトリのファイルを読み書きできません。権限と空き容量を確認してください。".into(),
            EnrolError::Crypto(_) => "端末の鍵または証明書を作成・読込できませんでした。".into(),
        }
    }
}

fn keyring_error(e: VaultError) -> EnrolError {
    match e {
        VaultError::KeyMissing { vault_id } => EnrolError::KeyMissing(vault_id),
        VaultError::WrongKey { vault_id } => EnrolError::KeyMissing(vault_id),
        VaultError::KeyringUnavailable { detail } => EnrolError::Keyring(detail),
        other => EnrolError::Io(other.to_string()),
    }
}

fn io(path: &Path, e: std::io::Error) -> EnrolError {
    EnrolError::Io(format!("{}: {e}", path.display()))
}

/// What `terminal.toml` says. No secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalDescription {
    /// The union's mutual-TLS API endpoint.
    pub endpoint: String,
    /// 端末ID.
    pub terminal_id: madoguchi_domain::TerminalId,
    /// 地方公共団体コード.
    pub municipality: String,
    /// 広域連合名.
    pub union_name: String,
    /// Certificate serial, lowercase hex.
    pub serial: String,
    /// Certificate expiry, RFC 3339.
    pub not_after: String,
    /// Files, relative to the terminal directory.
    pub certificate: String,
    /// The union CA (PEM) the terminal pins.
    pub ca: String,
    /// The union's revocation list (PEM).
    pub crl: String,
    /// The terminal's private key, sealed.
    pub key: String,
    /// Where the key-encryption key of `key` is: OS keyring service and entry (user) name.
    pub keyring_service: String,
    /// The keyring entry (user) name.
    pub keyring_entry: String,
}

/// An enrolled terminal: its directory and description.
#[derive(Debug, Clone)]
pub struct EnrolledTerminal {
    /// The terminal directory.
    pub dir: PathBuf,
    /// What enrolment wrote.
    pub description: TerminalDescription,
}

impl EnrolledTerminal {
    /// Reads `dir/terminal.toml`.
    pub fn load(dir: &Path) -> Result<Self, EnrolError> {
        let path = dir.join(TERMINAL_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EnrolError::NotEnrolled(dir.to_path_buf()));
            }
            Err(e) => return Err(io(&path, e)),
        };
        let description: TerminalDescription = toml::from_str(&text)
            .map_err(|e| EnrolError::Io(format!("{}: {}", path.display(), e.message())))?;
        for f in [
            &description.certificate,
            &description.ca,
            &description.crl,
            &description.key,
        ] {
            if f.contains('/') || f.contains('\\') || f.starts_with('.') {
                return Err(EnrolError::Io(format!(
                    "{}: file names must stay in the terminal directory",
                    path.display()
                )));
            }
        }
        Ok(EnrolledTerminal {
            dir: dir.to_path_buf(),
            description,
        })
    }

    /// Path of the sealed private key.
    pub fn key_path(&self) -> PathBuf {
        self.dir.join(&self.description.key)
    }

    /// The link configuration: the union CA, its CRL and the identity (certificate chain + the private key
    /// opened with the KEK from `keys`; in memory only, zeroized on drop).
    pub fn link_config(&self, keys: &dyn KeyStore) -> Result<LinkConfig, EnrolError> {
        let d = &self.description;
        let read = |name: &str| {
            let p = self.dir.join(name);
            std::fs::read(&p).map_err(|e| io(&p, e))
        };
        let der = madoguchi_vault::open_terminal_key(&self.key_path(), &d.keyring_entry, keys)
            .map_err(keyring_error)?;
        let mut identity = Zeroizing::new(read(&d.certificate)?);
        identity.extend_from_slice(private_key_pem(&der).as_bytes());
        let mut cfg = LinkConfig::new(d.endpoint.clone(), read(&d.ca)?, Vec::new());
        cfg.terminal_identity_pem = Zeroizing::new(std::mem::take(&mut *identity));
        cfg.union_crl_pem = Some(read(&d.crl)?);
        Ok(cfg)
    }

    /// Destroys the terminal's private key (keyring entry, then the sealed file). After this the terminal
    /// cannot connect until enrolled again.
    pub fn destroy_key(&self, keys: &dyn KeyStore) -> Result<(), EnrolError> {
        madoguchi_vault::destroy_terminal_key(
            &self.key_path(),
            &self.description.keyring_entry,
            keys,
        )
        .map_err(keyring_error)
    }
}

/// PKCS#8 DER as PEM, in zeroizing memory (reqwest and rustls read the identity from PEM). Hand-rolled
/// because the PEM writers at hand return plain `String`s that would leave copies of the key behind.
fn private_key_pem(der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    let mut out = Zeroizing::new(String::with_capacity(b64.len() + b64.len() / 64 + 64));
    out.push_str("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END PRIVATE KEY-----\n");
    out
}

/// What [`enrol`] needs.
#[derive(Debug, Clone)]
pub struct EnrolOptions {
    /// `https://host:port` of the union's enrolment listener.
    pub enrol_url: String,
    /// The union CA certificate (PEM), obtained out of band.
    pub union_ca_pem: Vec<u8>,
    /// The one-time enrolment code.
    pub code: Zeroizing<String>,
    /// Where the terminal's files go (created if missing; must not hold an enrolment).
    pub terminal_dir: PathBuf,
    /// The API endpoint; `None` takes the one the union names in its answer.
    pub api_endpoint: Option<String>,
    /// Bound for the whole exchange.
    pub timeout: Duration,
}

/// Enrols this terminal (see the module documentation). On any failure nothing is left behind: no sealed
/// key, no keyring entry.
pub async fn enrol(
    opts: &EnrolOptions,
    keys: &dyn KeyStore,
) -> Result<EnrolledTerminal, EnrolError> {
    let url = Url::parse(&opts.enrol_url)
        .map_err(|e| EnrolError::Invalid(format!("enrolment URL: {e}")))?;
    if url.scheme() != "https" || url.host_str().is_none() {
        return Err(EnrolError::Invalid(
            "the enrolment URL must be https:// with a host".into(),
        ));
    }
    let endpoint_url = url
        .join(ENROL_PATH)
        .map_err(|e| EnrolError::Invalid(format!("enrolment URL: {e}")))?;
    let roots = reqwest::Certificate::from_pem_bundle(&opts.union_ca_pem)
        .map_err(|e| EnrolError::Invalid(format!("union CA: {e}")))?;
    if roots.is_empty() {
        return Err(EnrolError::Invalid("union CA: no certificate".into()));
    }
    let dir = &opts.terminal_dir;
    if dir.join(TERMINAL_FILE).exists() || dir.join(KEY_FILE).exists() {
        return Err(EnrolError::AlreadyEnrolled(dir.clone()));
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;

    // The key pair, made here. The CSR asks for nothing: the union takes every name from the code.
    let key = rcgen::KeyPair::generate().map_err(|e| EnrolError::Crypto(e.to_string()))?;
    let csr_pem = rcgen::CertificateParams::default()
        .serialize_request(&key)
        .and_then(|csr| csr.pem())
        .map_err(|e| EnrolError::Crypto(e.to_string()))?;
    let der = Zeroizing::new(key.serialize_der());
    drop(key);

    // Keyring before the union: without it the key could not be kept, and the code must not be spent.
    let entry = format!("terminal-key-{}", uuid::Uuid::new_v4().simple());
    let key_path = dir.join(KEY_FILE);
    madoguchi_vault::seal_terminal_key(&key_path, &entry, &der, keys).map_err(keyring_error)?;
    drop(der);

    let result = request_and_install(opts, roots, endpoint_url, &csr_pem, &entry).await;
    if result.is_err() {
        let _ = madoguchi_vault::destroy_terminal_key(&key_path, &entry, keys);
    }
    result
}

async fn request_and_install(
    opts: &EnrolOptions,
    roots: Vec<reqwest::Certificate>,
    url: Url,
    csr_pem: &str,
    entry: &str,
) -> Result<EnrolledTerminal, EnrolError> {
    let http = reqwest::Client::builder()
        .tls_backend_rustls()
        .tls_certs_only(roots)
        .tls_version_min(reqwest::tls::Version::TLS_1_3)
        .https_only(true)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("madoguchi-enrol/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| EnrolError::Invalid(format!("client: {e}")))?;
    let request = EnrolRequest {
        code: opts.code.as_str().to_owned(),
        csr_pem: csr_pem.to_owned(),
    };
    let resp =
        http.post(url).json(&request).send().await.map_err(|e| {
            match crate::error::classify(&e) {
                crate::TransportFailure::Tls => EnrolError::UnionNotTrusted,
                _ => EnrolError::Unreachable,
            }
        })?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|_| EnrolError::Unreachable)?;
    if !status.is_success() {
        return Err(match serde_json::from_slice::<EnrolErrorBody>(&bytes) {
            Ok(body) => EnrolError::Refused(body.code),
            Err(_) => EnrolError::Unexpected(format!("status {status} without an error body")),
        });
    }
    let answer: EnrolResponse = serde_json::from_slice(&bytes)
        .map_err(|_| EnrolError::Unexpected("the answer does not match the protocol".into()))?;
    let endpoint = opts
        .api_endpoint
        .clone()
        .or(answer.api_endpoint.clone())
        .ok_or_else(|| {
            EnrolError::Invalid("the union names no API endpoint; give it with --endpoint".into())
        })?;
    // The union names the terminal; it is checked here like every id the terminal keeps.
    let terminal_id = madoguchi_domain::TerminalId::parse(&answer.terminal_id)
        .map_err(|_| EnrolError::Unexpected("the union named an invalid terminal id".into()))?;
    let dir = &opts.terminal_dir;
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).map_err(|e| io(&p, e))
    };
    write(CERT_FILE, answer.certificate_chain_pem.as_bytes())?;
    write(CA_FILE, answer.ca_pem.as_bytes())?;
    write(CRL_FILE, answer.crl_pem.as_bytes())?;
    let description = TerminalDescription {
        endpoint,
        terminal_id,
        municipality: answer.municipality,
        union_name: answer.union_name,
        serial: answer.serial,
        not_after: answer.not_after,
        certificate: CERT_FILE.into(),
        ca: CA_FILE.into(),
        crl: CRL_FILE.into(),
        key: KEY_FILE.into(),
        keyring_service: madoguchi_vault::KEYRING_SERVICE.into(),
        keyring_entry: entry.to_owned(),
    };
    let text = toml::to_string_pretty(&description)
        .map_err(|e| EnrolError::Io(format!("terminal.toml: {e}")))?;
    // Last: a directory with terminal.toml is a complete enrolment.
    write(TERMINAL_FILE, text.as_bytes())?;
    Ok(EnrolledTerminal {
        dir: dir.clone(),
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_wrapping() {
        let pem = private_key_pem(&[7u8; 100]);
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
    }

    #[test]
    fn every_error_has_japanese() {
        for e in [
            EnrolError::Unreachable,
            EnrolError::UnionNotTrusted,
            EnrolError::Keyring("x".into()),
            EnrolError::Refused(EnrolErrorCode::UsedCode),
            EnrolError::Refused(EnrolErrorCode::ExpiredCode),
            EnrolError::Refused(EnrolErrorCode::UnknownCode),
        ] {
            assert!(!e.message_ja().is_empty());
            assert!(!e.to_string().is_empty());
        }
    }
}
