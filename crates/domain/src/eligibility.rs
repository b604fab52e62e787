//! 後期高齢者医療 eligibility: who is insured, from which day, and why — the first version of the rules the
//! union server decides with.
//!
//! The rules (高齢者の医療の確保に関する法律 第50条–第55条; BRIEF "Domain facts"):
//! - Residents of the union's prefecture are insured from their 75th birthday (第50条第1号, 第52条第1号).
//! - From 65 to 74 with a disability certified by the union (障害認定), from the certification date, but
//!   never before the 65th birthday (第50条第2号).
//! - Moving in from another prefecture: from the moving-in day (第52条第2号).
//! - Excluded while receiving 生活保護 (適用除外, 第51条第1号).
//! - Lost on the day after death or after leaving the prefecture (第53条).

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::age::{kouki_age_date, kouki_disability_earliest};
use crate::message::StaffMessage;

/// The facts about one resident that the rules look at. Dates are as notified (届出).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KoukiFacts {
    /// 生年月日.
    pub birth: Option<Date>,
    /// 障害認定日: the day the union certified the disability (65–74), if any.
    pub disability_certified: Option<Date>,
    /// 生活保護を受けている (適用除外).
    pub on_welfare: bool,
    /// 転入日, when the resident moved in from outside the prefecture.
    pub moved_in: Option<Date>,
    /// 転出日, when the resident left the prefecture.
    pub moved_out: Option<Date>,
    /// 死亡日.
    pub died: Option<Date>,
}

/// Why the decision came out as it did. Serialised as a stable snake_case code.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// 75歳到達: insured from the 75th birthday.
    #[serde(rename = "age_75")]
    Age75,
    /// 障害認定: insured from the certification date (65–74).
    DisabilityCertified,
    /// 転入: already 75 or older, insured from the moving-in day.
    MovedIn,
    /// Not yet 75 and no disability certification.
    #[serde(rename = "under_75")]
    Under75,
    /// A disability certification exists, but the resident is not yet 65.
    #[serde(rename = "disability_under_65")]
    DisabilityUnder65,
    /// 適用除外: receiving 生活保護.
    WelfareExcluded,
    /// 資格喪失: died; lost the next day.
    LostDeath,
    /// 資格喪失: left the prefecture; lost the next day.
    LostMovedOut,
    /// Not (yet) a resident of the union's area on that day.
    NotYetResident,
}

impl Reason {
    /// The stable code (`age_75`, `disability_certified`, …).
    pub fn code(self) -> &'static str {
        match self {
            Reason::Age75 => "age_75",
            Reason::DisabilityCertified => "disability_certified",
            Reason::MovedIn => "moved_in",
            Reason::Under75 => "under_75",
            Reason::DisabilityUnder65 => "disability_under_65",
            Reason::WelfareExcluded => "welfare_excluded",
            Reason::LostDeath => "lost_death",
            Reason::LostMovedOut => "lost_moved_out",
            Reason::NotYetResident => "not_yet_resident",
        }
    }

    /// What staff see on the decision screen.
    pub fn label_ja(self) -> &'static str {
        match self {
            Reason::Age75 => "75歳到達",
            Reason::DisabilityCertified => "障害認定",
            Reason::MovedIn => "転入",
            Reason::Under75 => "75歳未満（障害認定なし）",
            Reason::DisabilityUnder65 => "65歳未満のため障害認定による資格なし",
            Reason::WelfareExcluded => "適用除外（生活保護受給中）",
            Reason::LostDeath => "資格喪失（死亡）",
            Reason::LostMovedOut => "資格喪失（県外転出）",
            Reason::NotYetResident => "区域内に住所なし（転入日前）",
        }
    }
}

/// The decision for one day.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Insured on the day asked about.
    pub eligible: bool,
    /// 資格取得年月日 when insured.
    pub acquisition_date: Option<Date>,
    /// 資格喪失年月日 (the day after death or leaving) when the qualification was lost.
    pub loss_date: Option<Date>,
    /// For residents not yet insured only by age: the day they will be (the 75th birthday).
    pub expected_acquisition_date: Option<Date>,
    /// Why.
    pub reason: Reason,
}

impl Eligibility {
    fn no(reason: Reason) -> Self {
        Eligibility {
            eligible: false,
            acquisition_date: None,
            loss_date: None,
            expected_acquisition_date: None,
            reason,
        }
    }
}

/// Facts that contradict each other: the decision cannot be made, staff must correct the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EligibilityError {
    /// No birth date.
    #[error("birth date is missing")]
    MissingBirth,
    /// The evaluation day is before birth.
    #[error("evaluation date is before the birth date")]
    BeforeBirth,
    /// An event (certification, move, death) dated before birth.
    #[error("{0} is dated before the birth date")]
    EventBeforeBirth(&'static str),
    /// Moved out before moving in.
    #[error("moved out before moving in")]
    MovedOutBeforeIn,
    /// Past the calendar range.
    #[error("date out of range")]
    OutOfRange,
}

impl StaffMessage for EligibilityError {
    fn message_ja(&self) -> String {
        match self {
            EligibilityError::MissingBirth => "生年月日を入力してください。".into(),
            EligibilityError::BeforeBirth => "判定日が生年月日より前です。".into(),
            EligibilityError::EventBeforeBirth(what) => {
                let what = match *what {
                    "disability certification" => "障害認定日",
                    "moving in" => "転入日",
                    "moving out" => "転出日",
                    _ => "死亡日",
                };
                format!("{what}が生年月日より前です。日付を確認してください。")
            }
            EligibilityError::MovedOutBeforeIn => {
                "転出日が転入日より前です。日付を確認してください。".into()
            }
            EligibilityError::OutOfRange => "日付が扱える範囲外です。".into(),
        }
    }
}

/// Decides 後期高齢者医療 eligibility on day `on`.
pub fn evaluate_kouki(facts: &KoukiFacts, on: Date) -> Result<Eligibility, EligibilityError> {
    let birth = facts.birth.ok_or(EligibilityError::MissingBirth)?;
    if on < birth {
        return Err(EligibilityError::BeforeBirth);
    }
    for (date, what) in [
        (facts.disability_certified, "disability certification"),
        (facts.moved_in, "moving in"),
        (facts.moved_out, "moving out"),
        (facts.died, "death"),
    ] {
        if date.is_some_and(|d| d < birth) {
            return Err(EligibilityError::EventBeforeBirth(what));
        }
    }
    if let (Some(i), Some(o)) = (facts.moved_in, facts.moved_out)
        && o < i
    {
        return Err(EligibilityError::MovedOutBeforeIn);
    }

    // 資格喪失: the day after death or leaving the prefecture (第53条); the earlier event wins.
    let next = |d: Date| d.succ_opt().ok_or(EligibilityError::OutOfRange);
    let death_loss = facts.died.map(next).transpose()?;
    let move_loss = facts.moved_out.map(next).transpose()?;
    let loss = match (death_loss, move_loss) {
        (Some(d), Some(m)) if m < d => Some((m, Reason::LostMovedOut)),
        (Some(d), _) => Some((d, Reason::LostDeath)),
        (None, Some(m)) => Some((m, Reason::LostMovedOut)),
        (None, None) => None,
    };
    if let Some((loss_date, reason)) = loss
        && on >= loss_date
    {
        return Ok(Eligibility {
            loss_date: Some(loss_date),
            ..Eligibility::no(reason)
        });
    }

    if facts.moved_in.is_some_and(|m| on < m) {
        return Ok(Eligibility::no(Reason::NotYetResident));
    }
    if facts.on_welfare {
        return Ok(Eligibility::no(Reason::WelfareExcluded));
    }

    let age75 = kouki_age_date(birth).ok_or(EligibilityError::OutOfRange)?;
    let eligible = |from: Date, reason: Reason| Eligibility {
        eligible: true,
        acquisition_date: Some(from),
        loss_date: None,
        expected_acquisition_date: None,
        reason,
    };
    if on >= age75 {
        return Ok(match facts.moved_in {
            Some(m) if m > age75 => eligible(m, Reason::MovedIn),
            _ => eligible(age75, Reason::Age75),
        });
    }

    let age65 = kouki_disability_earliest(birth).ok_or(EligibilityError::OutOfRange)?;
    if let Some(certified) = facts.disability_certified.filter(|c| *c <= on) {
        if on < age65 {
            return Ok(Eligibility::no(Reason::DisabilityUnder65));
        }
        let from = [Some(certified), Some(age65), facts.moved_in]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(certified);
        return Ok(eligible(from, Reason::DisabilityCertified));
    }

    Ok(Eligibility {
        expected_acquisition_date: Some(age75),
        ..Eligibility::no(Reason::Under75)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn born(y: i32, m: u32, day: u32) -> KoukiFacts {
        KoukiFacts {
            birth: Some(d(y, m, day)),
            ..KoukiFacts::default()
        }
    }

    #[test]
    fn age_75_boundary() {
        let f = born(1951, 12, 1);
        let before = evaluate_kouki(&f, d(2026, 11, 30)).expect("valid");
        assert!(!before.eligible);
        assert_eq!(before.reason, Reason::Under75);
        assert_eq!(before.expected_acquisition_date, Some(d(2026, 12, 1)));
        let on = evaluate_kouki(&f, d(2026, 12, 1)).expect("valid");
        assert!(on.eligible);
        assert_eq!(on.acquisition_date, Some(d(2026, 12, 1)));
        assert_eq!(on.reason, Reason::Age75);
    }

    #[test]
    fn disability_from_65_from_the_certification_date() {
        let mut f = born(1958, 3, 10);
        f.disability_certified = Some(d(2025, 6, 2));
        assert_eq!(
            evaluate_kouki(&f, d(2025, 6, 1)).expect("valid").reason,
            Reason::Under75
        );
        let r = evaluate_kouki(&f, d(2025, 6, 2)).expect("valid");
        assert!(r.eligible);
        assert_eq!(r.acquisition_date, Some(d(2025, 6, 2)));
        assert_eq!(r.reason, Reason::DisabilityCertified);
        // Certified before the 65th birthday (2023-03-10): insured from the birthday, not before.
        let mut early = born(1958, 3, 10);
        early.disability_certified = Some(d(2023, 1, 5));
        assert_eq!(
            evaluate_kouki(&early, d(2023, 3, 9)).expect("valid").reason,
            Reason::DisabilityUnder65
        );
        let r = evaluate_kouki(&early, d(2023, 3, 10)).expect("valid");
        assert_eq!(r.acquisition_date, Some(d(2023, 3, 10)));
        // At 75 the reason becomes age, from the 75th birthday.
        let r = evaluate_kouki(&early, d(2033, 3, 10)).expect("valid");
        assert_eq!(r.reason, Reason::Age75);
    }

    #[test]
    fn moving_in_starts_on_the_moving_in_day() {
        let mut f = born(1940, 5, 5);
        f.moved_in = Some(d(2026, 11, 21));
        assert_eq!(
            evaluate_kouki(&f, d(2026, 11, 20)).expect("valid").reason,
            Reason::NotYetResident
        );
        let r = evaluate_kouki(&f, d(2026, 11, 21)).expect("valid");
        assert_eq!(r.acquisition_date, Some(d(2026, 11, 21)));
        assert_eq!(r.reason, Reason::MovedIn);
        // Moved in before turning 75: age is the reason, from the birthday.
        let mut young = born(1951, 12, 1);
        young.moved_in = Some(d(2020, 4, 1));
        let r = evaluate_kouki(&young, d(2026, 12, 1)).expect("valid");
        assert_eq!(
            (r.reason, r.acquisition_date),
            (Reason::Age75, Some(d(2026, 12, 1)))
        );
    }

    #[test]
    fn welfare_excludes() {
        let mut f = born(1940, 5, 5);
        f.on_welfare = true;
        let r = evaluate_kouki(&f, d(2026, 11, 21)).expect("valid");
        assert!(!r.eligible);
        assert_eq!(r.reason, Reason::WelfareExcluded);
    }

    #[test]
    fn loss_is_the_next_day() {
        let mut f = born(1940, 5, 5);
        f.died = Some(d(2026, 11, 20));
        let on_death_day = evaluate_kouki(&f, d(2026, 11, 20)).expect("valid");
        assert!(on_death_day.eligible);
        let after = evaluate_kouki(&f, d(2026, 11, 21)).expect("valid");
        assert!(!after.eligible);
        assert_eq!(after.reason, Reason::LostDeath);
        assert_eq!(after.loss_date, Some(d(2026, 11, 21)));

        let mut moved = born(1940, 5, 5);
        moved.moved_out = Some(d(2026, 3, 31));
        assert!(
            evaluate_kouki(&moved, d(2026, 3, 31))
                .expect("valid")
                .eligible
        );
        let r = evaluate_kouki(&moved, d(2026, 4, 1)).expect("valid");
        assert_eq!(
            (r.reason, r.loss_date),
            (Reason::LostMovedOut, Some(d(2026, 4, 1)))
        );

        // Both: the earlier loss wins.
        moved.died = Some(d(2026, 5, 1));
        assert_eq!(
            evaluate_kouki(&moved, d(2026, 6, 1)).expect("valid").reason,
            Reason::LostMovedOut
        );
    }

    #[test]
    fn contradictions_are_errors() {
        let f = born(1940, 5, 5);
        assert_eq!(
            evaluate_kouki(&f, d(1939, 1, 1)),
            Err(EligibilityError::BeforeBirth)
        );
        let mut g = f;
        g.died = Some(d(1930, 1, 1));
        assert_eq!(
            evaluate_kouki(&g, d(2026, 1, 1)),
            Err(EligibilityError::EventBeforeBirth("death"))
        );
        let mut h = f;
        h.moved_in = Some(d(2020, 1, 1));
        h.moved_out = Some(d(2019, 1, 1));
        assert_eq!(
            evaluate_kouki(&h, d(2026, 1, 1)),
            Err(EligibilityError::MovedOutBeforeIn)
        );
        assert_eq!(
            evaluate_kouki(&KoukiFacts::default(), d(2026, 1, 1)),
            Err(EligibilityError::MissingBirth)
        );
    }

    #[test]
    fn reason_codes_are_stable() {
        assert_eq!(
            serde_json::to_string(&Reason::Age75).expect("ser"),
            "\"age_75\""
        );
        assert_eq!(
            serde_json::to_string(&Reason::Under75).expect("ser"),
            "\"under_75\""
        );
        for r in [
            Reason::Age75,
            Reason::DisabilityCertified,
            Reason::MovedIn,
            Reason::Under75,
            Reason::DisabilityUnder65,
            Reason::WelfareExcluded,
            Reason::LostDeath,
            Reason::LostMovedOut,
            Reason::NotYetResident,
        ] {
            assert_eq!(
                serde_json::to_string(&r).expect("ser"),
                format!("\"{}\"", r.code())
            );
        }
    }
}
