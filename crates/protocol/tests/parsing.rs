//! Request parsing: unknown fields, invalid identifiers and impossible dates are refused without echoing
//! the values; arbitrary input never panics.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_domain::ids::MyNumber;
use madoguchi_protocol::v1::{
    IssuanceRequest, Notification, NotificationRequest, ResidentSearchRequest, SignInRequest,
};
use proptest::prelude::*;
use serde_json::json;

fn my_number() -> String {
    let n = MyNumber::from_eleven_digits([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]).unwrap();
    n.reveal().to_string()
}

fn move_in() -> serde_json::Value {
    json!({
        "received_on": "2026-11-20",
        "notification": {
            "kind": "acquisition_move_in",
            "details": {
                "resident": {
                    "addressee_number": "000123456",
                    "household_number": "000654321",
                    "name": "試験　太郎",
                    "kana": "しけん　たろう",
                    "birth_date": "1948-04-01",
                    "sex": "male",
                    "address": "新潟県見附市昭和町一丁目1番1号"
                },
                "my_number": my_number(),
                "moved_in_on": "2026-11-15"
            }
        }
    })
}

#[test]
fn a_valid_move_in_parses_and_round_trips() {
    let req: NotificationRequest = serde_json::from_value(move_in()).unwrap();
    match &req.notification {
        Notification::AcquisitionMoveIn(m) => {
            assert_eq!(m.resident.kana.as_str(), "シケン\u{3000}タロウ");
            assert!(!m.mynumber_health_card);
        }
        other => panic!("wrong kind {:?}", other.kind()),
    }
    let again: NotificationRequest =
        serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
    assert_eq!(req, again);
}

#[test]
fn unknown_fields_are_refused_at_every_level() {
    let mut top = move_in();
    top["extra"] = json!(1);
    let err = serde_json::from_value::<NotificationRequest>(top).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");

    let mut inner = move_in();
    inner["notification"]["details"]["resident"]["nickname"] = json!("x");
    let err = serde_json::from_value::<NotificationRequest>(inner).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");

    let mut sibling = move_in();
    sibling["notification"]["other"] = json!("x");
    assert!(serde_json::from_value::<NotificationRequest>(sibling).is_err());

    let err =
        serde_json::from_value::<SignInRequest>(json!({"user_id":"a","password":"b","otp":1}))
            .unwrap_err();
    assert!(err.to_string().contains("unknown field"));
}

#[test]
fn invalid_identifiers_and_dates_are_refused_without_echoing_them() {
    let mut bad_number = move_in();
    bad_number["notification"]["details"]["my_number"] = json!("123456789019");
    let err = serde_json::from_value::<NotificationRequest>(bad_number).unwrap_err();
    assert!(!err.to_string().contains("123456789019"), "{err}");

    let mut bad_date = move_in();
    bad_date["notification"]["details"]["moved_in_on"] = json!("2026-02-30");
    assert!(serde_json::from_value::<NotificationRequest>(bad_date).is_err());

    let mut bad_kind = move_in();
    bad_kind["notification"]["kind"] = json!("acquisition_by_magic");
    assert!(serde_json::from_value::<NotificationRequest>(bad_kind).is_err());

    assert!(
        serde_json::from_value::<ResidentSearchRequest>(json!({"insured_number":"1234567"}))
            .is_err()
    );
    assert!(serde_json::from_value::<ResidentSearchRequest>(json!({"kana":"山田"})).is_err());
    assert!(
        serde_json::from_value::<IssuanceRequest>(
            json!({"issued_on":"2026-11-20","method":"carrier_pigeon"})
        )
        .is_err()
    );
}

fn parse_all(bytes: &[u8]) {
    let _ = serde_json::from_slice::<NotificationRequest>(bytes);
    let _ = serde_json::from_slice::<ResidentSearchRequest>(bytes);
    let _ = serde_json::from_slice::<SignInRequest>(bytes);
    let _ = serde_json::from_slice::<IssuanceRequest>(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_all(&bytes);
    }

    /// A valid request with one character replaced or inserted either fails to parse or parses into a
    /// request that serialises and parses back to itself.
    #[test]
    fn mutated_requests_fail_cleanly_or_round_trip(pos in 0usize..2000, c in any::<char>(), insert in any::<bool>()) {
        let text = move_in().to_string();
        let mut chars: Vec<char> = text.chars().collect();
        let pos = pos % chars.len();
        if insert { chars.insert(pos, c) } else { chars[pos] = c }
        let mutated: String = chars.into_iter().collect();
        parse_all(mutated.as_bytes());
        if let Ok(req) = serde_json::from_str::<NotificationRequest>(&mutated) {
            let again: NotificationRequest = serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
            prop_assert_eq!(req, again);
        }
    }

    /// Random field values in a search request: invalid ones are refused, valid ones keep their meaning.
    #[test]
    fn search_requests_with_random_values(insured in "[0-9]{0,10}", kana in "\\PC{0,12}", limit in any::<i64>()) {
        let v = json!({"insured_number": insured, "kana": kana, "limit": limit});
        if let Ok(req) = serde_json::from_value::<ResidentSearchRequest>(v) {
            let got = req.insured_number.map(|n| n.as_str().to_string());
            prop_assert_eq!(got.as_deref(), Some(insured.as_str()));
            prop_assert!(u32::try_from(limit).is_ok());
        }
    }
}
