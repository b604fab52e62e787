//! Starting a terminal without a window: its link to the union (configured files, or a terminal enrolled
//! with `madoguchi-admin enroll`), its vault (key in the OS keyring), and, after a confirmed revocation,
//! destroying the enrolled key.

use std::path::Path;
use std::time::Duration;

use madoguchi_domain::TerminalId;
use madoguchi_link::LinkConfig;
use madoguchi_link::enrolment::EnrolledTerminal;
use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig, VaultError};

use crate::error::{AppError, TerminalErrorCode};

fn read(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "cannot read a terminal credential");
        AppError::new(
            TerminalErrorCode::CredentialsUnreadable,
            "端末の証明書または鍵のファイルを読めません。情報システム管理者に連絡してください。",
        )
    })
}

/// The link to the union at `endpoint` with the pinned CA and the terminal's certificate and key files.
pub fn link_config(
    endpoint: String,
    ca: &Path,
    cert: &Path,
    key: &Path,
) -> Result<LinkConfig, AppError> {
    let mut identity = read(cert)?;
    identity.extend_from_slice(&read(key)?);
    let mut cfg = LinkConfig::new(endpoint, read(ca)?, identity);
    cfg.request_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(2);
    Ok(cfg)
}

fn keyring_error(e: &VaultError) -> AppError {
    tracing::error!(error = %e, "OS keyring unavailable");
    AppError::new(
        TerminalErrorCode::KeyringUnavailable,
        "この端末の鍵保管庫（OSのキーリング）を利用できないため、起動できません。\
         端末内のデータは暗号化して保存するため、キーリングが必要です。情報システム管理者に連絡してください。",
    )
}

/// Opens the terminal's vault (key in the OS keyring). In 研修モード a vault whose key is gone is started
/// afresh: it holds synthetic data only.
pub fn open_vault(dir: &Path, terminal_id: &str, training: bool) -> Result<Vault, AppError> {
    let keys = KeyringKeyStore::os_default().map_err(|e| keyring_error(&e))?;
    match Vault::open(VaultConfig::new(dir, terminal_id), &keys) {
        Ok(v) => Ok(v),
        // 研修モード holds synthetic data only: when its key is gone (a new login session empties the kernel
        // keyring) start the training terminal afresh rather than refusing to start.
        Err(VaultError::KeyMissing { .. }) if training => {
            tracing::warn!("training vault key missing; starting the training terminal afresh");
            std::fs::remove_dir_all(dir).map_err(|e| {
                tracing::error!(error = %e, "cannot reset the training vault");
                AppError::new(
                    TerminalErrorCode::Vault,
                    "研修用の保存領域を初期化できませんでした。",
                )
            })?;
            Vault::open(VaultConfig::new(dir, terminal_id), &keys)
                .map_err(|e| AppError::new(TerminalErrorCode::Vault, e.message_ja()))
        }
        Err(e @ VaultError::KeyringUnavailable { .. }) => Err(keyring_error(&e)),
        Err(e) => {
            tracing::error!(error = %e, "vault failed to open");
            Err(AppError::new(TerminalErrorCode::Vault, e.message_ja()))
        }
    }
}

/// The link of a terminal enrolled with `madoguchi-admin enroll`: its description, certificates, and the
/// private key opened with the OS keyring (in memory only).
pub fn enrolled_link(dir: &Path) -> Result<(LinkConfig, TerminalId), AppError> {
    use madoguchi_domain::StaffMessage;
    let fail = |e: madoguchi_link::enrolment::EnrolError| {
        tracing::error!(error = %e, "enrolled terminal cannot be loaded");
        AppError::new(TerminalErrorCode::Enrolment, e.message_ja())
    };
    let enrolled = EnrolledTerminal::load(dir).map_err(fail)?;
    let keys = KeyringKeyStore::os_default().map_err(|e| keyring_error(&e))?;
    let mut cfg = enrolled.link_config(&keys).map_err(fail)?;
    cfg.request_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(2);
    Ok((cfg, enrolled.description.terminal_id))
}

/// After a confirmed revocation (and the vault's wipe): the revoked certificate's private key goes too, so
/// nothing of the old identity stays on the machine. Failures are logged; the terminal is stopped anyway.
pub fn destroy_enrolled_key(dir: &Path) {
    let result = EnrolledTerminal::load(dir).and_then(|t| {
        let keys = KeyringKeyStore::os_default()
            .map_err(|e| madoguchi_link::enrolment::EnrolError::Keyring(e.to_string()))?;
        t.destroy_key(&keys)
    });
    match result {
        Ok(()) => tracing::warn!("revoked terminal's private key destroyed"),
        Err(e) => {
            tracing::error!(error = %e, "revoked terminal's private key could not be destroyed")
        }
    }
}
