//! Requests with hostile free text or impossible dates do not parse; good ones do, normalised.

use serde_json::{Value, json};

use crate::accounts::NewStaffRequest;
use crate::distribution::{CreateDistribution, DistributionDecisionRequest};
use crate::reprint::ReprintApprovalRequest;
use crate::v1::{
    IssuanceRequest, Notification, NotificationRequest, ResidentSearchRequest, ReturnRequest,
};
use madoguchi_domain::Date;

const RESIDENT: &str = "00000000-0000-4000-8000-000000000001";

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("valid")
}

fn my_number() -> String {
    madoguchi_domain::ids::MyNumber::from_eleven_digits([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
        .expect("synthetic")
        .reveal()
        .to_owned()
}

fn move_in(address: &str, birth: &str, received: &str) -> Value {
    json!({"received_on": received, "notification": {"kind": "acquisition_move_in", "details": {
        "resident": {"addressee_number": "123", "household_number": "456", "name": "試験　太郎",
            "kana": "シケン　タロウ", "birth_date": birth, "sex": "male", "address": address},
        "my_number": my_number(), "moved_in_on": "2026-11-01"}}})
}

fn mailing(recipient: &str, postal: &str, address: &str) -> Value {
    json!({"received_on": "2026-11-20", "notification": {"kind": "mailing_address_change", "details": {
        "resident_id": RESIDENT,
        "mailing_address": {"recipient": recipient, "postal_code": postal, "address": address}}}})
}

fn parse(v: &Value) -> Result<NotificationRequest, serde_json::Error> {
    serde_json::from_value(v.clone())
}

/// The values the outside tester sent, and more of their kind.
fn hostile_texts() -> Vec<String> {
    let mut v: Vec<String> = [
        "見附市\u{0}本町",
        "見附市\r本町",
        "見附市\n本町",
        "見附市\u{1b}[2J",
        "見附市\t本町",
        "見附市\u{85}",
        "見附市\u{202E}町本",
        "見附市\u{2066}本町\u{2069}",
        "",
        "　 ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("あ".repeat(20_000));
    v
}

#[test]
fn a_valid_move_in_parses_with_its_address_trimmed() {
    let r = parse(&move_in(
        " 新潟県見附市昭和町一丁目1番1号　",
        "1944-04-04",
        "2026-11-20",
    ))
    .expect("valid");
    let Notification::AcquisitionMoveIn(m) = r.notification else {
        panic!("kind")
    };
    assert_eq!(m.resident.address, "新潟県見附市昭和町一丁目1番1号");
}

#[test]
fn hostile_addresses_are_refused() {
    for text in hostile_texts() {
        assert!(
            parse(&move_in(&text, "1944-04-04", "2026-11-20")).is_err(),
            "{:?}",
            text.chars().take(12).collect::<String>()
        );
        assert!(parse(&mailing("試験　一郎", "9540000", &text)).is_err());
        assert!(parse(&mailing(&text, "9540000", "見附市本町1-1")).is_err());
        let change = json!({"received_on": "2026-11-20", "notification": {
            "kind": "change_of_particulars", "details": {
                "resident_id": RESIDENT, "changed_on": "2026-11-01", "address": text}}});
        assert!(parse(&change).is_err());
    }
}

#[test]
fn postal_codes_are_normalised_or_refused() {
    for (given, stored) in [
        ("9540000", "9540000"),
        ("954-0000", "9540000"),
        ("９５４－００００", "9540000"),
    ] {
        let r = parse(&mailing("試験　一郎", given, "見附市本町1-1")).expect(given);
        let Notification::MailingAddressChange(m) = r.notification else {
            panic!("kind")
        };
        assert_eq!(m.mailing_address.expect("given").postal_code, stored);
    }
    for bad in [
        "ABCDEFGHIJ-not-a-postcode",
        "",
        "954000",
        "954-00000",
        "954 0000",
    ] {
        assert!(
            parse(&mailing("試験　一郎", bad, "見附市本町1-1")).is_err(),
            "{bad}"
        );
    }
    // Removing the 送付先 still works, with null or without the field.
    let remove = json!({"received_on": "2026-11-20", "notification": {
        "kind": "mailing_address_change", "details": {"resident_id": RESIDENT, "mailing_address": null}}});
    assert!(parse(&remove).is_ok());
}

#[test]
fn staff_text_is_checked_too() {
    let staff = |name: &str| {
        serde_json::from_value::<NewStaffRequest>(json!({"user_id": "152111-x",
            "display_name": name, "initial_password": "p", "grants": []}))
    };
    assert!(staff("見附　花子").is_ok());
    let reprint = |reason: &str| {
        serde_json::from_value::<ReprintApprovalRequest>(json!({
            "supervisor_user_id": "s", "password": "p", "reason": reason}))
    };
    assert!(reprint("用紙詰まり").is_ok());
    let reject = |reason: &str| {
        serde_json::from_value::<DistributionDecisionRequest>(json!({
            "decision": {"decision": "reject", "reason": reason},
            "content_hash": "0".repeat(64), "password": "p"}))
    };
    let note = |note: &str| {
        serde_json::from_value::<CreateDistribution>(json!({"kind": "annual_renewal",
            "municipality": "152111", "reference_date": "2026-08-01",
            "mail_class": "ordinary", "note": note}))
    };
    assert!(note("").is_ok(), "a note may be empty");
    for text in hostile_texts() {
        let blank = text.trim_matches([' ', '　']).is_empty();
        assert!(staff(&text).is_err());
        assert!(reprint(&text).is_err());
        assert!(reject(&text).is_err());
        assert_eq!(note(&text).is_err(), !blank);
    }
}

#[test]
fn impossible_dates_are_refused_when_read() {
    assert!(parse(&move_in("見附市", "-0001-01-01", "2026-11-20")).is_err());
    assert!(parse(&move_in("見附市", "1872-12-31", "2026-11-20")).is_err());
    assert!(parse(&move_in("見附市", "1873-01-01", "2026-11-20")).is_ok());
    assert!(parse(&move_in("見附市", "1944-04-04", "1850-01-01")).is_err());
    assert!(parse(&move_in("見附市", "1944-04-04", "2008-03-31")).is_err());
    let search =
        |b: &str| serde_json::from_value::<ResidentSearchRequest>(json!({"birth_date": b}));
    assert!(search("-0001-01-01").is_err());
    assert!(search("1951-12-01").is_ok());
    let issued = |day: &str| {
        serde_json::from_value::<IssuanceRequest>(json!({"issued_on": day, "method": "mail"}))
    };
    assert!(issued("1850-01-01").is_err() && issued("2026-11-21").is_ok());
    let returned = |day: &str| serde_json::from_value::<ReturnRequest>(json!({"returned_on": day}));
    assert!(returned("2206-01-01").is_err() && returned("2026-11-21").is_ok());
    let death = |day: &str| {
        parse(
            &json!({"received_on": "2026-11-20", "notification": {"kind": "loss_death",
            "details": {"resident_id": RESIDENT, "died_on": day}}}),
        )
    };
    assert!(death("0001-01-01").is_err() && death("2026-11-19").is_ok());
}

#[test]
fn dates_are_checked_against_today_and_the_receipt() {
    let today = d(2026, 11, 21);
    let ok = parse(&move_in("見附市", "1944-04-04", "2026-11-20")).expect("valid");
    assert!(ok.check_dates_on(today).is_ok());
    let future_birth = parse(&move_in("見附市", "2026-11-22", "2026-11-20")).expect("parses");
    let e = future_birth
        .check_dates_on(today)
        .expect_err("future birth");
    assert_eq!(e.field, "notification.details.resident.birth_date");
    let body = e.body();
    assert_eq!(body.code, crate::ErrorCode::InvalidField);
    assert!(body.message_ja.contains("より後の日付"));
    let old_receipt = parse(&move_in("見附市", "1944-04-04", "2024-11-20")).expect("parses");
    assert_eq!(
        old_receipt.check_dates_on(today).expect_err("old").field,
        "received_on"
    );
    let old_death = parse(
        &json!({"received_on": "2026-11-20", "notification": {"kind": "loss_death",
        "details": {"resident_id": RESIDENT, "died_on": "2020-01-01"}}}),
    )
    .expect("parses");
    assert_eq!(
        old_death
            .check_dates_on(today)
            .expect_err("old event")
            .field,
        "notification.details.died_on"
    );
    let out_ahead = |day: &str| {
        parse(
            &json!({"received_on": "2026-11-20", "notification": {"kind": "loss_move_out",
            "details": {"resident_id": RESIDENT, "moved_out_on": day}}}),
        )
        .expect("parses")
        .check_dates_on(today)
    };
    assert!(out_ahead("2026-12-21").is_ok());
    assert!(out_ahead("2026-12-22").is_err());
}

// Issue 14 #9: a 転入日 after the 受付日 is refused on the field, and the message names it, so the refusal
// says which date to correct even where it is read away from the form (差戻し on the work list).
#[test]
fn a_future_move_in_day_is_refused_naming_the_field() {
    let today = d(2026, 11, 21);
    let mut v = move_in("見附市", "1944-04-04", "2026-10-20");
    v["notification"]["details"]["moved_in_on"] = json!("2026-10-21");
    let e = parse(&v)
        .expect("parses")
        .check_dates_on(today)
        .expect_err("after the 受付日");
    assert_eq!(e.field, "notification.details.moved_in_on");
    let body = e.body();
    assert_eq!(
        body.field.as_deref(),
        Some("notification.details.moved_in_on")
    );
    assert!(
        body.message_ja.starts_with("転入日: ") && body.message_ja.contains("より後の日付"),
        "{}",
        body.message_ja
    );
    assert!(!body.message_ja.contains("2026-10-21") && !body.message_en.contains("2026-10-21"));
}
