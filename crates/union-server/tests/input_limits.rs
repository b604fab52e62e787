//! Input limits over real mutual TLS (issue 13, findings 7 and 8): free text with control or bidi characters,
//! 20,000 characters or nothing, a postal code that is not 3+4 digits, and impossible dates are answered
//! `invalid_field` with the field's path, and nothing is stored — not the resident, not the 送付先, not the
//! staff account, not even the idempotency key.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_domain::ids::AddresseeNumber;
use madoguchi_protocol::v1::{NotificationDecision, ResidentDetail};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// Every hostile text, with a name for the failure message (the texts themselves may not print).
fn hostile_texts() -> Vec<(&'static str, String)> {
    vec![
        ("NUL", "新潟県見附市\u{0}本町".to_owned()),
        ("CR", "新潟県見附市\r本町".to_owned()),
        ("LF", "新潟県見附市\n本町".to_owned()),
        ("trailing LF", "新潟県見附市本町\n".to_owned()),
        ("ESC", "新潟県見附市\u{1b}[2J本町".to_owned()),
        ("C1", "新潟県見附市\u{9b}本町".to_owned()),
        ("bidi override", "新潟県見附市\u{202E}町本".to_owned()),
        (
            "bidi isolate",
            "新潟県見附市\u{2067}本町\u{2069}".to_owned(),
        ),
        ("20,000 characters", "町".repeat(20_000)),
        ("empty", String::new()),
        ("spaces only", "　 ".to_owned()),
    ]
}

fn assert_invalid(case: &str, (s, v): (StatusCode, Value), field_ends: &str) {
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field"),
        "{case}: {v}"
    );
    let field = v["field"].as_str().unwrap_or_default();
    assert!(field.ends_with(field_ends), "{case}: field {field}");
    // The body names the field, never echoes the value.
    assert!(!v.to_string().contains("本町"), "{case}: {v}");
}

/// Submits `body` as a terminal sends it: the notification's `kind` before its `details` (the order the
/// protocol types serialise in; a `serde_json::Value` would sort `details` first, and the union could then
/// only name `notification` as the invalid field).
async fn submit(desk: &Desk, key: Uuid, body: &Value) -> (StatusCode, Value) {
    let n = &body["notification"];
    let text = format!(
        r#"{{"received_on":{},"notification":{{"kind":{},"details":{}}}}}"#,
        body["received_on"], n["kind"], n["details"]
    );
    let res = desk
        .client
        .post(format!("{}/v1/notifications", desk.base))
        .bearer_auth(&desk.token)
        .header("Idempotency-Key", key.to_string())
        .header("Content-Type", "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn addressee_of(body: &Value) -> AddresseeNumber {
    AddresseeNumber::parse(
        body["notification"]["details"]["resident"]["addressee_number"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

fn not_stored(fx: &Fixture, body: &Value) {
    let stored = fx
        .store
        .resident_by_addressee(&municipality(MITSUKE), &addressee_of(body))
        .unwrap();
    assert!(stored.is_none(), "a refused 転入 left a resident");
}

#[tokio::test]
async fn hostile_addresses_and_postal_codes_are_refused_and_nothing_is_stored() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;

    // 転入 with a hostile 住所: refused, no resident, and the key is still free for the corrected request.
    for (case, text) in hostile_texts() {
        let mut body = move_in(
            date(1944, 4, 4),
            date(2026, 11, 10),
            date(2026, 11, 21),
            false,
        );
        body["notification"]["details"]["resident"]["address"] = json!(text);
        let key = Uuid::new_v4();
        assert_invalid(case, submit(&desk, key, &body).await, "address");
        not_stored(&fx, &body);
        if case == "NUL" {
            body["notification"]["details"]["resident"]["address"] = json!("新潟県見附市本町1-1");
            let (s, v) = submit(&desk, key, &body).await;
            assert_eq!(
                s,
                StatusCode::OK,
                "the key was not used by the refusal: {v}"
            );
        }
    }

    // An insured resident to change.
    let body = move_in(
        date(1944, 4, 4),
        date(2026, 11, 10),
        date(2026, 11, 21),
        false,
    );
    let (s, v) = submit(&desk, Uuid::new_v4(), &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let decided: NotificationDecision = serde_json::from_value(v).unwrap();
    let resident = decided.resident_id;
    let detail_path = format!("/v1/residents/{resident}");
    let before: ResidentDetail = desk.typed(&detail_path).await;

    let mailing = |recipient: &str, postal: &str, address: &str| {
        json!({"received_on": "2026-11-21", "notification": {"kind": "mailing_address_change",
            "details": {"resident_id": resident, "mailing_address":
                {"recipient": recipient, "postal_code": postal, "address": address}}}})
    };
    let change = |address: &str| {
        json!({"received_on": "2026-11-21", "notification": {"kind": "change_of_particulars",
            "details": {"resident_id": resident, "changed_on": "2026-11-20", "address": address}}})
    };
    for (case, text) in hostile_texts() {
        let r = submit(
            &desk,
            Uuid::new_v4(),
            &mailing("試験　一郎", "9540000", &text),
        )
        .await;
        assert_invalid(case, r, "address");
        let r = submit(
            &desk,
            Uuid::new_v4(),
            &mailing(&text, "9540000", "新潟県見附市本町1-1"),
        )
        .await;
        assert_invalid(case, r, "recipient");
        assert_invalid(
            case,
            submit(&desk, Uuid::new_v4(), &change(&text)).await,
            "address",
        );
    }
    for postal in [
        "ABCDEFGHIJ-not-a-postcode",
        "",
        "954000",
        "954 0000",
        "95400001",
    ] {
        let r = submit(
            &desk,
            Uuid::new_v4(),
            &mailing("試験　一郎", postal, "新潟県見附市本町1-1"),
        )
        .await;
        assert_invalid(postal, r, "postal_code");
    }
    let after: ResidentDetail = desk.typed(&detail_path).await;
    assert_eq!(after.mailing_address, None, "no 送付先 was stored");
    assert_eq!(after.address, before.address, "the 住所 is unchanged");

    // A good 送付先 with a hyphenated full-width postal code is stored as seven digits.
    let (s, v) = submit(
        &desk,
        Uuid::new_v4(),
        &mailing("試験　一郎", "９５４－００００", " 新潟県見附市本町1-1 "),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after: ResidentDetail = desk.typed(&detail_path).await;
    let m = after.mailing_address.unwrap();
    assert_eq!(
        (m.postal_code.as_str(), m.address.as_str()),
        ("9540000", "新潟県見附市本町1-1")
    );
    fx.shutdown().await;
}

#[tokio::test]
async fn impossible_dates_are_refused_and_nothing_is_stored() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;

    let mut body = move_in(
        date(1944, 4, 4),
        date(2026, 11, 10),
        date(2026, 11, 21),
        false,
    );
    body["notification"]["details"]["resident"]["birth_date"] = json!("-0001-01-01");
    assert_invalid(
        "birth -0001",
        submit(&desk, Uuid::new_v4(), &body).await,
        "birth_date",
    );
    not_stored(&fx, &body);
    body["notification"]["details"]["resident"]["birth_date"] = json!("1872-12-31");
    assert_invalid(
        "birth 1872",
        submit(&desk, Uuid::new_v4(), &body).await,
        "birth_date",
    );
    not_stored(&fx, &body);

    let mut body = move_in(
        date(1944, 4, 4),
        date(2026, 11, 10),
        date(2026, 11, 21),
        false,
    );
    body["received_on"] = json!("1850-01-01");
    assert_invalid(
        "received 1850",
        submit(&desk, Uuid::new_v4(), &body).await,
        "received_on",
    );
    not_stored(&fx, &body);

    let mut body = move_in(
        date(1944, 4, 4),
        date(2026, 11, 10),
        date(2026, 11, 21),
        false,
    );
    body["notification"]["details"]["moved_in_on"] = json!("0001-01-01");
    assert_invalid(
        "moved in 0001",
        submit(&desk, Uuid::new_v4(), &body).await,
        "moved_in_on",
    );
    not_stored(&fx, &body);

    // A search by an impossible birth date is refused too, not answered with nothing.
    let (s, v) = desk
        .post(
            "/v1/residents/search",
            &json!({"birth_date": "-0001-01-01"}),
        )
        .await;
    assert_invalid("search", (s, v), "birth_date");

    // The boundary itself is accepted: 明治6年1月1日.
    let mut body = move_in(
        date(1873, 1, 1),
        date(2026, 11, 10),
        date(2026, 11, 21),
        false,
    );
    body["notification"]["details"]["resident"]["name"] = json!("試験　明治");
    let (s, v) = submit(&desk, Uuid::new_v4(), &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    fx.shutdown().await;
}

/// A 氏名 longer than the card's name box prints (30 characters, `PERSON_NAME_MAX`) is refused on the field
/// with a message naming the field and the limit — what a clerk, or the staff checking a 住基 file's
/// refusals, needs to act on — and nothing is stored; 30 characters are accepted.
#[tokio::test]
async fn a_name_longer_than_the_card_prints_is_refused_naming_the_limit() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let mut body = move_in(
        date(1944, 4, 4),
        date(2026, 11, 10),
        date(2026, 11, 21),
        false,
    );
    body["notification"]["details"]["resident"]["name"] = json!("長".repeat(31));
    let (s, v) = submit(&desk, Uuid::new_v4(), &body).await;
    assert_invalid("31 characters", (s, v.clone()), "resident.name");
    let message = v["message_ja"].as_str().unwrap_or_default();
    assert!(
        message.contains("氏名") && message.contains("30文字"),
        "{message}"
    );
    assert!(!v.to_string().contains("長長"), "{v}");
    not_stored(&fx, &body);

    body["notification"]["details"]["resident"]["name"] = json!("長".repeat(30));
    let (s, v) = submit(&desk, Uuid::new_v4(), &body).await;
    assert_eq!(s, StatusCode::OK, "30 characters fit: {v}");
    fx.shutdown().await;
}

#[tokio::test]
async fn staff_text_is_refused_with_control_characters() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let admin = sign_in(&fx, T_MITSUKE, "152111-admin").await;
    for (case, text) in hostile_texts() {
        let user_id = format!("152111-limits-{}", case.len());
        let (s, v) = admin
            .post(
                "/v1/staff",
                &json!({"user_id": user_id, "display_name": text,
                    "initial_password": "Kensyu-Limits-2026!",
                    "grants": [{"right": "clerk", "from": "2026-11-21"}]}),
            )
            .await;
        assert_eq!(
            (s, code(&v).as_str()),
            (StatusCode::BAD_REQUEST, "invalid_field"),
            "{case}: {v}"
        );
        assert_eq!(v["field"], "display_name", "{case}");
        let (s, list) = admin.get("/v1/staff").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            !list.to_string().contains(&user_id),
            "{case}: account stored"
        );
    }
    fx.shutdown().await;
}
