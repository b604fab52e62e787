//! Every decision that comes back is on the ready-to-issue list, however many come back at once: clerks
//! at a busy counter submit concurrently while the sync engine drains what was queued, and no document
//! to hand over may go missing from the list.
//!
//! Found by these tests: the list is one vault setting updated read-modify-write, and concurrent updates
//! (an immediate send and the drain, on two threads) lost entries — 41 of 400 in the threaded test below.
//! Fixed in `madoguchi-link` (`sync.rs`) by serialising the updates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use madoguchi_counter::{Counter, Submitted};
use madoguchi_link::sync::DecisionStore;
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_protocol::v1::{
    NotificationDecision, NotificationId, NotificationKind, Outcome, ResidentId,
};
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{address_change, eventually, link_config_via, open_vault, today};
use madoguchi_vault::Sequence;

const QUEUED: usize = 60;
const CONCURRENT: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_decision_is_on_the_ready_list_when_many_come_back_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut union = UnionHost::start(&dir.path().join("union")).await;
    let residents: Vec<_> = union
        .insured_residents()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(
        residents.len() >= QUEUED + CONCURRENT,
        "{}",
        residents.len()
    );
    let vault = open_vault(&dir.path().join("terminal"), &union.access.terminal_id);
    let client = UnionClient::new(
        &link_config_via(&union.access, union.addr.port(), Duration::from_secs(10)),
        LineMonitor::new(),
    )
    .expect("client");
    let (counter, background) =
        Counter::start(client, vault.clone(), Duration::from_millis(300)).expect("counter starts");
    counter
        .session()
        .sign_in(&union.access.clerk_user, &union.access.clerk_password)
        .await
        .expect("sign in");

    counter.simulate_line_failure(true);
    for (n, resident) in residents.iter().enumerate().take(QUEUED) {
        counter
            .intake()
            .submit(address_change(*resident, n, today()), today())
            .await
            .expect("queued");
    }
    // The line returns: the engine drains while the clerks submit at once.
    counter.simulate_line_failure(false);
    let mut clerks = tokio::task::JoinSet::new();
    for (n, resident) in residents
        .iter()
        .copied()
        .enumerate()
        .skip(QUEUED)
        .take(CONCURRENT)
    {
        let counter = counter.clone();
        clerks.spawn(async move {
            counter
                .intake()
                .submit(address_change(resident, n, today()), today())
                .await
        });
    }
    while let Some(r) = clerks.join_next().await {
        match r.expect("task").expect("submit") {
            Submitted::Decided { .. } | Submitted::Queued(_) => {}
            Submitted::Refused { code, .. } => panic!("refused: {code}"),
        }
    }
    let total = QUEUED + CONCURRENT;
    eventually(Duration::from_secs(60), "everything decided", || {
        counter
            .intake()
            .queue()
            .map(|q| q.iter().filter(|e| e.state == "decided").count() == total)
            .unwrap_or(false)
    })
    .await;
    let ready = counter.issuance().ready_to_issue().expect("ready list");
    assert_eq!(
        ready.len(),
        total,
        "every decided address change with a new document waits to be handed over"
    );
    background.abort();
    union.stop().await;
}

/// The decision store on its own, from four threads at once (as the counter's immediate sends and the
/// drain call it): every decision put is listed.
#[test]
fn concurrent_decisions_are_all_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = open_vault(dir.path(), "KENSYU-01");
    let store = DecisionStore::new(vault);
    let (threads, per) = (4u64, 100u64);
    std::thread::scope(|s| {
        for t in 0..threads {
            let store = store.clone();
            s.spawn(move || {
                for i in 0..per {
                    let decision = NotificationDecision {
                        notification_id: NotificationId::new_random(),
                        idempotency_key: uuid::Uuid::now_v7(),
                        kind: NotificationKind::Reissue,
                        resident_id: ResidentId::new_random(),
                        decided_at: chrono::Utc::now(),
                        outcome: Outcome::Decided,
                        reason: None,
                        expected_acquisition_on: None,
                        qualification: None,
                        document: None,
                        documents_to_return: vec![],
                        message_ja: "再交付を決定しました。".into(),
                    };
                    store
                        .put(Sequence(t * per + i + 1), &decision)
                        .expect("decision kept");
                }
            });
        }
    });
    let listed = store.ready().expect("ready list");
    assert_eq!(listed.len(), (threads * per) as usize, "no decision lost");
    // Closing them concurrently leaves nothing behind either.
    std::thread::scope(|s| {
        for t in 0..threads {
            let store = store.clone();
            s.spawn(move || {
                for i in 0..per {
                    store.done(Sequence(t * per + i + 1)).expect("done");
                }
            });
        }
    });
    assert!(store.ready().expect("ready list").is_empty());
}
