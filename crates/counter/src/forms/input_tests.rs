//! The counter's forms apply the union's rules for free text, 郵便番号 and date ranges, so the clerk sees
//! the problem in Japanese, next to the field, before anything is sent.

use super::*;
use madoguchi_domain::ids::MyNumber;
use madoguchi_protocol::v1::Notification;

fn form(v: serde_json::Value) -> NotificationForm {
    serde_json::from_value(v).expect("form")
}

fn my_number() -> String {
    MyNumber::from_eleven_digits([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9])
        .expect("synthetic")
        .reveal()
        .to_owned()
}

fn wareki_days_ago(days: u64) -> String {
    let d = today_jst() - chrono::Days::new(days);
    madoguchi_domain::wareki::WarekiDate::from_date(d)
        .expect("recent")
        .short()
}

fn move_in(address: &str, birth: &str) -> NotificationForm {
    form(serde_json::json!({
        "kind": "acquisition_move_in", "addressee_number": "880001", "household_number": "9880001",
        "name": "研修　花子", "kana": "ケンシュウ ハナコ", "birth_date": birth, "sex": "female",
        "address": address, "my_number": my_number(), "moved_in_on": wareki_days_ago(3),
    }))
}

fn mailing(recipient: &str, postal: &str, address: &str) -> NotificationForm {
    form(serde_json::json!({
        "kind": "mailing_address_change", "resident_id": "00000000-0000-4000-8000-000000000001",
        "mailing": {"recipient": recipient, "postal_code": postal, "address": address},
    }))
}

fn errors(f: &NotificationForm) -> Vec<FieldError> {
    f.parse().expect_err("invalid").fields
}

const HOSTILE: [&str; 7] = [
    "見附市\u{0}",
    "見附市\r本町",
    "見附市\n本町",
    "見附市\u{1b}[2J",
    "見附市\u{202E}町本",
    "見附市\u{2067}本町",
    "　",
];

#[test]
fn hostile_addresses_are_refused_in_japanese() {
    assert!(
        move_in("新潟県見附市研修町1-2-3", "S19.4.4")
            .parse()
            .is_ok()
    );
    let long = "町".repeat(20_000);
    for text in HOSTILE.iter().copied().chain([long.as_str()]) {
        let e = errors(&move_in(text, "S19.4.4"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "address");
        assert!(e[0].message_ja.starts_with("住所"), "{}", e[0].message_ja);
        let e = errors(&mailing("研修　一郎", "954-0000", text));
        assert_eq!(e[0].field, "mailing_address");
        let e = errors(&mailing(text, "954-0000", "見附市本町1-1"));
        assert_eq!(e[0].field, "recipient");
    }
    let e = errors(&move_in("見附市\n本町", "S19.4.4"));
    assert!(e[0].message_ja.contains("改行"), "{}", e[0].message_ja);
    let e = errors(&move_in(&"町".repeat(41), "S19.4.4"));
    assert!(
        e[0].message_ja.contains("40文字以内"),
        "{}",
        e[0].message_ja
    );
}

#[test]
fn a_new_address_is_checked_as_typed() {
    let change = |address: &str| {
        form(serde_json::json!({"kind": "change_of_particulars",
            "resident_id": "00000000-0000-4000-8000-000000000001",
            "changed_on": wareki_days_ago(1), "address": address}))
    };
    assert!(change(" 新潟県見附市本町2-2 ").parse().is_ok());
    // A trailing line break is refused (as the union would), not trimmed away; one message, on the field.
    let e = errors(&change("新潟県見附市本町2-2\n"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "address");
    assert!(e[0].message_ja.starts_with("新しい住所"));
}

#[test]
fn postal_codes_are_three_and_four_digits() {
    let Notification::MailingAddressChange(m) =
        mailing("研修　一郎", "９５４－００００", "見附市本町1-1")
            .parse()
            .expect("valid")
    else {
        panic!("kind")
    };
    assert_eq!(m.mailing_address.expect("set").postal_code, "9540000");
    for bad in [
        "ABCDEFGHIJ-not-a-postcode",
        "954 0000",
        "95400001",
        "9540-000",
    ] {
        let e = errors(&mailing("研修　一郎", bad, "見附市本町1-1"));
        assert_eq!(e[0].field, "postal_code");
        assert!(e[0].message_ja.contains("7桁"));
    }
}

#[test]
fn impossible_dates_are_refused_in_japanese() {
    // Before 明治6年 the 和暦 parser already refuses; a year far ahead parses and is refused by range.
    for birth in ["-0001-01-01", "1850-01-01", "1872-12-31", "2206-01-01"] {
        let e = errors(&move_in("見附市本町1-1", birth));
        assert_eq!(e[0].field, "birth_date", "{birth}");
        assert!(
            e[0].message_ja.starts_with("生年月日"),
            "{}",
            e[0].message_ja
        );
    }
    let tomorrow = today_jst() + chrono::Days::new(1);
    let e = errors(&move_in("見附市本町1-1", &tomorrow.to_string()));
    assert!(
        e[0].message_ja.contains("より後の日付"),
        "{}",
        e[0].message_ja
    );
    let death = |day: String| {
        form(serde_json::json!({"kind": "loss_death",
            "resident_id": "00000000-0000-4000-8000-000000000001", "died_on": day}))
    };
    assert!(death(wareki_days_ago(1)).parse().is_ok());
    let e = errors(&death(wareki_days_ago(6 * 366)));
    assert_eq!(e[0].field, "died_on");
    assert!(e[0].message_ja.starts_with("死亡日"));
    let e = SearchForm {
        birth_date: "-0001-01-01".into(),
        ..SearchForm::default()
    }
    .parse()
    .expect_err("impossible");
    assert_eq!(e.fields[0].field, "birth_date");
}
