//! 更新プログラムの棚: the terminal packages this insurer hosts (`<data dir>/updates/`).
//!
//! An administrator publishes a package with the signature made offline by the vendor's release key
//! (`madoguchi-union updates publish`); the server never holds that key and cannot sign. When the server
//! is given the release *public* key it refuses, at publication, a package whose signature or signed claim
//! does not verify, so a mistake is caught before any terminal downloads it; terminals verify again
//! themselves. The insurer can hold updates for a municipality (保留) and withdraw a release (取り下げ).
//! Terminals' reports (staged, installed, refused) are appended to `reports.jsonl` for the fleet view;
//! they hold terminal ids and versions, never personal data.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use chrono::{DateTime, Utc};
use madoguchi_protocol::updates::{
    MAX_PACKAGE_CHUNK, PackageChunk, PackageChunkRequest, UpdateCheckResponse, UpdateOffer,
    UpdateReport,
};
use madoguchi_update::{Offer, Platform, TrustedKey, Version, verify_package};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MANIFEST: &str = "manifest.json";
const REPORTS: &str = "reports.jsonl";

/// Why the shelf refused or failed. Names no file content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShelfError {
    /// Reading or writing the shelf's directory failed.
    #[error("update shelf i/o ({what})")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest or a report line is not ours.
    #[error("update manifest unreadable")]
    Manifest(#[source] serde_json::Error),
    /// A version or platform name is malformed.
    #[error("malformed version or platform")]
    Malformed,
    /// No such (non-withdrawn) release.
    #[error("no such release")]
    NoSuchRelease,
    /// This version is already published for this platform.
    #[error("release already published")]
    AlreadyPublished,
    /// The package does not verify with the release public key.
    #[error("package refused at publication")]
    Refused(#[source] madoguchi_update::Refusal),
}

impl ShelfError {
    /// The Japanese an operator reads.
    pub fn message_ja(&self) -> String {
        match self {
            ShelfError::Io { .. } | ShelfError::Manifest(_) => {
                "更新プログラムの保管場所を読み書きできません。".into()
            }
            ShelfError::Malformed => "版または端末の種類の書き方が正しくありません。".into(),
            ShelfError::NoSuchRelease => "その版の更新プログラムはありません。".into(),
            ShelfError::AlreadyPublished => "その版はすでに登録されています。".into(),
            ShelfError::Refused(r) => format!(
                "更新プログラムを登録しませんでした（署名の検証に失敗: {}）。",
                r.code()
            ),
        }
    }
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> ShelfError {
    move |source| ShelfError::Io { what, source }
}

/// One published package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Semantic version.
    pub version: String,
    /// Platform name.
    pub platform: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// The offline signature (base64 of the minisign box).
    pub signature: String,
    /// File name inside the shelf.
    pub file: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// 取り下げ: no longer offered.
    #[serde(default)]
    pub withdrawn: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    releases: Vec<Release>,
    /// Municipality codes whose updates are held (保留).
    #[serde(default)]
    held: Vec<String>,
}

/// A terminal's report as the insurer keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReport {
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// 端末ID.
    pub terminal_id: String,
    /// The terminal's municipality.
    pub municipality: String,
    /// What the terminal reported.
    pub report: UpdateReport,
}

/// The packages hosted for terminals.
pub struct UpdateShelf {
    dir: PathBuf,
    /// Manifest and reports are read-modify-written under this lock.
    lock: Mutex<()>,
}

impl UpdateShelf {
    /// Opens (creating) the shelf in `dir`.
    pub fn open(dir: &Path) -> Result<UpdateShelf, ShelfError> {
        fs::create_dir_all(dir).map_err(io("create the shelf"))?;
        Ok(UpdateShelf {
            dir: dir.to_path_buf(),
            lock: Mutex::new(()),
        })
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read(&self) -> Result<Manifest, ShelfError> {
        match fs::read(self.dir.join(MANIFEST)) {
            Ok(b) => serde_json::from_slice(&b).map_err(ShelfError::Manifest),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(io("read the manifest")(e)),
        }
    }

    fn write(&self, m: &Manifest) -> Result<(), ShelfError> {
        let bytes = serde_json::to_vec_pretty(m).map_err(ShelfError::Manifest)?;
        atomic_write(&self.dir.join(MANIFEST), &bytes)
    }

    /// Publishes `package` with its offline `signature`. With `release_key`, the package must verify
    /// (signature, and the signed version/platform equal to the ones given).
    pub fn publish(
        &self,
        package: &Path,
        signature: &str,
        version: &str,
        platform: &str,
        release_key: Option<&TrustedKey>,
        now: DateTime<Utc>,
    ) -> Result<Release, ShelfError> {
        let parsed = Version::parse(version).map_err(|_| ShelfError::Malformed)?;
        let platform_kind: Platform = platform.parse().map_err(|_| ShelfError::Malformed)?;
        let bytes = fs::read(package).map_err(io("read the package"))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        if let Some(key) = release_key {
            let offer = Offer {
                version: parsed.clone(),
                platform: platform_kind,
                size,
                sha256: sha256.clone(),
                signature: signature.trim().to_owned(),
            };
            verify_package(key, &Version::new(0, 0, 0), platform_kind, &offer, &bytes)
                .map_err(ShelfError::Refused)?;
        }
        let _g = self.guard();
        let mut manifest = self.read()?;
        if manifest
            .releases
            .iter()
            .any(|r| r.platform == platform_kind.as_str() && r.version == parsed.to_string())
        {
            return Err(ShelfError::AlreadyPublished);
        }
        let file = format!("{}-{}.pkg", platform_kind.as_str(), parsed);
        atomic_write(&self.dir.join(&file), &bytes)?;
        let release = Release {
            version: parsed.to_string(),
            platform: platform_kind.as_str().to_owned(),
            size,
            sha256,
            signature: signature.trim().to_owned(),
            file,
            published_at: now,
            withdrawn: false,
        };
        manifest.releases.push(release.clone());
        self.write(&manifest)?;
        Ok(release)
    }

    /// 取り下げ: stop offering a release (terminals that installed it keep it; a roll-back of those is a new,
    /// higher version of the previous code, since terminals refuse downgrades).
    pub fn withdraw(&self, version: &str, platform: &str) -> Result<(), ShelfError> {
        let _g = self.guard();
        let mut manifest = self.read()?;
        let r = manifest
            .releases
            .iter_mut()
            .find(|r| r.version == version && r.platform == platform && !r.withdrawn)
            .ok_or(ShelfError::NoSuchRelease)?;
        r.withdrawn = true;
        self.write(&manifest)
    }

    /// 保留 (`held = true`) or release the updates of one municipality.
    pub fn hold(&self, municipality: &str, held: bool) -> Result<(), ShelfError> {
        let _g = self.guard();
        let mut manifest = self.read()?;
        manifest.held.retain(|m| m != municipality);
        if held {
            manifest.held.push(municipality.to_owned());
        }
        self.write(&manifest)
    }

    /// Every release, oldest first.
    pub fn releases(&self) -> Result<Vec<Release>, ShelfError> {
        Ok(self.read()?.releases)
    }

    /// The newest release for `platform` newer than `running`, unless the municipality is held.
    pub fn offer(
        &self,
        municipality: &str,
        platform: &str,
        running: &str,
    ) -> Result<UpdateCheckResponse, ShelfError> {
        let running = Version::parse(running).map_err(|_| ShelfError::Malformed)?;
        let manifest = self.read()?;
        if manifest.held.iter().any(|m| m == municipality) {
            return Ok(UpdateCheckResponse {
                offer: None,
                held: true,
            });
        }
        let newest = manifest
            .releases
            .iter()
            .filter(|r| r.platform == platform && !r.withdrawn)
            .filter_map(|r| Version::parse(&r.version).ok().map(|v| (v, r)))
            .filter(|(v, _)| *v > running)
            .max_by(|a, b| a.0.cmp(&b.0));
        Ok(UpdateCheckResponse {
            offer: newest.map(|(_, r)| UpdateOffer {
                version: r.version.clone(),
                platform: r.platform.clone(),
                size: r.size,
                sha256: r.sha256.clone(),
                signature: r.signature.clone(),
            }),
            held: false,
        })
    }

    /// One chunk of a (non-withdrawn) release.
    pub fn chunk(&self, req: &PackageChunkRequest) -> Result<PackageChunk, ShelfError> {
        let manifest = self.read()?;
        let release = manifest
            .releases
            .iter()
            .find(|r| r.platform == req.platform && r.version == req.version && !r.withdrawn)
            .ok_or(ShelfError::NoSuchRelease)?;
        if req.offset > release.size || req.limit == 0 {
            return Err(ShelfError::Malformed);
        }
        let want = req
            .limit
            .min(MAX_PACKAGE_CHUNK)
            .min(release.size - req.offset);
        let mut f = File::open(self.dir.join(&release.file)).map_err(io("open the package"))?;
        f.seek(SeekFrom::Start(req.offset))
            .map_err(io("seek the package"))?;
        let mut buf = vec![0u8; usize::try_from(want).map_err(|_| ShelfError::Malformed)?];
        f.read_exact(&mut buf).map_err(io("read the package"))?;
        Ok(PackageChunk {
            offset: req.offset,
            total: release.size,
            data: base64::engine::general_purpose::STANDARD.encode(buf),
        })
    }

    /// Appends a terminal's report; answers how many reports this terminal has sent.
    pub fn report(
        &self,
        terminal_id: &str,
        municipality: &str,
        report: UpdateReport,
        now: DateTime<Utc>,
    ) -> Result<u64, ShelfError> {
        let _g = self.guard();
        let line = serde_json::to_string(&StoredReport {
            at: now,
            terminal_id: terminal_id.to_owned(),
            municipality: municipality.to_owned(),
            report,
        })
        .map_err(ShelfError::Manifest)?;
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(REPORTS))
            .map_err(io("open the reports"))?;
        writeln!(f, "{line}").map_err(io("append a report"))?;
        f.sync_data().map_err(io("sync the reports"))?;
        drop(f);
        Ok(self
            .reports()?
            .iter()
            .filter(|r| r.terminal_id == terminal_id)
            .count() as u64)
    }

    /// Every report, oldest first.
    pub fn reports(&self) -> Result<Vec<StoredReport>, ShelfError> {
        let text = match fs::read_to_string(self.dir.join(REPORTS)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("read the reports")(e)),
        };
        // A line torn by a crash mid-append is skipped, not allowed to hide every other report.
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| match serde_json::from_str(l) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(error = %e, "skipping an unreadable update report line");
                    None
                }
            })
            .collect())
    }
}

/// Writes via a temporary file and a rename, so a crash leaves the old or the new file, never half.
fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), ShelfError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io("write a temporary file"))?;
    f.write_all(bytes).map_err(io("write a temporary file"))?;
    f.sync_all().map_err(io("sync a temporary file"))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io("rename into place"))
}

#[cfg(test)]
mod tests;
