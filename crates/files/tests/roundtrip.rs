//! Property: whatever the writer puts in a layout, the reader gives back as the same typed values, in both
//! encodings (fixed-length CP932 and UTF-8 CSV).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_domain::Date;
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_files::{GaijiMap, ReadOptions, Value, check};
use proptest::prelude::*;

const KANJI: &[char] = &[
    '山', '田', '太', '郎', '花', '子', '髙', '﨑', '鈴', '木', '佐', '藤', '一', '々', '〇',
];
const KANA: &[char] = &['ｱ', 'ｲ', 'ｳ', 'ﾀ', 'ﾞ', 'ﾊ', 'ﾟ', 'ｰ', 'ﾝ'];

fn text(chars: &'static [char], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(chars), 1..=max)
        .prop_map(|v| v.into_iter().collect())
}

fn date() -> impl Strategy<Value = Date> {
    // 昭和元年12月25日 .. 令和12年
    (0i64..37_600).prop_map(|d| Date::from_ymd_opt(1926, 12, 25).unwrap() + chrono_days(d))
}

fn chrono_days(d: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::days(d)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fixed_length_juki_rows_read_back_as_written(
        rows in proptest::collection::vec((text(KANJI, 20), text(KANA, 40), date(), 0i64..10_000_000), 1..20)
    ) {
        let written: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, (name, kana, born, _))| {
                let mut r = juki_row(i as u64);
                r[8] = name.clone();
                r[7] = kana.clone();
                r[9] = WarekiDate::from_date(*born).unwrap().code7().unwrap();
                r
            })
            .collect();
        let file = write_file("juki", &written);
        let map = GaijiMap::empty();
        let mut back = Vec::new();
        let list = check(&layouts(), "juki", &file[..], ReadOptions::new(&map), |r| back.push(r)).unwrap();
        prop_assert!(list.is_clean(), "{}", list.render_ja("p"));
        prop_assert_eq!(back.len(), rows.len());
        for (r, (name, kana, born, _)) in back.iter().zip(&rows) {
            prop_assert_eq!(r.get("name").and_then(Value::as_str), Some(name.as_str()));
            prop_assert_eq!(r.get("name_kana").and_then(Value::as_str), Some(kana.as_str()));
            prop_assert_eq!(r.get("birth_date").and_then(Value::as_date), Some(*born));
        }
    }

    #[test]
    fn csv_tainou_amounts_and_dates_read_back_as_written(
        rows in proptest::collection::vec((date(), 0i64..10_000_000, proptest::bool::ANY), 1..20)
    ) {
        let written: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .map(|(i, (due, amount, neg))| {
                vec![
                    municipality().as_str().to_owned(),
                    format!("{}", 300 + i),
                    String::new(),
                    "2025".into(),
                    "01".into(),
                    due.format("%Y-%m-%d").to_string(),
                    if *neg { format!("-{amount}") } else { amount.to_string() },
                    "1".into(),
                    due.format("%Y%m%d").to_string(),
                ]
            })
            .collect();
        let file = write_file("tainou", &written);
        let map = GaijiMap::empty();
        let mut back = Vec::new();
        let list = check(&layouts(), "tainou", &file[..], ReadOptions::new(&map), |r| back.push(r)).unwrap();
        prop_assert!(list.is_clean(), "{}", list.render_ja("p"));
        for (r, (due, amount, neg)) in back.iter().zip(&rows) {
            let yen = if *neg { -*amount } else { *amount };
            prop_assert_eq!(r.get("arrears").and_then(Value::as_amount).map(|y| y.get()), Some(yen));
            prop_assert_eq!(r.get("due_date").and_then(Value::as_date), Some(*due));
            prop_assert_eq!(r.get("as_of").and_then(Value::as_date), Some(*due));
        }
    }
}
