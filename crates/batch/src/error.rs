//! Errors of bulk work. `Display` is English for logs: record 通し番号, item names and ids only, never
//! personal data or passwords. `message_ja()` is what staff read.

use madoguchi_domain::StaffMessage;
use madoguchi_print::PrintError;
use madoguchi_vault::VaultError;

/// Everything that stops bulk printing, listing or export.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The ledger entry is not a 承認 (approval) by the municipality.
    #[error("the ledger entry is not an approval")]
    NotApproved,
    /// The records' content hash differs from the approved one.
    #[error("content hash {actual} differs from the approved {approved}")]
    ContentChanged {
        /// The approved hash.
        approved: String,
        /// The records' hash.
        actual: String,
    },
    /// The number of records differs from the approved count.
    #[error("{actual} records, the approval counted {approved}")]
    CountMismatch {
        /// Records approved.
        approved: u32,
        /// Records given.
        actual: u32,
    },
    /// 通し番号 must run 1, 2, … without gaps.
    #[error("record numbering broken at position {position}: found seq {seq}")]
    Numbering {
        /// Position in the list, from 1.
        position: u32,
        /// The 通し番号 found there.
        seq: u32,
    },
    /// A record's payload does not belong to the distribution's kind.
    #[error("record seq {seq} does not fit a {kind} distribution")]
    WrongPayload {
        /// The record.
        seq: u32,
        /// The distribution's kind.
        kind: &'static str,
    },
    /// Printing asked of a file distribution, or export of a printed one.
    #[error("a {kind} distribution cannot be {what}")]
    WrongKind {
        /// The distribution's kind.
        kind: &'static str,
        /// What was asked (printed, exported).
        what: &'static str,
    },
    /// A record to be mailed has no address.
    #[error("record seq {seq} has no mailing address")]
    NoAddress {
        /// The record.
        seq: u32,
    },
    /// A page failed rendering or the pre-flight check; nothing of its chunk was spooled.
    #[error("record seq {seq}: {source}")]
    Page {
        /// The record.
        seq: u32,
        /// Why.
        source: PrintError,
    },
    /// The print system failed (the chunk stays "intended" and is checked on resume).
    #[error("printing failed: {0}")]
    Printer(PrintError),
    /// The vault failed.
    #[error("vault: {0}")]
    Vault(#[from] VaultError),
    /// The stored job is for another content (the distribution was regenerated and approved again).
    #[error("the stored job is for content {stored}, not {given}")]
    JobForOtherContent {
        /// The content hash of the stored job.
        stored: String,
        /// The content hash given.
        given: String,
    },
    /// No job has been started for this distribution.
    #[error("no print job for this distribution")]
    NoJob,
    /// A reprint range outside the distribution or not yet printed.
    #[error("reprint range {first}–{last} is not a printed range of 1–{printed}")]
    ReprintRange {
        /// First 通し番号 asked.
        first: u32,
        /// Last 通し番号 asked.
        last: u32,
        /// Records printed so far.
        printed: u32,
    },
    /// Invalid settings (chunk size).
    #[error("invalid settings: {0}")]
    Settings(&'static str),
    /// The export password does not meet the rules.
    #[error("export password rejected: {0}")]
    WeakPassword(&'static str),
    /// Encryption failed.
    #[error("encryption failed: {0}")]
    Encrypt(String),
    /// Another run or reprint of the same printer is in progress in this process.
    #[error("a bulk print run is already in progress")]
    Busy,
}

impl From<PrintError> for BatchError {
    fn from(e: PrintError) -> Self {
        BatchError::Printer(e)
    }
}

impl BatchError {
    /// The text for staff.
    pub fn message_ja(&self) -> String {
        match self {
            Self::NotApproved => "この配信は承認されていません。監督者の承認後に操作してください。".into(),
            Self::ContentChanged { .. } => "配信の内容が承認された内容と一致しません（改ざんまたは再作成）。印刷・出力できません。改めて承認を受けてください。".into(),
            Self::CountMismatch { approved, actual } => format!(
                "配信の件数（{actual}件）が承認された件数（{approved}件）と一致しません。印刷・出力できません。"
            ),
            Self::Numbering { seq, .. } => format!(
                "配信の通し番号が連続していません（{seq}番）。印刷・出力できません。"
            ),
            Self::WrongPayload { seq, .. } => format!(
                "通し番号{seq}番の内容がこの配信の種類と一致しません。印刷・出力できません。"
            ),
            Self::WrongKind { what, .. } => match *what {
                "printed" => "この配信はファイル配信のため印刷できません。".into(),
                "exported" => "この配信は印刷用のため電子媒体には出力できません。".into(),
                _ => "この配信の種類ではこの操作はできません。".into(),
            },
            Self::NoAddress { seq } => format!(
                "通し番号{seq}番に送付先（宛名）がありません。宛名一覧を作成できません。"
            ),
            Self::Page { seq, source } => format!(
                "通し番号{seq}番のページで印刷を止めました（この束は印刷していません）：{}",
                source.message_ja()
            ),
            Self::Printer(e) => format!(
                "{} 再開すると、送信済みかどうかを確認してから続きを印刷します。",
                e.message_ja()
            ),
            Self::Vault(e) => e.message_ja(),
            Self::JobForOtherContent { .. } => "保存されている印刷の進行状況は別の内容（以前の承認）のものです。システム管理者に連絡してください。".into(),
            Self::NoJob => "この配信の一括印刷はまだ開始されていません。".into(),
            Self::ReprintRange { first, last, printed } => format!(
                "再印刷の範囲（{first}〜{last}番）が印刷済みの範囲（1〜{printed}番）を外れています。"
            ),
            Self::Settings(_) => "一括印刷の設定に誤りがあります（1束の件数は1〜1000件）。".into(),
            Self::WeakPassword(_) => format!(
                "パスワードは{}文字以上で、同じ文字の繰り返しではないものにしてください。",
                crate::export::MIN_PASSWORD_CHARS
            ),
            Self::Encrypt(_) => "ファイルの暗号化に失敗しました。システム管理者に連絡してください。".into(),
            Self::Busy => "一括印刷が実行中です。終わるか一時停止してから操作してください。".into(),
        }
    }
}

impl StaffMessage for BatchError {
    fn message_ja(&self) -> String {
        BatchError::message_ja(self)
    }
}
