//! 県内転居 through two terminals of one union, over real mutual TLS (issue 15): a resident insured in 見附市
//! (terminal A) moves to 長岡市, the 届出 is submitted at 長岡市's terminal (B); the person keeps the
//! 被保険者番号, the new 資格確認書 is in B's 交付待ち, the old document is named for 回収, and A no longer
//! reaches the person.
//!
//! The two municipalities come from starting the training union twice on one directory: the second start
//! issues 長岡市's terminal and seeds its residents and staff beside 見附市's.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use madoguchi_counter::{Counter, Submitted};
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MunicipalityCode};
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_protocol::v1::{MoveWithinUnion, Notification, Outcome};
use madoguchi_system_tests::union_host::UnionAccess;
use madoguchi_system_tests::{insured_residents, link_config_via, open_vault, today};
use madoguchi_union_server::training::{self, TrainingOptions, TrainingServer};

fn access(t: &TrainingServer) -> UnionAccess {
    let clerk = t
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("a training clerk");
    UnionAccess {
        ca_cert: t.ca_cert.clone(),
        terminal_cert: t.terminal_cert.clone(),
        terminal_key: t.terminal_key.clone(),
        terminal_id: t.terminal_id.clone(),
        clerk_user: clerk.user_id.clone(),
        clerk_password: clerk.password.clone(),
    }
}

async fn counter_at(
    access: &UnionAccess,
    port: u16,
    dir: &std::path::Path,
) -> (Counter, madoguchi_counter::Background) {
    let cfg = link_config_via(access, port, Duration::from_secs(10));
    let vault = open_vault(dir, &access.terminal_id);
    let (counter, background) = Counter::start(
        UnionClient::new(&cfg, LineMonitor::new()).expect("client"),
        vault,
        Duration::from_millis(200),
    )
    .expect("counter starts");
    counter
        .session()
        .sign_in(&access.clerk_user, &access.clerk_password)
        .await
        .expect("clerk signs in");
    (counter, background)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_within_the_union_keeps_the_number_and_lands_in_the_new_counters_ready_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let union_dir = dir.path().join("union");
    // 見附市 first, then 長岡市 on the same PKI and store (the server of the second start serves both).
    let mitsuke = training::start_with(&union_dir, TrainingOptions::default())
        .await
        .expect("見附市 set up");
    let a = access(&mitsuke);
    mitsuke.shutdown().await;
    let union = training::start_with(
        &union_dir,
        TrainingOptions {
            municipality: MunicipalityCode::parse("152021").unwrap(),
            terminal_id: "KENSYU-NAGAOKA".into(),
            seed: 7,
            ..TrainingOptions::default()
        },
    )
    .await
    .expect("長岡市 set up beside 見附市");
    let b = access(&union);
    assert!(b.clerk_user.starts_with("152021"), "{}", b.clerk_user);
    let port = union.addr.port();

    // A: an insured 見附市 resident.
    let (counter_a, _bg_a) = counter_at(&a, port, &dir.path().join("terminal-a")).await;
    let person = insured_residents(&counter_a, 1)
        .await
        .into_iter()
        .next()
        .expect("an insured resident in 見附市");
    let number = person.insured_number.clone().expect("insured");

    // B: the 県内転居 is submitted at 長岡市's counter.
    let (counter_b, _bg_b) = counter_at(&b, port, &dir.path().join("terminal-b")).await;
    let on = today();
    let submitted = counter_b
        .intake()
        .submit(
            Notification::MoveWithinUnion(MoveWithinUnion {
                insured_number: number.clone(),
                birth_date: person.birth_date,
                addressee_number: AddresseeNumber::parse("900000000001").unwrap(),
                household_number: HouseholdNumber::parse("900000000001").unwrap(),
                address: "新潟県長岡市幸町二丁目1番1号".into(),
                moved_on: on,
            }),
            on,
        )
        .await
        .expect("submitted at B");
    let Submitted::Decided { decision, .. } = submitted else {
        panic!("decided at once while the line is up: {submitted:?}")
    };
    assert_eq!(
        decision.outcome,
        Outcome::Decided,
        "{}",
        decision.message_ja
    );
    let q = decision.qualification.clone().expect("still insured");
    assert_eq!(q.insured_number, number, "the 被保険者番号 is kept");
    assert!(
        q.insurer_number.as_str().starts_with("3915202"),
        "長岡市's 保険者番号: {}",
        q.insurer_number.as_str()
    );
    let doc = decision.document.clone().expect("a new 資格確認書");
    assert_eq!(doc.valid_from, on);

    // The new document waits in B's 交付待ち, with the person's line.
    let ready = counter_b
        .issuance()
        .ready_to_issue()
        .expect("B's ready list");
    let line = ready
        .iter()
        .find(|r| r.decision.resident_id == person.resident_id)
        .expect("the 県内転居 is in B's 交付待ち");
    assert_eq!(
        line.decision.document.as_ref().unwrap().document_id,
        doc.document_id
    );
    assert!(line.needs_handover);

    // B reaches the person now; A does not any more.
    let detail = counter_b
        .search()
        .resident(person.resident_id)
        .await
        .expect("B reads the record");
    assert_eq!(detail.address, "新潟県長岡市幸町二丁目1番1号");
    assert!(
        counter_a
            .search()
            .resident(person.resident_id)
            .await
            .is_err()
    );
    union.shutdown().await;
}
