//! API v1 over real mutual TLS: sign-in and lockout, sessions bound to the terminal, roles, municipality
//! scope, search, bad input, and the audit trail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

/// Insured with no loss recorded (the seeded data: no dated changes).
fn insured(r: &madoguchi_union_server::store::ResidentRecord) -> bool {
    r.qualification
        .as_ref()
        .is_some_and(|q| q.lost_on.is_none())
}

use common::*;
use madoguchi_domain::kana::KanaName;
use madoguchi_protocol::v1::{ResidentDetail, ResidentSearchResponse};
use madoguchi_union_server::store::{ResidentQuery, ResidentRecord};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Some insured resident of a municipality, straight from the store.
fn insured_resident(fx: &Fixture, code: &str) -> ResidentRecord {
    for initial in [
        "ア", "イ", "カ", "コ", "サ", "シ", "ス", "タ", "ナ", "ハ", "ヒ", "ホ", "マ", "ヤ", "ヨ",
        "ワ",
    ] {
        let q = ResidentQuery {
            kana_prefix: Some(KanaName::parse(initial).unwrap().seion_key()),
            ..Default::default()
        };
        let (found, _) = fx
            .store
            .search_residents(&municipality(code), &q, 200)
            .unwrap();
        if let Some(r) = found
            .into_iter()
            .find(|r| insured(r) && !r.documents.is_empty())
        {
            return r;
        }
    }
    panic!("no insured resident seeded in {code}");
}

#[tokio::test]
async fn sign_in_lockout_and_session_binding() {
    let fx = Fixture::start(10, None).await;
    let client = fx.client(T_MITSUKE);
    let attempt = |user: &'static str, password: &'static str| {
        let client = client.clone();
        let url = fx.url("/v1/session");
        async move {
            let res = client
                .post(url)
                .json(&json!({"user_id": user, "password": password}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    // Unknown user and wrong password look the same.
    let (s, v) = attempt("nobody", "x").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    for _ in 0..5 {
        let (s, v) = attempt("152111-supervisor", "wrong").await;
        assert_eq!(
            (s, code(&v).as_str()),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
    }
    // Locked now, even with the right password.
    let (s, v) = attempt("152111-supervisor", "kensyu-152111-supervisor").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::LOCKED, "account_locked")
    );
    // Another user is unaffected; a staff member of 長岡市 at a 見附市 terminal looks like an unknown user.
    let (s, _) = attempt("152111-clerk", "kensyu-152111-clerk").await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = attempt("152021-clerk", "kensyu-152021-clerk").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );

    // A revoked (失効) account cannot sign in, with its right password.
    madoguchi_union_server::staff::disable(fx.store.as_ref(), "152111-clerk2").unwrap();
    let (s, v) = attempt("152111-clerk2", "kensyu-152111-clerk2").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );

    // A token works only on the terminal certificate it was issued on.
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let (s, v) = desk.get("/v1/session").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["user_id"], "152111-clerk");
    let other_terminal = fx.client(T_MITSUKE_2);
    let res = other_terminal
        .get(fx.url("/v1/session"))
        .bearer_auth(&desk.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        code(&res.json().await.unwrap()),
        "session_terminal_mismatch"
    );
    // No token, bad token, signed out.
    let res = client.get(fx.url("/v1/session")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client
        .delete(fx.url("/v1/session"))
        .bearer_auth(&desk.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (s, v) = desk.get("/v1/session").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    fx.shutdown().await;
}

#[tokio::test]
async fn a_terminal_cannot_read_or_write_another_municipality() {
    let fx = Fixture::start(40, None).await;
    let nagaoka = insured_resident(&fx, NAGAOKA);
    let mitsuke = sign_in(&fx, T_MITSUKE, "152111-clerk").await;

    // Search by the 長岡市 resident's 被保険者番号 from 見附市: nothing.
    let number = nagaoka.insured_number.clone().unwrap();
    let (s, v) = mitsuke
        .post(
            "/v1/residents/search",
            &json!({"insured_number": number.as_str()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["residents"].as_array().unwrap().len(), 0);
    // Read: refused.
    let (s, v) = mitsuke.get(&format!("/v1/residents/{}", nagaoka.id)).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    let (s, v) = mitsuke
        .post(
            &format!("/v1/residents/{}/my-number", nagaoka.id),
            &json!({"purpose": "identity_check"}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    let (s, v) = mitsuke
        .get(&format!("/v1/documents/{}", nagaoka.documents[0]))
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    // Write: refused, nothing changed.
    let ledger = fx.store.ledger_len().unwrap();
    let (s, v) = mitsuke
        .submit(
            uuid::Uuid::new_v4(),
            &json!({"received_on": "2026-11-20", "notification": {"kind": "loss_death",
                "details": {"resident_id": nagaoka.id, "died_on": "2026-11-19"}}}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    let (s, v) = mitsuke
        .post(
            &format!("/v1/documents/{}/return", nagaoka.documents[0]),
            &json!({"returned_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    assert_eq!(fx.store.ledger_len().unwrap(), ledger);
    let after = fx.store.resident(nagaoka.id).unwrap().unwrap();
    assert!(insured(&after));
    assert!(after.died_on.is_none());

    // The 長岡市 terminal reads its own resident.
    let desk = sign_in(&fx, T_NAGAOKA, "152021-clerk").await;
    let detail: ResidentDetail = desk.typed(&format!("/v1/residents/{}", nagaoka.id)).await;
    assert_eq!(detail.addressee_number, nagaoka.addressee);
    fx.shutdown().await;
}

#[tokio::test]
async fn search_and_roles() {
    let fx = Fixture::start(40, None).await;
    let r = insured_resident(&fx, MITSUKE);
    let clerk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;

    // カナ search ignores 濁点 and accepts hiragana: the 清音化 key.
    let hira: String = r
        .kana
        .as_str()
        .chars()
        .take_while(|c| *c != '\u{3000}')
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            other => other,
        })
        .collect();
    let (s, v) = clerk
        .post(
            "/v1/residents/search",
            &json!({"kana": hira, "birth_date": r.birth_date, "limit": 200}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let found: ResidentSearchResponse = serde_json::from_value(v.clone()).unwrap();
    assert!(found.residents.iter().any(|x| x.resident_id == r.id));
    // Never the 個人番号 in a list.
    let my_number = r.my_number.clone().unwrap();
    assert!(!v.to_string().contains(my_number.reveal()));
    assert!(v.to_string().find("my_number").is_none());
    // By 被保険者番号.
    let (_, v) = clerk
        .post(
            "/v1/residents/search",
            &json!({"insured_number": r.insured_number.clone().unwrap().as_str()}),
        )
        .await;
    assert_eq!(v["residents"][0]["resident_id"], json!(r.id));
    // No criterion.
    let (s, v) = clerk.post("/v1/residents/search", &json!({})).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "missing_field")
    );

    // The 個人番号: with the permission and a purpose (利用目的), yes; without either, no.
    let reveal_path = format!("/v1/residents/{}/my-number", r.id);
    let refused_purposes = [
        (json!({}), "purpose"),
        (json!({"purpose": "curiosity"}), "purpose"),
        (json!({"purpose": "other"}), "purpose_text"),
        (
            json!({"purpose": "other", "purpose_text": "あ".repeat(101)}),
            "purpose_text",
        ),
        (
            json!({"purpose": "inquiry", "purpose_text": "ついでに"}),
            "purpose_text",
        ),
    ];
    for (body, field) in refused_purposes {
        let (s, v) = clerk.post(&reveal_path, &body).await;
        assert_eq!(
            (s, code(&v).as_str()),
            (StatusCode::BAD_REQUEST, "invalid_field"),
            "{body}"
        );
        assert_eq!(v["field"], field, "{body}");
        assert!(
            v["message_ja"].as_str().unwrap().contains("利用目的"),
            "{v}"
        );
        assert!(!v.to_string().contains(my_number.reveal()));
    }
    // A GET is refused: nothing about a reveal belongs in a URL.
    let (s, v) = clerk.get(&reveal_path).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let (s, v) = clerk
        .post(
            &reveal_path,
            &json!({"purpose": "other", "purpose_text": "監査対応"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["my_number"], my_number.reveal());
    let (s, v) = clerk
        .post(&reveal_path, &json!({"purpose": "identity_check"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let clerk2 = sign_in(&fx, T_MITSUKE, "152111-clerk2").await;
    // The right is checked before the purpose: the answer is the same with or without one.
    let (s, v) = clerk2.post(&reveal_path, &json!({})).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "my_number_permission_required")
    );
    let (s, v) = clerk2
        .post(&reveal_path, &json!({"purpose": "identity_check"}))
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "my_number_permission_required")
    );
    let body = move_in(
        date(1940, 1, 1),
        date(2026, 11, 1),
        date(2026, 11, 20),
        false,
    );
    let (s, v) = clerk2.submit(uuid::Uuid::new_v4(), &body).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::FORBIDDEN, "my_number_permission_required")
    );

    // The administrator reads the audit trail but not residents; clerks do not read the audit trail.
    let admin = sign_in(&fx, T_MITSUKE, "152111-admin").await;
    let (s, v) = admin
        .post("/v1/residents/search", &json!({"kana": "ア"}))
        .await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v) = clerk.get("/v1/audit").await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v) = admin.get("/v1/audit?limit=500").await;
    assert_eq!(s, StatusCode::OK);
    let entries = v["entries"].as_array().unwrap();
    let reveals: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            e["operation"] == "POST /v1/residents/{id}/my-number" && e["user_id"] == "152111-clerk"
        })
        .collect();
    // Newest first: 本人確認, その他 with its text, then the five refusals without a purpose.
    assert_eq!(reveals.len(), 7, "{reveals:?}");
    let reveal = reveals[0];
    assert_eq!(reveal["target"], format!("resident:{}", r.id));
    assert_eq!(reveal["terminal_id"], T_MITSUKE);
    assert_eq!(reveal["status"], 200);
    assert_eq!(reveal["purpose"], "identity_check");
    assert_eq!(reveals[1]["purpose"], "other: 監査対応");
    for refused in &reveals[2..] {
        assert_eq!(refused["status"], 400);
        assert_eq!(refused["error"], "invalid_field");
        assert!(refused.get("purpose").is_none(), "{refused}");
    }
    let denied = entries
        .iter()
        .find(|e| e["user_id"] == "152111-clerk2" && e["operation"] == "POST /v1/notifications")
        .expect("refusals are audited too");
    assert_eq!(denied["error"], "my_number_permission_required");
    // No personal data in the trail.
    let text = v.to_string();
    assert!(!text.contains(my_number.reveal()));
    assert!(!text.contains(r.kana.as_str()));
    assert!(!text.contains(r.name.as_str()));
    assert!(!text.contains(r.insured_number.clone().unwrap().as_str()));
    let (s, v) = admin.get("/v1/audit?limit=0").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );
    let (s, v) = admin.get("/v1/audit?nonsense=1").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );
    fx.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_a_stable_code_and_writes_nothing() {
    let fx = Fixture::start(10, None).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let ledger = fx.store.ledger_len().unwrap();
    let raw = |body: &'static [u8], content_type: &'static str| {
        let client = desk.client.clone();
        let url = fx.url("/v1/notifications");
        let token = desk.token.clone();
        async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s, v) = raw(b"{\"received_on\": ", "application/json").await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let (s, v) = raw(
        b"received_on=2026-11-20",
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );

    let good = move_in(
        date(1945, 5, 5),
        date(2026, 11, 1),
        date(2026, 11, 20),
        false,
    );
    let addressee = good["notification"]["details"]["resident"]["addressee_number"]
        .as_str()
        .unwrap()
        .to_string();

    let mut unknown = good.clone();
    unknown["notification"]["details"]["resident"]["blood_type"] = json!("A");
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &unknown).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "unknown_field")
    );
    // With "kind" before "details" the path is exact; json! sorts keys, so serde buffers the details and
    // the path stops at the enum.
    assert!(
        v["field"].as_str().unwrap().starts_with("notification"),
        "{v}"
    );

    let mut bad_number = good.clone();
    bad_number["notification"]["details"]["my_number"] = json!("123456789010");
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &bad_number).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );
    assert!(
        v["field"].as_str().unwrap().starts_with("notification"),
        "{v}"
    );
    assert!(!v.to_string().contains("123456789010"));

    let mut impossible = good.clone();
    impossible["notification"]["details"]["moved_in_on"] = json!("2026-02-29");
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &impossible).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );

    let mut future = good.clone();
    future["notification"]["details"]["moved_in_on"] = json!("2099-01-01");
    future["received_on"] = json!("2099-01-01");
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &future).await;
    // A 受付日 after today is refused on the field itself, before any rule of the union is applied.
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );
    assert_eq!(v["field"], "received_on");

    let mut before_birth = good.clone();
    before_birth["notification"]["details"]["moved_in_on"] = json!("1940-01-01");
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &before_birth).await;
    // More than five years before the 受付日 (and before the birth): refused on the field.
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );
    assert_eq!(v["field"], "notification.details.moved_in_on");

    // Born after the 転入日, each day plausible on its own: only the union's rule sees it, and its refusal
    // names 転入日 (the field and the message), so the clerk knows what to correct (issue 14 #9).
    let mut born_later = good.clone();
    born_later["notification"]["details"]["resident"]["birth_date"] = json!("2026-11-10");
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &born_later).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_dates")
    );
    assert_eq!(v["field"], "notification.details.moved_in_on");
    assert_eq!(
        v["message_ja"],
        "転入日が生年月日より前になっています。転入日と生年月日を確認してください。"
    );

    let (s, v) = desk
        .client
        .post(fx.url("/v1/notifications"))
        .bearer_auth(&desk.token)
        .json(&good)
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(code(&v.json().await.unwrap()), "missing_idempotency_key");
    let res = desk
        .client
        .post(fx.url("/v1/notifications"))
        .bearer_auth(&desk.token)
        .header("Idempotency-Key", "not-a-uuid")
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(code(&res.json().await.unwrap()), "invalid_idempotency_key");

    // Oversize body.
    let mut huge = good.clone();
    huge["notification"]["details"]["resident"]["address"] = json!("あ".repeat(40_000));
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &huge).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    // Unknown routes and ids.
    let (s, v) = desk.get("/v1/nothing-here").await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, v) = desk.get("/v1/residents/not-a-uuid").await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, v) = desk
        .get(&format!("/v1/residents/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, v) = desk.post("/v1/health", &json!({})).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );

    // Nothing was written by any of these; the good request still goes through afterwards.
    assert_eq!(fx.store.ledger_len().unwrap(), ledger);
    let addressee = madoguchi_domain::ids::AddresseeNumber::parse(&addressee).unwrap();
    assert!(
        fx.store
            .resident_by_addressee(&municipality(MITSUKE), &addressee)
            .unwrap()
            .is_none()
    );
    let (s, v) = desk.submit(uuid::Uuid::new_v4(), &good).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(fx.store.ledger_len().unwrap(), ledger + 1);
    fx.shutdown().await;
}
