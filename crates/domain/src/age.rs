//! Ages and the dates that follow from them.
//!
//! 年齢計算ニ関スル法律 counts age from the day of birth (民法第143条 applies): a person reaches age n at the
//! end of the day before their n-th birthday. That day is the 年齢到達日 rules speak of
//! ("…歳に達する日"), which is why someone born on the 1st of a month reaches an age in the previous month.
//! A person born on 29 February reaches their age at the end of 28 February in a common year.

use chrono::{Datelike, Months};

use crate::Date;

/// The n-th birthday. In a common year a 29 February birthday falls on 1 March (the age is reached at the
/// end of 28 February). `None` only past the calendar's range.
pub fn nth_birthday(birth: Date, n: u32) -> Option<Date> {
    // Adding whole years as months keeps the day, clamping 29 Feb to 28 Feb; the law's day is the one after.
    let months = n.checked_mul(12)?;
    let same_day = birth.checked_add_months(Months::new(months))?;
    if birth.month() == 2 && birth.day() == 29 && same_day.day() == 28 {
        same_day.succ_opt()
    } else {
        Some(same_day)
    }
}

/// 年齢到達日: the day at whose end the person reaches age n (the day before the n-th birthday).
pub fn attainment_day(birth: Date, n: u32) -> Option<Date> {
    nth_birthday(birth, n)?.pred_opt()
}

/// 満年齢 on a day: the number of birthdays that have come by that day. `None` before birth.
pub fn age_on(birth: Date, on: Date) -> Option<u32> {
    if on < birth {
        return None;
    }
    let mut age = u32::try_from(on.year() - birth.year()).ok()?;
    while age > 0 && nth_birthday(birth, age).is_none_or(|b| b > on) {
        age -= 1;
    }
    Some(age)
}

/// 後期高齢者医療: the qualification by age begins on the 75th birthday (高齢者の医療の確保に関する法律
/// 第50条第1号, 第52条).
pub fn kouki_age_date(birth: Date) -> Option<Date> {
    nth_birthday(birth, 75)
}

/// 後期高齢者医療 by 障害認定: possible from the 65th birthday (高確法 第50条第2号).
pub fn kouki_disability_earliest(birth: Date) -> Option<Date> {
    nth_birthday(birth, 65)
}

/// 国民健康保険 高齢受給者証: valid from the first day of the month after the month in which the person
/// reaches 70 (their 年齢到達日), so the birthday month itself when born on the 1st.
pub fn elderly_recipient_start(birth: Date) -> Option<Date> {
    let reached = attainment_day(birth, 70)?;
    first_of_next_month(reached)
}

/// The first day of the month after `d`.
pub fn first_of_next_month(d: Date) -> Option<Date> {
    d.with_day(1)?.checked_add_months(Months::new(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn age_changes_on_the_birthday() {
        let birth = d(1951, 12, 1);
        assert_eq!(age_on(birth, d(2026, 11, 30)), Some(74));
        assert_eq!(age_on(birth, d(2026, 12, 1)), Some(75));
        assert_eq!(age_on(birth, birth), Some(0));
        assert_eq!(age_on(birth, d(1951, 11, 30)), None);
    }

    #[test]
    fn attainment_is_the_day_before_the_birthday() {
        assert_eq!(attainment_day(d(1951, 12, 1), 75), Some(d(2026, 11, 30)));
        assert_eq!(attainment_day(d(1951, 4, 1), 75), Some(d(2026, 3, 31)));
    }

    #[test]
    fn leap_day_births() {
        let birth = d(1952, 2, 29);
        // 2027 is a common year: the age is reached at the end of 28 Feb, the birthday counts as 1 Mar.
        assert_eq!(nth_birthday(birth, 75), Some(d(2027, 3, 1)));
        assert_eq!(attainment_day(birth, 75), Some(d(2027, 2, 28)));
        assert_eq!(age_on(birth, d(2027, 2, 28)), Some(74));
        assert_eq!(age_on(birth, d(2027, 3, 1)), Some(75));
        // 2028 is a leap year: 29 Feb itself.
        assert_eq!(nth_birthday(birth, 76), Some(d(2028, 2, 29)));
    }

    #[test]
    fn kouki_begins_on_the_75th_birthday() {
        assert_eq!(kouki_age_date(d(1951, 12, 1)), Some(d(2026, 12, 1)));
        assert_eq!(
            kouki_disability_earliest(d(1961, 6, 15)),
            Some(d(2026, 6, 15))
        );
    }

    #[test]
    fn elderly_recipient_certificate_starts_next_month_or_same_month_on_the_first() {
        // Born on the 15th: 70 reached in the birthday month, valid from the 1st of the next month.
        assert_eq!(elderly_recipient_start(d(1956, 6, 15)), Some(d(2026, 7, 1)));
        // Born on the 1st: 70 reached on the last day of the previous month, so the birthday month.
        assert_eq!(elderly_recipient_start(d(1956, 6, 1)), Some(d(2026, 6, 1)));
        // Born on the 2nd: reached on the 1st of the birthday month, so the next month.
        assert_eq!(elderly_recipient_start(d(1956, 6, 2)), Some(d(2026, 7, 1)));
        // Born 1 January: reached on 31 December, so 1 January of the 70th year.
        assert_eq!(elderly_recipient_start(d(1956, 1, 1)), Some(d(2026, 1, 1)));
        // Born 31 December: reached on 30 December, so 1 January of the next year.
        assert_eq!(
            elderly_recipient_start(d(1955, 12, 31)),
            Some(d(2026, 1, 1))
        );
    }
}
