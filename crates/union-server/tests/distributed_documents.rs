//! Every document a distribution prints is a union document (issue 15), over real mutual TLS: approved for
//! mailing, it is in the person's 交付履歴 (交付 by 郵送) and the document it replaces is to be returned
//! (回収対象); the 75歳到達 distribution decides the qualification from the birthday.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use common::*;
use madoguchi_protocol::distribution::{
    CreateDistribution, Decision, DistributionDecisionRequest, DistributionKind,
    DistributionSummary, MailClass, UnionApproval,
};
use madoguchi_protocol::v1::{DocumentState, IssueMethod, NotificationDecision, ResidentDetail};
use madoguchi_union_server::api::Clock;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn decided(desk: &Desk, body: &serde_json::Value) -> NotificationDecision {
    let (s, v) = desk.submit(Uuid::new_v4(), body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    serde_json::from_value(v).unwrap()
}

/// The resident's detail once `ready` holds (the mailing is recorded in the background after approval).
async fn detail_when(
    desk: &Desk,
    id: &impl std::fmt::Display,
    ready: impl Fn(&ResidentDetail) -> bool,
) -> ResidentDetail {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let d: ResidentDetail = desk.typed(&format!("/v1/residents/{id}")).await;
        if ready(&d) {
            return d;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "mailing never recorded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Created by one 広域連合職員, approved by the other, then by the municipality's 監督者.
async fn distribute(
    union1: &Desk,
    union2: &Desk,
    supervisor: &Desk,
    kind: DistributionKind,
    on: chrono::NaiveDate,
) -> DistributionSummary {
    let (s, v) = union1
        .post(
            "/v1/union/distributions",
            &CreateDistribution {
                kind,
                municipality: municipality(MITSUKE),
                reference_date: on,
                mail_class: MailClass::SimpleRegisteredNoForward,
                note: String::new(),
            },
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let summary: DistributionSummary = serde_json::from_value(v).unwrap();
    let id = summary.distribution_id;
    let (s, v) = union2
        .post(
            &format!("/v1/union/distributions/{id}/approval"),
            &UnionApproval {
                content_hash: summary.content_hash.clone(),
            },
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = supervisor
        .post(
            &format!("/v1/distributions/{id}/decision"),
            &DistributionDecisionRequest {
                decision: Decision::Approve,
                content_hash: summary.content_hash.clone(),
                password: format!("kensyu-{MITSUKE}-supervisor"),
            },
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    summary
}

#[tokio::test]
async fn distributed_documents_are_in_the_history_and_supersede_the_old_one() {
    let now = Arc::new(Mutex::new(jst_noon(2026, 11, 21)));
    let clock: Clock = {
        let now = now.clone();
        Arc::new(move || -> DateTime<Utc> { *now.lock().unwrap() })
    };
    let fx = Fixture::start(20, Some(clock)).await;
    let clerk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let supervisor = sign_in(&fx, T_MITSUKE, "152111-supervisor").await;
    let union1 = sign_in(&fx, T_MITSUKE, "152111-union-staff1").await;
    let union2 = sign_in(&fx, T_MITSUKE, "152111-union-staff2").await;

    // An insured person whose 資格確認書 was handed over at the counter.
    let a = decided(
        &clerk,
        &move_in(
            date(1946, 4, 1),
            date(2026, 11, 2),
            date(2026, 11, 21),
            false,
        ),
    )
    .await;
    let old = a.document.unwrap().document_id;
    let (s, v) = clerk
        .post(
            &format!("/v1/documents/{old}/issuance"),
            &json!({"issued_on": "2026-11-21", "method": "counter", "identity_documents": ["my_number_card"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A resident turning 75 on 2026-12-20, known since today (the daily job has not seen them yet).
    let b = decided(
        &clerk,
        &move_in(
            date(1951, 12, 20),
            date(2026, 11, 2),
            date(2026, 11, 21),
            false,
        ),
    )
    .await;
    assert!(b.qualification.is_none());

    // 75歳到達 for December: B is decided by the distribution itself and mailed.
    distribute(
        &union1,
        &union2,
        &supervisor,
        DistributionKind::MonthlyAgeArrival,
        date(2026, 12, 1),
    )
    .await;
    let detail = detail_when(&clerk, &b.resident_id, |d| {
        d.documents.iter().any(|x| x.state == DocumentState::Issued)
    })
    .await;
    let q = detail.qualification.unwrap();
    assert_eq!(q.acquired_on, date(2026, 12, 20));
    assert_eq!(detail.documents.len(), 1);
    let mailed = &detail.documents[0];
    assert_eq!(mailed.state, DocumentState::Issued);
    assert_eq!(mailed.issuance.as_ref().unwrap().method, IssueMethod::Mail);
    assert_eq!(mailed.valid_from, date(2026, 12, 20));
    // The printed document is the union's document (its print data comes from the union).
    let (s, _) = clerk
        .get(&format!("/v1/documents/{}", mailed.document_id))
        .await;
    assert_eq!(s, StatusCode::OK);

    // 一斉更新 on 2027-08-01: A's new document is mailed, the one handed over at the counter is 回収対象.
    *now.lock().unwrap() = jst_noon(2027, 7, 10);
    distribute(
        &union1,
        &union2,
        &supervisor,
        DistributionKind::AnnualRenewal,
        date(2027, 8, 1),
    )
    .await;
    let detail = detail_when(&clerk, &a.resident_id, |d| {
        d.documents
            .iter()
            .any(|x| x.document_id != old && x.state == DocumentState::Issued)
    })
    .await;
    let state_of = |id| {
        detail
            .documents
            .iter()
            .find(|d| d.document_id == id)
            .unwrap()
            .state
    };
    assert_eq!(state_of(old), DocumentState::ToReturn);
    let renewed = detail
        .documents
        .iter()
        .find(|d| d.document_id != old)
        .expect("the renewal is in the history");
    assert_eq!(renewed.state, DocumentState::Issued);
    assert_eq!(renewed.valid_from, date(2027, 8, 1));
    assert_eq!(renewed.issuance.as_ref().unwrap().method, IssueMethod::Mail);
    fx.shutdown().await;
}
