//! The stable command-line interface of `madoguchi-admin`: output lines and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::{Command, Output};

fn admin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout_first_line(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn check_accepts_valid_identifiers() {
    for (kind, value, expect) in [
        ("my-number", "123456789018", "個人番号: 有効"),
        ("insurer-number", "39342027", "後期高齢者医療"),
        ("insurer-number", "131045", "市町村国保"),
        ("municipality-code", "152021", "新潟県"),
        ("insured-number", "12345678", "被保険者番号: 有効"),
    ] {
        let o = admin(&["check", kind, value]);
        assert_eq!(o.status.code(), Some(0), "{kind} {value}");
        assert!(
            stdout_first_line(&o).contains(expect),
            "{kind}: {}",
            stdout_first_line(&o)
        );
    }
}

#[test]
fn check_refuses_with_the_reason_on_stderr() {
    let o = admin(&["check", "my-number", "123456789012"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("検査用数字が一致しません"), "{err}");
    assert!(err.contains("check digit"), "{err}");
    assert!(
        !err.contains("123456789012"),
        "the number must not be echoed"
    );

    let o = admin(&["check", "municipality-code", "15202"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("6桁"));

    let o = admin(&["check", "no-such-kind", "1"]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn wareki_converts_both_ways() {
    for (input, expect) in [
        ("1951-12-01", "昭和26年12月1日"),
        ("2019-05-01", "令和元年5月1日"),
        ("1989-01-07", "昭和64年1月7日"),
        ("1989-01-08", "平成元年1月8日"),
        ("昭和26年12月1日", "1951-12-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("S26.12.1", "1951-12-01"),
        ("R8.11.21", "2026-11-21"),
        ("3261201", "1951-12-01"),
        ("昭和２６年１２月１日", "1951-12-01"),
    ] {
        let o = admin(&["wareki", input]);
        assert_eq!(o.status.code(), Some(0), "{input}");
        assert_eq!(stdout_first_line(&o), expect, "{input}");
    }
    for bad in [
        "平成31年5月1日",
        "昭和64年1月8日",
        "令和元年4月30日",
        "昭和26年2月30日",
        "2023-02-29",
        "hello",
    ] {
        let o = admin(&["wareki", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(o.stdout.is_empty(), "{bad}");
    }
    let o = admin(&["wareki", "平成31年5月1日"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("平成は平成31年4月30日までです"));
}

fn eligibility(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["eligibility", "--scheme", "kouki"];
    all.extend_from_slice(args);
    let o = admin(&all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&stdout_first_line(&o)).expect("one JSON object")
}

#[test]
fn eligibility_prints_one_json_object() {
    let v = eligibility(&["--birth", "1951-12-01", "--on", "2026-12-01"]);
    assert_eq!(v["eligible"], true);
    assert_eq!(v["acquisition_date"], "2026-12-01");
    assert_eq!(v["reason"], "age_75");

    let v = eligibility(&["--birth", "1951-12-01", "--on", "2026-11-30"]);
    assert_eq!(v["eligible"], false);
    assert_eq!(v["acquisition_date"], serde_json::Value::Null);
    assert_eq!(v["reason"], "under_75");

    let v = eligibility(&[
        "--birth",
        "1958-03-10",
        "--on",
        "2025-06-02",
        "--disability-certified",
        "2025-06-02",
    ]);
    assert_eq!(
        (v["eligible"].as_bool(), v["reason"].as_str()),
        (Some(true), Some("disability_certified"))
    );

    let v = eligibility(&["--birth", "1940-05-05", "--on", "2026-11-21", "--welfare"]);
    assert_eq!(v["reason"], "welfare_excluded");

    let v = eligibility(&[
        "--birth",
        "1940-05-05",
        "--on",
        "2026-11-21",
        "--moved-in",
        "2026-11-21",
    ]);
    assert_eq!(
        (v["acquisition_date"].as_str(), v["reason"].as_str()),
        (Some("2026-11-21"), Some("moved_in"))
    );

    // 和暦 input is accepted too.
    let v = eligibility(&["--birth", "S26.12.1", "--on", "R8.12.1"]);
    assert_eq!(v["reason"], "age_75");
}

#[test]
fn eligibility_refuses_bad_dates() {
    let o = admin(&[
        "eligibility",
        "--scheme",
        "kouki",
        "--birth",
        "1951-02-30",
        "--on",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("生年月日"));
    let o = admin(&[
        "eligibility",
        "--scheme",
        "kokuho",
        "--birth",
        "1951-02-01",
        "--on",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
