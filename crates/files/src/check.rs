//! 確認リスト: the result of checking one file against its layout — counts, every row-level finding
//! (line, field, why), the 文字同定 requests, and the file-level problem if any — in Japanese for the clerk.

use std::fmt::Write as _;
use std::io::BufRead;

use madoguchi_domain::StaffMessage;

use crate::error::{FileError, RowError};
use crate::gaiji::GaijiRequest;
use crate::layout::LayoutSet;
use crate::reader::{FileReader, ReadOptions, Row};
use crate::value::Record;

/// The outcome of checking a file.
#[derive(Debug)]
pub struct CheckList {
    /// Layout id.
    pub layout_id: String,
    /// 「住基情報」.
    pub layout_title: String,
    /// Layout version.
    pub version: u16,
    /// 市区町村コード of the header.
    pub municipality: String,
    /// Data records read.
    pub rows: u64,
    /// Valid records (including those waiting for 文字同定).
    pub valid: u64,
    /// Valid records with at least one open 文字同定 request.
    pub awaiting_identification: u64,
    /// Every row-level finding, in file order.
    pub errors: Vec<RowError>,
    /// Every 文字同定 request, in file order.
    pub gaiji: Vec<GaijiRequest>,
    /// A problem with the file as a whole found after its rows (cut copy, trailer count).
    pub file_error: Option<FileError>,
    /// A UTF-8 byte order mark was skipped.
    pub bom_skipped: bool,
}

impl CheckList {
    /// Nothing wrong: every row valid and the file complete (open 文字同定 requests allowed: those records
    /// are held back until resolved).
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.file_error.is_none()
    }

    /// The printable 確認リスト, in Japanese. Contains lines, field names, reasons and codes: no values.
    pub fn render_ja(&self, file_name: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "確認リスト　{}（{}　版{}）",
            self.layout_title, self.layout_id, self.version
        );
        let _ = writeln!(out, "ファイル: {file_name}");
        let _ = writeln!(out, "市区町村コード: {}", self.municipality);
        let invalid = self.rows.saturating_sub(self.valid);
        let _ = writeln!(
            out,
            "データ件数: {}件（正常 {}件、エラー {}件、文字同定待ち {}件）",
            self.rows, self.valid, invalid, self.awaiting_identification
        );
        if self.bom_skipped {
            let _ = writeln!(out, "注意: 先頭のBOM（バイト順マーク）を読み飛ばしました。");
        }
        match &self.file_error {
            Some(e) => {
                let _ = writeln!(out, "ファイル全体の問題: {}", e.message_ja());
            }
            None if self.errors.is_empty() => {
                let _ = writeln!(out, "判定: エラーはありません。");
            }
            None => {
                let _ = writeln!(
                    out,
                    "判定: エラーのある行があります。元データを直して取り込み直すか、正常な行だけをエラー一覧付きで送信してください。"
                );
            }
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nエラー一覧（行・項目・理由）");
            for e in &self.errors {
                let _ = writeln!(
                    out,
                    "{}行目\t{}\t{}\t[{}]",
                    e.line,
                    e.field_label.as_deref().unwrap_or("（行全体）"),
                    e.reason_ja(),
                    e.code()
                );
            }
        }
        if !self.gaiji.is_empty() {
            let _ = writeln!(
                out,
                "\n文字同定依頼（外字は「●」で取り込みました。推測はしていません）"
            );
            for g in &self.gaiji {
                let _ = writeln!(
                    out,
                    "{}行目\t{}\t{}文字目\t{}",
                    g.line,
                    g.field_label,
                    g.offset + 1,
                    g.code.hex()
                );
            }
        }
        out
    }
}

/// Reads a whole file through the layout, handing each valid record to `on_valid` as it is read (streaming:
/// the file is never held in memory) and collecting the 確認リスト. Fails only when the file cannot be read
/// at all (see [`FileReader::open`]); a later file-level problem is in [`CheckList::file_error`].
pub fn check<R: BufRead>(
    layouts: &LayoutSet,
    layout_id: &str,
    input: R,
    opts: ReadOptions<'_>,
    mut on_valid: impl FnMut(Record),
) -> Result<CheckList, FileError> {
    let mut reader = FileReader::open(layouts, layout_id, input, opts)?;
    let layout = reader.layout().clone();
    let mut list = CheckList {
        layout_id: layout.id.clone(),
        layout_title: layout.title.clone(),
        version: layout.version,
        municipality: reader.header().municipality.as_str().to_owned(),
        rows: 0,
        valid: 0,
        awaiting_identification: 0,
        errors: Vec::new(),
        gaiji: Vec::new(),
        file_error: None,
        bom_skipped: reader.bom_skipped(),
    };
    for item in reader.by_ref() {
        match item {
            Ok(Row::Valid(record)) => {
                list.valid += 1;
                if record.awaits_identification() {
                    list.awaiting_identification += 1;
                    list.gaiji.extend(record.gaiji.iter().cloned());
                }
                on_valid(record);
            }
            Ok(Row::Invalid(row)) => list.errors.extend(row.errors),
            Err(e) => list.file_error = Some(e),
        }
    }
    list.rows = reader.data_rows();
    Ok(list)
}
