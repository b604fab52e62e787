//! The terminal's configuration (`madoguchi.toml` in the data directory, else the machine-wide provisioning
//! file a silent install left: [`system_config_dir`]). Without one — or without its `[union]` table — the
//! app runs in 研修モード against an embedded union server.
//!
//! ```toml
//! idle_lock_minutes = 1            # 画面ロックまでの無操作時間; default 1 (Tsukuba: 1分間, T:593)
//! printer = "CUPS-PDF"             # CUPS queue for every document (card and A4); default CUPS-PDF
//! municipality_name = "見附市"     # printed on the 受付控
//! assets_dir = "/opt/madoguchi/assets"   # fonts, layouts, seal; default: the installed
//!                                  # package's (/usr/lib/Madoguchi/assets), else the repository's assets/
//! export_dir = "/var/lib/madoguchi/exports"  # 監査ログ reports; default: <data dir>/exports
//! audit_retention_days = 7         # acknowledged audit entries kept on the terminal; default 7
//!
//! terminal_dir = "/var/lib/madoguchi/terminal"   # enrolled with `madoguchi-admin enroll`: endpoint,
//!                                  # certificates and the keyring-sealed key come from there
//!
//! [union]                          # or a terminal configured by files (key in plaintext PEM: avoid);
//!                                  # neither `terminal_dir` nor `[union]` = 研修モード
//! endpoint = "https://union.example.lg.jp:8443"
//! ca = "/etc/madoguchi/union-ca.pem"
//! certificate = "/etc/madoguchi/terminal.pem"
//! key = "/etc/madoguchi/terminal-key.pem"
//! terminal_id = "T-0001"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{AppError, TerminalErrorCode};

/// The configuration file's name inside the data directory.
pub const CONFIG_FILE: &str = "madoguchi.toml";

/// Where a configured terminal finds its union.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionEndpoint {
    /// `https://host:port`.
    pub endpoint: String,
    /// The union CA (PEM) to pin.
    pub ca: PathBuf,
    /// The terminal's enrolled certificate (PEM).
    pub certificate: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// 端末ID (the vault is bound to it), checked when the file is read.
    pub terminal_id: madoguchi_domain::TerminalId,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalConfig {
    /// Minutes without input before the screen locks.
    #[serde(default = "default_idle_lock_minutes")]
    pub idle_lock_minutes: f64,
    /// The CUPS queue (or Windows printer) that takes every document.
    #[serde(default = "default_printer")]
    pub printer: String,
    /// 市区町村名 on the 受付控.
    #[serde(default)]
    pub municipality_name: Option<String>,
    /// Print assets (fonts, layouts, seal).
    #[serde(default)]
    pub assets_dir: Option<PathBuf>,
    /// The union; none (and no `terminal_dir`) = 研修モード.
    #[serde(default)]
    pub union: Option<UnionEndpoint>,
    /// A terminal enrolled with `madoguchi-admin enroll` (its `terminal.toml`, certificates and sealed
    /// key); takes precedence over `[union]`.
    #[serde(default)]
    pub terminal_dir: Option<PathBuf>,
    /// Where administrators' exports (監査ログ) are written; default `<data dir>/exports`.
    #[serde(default)]
    pub export_dir: Option<PathBuf>,
    /// Days acknowledged audit entries stay on the terminal after the union holds them; default 7.
    #[serde(default)]
    pub audit_retention_days: Option<u32>,
    /// Hours after the last online sign-in on this terminal during which a user may sign in offline
    /// (オフライン受付のみ). Default 96: see `madoguchi_counter::OfflinePolicy::window`. 0 = never offline.
    #[serde(default = "default_offline_sign_in_hours")]
    pub offline_sign_in_hours: u32,
    /// Program updates from the insurer (`[updates]`); none = the terminal does not update itself.
    #[serde(default)]
    pub updates: Option<UpdatesConfig>,
}

/// `[updates]`: program updates from the insurer over the line (see `SECURITY.md`, "Program updates").
///
/// ```toml
/// [updates]
/// release_key = "/etc/madoguchi/release-key.pub"   # provisioned with the terminal, never from the insurer
/// install_command = ["pkexec", "dpkg", "-i"]       # the package path is appended; default as shown
/// check_minutes = 60                               # how often to ask; default 60
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatesConfig {
    /// The release public key file (`madoguchi-admin release keygen`'s `release-key.pub`).
    pub release_key: PathBuf,
    /// The installer command; the verified package's path is its last argument.
    #[serde(default = "default_install_command")]
    pub install_command: Vec<String>,
    /// Minutes between checks.
    #[serde(default = "default_check_minutes")]
    pub check_minutes: u32,
}

fn default_install_command() -> Vec<String> {
    ["pkexec", "dpkg", "-i"].map(String::from).to_vec()
}

fn default_check_minutes() -> u32 {
    60
}

fn default_offline_sign_in_hours() -> u32 {
    96
}

fn default_idle_lock_minutes() -> f64 {
    1.0
}

fn default_printer() -> String {
    "CUPS-PDF".into()
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            idle_lock_minutes: default_idle_lock_minutes(),
            printer: default_printer(),
            municipality_name: None,
            assets_dir: None,
            union: None,
            terminal_dir: None,
            export_dir: None,
            audit_retention_days: None,
            offline_sign_in_hours: default_offline_sign_in_hours(),
            updates: None,
        }
    }
}

impl TerminalConfig {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let cfg: TerminalConfig = toml::from_str(text).map_err(|e| {
            tracing::error!(error = %e.message(), "invalid terminal configuration");
            AppError::new(
                TerminalErrorCode::ConfigInvalid,
                format!("端末の設定ファイル（{CONFIG_FILE}）の内容が正しくありません。情報システム管理者に連絡してください。"),
            )
        })?;
        if !(cfg.idle_lock_minutes > 0.0 && cfg.idle_lock_minutes <= 60.0) {
            return Err(AppError::new(
                TerminalErrorCode::ConfigInvalid,
                "画面ロックまでの時間（idle_lock_minutes）は0より大きく60分以下にしてください。",
            ));
        }
        if cfg.offline_sign_in_hours > 24 * 14 {
            return Err(AppError::new(
                TerminalErrorCode::ConfigInvalid,
                "オフラインでのサインインを認める時間（offline_sign_in_hours）は336時間（14日）以下にしてください。",
            ));
        }
        if let Some(u) = &cfg.updates
            && (u.install_command.is_empty() || !(5..=24 * 60).contains(&u.check_minutes))
        {
            return Err(AppError::new(
                TerminalErrorCode::ConfigInvalid,
                "更新の設定（[updates]）が正しくありません。install_command を指定し、check_minutes は5〜1440分にしてください。",
            ));
        }
        Ok(cfg)
    }

    /// Reads `dir/madoguchi.toml`; a missing file is the default (研修モード).
    pub fn load(dir: &Path) -> Result<Self, AppError> {
        match std::fs::read_to_string(dir.join(CONFIG_FILE)) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the terminal configuration");
                Err(AppError::new(
                    TerminalErrorCode::ConfigUnreadable,
                    format!(
                        "端末の設定ファイル（{CONFIG_FILE}）を読めません。情報システム管理者に連絡してください。"
                    ),
                ))
            }
        }
    }

    /// 研修モード: no union configured.
    pub fn training(&self) -> bool {
        self.union.is_none() && self.terminal_dir.is_none()
    }

    /// The user's `dir/madoguchi.toml`; without one, the machine-wide provisioning file in `system` (what a
    /// silent install left, see [`system_config_dir`]); without either, the default (研修モード). The
    /// user's own file wins, so one terminal can be reconfigured without touching the roll-out.
    pub fn load_provisioned(dir: &Path, system: Option<&Path>) -> Result<Self, AppError> {
        match system {
            Some(sys) if !dir.join(CONFIG_FILE).exists() && sys.join(CONFIG_FILE).is_file() => {
                Self::load(sys)
            }
            _ => Self::load(dir),
        }
    }
}

/// Where a silent install leaves the machine-wide provisioning file (`madoguchi.toml`):
/// `MADOGUCHI_SYSTEM_CONFIG_DIR` (tests), else `/etc/madoguchi` on Linux and `%ProgramData%\Madoguchi` on
/// Windows (the NSIS hook of `installer/windows/hooks.nsh` copies it there).
pub fn system_config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("MADOGUCHI_SYSTEM_CONFIG_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if cfg!(windows) {
        std::env::var_os("ProgramData").map(|p| PathBuf::from(p).join("Madoguchi"))
    } else {
        Some(PathBuf::from("/etc/madoguchi"))
    }
}

/// The app's own data directory: `MADOGUCHI_DATA_DIR` (tests), else `$XDG_DATA_HOME/madoguchi`
/// (`~/.local/share/madoguchi`), else `%APPDATA%\madoguchi` on Windows.
pub fn data_dir() -> Result<PathBuf, AppError> {
    let from_env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = from_env("MADOGUCHI_DATA_DIR") {
        return Ok(d);
    }
    if let Some(d) = from_env("XDG_DATA_HOME") {
        return Ok(d.join("madoguchi"));
    }
    if let Some(h) = from_env("HOME") {
        return Ok(h.join(".local").join("share").join("madoguchi"));
    }
    if let Some(a) = from_env("APPDATA") {
        return Ok(a.join("madoguchi"));
    }
    Err(AppError::new(
        TerminalErrorCode::NoDataDir,
        "データの保存場所が決められません（MADOGUCHI_DATA_DIR または XDG_DATA_HOME を設定してください）。",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_means_training_with_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = TerminalConfig::load(dir.path()).expect("default");
        assert!(cfg.training());
        assert_eq!(cfg.idle_lock_minutes, 1.0);
        assert_eq!(cfg.printer, "CUPS-PDF");
    }

    #[test]
    fn a_provisioning_file_applies_until_the_user_has_one() {
        let user = tempfile::tempdir().expect("tempdir");
        let system = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            system.path().join(CONFIG_FILE),
            "idle_lock_minutes = 3\nprinter = \"ROLLOUT\"\n",
        )
        .expect("write");
        let cfg = TerminalConfig::load_provisioned(user.path(), Some(system.path())).expect("load");
        assert_eq!(cfg.printer, "ROLLOUT");
        assert_eq!(cfg.idle_lock_minutes, 3.0);
        // No system directory at all: the default.
        let none = TerminalConfig::load_provisioned(user.path(), None).expect("load");
        assert_eq!(none.printer, "CUPS-PDF");
        // The user's own file wins over the roll-out.
        std::fs::write(user.path().join(CONFIG_FILE), "printer = \"OWN\"\n").expect("write");
        let own = TerminalConfig::load_provisioned(user.path(), Some(system.path())).expect("load");
        assert_eq!(own.printer, "OWN");
        // A broken provisioning file is refused with the Japanese message, not ignored.
        let user2 = tempfile::tempdir().expect("tempdir");
        std::fs::write(system.path().join(CONFIG_FILE), "idle_lock_minutes = 0\n").expect("write");
        let err = TerminalConfig::load_provisioned(user2.path(), Some(system.path()))
            .expect_err("refused");
        assert!(err.message_ja.contains("画面ロック"), "{}", err.message_ja);
    }

    #[test]
    fn parses_a_configured_terminal() {
        let cfg = TerminalConfig::parse(
            "idle_lock_minutes = 5\nprinter = \"OFFICE\"\n[union]\nendpoint = \"https://u:8443\"\nca = \"/c\"\ncertificate = \"/t\"\nkey = \"/k\"\nterminal_id = \"T-1\"\n",
        )
        .expect("valid");
        assert!(!cfg.training());
        assert_eq!(cfg.idle_lock_minutes, 5.0);
        assert_eq!(cfg.printer, "OFFICE");
    }

    #[test]
    fn an_enrolled_terminal_dir_is_a_configured_terminal() {
        let cfg =
            TerminalConfig::parse("terminal_dir = \"/var/lib/madoguchi/t\"\n").expect("valid");
        assert!(!cfg.training());
        assert_eq!(
            cfg.terminal_dir.as_deref(),
            Some(Path::new("/var/lib/madoguchi/t"))
        );
    }

    #[test]
    fn refuses_unknown_keys_and_silly_lock_times() {
        assert_eq!(
            TerminalConfig::parse("colour = 1")
                .expect_err("unknown")
                .code,
            TerminalErrorCode::ConfigInvalid
        );
        assert!(TerminalConfig::parse("idle_lock_minutes = 0").is_err());
        assert!(TerminalConfig::parse("idle_lock_minutes = 600").is_err());
    }
}
