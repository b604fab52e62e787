//! Starting the terminal: the configured union, or in 研修モード an embedded union server with its own
//! PKI and synthetic residents; then the vault (key in the OS keyring), the link and the counter.

use madoguchi_domain::TerminalId;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madoguchi_application::{Batches, PrintDesk};
use madoguchi_counter::{Background, Counter};
use madoguchi_link::enrolment::EnrolledTerminal;
use madoguchi_link::{LineMonitor, LinkConfig, UnionClient};
use madoguchi_print::PrintAssets;
use madoguchi_union_server::training::{self, TrainingServer};
use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig, VaultError};

use crate::error::IpcError;
use madoguchi_application::config::TerminalConfig;

/// How often the line is probed while nothing else is sent.
const PROBE_EVERY: Duration = Duration::from_secs(2);

/// A started terminal: what the commands work with.
pub struct Terminal {
    /// The use cases.
    pub counter: Counter,
    /// Rendering, preview, printing, reprints (the print desk).
    pub printing: PrintDesk,
    /// Bulk printing of approved distributions (一括印刷).
    pub batches: Arc<Batches>,
    /// 研修モード.
    pub training: bool,
    /// Minutes without input before the screen locks.
    pub idle_lock_minutes: f64,
    /// Where administrators' exports are written.
    pub export_dir: PathBuf,
    background: Background,
    /// The embedded union of 研修モード; kept so it runs as long as the terminal.
    union: Mutex<Option<TrainingServer>>,
}

impl Terminal {
    /// Stops the background tasks and the embedded union.
    pub async fn shutdown(&self) {
        self.background.abort();
        let union = self.union.lock().ok().and_then(|mut u| u.take());
        if let Some(u) = union {
            u.shutdown().await;
        }
    }

    /// Training staff accounts (user id, password) of the embedded union; empty for a configured terminal.
    pub fn training_accounts(&self) -> Vec<(String, String)> {
        self.union
            .lock()
            .ok()
            .and_then(|u| {
                u.as_ref().map(|u| {
                    u.accounts
                        .iter()
                        .map(|a| (a.user_id.clone(), a.password.clone()))
                        .collect()
                })
            })
            .unwrap_or_default()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, IpcError> {
    std::fs::read(path).map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "cannot read a terminal credential");
        IpcError::new(
            "credentials_unreadable",
            "端末の証明書または鍵のファイルを読めません。情報システム管理者に連絡してください。",
        )
    })
}

fn link_config(
    endpoint: String,
    ca: &Path,
    cert: &Path,
    key: &Path,
) -> Result<LinkConfig, IpcError> {
    let mut identity = read(cert)?;
    identity.extend_from_slice(&read(key)?);
    let mut cfg = LinkConfig::new(endpoint, read(ca)?, identity);
    cfg.request_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(2);
    Ok(cfg)
}

fn keyring_error(e: &VaultError) -> IpcError {
    tracing::error!(error = %e, "OS keyring unavailable");
    IpcError::new(
        "keyring_unavailable",
        "この端末の鍵保管庫（OSのキーリング）を利用できないため、起動できません。\
         端末内のデータは暗号化して保存するため、キーリングが必要です。情報システム管理者に連絡してください。",
    )
}

fn open_vault(dir: &Path, terminal_id: &str, training: bool) -> Result<Vault, IpcError> {
    let keys = KeyringKeyStore::os_default().map_err(|e| keyring_error(&e))?;
    match Vault::open(VaultConfig::new(dir, terminal_id), &keys) {
        Ok(v) => Ok(v),
        // 研修モード holds synthetic data only: when its key is gone (a new login session empties the kernel
        // keyring) start the training terminal afresh rather than refusing to start.
        Err(VaultError::KeyMissing { .. }) if training => {
            tracing::warn!("training vault key missing; starting the training terminal afresh");
            std::fs::remove_dir_all(dir).map_err(|e| {
                tracing::error!(error = %e, "cannot reset the training vault");
                IpcError::new("vault", "研修用の保存領域を初期化できませんでした。")
            })?;
            Vault::open(VaultConfig::new(dir, terminal_id), &keys)
                .map_err(|e| IpcError::new("vault", e.message_ja()))
        }
        Err(e @ VaultError::KeyringUnavailable { .. }) => Err(keyring_error(&e)),
        Err(e) => {
            tracing::error!(error = %e, "vault failed to open");
            Err(IpcError::new("vault", e.message_ja()))
        }
    }
}

/// The link of a terminal enrolled with `madoguchi-admin enroll`: its description, certificates, and the
/// private key opened with the OS keyring (in memory only).
fn enrolled_link(dir: &Path) -> Result<(LinkConfig, TerminalId), IpcError> {
    use madoguchi_domain::StaffMessage;
    let fail = |e: madoguchi_link::enrolment::EnrolError| {
        tracing::error!(error = %e, "enrolled terminal cannot be loaded");
        IpcError::new("enrolment", e.message_ja())
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

/// Starts the terminal from `data_dir` (config, vault, and in 研修モード the embedded union). Needs a
/// tokio runtime.
pub async fn start(data_dir: &Path, config: &TerminalConfig) -> Result<Terminal, IpcError> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        tracing::error!(error = %e, "cannot create the data directory");
        IpcError::new(
            "data_dir",
            "データの保存場所を作成できません。情報システム管理者に連絡してください。",
        )
    })?;
    let training = config.training();
    let enrolled = match &config.terminal_dir {
        Some(dir) => Some(enrolled_link(dir)?),
        None => None,
    };
    let (link, terminal_id, union) = match (&config.union, enrolled) {
        (_, Some((link, terminal_id))) => (link, terminal_id, None),
        (Some(u), None) => (
            link_config(u.endpoint.clone(), &u.ca, &u.certificate, &u.key)?,
            u.terminal_id.clone(),
            None,
        ),
        (None, None) => {
            let t = training::start(&data_dir.join("training-union"))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "training union failed to start");
                    IpcError::new(
                        "training_union",
                        "研修用の広域連合サーバーを起動できませんでした。情報システム管理者に連絡してください。",
                    )
                })?;
            let link = link_config(
                format!("https://localhost:{}", t.addr.port()),
                &t.ca_cert,
                &t.terminal_cert,
                &t.terminal_key,
            )?;
            // The embedded training union names its one terminal; checked like any other id.
            let id = TerminalId::parse(&t.terminal_id)?;
            (link, id, Some(t))
        }
    };
    let vault = open_vault(&data_dir.join("terminal"), terminal_id.as_str(), training)?;
    let client = UnionClient::new(&link, LineMonitor::new()).map_err(|e| {
        tracing::error!(error = %e, "link client failed");
        IpcError::new("link", madoguchi_domain::StaffMessage::message_ja(&e))
    })?;
    let (counter, background) =
        Counter::start(client, vault.clone(), PROBE_EVERY).map_err(IpcError::from)?;
    if let Some(days) = config.audit_retention_days {
        counter.set_audit_retention(Duration::from_secs(u64::from(days) * 24 * 3600));
    }
    counter.set_offline_policy(madoguchi_counter::OfflinePolicy {
        window: std::time::Duration::from_secs(u64::from(config.offline_sign_in_hours) * 3600),
        ..madoguchi_counter::OfflinePolicy::default()
    });
    let assets = config
        .assets_dir
        .as_deref()
        .map(PrintAssets::under)
        .or_else(|| {
            std::env::var_os("MADOGUCHI_ASSETS_DIR").map(|d| PrintAssets::under(&PathBuf::from(d)))
        })
        .unwrap_or_else(PrintAssets::repo_default);
    let municipality_name = config.municipality_name.clone().unwrap_or_else(|| {
        if training {
            "見附市（研修）".into()
        } else {
            String::new()
        }
    });
    let printing = PrintDesk::new(assets, &config.printer, training, municipality_name)?;
    let batches = Arc::new(Batches::new(
        vault,
        printing.renderer(),
        &config.printer,
        training,
    )?);
    Ok(Terminal {
        batches,
        counter,
        printing,
        training,
        idle_lock_minutes: config.idle_lock_minutes,
        export_dir: config
            .export_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("exports")),
        background,
        union: Mutex::new(union),
    })
}
