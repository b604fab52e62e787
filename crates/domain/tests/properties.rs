//! Property tests: round trips of 和暦 and kana, check digits, and the age rules, over generated input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_domain::Date;
use madoguchi_domain::age::{age_on, attainment_day, nth_birthday};
use madoguchi_domain::eligibility::{KoukiFacts, Reason, evaluate_kouki};
use madoguchi_domain::ids::{InsurerNumber, MunicipalityCode, MyNumber, PrefectureCode};
use madoguchi_domain::kana::{KanaName, seion_key};
use madoguchi_domain::wareki::{DateForm, Era, WarekiDate, parse_date, parse_wareki};
use proptest::prelude::*;

fn first_supported() -> Date {
    Date::from_ymd_opt(1873, 1, 1).expect("date")
}

/// Any day from 明治6年1月1日 to 2100-12-31.
fn any_date() -> impl Strategy<Value = Date> {
    let start = first_supported();
    let end = Date::from_ymd_opt(2100, 12, 31).expect("date");
    (0..=(end - start).num_days()).prop_map(move |n| start + chrono::Days::new(n as u64))
}

/// Days within ±3 of an era boundary, where mistakes happen.
fn boundary_date() -> impl Strategy<Value = Date> {
    (0usize..4, -3i64..=3).prop_map(|(i, off)| {
        let first = [Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa][i].first_day();
        first
            .checked_add_signed(chrono::Duration::days(off))
            .expect("date")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn wareki_round_trips_in_every_form(date in prop_oneof![any_date(), boundary_date()]) {
        let w = WarekiDate::from_date(date).expect("supported");
        prop_assert!(w.era().first_day() <= date);
        prop_assert!(w.era().last_day().is_none_or(|l| date <= l));
        prop_assert_eq!(parse_wareki(&w.to_string()).expect("long form").date(), date);
        prop_assert_eq!(parse_wareki(&w.short()).expect("short form").date(), date);
        if let Some(c) = w.code7() {
            prop_assert_eq!(parse_wareki(&c).expect("code form").date(), date);
        }
        let iso = date.format("%Y-%m-%d").to_string();
        prop_assert_eq!(parse_date(&iso), Ok((date, DateForm::Gregorian)));
        // Full-width digits as an IME gives them.
        let full: String = w.to_string().chars().map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        }).collect();
        prop_assert_eq!(parse_wareki(&full).expect("full width").date(), date);
    }

    #[test]
    fn a_day_written_in_the_wrong_era_is_refused(date in boundary_date()) {
        // The same month and day written with the neighbouring era's numbering never parses silently
        // into a different day: it either names the same day or is refused.
        let w = WarekiDate::from_date(date).expect("supported");
        for other in Era::ALL {
            if other == w.era() { continue; }
            // Gregorian year of each era's 元年 (明治元年 = 1868, although this crate starts at 明治6年).
            let gannen = match other { Era::Meiji => 1868, Era::Taisho => 1912, Era::Showa => 1926, Era::Heisei => 1989, Era::Reiwa => 2019 };
            let year = i64::from(chrono::Datelike::year(&date)) - gannen + 1;
            if year < 1 { continue; }
            let text = format!("{}{}年{}月{}日", other.name_ja(), year, w.month(), w.day());
            if let Ok(parsed) = parse_wareki(&text) {
                prop_assert_eq!(parsed.date(), date);
            }
        }
    }

    #[test]
    fn my_number_check_digit(body in proptest::array::uniform11(0u8..10), wrong in 1u8..10) {
        let n = MyNumber::from_eleven_digits(body).expect("digits");
        prop_assert!(MyNumber::parse(n.reveal()).is_ok());
        let mut s: Vec<u8> = n.reveal().bytes().collect();
        s[11] = b'0' + (s[11] - b'0' + wrong) % 10;
        let corrupted = String::from_utf8(s).expect("ascii");
        prop_assert!(MyNumber::parse(&corrupted).is_err());
    }

    #[test]
    fn insurer_number_check_digit(pref in 1u8..=47, insurer in 0u16..1000, wrong in 1u8..10) {
        let n = InsurerNumber::kouki(PrefectureCode::new(pref).expect("pref"), insurer).expect("parts");
        prop_assert!(n.is_kouki());
        prop_assert_eq!(n.prefecture().get(), pref);
        let again = InsurerNumber::parse(n.as_str());
        prop_assert_eq!(again.as_ref(), Ok(&n));
        let mut s: Vec<u8> = n.as_str().bytes().collect();
        s[7] = b'0' + (s[7] - b'0' + wrong) % 10;
        prop_assert!(InsurerNumber::parse(std::str::from_utf8(&s).expect("ascii")).is_err());
        // The 6-digit NHI form follows the same rule.
        let six = &n.as_str()[2..7];
        let digits: Vec<u8> = six.bytes().map(|b| b - b'0').collect();
        let nhi = format!("{six}{}", InsurerNumber::check_digit(&digits));
        prop_assert!(InsurerNumber::parse(&nhi).expect("nhi").is_municipal_nhi());
    }

    #[test]
    fn municipality_code_check_digit(pref in 1u8..=47, city in 0u16..1000, wrong in 1u8..10) {
        let five = format!("{pref:02}{city:03}");
        let m = MunicipalityCode::from_five_digits(&five).expect("valid");
        prop_assert_eq!(m.prefecture().get(), pref);
        let mut s: Vec<u8> = m.as_str().bytes().collect();
        s[5] = b'0' + (s[5] - b'0' + wrong) % 10;
        prop_assert!(MunicipalityCode::parse(std::str::from_utf8(&s).expect("ascii")).is_err());
    }

    #[test]
    fn kana_normalisation_is_idempotent_and_width_blind(
        syllables in proptest::collection::vec(0usize..KATAKANA.len(), 1..12),
        split in 0usize..12,
    ) {
        let kata: String = syllables.iter().map(|&i| KATAKANA[i]).collect();
        let at = split.min(kata.chars().count());
        let with_space: String = kata.chars().take(at).chain(if at > 0 { Some(' ') } else { None })
            .chain(kata.chars().skip(at)).collect();
        let k = KanaName::parse(&with_space).expect("katakana");
        let again = KanaName::parse(k.as_str());
        prop_assert_eq!(again.as_ref(), Ok(&k));
        let hira: String = with_space.chars().map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        }).collect();
        let from_hira = KanaName::parse(&hira);
        prop_assert_eq!(from_hira.as_ref(), Ok(&k));
        let half: String = with_space.chars().map(to_half_width).collect();
        let from_half = KanaName::parse(&half);
        prop_assert_eq!(from_half.as_ref(), Ok(&k));
        let key = k.seion_key();
        prop_assert_eq!(seion_key(key.as_str()).expect("key is kana"), key.clone());
        prop_assert!(!key.as_str().contains(char::from_u32(0x3000).unwrap_or(' ')));
    }

    #[test]
    fn age_steps_up_exactly_on_birthdays(birth in any_date(), n in 1u32..110) {
        if let Some(b) = nth_birthday(birth, n) {
            prop_assert_eq!(age_on(birth, b), Some(n));
            let reached = attainment_day(birth, n).expect("day before");
            prop_assert_eq!(age_on(birth, reached), Some(n - 1));
        }
    }

    #[test]
    fn kouki_by_age_matches_the_age(birth in any_date(), days in 0i64..40000) {
        let on = birth + chrono::Duration::days(days);
        let facts = KoukiFacts { birth: Some(birth), ..KoukiFacts::default() };
        let r = evaluate_kouki(&facts, on).expect("consistent");
        let age = age_on(birth, on).expect("born");
        prop_assert_eq!(r.eligible, age >= 75);
        match r.reason {
            Reason::Age75 => prop_assert_eq!(r.acquisition_date, nth_birthday(birth, 75)),
            Reason::Under75 => prop_assert!(age < 75),
            other => prop_assert!(false, "unexpected reason {:?}", other),
        }
    }
}

const KATAKANA: [&str; 30] = [
    "ア", "イ", "ウ", "カ", "ガ", "キ", "ギ", "シ", "ジ", "タ", "ダ", "ツ", "ッ", "ハ", "バ", "パ",
    "フ", "ブ", "プ", "マ", "ヤ", "ャ", "ュ", "ョ", "ラ", "ワ", "ン", "ー", "ヴ", "ヲ",
];

/// Full-width katakana to the half-width form a legacy system would send (voiced ones as two characters).
fn to_half_width(c: char) -> String {
    const FULL: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    let base = |c: char| {
        FULL.chars()
            .position(|f| f == c)
            .and_then(|i| char::from_u32(0xFF66 + i as u32))
    };
    if c == ' ' {
        return " ".into();
    }
    if let Some(h) = base(c) {
        return h.to_string();
    }
    let (plain, mark) = match c {
        'ヴ' => ('ウ', 'ﾞ'),
        'ガ' | 'ギ' | 'ジ' | 'ダ' | 'バ' | 'ブ' => {
            (char::from_u32(c as u32 - 1).unwrap_or(c), 'ﾞ')
        }
        'パ' | 'プ' => (char::from_u32(c as u32 - 2).unwrap_or(c), 'ﾟ'),
        _ => return c.to_string(),
    };
    format!("{}{}", base(plain).unwrap_or(plain), mark)
}
