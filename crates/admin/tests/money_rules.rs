//! `madoguchi-admin burden-ratio` and `premium`: JSON in, plain lines out, Japanese refusal and exit 1.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn admin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn rates(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/rates")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Writes a household file (synthetic people only) and returns its path.
fn household(dir: &Path, name: &str, json: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, json).expect("written");
    p
}

fn lines(o: &Output) -> Vec<String> {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn burden(scheme: &str, on: &str, file: &Path, extra: &[&str]) -> Output {
    let f = file.to_string_lossy();
    let mut args = vec![
        "burden-ratio",
        "--scheme",
        scheme,
        "--on",
        on,
        "--household",
        &f,
    ];
    args.extend_from_slice(extra);
    admin(&args)
}

#[test]
fn burden_ratio_prints_one_line_per_insured_member_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The issue's example member: 課税所得 30万円, 年金 190万円 + その他 15万円 = 205万円 → 2割.
    let two = household(
        dir.path(),
        "two.json",
        r#"{"members":[{"insured":true,"birth":"1949-05-01","taxable_income":300000,"gross_income":2100000,
        "pension_income":1900000,"other_income":150000,"non_taxed":false}]}"#,
    );
    assert_eq!(
        lines(&burden("kouki", "2026-08-01", &two, &[])),
        vec!["2割"]
    );
    let explained = lines(&burden("kouki", "2026-08-01", &two, &["--explain"]));
    assert_eq!(
        explained,
        vec![
            "2割\t世帯の被保険者の課税所得が28万円以上で、年金収入とその他の合計所得金額の合計が200万円以上のため2割\t限度区分 一般Ⅱ(負担割合が2割のため)"
        ]
    );

    // A non-insured head between two insured: two lines. 145万円 and 収入 520万円 together → 3割.
    let three = household(
        dir.path(),
        "three.json",
        r#"{"members":[{"insured":true,"birth":"1948-01-01","taxable_income":1450000,"gross_income":3000000},
        {"insured":false,"head":true,"birth":"1975-03-03","taxable_income":5000000},
        {"insured":true,"birth":"1949-09-09","gross_income":2200000}]}"#,
    );
    assert_eq!(
        lines(&burden("kouki", "2026-08-01", &three, &[])),
        vec!["3割", "3割"]
    );
    // 1円 less of 収入: not 3割 (and 2割 needs 年金 + その他, here 0): 1割.
    let one = household(
        dir.path(),
        "one.json",
        r#"{"members":[{"insured":true,"birth":"1948-01-01","taxable_income":1450000,"gross_income":2999999},
        {"insured":true,"birth":"1949-09-09","gross_income":2200000}]}"#,
    );
    assert_eq!(
        lines(&burden("kouki", "2026-08-01", &one, &[])),
        vec!["1割", "1割"]
    );
}

#[test]
fn burden_ratio_kokuho_follows_the_70th_birthday() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = household(
        dir.path(),
        "h.json",
        r#"{"members":[{"insured":true,"birth":"1956-06-01"},{"insured":true,"birth":"1956-06-02"},
        {"insured":true,"birth":"2021-05-05"}]}"#,
    );
    // Born on the 1st: 2割 from 1 June; born on the 2nd: still 3割 in June; a preschool child 2割.
    assert_eq!(
        lines(&burden("kokuho", "2026-06-01", &h, &[])),
        vec!["2割", "3割", "2割"]
    );
    assert_eq!(
        lines(&burden("kokuho", "2026-07-01", &h, &[])),
        vec!["2割", "2割", "2割"]
    );
    assert_eq!(
        lines(&burden("kokuho", "2026-05-31", &h, &[])),
        vec!["3割", "3割", "2割"]
    );
}

#[test]
fn premium_prints_the_annual_amounts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = household(
        dir.path(),
        "h.json",
        r#"{"members":[{"insured":true,"head":true,"birth":"1949-05-01","total_income":580000,
        "pension_income_amount":580000,"pension_income":1680000},
        {"insured":true,"birth":"1950-01-10"}]}"#,
    );
    let f = h.to_string_lossy();
    let r = rates("kouki-training-2025.toml");
    // Household 軽減判定 580,000 − 15万円 = 43万円 → 7割: 13,260 + 12,915 → 26,100; 13,260 → 13,200.
    let out = lines(&admin(&[
        "premium",
        "--scheme",
        "kouki",
        "--rates",
        &r,
        "--household",
        &f,
    ]));
    assert_eq!(out, vec!["26100円", "13200円"]);
    let out = lines(&admin(&[
        "premium",
        "--scheme",
        "kouki",
        "--rates",
        &r,
        "--household",
        &f,
        "--explain",
    ]));
    assert_eq!(out[0], "26100円");
    assert!(
        out.contains(&"  医療分 均等割額 44,200円 → 7割軽減後 13,260円".to_owned()),
        "{out:?}"
    );
    assert!(
        out.contains(&"  医療分 所得割額 150,000円 × 8.61% = 12,915円".to_owned()),
        "{out:?}"
    );
    assert_eq!(out.iter().filter(|l| !l.starts_with("  ")).count(), 2);

    let nhi = household(
        dir.path(),
        "nhi.json",
        r#"{"members":[{"insured":true,"head":true,"birth":"1980-06-15","total_income":430000}]}"#,
    );
    let f = nhi.to_string_lossy();
    let r = rates("kokuho-training-2025.toml");
    let out = lines(&admin(&[
        "premium",
        "--scheme",
        "kokuho",
        "--rates",
        &r,
        "--household",
        &f,
    ]));
    assert_eq!(out, vec!["25500円"]);
    let r = rates("kokuho-training-2026.json");
    let out = lines(&admin(&[
        "premium",
        "--scheme",
        "kokuho",
        "--rates",
        &r,
        "--household",
        &f,
        "--explain",
    ]));
    assert!(
        out.iter()
            .any(|l| l.starts_with("  子ども・子育て支援納付金分")),
        "{out:?}"
    );
    assert!(out.iter().any(|l| l.contains("7割軽減")), "{out:?}");
}

fn refused(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(o.stdout.is_empty());
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_input_is_refused_in_japanese() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = rates("kouki-training-2026.toml");
    let negative = household(
        dir.path(),
        "neg.json",
        r#"{"members":[{"insured":true,"birth":"1949-05-01","taxable_income":-123457}]}"#,
    );
    let err = refused(&burden("kouki", "2026-08-01", &negative, &[]));
    assert!(
        err.contains("1人目の「課税所得」の値が正しくありません"),
        "{err}"
    );
    assert!(!err.contains("123457"), "the value is not echoed: {err}");

    let broken = household(
        dir.path(),
        "broken.json",
        r#"{"members":[{"birth":"1949-99-01","gross_income":4567891}]}"#,
    );
    let err = refused(&burden("kouki", "2026-08-01", &broken, &[]));
    assert!(
        err.contains("世帯ファイルの内容が正しくありません"),
        "{err}"
    );
    assert!(
        !err.contains("4567891") && !err.contains("1949-99-01"),
        "{err}"
    );

    let missing = dir.path().join("missing.json");
    assert!(
        refused(&burden("kouki", "2026-08-01", &missing, &[])).contains("世帯ファイルを読めません")
    );

    let nobody = household(
        dir.path(),
        "nobody.json",
        r#"{"members":[{"birth":"1980-01-01"}]}"#,
    );
    assert!(refused(&burden("kouki", "2026-08-01", &nobody, &[])).contains("被保険者がいません"));

    assert!(refused(&burden("kouki", "2026-02-30", &nobody, &[])).contains("判定日"));
    assert!(refused(&burden("kouki", "2020-08-01", &nobody, &[])).contains("--rates"));

    // A table of another 年度 than the day's.
    let err = refused(&burden(
        "kouki",
        "2026-08-01",
        &nobody,
        &["--rates", &rates("kouki-training-2025.toml")],
    ));
    assert!(
        err.contains("料率表は令和7年度のものです。令和8年度の計算には使えません"),
        "{err}"
    );

    let f = nobody.to_string_lossy();
    let err = refused(&admin(&[
        "premium",
        "--scheme",
        "kokuho",
        "--rates",
        &r,
        "--household",
        &f,
    ]));
    assert!(err.contains("制度"), "a 後期 table for 国保: {err}");
    let bad_table = dir.path().join("bad.toml");
    std::fs::write(&bad_table, "schema = 1\nscheme = \"kouki\"\n").expect("written");
    let err = refused(&admin(&[
        "premium",
        "--scheme",
        "kouki",
        "--rates",
        &bad_table.to_string_lossy(),
        "--household",
        &f,
    ]));
    assert!(err.contains("料率表"), "{err}");

    let o = admin(&[
        "premium",
        "--scheme",
        "dental",
        "--rates",
        &r,
        "--household",
        &f,
    ]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
}
