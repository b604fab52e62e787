//! File layouts as data (ファイルレイアウト): one TOML file per layout and version under `assets/files/`.
//!
//! A layout names each field of a data record with its place (byte position and length in a fixed-length
//! CP932 record, or column in a UTF-8 CSV row), its type and whether it is required. The header and trailer
//! records are the same for every layout (see the crate README), so a file says which layout and version it
//! claims to be and how many data records it holds.
//!
//! The official 標準システム layouts are not public (domain-anchors §1.2: only the specification's table of
//! contents is visible), so these layouts are Madoguchi's own, versioned: a change of a field makes a new
//! version file, and the old one stays so files already on media can still be read.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

/// Which way a file travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 上り: 市区町村システム → 窓口端末 → 広域連合 (住基情報, 所得・課税情報, 収納情報…).
    Up,
    /// 下り: 広域連合 → 窓口端末 → 市区町村システム (被保険者情報, 保険料情報…).
    Down,
}

impl Direction {
    /// 「上り（市区町村→広域連合）」.
    pub fn label_ja(self) -> &'static str {
        match self {
            Direction::Up => "上り（市区町村→広域連合）",
            Direction::Down => "下り（広域連合→市区町村）",
        }
    }
}

/// How the records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileEncoding {
    /// 固定長: one record per line, every record `record_length` bytes of CP932 (Shift_JIS with the
    /// Microsoft extensions, as `encoding_rs::SHIFT_JIS` decodes it).
    Cp932Fixed,
    /// UTF-8 CSV (RFC 4180 quoting), one record per row.
    Utf8Csv,
}

impl FileEncoding {
    /// 「固定長（CP932）」.
    pub fn label_ja(self) -> &'static str {
        match self {
            FileEncoding::Cp932Fixed => "固定長（CP932）",
            FileEncoding::Utf8Csv => "CSV（UTF-8）",
        }
    }
}

/// The line ending a layout requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    /// CR LF (Windows-based municipal systems; the default).
    #[default]
    Crlf,
    /// LF only.
    Lf,
}

impl LineEnding {
    /// 「CRLF」 / 「LF」.
    pub fn label(self) -> &'static str {
        match self {
            LineEnding::Crlf => "CRLF",
            LineEnding::Lf => "LF",
        }
    }
}

/// How a date field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    /// 和暦: in fixed-length files the 7-digit era-coded form 「5070401」 (1 明治 … 5 令和); in CSV any form
    /// `madoguchi_domain::wareki::parse_wareki` accepts.
    Wareki,
    /// 西暦: 「20250401」 in fixed-length files; also 「2025-04-01」 in CSV.
    Seireki,
}

/// A check-digit rule of a digits field, applied with the domain's parsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdCheck {
    /// 個人番号 (12 digits, check digit).
    MyNumber,
    /// 地方公共団体コード (6 digits, check digit).
    MunicipalityCode,
    /// 保険者番号 (6 or 8 digits, check digit).
    InsurerNumber,
    /// 被保険者番号 (8 digits).
    InsuredNumber,
}

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// 数字: ASCII digits only, leading zeros kept (番号 such as 宛名番号, 世帯番号, 個人番号); with a
    /// check-digit rule for the identifiers that have one (`check = "my_number"`).
    Digits(Option<IdCheck>),
    /// 日付 (和暦 or 西暦), checked against the calendar and the era boundaries.
    Date(DateStyle),
    /// カナ: katakana (full- or half-width), long vowel mark and spaces.
    Kana,
    /// 漢字等: free text (氏名, 住所); 外字 become 「●」 with a 文字同定 request.
    Kanji,
    /// 金額: integer yen, optional leading minus; never fractional.
    Amount,
    /// コード: one of the listed values.
    Code(BTreeMap<String, String>),
    /// 予備: reserved space, must be blank.
    Filler,
}

impl FieldKind {
    /// Short Japanese name for the documentation table.
    pub fn label_ja(&self) -> String {
        match self {
            FieldKind::Digits(None) => "数字".into(),
            FieldKind::Digits(Some(_)) => "数字（検査数字）".into(),
            FieldKind::Date(DateStyle::Wareki) => "日付（和暦）".into(),
            FieldKind::Date(DateStyle::Seireki) => "日付（西暦）".into(),
            FieldKind::Kana => "カナ".into(),
            FieldKind::Kanji => "漢字等".into(),
            FieldKind::Amount => "金額（円）".into(),
            FieldKind::Code(_) => "コード".into(),
            FieldKind::Filler => "予備".into(),
        }
    }

    /// Whether the field holds text in which 外字 can occur.
    pub fn is_text(&self) -> bool {
        matches!(self, FieldKind::Kana | FieldKind::Kanji)
    }
}

/// Where a field is in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Fixed-length: 1-based byte position and length in bytes.
    Fixed {
        /// First byte, counting the record kind byte as 1.
        position: usize,
        /// Bytes.
        length: usize,
    },
    /// CSV: 1-based column, counting the record kind column as 1.
    Column(usize),
}

/// One field of a data record (項目).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Stable English name (`addressee_number`), used by code and in logs.
    pub name: String,
    /// 項目名 (「宛名番号」), shown to staff.
    pub label: String,
    /// Type.
    pub kind: FieldKind,
    /// Place in the record.
    pub place: Place,
    /// 必須.
    pub required: bool,
    /// A remark for the documentation table.
    pub note: String,
}

/// One layout, one version (ファイルレイアウト).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Identifier written in the header record (`juki`), at most [`LAYOUT_ID_MAX`] ASCII characters.
    pub id: String,
    /// 「住基情報」.
    pub title: String,
    /// Version written in the header record (1–999).
    pub version: u16,
    /// Up or down.
    pub direction: Direction,
    /// Fixed-length CP932 or UTF-8 CSV.
    pub encoding: FileEncoding,
    /// Bytes per record, without the line ending (fixed-length only).
    pub record_length: Option<usize>,
    /// Required line ending.
    pub line_ending: LineEnding,
    /// 「日次」, 「月次」: how often the file is exchanged (documentation).
    pub frequency: String,
    /// Why the file exists and where that comes from (documentation).
    pub description: String,
    /// Fields, in record order.
    pub fields: Vec<Field>,
    /// Indexes into `fields` of the key: two data records with the same key are duplicates.
    pub key: Vec<usize>,
}

/// Longest layout id: the header record has 8 bytes for it.
pub const LAYOUT_ID_MAX: usize = 8;

/// Shortest fixed-length record: the header record needs 26 bytes (see the README).
pub const FIXED_MIN_LENGTH: usize = 26;

/// Why a layout file was refused (a configuration error, for the administrator).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// The file could not be read.
    #[error("cannot read layout file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML or not the expected keys.
    #[error("layout {origin} is not valid TOML for a layout")]
    Toml {
        /// File or built-in name.
        origin: String,
        /// Cause.
        #[source]
        source: toml::de::Error,
    },
    /// Parsed but inconsistent.
    #[error("layout {origin}: {why}")]
    Invalid {
        /// File or built-in name.
        origin: String,
        /// What is wrong (English, for the administrator).
        why: String,
    },
    /// Two files define the same id and version.
    #[error("layout {id} version {version} is defined twice")]
    Duplicate {
        /// Layout id.
        id: String,
        /// Version.
        version: u16,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    id: String,
    title: String,
    version: u16,
    direction: Direction,
    encoding: FileEncoding,
    record_length: Option<usize>,
    #[serde(default)]
    line_ending: LineEnding,
    frequency: String,
    description: String,
    #[serde(default)]
    key: Vec<String>,
    field: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: String,
    date: Option<DateStyle>,
    codes: Option<BTreeMap<String, String>>,
    check: Option<IdCheck>,
    position: Option<usize>,
    length: Option<usize>,
    column: Option<usize>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    note: String,
}

impl Layout {
    /// Parses and checks a layout: fields inside the record, not overlapping, covering it whole (fixed), a
    /// column each (CSV), key fields that exist. `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Layout, LayoutError> {
        let raw: RawLayout = toml::from_str(text).map_err(|source| LayoutError::Toml {
            origin: origin.to_owned(),
            source,
        })?;
        let invalid = |why: String| LayoutError::Invalid {
            origin: origin.to_owned(),
            why,
        };
        if raw.id.is_empty()
            || raw.id.len() > LAYOUT_ID_MAX
            || !raw.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            return Err(invalid(format!(
                "id must be 1-{LAYOUT_ID_MAX} lowercase ASCII letters or '_'"
            )));
        }
        if !(1..=999).contains(&raw.version) {
            return Err(invalid("version must be 1-999".into()));
        }
        let mut fields = Vec::with_capacity(raw.field.len());
        for f in raw.field {
            fields.push(field(f, raw.encoding).map_err(invalid)?);
        }
        match raw.encoding {
            FileEncoding::Cp932Fixed => {
                let len = raw
                    .record_length
                    .ok_or_else(|| invalid("fixed-length layout needs record_length".into()))?;
                if len < FIXED_MIN_LENGTH {
                    return Err(invalid(format!(
                        "record_length must be at least {FIXED_MIN_LENGTH}"
                    )));
                }
                check_tiling(&fields, len).map_err(invalid)?;
            }
            FileEncoding::Utf8Csv => {
                if raw.record_length.is_some() {
                    return Err(invalid("CSV layout has no record_length".into()));
                }
                check_columns(&fields).map_err(invalid)?;
            }
        }
        let mut names = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            if names.insert(f.name.clone(), i).is_some() {
                return Err(invalid(format!("field {} is defined twice", f.name)));
            }
        }
        let key = raw
            .key
            .iter()
            .map(|k| {
                names
                    .get(k)
                    .copied()
                    .ok_or_else(|| invalid(format!("key field {k} does not exist")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Layout {
            id: raw.id,
            title: raw.title,
            version: raw.version,
            direction: raw.direction,
            encoding: raw.encoding,
            record_length: raw.record_length,
            line_ending: raw.line_ending,
            frequency: raw.frequency,
            description: raw.description,
            fields,
            key,
        })
    }

    /// The index of a field by its English name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Number of CSV columns (record kind included).
    pub fn columns(&self) -> usize {
        self.fields
            .iter()
            .filter_map(|f| match f.place {
                Place::Column(c) => Some(c),
                Place::Fixed { .. } => None,
            })
            .max()
            .unwrap_or(1)
    }
}

fn field(f: RawField, encoding: FileEncoding) -> Result<Field, String> {
    let name = f.name;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
    {
        return Err(format!("field name {name:?} must be lowercase ASCII"));
    }
    let kind =
        match f.kind.as_str() {
            "digits" => FieldKind::Digits(f.check),
            "date" => FieldKind::Date(f.date.ok_or_else(|| {
                format!("field {name}: date needs date = \"wareki\" or \"seireki\"")
            })?),
            "kana" => FieldKind::Kana,
            "kanji" => FieldKind::Kanji,
            "amount" => FieldKind::Amount,
            "code" => {
                let codes = f.codes.unwrap_or_default();
                if codes.is_empty() {
                    return Err(format!("field {name}: code needs codes"));
                }
                FieldKind::Code(codes)
            }
            "filler" => FieldKind::Filler,
            other => return Err(format!("field {name}: unknown type {other}")),
        };
    let place = match (encoding, f.position, f.length, f.column) {
        (FileEncoding::Cp932Fixed, Some(position), Some(length), None)
            if position >= 2 && length >= 1 =>
        {
            Place::Fixed { position, length }
        }
        (FileEncoding::Utf8Csv, None, None, Some(column)) if column >= 2 => Place::Column(column),
        _ => {
            return Err(format!(
                "field {name}: fixed-length fields need position (>= 2) and length, CSV fields a column (>= 2)"
            ));
        }
    };
    if matches!(kind, FieldKind::Date(DateStyle::Wareki))
        && matches!(place, Place::Fixed { length, .. } if length != 7)
    {
        return Err(format!(
            "field {name}: a fixed-length 和暦 date has 7 bytes"
        ));
    }
    if matches!(kind, FieldKind::Date(DateStyle::Seireki))
        && matches!(place, Place::Fixed { length, .. } if length != 8)
    {
        return Err(format!(
            "field {name}: a fixed-length 西暦 date has 8 bytes"
        ));
    }
    Ok(Field {
        name,
        label: f.label,
        kind,
        place,
        required: f.required,
        note: f.note,
    })
}

/// Fixed-length fields must cover bytes 2..=len exactly once, in order, so a byte nobody owns cannot hide
/// data and a mistyped position is caught when the layout is loaded.
fn check_tiling(fields: &[Field], len: usize) -> Result<(), String> {
    let mut next = 2;
    for f in fields {
        if let Place::Fixed { position, length } = f.place {
            if position != next {
                return Err(format!(
                    "field {} starts at byte {position}, expected {next} (gap or overlap)",
                    f.name
                ));
            }
            next = position + length;
        }
    }
    if next != len + 1 {
        return Err(format!(
            "fields end at byte {}, record_length is {len}",
            next - 1
        ));
    }
    Ok(())
}

fn check_columns(fields: &[Field]) -> Result<(), String> {
    for (i, f) in fields.iter().enumerate() {
        if f.place != Place::Column(i + 2) {
            return Err(format!(
                "field {} must be column {} (columns in order, no gaps)",
                f.name,
                i + 2
            ));
        }
    }
    Ok(())
}

/// Every layout a terminal knows, by id and version.
#[derive(Debug, Clone, Default)]
pub struct LayoutSet {
    layouts: BTreeMap<(String, u16), Arc<Layout>>,
}

/// The layouts shipped in `assets/files/` (compiled in, so a terminal always has them).
const BUILTIN: &[(&str, &str)] = &[
    (
        "juki-v1.toml",
        include_str!("../../../assets/files/juki-v1.toml"),
    ),
    (
        "jutogai-v1.toml",
        include_str!("../../../assets/files/jutogai-v1.toml"),
    ),
    (
        "shotoku-v1.toml",
        include_str!("../../../assets/files/shotoku-v1.toml"),
    ),
    (
        "kiwari-v1.toml",
        include_str!("../../../assets/files/kiwari-v1.toml"),
    ),
    (
        "shuno-v1.toml",
        include_str!("../../../assets/files/shuno-v1.toml"),
    ),
    (
        "tainou-v1.toml",
        include_str!("../../../assets/files/tainou-v1.toml"),
    ),
    (
        "hihoken-v1.toml",
        include_str!("../../../assets/files/hihoken-v1.toml"),
    ),
    (
        "shohakko-v1.toml",
        include_str!("../../../assets/files/shohakko-v1.toml"),
    ),
    (
        "jutokure-v1.toml",
        include_str!("../../../assets/files/jutokure-v1.toml"),
    ),
    (
        "hokenryo-v1.toml",
        include_str!("../../../assets/files/hokenryo-v1.toml"),
    ),
];

impl LayoutSet {
    /// The shipped layouts.
    pub fn builtin() -> Result<LayoutSet, LayoutError> {
        let mut set = LayoutSet::default();
        for (name, text) in BUILTIN {
            set.insert(Layout::from_toml(text, name)?)?;
        }
        Ok(set)
    }

    /// Every `*.toml` of a directory: a municipality's own layouts (configured per municipality).
    pub fn load_dir(dir: &Path) -> Result<LayoutSet, LayoutError> {
        let io = |source| LayoutError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut set = LayoutSet::default();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| LayoutError::Io {
                path: path.clone(),
                source,
            })?;
            set.insert(Layout::from_toml(&text, &path.display().to_string())?)?;
        }
        Ok(set)
    }

    /// Adds a layout; the same id and version twice is refused.
    pub fn insert(&mut self, layout: Layout) -> Result<(), LayoutError> {
        let key = (layout.id.clone(), layout.version);
        if self.layouts.contains_key(&key) {
            return Err(LayoutError::Duplicate {
                id: layout.id,
                version: layout.version,
            });
        }
        self.layouts.insert(key, Arc::new(layout));
        Ok(())
    }

    /// One layout, one version.
    pub fn get(&self, id: &str, version: u16) -> Option<&Arc<Layout>> {
        self.layouts.get(&(id.to_owned(), version))
    }

    /// The versions known for a layout id, oldest first (empty when the id is unknown).
    pub fn versions(&self, id: &str) -> Vec<u16> {
        self.layouts
            .keys()
            .filter(|(i, _)| i == id)
            .map(|(_, v)| *v)
            .collect()
    }

    /// The newest version of a layout.
    pub fn latest(&self, id: &str) -> Option<&Arc<Layout>> {
        self.layouts
            .iter()
            .rev()
            .find(|((i, _), _)| i == id)
            .map(|(_, l)| l)
    }

    /// Every layout, by id then version.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Layout>> {
        self.layouts.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_layout_loads_and_the_issue_list_is_complete() {
        let set = LayoutSet::builtin().unwrap();
        let ids: Vec<&str> = set.iter().map(|l| l.id.as_str()).collect();
        for id in [
            "juki", "jutogai", "shotoku", "kiwari", "shuno", "tainou", "hihoken", "shohakko",
            "jutokure", "hokenryo",
        ] {
            assert!(ids.contains(&id), "{id} missing");
        }
        for l in set.iter().filter(|l| l.direction == Direction::Down) {
            assert!(
                l.field_index("addressee_number").is_some(),
                "{} must carry 宛名番号 so the municipal system can link it",
                l.id
            );
        }
    }

    #[test]
    fn a_municipality_directory_loads_like_the_builtin_set() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/files");
        let from_dir = LayoutSet::load_dir(&dir).unwrap();
        let builtin = LayoutSet::builtin().unwrap();
        let a: Vec<&Layout> = from_dir.iter().map(|l| l.as_ref()).collect();
        let b: Vec<&Layout> = builtin.iter().map(|l| l.as_ref()).collect();
        assert_eq!(
            a, b,
            "every file in assets/files is compiled in, and nothing else"
        );
        let mut twice = builtin.clone();
        let again = builtin.get("juki", 1).unwrap().as_ref().clone();
        assert!(matches!(
            twice.insert(again),
            Err(LayoutError::Duplicate { version: 1, .. })
        ));
    }

    #[test]
    fn overlapping_fixed_fields_are_refused_naming_the_field() {
        let text = r#"
id = "t"
title = "t"
version = 1
direction = "up"
encoding = "cp932-fixed"
record_length = 30
frequency = "日次"
description = ""
[[field]]
name = "a"
label = "A"
type = "digits"
position = 2
length = 10
[[field]]
name = "b"
label = "B"
type = "digits"
position = 11
length = 20
"#;
        let err = Layout::from_toml(text, "t.toml").unwrap_err().to_string();
        assert!(
            err.contains("field b starts at byte 11, expected 12"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_field_and_bad_type_are_refused() {
        let base = |ty: &str, key: &str| {
            format!(
                "id = \"t\"\ntitle = \"t\"\nversion = 1\ndirection = \"up\"\nencoding = \"utf8-csv\"\nfrequency = \"\"\ndescription = \"\"\nkey = [\"{key}\"]\n[[field]]\nname = \"a\"\nlabel = \"A\"\ntype = \"{ty}\"\ncolumn = 2\n"
            )
        };
        assert!(Layout::from_toml(&base("digits", "a"), "t").is_ok());
        let e = Layout::from_toml(&base("digits", "zz"), "t").unwrap_err();
        assert!(e.to_string().contains("key field zz"));
        let e = Layout::from_toml(&base("float", "a"), "t").unwrap_err();
        assert!(e.to_string().contains("unknown type float"));
    }
}
