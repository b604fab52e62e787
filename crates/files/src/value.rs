//! Typed values of a data record, parsed field by field from the decoded text.

use std::sync::Arc;

use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, InsurerNumber, MunicipalityCode, MyNumber};
use madoguchi_domain::money::Yen;
use madoguchi_domain::wareki::{Era, WarekiDate, WarekiError, parse_gregorian, parse_wareki};

use crate::error::RowErrorKind;
use crate::gaiji::GaijiRequest;
use crate::layout::{DateStyle, FieldKind, IdCheck, Layout};

/// One field's value.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// Blank (an optional field, or a filler).
    Empty,
    /// Digits, leading zeros kept.
    Digits(String),
    /// A checked date.
    Date(Date),
    /// Kana or kanji text; 外字 already replaced by 「●」 or by their identified character.
    Text(String),
    /// Integer yen.
    Amount(Yen),
    /// One of the layout's codes.
    Code(String),
}

impl Value {
    /// The text of a digits, text or code value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Digits(s) | Value::Text(s) | Value::Code(s) => Some(s),
            _ => None,
        }
    }

    /// The date of a date value.
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The amount of an amount value.
    pub fn as_amount(&self) -> Option<Yen> {
        match self {
            Value::Amount(y) => Some(*y),
            _ => None,
        }
    }
}

/// Values are personal data: `Debug` says which kind, never what.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Value::Empty => "Empty",
            Value::Digits(_) => "Digits(..)",
            Value::Date(_) => "Date(..)",
            Value::Text(_) => "Text(..)",
            Value::Amount(_) => "Amount(..)",
            Value::Code(_) => "Code(..)",
        })
    }
}

/// A valid data record: one value per layout field, and the open 文字同定 requests of its 外字.
#[derive(Clone)]
pub struct Record {
    layout: Arc<Layout>,
    /// Line in the file (1-based).
    pub line: u64,
    values: Vec<Value>,
    /// 文字同定依頼 of this record; empty when every character is identified.
    pub gaiji: Vec<GaijiRequest>,
}

impl Record {
    pub(crate) fn new(
        layout: Arc<Layout>,
        line: u64,
        values: Vec<Value>,
        gaiji: Vec<GaijiRequest>,
    ) -> Self {
        Record {
            layout,
            line,
            values,
            gaiji,
        }
    }

    /// The value of a field by its English name (`None` when the layout has no such field).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.layout
            .field_index(name)
            .and_then(|i| self.values.get(i))
    }

    /// Values in layout order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The layout the record was read with.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Whether the record waits for 文字同定 before it can be sent.
    pub fn awaits_identification(&self) -> bool {
        !self.gaiji.is_empty()
    }
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("layout", &self.layout.id)
            .field("line", &self.line)
            .field("fields", &self.values.len())
            .field("gaiji", &self.gaiji.len())
            .finish()
    }
}

fn is_blank_char(c: char) -> bool {
    c == ' ' || c == '\u{3000}'
}

/// Parses one field's text (already decoded, 外字 already replaced) into its value.
pub(crate) fn parse_value(
    kind: &FieldKind,
    required: bool,
    text: &str,
) -> Result<Value, RowErrorKind> {
    let trimmed = text.trim_matches(is_blank_char);
    if matches!(kind, FieldKind::Filler) {
        return if trimmed.is_empty() {
            Ok(Value::Empty)
        } else {
            Err(RowErrorKind::FillerNotBlank)
        };
    }
    if trimmed.is_empty() {
        return if required {
            Err(RowErrorKind::Required)
        } else {
            Ok(Value::Empty)
        };
    }
    if trimmed.chars().any(char::is_control) {
        return Err(RowErrorKind::ControlCharacter);
    }
    match kind {
        FieldKind::Digits(check) => {
            if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RowErrorKind::NotDigits);
            }
            let checked = match check {
                None => Ok(()),
                Some(IdCheck::MyNumber) => MyNumber::parse(trimmed).map(drop),
                Some(IdCheck::MunicipalityCode) => MunicipalityCode::parse(trimmed).map(drop),
                Some(IdCheck::InsurerNumber) => InsurerNumber::parse(trimmed).map(drop),
                Some(IdCheck::InsuredNumber) => InsuredNumber::parse(trimmed).map(drop),
            };
            checked.map_err(RowErrorKind::Identifier)?;
            Ok(Value::Digits(trimmed.to_owned()))
        }
        FieldKind::Date(style) => {
            let parsed = match style {
                DateStyle::Wareki => wareki_code7(trimmed)
                    .unwrap_or_else(|| parse_wareki(trimmed))
                    .map(|w| w.date()),
                DateStyle::Seireki => parse_gregorian(trimmed),
            };
            parsed.map(Value::Date).map_err(RowErrorKind::Date)
        }
        FieldKind::Kana => {
            if trimmed.chars().all(is_kana_char) {
                Ok(Value::Text(trimmed.to_owned()))
            } else {
                Err(RowErrorKind::NotKana)
            }
        }
        FieldKind::Kanji => Ok(Value::Text(trimmed.to_owned())),
        FieldKind::Amount => parse_amount(trimmed).map(Value::Amount),
        FieldKind::Code(codes) => {
            if codes.contains_key(trimmed) {
                Ok(Value::Code(trimmed.to_owned()))
            } else {
                Err(RowErrorKind::UnknownCode)
            }
        }
        FieldKind::Filler => Ok(Value::Empty),
    }
}

/// The 7-digit era-coded form 「5070401」 without the general parser's normalisation (the hot path of
/// fixed-length files); `None` for any other form. Same checks and errors: `WarekiDate::new`.
fn wareki_code7(s: &str) -> Option<Result<WarekiDate, WarekiError>> {
    let b = s.as_bytes();
    if b.len() != 7 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    let Some(era) = Era::from_code(b[0] - b'0') else {
        return Some(Err(WarekiError::UnknownEra));
    };
    Some(WarekiDate::new(era, n(1), n(3), n(5)))
}

/// Katakana (full-width U+30A1–U+30FC incl. 「ー」「・」, half-width U+FF66–U+FF9F), spaces, and 「●」 for an
/// unidentified 外字.
fn is_kana_char(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FC}' | '\u{FF66}'..='\u{FF9F}' | ' ' | '\u{3000}' | '●')
}

/// 「-1200」, 「0001200」: integer yen; no decimal point, no grouping commas, at most 15 digits.
fn parse_amount(s: &str) -> Result<Yen, RowErrorKind> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RowErrorKind::NotAmount);
    }
    let n: i64 = digits.parse().map_err(|_| RowErrorKind::NotAmount)?;
    Ok(Yen::new(if neg { -n } else { n }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reiwa_7_february_30_is_refused_with_the_month_length() {
        let e = parse_value(&FieldKind::Date(DateStyle::Wareki), true, "5070230").unwrap_err();
        assert_eq!(
            e,
            RowErrorKind::Date(WarekiError::DayOutOfRange {
                month: 2,
                max_day: 28
            })
        );
        let ok = parse_value(&FieldKind::Date(DateStyle::Wareki), true, "5070228").unwrap();
        assert_eq!(ok.as_date(), Date::from_ymd_opt(2025, 2, 28));
    }

    #[test]
    fn the_seven_digit_fast_path_agrees_with_the_domain_parser() {
        for s in [
            "5070401", "5070230", "4310501", "1450730", "9010101", "3000101", "5010430", "3641231",
        ] {
            assert_eq!(wareki_code7(s), Some(parse_wareki(s)), "{s}");
        }
        assert_eq!(wareki_code7("R7.4.1"), None);
    }

    #[test]
    fn amounts_are_integer_yen_only() {
        assert_eq!(parse_amount("0001200"), Ok(Yen::new(1200)));
        assert_eq!(parse_amount("-500"), Ok(Yen::new(-500)));
        for bad in ["12.5", "1,200", "-", "1e3", "9999999999999999"] {
            assert_eq!(parse_amount(bad), Err(RowErrorKind::NotAmount), "{bad}");
        }
    }

    #[test]
    fn blanks_required_fillers_and_codes() {
        assert_eq!(
            parse_value(&FieldKind::Digits(None), true, "   "),
            Err(RowErrorKind::Required)
        );
        assert_eq!(
            parse_value(&FieldKind::Digits(None), false, "　 "),
            Ok(Value::Empty)
        );
        assert_eq!(
            parse_value(&FieldKind::Filler, false, "  x "),
            Err(RowErrorKind::FillerNotBlank)
        );
        assert_eq!(
            parse_value(&FieldKind::Kana, true, "ﾔﾏﾀﾞ ﾀﾛｳ"),
            Ok(Value::Text("ﾔﾏﾀﾞ ﾀﾛｳ".into()))
        );
        assert_eq!(
            parse_value(&FieldKind::Kana, true, "山田"),
            Err(RowErrorKind::NotKana)
        );
        assert_eq!(
            parse_value(&FieldKind::Kanji, true, "山田\u{1b}"),
            Err(RowErrorKind::ControlCharacter)
        );
    }

    #[test]
    fn identifiers_with_a_check_digit_are_checked() {
        let my = FieldKind::Digits(Some(IdCheck::MyNumber));
        assert!(parse_value(&my, true, "123456789018").is_ok());
        let e = parse_value(&my, true, "123456789012").unwrap_err();
        assert!(matches!(
            e,
            RowErrorKind::Identifier(madoguchi_domain::ids::IdError::CheckDigit { .. })
        ));
        let muni = FieldKind::Digits(Some(IdCheck::MunicipalityCode));
        assert!(parse_value(&muni, true, "152021").is_ok());
        assert!(parse_value(&muni, true, "152020").is_err());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let v = Value::Text("山田太郎".into());
        assert_eq!(format!("{v:?}"), "Text(..)");
    }
}
