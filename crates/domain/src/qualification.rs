//! `QualificationHistory` — 資格履歴: the dated history of one person's 後期高齢者医療 qualification
//! (取得, 変更, 喪失, each with its 事由 and 異動日), and the questions asked of it "as of a day".
//!
//! The union keeps every change as an entry (never edits one), so a future-dated loss is visible as
//! 喪失予定 until its day and a 75歳到達 decided in advance as 取得予定 (elderly.md: 被保険者履歴,
//! 個人異動情報 in the union's files, L236/L254).
//!
//! The dates (高齢者の医療の確保に関する法律; BRIEF "Domain facts"; domain-anchors §1.1):
//! - 75歳到達: from the 75th birthday (第52条第1号; [`crate::age::kouki_age_date`]).
//! - 転出 (out of the prefecture) and 死亡: lost **the day after** (第53条: 「その翌日から」) — a 転出 dated
//!   2027-01-10 leaves the person insured through 2027-01-10, 喪失 on 2027-01-11 ([`loss_on_after`]).
//! - 生活保護開始: 適用除外 (第51条第1号) from the day 保護 starts, so 喪失 on the start day itself
//!   ([`welfare_start_loss_on`]; the 「翌日」 of 第53条 is for moving and death only).
//! - 生活保護廃止: no longer excluded from the day after the 廃止日, so 取得 that day
//!   ([`welfare_end_acquisition_on`]).
//! - 県内転居 (another municipality of the same union): not a loss: the qualification and the 被保険者番号
//!   stay, a 変更 is recorded (domain-anchors §1.1: the 広域連合 is the insurer for the whole prefecture).

use chrono::{Datelike, Months};
use serde::{Deserialize, Serialize};

use crate::Date;
use crate::age::kouki_age_date;
use crate::ids::InsuredNumber;

/// `Change` — 異動区分: what an entry of the history does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// 資格取得.
    Acquired,
    /// 変更 (住所・市町村・記載事項): the qualification continues.
    Changed,
    /// 資格喪失.
    Lost,
}

/// `Cause` — 異動事由, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// 75歳到達.
    #[serde(rename = "age_75")]
    Age75,
    /// 障害認定.
    DisabilityCertified,
    /// 転入 (from another prefecture).
    MovedIn,
    /// 生活保護廃止 (適用除外非該当).
    WelfareEnded,
    /// 県内転居 (to another municipality of the same union).
    MovedWithinUnion,
    /// 記載事項変更 (name, address).
    Particulars,
    /// 転出 (out of the prefecture).
    MovedOut,
    /// 死亡.
    Death,
    /// 生活保護開始 (適用除外該当).
    WelfareStarted,
}

impl Cause {
    /// What staff read in the history.
    pub fn label_ja(self) -> &'static str {
        match self {
            Cause::Age75 => "75歳到達",
            Cause::DisabilityCertified => "障害認定",
            Cause::MovedIn => "転入",
            Cause::WelfareEnded => "生活保護廃止",
            Cause::MovedWithinUnion => "県内転居",
            Cause::Particulars => "記載事項変更",
            Cause::MovedOut => "転出",
            Cause::Death => "死亡",
            Cause::WelfareStarted => "生活保護開始",
        }
    }
}

/// One entry of the history. `on` is the 異動日 (資格取得日, 資格喪失日 or the day of the change), which may be
/// later than `recorded_on` (a 転出 filed before moving, a 75歳到達 decided the month before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// 取得, 変更 or 喪失.
    pub change: Change,
    /// 事由.
    pub cause: Cause,
    /// 異動日.
    pub on: Date,
    /// 処理日: the day the union recorded it.
    pub recorded_on: Date,
    /// 被保険者番号 in force (kept across 県内転居 and across a loss and a new acquisition).
    pub insured_number: InsuredNumber,
}

/// One period of being insured: from `from` (inclusive) until `until` (the 喪失日, exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// 資格取得年月日.
    pub from: Date,
    /// 資格喪失年月日 (the first day not insured), when recorded.
    pub until: Option<Date>,
    /// 取得事由.
    pub acquired_by: Cause,
    /// 喪失事由.
    pub lost_by: Option<Cause>,
}

impl Period {
    /// Insured on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }
}

/// `Status` — the state of the qualification on one day, as the counter shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never insured and nothing scheduled.
    NotInsured,
    /// 取得予定: not insured yet, insured from `from`.
    AcquisitionScheduled {
        /// 資格取得年月日.
        from: Date,
    },
    /// 資格あり.
    Insured {
        /// 資格取得年月日.
        since: Date,
    },
    /// 喪失予定: insured today, lost on `lost_on`.
    LossScheduled {
        /// 資格取得年月日.
        since: Date,
        /// 資格喪失年月日.
        lost_on: Date,
    },
    /// 資格喪失: lost on `lost_on` (and nothing scheduled since).
    Lost {
        /// 資格喪失年月日.
        lost_on: Date,
    },
}

/// The periods of a history, oldest first. Entries are applied in the order of their 異動日 (stable for the
/// same day: the order recorded), so a loss recorded before a later-dated acquisition still closes only the
/// period open on its day.
pub fn periods(history: &[Entry]) -> Vec<Period> {
    let mut entries: Vec<&Entry> = history.iter().collect();
    entries.sort_by_key(|e| e.on);
    let mut out: Vec<Period> = Vec::new();
    for e in entries {
        match e.change {
            Change::Acquired => {
                if out.last().is_some_and(|p| p.until.is_none()) {
                    continue; // already insured: a repeated acquisition changes nothing
                }
                out.push(Period {
                    from: e.on,
                    until: None,
                    acquired_by: e.cause,
                    lost_by: None,
                });
            }
            Change::Lost => {
                if let Some(p) = out.last_mut().filter(|p| p.until.is_none()) {
                    // A loss dated on or before the acquisition cancels the period entirely.
                    p.until = Some(e.on.max(p.from));
                    p.lost_by = Some(e.cause);
                }
            }
            Change::Changed => {}
        }
    }
    out.retain(|p| p.until != Some(p.from));
    out
}

/// The period covering `day`, if insured that day.
pub fn period_on(history: &[Entry], day: Date) -> Option<Period> {
    periods(history).into_iter().find(|p| p.covers(day))
}

/// The state on `day`: insured (喪失予定 when a loss is recorded), 取得予定, lost or never insured.
pub fn status_on(history: &[Entry], day: Date) -> Status {
    let ps = periods(history);
    if let Some(p) = ps.iter().find(|p| p.covers(day)) {
        return match p.until {
            Some(lost_on) => Status::LossScheduled {
                since: p.from,
                lost_on,
            },
            None => Status::Insured { since: p.from },
        };
    }
    if let Some(p) = ps.iter().find(|p| p.from > day) {
        return Status::AcquisitionScheduled { from: p.from };
    }
    match ps.iter().rev().find_map(|p| p.until.filter(|u| *u <= day)) {
        Some(lost_on) => Status::Lost { lost_on },
        None => Status::NotInsured,
    }
}

/// 資格喪失日 for a 転出 or a death on `event`: the next day (第53条). `None` past the calendar.
pub fn loss_on_after(event: Date) -> Option<Date> {
    event.succ_opt()
}

/// 資格喪失日 for 生活保護開始 on `start`: the start day itself (適用除外, 第51条第1号).
pub fn welfare_start_loss_on(start: Date) -> Date {
    start
}

/// 資格取得日 for 生活保護廃止 on `ended`: the day after (no longer excluded from then).
pub fn welfare_end_acquisition_on(ended: Date) -> Option<Date> {
    ended.succ_opt()
}

/// The 75歳到達 the daily job of day `on` prepares: the 75th birthday when it falls from the first day of
/// `on`'s month to the last day of the next month. The documents are mailed in the month before the
/// birthday month (domain-anchors §1.1: 誕生月の前月); the current month is included so that a job that did
/// not run (a server down on the last days of a month) still catches up.
pub fn age75_in_window(birth: Date, on: Date) -> Option<Date> {
    let birthday = kouki_age_date(birth)?;
    let first = on.with_day(1)?;
    let end = first.checked_add_months(Months::new(2))?;
    (first <= birthday && birthday < end).then_some(birthday)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn number() -> InsuredNumber {
        InsuredNumber::parse("12345678").expect("valid test number")
    }

    fn entry(change: Change, cause: Cause, on: Date) -> Entry {
        Entry {
            change,
            cause,
            on,
            recorded_on: on,
            insured_number: number(),
        }
    }

    #[test]
    fn a_dated_move_out_keeps_the_person_insured_through_the_moving_day() {
        let lost_on = loss_on_after(d(2027, 1, 10)).expect("in range");
        assert_eq!(lost_on, d(2027, 1, 11));
        let h = vec![
            entry(Change::Acquired, Cause::Age75, d(2026, 12, 20)),
            Entry {
                recorded_on: d(2027, 1, 5),
                ..entry(Change::Lost, Cause::MovedOut, lost_on)
            },
        ];
        assert_eq!(
            status_on(&h, d(2027, 1, 10)),
            Status::LossScheduled {
                since: d(2026, 12, 20),
                lost_on
            }
        );
        assert_eq!(status_on(&h, d(2027, 1, 11)), Status::Lost { lost_on });
        assert!(period_on(&h, d(2027, 1, 10)).is_some());
        assert!(period_on(&h, d(2027, 1, 11)).is_none());
    }

    #[test]
    fn a_75th_birthday_decided_ahead_is_scheduled_until_the_day() {
        let h = vec![Entry {
            recorded_on: d(2026, 11, 1),
            ..entry(Change::Acquired, Cause::Age75, d(2026, 12, 20))
        }];
        assert_eq!(
            status_on(&h, d(2026, 12, 19)),
            Status::AcquisitionScheduled {
                from: d(2026, 12, 20)
            }
        );
        assert_eq!(
            status_on(&h, d(2026, 12, 20)),
            Status::Insured {
                since: d(2026, 12, 20)
            }
        );
        assert_eq!(status_on(&[], d(2026, 12, 20)), Status::NotInsured);
    }

    #[test]
    fn welfare_start_and_end_make_two_periods() {
        let loss = welfare_start_loss_on(d(2027, 2, 1));
        let again = welfare_end_acquisition_on(d(2027, 6, 30)).expect("in range");
        assert_eq!((loss, again), (d(2027, 2, 1), d(2027, 7, 1)));
        let h = vec![
            entry(Change::Acquired, Cause::Age75, d(2026, 12, 20)),
            entry(Change::Lost, Cause::WelfareStarted, loss),
            entry(Change::Acquired, Cause::WelfareEnded, again),
        ];
        assert_eq!(periods(&h).len(), 2);
        assert!(period_on(&h, d(2027, 1, 31)).is_some());
        assert!(period_on(&h, d(2027, 2, 1)).is_none());
        assert!(period_on(&h, d(2027, 6, 30)).is_none());
        assert_eq!(
            period_on(&h, d(2027, 7, 1)).map(|p| p.acquired_by),
            Some(Cause::WelfareEnded)
        );
        assert_eq!(
            status_on(&h, d(2027, 3, 1)),
            Status::AcquisitionScheduled { from: again }
        );
    }

    #[test]
    fn a_move_within_the_union_is_no_loss() {
        let h = vec![
            entry(Change::Acquired, Cause::Age75, d(2026, 12, 20)),
            entry(Change::Changed, Cause::MovedWithinUnion, d(2027, 1, 15)),
        ];
        assert_eq!(periods(&h).len(), 1);
        assert!(period_on(&h, d(2027, 1, 15)).is_some());
    }

    #[test]
    fn a_loss_on_the_acquisition_day_cancels_the_period() {
        let h = vec![
            entry(Change::Acquired, Cause::MovedIn, d(2027, 1, 5)),
            entry(Change::Lost, Cause::WelfareStarted, d(2027, 1, 5)),
        ];
        assert!(periods(&h).is_empty());
        assert_eq!(status_on(&h, d(2027, 1, 5)), Status::NotInsured);
    }

    #[test]
    fn the_age_window_covers_this_month_and_the_next() {
        let birth = d(1951, 12, 20);
        assert_eq!(age75_in_window(birth, d(2026, 10, 31)), None);
        assert_eq!(
            age75_in_window(birth, d(2026, 11, 1)),
            Some(d(2026, 12, 20))
        );
        assert_eq!(
            age75_in_window(birth, d(2026, 12, 19)),
            Some(d(2026, 12, 20))
        );
        assert_eq!(age75_in_window(birth, d(2027, 1, 1)), None);
        // Month ends: a 31st birthday falls in its month.
        assert_eq!(
            age75_in_window(d(1951, 1, 31), d(2025, 12, 31)),
            Some(d(2026, 1, 31))
        );
        assert_eq!(age75_in_window(d(1951, 3, 31), d(2026, 1, 31)), None);
    }

    #[test]
    fn a_leap_day_birth_reaches_75_on_the_first_of_march() {
        // 1952-02-29: 2027 is a common year, so the age is reached at the end of 28 February.
        let birth = d(1952, 2, 29);
        assert_eq!(age75_in_window(birth, d(2027, 1, 31)), None);
        assert_eq!(age75_in_window(birth, d(2027, 2, 1)), Some(d(2027, 3, 1)));
        // 1948-02-29 reaches 75 in 2023 (common year) and the window still finds 3/1 in February's job.
        assert_eq!(
            age75_in_window(d(1948, 2, 29), d(2023, 2, 28)),
            Some(d(2023, 3, 1))
        );
    }
}
