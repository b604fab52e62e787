//! `madoguchi-admin files check` and `media scan`: the real clamscan with the shipped EICAR-only signatures
//! (skipped only when clamscan is absent and MADOGUCHI_REQUIRE_CLAMAV is unset), then the 確認リスト.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::PathBuf;
use std::process::{Command, Output};

use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_files::{FileWriter, LayoutSet};

fn clamav_present() -> bool {
    let present = Command::new("clamscan")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert_ne!(
            std::env::var("MADOGUCHI_REQUIRE_CLAMAV").as_deref(),
            Ok("1"),
            "clamscan is not installed (MADOGUCHI_REQUIRE_CLAMAV=1)"
        );
        eprintln!("SKIPPED: clamscan is not installed (apt-get install clamav)");
    }
    present
}

fn db() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/clamav")
        .display()
        .to_string()
}

fn admin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn juki(bad_date_on_second_row: bool) -> Vec<u8> {
    let set = LayoutSet::builtin().unwrap();
    let muni = MunicipalityCode::from_five_digits("15202").unwrap();
    let mut w = FileWriter::new(
        set.latest("juki").unwrap().clone(),
        Vec::new(),
        &muni,
        Date::from_ymd_opt(2026, 4, 1).unwrap(),
    )
    .unwrap();
    for i in 0..3u32 {
        let addressee = format!("{}", 500 + i);
        let date = if bad_date_on_second_row && i == 1 {
            "5070230"
        } else {
            "5070401"
        };
        w.write(&[
            muni.as_str(),
            "77",
            &addressee,
            "123456789018",
            "03",
            date,
            "",
            "ｽｽﾞｷ ﾊﾅｺ",
            "鈴木花子",
            "3100101",
            "2",
            "02",
            "",
            "新潟県新潟市中央区一番町１",
            "",
            "",
        ])
        .unwrap();
    }
    w.finish().unwrap()
}

#[test]
fn files_check_prints_the_kakunin_list_and_exits_by_the_findings() {
    if !clamav_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("juki-good.dat");
    std::fs::write(&good, juki(false)).unwrap();
    let o = admin(&[
        "files",
        "check",
        "--layout",
        "juki",
        "--clamav-db",
        &db(),
        good.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.starts_with("確認リスト　住基情報（juki　版1）"),
        "{out}"
    );
    assert!(
        out.contains("データ件数: 3件（正常 3件、エラー 0件"),
        "{out}"
    );

    let bad = dir.path().join("juki-bad.dat");
    std::fs::write(&bad, juki(true)).unwrap();
    let o = admin(&[
        "files",
        "check",
        "--layout",
        "juki",
        "--clamav-db",
        &db(),
        bad.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("3行目\t異動日\t日付が正しくありません。2月は28日までです。"),
        "{out}"
    );
    assert!(!out.contains("鈴木"), "no value in the list");

    let o = admin(&[
        "files",
        "check",
        "--layout",
        "juki",
        "--clamav-db",
        &db(),
        dir.path().join("none.dat").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ファイルを開けません"));

    let empty = dir.path().join("empty.dat");
    std::fs::write(&empty, b"").unwrap();
    let o = admin(&[
        "files",
        "check",
        "--layout",
        "juki",
        "--clamav-db",
        &db(),
        empty.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("エラー: ファイルが空です") && err.contains("error: the file is empty"),
        "{err}"
    );
}

#[test]
fn files_check_does_not_read_an_infected_file() {
    if !clamav_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("juki.dat");
    let mut eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR".to_vec();
    eicar.extend_from_slice(b"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
    std::fs::write(&path, eicar).unwrap();
    let o = admin(&[
        "files",
        "check",
        "--layout",
        "juki",
        "--clamav-db",
        &db(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ウイルス等（Madoguchi.Test.EICAR"), "{err}");
    assert!(o.stdout.is_empty(), "no 確認リスト: the file was not read");
}

#[test]
fn media_scan_prints_the_register_entry_or_names_the_infected_file() {
    if !clamav_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("juki.dat"), juki(false)).unwrap();
    let o = admin(&[
        "media",
        "scan",
        "--database",
        &db(),
        "--volume-id",
        "USB01",
        "--staff",
        "ops01",
        dir.path().to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.starts_with("媒体管理簿"), "{out}");
    assert!(
        out.contains("登録者: ops01") && out.contains("ボリューム: USB01"),
        "{out}"
    );
    assert!(
        out.contains("juki.dat\t") && out.contains("SHA-256 "),
        "{out}"
    );

    let mut eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR".to_vec();
    eicar.extend_from_slice(b"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
    std::fs::write(dir.path().join("shuno.dat"), eicar).unwrap();
    let o = admin(&[
        "media",
        "scan",
        "--database",
        &db(),
        "--staff",
        "ops01",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shuno.dat: ウイルス等（Madoguchi.Test.EICAR"),
        "{err}"
    );
    assert!(err.contains("(infected)"), "{err}");
}

#[test]
fn files_check_with_the_print_fonts_requests_what_they_cannot_draw() {
    if !clamav_present() {
        return;
    }
    let set = LayoutSet::builtin().unwrap();
    let muni = MunicipalityCode::from_five_digits("15202").unwrap();
    let mut w = FileWriter::new(
        set.latest("jutokure").unwrap().clone(),
        Vec::new(),
        &muni,
        Date::from_ymd_opt(2026, 4, 1).unwrap(),
    )
    .unwrap();
    for (i, name) in ["髙橋幸子", "山田\u{1F600}子"].iter().enumerate() {
        let addressee = format!("{}", 900 + i);
        w.write(&[
            muni.as_str(),
            &addressee,
            "12345678",
            "ﾀｶﾊｼ",
            name,
            "3100101",
            "ホーム",
            "新潟市",
            "5070401",
            "",
            "152021",
        ])
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jutokure.csv");
    std::fs::write(&path, w.finish().unwrap()).unwrap();
    let fonts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts");
    let o = admin(&[
        "files",
        "check",
        "--layout",
        "jutokure",
        "--clamav-db",
        &db(),
        "--fonts",
        fonts.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("文字同定待ち 1件"), "{out}");
    assert!(out.contains("3行目\t氏名\t3文字目\tU+1F600"), "{out}");
    assert!(
        !out.contains("2行目\t氏名"),
        "髙 is drawn by the fonts: {out}"
    );
}
