//! The union's terminal PKI: a root CA, the server certificate, one client certificate per 窓口端末 and the
//! certificate revocation list (CRL).
//!
//! The seeds require that the union's system connects only with its own municipal terminals, over a line with
//! 「認証・通信内容の暗号化」 (N:3811–3812). Madoguchi realises that with mutual TLS: each terminal holds a
//! certificate issued here that names its municipality and terminal id in a URI SAN
//! (`urn:madoguchi:terminal:<municipality>:<terminal-id>`); the server takes the municipality that scopes every
//! request from that certificate, never from the request body.
//!
//! One CA signs both the server and the terminals (no issuing CA): the CA key never leaves the PKI directory,
//! and a single CRL covers every leaf, so the server can require a known revocation status for each client.
//!
//! Layout of a PKI directory:
//! - `ca.pem`, `ca-key.pem` (0600) — the union CA
//! - `server.pem`, `server-key.pem` (0600) — the server certificate
//! - `terminals/terminal-<id>.pem`, `terminals/terminal-<id>-key.pem` (0600) — terminal identities
//! - `crl.pem` — the current CRL, replaced atomically on every revocation
//! - `index.json` — every certificate issued (serial, terminal id, municipality, expiry, revocation)

use std::fs;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SanType, SerialNumber,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Prefix of the URI SAN that binds a certificate to a municipality and a terminal.
pub const TERMINAL_URN_PREFIX: &str = "urn:madoguchi:terminal:";

/// Errors of the PKI tool. Messages name files and terminal ids, never personal data.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// Reading or writing a file of the PKI directory failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// rcgen could not build a key, certificate or CRL.
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// `pki init` on a directory that already has a CA: overwriting it would orphan every issued certificate.
    #[error("the PKI directory {0} already holds a CA; refusing to overwrite it")]
    AlreadyInitialised(PathBuf),
    /// An issuing command on a directory without a CA.
    #[error("the PKI directory {0} has no CA; run `pki init` first")]
    NotInitialised(PathBuf),
    /// A terminal id outside 1–32 ASCII letters, digits or '-' (see [`validate_terminal_id`]).
    #[error("invalid terminal id {0:?}: use 1-32 ASCII letters, digits or '-'")]
    InvalidTerminalId(String),
    /// The terminal id is already bound to another municipality; one terminal never serves two (it would
    /// cross the municipality scope taken from its certificate).
    #[error("terminal {terminal} is already enrolled for municipality {existing}")]
    TerminalOfOtherMunicipality {
        /// The terminal id asked for.
        terminal: String,
        /// The municipality code (市町村コード) it already holds a certificate for.
        existing: String,
    },
    /// Revocation of a terminal that has no unrevoked certificate.
    #[error("no active certificate for terminal {0}")]
    UnknownTerminal(String),
    /// A server host that is neither an IP address nor a valid DNS name, or no host at all.
    #[error("invalid host name {0:?}")]
    InvalidHost(String),
    /// A validity of zero days, or one that ends before it starts.
    #[error("invalid validity: {0}")]
    InvalidValidity(String),
    /// `index.json` is not valid JSON of a [`PkiIndex`].
    #[error("the index file is corrupt: {0}")]
    Index(#[from] serde_json::Error),
    /// `index.json` parses but holds an unusable value (e.g. a serial that is not hex).
    #[error("the index file is corrupt: {0}")]
    CorruptIndex(String),
}

impl PkiError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        PkiError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What kind of leaf a certificate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeafKind {
    /// The union server's TLS certificate.
    Server,
    /// A 窓口端末 (counter terminal) client certificate.
    Terminal,
}

/// One issued certificate, as recorded in `index.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedCertificate {
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Server or terminal certificate.
    pub kind: LeafKind,
    /// The terminal id in the URI SAN; `None` for the server certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// The 市町村コード (municipality code) in the URI SAN; `None` for the server certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// RFC 3339.
    pub not_after: String,
    /// RFC 3339, set once revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// The registry of certificates issued by this PKI directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PkiIndex {
    /// Name of the 広域連合 (union), written into the CA's subject.
    pub union_name: String,
    /// CRL number (RFC 5280) of the last CRL written; raised by one on every revocation.
    pub crl_number: u64,
    /// Every certificate issued, revoked ones included, in issue order.
    pub certificates: Vec<IssuedCertificate>,
}

/// Paths of the files in a PKI directory.
#[derive(Debug, Clone)]
pub struct PkiPaths {
    /// The PKI directory itself.
    pub dir: PathBuf,
}

impl PkiPaths {
    /// Paths inside the PKI directory `dir` (nothing is read or created).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        PkiPaths { dir: dir.into() }
    }
    /// The union CA certificate, handed to terminals as their trust anchor.
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// The union CA private key (mode 0600); it never leaves this directory.
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join("ca-key.pem")
    }
    /// The server certificate PEM.
    pub(crate) fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    /// The server private key PEM (mode 0600).
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server-key.pem")
    }
    /// The current CRL.
    pub(crate) fn crl(&self) -> PathBuf {
        self.dir.join("crl.pem")
    }
    /// The `index.json` registry of issued certificates.
    pub(crate) fn index(&self) -> PathBuf {
        self.dir.join("index.json")
    }
    /// The directory of terminal identities.
    pub(crate) fn terminals_dir(&self) -> PathBuf {
        self.dir.join("terminals")
    }
    /// The certificate PEM of a terminal; the file name contains the terminal id.
    pub fn terminal_cert(&self, terminal_id: &str) -> PathBuf {
        self.terminals_dir()
            .join(format!("terminal-{terminal_id}.pem"))
    }
    /// The private key PEM of a terminal (mode 0600).
    pub fn terminal_key(&self, terminal_id: &str) -> PathBuf {
        self.terminals_dir()
            .join(format!("terminal-{terminal_id}-key.pem"))
    }
}

/// Files written for a terminal.
#[derive(Debug, Clone)]
pub struct TerminalFiles {
    /// The terminal's certificate PEM.
    pub cert: PathBuf,
    /// The terminal's private key PEM (mode 0600).
    pub key: PathBuf,
    /// Serial number of the new certificate, lowercase hex (as in `index.json`).
    pub serial: String,
}

/// Checks a terminal id: 1–32 ASCII letters, digits or '-' (it becomes part of a file name and of a URN).
pub fn validate_terminal_id(id: &str) -> Result<(), PkiError> {
    let ok = !id.is_empty()
        && id.len() <= 32
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !id.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(PkiError::InvalidTerminalId(id.to_string()))
    }
}

/// Creates the union CA and an empty CRL. Fails if the directory already holds a CA.
pub fn init(dir: &Path, union_name: &str, days: u32) -> Result<(), PkiError> {
    let paths = PkiPaths::new(dir);
    fs::create_dir_all(dir).map_err(|e| PkiError::io(dir, e))?;
    if paths.ca_cert().exists() || paths.ca_key().exists() {
        return Err(PkiError::AlreadyInitialised(dir.to_path_buf()));
    }
    let (not_before, not_after) = validity(days)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, union_name);
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{union_name} Madoguchi CA"));
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(random_serial());
    params.not_before = not_before;
    params.not_after = not_after;
    params.key_identifier_method = KeyIdMethod::Sha256;
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    write_private(&paths.ca_key(), key.serialize_pem().as_bytes())?;
    write_public(&paths.ca_cert(), cert.pem().as_bytes())?;
    let index = PkiIndex {
        union_name: union_name.to_string(),
        crl_number: 0,
        certificates: Vec::new(),
    };
    write_crl_and_index(&paths, index)?;
    Ok(())
}

/// Issues the server certificate for the given host names and IP addresses.
pub fn issue_server(dir: &Path, hosts: &[String], days: u32) -> Result<PathBuf, PkiError> {
    let paths = PkiPaths::new(dir);
    let _lock = lock(&paths)?;
    let (issuer, mut index) = load_issuer(&paths)?;
    let mut sans = Vec::new();
    for host in hosts {
        let san = match host.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                host.as_str()
                    .try_into()
                    .map_err(|_| PkiError::InvalidHost(host.clone()))?,
            ),
        };
        sans.push(san);
    }
    if sans.is_empty() {
        return Err(PkiError::InvalidHost(String::new()));
    }
    let (not_before, not_after) = validity(days)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, index.union_name.as_str());
    params
        .distinguished_name
        .push(DnType::CommonName, hosts[0].as_str());
    params.subject_alt_names = sans;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let serial = random_serial();
    params.serial_number = Some(serial.clone());
    params.not_before = not_before;
    params.not_after = not_after;
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    write_private(&paths.server_key(), key.serialize_pem().as_bytes())?;
    write_public(&paths.server_cert(), cert.pem().as_bytes())?;
    index.certificates.push(IssuedCertificate {
        serial: hex::encode(serial.as_ref()),
        kind: LeafKind::Server,
        terminal_id: None,
        municipality: None,
        not_after: rfc3339(not_after),
        revoked_at: None,
    });
    save_index(&paths, &index)?;
    Ok(paths.server_cert())
}

/// Issues a terminal certificate valid for `days` days from now.
///
/// `municipality` must already be a validated 地方公共団体コード (the CLI parses it with the domain type).
pub fn issue_terminal(
    dir: &Path,
    municipality: &str,
    terminal_id: &str,
    days: u32,
) -> Result<TerminalFiles, PkiError> {
    let (not_before, not_after) = validity(days)?;
    issue_terminal_with_validity(dir, municipality, terminal_id, not_before, not_after)
}

/// Issues a terminal certificate with an explicit validity window (tests use it for expired certificates).
pub fn issue_terminal_with_validity(
    dir: &Path,
    municipality: &str,
    terminal_id: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<TerminalFiles, PkiError> {
    validate_terminal_id(terminal_id)?;
    if not_after <= not_before {
        return Err(PkiError::InvalidValidity(
            "not_after must be after not_before".into(),
        ));
    }
    let paths = PkiPaths::new(dir);
    let _lock = lock(&paths)?;
    let key = KeyPair::generate()?;
    let (cert, serial) = sign_terminal(
        &paths,
        municipality,
        terminal_id,
        not_before,
        not_after,
        &key,
    )?;
    let tdir = paths.terminals_dir();
    fs::create_dir_all(&tdir).map_err(|e| PkiError::io(&tdir, e))?;
    let files = TerminalFiles {
        cert: paths.terminal_cert(terminal_id),
        key: paths.terminal_key(terminal_id),
        serial,
    };
    write_private(&files.key, key.serialize_pem().as_bytes())?;
    write_public(&files.cert, cert.pem().as_bytes())?;
    Ok(files)
}

/// Checks that a terminal id is not bound to another municipality already.
pub(crate) fn check_terminal_municipality(
    index: &PkiIndex,
    municipality: &str,
    terminal_id: &str,
) -> Result<(), PkiError> {
    if let Some(existing) = index
        .certificates
        .iter()
        .filter(|c| c.kind == LeafKind::Terminal)
        .find(|c| c.terminal_id.as_deref() == Some(terminal_id))
        .and_then(|c| c.municipality.clone())
        && existing != municipality
    {
        return Err(PkiError::TerminalOfOtherMunicipality {
            terminal: terminal_id.to_string(),
            existing,
        });
    }
    Ok(())
}

/// Signs a terminal certificate for `public_key` and records it in `index.json`. Subject, SAN, key usage
/// and validity come from the arguments only (for enrolment: from the enrolment code, never from the CSR).
/// The caller holds the PKI lock.
pub(crate) fn sign_terminal(
    paths: &PkiPaths,
    municipality: &str,
    terminal_id: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    public_key: &impl rcgen::PublicKeyData,
) -> Result<(rcgen::Certificate, String), PkiError> {
    validate_terminal_id(terminal_id)?;
    let (issuer, mut index) = load_issuer(paths)?;
    check_terminal_municipality(&index, municipality, terminal_id)?;
    let urn = format!("{TERMINAL_URN_PREFIX}{municipality}:{terminal_id}");
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, index.union_name.as_str());
    params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, municipality);
    params
        .distinguished_name
        .push(DnType::CommonName, terminal_id);
    params.subject_alt_names =
        vec![SanType::URI(urn.as_str().try_into().map_err(|_| {
            PkiError::InvalidTerminalId(terminal_id.to_string())
        })?)];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    let serial = random_serial();
    params.serial_number = Some(serial.clone());
    params.not_before = not_before;
    params.not_after = not_after;
    let cert = params.signed_by(public_key, &issuer)?;
    let serial = hex::encode(serial.as_ref());
    index.certificates.push(IssuedCertificate {
        serial: serial.clone(),
        kind: LeafKind::Terminal,
        terminal_id: Some(terminal_id.to_string()),
        municipality: Some(municipality.to_string()),
        not_after: rfc3339(not_after),
        revoked_at: None,
    });
    save_index(paths, &index)?;
    Ok((cert, serial))
}

/// Serialises every change to a PKI directory between processes (`pki` commands and a running server that
/// enrols terminals): an exclusive lock on `pki.lock`, released when the guard drops. Take it only at the
/// public entry points (it is not re-entrant).
pub(crate) fn lock(paths: &PkiPaths) -> Result<fs::File, PkiError> {
    let path = paths.dir.join("pki.lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| PkiError::io(&path, e))?;
    file.lock().map_err(|e| PkiError::io(&path, e))?;
    Ok(file)
}

/// Revokes every active certificate of a terminal and writes a new CRL (atomically replacing `crl.pem`).
/// Returns the serials revoked.
pub fn revoke_terminal(dir: &Path, terminal_id: &str) -> Result<Vec<String>, PkiError> {
    validate_terminal_id(terminal_id)?;
    let paths = PkiPaths::new(dir);
    let _lock = lock(&paths)?;
    let mut index = load_index(&paths)?;
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut revoked = Vec::new();
    for cert in index.certificates.iter_mut() {
        if cert.kind == LeafKind::Terminal
            && cert.terminal_id.as_deref() == Some(terminal_id)
            && cert.revoked_at.is_none()
        {
            cert.revoked_at = Some(now.clone());
            revoked.push(cert.serial.clone());
        }
    }
    if revoked.is_empty() {
        return Err(PkiError::UnknownTerminal(terminal_id.to_string()));
    }
    write_crl_and_index(&paths, index)?;
    Ok(revoked)
}

/// Reads `index.json`.
pub fn load_index(paths: &PkiPaths) -> Result<PkiIndex, PkiError> {
    let path = paths.index();
    let text = fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            PkiError::NotInitialised(paths.dir.clone())
        } else {
            PkiError::io(&path, e)
        }
    })?;
    Ok(serde_json::from_str(&text)?)
}

fn load_issuer(paths: &PkiPaths) -> Result<(Issuer<'static, KeyPair>, PkiIndex), PkiError> {
    let issuer = load_ca(paths)?;
    let index = load_index(paths)?;
    Ok((issuer, index))
}

fn load_ca(paths: &PkiPaths) -> Result<Issuer<'static, KeyPair>, PkiError> {
    let ca_pem = fs::read_to_string(paths.ca_cert()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            PkiError::NotInitialised(paths.dir.clone())
        } else {
            PkiError::io(&paths.ca_cert(), e)
        }
    })?;
    let key_pem =
        fs::read_to_string(paths.ca_key()).map_err(|e| PkiError::io(&paths.ca_key(), e))?;
    let key = KeyPair::from_pem(&key_pem)?;
    Ok(Issuer::from_ca_cert_pem(&ca_pem, key)?)
}

fn write_crl_and_index(paths: &PkiPaths, mut index: PkiIndex) -> Result<(), PkiError> {
    let issuer = load_ca(paths)?;
    index.crl_number += 1;
    let now = OffsetDateTime::now_utc();
    let mut revoked_certs = Vec::new();
    for cert in &index.certificates {
        if let Some(at) = &cert.revoked_at {
            let serial = hex::decode(&cert.serial)
                .map_err(|_| PkiError::CorruptIndex("serial is not hex".into()))?;
            let revocation_time =
                OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                    .unwrap_or(now);
            revoked_certs.push(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&serial),
                revocation_time,
                reason_code: Some(RevocationReason::CessationOfOperation),
                invalidity_date: None,
            });
        }
    }
    let params = CertificateRevocationListParams {
        this_update: now - Duration::minutes(5),
        next_update: now + Duration::days(30),
        crl_number: SerialNumber::from(index.crl_number),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params.signed_by(&issuer)?;
    // Index first: if we crash between the two writes, the next revocation rewrites the CRL from the index.
    save_index(paths, &index)?;
    write_public(&paths.crl(), crl.pem()?.as_bytes())?;
    Ok(())
}

fn save_index(paths: &PkiPaths, index: &PkiIndex) -> Result<(), PkiError> {
    let text = serde_json::to_vec_pretty(index)?;
    write_public(&paths.index(), &text)
}

pub(crate) fn validity(days: u32) -> Result<(OffsetDateTime, OffsetDateTime), PkiError> {
    if days == 0 {
        return Err(PkiError::InvalidValidity(
            "--days must be at least 1".into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    // Backdate a little so a terminal whose clock runs slightly behind still accepts a fresh certificate.
    Ok((
        now - Duration::hours(1),
        now + Duration::days(i64::from(days)),
    ))
}

fn random_serial() -> SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    // Positive and without a leading zero byte, so the DER INTEGER is exactly 16 octets.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::from_slice(&bytes)
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Writes a file atomically (temp file + rename) with mode 0644.
pub(crate) fn write_public(path: &Path, bytes: &[u8]) -> Result<(), PkiError> {
    write_atomic(path, bytes, 0o644)
}

/// Writes a private key atomically with mode 0600 from the moment it exists.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), PkiError> {
    write_atomic(path, bytes, 0o600)
}

fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), PkiError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&tmp).map_err(|e| PkiError::io(&tmp, e))?;
        file.write_all(bytes).map_err(|e| PkiError::io(&tmp, e))?;
        file.sync_all().map_err(|e| PkiError::io(&tmp, e))?;
    }
    fs::rename(&tmp, path).map_err(|e| PkiError::io(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_id_rules() {
        assert!(validate_terminal_id("MITSUKE-01").is_ok());
        assert!(validate_terminal_id("").is_err());
        assert!(validate_terminal_id("../x").is_err());
        assert!(validate_terminal_id("-x").is_err());
        assert!(validate_terminal_id(&"a".repeat(33)).is_err());
    }

    #[test]
    fn init_issue_revoke_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        init(d, "テスト広域連合", 30).unwrap();
        assert!(matches!(
            init(d, "x", 30),
            Err(PkiError::AlreadyInitialised(_))
        ));
        issue_server(d, &["localhost".into(), "127.0.0.1".into()], 30).unwrap();
        let files = issue_terminal(d, "152111", "T1", 10).unwrap();
        assert!(files.cert.to_string_lossy().contains("T1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&files.key).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let mode = fs::metadata(d.join("ca-key.pem"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(
            issue_terminal(d, "152021", "T1", 10),
            Err(PkiError::TerminalOfOtherMunicipality { .. })
        ));
        let before = load_index(&PkiPaths::new(d)).unwrap().crl_number;
        let revoked = revoke_terminal(d, "T1").unwrap();
        assert_eq!(revoked, vec![files.serial]);
        assert_eq!(
            load_index(&PkiPaths::new(d)).unwrap().crl_number,
            before + 1
        );
        assert!(matches!(
            revoke_terminal(d, "T1"),
            Err(PkiError::UnknownTerminal(_))
        ));
    }
}
