//! Synthetic files for the tests (no real person's data).

#![allow(dead_code)]

use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_files::{FileWriter, LayoutSet};

pub fn layouts() -> LayoutSet {
    LayoutSet::builtin().unwrap()
}

pub fn municipality() -> MunicipalityCode {
    MunicipalityCode::from_five_digits("15202").unwrap()
}

pub fn created() -> Date {
    Date::from_ymd_opt(2026, 4, 1).unwrap()
}

/// A 住基情報 row: household i/2, 宛名番号 i, 転入 on 令和7年4月1日.
pub fn juki_row(i: u64) -> Vec<String> {
    vec![
        municipality().as_str().to_owned(),
        format!("{}", 100_000 + i / 2),
        format!("{}", 200_000 + i),
        "123456789018".into(),
        "01".into(),
        "5070401".into(),
        "5070402".into(),
        "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
        "山田太郎".into(),
        "3261201".into(),
        "1".into(),
        "01".into(),
        "9500001".into(),
        "新潟県新潟市中央区一番町１－２－３".into(),
        String::new(),
        String::new(),
    ]
}

pub fn write_file(layout_id: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let set = layouts();
    let layout = set.latest(layout_id).unwrap().clone();
    let mut w = FileWriter::new(layout, Vec::new(), &municipality(), created()).unwrap();
    for r in rows {
        let refs: Vec<&str> = r.iter().map(String::as_str).collect();
        w.write(&refs).unwrap();
    }
    w.finish().unwrap()
}

pub fn juki_file(n: u64) -> Vec<u8> {
    let rows: Vec<Vec<String>> = (0..n).map(juki_row).collect();
    write_file("juki", &rows)
}

/// A 所得・課税情報 row (CSV).
pub fn shotoku_row(i: u64) -> Vec<String> {
    vec![
        municipality().as_str().to_owned(),
        format!("{}", 200_000 + i),
        String::new(),
        "2025".into(),
        "1800000".into(),
        "0".into(),
        "1800000".into(),
        String::new(),
        "1".into(),
        "2026-03-15".into(),
    ]
}

pub fn shotoku_file(n: u64) -> Vec<u8> {
    let rows: Vec<Vec<String>> = (0..n).map(shotoku_row).collect();
    write_file("shotoku", &rows)
}

/// Splits a file into its lines, each with its line ending.
pub fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}
