//! Japan Standard Time (日本標準時, UTC+9, no daylight saving): the one place that turns an instant into the
//! date and time staff and residents read. Pure: callers pass the instant (this crate reads no clock).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset as _, Utc};

use crate::Date;

/// UTC+9 in seconds.
const JST_SECONDS: i32 = 9 * 3600;

/// The JST offset.
pub fn offset() -> FixedOffset {
    // 9 hours is always a valid offset; the fallback is unreachable and keeps this total.
    FixedOffset::east_opt(JST_SECONDS).unwrap_or_else(|| Utc.fix())
}

/// The instant as a JST wall-clock time.
pub fn datetime(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&offset()).naive_local()
}

/// The JST calendar day of the instant (受付日, 交付日…).
pub fn date(at: DateTime<Utc>) -> Date {
    datetime(at).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_changes_at_midnight_in_japan() {
        let before = Utc.with_ymd_and_hms(2026, 3, 31, 14, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 31, 15, 0, 0).unwrap();
        assert_eq!(date(before), Date::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(date(after), Date::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(datetime(after).format("%H:%M").to_string(), "00:00");
    }
}
