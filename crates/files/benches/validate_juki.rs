//! Benchmark: validate a generated 1,000,000-row fixed-length 住基情報 file (issue #16 target: < 15 s in
//! release). Prints the generation time, the validation time and rows/s. Not part of the test command:
//! `cargo bench -p madoguchi-files --bench validate_juki` (`MADOGUCHI_BENCH_ROWS` changes the row count).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failed run

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_files::{FileWriter, GaijiMap, LayoutSet, ReadOptions, check};

fn main() {
    let rows: u64 = std::env::var("MADOGUCHI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let set = LayoutSet::builtin().unwrap();
    let layout = set.latest("juki").unwrap().clone();
    let municipality = MunicipalityCode::from_five_digits("15202").unwrap();
    let path =
        std::env::temp_dir().join(format!("madoguchi-bench-juki-{}.dat", std::process::id()));

    let started = Instant::now();
    let out = BufWriter::new(File::create(&path).unwrap());
    let created = Date::from_ymd_opt(2026, 4, 1).unwrap();
    let mut w = FileWriter::new(layout, out, &municipality, created).unwrap();
    let names = ["山田太郎", "佐藤花子", "鈴木一郎", "髙橋幸子", "渡邉﨑子"];
    let kana = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｻﾄｳ ﾊﾅｺ", "ｽｽﾞｷ ｲﾁﾛｳ", "ﾀｶﾊｼ ｻﾁｺ", "ﾜﾀﾅﾍﾞ ｻｷｺ"];
    for i in 0..rows {
        let k = (i % 5) as usize;
        let household = format!("{}", 100_000 + i / 2);
        let addressee = format!("{}", 200_000 + i);
        let day = format!("50704{:02}", 1 + i % 28);
        w.write(&[
            municipality.as_str(),
            &household,
            &addressee,
            "123456789018",
            if i % 3 == 0 { "01" } else { "03" },
            &day,
            "",
            kana[k],
            names[k],
            "3261201",
            if i % 2 == 0 { "1" } else { "2" },
            "01",
            "9500001",
            "新潟県新潟市中央区一番町１－２－３　ふるさと荘１０１号",
            "",
            "",
        ])
        .unwrap();
    }
    w.finish().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "generated {rows} rows, {:.1} MB, in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let map = GaijiMap::empty();
    let started = Instant::now();
    let mut valid = 0u64;
    let list = check(
        &set,
        "juki",
        BufReader::with_capacity(1 << 20, File::open(&path).unwrap()),
        ReadOptions::new(&map),
        |_| valid += 1,
    )
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    std::fs::remove_file(&path).ok();
    assert!(list.is_clean(), "{} findings", list.errors.len());
    assert_eq!(valid, rows);
    println!(
        "validated {rows} rows in {secs:.2} s: {:.0} rows/s, {:.1} MB/s (target: 1,000,000 rows < 15 s)",
        rows as f64 / secs,
        size as f64 / 1e6 / secs
    );
}
