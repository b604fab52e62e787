//! 年度 (fiscal year, April–March) and the month arithmetic of 月割 and age limits.

use std::fmt;

use chrono::{Datelike, Months};
use madoguchi_domain::Date;
use madoguchi_domain::age::attainment_day;
use serde::{Deserialize, Serialize};

/// `FiscalYear` — 年度: 1 April of `start_year` to 31 March of the next year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FiscalYear(i32);

impl FiscalYear {
    /// The 年度 that starts in April of `start_year` (令和8年度 = 2026).
    pub const fn new(start_year: i32) -> Self {
        FiscalYear(start_year)
    }

    /// The 年度 a day falls in.
    pub fn of(d: Date) -> Self {
        if d.month() >= 4 {
            FiscalYear(d.year())
        } else {
            FiscalYear(d.year() - 1)
        }
    }

    /// The calendar year of April.
    pub const fn start_year(self) -> i32 {
        self.0
    }

    /// 4月1日.
    pub fn first_day(self) -> Option<Date> {
        Date::from_ymd_opt(self.0, 4, 1)
    }

    /// 3月31日 of the next year.
    pub fn last_day(self) -> Option<Date> {
        Date::from_ymd_opt(self.0 + 1, 3, 31)
    }

    /// The first day of each of its twelve months, April first.
    pub fn months(self) -> impl Iterator<Item = Date> {
        let start = self.first_day();
        (0..12u32).filter_map(move |i| start?.checked_add_months(Months::new(i)))
    }

    /// 1 January of the year in which the 年度 starts: the day ages are taken on for the 65+ pension rules
    /// (「前年12月31日現在で65歳以上」 is the same as having reached 65 by 1 January).
    pub fn january_first(self) -> Option<Date> {
        Date::from_ymd_opt(self.0, 1, 1)
    }
}

/// 「令和8年度」 (平成 before 2019).
impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 2019 {
            let n = self.0 - 2018;
            if n == 1 {
                f.write_str("令和元年度")
            } else {
                write!(f, "令和{n}年度")
            }
        } else {
            write!(f, "平成{}年度", self.0 - 1988)
        }
    }
}

/// The first day of the month `d` is in.
pub fn month_of(d: Date) -> Option<Date> {
    d.with_day(1)
}

/// The last 31 March on or after the day a person reaches `age` (「…歳に達する日以後の最初の3月31日」): the end of
/// 未就学 (age 6) and of 18歳未満 for the 子ども・子育て支援納付金.
pub fn school_year_end_after(birth: Date, age: u32) -> Option<Date> {
    let reached = attainment_day(birth, age)?;
    let march = Date::from_ymd_opt(reached.year(), 3, 31)?;
    if reached <= march {
        Some(march)
    } else {
        Date::from_ymd_opt(reached.year() + 1, 3, 31)
    }
}

/// The month (its first day) in which a person reaches `age`: 介護第2号 begins in the month of the 40th 到達日 and
/// ends before the month of the 65th.
pub fn attainment_month(birth: Date, age: u32) -> Option<Date> {
    month_of(attainment_day(birth, age)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn fiscal_year_runs_april_to_march() {
        assert_eq!(FiscalYear::of(d(2026, 4, 1)), FiscalYear::new(2026));
        assert_eq!(FiscalYear::of(d(2027, 3, 31)), FiscalYear::new(2026));
        assert_eq!(FiscalYear::of(d(2026, 3, 31)), FiscalYear::new(2025));
        assert_eq!(FiscalYear::new(2026).to_string(), "令和8年度");
        assert_eq!(FiscalYear::new(2019).to_string(), "令和元年度");
        assert_eq!(FiscalYear::new(2018).to_string(), "平成30年度");
        let months: Vec<Date> = FiscalYear::new(2026).months().collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], d(2026, 4, 1));
        assert_eq!(months[11], d(2027, 3, 1));
    }

    #[test]
    fn school_year_end() {
        // Born 2020-04-01: reaches 6 on 2026-03-31, so 未就学 ends that very day.
        assert_eq!(
            school_year_end_after(d(2020, 4, 1), 6),
            Some(d(2026, 3, 31))
        );
        // Born 2020-04-02: reaches 6 on 2026-04-01, so the next 31 March.
        assert_eq!(
            school_year_end_after(d(2020, 4, 2), 6),
            Some(d(2027, 3, 31))
        );
    }
}
