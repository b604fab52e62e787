//! Unit tests of the request plumbing (operation names, audited reads).

use super::*;
use proptest::prelude::*;

#[test]
fn reads_of_persons_are_flushed_before_the_answer_and_other_reads_are_not() {
    for (method, path) in [
        ("GET", "/v1/residents/{id}"),
        ("POST", "/v1/residents/{id}/my-number"),
        ("POST", "/v1/residents/search"),
        ("GET", "/v1/documents/{id}"),
        ("GET", "/v1/roster"),
        ("GET", "/v1/distributions/{id}/records"),
        ("GET", "/v1/distributions/{id}/samples"),
        ("GET", "/v1/audit"),
        ("GET", "/v1/staff"),
    ] {
        let op = format!("{method} {path}");
        assert!(is_audited_read(method, &op), "{op}");
    }
    for (method, path) in [
        ("GET", "/v1/session"),
        ("GET", "/v1/reprint-policy"),
        ("GET", "/v1/revocations"),
        ("GET", "/v1/distributions"),
        ("POST", "/v1/notifications"),
    ] {
        let op = format!("{method} {path}");
        assert!(!is_audited_read(method, &op), "{op}");
    }
}

fn move_in_with(my_number: &str, birth: &str) -> String {
    format!(
        r#"{{"received_on":"2026-11-20","notification":{{"kind":"acquisition_move_in","details":{{"resident":{{"addressee_number":"123","household_number":"456","name":"試験　太郎","kana":"シケン　タロウ","birth_date":"{birth}","sex":"male","address":"見附市"}},"my_number":"{my_number}","moved_in_on":"2026-11-01"}}}}}}"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever 12 digits and birth date are sent, parsing never panics and an error never repeats them.
    #[test]
    fn parse_errors_never_echo_values(n in "[0-9]{12}", y in 1800u32..2100, m in 0u32..14, d in 0u32..33) {
        let birth = format!("{y:04}-{m:02}-{d:02}");
        let body = move_in_with(&n, &birth);
        match parse_json::<NotificationRequest>(body.as_bytes()) {
            Ok(req) => prop_assert_eq!(req.notification.kind(), v1::NotificationKind::AcquisitionMoveIn),
            Err(e) => {
                let text = serde_json::to_string(&e).unwrap();
                prop_assert!(!text.contains(&n), "{}", text);
                prop_assert!(!text.contains(&birth), "{}", text);
                prop_assert!(e.code == ErrorCode::InvalidField, "{:?}", e.code);
            }
        }
    }

    /// Arbitrary bytes: a stable 4xx code, never a panic.
    #[test]
    fn arbitrary_bodies_get_a_client_error(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Err(e) = parse_json::<NotificationRequest>(&bytes) {
            prop_assert!((400..500).contains(&e.code.http_status()));
        }
    }
}

#[test]
fn operation_names_carry_no_ids() {
    assert_eq!(
        operation_name("GET", "/v1/residents/6f1d2c1e-8d1a-4d7c-9c1a-1a2b3c4d5e6f"),
        "GET /v1/residents/{id}"
    );
    assert_eq!(
        operation_name("GET", "/v1/residents/山田太郎"),
        "GET /v1/residents/{other}"
    );
}

#[test]
fn json_errors_have_stable_codes_and_no_values() {
    let e = parse_json::<SignInRequest>(br#"{"user_id":"a","password":"b","x":1}"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownField);
    assert_eq!(e.field.as_deref(), Some("x"));
    let e = parse_json::<SignInRequest>(br#"{"user_id":"a"}"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingField);
    let e = parse_json::<SignInRequest>(br#"{"user_id":"a","#).unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedJson);
    let e =
        parse_json::<ResidentSearchRequest>(br#"{"insured_number":"99999999999"}"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidField);
    assert_eq!(e.field.as_deref(), Some("insured_number"));
    assert!(!e.message_en.contains("99999999999"));
    let e = parse_json::<ResidentSearchRequest>(br#"{"birth_date":"1950-02-30"}"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidField);
    let e = parse_json::<SignInRequest>(br#"{"user_id":"a","password":"b"} trailing"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedJson);
}
