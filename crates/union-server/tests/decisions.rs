//! Immediate decisions for each 後期 notification kind, around the boundary days, over real mutual TLS,
//! plus idempotency under 100 concurrent duplicates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_protocol::v1::{DocumentData, NotificationDecision, ResidentDetail};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn decided(desk: &Desk, body: &Value) -> NotificationDecision {
    let (s, v) = desk.submit(Uuid::new_v4(), body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    serde_json::from_value(v).unwrap()
}

async fn refused_with(desk: &Desk, body: &Value, status: StatusCode, expected: &str) {
    let (s, v) = desk.submit(Uuid::new_v4(), body).await;
    assert_eq!((s, code(&v).as_str()), (status, expected), "{v}");
}

fn kind(decision: &NotificationDecision) -> Value {
    serde_json::to_value(decision.document.as_ref().unwrap().kind).unwrap()
}

fn notification(received: &str, kind: &str, details: Value) -> Value {
    json!({"received_on": received, "notification": {"kind": kind, "details": details}})
}

#[tokio::test]
async fn move_in_around_the_75th_birthday() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let birth = date(1951, 11, 21); // 75th birthday: 2026-11-21

    // The day before the 75th birthday: accepted, not insured yet, expected from the birthday.
    let d = decided(
        &desk,
        &move_in(birth, date(2026, 11, 10), date(2026, 11, 20), false),
    )
    .await;
    assert_eq!(serde_json::to_value(d.outcome).unwrap(), "not_eligible");
    assert_eq!(serde_json::to_value(d.reason).unwrap(), "under_75");
    assert_eq!(d.expected_acquisition_on, Some(date(2026, 11, 21)));
    assert!(d.qualification.is_none() && d.document.is_none());

    // On the birthday: insured from the birthday (moved in earlier), a 資格確認書 until the next 7/31.
    let d = decided(
        &desk,
        &move_in(birth, date(2026, 11, 10), date(2026, 11, 21), false),
    )
    .await;
    let q = d.qualification.clone().unwrap();
    assert_eq!(q.acquired_on, date(2026, 11, 21));
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "age_75");
    assert_eq!(q.insured_number.as_str().len(), 8);
    assert!(q.insurer_number.as_str().starts_with("3915211"));
    assert_eq!(serde_json::to_value(q.burden_ratio).unwrap(), "1");
    let doc = d.document.clone().unwrap();
    assert_eq!(kind(&d), "shikaku_kakuninsho");
    assert_eq!(
        (doc.valid_from, doc.valid_until),
        (date(2026, 11, 21), date(2027, 7, 31))
    );

    // Already 75 when moving in: insured from the moving-in day.
    let body = move_in(
        date(1946, 3, 3),
        date(2026, 11, 15),
        date(2026, 11, 21),
        false,
    );
    let d = decided(&desk, &body).await;
    let q = d.qualification.clone().unwrap();
    assert_eq!(q.acquired_on, date(2026, 11, 15));
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "moved_in");
    // Print data of the document.
    let data: DocumentData = desk
        .typed(&format!(
            "/v1/documents/{}",
            d.document.unwrap().document_id
        ))
        .await;
    assert_eq!(data.insured_number, q.insured_number);
    assert_eq!(data.name.as_str(), "試験\u{3000}花子");
    assert_eq!(data.acquired_on, date(2026, 11, 15));
    assert_eq!(data.insurer_name, "新潟県後期高齢者医療広域連合");
    assert!(!data.sample);
    // The same person again (same 宛名番号, new key): already insured.
    refused_with(&desk, &body, StatusCode::CONFLICT, "already_insured").await;
    // 被保険者番号 are unique.
    assert_ne!(
        decided(
            &desk,
            &move_in(
                date(1940, 1, 1),
                date(2026, 11, 1),
                date(2026, 11, 21),
                false
            )
        )
        .await
        .qualification
        .unwrap()
        .insured_number,
        q.insured_number
    );
    fx.shutdown().await;
}

#[tokio::test]
async fn disability_certification_around_the_65th_birthday() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let birth = date(1961, 11, 21); // 65th birthday: 2026-11-21
    let body = move_in(birth, date(2026, 10, 1), date(2026, 11, 19), false);
    let my_number = body["notification"]["details"]["my_number"].clone();
    let d = decided(&desk, &body).await;
    assert_eq!(serde_json::to_value(d.reason).unwrap(), "under_75");
    let resident = d.resident_id;
    let apply = |received: &str| {
        notification(
            received,
            "acquisition_disability",
            json!({"resident_id": resident, "my_number": my_number, "evidence": "physical_disability_certificate"}),
        )
    };
    // The day before the 65th birthday: not certified.
    let d = decided(&desk, &apply("2026-11-20")).await;
    assert_eq!(serde_json::to_value(d.outcome).unwrap(), "not_eligible");
    assert_eq!(
        serde_json::to_value(d.reason).unwrap(),
        "disability_under_65"
    );
    // On the birthday: received, 審査中 — the union examines it (issue 15); nothing is insured yet.
    let key = Uuid::new_v4();
    let (s, v) = desk.submit(key, &apply("2026-11-21")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d: NotificationDecision = serde_json::from_value(v).unwrap();
    assert_eq!(serde_json::to_value(d.outcome).unwrap(), "under_review");
    assert!(d.qualification.is_none() && d.document.is_none());
    // A second application while one is 審査中 is refused; the terminal reads the pending answer.
    refused_with(
        &desk,
        &apply("2026-11-21"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    let pending: NotificationDecision = desk.typed(&format!("/v1/notifications/{key}")).await;
    assert_eq!(
        serde_json::to_value(pending.outcome).unwrap(),
        "under_review"
    );
    // The counter cannot decide it; a 広域連合職員 does.
    let decide_path = format!("/v1/union/disability-reviews/{resident}/decision");
    let (s, _) = desk.post(&decide_path, &json!({"certified": true})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let union = sign_in(&fx, T_MITSUKE, "152111-union-staff1").await;
    let list: madoguchi_protocol::v1::DisabilityReviewList =
        union.typed("/v1/union/disability-reviews").await;
    assert_eq!(list.reviews.len(), 1);
    assert_eq!(
        list.reviews[0].resident_id.0.to_string(),
        resident.to_string()
    );
    let (s, v) = union
        .post(
            &decide_path,
            &json!({"certified": true, "certified_on": "2026-11-21"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d: NotificationDecision = serde_json::from_value(v).unwrap();
    let q = d.qualification.clone().unwrap();
    assert_eq!(q.acquired_on, date(2026, 11, 21));
    assert_eq!(
        serde_json::to_value(q.reason).unwrap(),
        "disability_certified"
    );
    assert!(d.document.is_some());
    // The terminal reads the decision under its key (the same answer a resend replays).
    let later: NotificationDecision = desk.typed(&format!("/v1/notifications/{key}")).await;
    assert_eq!(later, d);
    let (s, v) = desk.submit(key, &apply("2026-11-21")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        serde_json::from_value::<NotificationDecision>(v).unwrap(),
        d
    );
    let list: madoguchi_protocol::v1::DisabilityReviewList =
        union.typed("/v1/union/disability-reviews").await;
    assert!(list.reviews.is_empty());
    // Again: already insured. With another 個人番号: refused.
    refused_with(
        &desk,
        &apply("2026-11-21"),
        StatusCode::CONFLICT,
        "already_insured",
    )
    .await;
    let mut other = apply("2026-11-21");
    other["notification"]["details"]["my_number"] = json!(my_number_value());
    refused_with(&desk, &other, StatusCode::CONFLICT, "my_number_mismatch").await;
    let detail: ResidentDetail = desk.typed(&format!("/v1/residents/{resident}")).await;
    assert_eq!(detail.disability_certified_on, Some(date(2026, 11, 21)));
    fx.shutdown().await;
}

fn my_number_value() -> String {
    my_number()
}

/// Moves someone in (insured), hands the document over at the counter, and returns (resident, document).
async fn insured_with_issued_document(desk: &Desk, issued_on: &str, holder: bool) -> (Uuid, Uuid) {
    let d = decided(
        desk,
        &move_in(
            date(1944, 4, 4),
            date(2026, 11, 1),
            date(2026, 11, 2),
            holder,
        ),
    )
    .await;
    let doc = d.document.unwrap().document_id;
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{doc}/issuance"),
            &json!({"issued_on": issued_on, "method": "counter", "identity_documents": ["my_number_card"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "issued");
    (d.resident_id.0, doc.0)
}

#[tokio::test]
async fn loss_by_death_and_move_out_the_next_day_with_return() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;

    let (resident, doc) = insured_with_issued_document(&desk, "2026-11-21", false).await;
    let died = |d: &str, r: &str| {
        notification(
            r,
            "loss_death",
            json!({"resident_id": resident, "died_on": d}),
        )
    };
    // A death after the 受付日 is refused on the field (a date the clerk cannot have been told yet).
    refused_with(
        &desk,
        &died("2026-11-21", "2026-11-20"),
        StatusCode::BAD_REQUEST,
        "invalid_field",
    )
    .await;
    let d = decided(&desk, &died("2026-11-19", "2026-11-20")).await;
    let q = d.qualification.unwrap();
    assert_eq!(q.lost_on, Some(date(2026, 11, 20)));
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "lost_death");
    assert!(d.document.is_none());
    assert_eq!(d.documents_to_return.len(), 1);
    assert_eq!(d.documents_to_return[0].document_id.0, doc);
    refused_with(
        &desk,
        &died("2026-11-19", "2026-11-20"),
        StatusCode::CONFLICT,
        "not_insured",
    )
    .await;
    // 回収.
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{doc}/return"),
            &json!({"returned_on": "2026-11-21"}),
        )
        .await;
    assert_eq!(
        (s, &v["state"]),
        (StatusCode::OK, &json!("returned")),
        "{v}"
    );
    assert_eq!(v["returned"]["recorded_by"], "152111-clerk");
    let (s, _) = desk
        .post(
            &format!("/v1/documents/{doc}/return"),
            &json!({"returned_on": "2026-11-21"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the same return record again is a retry");
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{doc}/return"),
            &json!({"returned_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(
        (s, &v["returned"]["returned_on"]),
        (StatusCode::OK, &json!("2026-11-21")),
        "a repeat with another day answers the first record and changes nothing: {v}"
    );

    // 転出: lost the day after moving out; a 転出予定日 up to a month ahead is accepted.
    let (resident, _) = insured_with_issued_document(&desk, "2026-11-21", false).await;
    let out = |d: &str| {
        notification(
            "2026-11-21",
            "loss_move_out",
            json!({"resident_id": resident, "moved_out_on": d}),
        )
    };
    // More than 31 days ahead: refused on the field when the request is checked.
    refused_with(
        &desk,
        &out("2026-12-31"),
        StatusCode::BAD_REQUEST,
        "invalid_field",
    )
    .await;
    refused_with(
        &desk,
        &out("2026-10-31"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_dates",
    )
    .await;
    let d = decided(&desk, &out("2026-11-30")).await;
    let q = d.qualification.clone().unwrap();
    assert_eq!(q.lost_on, Some(date(2026, 12, 1)));
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "lost_moved_out");
    assert_eq!(d.documents_to_return.len(), 1);
    // 県外転出: a 負担区分等証明書 for the new prefecture's union, with the insured period and the ratio.
    let cert = d.document.clone().expect("a 負担区分等証明書");
    assert_eq!(kind(&d), "futan_kubun_shomeisho");
    assert_eq!(cert.valid_until, date(2026, 11, 30));
    let data: DocumentData = desk
        .typed(&format!("/v1/documents/{}", cert.document_id))
        .await;
    assert_eq!(data.burden_ratio, q.burden_ratio);
    assert!(d.message_ja.contains("負担区分等証明書"));
    fx.shutdown().await;
}

#[tokio::test]
async fn reissue_change_mailing_address_and_optional_entries() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let (resident, old) = insured_with_issued_document(&desk, "2026-11-21", true).await;

    // 再交付 (lost): a new document; the old one is marked lost, nothing to collect.
    let d = decided(
        &desk,
        &notification(
            "2026-11-21",
            "reissue",
            json!({"resident_id": resident, "reason": "lost"}),
        ),
    )
    .await;
    assert!(d.documents_to_return.is_empty());
    let new = d.document.unwrap();
    assert_eq!(new.valid_from, date(2026, 11, 21));
    // A holder after 2026-08-01 gets the お知らせ.
    assert_eq!(
        serde_json::to_value(new.kind).unwrap(),
        "shikaku_joho_oshirase"
    );
    let detail: ResidentDetail = desk.typed(&format!("/v1/residents/{resident}")).await;
    let states: Vec<_> = detail
        .documents
        .iter()
        .map(|x| (x.document_id.0, serde_json::to_value(x.state).unwrap()))
        .collect();
    assert!(states.contains(&(old, json!("lost"))), "{states:?}");
    // Not handed over yet, so it cannot be returned; a replaced undelivered one is void.
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{}/return", new.document_id),
            &json!({"returned_on": "2026-11-21"}),
        )
        .await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "not_issued"));

    // 再交付 (damaged) replaces the undelivered one: it becomes void and cannot be handed over any more.
    let d2 = decided(
        &desk,
        &notification(
            "2026-11-21",
            "reissue",
            json!({"resident_id": resident, "reason": "damaged"}),
        ),
    )
    .await;
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{}/issuance", new.document_id),
            &json!({"issued_on": "2026-11-21", "method": "mail"}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::CONFLICT, "document_voided")
    );
    let current = d2.document.unwrap().document_id;
    // Handing over needs an identity document at the counter, and a day not before the decision.
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{current}/issuance"),
            &json!({"issued_on": "2026-11-21", "method": "counter"}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "identity_document_required"
        )
    );
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{current}/issuance"),
            &json!({"issued_on": "2026-11-20", "method": "mail"}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_dates")
    );
    let issue = json!({"issued_on": "2026-11-21", "method": "counter", "identity_documents": ["drivers_license"]});
    let (s, _) = desk
        .post(&format!("/v1/documents/{current}/issuance"), &issue)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = desk
        .post(&format!("/v1/documents/{current}/issuance"), &issue)
        .await;
    assert_eq!(s, StatusCode::OK, "the same record again is a retry");
    let (s, v) = desk
        .post(
            &format!("/v1/documents/{current}/issuance"),
            &json!({"issued_on": "2026-11-21", "method": "mail"}),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::CONFLICT, "already_issued")
    );

    // 記載事項変更: a new name means a new document; the handed-over one must come back.
    let change = |name: &str| {
        notification(
            "2026-11-21",
            "change_of_particulars",
            json!({"resident_id": resident, "changed_on": "2026-11-20", "name": name}),
        )
    };
    let d = decided(&desk, &change("試験　花")).await;
    assert_eq!(d.documents_to_return.len(), 1);
    assert_eq!(d.documents_to_return[0].document_id.0, current.0);
    let data: DocumentData = desk
        .typed(&format!(
            "/v1/documents/{}",
            d.document.unwrap().document_id
        ))
        .await;
    assert_eq!(data.name.as_str(), "試験\u{3000}花");
    refused_with(
        &desk,
        &change("試験　花"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;

    // 送付先変更: recorded, no document.
    let mailing = json!({"resident_id": resident, "mailing_address": {"recipient": "試験　一郎", "postal_code": "9540000", "address": "新潟県見附市本町1-1"}});
    let d = decided(
        &desk,
        &notification("2026-11-21", "mailing_address_change", mailing.clone()),
    )
    .await;
    assert!(d.document.is_none());
    refused_with(
        &desk,
        &notification("2026-11-21", "mailing_address_change", mailing),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    let detail: ResidentDetail = desk.typed(&format!("/v1/residents/{resident}")).await;
    assert_eq!(detail.mailing_address.unwrap().postal_code, "9540000");

    // 任意記載事項: a 資格確認書 (even for a マイナ保険証 holder) with the 限度区分 printed.
    let entries = |details: Value| notification("2026-11-21", "optional_entries", details);
    refused_with(
        &desk,
        &entries(json!({"resident_id": resident})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    refused_with(
        &desk,
        &entries(json!({"resident_id": resident, "long_term_hospitalization_on": "2026-10-01"})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_dates",
    )
    .await;
    let d = decided(
        &desk,
        &entries(json!({"resident_id": resident, "limit_category": "kubun_ii"})),
    )
    .await;
    assert_eq!(kind(&d), "shikaku_kakuninsho");
    let data: DocumentData = desk
        .typed(&format!(
            "/v1/documents/{}",
            d.document.unwrap().document_id
        ))
        .await;
    assert_eq!(
        serde_json::to_value(data.limit_category).unwrap(),
        "kubun_ii"
    );
    assert!(data.specific_disease.is_none());
    // 特定疾病区分 recorded on application: printed on the new 資格確認書 from the 受付日 (issue 15).
    let d = decided(
        &desk,
        &entries(json!({"resident_id": resident, "specific_disease": "chronic_renal_failure"})),
    )
    .await;
    let data: DocumentData = desk
        .typed(&format!(
            "/v1/documents/{}",
            d.document.unwrap().document_id
        ))
        .await;
    assert_eq!(
        data.specific_disease,
        Some((
            madoguchi_domain::insurance::SpecificDisease::ChronicRenalFailure,
            date(2026, 11, 21)
        ))
    );
    assert_eq!(
        serde_json::to_value(data.limit_category).unwrap(),
        "kubun_ii",
        "earlier entries stay"
    );
    fx.shutdown().await;
}

/// The dated policy: 資格確認書 for everyone until 2026-07-31, 資格情報のお知らせ for holders from 2026-08-01.
#[tokio::test]
async fn document_policy_switches_on_2026_08_01() {
    for (today, holder_kind, until) in [
        ((2026, 7, 31), "shikaku_kakuninsho", date(2026, 7, 31)),
        ((2026, 8, 1), "shikaku_joho_oshirase", date(2027, 7, 31)),
    ] {
        let fx = Fixture::start(1, fixed(jst_noon(today.0, today.1, today.2))).await;
        let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
        let received = date(today.0, today.1, today.2);
        let holder = decided(&desk, &move_in(date(1940, 2, 2), received, received, true)).await;
        assert_eq!(kind(&holder), holder_kind, "holder on {received}");
        assert_eq!(holder.document.unwrap().valid_until, until);
        let other = decided(&desk, &move_in(date(1940, 2, 2), received, received, false)).await;
        assert_eq!(
            kind(&other),
            "shikaku_kakuninsho",
            "non-holder on {received}"
        );
        fx.shutdown().await;
    }
}

#[tokio::test]
async fn one_hundred_concurrent_duplicates_make_one_decision() {
    let fx = Fixture::start(1, fixed(jst_noon(2026, 11, 21))).await;
    let desk = std::sync::Arc::new(sign_in(&fx, T_MITSUKE, "152111-clerk").await);
    let before = fx.store.ledger_len().unwrap();
    let key = Uuid::new_v4();
    let body = move_in(
        date(1945, 1, 15),
        date(2026, 11, 10),
        date(2026, 11, 20),
        false,
    );
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let desk = desk.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move { desk.submit(key, &body).await }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        let (s, v) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{v}");
        answers.push(v);
    }
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "every duplicate gets the same decision"
    );
    assert_eq!(
        fx.store.ledger_len().unwrap(),
        before + 1,
        "exactly one decision"
    );
    let d: NotificationDecision = serde_json::from_value(answers[0].clone()).unwrap();
    assert_eq!(d.idempotency_key, key);
    let detail: ResidentDetail = desk
        .typed(&format!("/v1/residents/{}", d.resident_id))
        .await;
    assert_eq!(detail.documents.len(), 1, "one effect: one document");

    // The same key with a different body is refused; a new key is a new notification.
    let mut changed = body.clone();
    changed["received_on"] = json!("2026-11-21");
    let (s, v) = desk.submit(key, &changed).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::CONFLICT, "idempotency_key_reused")
    );
    refused_with(&desk, &body, StatusCode::CONFLICT, "already_insured").await;
    assert_eq!(fx.store.ledger_len().unwrap(), before + 1);
    fx.shutdown().await;
}
