//! Starting the terminal: the configured union, or in 研修モード an embedded union server with its own
//! PKI and synthetic residents; then the vault (key in the OS keyring), the link and the counter.

use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(feature = "training")]
use std::sync::Mutex;
use std::time::Duration;

use crate::config::TerminalConfig;
use crate::startup::{enrolled_link, link_config, open_vault};
use crate::{AppError, Batches, PrintDesk, TerminalErrorCode, UpdateAgent};
use madoguchi_counter::{Background, Counter};
use madoguchi_domain::TerminalId;
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_print::PrintAssets;
#[cfg(feature = "training")]
use madoguchi_union_server::training::{self, TrainingServer};

/// A synthetic staff account of the embedded training union (研修用アカウント), listed on the sign-in
/// screen of 研修モード.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrainingAccount {
    /// 職員ID.
    pub user_id: String,
    /// 氏名 (its role in words, e.g. 研修 窓口担当).
    pub display_name: String,
    /// The training password (synthetic; it exists only in 研修モード).
    pub password: String,
}

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
    /// Program updates from the insurer (`[updates]` in the configuration), installed at sign-out.
    pub updates: Option<UpdateAgent>,
    update_checks: Option<tokio::task::JoinHandle<()>>,
    background: Background,
    /// The embedded union of 研修モード; kept so it runs as long as the terminal.
    #[cfg(feature = "training")]
    union: Mutex<Option<TrainingServer>>,
}

impl Terminal {
    /// Stops the background tasks and the embedded union.
    pub async fn shutdown(&self) {
        self.background.abort();
        if let Some(checks) = &self.update_checks {
            checks.abort();
        }
        #[cfg(feature = "training")]
        {
            let union = self.union.lock().ok().and_then(|mut u| u.take());
            if let Some(u) = union {
                u.shutdown().await;
            }
        }
    }

    /// Training staff accounts of the embedded union (synthetic, 研修モード only), for the sign-in screen.
    #[cfg(feature = "training")]
    pub fn training_accounts(&self) -> Vec<TrainingAccount> {
        self.union
            .lock()
            .ok()
            .and_then(|u| {
                u.as_ref().map(|u| {
                    u.accounts
                        .iter()
                        .map(|a| TrainingAccount {
                            user_id: a.user_id.clone(),
                            display_name: a.display_name.clone(),
                            password: a.password.clone(),
                        })
                        .collect()
                })
            })
            .unwrap_or_default()
    }

    /// Without the training feature there is no embedded union and so no training account.
    #[cfg(not(feature = "training"))]
    pub fn training_accounts(&self) -> Vec<TrainingAccount> {
        Vec::new()
    }
}

/// 研修モード: the embedded training union and the link to it.
#[cfg(feature = "training")]
async fn embedded_union(
    data_dir: &Path,
) -> Result<
    (
        madoguchi_link::LinkConfig,
        TerminalId,
        Option<TrainingServer>,
    ),
    AppError,
> {
    // 研修 practises the line-down day too: the training union's policy allows the offline roster, so
    // 検索 answers from it while the 回線切断（研修） switch is on (issue #14 finding 5).
    let options = training::TrainingOptions {
        offline_roster: true,
        ..training::TrainingOptions::default()
    };
    let t = training::start_with(&data_dir.join("training-union"), options)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "training union failed to start");
            AppError::new(
                TerminalErrorCode::TrainingUnion,
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
    Ok((link, id, Some(t)))
}

/// A build without 研修モード and without configuration: not enrolled, and how to enrol.
#[cfg(not(feature = "training"))]
async fn embedded_union(
    _data_dir: &Path,
) -> Result<(madoguchi_link::LinkConfig, TerminalId, Option<()>), AppError> {
    tracing::warn!("no configuration and no training mode in this build: not enrolled");
    Err(not_enrolled())
}

/// What an unconfigured terminal without 研修モード says.
pub fn not_enrolled() -> AppError {
    AppError::new(
        TerminalErrorCode::NotEnrolled,
        "この端末は広域連合に登録されていません。情報システム管理者が登録用コードを使って \
         `madoguchi-admin enroll --union <広域連合のURL> --ca <広域連合CA> --code <登録用コード> \
         --terminal-dir <端末ディレクトリ>` で端末を登録し、設定ファイル（madoguchi.toml）の terminal_dir に\
         その端末ディレクトリを書いてから、アプリを起動し直してください。",
    )
}

/// Starts the terminal from `data_dir` (config, vault, and in 研修モード the embedded union). Needs a
/// tokio runtime.
pub async fn start(data_dir: &Path, config: &TerminalConfig) -> Result<Terminal, AppError> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        tracing::error!(error = %e, "cannot create the data directory");
        AppError::new(
            TerminalErrorCode::DataDir,
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
        (None, None) => embedded_union(data_dir).await?,
    };
    #[cfg(not(feature = "training"))]
    let _: Option<()> = union;
    let vault = open_vault(&data_dir.join("terminal"), terminal_id.as_str(), training)?;
    let client = UnionClient::new(&link, LineMonitor::new()).map_err(|e| {
        tracing::error!(error = %e, "link client failed");
        AppError::new(
            TerminalErrorCode::Link,
            madoguchi_domain::StaffMessage::message_ja(&e),
        )
    })?;
    let (counter, background) = Counter::start(client, vault.clone(), PROBE_EVERY)?;
    if let Some(days) = config.audit_retention_days {
        counter
            .audit_review()
            .set_audit_retention(Duration::from_secs(u64::from(days) * 24 * 3600));
    }
    counter
        .session()
        .set_offline_policy(madoguchi_counter::OfflinePolicy {
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
    let updates = match &config.updates {
        Some(u) => UpdateAgent::from_config(u, data_dir, env!("CARGO_PKG_VERSION"))?,
        None => None,
    };
    let update_checks = updates.as_ref().map(|a| a.spawn_checks(counter.clone()));
    Ok(Terminal {
        updates,
        update_checks,
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
        #[cfg(feature = "training")]
        union: Mutex::new(union),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unenrolled_terminal_says_how_to_enrol() {
        let e = not_enrolled();
        assert_eq!(e.code, TerminalErrorCode::NotEnrolled);
        assert!(e.message_ja.contains("登録されていません"));
        assert!(e.message_ja.contains("madoguchi-admin enroll"));
        assert!(e.message_ja.contains("terminal_dir"));
    }
}
