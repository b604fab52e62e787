//! 障害認定 examined by the union (issue 15), terminal to union and back over real mutual TLS: the counter
//! receives the application (審査中, no document), a 広域連合職員 decides it through the union API, and the
//! decision reaches the terminal's 交付待ち (ready-to-issue) list like a queued item's, with the document.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use madoguchi_counter::{Counter, Submitted};
use madoguchi_domain::age::age_on;
use madoguchi_link::{LineMonitor, SessionToken, UnionClient};
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::v1::{
    DisabilityApplication, DisabilityEvidence, DisabilityReviewDecision, DisabilityReviewList,
    Notification, NotificationDecision, Outcome, SignInRequest, SignInResponse,
};
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{link_config_via, open_vault, today};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disability_application_stays_under_review_until_union_staff_decide() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut union = UnionHost::start(&dir.path().join("union")).await;
    let on = today();
    // A resident of 66–73 (no 75歳到達 the daily job decides ahead), not insured, not on 生活保護, with a
    // 個人番号 on record.
    let applicant = union
        .residents()
        .into_iter()
        .find(|r| {
            age_on(r.birth_date, on).is_some_and(|a| (66..74).contains(&a))
                && r.qualification.is_none()
                && !r.on_welfare
                && r.died_on.is_none()
                && r.moved_out_on.is_none()
                && r.my_number.is_some()
        })
        .expect("the training data has residents of 66–74");
    let cfg = link_config_via(&union.access, union.addr.port(), Duration::from_secs(10));
    let vault = open_vault(&dir.path().join("terminal"), &union.access.terminal_id);
    let (counter, _background) = Counter::start(
        UnionClient::new(&cfg, LineMonitor::new()).expect("client"),
        vault.clone(),
        Duration::from_millis(200),
    )
    .expect("counter starts");
    counter
        .session()
        .sign_in(&union.access.clerk_user, &union.access.clerk_password)
        .await
        .expect("sign in");

    // At the counter: received, 審査中 — no qualification, no document.
    let submitted = counter
        .intake()
        .submit(
            Notification::AcquisitionDisability(DisabilityApplication {
                resident_id: applicant.id,
                my_number: applicant.my_number.clone().unwrap(),
                evidence: DisabilityEvidence::PhysicalDisabilityCertificate,
            }),
            on,
        )
        .await
        .expect("submitted");
    let Submitted::Decided { decision, .. } = submitted else {
        panic!("answered at once: {submitted:?}")
    };
    assert_eq!(decision.outcome, Outcome::UnderReview);
    assert!(decision.document.is_none() && decision.qualification.is_none());
    let ready = counter.issuance().ready_to_issue().expect("ready list");
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].decision.outcome, Outcome::UnderReview);
    // Nothing changes while nobody at the union decides.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        counter.issuance().ready_to_issue().unwrap()[0]
            .decision
            .outcome,
        Outcome::UnderReview
    );

    // At the union: a 広域連合職員 lists and certifies it.
    let staff = UnionClient::new(&cfg, LineMonitor::new()).expect("union staff client");
    let m = union.municipality.as_str().to_owned();
    let signed: SignInResponse = staff
        .send(
            &ep::SIGN_IN,
            &[],
            None,
            None,
            Some(&SignInRequest {
                user_id: format!("{m}-union-staff1"),
                password: format!("kensyu-{m}-union-staff1"),
            }),
        )
        .await
        .expect("union staff signs in");
    let token = SessionToken::new(signed.token);
    let list: DisabilityReviewList = staff
        .send(&ep::DISABILITY_REVIEWS, &[], Some(&token), None, None)
        .await
        .expect("list");
    assert_eq!(list.reviews.len(), 1);
    assert_eq!(list.reviews[0].resident_id, applicant.id);
    let decided: NotificationDecision = staff
        .send(
            &ep::DECIDE_DISABILITY_REVIEW,
            &[&applicant.id.to_string()],
            Some(&token),
            None,
            Some(&DisabilityReviewDecision {
                certified: true,
                certified_on: Some(on),
                reason: String::new(),
            }),
        )
        .await
        .expect("decided");
    assert_eq!(decided.outcome, Outcome::Decided);
    let doc = decided.document.clone().expect("a document to issue");

    // Back at the counter: the decision replaces 審査中 in the ready list, with the document.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        counter
            .issuance()
            .refresh_under_review()
            .await
            .expect("asked again");
        let ready = counter.issuance().ready_to_issue().unwrap();
        if ready[0].decision.outcome == Outcome::Decided {
            assert_eq!(
                ready[0].decision.document.as_ref().unwrap().document_id,
                doc.document_id
            );
            assert_eq!(
                ready[0]
                    .decision
                    .qualification
                    .as_ref()
                    .unwrap()
                    .acquired_on,
                on
            );
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    union.stop().await;
}
