//! Reprints under the union's four-eyes policy: a 監督者 approves one reprint of one document at the clerk's
//! terminal with their own credentials; the approval is refused to the clerk themself, to a non-supervisor
//! and to a wrong password, and it covers one recorded reprint (K:3697–3698: a second person confirms every
//! correction).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_audit::{Operation, Outcome};
use madoguchi_system_tests::{insured_residents, start, start_with};
use madoguchi_union_server::training::TrainingOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_approves_one_reprint_with_their_own_credentials() {
    let rig = start_with(TrainingOptions {
        reprint_needs_supervisor: true,
        ..TrainingOptions::default()
    })
    .await;
    let account = |suffix: &str| {
        let a = rig
            .union
            .accounts
            .iter()
            .find(|a| a.user_id.ends_with(suffix))
            .unwrap_or_else(|| panic!("training account {suffix}"));
        (a.user_id.clone(), a.password.clone())
    };
    let (clerk, clerk_password) = account("-clerk");
    let (clerk2, clerk2_password) = account("-clerk2");
    let (supervisor, supervisor_password) = account("-supervisor");
    let counter = &rig.counter;
    counter
        .session()
        .sign_in(&clerk, &clerk_password)
        .await
        .expect("clerk signs in");
    assert!(
        counter
            .issuance()
            .reprint_policy()
            .await
            .expect("policy")
            .supervisor_approval_required
    );
    let someone = insured_residents(counter, 1).await.pop().expect("resident");
    let detail = counter
        .search()
        .resident(someone.resident_id)
        .await
        .expect("detail");
    let document = detail.documents.first().expect("a document").document_id;
    let reason = "用紙詰まりによる印字不良";

    let code = |r: Result<_, madoguchi_counter::CounterError>| r.err().and_then(|e| e.code());
    assert_eq!(
        code(
            counter
                .issuance()
                .approve_reprint(document, &clerk, &clerk_password, reason)
                .await
        ),
        Some("self_approval")
    );
    assert_eq!(
        code(
            counter
                .issuance()
                .approve_reprint(document, &clerk2, &clerk2_password, reason)
                .await
        ),
        Some("forbidden")
    );
    assert_eq!(
        code(
            counter
                .issuance()
                .approve_reprint(document, &supervisor, "not-the-password", reason)
                .await
        ),
        Some("reauthentication_failed")
    );
    assert_eq!(
        code(
            counter
                .issuance()
                .approve_reprint(document, &supervisor, &supervisor_password, "  ")
                .await
        ),
        Some("invalid_field")
    );
    let approval = counter
        .issuance()
        .approve_reprint(document, &supervisor, &supervisor_password, reason)
        .await
        .expect("approved");
    assert_eq!(approval.document_id, document);
    assert_eq!(approval.requested_by, clerk);
    assert_eq!(approval.approved_by, supervisor);
    assert_eq!(approval.reason, reason);

    // A failed print does not use the approval; a done reprint does, once.
    counter
        .issuance()
        .record_reprint(&approval, Some("printer_unavailable"))
        .await
        .expect("failed reprint recorded");
    counter
        .issuance()
        .record_reprint(&approval, None)
        .await
        .expect("reprint recorded");
    assert_eq!(
        counter
            .issuance()
            .record_reprint(&approval, None)
            .await
            .err()
            .and_then(|e| e.code()),
        Some("reprint_approval_used")
    );
    // An approval is for a reprint now: one used later (after the local chain may have been pruned) is
    // refused rather than trusted.
    let second = counter
        .issuance()
        .approve_reprint(document, &supervisor, &supervisor_password, reason)
        .await
        .expect("approved again");
    let mut stale = second.clone();
    stale.approved_at -= chrono::Duration::from_std(madoguchi_counter::REPRINT_APPROVAL_VALID_FOR)
        .expect("duration")
        + chrono::Duration::minutes(1);
    assert_eq!(
        counter
            .issuance()
            .record_reprint(&stale, None)
            .await
            .err()
            .and_then(|e| e.code()),
        Some("reprint_approval_lapsed")
    );

    let entries = counter.audit_review().audit_entries().expect("audit");
    let id = approval.approval_id.to_string();
    let about: Vec<(Operation, Outcome)> = entries
        .iter()
        .filter(|e| e.event.target.as_deref().is_some_and(|t| t.contains(&id)))
        .map(|e| (e.event.operation, e.event.outcome.clone()))
        .collect();
    assert_eq!(
        about,
        vec![
            (Operation::Approve, Outcome::Done),
            (
                Operation::Reprint,
                Outcome::Refused {
                    code: "printer_unavailable".into()
                }
            ),
            (Operation::Reprint, Outcome::Done),
        ]
    );
    rig.background.abort();
    rig.union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_is_off_unless_the_union_switches_it_on() {
    let rig = start().await;
    let clerk = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("clerk");
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    assert!(
        !rig.counter
            .issuance()
            .reprint_policy()
            .await
            .expect("policy")
            .supervisor_approval_required
    );
    rig.background.abort();
    rig.union.shutdown().await;
}
