//! Why a medium or a file on it was refused: Japanese for the clerk (naming the file), English for logs.

use std::path::PathBuf;

use madoguchi_domain::StaffMessage;

use crate::scan::ScannerError;

/// One file the scanner refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A signature matched.
    Infected {
        /// Path inside the medium.
        file: PathBuf,
        /// Signature name.
        signature: String,
    },
    /// Not scanned.
    Unscannable {
        /// Path inside the medium.
        file: PathBuf,
        /// The scanner's reason (English).
        why: String,
    },
}

impl Refusal {
    /// 「juki.dat: ウイルス（Eicar）を検出しました」.
    pub fn message_ja(&self) -> String {
        match self {
            Refusal::Infected { file, signature } => format!(
                "{}: ウイルス等（{signature}）を検出しました。",
                file.display()
            ),
            Refusal::Unscannable { file, .. } => format!(
                "{}: ウイルス検査ができませんでした（読み取れない、大きすぎる、または圧縮が深すぎるファイルです）。",
                file.display()
            ),
        }
    }
}

/// Why a medium was not registered or a file not opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The folder or a file could not be read.
    #[error("cannot read {file}")]
    Io {
        /// The path (inside the medium when known).
        file: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A symbolic link points outside the medium folder.
    #[error("symbolic link {file} points outside the medium folder")]
    SymlinkOutside {
        /// The link.
        file: PathBuf,
    },
    /// A device, socket or pipe on the medium.
    #[error("{file} is not a regular file")]
    NotAFile {
        /// The entry.
        file: PathBuf,
    },
    /// Larger than the configured limit.
    #[error("{file} is {size} bytes, above the limit of {max}")]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// No file on the medium.
    #[error("the medium folder has no files")]
    NoFiles,
    /// The scanner could not run.
    #[error("virus scanner unavailable")]
    Scanner(#[from] ScannerError),
    /// Infected or unscannable files.
    #[error("medium refused by the virus scan: {} file(s)", .0.len())]
    Refused(Vec<Refusal>),
    /// A file changed after it was listed or scanned (replaced, rewritten).
    #[error("{file} changed after it was scanned")]
    Changed {
        /// The file.
        file: PathBuf,
    },
    /// Not a file of this medium's entry.
    #[error("{file} is not registered for this medium")]
    NotRegistered {
        /// The file.
        file: PathBuf,
    },
}

impl MediaError {
    /// Stable English code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Io { .. } => "io",
            MediaError::SymlinkOutside { .. } => "symlink_outside",
            MediaError::NotAFile { .. } => "not_a_file",
            MediaError::TooLarge { .. } => "too_large",
            MediaError::NoFiles => "no_files",
            MediaError::Scanner(_) => "scanner_unavailable",
            MediaError::Refused(r) if r.iter().any(|r| matches!(r, Refusal::Infected { .. })) => {
                "infected"
            }
            MediaError::Refused(_) => "unscannable",
            MediaError::Changed { .. } => "changed_after_scan",
            MediaError::NotRegistered { .. } => "not_registered",
        }
    }
}

impl StaffMessage for MediaError {
    fn message_ja(&self) -> String {
        match self {
            MediaError::Io { file, .. } => format!(
                "{}を読み取れませんでした。媒体の接続を確認してください。",
                file.display()
            ),
            MediaError::SymlinkOutside { file } => format!(
                "{}は媒体の外を指すリンクです。この媒体は取り込めません。",
                file.display()
            ),
            MediaError::NotAFile { file } => format!(
                "{}は通常のファイルではありません。この媒体は取り込めません。",
                file.display()
            ),
            MediaError::TooLarge { file, size, max } => format!(
                "{}は{}MBで、上限の{}MBを超えています。この媒体は取り込めません。",
                file.display(),
                size / 1_000_000,
                max / 1_000_000
            ),
            MediaError::NoFiles => "媒体にファイルがありません。".into(),
            MediaError::Scanner(_) => "ウイルス検査（ClamAV）を実行できませんでした。検査ができないため、この媒体は取り込めません。情報システム担当に連絡してください。".into(),
            MediaError::Refused(list) => {
                let mut s = String::from("この媒体は取り込めません。媒体を端末から外し、情報システム担当に連絡してください。\n");
                for r in list {
                    s.push_str(&r.message_ja());
                    s.push('\n');
                }
                s
            }
            MediaError::Changed { file } => format!(
                "{}はウイルス検査の後で変更または置き換えられました。媒体を登録し直してください。",
                file.display()
            ),
            MediaError::NotRegistered { file } => format!(
                "{}はこの媒体の登録にありません。媒体を登録し直してください。",
                file.display()
            ),
        }
    }
}
