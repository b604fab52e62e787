//! The terminal's own audit chain: each access is appended, and a chain that was tampered with (a forged or
//! altered record, even one sealed with the vault's key) stops the counter at its next start.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use madoguchi_audit::{ChainErrorKind, Operation};
use madoguchi_counter::{Counter, CounterError};
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_system_tests::{insured_residents, link_config, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_the_terminal_chain_stops_the_counter() {
    let rig = start().await;
    let clerk = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("clerk");
    // A refused sign-in is recorded too.
    assert!(
        rig.counter
            .session()
            .sign_in(&clerk.user_id, "wrong-password")
            .await
            .is_err()
    );
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    let someone = insured_residents(&rig.counter, 1)
        .await
        .pop()
        .expect("resident");
    rig.counter
        .search()
        .resident(someone.resident_id)
        .await
        .expect("view");
    rig.counter
        .issuance()
        .record_print("document:sample".into(), None)
        .await
        .expect("print recorded");
    rig.counter
        .issuance()
        .record_print("document:sample".into(), Some("printer_unavailable"))
        .await
        .expect("failed print recorded");
    let entries = rig.counter.audit_review().audit_entries().expect("entries");
    let prints: Vec<_> = entries
        .iter()
        .filter(|e| e.event.operation == Operation::Print)
        .map(|e| e.event.outcome.clone())
        .collect();
    assert_eq!(
        prints,
        vec![
            madoguchi_audit::Outcome::Done,
            madoguchi_audit::Outcome::Refused {
                code: "printer_unavailable".into()
            }
        ]
    );
    let ops: Vec<_> = entries.iter().map(|e| e.event.operation).collect();
    assert_eq!(ops.first(), Some(&Operation::SignIn));
    assert!(ops.contains(&Operation::ViewResident));
    assert!(
        matches!(&entries[0].event.outcome, madoguchi_audit::Outcome::Refused { code } if code == "invalid_credentials"),
        "the refused sign-in is in the trail: {:?}",
        entries[0].event.outcome
    );
    rig.background.abort();

    // An intact chain lets a new counter start on the same vault.
    let client = || UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");
    let (again, bg) = Counter::start(client(), rig.vault.clone(), Duration::from_secs(60))
        .expect("intact chain opens");
    bg.abort();
    drop(again);

    // Someone with the vault key appends a record that rewrites history: an earlier entry with another user.
    let mut forged = entries[1].clone();
    forged.event.user = "someone-else".into();
    let bytes = serde_json::to_vec(&forged).expect("json");
    rig.vault.audit_log().append(&bytes).expect("append");
    match Counter::start(client(), rig.vault.clone(), Duration::from_secs(60)) {
        Err(CounterError::AuditChain(e)) => {
            assert!(matches!(
                e.kind,
                ChainErrorKind::SequenceGap { .. }
                    | ChainErrorKind::BrokenLink
                    | ChainErrorKind::Edited
            ));
            assert_eq!(e.position, entries.len() + 1, "names the forged record");
        }
        Err(other) => panic!("expected a broken audit chain, got {other}"),
        Ok(_) => panic!("a tampered chain must stop the counter"),
    }
    rig.union.shutdown().await;
}
