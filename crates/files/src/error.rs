//! What can be wrong with a file or one of its rows: a Japanese message for the clerk, a stable English code
//! for logs, and never the value that was in the file.

use madoguchi_domain::StaffMessage;
use madoguchi_domain::ids::IdError;
use madoguchi_domain::wareki::WarekiError;

/// Which encoding a wrong-encoding row or file looks like instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LooksLike {
    /// Valid UTF-8 with non-ASCII characters.
    Utf8,
    /// Valid CP932.
    Cp932,
    /// UTF-16 (a UTF-16 byte order mark).
    Utf16,
    /// Neither.
    Unknown,
}

impl LooksLike {
    fn ja(self) -> &'static str {
        match self {
            LooksLike::Utf8 => "UTF-8で書かれているようです。",
            LooksLike::Cp932 => "Shift_JIS（CP932）で書かれているようです。",
            LooksLike::Utf16 => "UTF-16で書かれているようです。",
            LooksLike::Unknown => "",
        }
    }
}

/// Why a whole file cannot be read (as opposed to one row). Rows read before a late file error (a missing
/// trailer) were already delivered: nothing valid is lost, but the file is incomplete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Reading failed.
    #[error("cannot read the file")]
    Io(#[source] std::io::Error),
    /// 0 bytes.
    #[error("the file is empty")]
    Empty,
    /// A byte order mark the encoding does not allow.
    #[error("the file starts with a byte order mark ({found:?}), not allowed for this layout")]
    Bom {
        /// What the mark says the file is.
        found: LooksLike,
    },
    /// The first record is not a header record of our format.
    #[error("the first record is not a header record")]
    NoHeader,
    /// A header field is malformed (layout id, version, 市区町村コード, 作成日 or the record's length).
    #[error("the header record's {field} is malformed")]
    HeaderField {
        /// Which part.
        field: &'static str,
    },
    /// The header names a layout id this terminal does not know.
    #[error("layout {id} is unknown")]
    UnknownLayout {
        /// Layout id chosen or found (ASCII, checked).
        id: String,
    },
    /// The header names another layout than the one chosen.
    #[error("the header names layout {found}, expected {expected}")]
    WrongLayout {
        /// Layout chosen by the clerk.
        expected: String,
        /// Layout id in the header (ASCII, checked).
        found: String,
    },
    /// A layout version this terminal does not have.
    #[error("layout {id} version {version} is unknown (known: {known:?})")]
    UnknownVersion {
        /// Layout id.
        id: String,
        /// Version in the header.
        version: u16,
        /// Versions known.
        known: Vec<u16>,
    },
    /// The header's line ending differs from the layout's.
    #[error("line ending is {found}, the layout requires {expected}")]
    LineEnding {
        /// Required.
        expected: &'static str,
        /// Found.
        found: &'static str,
    },
    /// The header record is not in the layout's encoding.
    #[error("the header record is not in the layout's encoding ({looks:?})")]
    Encoding {
        /// What it looks like.
        looks: LooksLike,
    },
    /// The last record ends before its length without a line ending: the copy was cut.
    #[error("the last record (line {line}) is cut short")]
    Truncated {
        /// Line of the cut record.
        line: u64,
    },
    /// End of file without a trailer record.
    #[error("no trailer record at the end of the file (after line {last_line})")]
    MissingTrailer {
        /// Last line read.
        last_line: u64,
    },
    /// The trailer's record count differs from the data records read.
    #[error("the trailer says {declared} data records, the file has {counted}")]
    TrailerCount {
        /// In the trailer.
        declared: u64,
        /// Counted.
        counted: u64,
    },
    /// Records after the trailer.
    #[error("records after the trailer record (line {line})")]
    AfterTrailer {
        /// First line after the trailer.
        line: u64,
    },
}

impl FileError {
    /// Stable English code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Io(_) => "io",
            FileError::Empty => "empty_file",
            FileError::Bom { .. } => "bom",
            FileError::NoHeader => "no_header",
            FileError::HeaderField { .. } => "header_field",
            FileError::UnknownLayout { .. } => "unknown_layout",
            FileError::WrongLayout { .. } => "wrong_layout",
            FileError::UnknownVersion { .. } => "unknown_layout_version",
            FileError::LineEnding { .. } => "line_ending",
            FileError::Encoding { .. } => "wrong_encoding",
            FileError::Truncated { .. } => "truncated_record",
            FileError::MissingTrailer { .. } => "missing_trailer",
            FileError::TrailerCount { .. } => "trailer_count",
            FileError::AfterTrailer { .. } => "after_trailer",
        }
    }
}

impl StaffMessage for FileError {
    fn message_ja(&self) -> String {
        match self {
            FileError::Io(_) => "ファイルを読み取れませんでした。媒体の接続を確認してください。".into(),
            FileError::Empty => "ファイルが空です（0バイト）。市区町村システムから出力し直してください。".into(),
            FileError::Bom { found } => format!(
                "ファイルの先頭にBOM（バイト順マーク）があります。{}このレイアウトはBOMなしで出力してください。",
                found.ja()
            ),
            FileError::NoHeader => "1行目がヘッダレコード（H）ではありません。レイアウトと出力ファイルを確認してください。".into(),
            FileError::HeaderField { field } => format!(
                "ヘッダレコードの{}が正しくありません。市区町村システムの出力を確認してください。",
                header_field_ja(field)
            ),
            FileError::UnknownLayout { id } => format!(
                "レイアウト「{id}」はこの端末にありません。レイアウト名を確認してください。"
            ),
            FileError::WrongLayout { expected, found } => format!(
                "ヘッダレコードのレイアウトは「{found}」で、選んだ「{expected}」と違います。ファイルの種類を確認してください。"
            ),
            FileError::UnknownVersion { id, version, known } => {
                let known: Vec<String> = known.iter().map(u16::to_string).collect();
                format!(
                    "レイアウト「{id}」の版{version}はこの端末にありません（使える版: {}）。広域連合にレイアウトの配布を依頼してください。",
                    if known.is_empty() { "なし".to_owned() } else { known.join("・") }
                )
            }
            FileError::LineEnding { expected, found } => format!(
                "改行コードが{found}です。このレイアウトは{expected}です。市区町村システムの出力設定を確認してください。"
            ),
            FileError::Encoding { looks } => format!(
                "文字コードがレイアウトの指定と違います。{}出力の文字コード設定を確認してください。",
                looks.ja()
            ),
            FileError::Truncated { line } => format!(
                "{line}行目（最後のレコード）が途中で切れています。コピーが中断された可能性があります。媒体へ出力し直してください。"
            ),
            FileError::MissingTrailer { last_line } => format!(
                "最後のトレーラレコード（T）がありません（{last_line}行目まで読みました）。ファイルが途中で切れている可能性があります。"
            ),
            FileError::TrailerCount { declared, counted } => format!(
                "トレーラレコードの件数（{declared}件）と実際のデータ件数（{counted}件）が違います。ファイルが欠けている可能性があります。"
            ),
            FileError::AfterTrailer { line } => {
                format!("トレーラレコードの後（{line}行目）にもレコードがあります。ファイルを確認してください。")
            }
        }
    }
}

fn header_field_ja(field: &str) -> &'static str {
    match field {
        "layout" => "レイアウト名",
        "version" => "版",
        "municipality" => "市区町村コード",
        "created" => "作成日",
        "length" => "レコード長",
        _ => "項目",
    }
}

/// What is wrong with one row or one field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowErrorKind {
    /// Fixed-length record of the wrong length (bytes, without the line ending).
    WrongLength {
        /// Layout's.
        expected: usize,
        /// Found.
        found: usize,
    },
    /// CSV row with the wrong number of columns.
    WrongColumns {
        /// Layout's.
        expected: usize,
        /// Found.
        found: usize,
    },
    /// Not in the layout's encoding.
    Encoding(LooksLike),
    /// This line's ending differs from the file's.
    LineEnding {
        /// Required.
        expected: &'static str,
    },
    /// The first column / byte is not D, H or T.
    UnknownRecordKind,
    /// A second header record.
    ExtraHeader,
    /// A double-byte character crosses the field's boundary.
    SplitCharacter,
    /// A required field is blank.
    Required,
    /// Not digits.
    NotDigits,
    /// An identifier whose check digit or length is wrong (個人番号, 市区町村コード, 保険者番号…).
    Identifier(IdError),
    /// Not katakana.
    NotKana,
    /// Control characters in text.
    ControlCharacter,
    /// A date that does not exist or is malformed.
    Date(WarekiError),
    /// Not an integer amount of yen.
    NotAmount,
    /// Not one of the layout's codes.
    UnknownCode,
    /// A reserved area that is not blank.
    FillerNotBlank,
    /// Same bytes as an earlier row.
    DuplicateRow {
        /// The earlier row.
        first_line: u64,
    },
    /// Same key as an earlier row, other content.
    DuplicateKey {
        /// The earlier row.
        first_line: u64,
    },
}

/// One finding of the 確認リスト: line, field and why. Never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line in the file (1-based).
    pub line: u64,
    /// English name of the field, when the finding is about one field.
    pub field: Option<String>,
    /// 項目名.
    pub field_label: Option<String>,
    /// What is wrong.
    pub kind: RowErrorKind,
}

impl RowError {
    /// Stable English code for logs.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            RowErrorKind::WrongLength { .. } => "wrong_record_length",
            RowErrorKind::WrongColumns { .. } => "wrong_column_count",
            RowErrorKind::Encoding(_) => "wrong_encoding",
            RowErrorKind::LineEnding { .. } => "line_ending",
            RowErrorKind::UnknownRecordKind => "unknown_record_kind",
            RowErrorKind::ExtraHeader => "extra_header",
            RowErrorKind::SplitCharacter => "split_character",
            RowErrorKind::Required => "required",
            RowErrorKind::NotDigits => "not_digits",
            RowErrorKind::Identifier(_) => "invalid_identifier",
            RowErrorKind::NotKana => "not_kana",
            RowErrorKind::ControlCharacter => "control_character",
            RowErrorKind::Date(_) => "invalid_date",
            RowErrorKind::NotAmount => "not_amount",
            RowErrorKind::UnknownCode => "unknown_code",
            RowErrorKind::FillerNotBlank => "filler_not_blank",
            RowErrorKind::DuplicateRow { .. } => "duplicate_row",
            RowErrorKind::DuplicateKey { .. } => "duplicate_key",
        }
    }

    /// Why, in Japanese, without the line and field (the 確認リスト has columns for them).
    pub fn reason_ja(&self) -> String {
        match &self.kind {
            RowErrorKind::WrongLength { expected, found } => {
                format!("レコード長が{found}バイトです（正しくは{expected}バイト）。")
            }
            RowErrorKind::WrongColumns { expected, found } => {
                format!("項目数が{found}個です（正しくは{expected}個）。")
            }
            RowErrorKind::Encoding(looks) => {
                format!("文字コードがレイアウトの指定と違います。{}", looks.ja())
            }
            RowErrorKind::LineEnding { expected } => {
                format!("この行だけ改行コードが違います（正しくは{expected}）。")
            }
            RowErrorKind::UnknownRecordKind => {
                "レコード区分がD（データ）・T（トレーラ）のどれでもありません。".into()
            }
            RowErrorKind::ExtraHeader => "ヘッダレコードが2つ目です。".into(),
            RowErrorKind::SplitCharacter => {
                "全角文字が項目の境目で分かれています（桁がずれています）。".into()
            }
            RowErrorKind::Required => "必須の項目が空です。".into(),
            RowErrorKind::NotDigits => "数字以外が含まれています。".into(),
            RowErrorKind::Identifier(e) => e.message_ja(),
            RowErrorKind::NotKana => "カナ以外の文字が含まれています。".into(),
            RowErrorKind::ControlCharacter => "制御文字が含まれています。".into(),
            RowErrorKind::Date(e) => format!("日付が正しくありません。{}", e.message_ja()),
            RowErrorKind::NotAmount => "金額は円単位の整数で書いてください。".into(),
            RowErrorKind::UnknownCode => "レイアウトにないコードです。".into(),
            RowErrorKind::FillerNotBlank => "予備の領域が空白ではありません。".into(),
            RowErrorKind::DuplicateRow { first_line } => {
                format!("{first_line}行目と同じ内容の重複行です。")
            }
            RowErrorKind::DuplicateKey { first_line } => {
                format!("{first_line}行目と同じ人・同じ異動の行が2つあります（内容が違います）。")
            }
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(field) = &self.field {
            write!(f, " field {field}")?;
        }
        write!(f, ": {}", self.code())
    }
}

impl StaffMessage for RowError {
    fn message_ja(&self) -> String {
        match &self.field_label {
            Some(label) => format!("{}行目「{label}」: {}", self.line, self.reason_ja()),
            None => format!("{}行目: {}", self.line, self.reason_ja()),
        }
    }
}
