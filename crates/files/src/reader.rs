//! Streaming reader: header, data records one at a time, trailer. Never holds the whole file.
//!
//! Every file (both encodings) is framed the same way (crates/files/README.md):
//! - header `H` + layout id + version + 市区町村コード + 作成日 (西暦 YYYYMMDD);
//! - data records `D` + the layout's fields;
//! - trailer `T` + the number of data records, so a copy cut at a line boundary is still detected.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;
use std::sync::Arc;

use encoding_rs::SHIFT_JIS;
use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::wareki::parse_gregorian;

use crate::error::{FileError, LooksLike, RowError, RowErrorKind};
use crate::gaiji::{Cp932Standard, GaijiMap, GaijiRequest, Glyphs, replace_gaiji};
use crate::layout::{FileEncoding, Layout, LayoutSet, LineEnding, Place};
use crate::value::{Record, Value, parse_value};

/// What a reader needs besides the layouts: the 外字 mapping table and what the print fonts can draw.
#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    /// The municipality's 外字変換表.
    pub gaiji: &'a GaijiMap,
    /// What the fonts draw.
    pub glyphs: &'a dyn Glyphs,
}

impl<'a> ReadOptions<'a> {
    /// With the default glyph coverage ([`Cp932Standard`]).
    pub fn new(gaiji: &'a GaijiMap) -> Self {
        ReadOptions {
            gaiji,
            glyphs: &Cp932Standard,
        }
    }
}

/// The header record (ヘッダレコード).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeader {
    /// Layout id.
    pub layout_id: String,
    /// Layout version.
    pub version: u16,
    /// 市区町村コード of the sender.
    pub municipality: MunicipalityCode,
    /// 作成日.
    pub created: Date,
}

/// One data record: valid (typed), or invalid with every finding of the row.
#[derive(Debug, Clone)]
pub enum Row {
    /// Every field parsed. It may still wait for 文字同定 ([`Record::awaits_identification`]).
    Valid(Record),
    /// At least one finding.
    Invalid(InvalidRow),
}

/// A row that cannot be used as it is.
#[derive(Debug, Clone)]
pub struct InvalidRow {
    /// Line in the file.
    pub line: u64,
    /// Findings, one per field or one for the row.
    pub errors: Vec<RowError>,
}

enum Source<R> {
    Fixed {
        input: R,
        buf: Vec<u8>,
    },
    Csv {
        rdr: csv::Reader<R>,
        rec: csv::ByteRecord,
    },
}

/// Reads a file record by record (an iterator of rows; a late file-level error — a cut copy, a missing or
/// wrong trailer — comes last, after every row before it was delivered).
pub struct FileReader<'a, R> {
    layout: Arc<Layout>,
    header: FileHeader,
    opts: ReadOptions<'a>,
    src: Source<R>,
    line: u64,
    data_rows: u64,
    seen_rows: HashMap<u128, u64>,
    seen_keys: HashMap<u128, u64>,
    trailer_seen: bool,
    done: bool,
    bom_skipped: bool,
}

fn ending_of(line: &[u8]) -> (&[u8], Option<LineEnding>) {
    match line {
        [body @ .., b'\r', b'\n'] => (body, Some(LineEnding::Crlf)),
        [body @ .., b'\n'] => (body, Some(LineEnding::Lf)),
        body => (body, None),
    }
}

fn looks_like_not_cp932(bytes: &[u8]) -> LooksLike {
    if std::str::from_utf8(bytes).is_ok() {
        LooksLike::Utf8
    } else {
        LooksLike::Unknown
    }
}

fn looks_like_not_utf8(bytes: &[u8]) -> LooksLike {
    if SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some()
    {
        LooksLike::Cp932
    } else {
        LooksLike::Unknown
    }
}

/// A 128-bit fingerprint (two keyed SipHashes) of a row or key: 1,000,000 rows make a false duplicate
/// about 1 in 10^26, and the table holds 24 bytes a row instead of the row.
fn fingerprint<'b>(parts: impl Iterator<Item = &'b [u8]> + Clone) -> u128 {
    let mut a = DefaultHasher::new();
    let mut b = DefaultHasher::new();
    0xA5A5_u16.hash(&mut b);
    for p in parts {
        p.hash(&mut a);
        p.hash(&mut b);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// The header's parts before they are checked against the layouts.
struct RawHeader<'b> {
    id: String,
    version: u16,
    municipality: &'b [u8],
    created: &'b [u8],
    is_csv: bool,
}

fn parse_header(body: &[u8]) -> Result<RawHeader<'_>, FileError> {
    let header_field = |field| FileError::HeaderField { field };
    if body.first() != Some(&b'H') {
        return Err(FileError::NoHeader);
    }
    if body.get(1) == Some(&b',') {
        let parts: Vec<&[u8]> = body.split(|b| *b == b',').collect();
        if parts.len() != 5 {
            return Err(header_field("length"));
        }
        let id = std::str::from_utf8(parts[1]).map_err(|_| header_field("layout"))?;
        let version = std::str::from_utf8(parts[2])
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or(header_field("version"))?;
        return Ok(RawHeader {
            id: id.to_owned(),
            version,
            municipality: parts[3],
            created: parts[4],
            is_csv: true,
        });
    }
    if body.len() < crate::layout::FIXED_MIN_LENGTH {
        return Err(header_field("length"));
    }
    let id = std::str::from_utf8(&body[1..9]).map_err(|_| header_field("layout"))?;
    let version = std::str::from_utf8(&body[9..12])
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or(header_field("version"))?;
    Ok(RawHeader {
        id: id.trim_end().to_owned(),
        version,
        municipality: &body[12..18],
        created: &body[18..26],
        is_csv: false,
    })
}

impl<'a, R: BufRead> FileReader<'a, R> {
    /// Reads the header record and checks it names `layout_id` in a version this terminal has. Fails on
    /// what makes the whole file unreadable: empty, a byte order mark, an unknown layout or version, the
    /// wrong line ending or encoding.
    pub fn open(
        layouts: &LayoutSet,
        layout_id: &str,
        mut input: R,
        opts: ReadOptions<'a>,
    ) -> Result<Self, FileError> {
        let mut first = Vec::new();
        input.read_until(b'\n', &mut first).map_err(FileError::Io)?;
        if first.is_empty() {
            return Err(FileError::Empty);
        }
        if first.starts_with(&[0xFF, 0xFE]) || first.starts_with(&[0xFE, 0xFF]) {
            return Err(FileError::Bom {
                found: LooksLike::Utf16,
            });
        }
        let had_bom = first.starts_with(&[0xEF, 0xBB, 0xBF]);
        let (body, ending) = ending_of(if had_bom { &first[3..] } else { &first });
        if body.first() != Some(&b'H') {
            return Err(FileError::NoHeader);
        }
        if !body.is_ascii() {
            return Err(FileError::Encoding {
                looks: looks_like_not_cp932(body),
            });
        }
        let RawHeader {
            id,
            version,
            municipality: muni,
            created,
            is_csv,
        } = parse_header(body)?;
        let latest = layouts
            .latest(&id)
            .ok_or_else(|| FileError::UnknownLayout {
                id: if layouts.latest(layout_id).is_some() {
                    id.clone()
                } else {
                    layout_id.to_owned()
                },
            })?;
        if id != layout_id {
            return Err(FileError::WrongLayout {
                expected: layouts
                    .latest(layout_id)
                    .map_or_else(|| layout_id.to_owned(), |l| l.title.clone()),
                found: latest.title.clone(),
            });
        }
        let layout = layouts
            .get(&id, version)
            .ok_or_else(|| FileError::UnknownVersion {
                id: id.clone(),
                version,
                known: layouts.versions(&id),
            })?
            .clone();
        let header_field = |field| FileError::HeaderField { field };
        match layout.encoding {
            FileEncoding::Cp932Fixed => {
                if had_bom {
                    return Err(FileError::Bom {
                        found: LooksLike::Utf8,
                    });
                }
                if is_csv || Some(body.len()) != layout.record_length {
                    return Err(header_field("length"));
                }
                if let Some(found) = ending.filter(|e| *e != layout.line_ending) {
                    return Err(FileError::LineEnding {
                        expected: layout.line_ending.label(),
                        found: found.label(),
                    });
                }
            }
            FileEncoding::Utf8Csv if !is_csv => return Err(header_field("length")),
            FileEncoding::Utf8Csv => {}
        }
        let municipality = std::str::from_utf8(muni)
            .ok()
            .and_then(|m| MunicipalityCode::parse(m).ok())
            .ok_or(header_field("municipality"))?;
        let created = std::str::from_utf8(created)
            .ok()
            .and_then(|d| parse_gregorian(d).ok())
            .ok_or(header_field("created"))?;
        let src = match layout.encoding {
            FileEncoding::Cp932Fixed => Source::Fixed {
                input,
                buf: Vec::with_capacity(layout.record_length.unwrap_or(256) + 2),
            },
            FileEncoding::Utf8Csv => Source::Csv {
                rdr: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(input),
                rec: csv::ByteRecord::new(),
            },
        };
        Ok(FileReader {
            layout,
            header: FileHeader {
                layout_id: id,
                version,
                municipality,
                created,
            },
            opts,
            src,
            line: 1,
            data_rows: 0,
            seen_rows: HashMap::new(),
            seen_keys: HashMap::new(),
            trailer_seen: false,
            done: false,
            bom_skipped: had_bom,
        })
    }

    /// The layout and version the header named.
    pub fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }

    /// The header record.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Whether a UTF-8 byte order mark was skipped (CSV only; the 確認リスト notes it).
    pub fn bom_skipped(&self) -> bool {
        self.bom_skipped
    }

    /// Data records read so far (valid and invalid).
    pub fn data_rows(&self) -> u64 {
        self.data_rows
    }

    fn trailer(&mut self, count: &[u8]) -> Result<(), FileError> {
        self.trailer_seen = true;
        let declared = std::str::from_utf8(count)
            .ok()
            .and_then(|c| c.trim().parse::<u64>().ok());
        match declared {
            Some(d) if d == self.data_rows => Ok(()),
            Some(declared) => Err(FileError::TrailerCount {
                declared,
                counted: self.data_rows,
            }),
            None => Err(FileError::TrailerCount {
                declared: 0,
                counted: self.data_rows,
            }),
        }
    }

    /// Duplicate checks shared by both encodings: the whole row, then the layout's key.
    fn duplicates<'b>(
        &mut self,
        row: impl Iterator<Item = &'b [u8]> + Clone,
        key: impl Iterator<Item = &'b [u8]> + Clone,
        errors: &mut Vec<RowError>,
    ) {
        let line = self.line;
        let row_fp = fingerprint(row);
        if let Some(&first_line) = self.seen_rows.get(&row_fp) {
            errors.push(row_error(
                line,
                None,
                RowErrorKind::DuplicateRow { first_line },
            ));
            return;
        }
        self.seen_rows.insert(row_fp, line);
        if self.layout.key.is_empty() {
            return;
        }
        let key_fp = fingerprint(key);
        match self.seen_keys.get(&key_fp) {
            Some(&first_line) => errors.push(row_error(
                line,
                None,
                RowErrorKind::DuplicateKey { first_line },
            )),
            None => {
                self.seen_keys.insert(key_fp, line);
            }
        }
    }

    /// Parses decoded field texts into a row.
    fn finish_row(
        &self,
        texts: &[std::borrow::Cow<'_, str>],
        cp932: bool,
        mut errors: Vec<RowError>,
    ) -> Row {
        let line = self.line;
        let mut values = Vec::with_capacity(texts.len());
        let mut gaiji = Vec::new();
        for (field, text) in self.layout.fields.iter().zip(texts) {
            let replaced = if field.kind.is_text() {
                replace_gaiji(
                    text,
                    self.opts.glyphs,
                    cp932,
                    self.opts.gaiji,
                    |offset, code| {
                        gaiji.push(GaijiRequest {
                            line,
                            field: field.name.clone(),
                            field_label: field.label.clone(),
                            offset,
                            code,
                        })
                    },
                )
            } else {
                None
            };
            let text = replaced.as_deref().unwrap_or(text);
            match parse_value(&field.kind, field.required, text) {
                Ok(v) => values.push(v),
                Err(kind) => {
                    values.push(Value::Empty);
                    errors.push(RowError {
                        line,
                        field: Some(field.name.clone()),
                        field_label: Some(field.label.clone()),
                        kind,
                    });
                }
            }
        }
        if errors.is_empty() {
            Row::Valid(Record::new(self.layout.clone(), line, values, gaiji))
        } else {
            Row::Invalid(InvalidRow { line, errors })
        }
    }

    fn next_fixed(&mut self) -> Option<Result<Row, FileError>> {
        loop {
            let Source::Fixed { input, buf } = &mut self.src else {
                return None;
            };
            buf.clear();
            match input.read_until(b'\n', buf) {
                Ok(0) => {
                    return (!self.trailer_seen).then_some(Err(FileError::MissingTrailer {
                        last_line: self.line,
                    }));
                }
                Ok(_) => {}
                Err(e) => return Some(Err(FileError::Io(e))),
            }
            self.line += 1;
            let line_buf = std::mem::take(buf);
            let result = self.fixed_line(&line_buf);
            if let Source::Fixed { buf, .. } = &mut self.src {
                *buf = line_buf;
            }
            match result {
                Some(r) => return Some(r),
                None => continue,
            }
        }
    }

    /// One line of a fixed-length file; `None` for the trailer (nothing to deliver).
    fn fixed_line(&mut self, raw: &[u8]) -> Option<Result<Row, FileError>> {
        let (body, ending) = ending_of(raw);
        let line = self.line;
        if self.trailer_seen {
            // An empty last line after the trailer is harmless; anything else is not.
            return (!body.is_empty()).then_some(Err(FileError::AfterTrailer { line }));
        }
        let record_length = self.layout.record_length.unwrap_or(0);
        if body.first() == Some(&b'T') {
            return self.trailer(body.get(1..10).unwrap_or(&[])).err().map(Err);
        }
        if ending.is_none() && body.len() < record_length {
            return Some(Err(FileError::Truncated { line }));
        }
        let mut errors = Vec::new();
        match body.first() {
            Some(b'D') => {}
            Some(b'H') => {
                errors.push(row_error(line, None, RowErrorKind::ExtraHeader));
                return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
            }
            _ => {
                errors.push(row_error(line, None, RowErrorKind::UnknownRecordKind));
                return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
            }
        }
        self.data_rows += 1;
        if ending.is_some_and(|e| e != self.layout.line_ending) {
            errors.push(row_error(
                line,
                None,
                RowErrorKind::LineEnding {
                    expected: self.layout.line_ending.label(),
                },
            ));
        }
        let ascii = body.is_ascii();
        if body.len() != record_length {
            if !ascii
                && SHIFT_JIS
                    .decode_without_bom_handling_and_without_replacement(body)
                    .is_none()
            {
                errors.push(row_error(
                    line,
                    None,
                    RowErrorKind::Encoding(looks_like_not_cp932(body)),
                ));
                return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
            }
            // UTF-8 text often decodes as (wrong) CP932 too; a record that is too long and valid UTF-8
            // was written in UTF-8, and saying so helps the clerk more than a byte count.
            if !ascii && std::str::from_utf8(body).is_ok() {
                errors.push(row_error(
                    line,
                    None,
                    RowErrorKind::Encoding(LooksLike::Utf8),
                ));
                return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
            }
            errors.push(row_error(
                line,
                None,
                RowErrorKind::WrongLength {
                    expected: record_length,
                    found: body.len(),
                },
            ));
            return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
        }
        let layout = self.layout.clone();
        let slices: Vec<&[u8]> = layout
            .fields
            .iter()
            .map(|f| match f.place {
                Place::Fixed { position, length } => &body[position - 1..position - 1 + length],
                Place::Column(_) => &[][..],
            })
            .collect();
        self.duplicates(
            std::iter::once(body),
            layout.key.iter().map(|&i| slices[i]),
            &mut errors,
        );
        let trail = if ascii { Vec::new() } else { trail_bytes(body) };
        let mut texts = Vec::with_capacity(slices.len());
        for (field, slice) in layout.fields.iter().zip(&slices) {
            let Place::Fixed { position, length } = field.place else {
                continue;
            };
            let (start, end) = (position - 1, position - 1 + length);
            let split = !ascii && (trail[start] || trail.get(end).copied().unwrap_or(false));
            let text = if split {
                None
            } else {
                SHIFT_JIS.decode_without_bom_handling_and_without_replacement(slice)
            };
            match text {
                Some(t) => texts.push(t),
                // Not CP932 at all (the record's length happened to fit): one finding for the row. Checked
                // only here, so a valid record is decoded once.
                None if SHIFT_JIS
                    .decode_without_bom_handling_and_without_replacement(body)
                    .is_none() =>
                {
                    errors.push(row_error(
                        line,
                        None,
                        RowErrorKind::Encoding(looks_like_not_cp932(body)),
                    ));
                    return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
                }
                None => {
                    errors.push(RowError {
                        line,
                        field: Some(field.name.clone()),
                        field_label: Some(field.label.clone()),
                        kind: RowErrorKind::SplitCharacter,
                    });
                    texts.push(std::borrow::Cow::Borrowed(""));
                }
            }
        }
        Some(Ok(self.finish_row(&texts, true, errors)))
    }

    fn next_csv(&mut self) -> Option<Result<Row, FileError>> {
        loop {
            let Source::Csv { rdr, rec } = &mut self.src else {
                return None;
            };
            match rdr.read_byte_record(rec) {
                Ok(false) => {
                    return (!self.trailer_seen).then_some(Err(FileError::MissingTrailer {
                        last_line: self.line,
                    }));
                }
                Ok(true) => {}
                Err(e) => return Some(Err(FileError::Io(e.into()))),
            }
            let rec = std::mem::take(rec);
            // Counted here, not from the csv crate's positions (which lag a record behind): one line per
            // record plus the line breaks inside quoted fields.
            self.line += 1;
            let breaks = rec.iter().flatten().filter(|b| **b == b'\n').count() as u64;
            let result = self.csv_row(&rec);
            self.line += breaks;
            if let Source::Csv { rec: slot, .. } = &mut self.src {
                *slot = rec;
            }
            if let Some(r) = result {
                return Some(r);
            }
        }
    }

    fn csv_row(&mut self, rec: &csv::ByteRecord) -> Option<Result<Row, FileError>> {
        let line = self.line;
        if self.trailer_seen {
            return Some(Err(FileError::AfterTrailer { line }));
        }
        let mut errors = Vec::new();
        match rec.get(0) {
            Some(b"D") => {}
            Some(b"T") => return self.trailer(rec.get(1).unwrap_or(b"")).err().map(Err),
            Some(b"H") => {
                errors.push(row_error(line, None, RowErrorKind::ExtraHeader));
                return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
            }
            _ => {
                errors.push(row_error(line, None, RowErrorKind::UnknownRecordKind));
                return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
            }
        }
        self.data_rows += 1;
        let expected = self.layout.columns();
        if rec.len() != expected {
            errors.push(row_error(
                line,
                None,
                RowErrorKind::WrongColumns {
                    expected,
                    found: rec.len(),
                },
            ));
            return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
        }
        if let Some(bad) = rec.iter().find(|f| std::str::from_utf8(f).is_err()) {
            errors.push(row_error(
                line,
                None,
                RowErrorKind::Encoding(looks_like_not_utf8(bad)),
            ));
            return Some(Ok(Row::Invalid(InvalidRow { line, errors })));
        }
        let layout = self.layout.clone();
        let col = |i: usize| match layout.fields[i].place {
            Place::Column(c) => rec.get(c - 1).unwrap_or(b""),
            Place::Fixed { .. } => b"",
        };
        self.duplicates(rec.iter(), layout.key.iter().map(|&i| col(i)), &mut errors);
        let texts: Vec<std::borrow::Cow<'_, str>> = (0..layout.fields.len())
            .map(|i| std::borrow::Cow::Borrowed(std::str::from_utf8(col(i)).unwrap_or("")))
            .collect();
        Some(Ok(self.finish_row(&texts, false, errors)))
    }
}

fn row_error(line: u64, field: Option<(&str, &str)>, kind: RowErrorKind) -> RowError {
    RowError {
        line,
        field: field.map(|(n, _)| n.to_owned()),
        field_label: field.map(|(_, l)| l.to_owned()),
        kind,
    }
}

/// `trail[i]`: byte i is the second byte of a CP932 double-byte character (so a field may not start there).
fn trail_bytes(body: &[u8]) -> Vec<bool> {
    let mut trail = vec![false; body.len() + 1];
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if matches!(b, 0x81..=0x9F | 0xE0..=0xFC) {
            if let Some(t) = trail.get_mut(i + 1) {
                *t = true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    trail
}

impl<R: BufRead> Iterator for FileReader<'_, R> {
    type Item = Result<Row, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.src {
            Source::Fixed { .. } => self.next_fixed(),
            Source::Csv { .. } => self.next_csv(),
        };
        if matches!(item, None | Some(Err(_))) {
            self.done = true;
        }
        item
    }
}
