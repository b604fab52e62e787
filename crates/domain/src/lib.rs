//! # madoguchi-domain — the rules every other part of Madoguchi trusts
//!
//! Pure types and rules of Japanese public health insurance as the municipal counter terminal (窓口端末)
//! needs them: identifiers with their check digits (個人番号, 保険者番号, 地方公共団体コード, 被保険者番号,
//! 宛名番号, 世帯番号), the Japanese calendar (和暦), ages per 年齢計算ニ関スル法律, kana normalisation and the
//! 清音化 search key, the first version of the 後期高齢者医療 eligibility rules, and small value types
//! (一部負担金の割合, 限度区分, money); the rules every edge applies to what a person types (free text and
//! 郵便番号 in [`text`], plausible date ranges in [`dates`]); the one CSV writer of every export ([`csv`], which
//! defuses spreadsheet formulas); and the terminal's shared vocabulary: 届出の種類 ([`NotificationKind`]),
//! 再印刷の理由 ([`ReprintReason`], [`PrintOccasion`]), [`StaffUserId`], [`TerminalId`] and Japan time ([`jst`]).
//!
//! Parse at the edge with these types, then trust them: a value of `MyNumber` always has a valid check digit,
//! a `WarekiDate` always names a real day inside its era.
//!
//! This crate must never do I/O: no files, no network, no clock (callers pass "today" in), no logging.
//! Personal data (names, 個人番号) lives in types whose `Debug` redacts, so it cannot leak through a log line
//! or a panic message by accident.

pub mod address;
pub mod age;
pub mod csv;
pub mod dates;
pub mod eligibility;
pub mod ids;
pub mod insurance;
pub mod jst;
pub mod kana;
pub mod message;
pub mod money;
mod normalize;
pub mod notification;
pub mod qualification;
pub mod reprint;
pub mod staff;
pub mod text;
pub mod wareki;

/// A calendar date (Gregorian, no time zone). Dates in Madoguchi are always this type, never strings.
pub type Date = chrono::NaiveDate;

pub use message::StaffMessage;
pub use notification::NotificationKind;
pub use reprint::{PrintOccasion, ReprintReason};
pub use staff::{StaffUserId, TerminalId};
