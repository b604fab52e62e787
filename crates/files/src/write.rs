//! Writing a file in a layout: header, data records, trailer. Used for the distributed (down) files the
//! terminal exports to media, and by tests and the benchmark to make synthetic files.

use std::io::Write;
use std::sync::Arc;

use encoding_rs::SHIFT_JIS;
use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;

use crate::layout::{FieldKind, FileEncoding, Layout, LineEnding, Place};

/// Why a record could not be written. Names the field, never the value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The output failed.
    #[error("cannot write the file")]
    Io(#[from] std::io::Error),
    /// Not one text per field.
    #[error("expected {expected} values, got {found}")]
    FieldCount {
        /// Fields in the layout.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// A value longer than its field.
    #[error("value of field {field} is longer than the field")]
    TooLong {
        /// English field name.
        field: String,
    },
    /// A character CP932 cannot write (write 「●」 and a 文字同定 request instead).
    #[error("value of field {field} has a character CP932 cannot write")]
    Unencodable {
        /// English field name.
        field: String,
    },
}

enum Sink<W: Write> {
    Fixed(W),
    Csv(Box<csv::Writer<W>>),
}

/// Writes one file, record by record.
pub struct FileWriter<W: Write> {
    layout: Arc<Layout>,
    sink: Sink<W>,
    count: u64,
    line: Vec<u8>,
}

impl<W: Write> FileWriter<W> {
    /// Starts a file: writes the header record.
    pub fn new(
        layout: Arc<Layout>,
        out: W,
        municipality: &MunicipalityCode,
        created: Date,
    ) -> Result<Self, WriteError> {
        let created = created.format("%Y%m%d").to_string();
        let sink = match layout.encoding {
            FileEncoding::Cp932Fixed => {
                let mut out = out;
                let mut header = format!(
                    "H{:<8}{:03}{}{}",
                    layout.id,
                    layout.version,
                    municipality.as_str(),
                    created
                )
                .into_bytes();
                header.resize(layout.record_length.unwrap_or(header.len()), b' ');
                out.write_all(&header)?;
                out.write_all(ending(layout.line_ending))?;
                Sink::Fixed(out)
            }
            FileEncoding::Utf8Csv => {
                let mut w = csv::WriterBuilder::new()
                    .flexible(true)
                    .terminator(match layout.line_ending {
                        LineEnding::Crlf => csv::Terminator::CRLF,
                        LineEnding::Lf => csv::Terminator::Any(b'\n'),
                    })
                    .from_writer(out);
                w.write_record([
                    "H",
                    layout.id.as_str(),
                    &layout.version.to_string(),
                    municipality.as_str(),
                    &created,
                ])
                .map_err(csv_io)?;
                Sink::Csv(Box::new(w))
            }
        };
        Ok(FileWriter {
            layout,
            sink,
            count: 0,
            line: Vec::new(),
        })
    }

    /// Writes one data record from the fields' texts in layout order (dates already in the layout's form:
    /// 「5070401」 for a fixed-length 和暦 date). Digits and amounts are right-aligned with leading zeros in
    /// fixed-length records, text left-aligned with spaces.
    pub fn write(&mut self, values: &[&str]) -> Result<(), WriteError> {
        let layout = self.layout.clone();
        if values.len() != layout.fields.len() {
            return Err(WriteError::FieldCount {
                expected: layout.fields.len(),
                found: values.len(),
            });
        }
        match &mut self.sink {
            Sink::Fixed(out) => {
                self.line.clear();
                self.line.push(b'D');
                for (field, value) in layout.fields.iter().zip(values) {
                    let Place::Fixed { length, .. } = field.place else {
                        continue;
                    };
                    let (bytes, _, bad) = SHIFT_JIS.encode(value);
                    if bad {
                        return Err(WriteError::Unencodable {
                            field: field.name.clone(),
                        });
                    }
                    if bytes.len() > length {
                        return Err(WriteError::TooLong {
                            field: field.name.clone(),
                        });
                    }
                    let pad = length - bytes.len();
                    let numeric = matches!(field.kind, FieldKind::Digits(_) | FieldKind::Amount);
                    if numeric && !value.is_empty() {
                        let (sign, digits) = match bytes.strip_prefix(b"-") {
                            Some(d) => (&b"-"[..], d),
                            None => (&b""[..], &bytes[..]),
                        };
                        self.line.extend_from_slice(sign);
                        self.line.extend(std::iter::repeat_n(b'0', pad));
                        self.line.extend_from_slice(digits);
                    } else {
                        self.line.extend_from_slice(&bytes);
                        self.line.extend(std::iter::repeat_n(b' ', pad));
                    }
                }
                self.line.extend_from_slice(ending(layout.line_ending));
                out.write_all(&self.line)?;
            }
            Sink::Csv(w) => {
                w.write_record(std::iter::once("D").chain(values.iter().copied()))
                    .map_err(csv_io)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Writes the trailer record and returns the output.
    pub fn finish(self) -> Result<W, WriteError> {
        match self.sink {
            Sink::Fixed(mut out) => {
                let mut trailer = format!("T{:09}", self.count).into_bytes();
                trailer.resize(self.layout.record_length.unwrap_or(trailer.len()), b' ');
                out.write_all(&trailer)?;
                out.write_all(ending(self.layout.line_ending))?;
                Ok(out)
            }
            Sink::Csv(mut w) => {
                w.write_record(["T", &self.count.to_string()])
                    .map_err(csv_io)?;
                w.into_inner()
                    .map_err(|e| WriteError::Io(std::io::Error::other(e.to_string())))
            }
        }
    }
}

fn ending(e: LineEnding) -> &'static [u8] {
    match e {
        LineEnding::Crlf => b"\r\n",
        LineEnding::Lf => b"\n",
    }
}

fn csv_io(e: csv::Error) -> WriteError {
    WriteError::Io(e.into())
}
