//! Plausible ranges for the dates a person or a clerk supplies: a 生年月日, a 受付日, the day of an event
//! (転入日, 転出日, 死亡日, 変更日, 長期入院該当日). A date outside its range is a typing error or a hostile
//! request, never a fact to record: 「-0001年1月1日」 must not reach a 資格確認書.
//!
//! Two kinds of check, because a parser does not know what day it is (this crate reads no clock):
//! - [`DateKind::fixed_range`]: bounds that hold on any day — checked wherever a date is parsed, on the
//!   terminal and by the union when a request is read.
//! - [`DateKind::range_on`]: bounds relative to today (or to the 受付日 for an event) — checked by whoever
//!   knows the day: the counter's forms with today, the union with its clock.
//!
//! The ranges, and why:
//! - 生年月日: from 明治6年1月1日 (1873-01-01), the first day [`crate::wareki`] can print as 和暦 (Japan kept
//!   the lunisolar calendar before it), to today. Every document prints the 生年月日 in 和暦.
//! - 受付日, 交付日, 回収日: from 2008-04-01, the day the 後期高齢者医療制度 began (高齢者の医療の確保に関する
//!   法律, 施行 平成20年4月1日) — nothing of this system was received or handed over before — to today; not
//!   more than one year back ([`RECEIPT_MAX_AGE_DAYS`]): a notification waits in the terminal's queue only
//!   while the line is down, and a year covers any outage.
//! - Event days: not more than five years before the 受付日 ([`EVENT_MAX_AGE_DAYS`]; a late 届出 must still
//!   be taken — the 14日 deadline of domain-anchors §1.1 binds the resident, not the counter — but
//!   retroactive corrections reach back at most the 5 years after which an unjust enrichment can no longer
//!   be reclaimed, nhi.md K:1965–1967), and not after the 受付日, except a 転出日: a 転出届 is filed before
//!   moving, so up to 31 days ahead (the union's rule in decide.rs).
//! - Fixed ceiling for every kind: 2100-12-31. Nothing the counter handles is dated that far ahead (a
//!   資格確認書 is valid for at most 5 years, domain-anchors A3); it catches a mistyped year (「2206」)
//!   where today is not known.

use chrono::{Datelike, Days};

use crate::Date;
use crate::message::StaffMessage;
use crate::wareki::{Era, WarekiDate};

/// How far back a 受付日 may be from today.
pub const RECEIPT_MAX_AGE_DAYS: u64 = 366;
/// How far back an event may be from its 受付日 (five years, leap days included).
pub const EVENT_MAX_AGE_DAYS: u64 = 5 * 365 + 2;
/// How far ahead of its 受付日 a 転出日 may be.
pub const MOVE_OUT_AHEAD_DAYS: u64 = 31;

/// What a date is, for its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateKind {
    /// 生年月日.
    Birth,
    /// 受付日, 交付日, 回収日: days the counter itself did something.
    Receipt,
    /// The day of an event that happened before it was notified: 転入日, 死亡日, 変更日, 長期入院該当日.
    Event,
    /// 転出日: may be ahead of the 受付日.
    MoveOut,
    /// Administrative days (a right's validity, an audit search period, a distribution's reference day).
    Administrative,
}

/// The first day of the 後期高齢者医療制度.
pub fn scheme_start() -> Date {
    Date::from_ymd_opt(2008, 4, 1).unwrap_or(Date::MIN)
}

/// The fixed ceiling of every kind.
pub fn ceiling() -> Date {
    Date::from_ymd_opt(2100, 12, 31).unwrap_or(Date::MAX)
}

impl DateKind {
    /// Bounds that hold on any day (both included).
    pub fn fixed_range(self) -> (Date, Date) {
        let first = match self {
            DateKind::Birth | DateKind::Event | DateKind::MoveOut => Era::Meiji.first_day(),
            DateKind::Receipt | DateKind::Administrative => scheme_start(),
        };
        (first, ceiling())
    }

    /// Bounds on a given day (both included), within the fixed range. `reference` is today for a 生年月日
    /// and a 受付日, and the 受付日 for an event.
    pub fn range_on(self, reference: Date) -> (Date, Date) {
        let (first, last) = self.fixed_range();
        let (from, to) = match self {
            DateKind::Birth => (first, reference),
            DateKind::Receipt => (
                reference
                    .checked_sub_days(Days::new(RECEIPT_MAX_AGE_DAYS))
                    .unwrap_or(first),
                reference,
            ),
            DateKind::Event => (
                reference
                    .checked_sub_days(Days::new(EVENT_MAX_AGE_DAYS))
                    .unwrap_or(first),
                reference,
            ),
            DateKind::MoveOut => (
                reference
                    .checked_sub_days(Days::new(EVENT_MAX_AGE_DAYS))
                    .unwrap_or(first),
                reference
                    .checked_add_days(Days::new(MOVE_OUT_AHEAD_DAYS))
                    .unwrap_or(last),
            ),
            DateKind::Administrative => (first, last),
        };
        (from.max(first), to.min(last))
    }

    /// Checks the fixed range.
    pub fn check_fixed(self, date: Date) -> Result<Date, DateRangeError> {
        within(date, self.fixed_range())
    }

    /// Checks the range on a day (see [`DateKind::range_on`]).
    pub fn check_on(self, date: Date, reference: Date) -> Result<Date, DateRangeError> {
        within(date, self.range_on(reference))
    }
}

fn within(date: Date, (from, to): (Date, Date)) -> Result<Date, DateRangeError> {
    if date < from {
        Err(DateRangeError::TooEarly { earliest: from })
    } else if date > to {
        Err(DateRangeError::TooLate { latest: to })
    } else {
        Ok(date)
    }
}

/// A date outside its plausible range. The bound is not personal data; the date is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateRangeError {
    /// Before the first plausible day.
    #[error("the date is before {earliest}")]
    TooEarly {
        /// The first day accepted.
        earliest: Date,
    },
    /// After the last plausible day.
    #[error("the date is after {latest}")]
    TooLate {
        /// The last day accepted.
        latest: Date,
    },
}

/// 「令和8年12月7日」, or the Gregorian form for a day before 明治 (never one of our bounds).
fn wareki(d: Date) -> String {
    WarekiDate::from_date(d)
        .map(|w| w.to_string())
        .unwrap_or_else(|_| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
}

impl StaffMessage for DateRangeError {
    fn message_ja(&self) -> String {
        match self {
            DateRangeError::TooEarly { earliest } => {
                format!("{}より前の日付は入力できません。", wareki(*earliest))
            }
            DateRangeError::TooLate { latest } => {
                format!("{}より後の日付は入力できません。", wareki(*latest))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid")
    }

    #[test]
    fn impossible_birth_and_receipt_dates_are_refused_on_any_day() {
        assert_eq!(
            DateKind::Birth.check_fixed(d(-1, 1, 1)),
            Err(DateRangeError::TooEarly {
                earliest: d(1873, 1, 1)
            })
        );
        assert!(DateKind::Birth.check_fixed(d(1872, 12, 31)).is_err());
        assert!(DateKind::Birth.check_fixed(d(1873, 1, 1)).is_ok());
        assert!(DateKind::Receipt.check_fixed(d(1850, 1, 1)).is_err());
        assert!(DateKind::Receipt.check_fixed(d(2008, 3, 31)).is_err());
        assert!(DateKind::Receipt.check_fixed(d(2008, 4, 1)).is_ok());
        assert!(DateKind::Event.check_fixed(d(2206, 1, 1)).is_err());
        assert!(DateKind::Event.check_fixed(d(2099, 1, 1)).is_ok());
        let e = DateKind::Birth
            .check_fixed(d(-1, 1, 1))
            .expect_err("too early");
        assert_eq!(
            e.message_ja(),
            "明治6年1月1日より前の日付は入力できません。"
        );
    }

    #[test]
    fn ranges_relative_to_today_and_to_the_receipt() {
        let today = d(2026, 12, 7);
        assert!(DateKind::Birth.check_on(today, today).is_ok());
        let e = DateKind::Birth
            .check_on(d(2026, 12, 8), today)
            .expect_err("future");
        assert_eq!(
            e.message_ja(),
            "令和8年12月7日より後の日付は入力できません。"
        );
        assert!(DateKind::Receipt.check_on(d(2025, 12, 6), today).is_ok());
        assert!(DateKind::Receipt.check_on(d(2025, 12, 5), today).is_err());
        assert!(DateKind::Event.check_on(d(2021, 12, 7), today).is_ok());
        assert!(DateKind::Event.check_on(d(2021, 12, 4), today).is_err());
        assert!(DateKind::Event.check_on(d(2026, 12, 8), today).is_err());
        assert!(DateKind::MoveOut.check_on(d(2027, 1, 7), today).is_ok());
        assert!(DateKind::MoveOut.check_on(d(2027, 1, 8), today).is_err());
        // Never outside the fixed range, whatever the reference.
        assert_eq!(DateKind::Receipt.range_on(d(2008, 5, 1)).0, scheme_start());
        assert_eq!(
            DateKind::Administrative.range_on(today),
            DateKind::Administrative.fixed_range()
        );
    }
}
