//! 更新プログラム: the terminal takes its program updates from its insurer, over the mutual-TLS link only.
//!
//! [`Updates::fetch`] asks the insurer what is on offer, refuses at once what could never be installed
//! (older, same, another platform), downloads the package in chunks into the staging directory (resuming a
//! partial download), verifies it with `madoguchi-update` (signature by the provisioned release key, the
//! signed version and platform, size, SHA-256) and keeps it staged. [`Updates::install_staged`] runs the
//! installer only when nobody is signed in (at sign-out, or on a signed-out terminal) — never in the
//! middle of a counter transaction — and verifies the staged file again first. Every outcome is reported
//! to the insurer; a refused or failed update leaves the running version as it is.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use madoguchi_domain::StaffMessage;
use madoguchi_link::LinkError;
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::updates::{
    MAX_PACKAGE_CHUNK, PackageChunkRequest, UpdateCheckRequest, UpdateOffer, UpdateOutcome,
    UpdateReport,
};
use madoguchi_update::{
    Offer, Platform, Refusal, TrustedKey, Version, check_offer, verify_package,
};

use crate::context::Counter;

const STAGED: &str = "staged.json";

/// What the terminal needs to take updates: provisioned, never learnt from the insurer.
#[derive(Debug, Clone)]
pub struct UpdateSettings {
    /// The running program's version.
    pub running: Version,
    /// The running program's platform.
    pub platform: Platform,
    /// The release public key (provisioned with the terminal).
    pub key: TrustedKey,
    /// Where downloads and the staged package are kept.
    pub staging_dir: PathBuf,
}

/// Where an update stands after [`Updates::fetch`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateStatus {
    /// Nothing newer is offered.
    UpToDate,
    /// The insurer holds this municipality's updates (保留).
    Held,
    /// Verified and staged; installs at the next moment nobody is signed in.
    Staged(Version),
    /// Refused; the running version stays.
    Refused(Refusal),
}

/// Runs the platform's installer on a verified package (`pkexec dpkg -i`, the NSIS setup with `/S`, …).
pub trait Installer: Send + Sync {
    /// Installs `package`; an error leaves the running version in place.
    fn install(&self, package: &Path) -> Result<(), String>;
}

/// An installer that runs a command with the package path as its last argument.
#[derive(Debug, Clone)]
pub struct CommandInstaller {
    /// The program and its first arguments, e.g. `["pkexec", "dpkg", "-i"]`.
    pub command: Vec<String>,
}

impl Installer for CommandInstaller {
    fn install(&self, package: &Path) -> Result<(), String> {
        let (program, args) = self
            .command
            .split_first()
            .ok_or_else(|| "no installer command configured".to_owned())?;
        let status = std::process::Command::new(program)
            .args(args)
            .arg(package)
            .status()
            .map_err(|e| format!("cannot start the installer: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("installer exited with {status}"))
        }
    }
}

/// Why an update could not be fetched or installed (a refusal of the package is an [`UpdateStatus`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The line or the insurer failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The staging directory could not be used.
    #[error("update staging i/o ({what})")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Someone is signed in: installing now would interrupt counter work.
    #[error("an update installs only when nobody is signed in")]
    SignedIn,
    /// The installer failed; the running version stays.
    #[error("installer failed: {0}")]
    InstallFailed(String),
}

impl StaffMessage for UpdateError {
    fn message_ja(&self) -> String {
        match self {
            UpdateError::Link(e) => e.message_ja(),
            UpdateError::Io { .. } => {
                "更新プログラムの保存場所を使えません。情報システム管理者に連絡してください。"
                    .into()
            }
            UpdateError::SignedIn => {
                "サインイン中は更新できません。サインアウトすると更新します。".into()
            }
            UpdateError::InstallFailed(_) => {
                "更新プログラムを適用できませんでした。今の版のまま使えます。".into()
            }
        }
    }
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> UpdateError {
    move |source| UpdateError::Io { what, source }
}

/// The terminal's program updates (更新プログラム): fetch, verify, stage, install when free.
pub struct Updates<'a> {
    ctx: &'a Counter,
}

impl Counter {
    /// The program-update use cases.
    pub fn updates(&self) -> Updates<'_> {
        Updates { ctx: self }
    }
}

fn to_offer(o: &UpdateOffer) -> Result<Offer, Refusal> {
    Ok(Offer {
        version: Version::parse(&o.version).map_err(|_| Refusal::Malformed("version"))?,
        platform: o.platform.parse()?,
        size: o.size,
        sha256: o.sha256.clone(),
        signature: o.signature.clone(),
    })
}

impl Updates<'_> {
    /// Asks the insurer, downloads and verifies what is offered, and reports the outcome.
    pub async fn fetch(&self, s: &UpdateSettings) -> Result<UpdateStatus, UpdateError> {
        let client = self.ctx.client();
        let answer = client
            .send(
                &ep::UPDATE_CHECK,
                &[],
                None,
                None,
                Some(&UpdateCheckRequest {
                    platform: s.platform.as_str().to_owned(),
                    running: s.running.to_string(),
                }),
            )
            .await?;
        if answer.held {
            return Ok(UpdateStatus::Held);
        }
        let Some(wire) = answer.offer else {
            return Ok(UpdateStatus::UpToDate);
        };
        let offer = match to_offer(&wire)
            .and_then(|o| check_offer(&s.running, s.platform, &o).map(|()| o))
        {
            Ok(o) => o,
            Err(refusal) => return self.refused(s, &wire, refusal).await,
        };
        if let Some(staged) = read_staged(&s.staging_dir)?
            && staged == wire
        {
            return Ok(UpdateStatus::Staged(offer.version));
        }
        let bytes = self.download(s, &wire).await?;
        match verify_package(&s.key, &s.running, s.platform, &offer, &bytes) {
            Ok(_) => {
                let file = package_path(&s.staging_dir, &wire);
                write_atomic(&file, &bytes)?;
                write_atomic(
                    &s.staging_dir.join(STAGED),
                    &serde_json::to_vec(&wire)
                        .map_err(|e| io("encode")(std::io::Error::other(e)))?,
                )?;
                let _ = fs::remove_file(partial_path(&s.staging_dir, &wire));
                self.report(s, &wire, UpdateOutcome::Staged).await;
                Ok(UpdateStatus::Staged(offer.version))
            }
            Err(refusal) => {
                let _ = fs::remove_file(partial_path(&s.staging_dir, &wire));
                self.refused(s, &wire, refusal).await
            }
        }
    }

    /// Installs the staged update if nobody is signed in; verifies it again first. `Ok(None)`: nothing
    /// staged.
    pub async fn install_staged(
        &self,
        s: &UpdateSettings,
        installer: Arc<dyn Installer>,
    ) -> Result<Option<Version>, UpdateError> {
        if self.ctx.staff().is_some() {
            return Err(UpdateError::SignedIn);
        }
        let Some(wire) = read_staged(&s.staging_dir)? else {
            return Ok(None);
        };
        let file = package_path(&s.staging_dir, &wire);
        let bytes = fs::read(&file).map_err(io("read the staged package"))?;
        let checked = to_offer(&wire)
            .and_then(|offer| verify_package(&s.key, &s.running, s.platform, &offer, &bytes));
        let verified = match checked {
            Ok(v) => v,
            Err(refusal) => {
                // Changed on disk since it was staged: drop it and say so.
                clear_staged(&s.staging_dir, &wire);
                self.refused(s, &wire, refusal).await?;
                return Ok(None);
            }
        };
        // The installer (dpkg, an NSIS setup) runs for seconds: off the async worker threads.
        let package = file.clone();
        let installed = tokio::task::spawn_blocking(move || installer.install(&package))
            .await
            .unwrap_or_else(|e| Err(format!("installer task failed: {e}")));
        match installed {
            Ok(()) => {
                clear_staged(&s.staging_dir, &wire);
                self.report(s, &wire, UpdateOutcome::Installed).await;
                tracing::info!(version = %verified.version, "update installed");
                Ok(Some(verified.version))
            }
            Err(why) => {
                self.report(s, &wire, UpdateOutcome::InstallFailed).await;
                Err(UpdateError::InstallFailed(why))
            }
        }
    }

    async fn download(
        &self,
        s: &UpdateSettings,
        wire: &UpdateOffer,
    ) -> Result<Vec<u8>, UpdateError> {
        fs::create_dir_all(&s.staging_dir).map_err(io("create the staging directory"))?;
        let part = partial_path(&s.staging_dir, wire);
        // Resume what an earlier attempt (or a crash) left, when it is not already too long.
        let mut bytes = match File::open(&part) {
            Ok(mut f) => {
                let mut b = Vec::new();
                f.read_to_end(&mut b)
                    .map_err(io("read the partial download"))?;
                if b.len() as u64 > wire.size {
                    b.clear();
                }
                b
            }
            Err(_) => Vec::new(),
        };
        let mut out = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(bytes.is_empty())
            .append(!bytes.is_empty())
            .open(&part)
            .map_err(io("open the partial download"))?;
        while (bytes.len() as u64) < wire.size {
            let chunk = self
                .ctx
                .client()
                .send(
                    &ep::UPDATE_PACKAGE,
                    &[],
                    None,
                    None,
                    Some(&PackageChunkRequest {
                        platform: wire.platform.clone(),
                        version: wire.version.clone(),
                        offset: bytes.len() as u64,
                        limit: MAX_PACKAGE_CHUNK,
                    }),
                )
                .await?;
            let data = base64::engine::general_purpose::STANDARD
                .decode(chunk.data)
                .unwrap_or_default();
            if data.is_empty() {
                break; // the insurer has no more: verification reports the truncation
            }
            out.write_all(&data)
                .map_err(io("write the partial download"))?;
            bytes.extend(data);
        }
        out.sync_data().map_err(io("sync the partial download"))?;
        Ok(bytes)
    }

    async fn refused(
        &self,
        s: &UpdateSettings,
        wire: &UpdateOffer,
        refusal: Refusal,
    ) -> Result<UpdateStatus, UpdateError> {
        tracing::warn!(code = refusal.code(), version = %wire.version, "update refused");
        self.report(
            s,
            wire,
            UpdateOutcome::Refused {
                code: refusal.code().to_owned(),
            },
        )
        .await;
        Ok(UpdateStatus::Refused(refusal))
    }

    /// Best effort: a report lost to the line is not worth failing the update for; the next check reports
    /// again.
    async fn report(&self, s: &UpdateSettings, wire: &UpdateOffer, outcome: UpdateOutcome) {
        let report = UpdateReport {
            platform: wire.platform.clone(),
            version: wire.version.clone(),
            running: s.running.to_string(),
            outcome,
        };
        if let Err(e) = self
            .ctx
            .client()
            .send(&ep::UPDATE_REPORT, &[], None, None, Some(&report))
            .await
        {
            tracing::warn!(error = %e, "update report not delivered");
        }
    }
}

fn safe_name(wire: &UpdateOffer) -> String {
    format!("{}-{}", wire.platform, wire.version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn package_path(dir: &Path, wire: &UpdateOffer) -> PathBuf {
    dir.join(format!("{}.pkg", safe_name(wire)))
}

fn partial_path(dir: &Path, wire: &UpdateOffer) -> PathBuf {
    dir.join(format!("{}.part", safe_name(wire)))
}

fn read_staged(dir: &Path) -> Result<Option<UpdateOffer>, UpdateError> {
    match fs::read(dir.join(STAGED)) {
        Ok(b) => Ok(serde_json::from_slice(&b).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io("read the staged update")(e)),
    }
}

fn clear_staged(dir: &Path, wire: &UpdateOffer) {
    let _ = fs::remove_file(dir.join(STAGED));
    let _ = fs::remove_file(package_path(dir, wire));
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), UpdateError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io("create the staging directory"))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io("write the staged update"))?;
    f.write_all(bytes).map_err(io("write the staged update"))?;
    f.sync_all().map_err(io("sync the staged update"))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io("stage the update"))
}
