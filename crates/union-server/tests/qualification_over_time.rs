//! The qualification as time passes (issue 15), over real mutual TLS with the union's clock moved by the
//! test: the daily job's 75歳到達 (取得予定 until the birthday), a dated 転出 (喪失予定 until the day after),
//! and the `madoguchi-union daily` command (counts by kind, idempotent).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::*;
use madoguchi_protocol::v1::{NotificationDecision, ResidentDetail};
use madoguchi_union_server::api::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// The union's clock, moved by the test (the server runs its daily job when the day changes).
#[derive(Clone)]
struct MovableClock(Arc<AtomicI64>);

impl MovableClock {
    fn at(t: DateTime<Utc>) -> Self {
        MovableClock(Arc::new(AtomicI64::new(t.timestamp())))
    }
    fn clock(&self) -> Option<Clock> {
        let secs = self.0.clone();
        Some(Arc::new(move || {
            DateTime::from_timestamp(secs.load(Ordering::SeqCst), 0).unwrap()
        }))
    }
    fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp(), Ordering::SeqCst);
    }
}

async fn start(clock: &MovableClock) -> Fixture {
    Fixture::start_configured(20, clock.clock(), |options, _| {
        options.daily_poll = Duration::from_millis(50);
    })
    .await
}

async fn decided(desk: &Desk, body: &Value) -> NotificationDecision {
    let (s, v) = desk.submit(Uuid::new_v4(), body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    serde_json::from_value(v).unwrap()
}

async fn detail(desk: &Desk, id: &impl std::fmt::Display) -> ResidentDetail {
    desk.typed(&format!("/v1/residents/{id}")).await
}

fn state(d: &ResidentDetail) -> String {
    serde_json::to_value(d.state)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits until the resident's state is `expected` (the daily job runs within the poll interval).
async fn wait_for_state(
    desk: &Desk,
    id: &impl std::fmt::Display,
    expected: &str,
) -> ResidentDetail {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d = detail(desk, id).await;
        if state(&d) == expected {
            return d;
        }
        assert!(
            Instant::now() < deadline,
            "state stayed {} (expected {expected})",
            state(&d)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn reissue(id: &impl std::fmt::Display, received: chrono::NaiveDate) -> Value {
    json!({"received_on": received, "notification": {"kind": "reissue",
        "details": {"resident_id": id.to_string(), "reason": "damaged"}}})
}

#[tokio::test]
async fn the_daily_job_makes_a_75th_birthday_insured_from_the_birthday() {
    let clock = MovableClock::at(jst_noon(2026, 11, 21));
    let fx = start(&clock).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;

    // A resident born 1951-12-20 is known to the union (here by a 転入 before the 75th birthday).
    let d = decided(
        &desk,
        &move_in(
            date(1951, 12, 20),
            date(2026, 11, 2),
            date(2026, 11, 21),
            false,
        ),
    )
    .await;
    assert_eq!(serde_json::to_value(d.reason).unwrap(), "under_75");
    let id = d.resident_id;

    // The next day's daily job (the month before the birthday month) decides it ahead: 取得予定.
    assert_eq!(state(&detail(&desk, &id).await), "not_insured");
    clock.set(jst_noon(2026, 11, 22));
    let before = wait_for_state(&desk, &id, "acquisition_scheduled").await;
    let q = before.qualification.clone().unwrap();
    assert_eq!(q.acquired_on, date(2026, 12, 20));
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "age_75");
    assert_eq!(q.insured_number.as_str().len(), 8);
    assert_eq!(before.documents.len(), 1);
    let doc = &before.documents[0];
    assert_eq!(
        (doc.valid_from, doc.valid_until),
        (date(2026, 12, 20), date(2027, 7, 31))
    );
    assert_eq!(serde_json::to_value(doc.state).unwrap(), "to_issue");

    // 2026-12-19: not insured yet — a 再交付 is refused.
    clock.set(jst_noon(2026, 12, 19));
    let d = wait_for_state(&desk, &id, "acquisition_scheduled").await;
    assert_eq!(d.documents.len(), 1, "the job of another day adds nothing");
    let (s, v) = desk
        .submit(Uuid::new_v4(), &reissue(&id, date(2026, 12, 19)))
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::CONFLICT, "not_insured")
    );

    // 2026-12-20: insured from the birthday, same number; a 再交付 is accepted.
    clock.set(jst_noon(2026, 12, 20));
    let after = wait_for_state(&desk, &id, "insured").await;
    assert_eq!(
        after.qualification.unwrap().insured_number,
        q.insured_number
    );
    let d = decided(&desk, &reissue(&id, date(2026, 12, 20))).await;
    assert_eq!(d.qualification.unwrap().acquired_on, date(2026, 12, 20));
    fx.shutdown().await;
}

#[tokio::test]
async fn a_dated_move_out_is_a_scheduled_loss_until_the_day_after() {
    let clock = MovableClock::at(jst_noon(2027, 1, 5));
    let fx = start(&clock).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let d = decided(
        &desk,
        &move_in(date(1946, 4, 1), date(2027, 1, 4), date(2027, 1, 5), false),
    )
    .await;
    let id = d.resident_id;
    assert_eq!(state(&detail(&desk, &id).await), "insured");

    // Filed on 2027-01-05 for a 転出 on 2027-01-10: 資格喪失年月日 2027-01-11 (第53条: the day after).
    let body = json!({"received_on": date(2027, 1, 5), "notification": {"kind": "loss_move_out",
        "details": {"resident_id": id.to_string(), "moved_out_on": date(2027, 1, 10)}}});
    let d = decided(&desk, &body).await;
    assert_eq!(d.qualification.unwrap().lost_on, Some(date(2027, 1, 11)));
    assert_eq!(state(&detail(&desk, &id).await), "loss_scheduled");

    clock.set(jst_noon(2027, 1, 10));
    wait_for_state(&desk, &id, "loss_scheduled").await;
    clock.set(jst_noon(2027, 1, 11));
    let lost = wait_for_state(&desk, &id, "lost").await;
    assert_eq!(
        serde_json::to_value(lost.qualification.unwrap().reason).unwrap(),
        "lost_moved_out"
    );
    fx.shutdown().await;
}

#[tokio::test]
async fn welfare_start_loses_from_the_start_day_and_its_end_acquires_the_day_after() {
    let clock = MovableClock::at(jst_noon(2027, 2, 1));
    let fx = start(&clock).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let d = decided(
        &desk,
        &move_in(date(1946, 4, 1), date(2027, 1, 20), date(2027, 2, 1), false),
    )
    .await;
    let id = d.resident_id;
    let number = d.qualification.unwrap().insured_number;
    let welfare = |kind: &str, on: chrono::NaiveDate, received: chrono::NaiveDate| {
        json!({"received_on": received, "notification": {"kind": kind,
            "details": {"resident_id": id.to_string(), "on": on}}})
    };

    // 生活保護開始 on 2027-02-01: 喪失 on 2027-02-01 itself (適用除外).
    let d = decided(
        &desk,
        &welfare("welfare_started", date(2027, 2, 1), date(2027, 2, 1)),
    )
    .await;
    let q = d.qualification.unwrap();
    assert_eq!(q.lost_on, Some(date(2027, 2, 1)));
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "lost_welfare");
    assert_eq!(state(&detail(&desk, &id).await), "lost");

    // 生活保護廃止 on 2027-06-30: 取得 on 2027-07-01 with the same 被保険者番号, a new document from that day.
    clock.set(jst_noon(2027, 6, 30));
    let d = decided(
        &desk,
        &welfare("welfare_ended", date(2027, 6, 30), date(2027, 6, 30)),
    )
    .await;
    let q = d.qualification.unwrap();
    assert_eq!(q.acquired_on, date(2027, 7, 1));
    assert_eq!(q.insured_number, number);
    assert_eq!(serde_json::to_value(q.reason).unwrap(), "welfare_ended");
    assert_eq!(d.document.unwrap().valid_from, date(2027, 7, 1));
    assert_eq!(state(&detail(&desk, &id).await), "acquisition_scheduled");
    clock.set(jst_noon(2027, 7, 1));
    wait_for_state(&desk, &id, "insured").await;
    fx.shutdown().await;
}

#[tokio::test]
async fn a_move_within_the_union_keeps_the_insured_number() {
    let fx = Fixture::start(20, fixed(jst_noon(2027, 1, 5))).await;
    let mitsuke = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let d = decided(
        &mitsuke,
        &move_in(date(1946, 4, 1), date(2027, 1, 4), date(2027, 1, 5), false),
    )
    .await;
    let number = d.qualification.unwrap().insured_number;
    let old = d.document.unwrap().document_id;
    let (s, v) = mitsuke
        .post(
            &format!("/v1/documents/{old}/issuance"),
            &json!({"issued_on": "2027-01-05", "method": "counter", "identity_documents": ["my_number_card"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // At 長岡市's counter: 県内転居 from 見附市.
    let nagaoka = sign_in(&fx, T_NAGAOKA, "152021-clerk").await;
    let body = json!({"received_on": date(2027, 1, 5), "notification": {"kind": "move_within_union",
        "details": {"insured_number": number.as_str(), "birth_date": date(1946, 4, 1),
            "addressee_number": addressee(), "household_number": addressee(),
            "address": "新潟県長岡市幸町二丁目1番1号", "moved_on": date(2027, 1, 5)}}});
    let d = decided(&nagaoka, &body).await;
    let q = d.qualification.unwrap();
    assert_eq!(q.insured_number, number, "the number is kept");
    assert_eq!(q.acquired_on, date(2027, 1, 4), "no new acquisition");
    assert!(q.insurer_number.as_str().starts_with("3915202"));
    assert_eq!(d.documents_to_return.len(), 1);
    assert_eq!(d.documents_to_return[0].document_id, old);
    let new = d.document.unwrap();
    assert_eq!(new.valid_from, date(2027, 1, 5));
    // The person now belongs to 長岡市 (and no longer to 見附市).
    let detail = detail(&nagaoka, &d.resident_id).await;
    assert_eq!(state(&detail), "insured");
    assert_eq!(detail.address, "新潟県長岡市幸町二丁目1番1号");
    let (s, _) = mitsuke
        .get(&format!("/v1/residents/{}", d.resident_id))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A second time is refused (already in this municipality).
    let (s, v) = nagaoka.submit(Uuid::new_v4(), &body).await;
    assert_eq!(code(&v), "nothing_to_change", "{s}");
    fx.shutdown().await;
}

#[test]
fn the_daily_command_prints_counts_by_kind_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(bin().args(["seed", "--data"]).arg(&data).args([
        "--municipality",
        "152111",
        "--residents",
        "400",
        "--as-of",
        "2026-11-21",
        "--light-hashes",
    ]));
    let run = || {
        ok(bin()
            .args(["daily", "--data"])
            .arg(&data)
            .args(["--on", "2026-11-21"]))
    };
    // `key: N (new M)  # …` → [N, M]
    let count = |out: &str, key: &str| -> Vec<u64> {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{key}:")))
            .unwrap_or_else(|| panic!("{key} missing in {out}"));
        line[key.len() + 1..]
            .split('#')
            .next()
            .unwrap()
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect()
    };
    let first = run();
    let (age, new) = (count(&first, "age_75")[0], count(&first, "age_75")[1]);
    assert!(
        age > 0,
        "the seed has residents reaching 75 in Nov–Dec: {first}"
    );
    assert_eq!(age, new, "all decided by the first run: {first}");
    let second = run();
    assert_eq!(count(&second, "age_75"), vec![age, 0], "{second}");
    for key in [
        "acquisitions_effective",
        "losses_effective",
        "documents_expired",
    ] {
        assert!(second.contains(&format!("{key}:")), "{second}");
    }
    // The store is still whole.
    ok(bin().args(["verify", "--data"]).arg(&data));
}
