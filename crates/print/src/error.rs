//! Errors of the print crate. `Display` is English for logs and never carries personal data (only record
//! positions, item names, file paths of assets and printer names); `message_ja()` is the text for staff.

use std::path::PathBuf;

use crate::items::ItemKey;

/// Everything that can stop a document from reaching paper.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    /// A font file is missing from the fonts directory.
    #[error("font file missing: {path}")]
    FontMissing {
        /// The file.
        path: PathBuf,
    },
    /// A font file exists but cannot be parsed.
    #[error("font file unreadable or not a TrueType font: {path}")]
    FontInvalid {
        /// The file.
        path: PathBuf,
    },
    /// The seal image (印影) named by the layout is missing.
    #[error("seal image missing: {path}")]
    SealMissing {
        /// The file.
        path: PathBuf,
    },
    /// The seal image cannot be decoded as PNG.
    #[error("seal image unreadable: {path}: {reason}")]
    SealInvalid {
        /// The file.
        path: PathBuf,
        /// Why (English, for the log).
        reason: String,
    },
    /// No layout file with this name.
    #[error("unknown layout {name:?} (looked in {dir})")]
    UnknownLayout {
        /// The layout's name.
        name: String,
        /// Where layouts were looked for.
        dir: PathBuf,
    },
    /// A layout file exists but is not valid.
    #[error("layout {name:?} invalid: {reason}")]
    LayoutInvalid {
        /// The layout's name.
        name: String,
        /// Why (English, for the log).
        reason: String,
    },
    /// The layout is for a different kind of document than the data given.
    #[error("layout {layout:?} is for {layout_kind}, the data is {data_kind}")]
    LayoutKindMismatch {
        /// The layout's name.
        layout: String,
        /// What the layout prints.
        layout_kind: &'static str,
        /// What the data is.
        data_kind: &'static str,
    },
    /// A record lacks an item the layout requires.
    #[error("record {record}: required item {item} is missing")]
    MissingRequiredItem {
        /// The record, 0-based in the job.
        record: usize,
        /// The item.
        item: ItemKey,
    },
    /// A record is inconsistent in itself (e.g. dates out of order).
    #[error("record {record}: {problem}")]
    InvalidRecord {
        /// The record, 0-based in the job.
        record: usize,
        /// What is wrong.
        problem: crate::render::RecordProblem,
    },
    /// A text does not fit its box even at the layout's minimum font size.
    #[error("record {record}: item {item} does not fit its box even at {min_size_pt} pt")]
    TextTooLong {
        /// The record, 0-based in the job.
        record: usize,
        /// The item.
        item: ItemKey,
        /// The smallest size tried.
        min_size_pt: f32,
    },
    /// A character has no glyph in the font (it would print as a blank box).
    #[error(
        "record {record}: item {item} has a character at position {position} the font cannot print"
    )]
    UnprintableCharacter {
        /// The record, 0-based in the job.
        record: usize,
        /// The item.
        item: ItemKey,
        /// Character position in the value.
        position: usize,
    },
    /// An item's value cannot be encoded (e.g. a QR code too long).
    #[error("record {record}: item {item} cannot be encoded: {reason}")]
    Encoding {
        /// The record, 0-based in the job.
        record: usize,
        /// The item.
        item: ItemKey,
        /// Why (English, for the log).
        reason: String,
    },
    /// A job without records.
    #[error("nothing to print: no records")]
    NoRecords,
    /// The pre-flight check found a page that must not reach the printer.
    #[error("pre-flight failed for record {record}: {problem}")]
    Preflight {
        /// The record, 0-based in the job.
        record: usize,
        /// What is wrong.
        problem: PreflightProblem,
    },
    /// The pre-flight check found the wrong number of pages.
    #[error("pre-flight failed: {pages} pages for {records} records")]
    PageCountMismatch {
        /// Pages found.
        pages: usize,
        /// Records given.
        records: usize,
    },
    /// No printer queue configured for this class of paper.
    #[error("no printer configured for {0}")]
    NoPrinterConfigured(&'static str),
    /// The print system refused or failed the job.
    #[error("printer {printer:?}: {reason}")]
    Printer {
        /// The queue.
        printer: String,
        /// Why (English, for the log).
        reason: String,
    },
    /// An external tool (lp, pdftoppm, pdftotext) is missing or failed.
    #[error("external tool {tool} failed: {reason}")]
    Tool {
        /// The tool.
        tool: &'static str,
        /// Why (English, for the log).
        reason: String,
    },
    /// A print log entry is not valid (e.g. a reprint without a reason).
    #[error("invalid print log entry: {0}")]
    InvalidLogEntry(&'static str),
    /// The print log could not be written; the job was submitted.
    #[error("print log not written: {0}")]
    LogFailed(String),
    /// The printer back end cannot do what was asked (e.g. look up jobs by title on the Windows spooler).
    #[error("the {backend} back end cannot {what}")]
    Unsupported {
        /// The back end.
        backend: &'static str,
        /// What was asked.
        what: &'static str,
    },
    /// The print configuration is not valid.
    #[error("print configuration invalid: {0}")]
    Config(String),
    /// Reading a configuration or asset file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What the pre-flight check found wrong on a page.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PreflightProblem {
    /// The seal (印影) is missing.
    #[error("the seal (印影) is not on the page")]
    SealMissing,
    /// A required item is missing.
    #[error("required item {0} is not on the page")]
    ItemMissing(ItemKey),
    /// The 見本 watermark is missing on a training page.
    #[error("the training watermark is not on the page")]
    WatermarkMissing,
    /// The QR code is missing.
    #[error("the QR code is not on the page")]
    QrMissing,
}

impl PreflightProblem {
    fn message_ja(&self) -> String {
        match self {
            Self::SealMissing => "印影が印刷されません".into(),
            Self::ItemMissing(item) => format!("必須項目「{}」が印刷されません", item.label_ja()),
            Self::WatermarkMissing => "研修用の「見本」表示がありません".into(),
            Self::QrMissing => "QRコードが印刷されません".into(),
        }
    }
}

impl PrintError {
    /// The message for counter staff (Japanese). Record numbers are 1-based for people.
    pub fn message_ja(&self) -> String {
        match self {
            Self::FontMissing { path } => {
                format!(
                    "印刷用フォントが見つかりません（{}）。システム管理者に連絡してください。",
                    path.display()
                )
            }
            Self::FontInvalid { path } => {
                format!(
                    "印刷用フォントを読み込めません（{}）。システム管理者に連絡してください。",
                    path.display()
                )
            }
            Self::SealMissing { path } => {
                format!(
                    "印影ファイルが見つかりません（{}）。印影なしでは印刷できません。",
                    path.display()
                )
            }
            Self::SealInvalid { path, .. } => {
                format!(
                    "印影ファイルを読み込めません（{}）。印影なしでは印刷できません。",
                    path.display()
                )
            }
            Self::UnknownLayout { name, .. } => {
                format!("帳票レイアウト「{name}」が登録されていません。")
            }
            Self::LayoutInvalid { name, reason } => {
                format!("帳票レイアウト「{name}」に誤りがあります：{reason}")
            }
            Self::LayoutKindMismatch { layout, .. } => {
                format!("帳票レイアウト「{layout}」はこの帳票の種類には使えません。")
            }
            Self::MissingRequiredItem { record, item } => {
                format!(
                    "{}件目：必須項目「{}」がありません。印刷を中止しました。",
                    record + 1,
                    item.label_ja()
                )
            }
            Self::InvalidRecord { record, problem } => {
                format!("{}件目：{}。印刷を中止しました。", record + 1, problem.message_ja())
            }
            Self::TextTooLong { record, item, .. } => format!(
                "{}件目：「{}」が長すぎて枠に収まりません。印刷を中止しました。",
                record + 1,
                item.label_ja()
            ),
            Self::UnprintableCharacter {
                record,
                item,
                position,
            } => format!(
                "{}件目：「{}」の{}文字目は印刷できない文字です（外字は「●」で入力してください）。印刷を中止しました。",
                record + 1,
                item.label_ja(),
                position + 1
            ),
            Self::Encoding { record, item, .. } => {
                format!(
                    "{}件目：「{}」を印字できません。印刷を中止しました。",
                    record + 1,
                    item.label_ja()
                )
            }
            Self::NoRecords => "印刷する対象がありません。".into(),
            Self::Preflight { record, problem } => {
                format!(
                    "印刷前点検で{}件目に不備：{}。印刷を中止しました。",
                    record + 1,
                    problem.message_ja()
                )
            }
            Self::PageCountMismatch { pages, records } => format!(
                "印刷前点検：対象{records}件に対しページ数が{pages}です。印刷を中止しました。"
            ),
            Self::NoPrinterConfigured(class) => {
                format!("{}用のプリンタが設定されていません。", paper_ja(class))
            }
            Self::Printer { printer, .. } => {
                format!(
                    "プリンタ「{printer}」で印刷できませんでした。プリンタの状態を確認してください。"
                )
            }
            Self::Tool { tool, .. } => format!(
                "印刷に必要なプログラム（{tool}）が動きません。システム管理者に連絡してください。"
            ),
            Self::InvalidLogEntry(what) => match *what {
                "a reprint needs a reason" => "再発行には理由の入力が必要です。".into(),
                _ => "印刷記録の内容に誤りがあります。".into(),
            },
            Self::LogFailed(_) => "印刷は送信しましたが、印刷記録を保存できませんでした。システム管理者に連絡してください。".into(),
            Self::Config(_) => "印刷の設定に誤りがあります。システム管理者に連絡してください。".into(),
            Self::Unsupported { .. } => {
                "このプリンタの接続方式では一括印刷の確認ができません。システム管理者に連絡してください。".into()
            }
            Self::Io { path, .. } => format!("ファイルを読み込めません（{}）。", path.display()),
        }
    }
}

fn paper_ja(class: &str) -> &'static str {
    match class {
        "card" => "カード・はがき",
        _ => "A4",
    }
}

impl madoguchi_domain::StaffMessage for PrintError {
    fn message_ja(&self) -> String {
        PrintError::message_ja(self)
    }
}
