//! Every bad input of issue #16 gets a clear Japanese message, an English code, and loses no valid row.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_domain::StaffMessage;
use madoguchi_files::{
    CheckList, Cp932Standard, FileError, FileReader, GaijiCode, GaijiMap, LooksLike, ReadOptions,
    Record, RowErrorKind, Value, check,
};

fn run(layout: &str, bytes: &[u8]) -> Result<(CheckList, Vec<Record>), FileError> {
    let set = layouts();
    let map = GaijiMap::empty();
    let mut valid = Vec::new();
    let list = check(&set, layout, bytes, ReadOptions::new(&map), |r| {
        valid.push(r)
    })?;
    Ok((list, valid))
}

fn open_err(layout: &str, bytes: &[u8]) -> FileError {
    let set = layouts();
    let map = GaijiMap::empty();
    match FileReader::open(&set, layout, bytes, ReadOptions::new(&map)) {
        Ok(_) => panic!("expected the file to be refused"),
        Err(e) => e,
    }
}

#[test]
fn a_valid_fixed_file_gives_typed_records() {
    let (list, valid) = run("juki", &juki_file(3)).unwrap();
    assert!(list.is_clean(), "{}", list.render_ja("juki.dat"));
    assert_eq!((list.rows, list.valid), (3, 3));
    let r = &valid[1];
    assert_eq!(r.line, 3);
    assert_eq!(
        r.get("addressee_number").and_then(Value::as_str),
        Some("000000000200001")
    );
    assert_eq!(r.get("name").and_then(Value::as_str), Some("山田太郎"));
    assert_eq!(
        r.get("movement_date").and_then(Value::as_date),
        madoguchi_domain::Date::from_ymd_opt(2025, 4, 1)
    );
    assert_eq!(r.get("previous_address"), Some(&Value::Empty));
    assert!(!format!("{r:?}").contains("山田"), "Debug shows no value");
}

#[test]
fn wrong_encoding_utf8_rows_in_a_cp932_layout() {
    let cp932 = juki_file(2);
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&cp932);
    let utf8 = text.into_owned().into_bytes();
    let (list, valid) = run("juki", &utf8).unwrap();
    assert!(valid.is_empty());
    assert_eq!(list.errors.len(), 2);
    assert_eq!(list.errors[0].kind, RowErrorKind::Encoding(LooksLike::Utf8));
    assert_eq!(list.errors[0].code(), "wrong_encoding");
    assert!(
        list.errors[0]
            .message_ja()
            .contains("UTF-8で書かれているようです")
    );
}

#[test]
fn wrong_encoding_cp932_bytes_in_a_utf8_csv() {
    let utf8 = shotoku_file(1);
    let mut rows = lines(&utf8);
    // A kanji-bearing row written in CP932.
    let (cp, _, _) =
        encoding_rs::SHIFT_JIS.encode("D,152021,200000,,2025,山田,0,0,,1,2026-03-15\r\n");
    rows.insert(1, cp.into_owned());
    let trailer = rows.last_mut().unwrap();
    *trailer = b"T,2\r\n".to_vec();
    let (list, valid) = run("shotoku", &rows.concat()).unwrap();
    assert_eq!(valid.len(), 1, "the neighbour row is kept");
    assert_eq!(list.errors[0].line, 2);
    assert_eq!(
        list.errors[0].kind,
        RowErrorKind::Encoding(LooksLike::Cp932)
    );
    assert!(list.errors[0].message_ja().contains("Shift_JIS（CP932）"));
}

#[test]
fn truncated_last_record_keeps_the_rows_before() {
    let file = juki_file(3);
    let l = lines(&file);
    let mut cut = l[..3].concat(); // header + 2 rows
    cut.extend_from_slice(&l[3][..100]); // the third row cut mid-copy, no trailer
    let (list, valid) = run("juki", &cut).unwrap();
    assert_eq!(valid.len(), 2);
    let e = list.file_error.unwrap();
    assert!(matches!(e, FileError::Truncated { line: 4 }), "{e:?}");
    assert_eq!(e.code(), "truncated_record");
    assert!(
        e.message_ja()
            .contains("4行目（最後のレコード）が途中で切れています")
    );
}

#[test]
fn missing_trailer_and_wrong_trailer_count_are_file_errors() {
    let file = juki_file(2);
    let l = lines(&file);
    let (list, valid) = run("juki", &l[..3].concat()).unwrap();
    assert_eq!(valid.len(), 2);
    let e = list.file_error.unwrap();
    assert!(matches!(e, FileError::MissingTrailer { last_line: 3 }));
    assert!(e.message_ja().contains("トレーラレコード（T）がありません"));

    let mut dropped = l.clone();
    dropped.remove(2); // a row lost in the copy; the trailer still says 2
    let (list, _) = run("juki", &dropped.concat()).unwrap();
    let e = list.file_error.unwrap();
    assert!(matches!(
        e,
        FileError::TrailerCount {
            declared: 2,
            counted: 1
        }
    ));
    assert!(e.message_ja().contains("（2件）と実際のデータ件数（1件）"));
}

#[test]
fn a_record_of_the_wrong_length_costs_only_itself() {
    let file = juki_file(3);
    let mut l = lines(&file);
    let n = l[2].len();
    l[2].insert(n - 2, b' ');
    let (list, valid) = run("juki", &l.concat()).unwrap();
    assert_eq!(valid.len(), 2);
    assert_eq!(list.errors.len(), 1);
    let e = &list.errors[0];
    assert_eq!((e.line, e.field.as_deref()), (3, None));
    assert_eq!(
        e.kind,
        RowErrorKind::WrongLength {
            expected: 342,
            found: 343
        }
    );
    assert_eq!(
        e.message_ja(),
        "3行目: レコード長が343バイトです（正しくは342バイト）。"
    );
}

#[test]
fn lf_file_for_a_crlf_layout_and_one_lf_row() {
    let file = juki_file(2);
    let lf: Vec<u8> = String::from_utf8_lossy(&file)
        .replace("\r\n", "\n")
        .into_bytes();
    let lf_bytes = {
        // Keep CP932 bytes: remove each CR before LF.
        let mut out = Vec::new();
        for l in lines(&file) {
            out.extend_from_slice(&l[..l.len() - 2]);
            out.push(b'\n');
        }
        out
    };
    assert_ne!(lf, lf_bytes);
    let e = open_err("juki", &lf_bytes);
    assert!(matches!(
        e,
        FileError::LineEnding {
            expected: "CRLF",
            found: "LF"
        }
    ));
    assert!(
        e.message_ja()
            .contains("改行コードがLFです。このレイアウトはCRLFです")
    );

    let mut l = lines(&file);
    let n = l[1].len();
    l[1].remove(n - 2);
    let (list, valid) = run("juki", &l.concat()).unwrap();
    assert_eq!(valid.len(), 1);
    assert_eq!(
        list.errors[0].kind,
        RowErrorKind::LineEnding { expected: "CRLF" }
    );
    assert_eq!(list.errors[0].line, 2);
}

#[test]
fn csv_accepts_lf_as_well_as_crlf() {
    let file = shotoku_file(2);
    let lf = String::from_utf8(file).unwrap().replace("\r\n", "\n");
    let (list, valid) = run("shotoku", lf.as_bytes()).unwrap();
    assert!(list.is_clean(), "{}", list.render_ja("x.csv"));
    assert_eq!(valid.len(), 2);
}

#[test]
fn bom_refused_for_cp932_skipped_and_noted_for_csv() {
    let mut fixed = vec![0xEF, 0xBB, 0xBF];
    fixed.extend(juki_file(1));
    let e = open_err("juki", &fixed);
    assert!(matches!(
        e,
        FileError::Bom {
            found: LooksLike::Utf8
        }
    ));
    assert!(e.message_ja().contains("BOM"));

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(juki_file(1));
    assert!(matches!(
        open_err("juki", &utf16),
        FileError::Bom {
            found: LooksLike::Utf16
        }
    ));

    let mut csv = vec![0xEF, 0xBB, 0xBF];
    csv.extend(shotoku_file(2));
    let (list, valid) = run("shotoku", &csv).unwrap();
    assert!(list.is_clean());
    assert!(list.bom_skipped);
    assert_eq!(valid.len(), 2);
    assert!(
        list.render_ja("x.csv")
            .contains("BOM（バイト順マーク）を読み飛ばしました")
    );
}

#[test]
fn unknown_layout_version_names_the_known_versions() {
    let mut file = juki_file(1);
    file[9..12].copy_from_slice(b"002");
    let e = open_err("juki", &file);
    assert!(matches!(&e, FileError::UnknownVersion { version: 2, known, .. } if known == &[1]));
    assert_eq!(e.code(), "unknown_layout_version");
    assert!(
        e.message_ja()
            .contains("版2はこの端末にありません（使える版: 1）")
    );
}

#[test]
fn another_layout_or_no_header_is_refused() {
    let e = open_err("jutogai", &juki_file(1));
    assert!(matches!(&e, FileError::WrongLayout { .. }));
    assert!(
        e.message_ja()
            .contains("「住基情報」で、選んだ「住登外登録情報」と違います")
    );
    let file = juki_file(1);
    let e = open_err("juki", &lines(&file)[1..].concat());
    assert!(matches!(e, FileError::NoHeader));
}

#[test]
fn empty_file() {
    let e = open_err("juki", b"");
    assert!(matches!(e, FileError::Empty));
    assert_eq!(e.code(), "empty_file");
    assert!(e.message_ja().contains("ファイルが空です"));
}

#[test]
fn duplicate_rows_and_duplicate_keys() {
    let mut rows: Vec<Vec<String>> = (0..2).map(juki_row).collect();
    rows.push(juki_row(0)); // same bytes as line 2
    let mut other_name = juki_row(1);
    other_name[8] = "山田次郎".into(); // same key as line 3, other content
    rows.push(other_name);
    let (list, valid) = run("juki", &write_file("juki", &rows)).unwrap();
    assert_eq!(valid.len(), 2);
    assert_eq!(
        list.errors[0].kind,
        RowErrorKind::DuplicateRow { first_line: 2 }
    );
    assert_eq!(list.errors[0].line, 4);
    assert_eq!(
        list.errors[1].kind,
        RowErrorKind::DuplicateKey { first_line: 3 }
    );
    assert!(
        list.errors[0]
            .message_ja()
            .contains("2行目と同じ内容の重複行です")
    );
}

/// The 氏名 of row `line_index` with 田 (0x93 0x63) replaced by the user-defined 0xF040.
fn with_gaiji_byte(file: &[u8], line_index: usize) -> Vec<u8> {
    let mut l = lines(file);
    let name_at = 1 + 6 + 15 + 15 + 12 + 2 + 7 + 7 + 40; // 0-based start of 氏名
    let name = &mut l[line_index][name_at..name_at + 8];
    assert_eq!(&name[2..4], &[0x93, 0x63]);
    name[2..4].copy_from_slice(&[0xF0, 0x40]);
    l.concat()
}

#[test]
fn a_gaiji_byte_becomes_a_placeholder_and_a_request_never_a_guess() {
    let file = with_gaiji_byte(&juki_file(2), 2);
    let (list, valid) = run("juki", &file).unwrap();
    assert!(list.is_clean());
    assert_eq!(list.awaiting_identification, 1);
    let r = &valid[1];
    assert_eq!(r.get("name").and_then(Value::as_str), Some("山●太郎"));
    assert!(r.awaits_identification());
    let g = &list.gaiji[0];
    assert_eq!((g.line, g.field.as_str(), g.offset), (3, "name", 1));
    assert_eq!(g.code, GaijiCode::Sjis(0xF040));
    let text = list.render_ja("juki.dat");
    assert!(text.contains("3行目\t氏名\t2文字目\tSJIS:F040"), "{text}");
    assert!(!text.contains("山"), "the 確認リスト names no value");

    // Once the union has identified the character, the mapping table resolves it.
    let map = GaijiMap::from_toml(
        "municipality = \"152021\"\nversion = 1\n[[char]]\ncode = \"SJIS:F040\"\nto = \"髙\"\n",
        &Cp932Standard,
    )
    .unwrap();
    let mut names = Vec::new();
    let list = check(&layouts(), "juki", &file[..], ReadOptions::new(&map), |r| {
        names.push(r.get("name").and_then(Value::as_str).unwrap().to_owned())
    })
    .unwrap();
    assert_eq!(list.awaiting_identification, 0);
    assert_eq!(names[1], "山髙太郎");
}

#[test]
fn a_character_the_fonts_cannot_draw_in_csv_is_a_request() {
    // 住所地特例者情報 is a CSV layout with 氏名.
    let row = vec![
        municipality().as_str().to_owned(),
        "200001".into(),
        "12345678".into(),
        "ﾖｼﾀﾞ".into(),
        "𠮷田花子".into(),
        "3100101".into(),
        "特別養護老人ホーム".into(),
        "新潟県新潟市".into(),
        "5070401".into(),
        String::new(),
        "152021".into(),
    ];
    let (list, valid) = run("jutokure", &write_file("jutokure", &[row])).unwrap();
    assert!(list.is_clean(), "{}", list.render_ja("x.csv"));
    assert_eq!(
        valid[0].get("name").and_then(Value::as_str),
        Some("●田花子")
    );
    assert_eq!(list.gaiji[0].code, GaijiCode::Unicode(0x20BB7));
    assert!(list.render_ja("x.csv").contains("U+20BB7"));
}

#[test]
fn reiwa_7_february_30_is_a_row_error_naming_the_field() {
    let mut rows: Vec<Vec<String>> = (0..3).map(juki_row).collect();
    rows[1][5] = "5070230".into(); // 令和7年2月30日
    let (list, valid) = run("juki", &write_file("juki", &rows)).unwrap();
    assert_eq!(valid.len(), 2);
    let e = &list.errors[0];
    assert_eq!((e.line, e.field.as_deref()), (3, Some("movement_date")));
    assert_eq!(e.code(), "invalid_date");
    assert_eq!(
        e.message_ja(),
        "3行目「異動日」: 日付が正しくありません。2月は28日までです。日を確認してください。"
    );
    assert!(!e.to_string().contains("5070230"), "log text has no value");
}

#[test]
fn several_field_errors_in_one_row_are_all_listed() {
    let mut rows = vec![juki_row(0)];
    rows[0][4] = "42".into(); // unknown 異動事由
    rows[0][10] = "9".into(); // unknown 性別
    rows[0][7] = "山田".into(); // kanji in カナ
    let (list, _) = run("juki", &write_file("juki", &rows)).unwrap();
    let fields: Vec<&str> = list
        .errors
        .iter()
        .filter_map(|e| e.field.as_deref())
        .collect();
    assert_eq!(fields, ["movement_kind", "name_kana", "sex"]);
}

#[test]
fn the_shipped_example_mapping_table_loads_and_resolves_both_kinds_of_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/gaiji/example-152021.toml");
    let map = GaijiMap::load(&path, &Cp932Standard).unwrap();
    assert_eq!(map.municipality(), "152021");
    assert_eq!(map.resolve(GaijiCode::Sjis(0xF040)), Some('髙'));
    assert_eq!(map.resolve(GaijiCode::Unicode(0x20BB7)), Some('吉'));
    assert_eq!(map.resolve(GaijiCode::Sjis(0xF041)), None);
}

#[test]
fn a_my_number_with_a_wrong_check_digit_is_a_row_error_without_the_number() {
    let mut rows: Vec<Vec<String>> = (0..2).map(juki_row).collect();
    rows[0][3] = "123456789012".into();
    let (list, valid) = run("juki", &write_file("juki", &rows)).unwrap();
    assert_eq!(valid.len(), 1);
    let e = &list.errors[0];
    assert_eq!(
        (e.line, e.field.as_deref(), e.code()),
        (2, Some("my_number"), "invalid_identifier")
    );
    assert!(
        e.message_ja().starts_with("2行目「個人番号」: "),
        "{}",
        e.message_ja()
    );
    assert!(!e.message_ja().contains("123456789012") && !e.to_string().contains("123456789012"));
}

#[test]
fn csv_line_numbers_count_the_header() {
    let (list, valid) = run("shotoku", &shotoku_file(3)).unwrap();
    assert!(list.is_clean());
    let lines: Vec<u64> = valid.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4]);
}

#[test]
fn csv_line_numbers_follow_line_breaks_inside_quoted_fields() {
    let file = String::from_utf8(shotoku_file(2)).unwrap();
    // A quoted field with a line break in the first data row: the next row starts one line later.
    let file = file.replacen(",1,2026-03-15", ",\"1\r\n\",2026-03-15", 1);
    let (list, valid) = run("shotoku", file.as_bytes()).unwrap();
    assert_eq!(valid.len(), 1);
    assert_eq!(valid[0].line, 4);
    assert_eq!(
        (list.errors[0].line, list.errors[0].field.as_deref()),
        (2, Some("tax_status"))
    );
}

#[test]
fn bytes_that_are_no_cp932_in_a_record_of_the_right_length() {
    let file = juki_file(2);
    let mut l = lines(&file);
    let name_at = 1 + 6 + 15 + 15 + 12 + 2 + 7 + 7 + 40;
    l[1][name_at..name_at + 2].copy_from_slice(&[0xFF, 0xFF]);
    let (list, valid) = run("juki", &l.concat()).unwrap();
    assert_eq!(valid.len(), 1);
    assert_eq!(list.errors.len(), 1);
    assert_eq!(
        list.errors[0].kind,
        RowErrorKind::Encoding(LooksLike::Unknown)
    );
    assert_eq!(list.errors[0].line, 2);
    assert!(
        list.errors[0]
            .message_ja()
            .contains("文字コードがレイアウトの指定と違います")
    );
}

#[test]
fn a_double_byte_character_across_a_field_boundary_is_a_split_character() {
    let file = juki_file(1);
    let mut l = lines(&file);
    // 氏名カナ's last byte becomes the lead byte of a double-byte character whose trail is 氏名's first byte.
    let kana_end = 1 + 6 + 15 + 15 + 12 + 2 + 7 + 7 + 40 - 1;
    l[1][kana_end] = 0x89;
    let (list, _) = run("juki", &l.concat()).unwrap();
    let kinds: Vec<(&str, &RowErrorKind)> = list
        .errors
        .iter()
        .map(|e| (e.field.as_deref().unwrap_or(""), &e.kind))
        .collect();
    assert!(
        kinds.contains(&("name_kana", &RowErrorKind::SplitCharacter)),
        "{kinds:?}"
    );
}
