//! 和暦: the Japanese era calendar (明治, 大正, 昭和, 平成, 令和) with exact era boundaries.
//!
//! Residents of 後期高齢者医療 were mostly born in 大正 and 昭和, and entry and print use 和暦, so an
//! off-by-one at an era boundary is a wrong insurance document. The first days are:
//!
//! | era | first day | last day |
//! |---|---|---|
//! | 明治 | (1868; supported from 明治6年1月1日 = 1873-01-01) | 1912-07-29 (明治45年7月29日) |
//! | 大正 | 1912-07-30 (大正元年7月30日) | 1926-12-24 (大正15年12月24日) |
//! | 昭和 | 1926-12-25 (昭和元年12月25日) | 1989-01-07 (昭和64年1月7日) |
//! | 平成 | 1989-01-08 (平成元年1月8日) | 2019-04-30 (平成31年4月30日) |
//! | 令和 | 2019-05-01 (令和元年5月1日) | — |
//!
//! Dates before 1873-01-01 are refused: Japan used the lunisolar calendar until 明治5年12月2日, so an
//! earlier 和暦 month and day do not name the same Gregorian day.
//!
//! Accepted input forms (full- or half-width digits): 「昭和26年12月1日」, 「令和元年5月1日」, 「昭26.12.1」,
//! 「S26.12.1」, 「R8.11.21」, 「S26/12/01」, 「㍼26年12月1日」, and the 7-digit era-coded form of municipal
//! systems 「3261201」 (1 明治, 2 大正, 3 昭和, 4 平成, 5 令和). [`parse_date`] also takes Gregorian
//! 「1951-12-01」, 「1951/12/1」, 「1951年12月1日」 and 「19511201」.

use std::fmt;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::Date;
use crate::message::StaffMessage;
use crate::normalize::to_half_width_ascii;

/// 元号.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// 明治 (M, 1).
    Meiji,
    /// 大正 (T, 2).
    Taisho,
    /// 昭和 (S, 3).
    Showa,
    /// 平成 (H, 4).
    Heisei,
    /// 令和 (R, 5).
    Reiwa,
}

/// Day one of the Gregorian calendar in Japan (明治6年1月1日).
fn calendar_reform() -> Date {
    ymd(1873, 1, 1)
}

/// Builds a date from constants known to be valid.
fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or(Date::MIN)
}

impl Era {
    /// All eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// 「昭和」 etc.
    pub fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The Latin initial used in short forms (「S26.12.1」).
    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The digit of the 7-digit era-coded form (1 明治 … 5 令和).
    pub fn code(self) -> u8 {
        match self {
            Era::Meiji => 1,
            Era::Taisho => 2,
            Era::Showa => 3,
            Era::Heisei => 4,
            Era::Reiwa => 5,
        }
    }

    /// The era of a 7-digit code digit.
    pub fn from_code(code: u8) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.code() == code)
    }

    /// The first day of the era (明治: the first day this crate supports, 明治6年1月1日).
    pub fn first_day(self) -> Date {
        match self {
            Era::Meiji => calendar_reform(),
            Era::Taisho => ymd(1912, 7, 30),
            Era::Showa => ymd(1926, 12, 25),
            Era::Heisei => ymd(1989, 1, 8),
            Era::Reiwa => ymd(2019, 5, 1),
        }
    }

    /// The last day of the era, `None` for the current one.
    pub fn last_day(self) -> Option<Date> {
        self.next().and_then(|n| n.first_day().pred_opt())
    }

    /// The era that follows.
    pub fn next(self) -> Option<Era> {
        match self {
            Era::Meiji => Some(Era::Taisho),
            Era::Taisho => Some(Era::Showa),
            Era::Showa => Some(Era::Heisei),
            Era::Heisei => Some(Era::Reiwa),
            Era::Reiwa => None,
        }
    }

    /// The era before.
    pub fn previous(self) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.next() == Some(self))
    }

    /// Gregorian year of 元年 minus one: Gregorian year = offset + era year.
    fn year_offset(self) -> i32 {
        match self {
            Era::Meiji => 1867,
            Era::Taisho => 1911,
            Era::Showa => 1925,
            Era::Heisei => 1988,
            Era::Reiwa => 2018,
        }
    }

    /// The era a Gregorian day belongs to.
    pub fn of(date: Date) -> Result<Era, WarekiError> {
        if date < calendar_reform() {
            return Err(WarekiError::BeforeCalendarReform);
        }
        Ok(Era::ALL
            .into_iter()
            .rev()
            .find(|e| e.first_day() <= date)
            .unwrap_or(Era::Meiji))
    }

    fn from_name(s: &str) -> Option<Era> {
        match s {
            "明治" | "明" | "M" | "m" | "㍾" => Some(Era::Meiji),
            "大正" | "大" | "T" | "t" | "㍽" => Some(Era::Taisho),
            "昭和" | "昭" | "S" | "s" | "㍼" => Some(Era::Showa),
            "平成" | "平" | "H" | "h" | "㍻" => Some(Era::Heisei),
            "令和" | "令" | "R" | "r" | "㋿" => Some(Era::Reiwa),
            _ => None,
        }
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

/// Why a date was refused. Carries era boundaries and the month, never the full date typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarekiError {
    /// Nothing was entered.
    #[error("date is empty")]
    Empty,
    /// Not one of the accepted forms.
    #[error("date is not in an accepted form")]
    Malformed,
    /// An era name, letter or code that does not exist.
    #[error("unknown era")]
    UnknownEra,
    /// Year 0 of an era.
    #[error("era year must be 1 or more")]
    YearZero,
    /// Month outside 1–12.
    #[error("month {month} is outside 1-12")]
    MonthOutOfRange {
        /// The month typed.
        month: u32,
    },
    /// A day the month does not have (2月30日, 4月31日, 2月29日 in a common year).
    #[error("month {month} has only {max_day} days")]
    DayOutOfRange {
        /// The month.
        month: u32,
        /// Its last day in that year.
        max_day: u32,
    },
    /// A day before the era began (令和元年4月30日).
    #[error("{era:?} begins on {first}")]
    BeforeEraStart {
        /// The era typed.
        era: Era,
        /// Its first day.
        first: Date,
    },
    /// A day after the era ended (平成31年5月1日, 昭和64年1月8日).
    #[error("{era:?} ended on {last}")]
    AfterEraEnd {
        /// The era typed.
        era: Era,
        /// Its last day.
        last: Date,
    },
    /// Before 1873-01-01, when Japan adopted the Gregorian calendar.
    #[error("dates before 1873-01-01 (lunisolar calendar) are not supported")]
    BeforeCalendarReform,
    /// Outside the range this software handles (years after 9999).
    #[error("date out of range")]
    OutOfRange,
}

impl StaffMessage for WarekiError {
    fn message_ja(&self) -> String {
        match self {
            WarekiError::Empty => "日付を入力してください。".into(),
            WarekiError::Malformed => "日付の形式が正しくありません。「昭和26年12月1日」「S26.12.1」「3261201」「1951-12-01」のように入力してください。".into(),
            WarekiError::UnknownEra => "元号が正しくありません。明治・大正・昭和・平成・令和（M・T・S・H・R、7桁の番号では1〜5）で入力してください。".into(),
            WarekiError::YearZero => "年は1（元年）以上で入力してください。".into(),
            WarekiError::MonthOutOfRange { .. } => "月は1〜12で入力してください。".into(),
            WarekiError::DayOutOfRange { month, max_day } => {
                format!("{month}月は{max_day}日までです。日を確認してください。")
            }
            WarekiError::BeforeEraStart { era, first } => {
                let first = WarekiDate::from_date(*first).map(|w| w.to_string()).unwrap_or_default();
                let before = era.previous().map(|p| format!("それより前は{p}です。")).unwrap_or_default();
                format!("{era}は{first}からです。{before}")
            }
            WarekiError::AfterEraEnd { era, last } => {
                let last_w = WarekiDate::from_date(*last).map(|w| w.to_string()).unwrap_or_default();
                let next = era.next().map(|n| format!("翌日からは{n}です。")).unwrap_or_default();
                format!("{era}は{last_w}までです。{next}")
            }
            WarekiError::BeforeCalendarReform => {
                "明治5年以前の日付は旧暦のため扱えません（明治6年1月1日以降を入力してください）。".into()
            }
            WarekiError::OutOfRange => "日付が扱える範囲外です。".into(),
        }
    }
}

/// A day written in 和暦: always a real day inside its era.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WarekiDate {
    era: Era,
    year: u32,
    date: Date,
}

impl WarekiDate {
    /// Validates era year, month and day against the calendar and the era's boundaries.
    pub fn new(era: Era, year: u32, month: u32, day: u32) -> Result<Self, WarekiError> {
        if year == 0 {
            return Err(WarekiError::YearZero);
        }
        let gregorian_year = i32::try_from(year)
            .ok()
            .and_then(|y| y.checked_add(era.year_offset()))
            .filter(|y| *y <= 9999)
            .ok_or(WarekiError::OutOfRange)?;
        let date = gregorian(gregorian_year, month, day)?;
        if date < era.first_day() {
            return Err(if era == Era::Meiji {
                WarekiError::BeforeCalendarReform
            } else {
                WarekiError::BeforeEraStart {
                    era,
                    first: era.first_day(),
                }
            });
        }
        if let Some(last) = era.last_day().filter(|last| date > *last) {
            return Err(WarekiError::AfterEraEnd { era, last });
        }
        Ok(WarekiDate { era, year, date })
    }

    /// The 和暦 of a Gregorian day.
    pub fn from_date(date: Date) -> Result<Self, WarekiError> {
        let era = Era::of(date)?;
        let year =
            u32::try_from(date.year() - era.year_offset()).map_err(|_| WarekiError::OutOfRange)?;
        Ok(WarekiDate { era, year, date })
    }

    /// 元号.
    pub fn era(&self) -> Era {
        self.era
    }

    /// Year of the era (1 = 元年).
    pub fn year(&self) -> u32 {
        self.year
    }

    /// Month 1–12.
    pub fn month(&self) -> u32 {
        self.date.month()
    }

    /// Day of the month.
    pub fn day(&self) -> u32 {
        self.date.day()
    }

    /// The Gregorian day.
    pub fn date(&self) -> Date {
        self.date
    }

    /// 「元」 for the first year, else the number.
    fn year_text(&self) -> String {
        if self.year == 1 {
            "元".to_owned()
        } else {
            self.year.to_string()
        }
    }

    /// Short form 「S26.12.1」 (元年 as 1, as terminals print it).
    pub fn short(&self) -> String {
        format!(
            "{}{}.{}.{}",
            self.era.letter(),
            self.year,
            self.month(),
            self.day()
        )
    }

    /// The 7-digit era-coded form 「3261201」; `None` when the era year has three digits.
    pub fn code7(&self) -> Option<String> {
        (self.year <= 99).then(|| {
            format!(
                "{}{:02}{:02}{:02}",
                self.era.code(),
                self.year,
                self.month(),
                self.day()
            )
        })
    }

    /// 「昭和26年12月」 for month-only fields.
    pub fn year_month(&self) -> String {
        format!("{}{}年{}月", self.era, self.year_text(), self.month())
    }
}

/// 「昭和26年12月1日」, 「令和元年5月1日」.
impl fmt::Display for WarekiDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}年{}月{}日",
            self.era,
            self.year_text(),
            self.month(),
            self.day()
        )
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        Date::from_ymd_opt(year + 1, 1, 1)
    } else {
        Date::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .map(|d| d.day())
        .unwrap_or(31)
}

/// A Gregorian day with the same errors as 和暦 input.
fn gregorian(year: i32, month: u32, day: u32) -> Result<Date, WarekiError> {
    if !(1..=12).contains(&month) {
        return Err(WarekiError::MonthOutOfRange { month });
    }
    let max_day = days_in_month(year, month);
    if day == 0 || day > max_day {
        return Err(WarekiError::DayOutOfRange { month, max_day });
    }
    Date::from_ymd_opt(year, month, day).ok_or(WarekiError::OutOfRange)
}

/// How a date was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// 和暦 in any accepted form.
    Wareki,
    /// 西暦.
    Gregorian,
}

/// Parses a 和暦 date in any accepted form (see the module docs).
pub fn parse_wareki(input: &str) -> Result<WarekiDate, WarekiError> {
    let s = clean(input)?;
    if s.chars().all(|c| c.is_ascii_digit()) {
        return if s.len() == 7 {
            parse_code7(&s)
        } else {
            Err(WarekiError::Malformed)
        };
    }
    parse_era_form(&s)
}

/// Parses a date written either in 和暦 or in 西暦 (「1951-12-01」, 「1951/12/1」, 「1951年12月1日」,
/// 「19511201」), telling which form it was.
pub fn parse_date(input: &str) -> Result<(Date, DateForm), WarekiError> {
    let s = clean(input)?;
    let starts_with_digit = s.chars().next().is_some_and(|c| c.is_ascii_digit());
    if !starts_with_digit || (s.len() == 7 && s.chars().all(|c| c.is_ascii_digit())) {
        return parse_wareki(&s).map(|w| (w.date(), DateForm::Wareki));
    }
    parse_gregorian(&s).map(|d| (d, DateForm::Gregorian))
}

/// Parses a Gregorian date (「1951-12-01」, 「1951/12/1」, 「1951.12.1」, 「1951年12月1日」, 「19511201」).
pub fn parse_gregorian(input: &str) -> Result<Date, WarekiError> {
    let s = clean(input)?;
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| WarekiError::Malformed);
        let year = i32::try_from(n(0..4)?).map_err(|_| WarekiError::Malformed)?;
        return check_gregorian(year, n(4..6)?, n(6..8)?);
    }
    let mut p = Cursor::new(&s);
    let year = p.number(4)?;
    if year < 1000 {
        return Err(WarekiError::Malformed);
    }
    p.separator(&['-', '/', '.', '年'])?;
    let month = p.number(2)?;
    p.separator(&['-', '/', '.', '月'])?;
    let day = p.number(2)?;
    p.optional('日');
    p.end()?;
    let year = i32::try_from(year).map_err(|_| WarekiError::Malformed)?;
    check_gregorian(year, month, day)
}

fn check_gregorian(year: i32, month: u32, day: u32) -> Result<Date, WarekiError> {
    let date = gregorian(year, month, day)?;
    if date < calendar_reform() {
        return Err(WarekiError::BeforeCalendarReform);
    }
    Ok(date)
}

/// Half-width, no spaces, not empty.
fn clean(input: &str) -> Result<String, WarekiError> {
    let s: String = to_half_width_ascii(input)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() {
        Err(WarekiError::Empty)
    } else {
        Ok(s)
    }
}

fn parse_code7(s: &str) -> Result<WarekiDate, WarekiError> {
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| WarekiError::Malformed);
    let era_code = u8::try_from(n(0..1)?).map_err(|_| WarekiError::Malformed)?;
    let era = Era::from_code(era_code).ok_or(WarekiError::UnknownEra)?;
    WarekiDate::new(era, n(1..3)?, n(3..5)?, n(5..7)?)
}

fn parse_era_form(s: &str) -> Result<WarekiDate, WarekiError> {
    let era_end = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || *c == '元')
        .map(|(i, _)| i)
        .ok_or(WarekiError::Malformed)?;
    let era_text = &s[..era_end];
    if era_text.is_empty() {
        return Err(WarekiError::Malformed);
    }
    let era = Era::from_name(era_text).ok_or_else(|| {
        // 「昭和年12月1日」: a real era followed by something that is not a year is a typo in the form.
        let known_prefix = Era::ALL.iter().any(|e| era_text.starts_with(e.name_ja()));
        if known_prefix {
            WarekiError::Malformed
        } else {
            WarekiError::UnknownEra
        }
    })?;
    let mut p = Cursor::new(&s[era_end..]);
    let year = if p.optional('元') { 1 } else { p.number(3)? };
    p.separator(&['年', '.', '/', '-'])?;
    let month = p.number(2)?;
    p.separator(&['月', '.', '/', '-'])?;
    let day = p.number(2)?;
    p.optional('日');
    p.end()?;
    WarekiDate::new(era, year, month, day)
}

/// A tiny cursor over the cleaned input. Hand-rolled: the grammar is five tokens long, and a parser
/// library would add a dependency to the crate every other crate depends on.
struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            chars: s.chars().peekable(),
        }
    }

    fn number(&mut self, max_digits: usize) -> Result<u32, WarekiError> {
        let mut value = 0u32;
        let mut n = 0;
        while let Some(c) = self.chars.peek().copied() {
            let Some(d) = c.to_digit(10) else { break };
            n += 1;
            if n > max_digits {
                return Err(WarekiError::Malformed);
            }
            value = value * 10 + d;
            self.chars.next();
        }
        if n == 0 {
            Err(WarekiError::Malformed)
        } else {
            Ok(value)
        }
    }

    fn separator(&mut self, allowed: &[char]) -> Result<(), WarekiError> {
        match self.chars.next() {
            Some(c) if allowed.contains(&c) => Ok(()),
            _ => Err(WarekiError::Malformed),
        }
    }

    fn optional(&mut self, c: char) -> bool {
        if self.chars.peek() == Some(&c) {
            self.chars.next();
            true
        } else {
            false
        }
    }

    fn end(&mut self) -> Result<(), WarekiError> {
        if self.chars.next().is_none() {
            Ok(())
        } else {
            Err(WarekiError::Malformed)
        }
    }
}

#[cfg(test)]
mod tests;
