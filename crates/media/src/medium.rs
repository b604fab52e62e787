//! 媒体管理簿: registering a medium folder (who, when, volume id, files with size and SHA-256) after every file
//! passed the scanner, and opening a registered file only when it is still the file that was scanned.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use madoguchi_domain::StaffUserId;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::MediaError;
use crate::scan::{ScanConfig, Verdict, scan};

/// One file of a registered medium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediumFile {
    /// Path inside the medium folder.
    pub relative: PathBuf,
    /// Bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    #[serde(skip)]
    identity: Identity,
}

/// What says a file is still the same one: size, modification time and (on Unix) device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    size: u64,
    modified: Option<SystemTime>,
    dev: u64,
    ino: u64,
}

impl Identity {
    fn of(meta: &std::fs::Metadata) -> Identity {
        #[cfg(unix)]
        let (dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (dev, ino) = (0, 0);
        Identity {
            size: meta.len(),
            modified: meta.modified().ok(),
            dev,
            ino,
        }
    }
}

/// An entry of the 媒体管理簿: one medium, registered once every file on it was scanned clean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediumEntry {
    /// The medium folder (canonical path).
    pub root: PathBuf,
    /// Who registered it.
    pub registered_by: StaffUserId,
    /// When (RFC 3339, as the caller's clock gave it).
    pub registered_at: String,
    /// The medium's volume id or label, when the caller knows it.
    pub volume_id: Option<String>,
    /// Every regular file, by path.
    pub files: Vec<MediumFile>,
    /// The scanner's signature database (`None`: ClamAV's default).
    pub database: Option<PathBuf>,
}

/// Who registers a medium, when, and which one.
#[derive(Debug, Clone)]
pub struct Registration {
    /// 職員.
    pub staff: StaffUserId,
    /// Now, from the caller's clock (RFC 3339).
    pub at: String,
    /// Volume id or label.
    pub volume_id: Option<String>,
}

/// Lists the regular files under `root`. A symlink that leaves the folder, or anything that is neither a
/// file, a folder nor a symlink inside, refuses the medium; a symlink inside is skipped (its target is
/// listed as itself). Reads metadata only.
fn list(root: &Path, max: u64) -> Result<Vec<(PathBuf, Identity)>, MediaError> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let io = |source| MediaError::Io {
            file: dir.clone(),
            source,
        };
        let mut entries = Vec::new();
        for e in std::fs::read_dir(&dir).map_err(io)? {
            entries.push(e.map_err(io)?.path());
        }
        entries.sort();
        for path in entries {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let meta = std::fs::symlink_metadata(&path).map_err(|source| MediaError::Io {
                file: relative.clone(),
                source,
            })?;
            let ft = meta.file_type();
            if ft.is_symlink() {
                let target = std::fs::canonicalize(&path).ok();
                if target.as_deref().is_none_or(|t| !t.starts_with(root)) {
                    return Err(MediaError::SymlinkOutside { file: relative });
                }
            } else if ft.is_dir() {
                dirs.push(path);
            } else if ft.is_file() {
                if meta.len() > max {
                    return Err(MediaError::TooLarge {
                        file: relative,
                        size: meta.len(),
                        max,
                    });
                }
                out.push((path, Identity::of(&meta)));
            } else {
                return Err(MediaError::NotAFile { file: relative });
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn sha256_of(reader: &mut impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Registers a medium: lists it (metadata only), scans every file with ClamAV, then — only when all are
/// clean — hashes them and checks none changed since it was listed. Refuses the medium naming every
/// infected or unscannable file.
pub fn register(
    dir: &Path,
    who: Registration,
    config: &ScanConfig,
) -> Result<MediumEntry, MediaError> {
    let root = std::fs::canonicalize(dir).map_err(|source| MediaError::Io {
        file: dir.to_path_buf(),
        source,
    })?;
    let listed = list(&root, config.max_file_size)?;
    if listed.is_empty() {
        return Err(MediaError::NoFiles);
    }
    let paths: Vec<PathBuf> = listed.iter().map(|(p, _)| p.clone()).collect();
    let verdicts = scan(config, &paths)?;
    let mut refused = Vec::new();
    for p in &paths {
        let relative = p.strip_prefix(&root).unwrap_or(p).to_path_buf();
        match verdicts.get(p) {
            Some(Verdict::Clean) => {}
            // A file or archive too large to scan whole (a 4 GB file, a zip bomb) was not scanned.
            Some(Verdict::Infected(sig)) if sig.starts_with("Heuristics.Limits.Exceeded") => {
                refused.push(crate::error::Refusal::Unscannable {
                    file: relative,
                    why: sig.clone(),
                })
            }
            Some(Verdict::Infected(sig)) => refused.push(crate::error::Refusal::Infected {
                file: relative,
                signature: sig.clone(),
            }),
            Some(Verdict::Unscannable(why)) => refused.push(crate::error::Refusal::Unscannable {
                file: relative,
                why: why.clone(),
            }),
            None => refused.push(crate::error::Refusal::Unscannable {
                file: relative,
                why: "no result".into(),
            }),
        }
    }
    if !refused.is_empty() {
        return Err(MediaError::Refused(refused));
    }
    let mut files = Vec::with_capacity(listed.len());
    for (path, identity) in listed {
        let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
        let io = |source| MediaError::Io {
            file: relative.clone(),
            source,
        };
        let mut f = File::open(&path).map_err(io)?;
        let sha256 = sha256_of(&mut BufReader::new(&mut f)).map_err(io)?;
        let now = Identity::of(&f.metadata().map_err(io)?);
        if now != identity {
            return Err(MediaError::Changed { file: relative });
        }
        files.push(MediumFile {
            relative,
            size: identity.size,
            sha256,
            identity,
        });
    }
    Ok(MediumEntry {
        root,
        registered_by: who.staff,
        registered_at: who.at,
        volume_id: who.volume_id,
        files,
        database: config.database.clone(),
    })
}

impl MediumEntry {
    /// Opens a registered file for reading, only if it is still the scanned one: not a symlink, the same
    /// inode, size and time, and the same SHA-256 (hashed through the handle that is returned, rewound).
    pub fn open_verified(&self, relative: &Path) -> Result<File, MediaError> {
        let registered = self
            .files
            .iter()
            .find(|f| f.relative == relative)
            .ok_or_else(|| MediaError::NotRegistered {
                file: relative.to_path_buf(),
            })?;
        let path = self.root.join(relative);
        let changed = || MediaError::Changed {
            file: relative.to_path_buf(),
        };
        let io = |source| MediaError::Io {
            file: relative.to_path_buf(),
            source,
        };
        let meta = std::fs::symlink_metadata(&path).map_err(io)?;
        if !meta.file_type().is_file() {
            return Err(changed());
        }
        let mut f = File::open(&path).map_err(io)?;
        if Identity::of(&f.metadata().map_err(io)?) != registered.identity {
            return Err(changed());
        }
        let sha = sha256_of(&mut BufReader::new(&mut f)).map_err(io)?;
        if sha != registered.sha256 {
            return Err(changed());
        }
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(f)
    }

    /// The 媒体管理簿 entry as a Japanese list for the clerk and the operator.
    pub fn render_ja(&self) -> String {
        let mut out = format!(
            "媒体管理簿\n登録者: {}\n登録日時: {}\nボリューム: {}\nフォルダ: {}\nウイルス検査: ClamAV（{}）— {}件すべて検出なし\n",
            self.registered_by.as_str(),
            self.registered_at,
            self.volume_id.as_deref().unwrap_or("（不明）"),
            self.root.display(),
            self.database.as_ref().map_or_else(
                || "既定の定義ファイル".to_owned(),
                |d| d.display().to_string()
            ),
            self.files.len()
        );
        for f in &self.files {
            out.push_str(&format!(
                "{}\t{}バイト\tSHA-256 {}\n",
                f.relative.display(),
                f.size,
                f.sha256
            ));
        }
        out
    }
}
