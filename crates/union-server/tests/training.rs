//! Training mode: the embedded server starts with a PKI, residents and staff, a terminal reaches it over
//! mutual TLS, and documents it issues are marked as samples (見本). A second start reuses the directory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_protocol::v1::{DocumentData, NotificationDecision};
use madoguchi_union_server::pki::PkiPaths;
use madoguchi_union_server::training;
use reqwest::{Identity, StatusCode};
use serde_json::json;

#[tokio::test]
async fn training_server_serves_the_whole_counter_flow() {
    let dir = tempfile::tempdir().unwrap();
    let t = training::start(dir.path()).await.unwrap();
    let mut pem = std::fs::read(&t.terminal_cert).unwrap();
    pem.extend(std::fs::read(&t.terminal_key).unwrap());
    let client = client_with(&t.ca_cert, Some(Identity::from_pem(&pem).unwrap()));
    let base = format!("https://127.0.0.1:{}", t.addr.port());
    let res = client
        .get(format!("{base}/v1/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let account = &t.accounts[0];
    assert!(account.my_number_permission);
    let res = client
        .post(format!("{base}/v1/session"))
        .json(&json!({"user_id": account.user_id, "password": account.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let token = res.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let desk = Desk {
        client: client.clone(),
        token,
        base: base.clone(),
    };

    let (s, v) = desk
        .post("/v1/residents/search", &json!({"kana": "サ", "limit": 200}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !v["residents"].as_array().unwrap().is_empty(),
        "training residents are seeded"
    );

    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let (s, v) = desk
        .submit(
            uuid::Uuid::new_v4(),
            &move_in(date(1945, 6, 1), today, today, false),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d: NotificationDecision = serde_json::from_value(v).unwrap();
    let doc: DocumentData = desk
        .typed(&format!(
            "/v1/documents/{}",
            d.document.unwrap().document_id
        ))
        .await;
    assert!(doc.sample, "training documents are 見本");
    let ca_before = std::fs::read(&t.ca_cert).unwrap();
    t.shutdown().await;

    // Started again on the same directory: same PKI, same data.
    let t = training::start(dir.path()).await.unwrap();
    assert_eq!(std::fs::read(&t.ca_cert).unwrap(), ca_before);
    assert!(
        PkiPaths::new(&t.pki_dir)
            .terminal_cert(&t.terminal_id)
            .exists()
    );
    let client = client_with(&t.ca_cert, Some(Identity::from_pem(&pem).unwrap()));
    let res = client
        .get(format!("https://127.0.0.1:{}/v1/health", t.addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    t.shutdown().await;
}
