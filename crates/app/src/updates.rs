//! 更新プログラム in the app: from the `[updates]` table of the configuration, a background check that
//! downloads, verifies and stages what the insurer offers, and the install at sign-out
//! ([`UpdateAgent::at_sign_out`]), never while someone is signed in. The decisions are
//! `madoguchi-update`'s and `madoguchi-counter`'s ([`madoguchi_counter::Updates`]).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use madoguchi_counter::{CommandInstaller, Counter, UpdateSettings, UpdateStatus};
use madoguchi_update::{Platform, TrustedKey, Version};

use crate::config::UpdatesConfig;
use crate::error::{AppError, TerminalErrorCode};

/// The terminal's update agent.
#[derive(Debug, Clone)]
pub struct UpdateAgent {
    settings: UpdateSettings,
    installer: Arc<CommandInstaller>,
    check_every: Duration,
}

impl UpdateAgent {
    /// From `[updates]`: reads the release key; `running` is this program's version. `Ok(None)` on a
    /// platform we do not package.
    pub fn from_config(
        cfg: &UpdatesConfig,
        data_dir: &Path,
        running: &str,
    ) -> Result<Option<UpdateAgent>, AppError> {
        let Some(platform) = Platform::running() else {
            return Ok(None);
        };
        let refused = |what: &str| {
            AppError::new(
                TerminalErrorCode::ConfigInvalid,
                format!(
                    "更新の設定（[updates]）の{what}を読めません。情報システム管理者に連絡してください。"
                ),
            )
        };
        let key_text = std::fs::read_to_string(&cfg.release_key).map_err(|e| {
            tracing::error!(error = %e, "cannot read the release key");
            refused("公開鍵（release_key）")
        })?;
        let key = TrustedKey::parse(&key_text).map_err(|_| refused("公開鍵（release_key）"))?;
        let running = Version::parse(running).map_err(|_| refused("版"))?;
        Ok(Some(UpdateAgent {
            settings: UpdateSettings {
                running,
                platform,
                key,
                staging_dir: data_dir.join("updates"),
            },
            installer: Arc::new(CommandInstaller {
                command: cfg.install_command.clone(),
            }),
            check_every: Duration::from_secs(u64::from(cfg.check_minutes) * 60),
        }))
    }

    /// Checks now and then every `check_minutes`, staging what verifies. Needs a tokio runtime; abort the
    /// handle to stop.
    pub fn spawn_checks(&self, counter: Counter) -> tokio::task::JoinHandle<()> {
        let agent = self.clone();
        tokio::spawn(async move {
            loop {
                match counter.updates().fetch(&agent.settings).await {
                    Ok(UpdateStatus::Staged(v)) => {
                        tracing::info!(version = %v, "update staged; installs at sign-out")
                    }
                    Ok(UpdateStatus::Refused(r)) => {
                        tracing::warn!(code = r.code(), "update refused")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::info!(error = %e, "update check failed; retried later"),
                }
                tokio::time::sleep(agent.check_every).await;
            }
        })
    }

    /// At sign-out: installs a staged update. The new version is the one that installed.
    pub async fn at_sign_out(&self, counter: &Counter) -> Option<Version> {
        match counter
            .updates()
            .install_staged(&self.settings, self.installer.clone())
            .await
        {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "staged update not installed");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TerminalConfig;

    #[test]
    fn the_updates_table_is_read_and_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = dir.path().join("release-key.pub");
        let (public, _) = madoguchi_update::sign::generate_key_pair().expect("keys");
        std::fs::write(&key, public).expect("write");
        let cfg = TerminalConfig::parse(&format!(
            "[updates]\nrelease_key = {:?}\ncheck_minutes = 30\n",
            key.display().to_string()
        ))
        .expect("valid");
        let u = cfg.updates.expect("updates");
        assert_eq!(u.install_command, ["pkexec", "dpkg", "-i"]);
        let agent = UpdateAgent::from_config(&u, dir.path(), "0.1.0").expect("agent");
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            let agent = agent.expect("linux is packaged");
            assert_eq!(agent.check_every, Duration::from_secs(1800));
            assert_eq!(agent.settings.staging_dir, dir.path().join("updates"));
        }
        // A bad table: a Japanese refusal naming [updates].
        for bad in [
            "[updates]\nrelease_key = \"/k\"\ncheck_minutes = 1\n",
            "[updates]\nrelease_key = \"/k\"\ninstall_command = []\n",
        ] {
            let e = TerminalConfig::parse(bad).expect_err("refused");
            assert!(e.message_ja.contains("[updates]"), "{}", e.message_ja);
        }
        // A missing key file is refused at start, not ignored.
        let missing = UpdatesConfig {
            release_key: dir.path().join("none.pub"),
            install_command: vec!["true".into()],
            check_minutes: 60,
        };
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            let e = UpdateAgent::from_config(&missing, dir.path(), "0.1.0").expect_err("refused");
            assert!(e.message_ja.contains("release_key"), "{}", e.message_ja);
        }
    }
}
