//! 広域連合事務 through the terminal's use cases (`Counter::union_office`), over real mutual TLS: a
//! 広域連合職員 asks for a 75歳到達 distribution, their own approval is refused by the union (four-eyes) and
//! a second staff member's goes through; a 障害認定 received at the counter stays 審査中 until a union staff
//! member decides it through the same handle, and the decision reaches the counter's 交付待ち; the daily
//! job's run of the day is listed. A clerk reaches none of it. One terminal serves every role here, as the
//! 研修モード terminal does: staff sign out and in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use chrono::{Datelike, Months};
use madoguchi_counter::{Counter, CounterError, Submitted};
use madoguchi_domain::StaffMessage;
use madoguchi_domain::age::age_on;
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_protocol::distribution::{
    CreateDistribution, DistributionKind, DistributionState, MailClass,
};
use madoguchi_protocol::v1::{
    DisabilityApplication, DisabilityEvidence, DisabilityReviewDecision, Notification, Outcome,
};
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{link_config_via, open_vault, today};

fn code(e: &CounterError) -> &'static str {
    e.code()
        .unwrap_or_else(|| panic!("a refusal with a code, got {e}"))
}

async fn sign_in_as(counter: &Counter, m: &str, who: &str) {
    counter.session().sign_out().await;
    let user = format!("{m}-{who}");
    counter
        .session()
        .sign_in(&user, &format!("kensyu-{user}"))
        .await
        .unwrap_or_else(|e| panic!("{who} signs in: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn union_staff_create_approve_and_decide_through_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut union = UnionHost::start(&dir.path().join("union")).await;
    let on = today();
    let m = union.municipality.as_str().to_owned();
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
        vault,
        Duration::from_millis(200),
    )
    .expect("counter starts");

    // The counter receives a 障害認定: 審査中. A clerk cannot reach the union's office work.
    counter
        .session()
        .sign_in(&union.access.clerk_user, &union.access.clerk_password)
        .await
        .expect("clerk signs in");
    let submitted = counter
        .intake()
        .submit(
            Notification::AcquisitionDisability(DisabilityApplication {
                resident_id: applicant.id,
                my_number: applicant.my_number.clone().unwrap(),
                evidence: DisabilityEvidence::RehabilitationCertificateA,
            }),
            on,
        )
        .await
        .expect("submitted");
    let Submitted::Decided { decision, .. } = submitted else {
        panic!("answered at once: {submitted:?}")
    };
    assert_eq!(decision.outcome, Outcome::UnderReview);
    let refused = counter
        .union_office()
        .disability_reviews()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "forbidden");

    // 広域連合職員 1: the daily job's run of today is listed; asks for next month's 75歳到達.
    sign_in_as(&counter, &m, "union-staff1").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let run = loop {
        let runs = counter.union_office().daily_runs().await.expect("runs");
        if let Some(r) = runs.into_iter().find(|r| r.on == on) {
            break r;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no daily run listed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(run.new_age_75 <= run.age_75);
    let next_month = on
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .expect("next month");
    let created = counter
        .union_office()
        .create_distribution(&CreateDistribution {
            kind: DistributionKind::MonthlyAgeArrival,
            municipality: union.municipality,
            reference_date: next_month,
            mail_class: MailClass::SimpleRegisteredNoForward,
            note: "翌月分".into(),
        })
        .await
        .expect("created");
    assert_eq!(created.state, DistributionState::AwaitingUnionApproval);
    assert_eq!(created.created_by, format!("{m}-union-staff1"));
    // Four-eyes, kept by the union: the creator's own approval is refused, in words for the screen.
    let own = counter
        .union_office()
        .approve_distribution(created.distribution_id, &created.content_hash)
        .await
        .unwrap_err();
    assert_eq!(code(&own), "self_approval");
    assert!(
        own.message_ja().contains("別の職員が承認"),
        "{}",
        own.message_ja()
    );
    // The application is listed with what the examiner needs.
    let reviews = counter
        .union_office()
        .disability_reviews()
        .await
        .expect("reviews");
    let review = reviews
        .iter()
        .find(|r| r.resident_id == applicant.id)
        .expect("the application is 審査中");
    assert_eq!(
        review.evidence,
        DisabilityEvidence::RehabilitationCertificateA
    );
    assert_eq!(review.received_on, on);

    // 広域連合職員 2: approves the content; decides the application (a 却下 without a reason is refused).
    sign_in_as(&counter, &m, "union-staff2").await;
    let listed = counter.union_office().distributions().await.expect("list");
    assert!(
        listed
            .iter()
            .any(|d| d.distribution_id == created.distribution_id
                && d.state == DistributionState::AwaitingUnionApproval)
    );
    let released = counter
        .union_office()
        .approve_distribution(created.distribution_id, &created.content_hash)
        .await
        .expect("second staff member approves");
    assert_eq!(released.state, DistributionState::Released);
    assert_eq!(
        released.union_approved_by.as_deref(),
        Some(format!("{m}-union-staff2").as_str())
    );
    let no_reason = counter
        .union_office()
        .decide_disability_review(
            applicant.id,
            &DisabilityReviewDecision {
                certified: false,
                certified_on: None,
                reason: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&no_reason), "missing_field");
    let decided = counter
        .union_office()
        .decide_disability_review(
            applicant.id,
            &DisabilityReviewDecision {
                certified: true,
                certified_on: None,
                reason: "療育手帳Aを確認".into(),
            },
        )
        .await
        .expect("decided");
    assert_eq!(decided.outcome, Outcome::Decided);
    assert!(decided.message_ja.contains("理由: 療育手帳Aを確認"));
    let doc = decided.document.clone().expect("a document to issue");
    assert!(
        counter
            .union_office()
            .disability_reviews()
            .await
            .unwrap()
            .iter()
            .all(|r| r.resident_id != applicant.id)
    );

    // Back at the counter: the decision is in 交付待ち with its document.
    counter.session().sign_out().await;
    counter
        .session()
        .sign_in(&union.access.clerk_user, &union.access.clerk_password)
        .await
        .expect("clerk signs in again");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        counter
            .issuance()
            .refresh_under_review()
            .await
            .expect("asked again");
        let ready = counter.issuance().ready_to_issue().unwrap();
        let mine = ready
            .iter()
            .find(|r| r.decision.resident_id == applicant.id)
            .expect("the application's line");
        if mine.decision.outcome == Outcome::Decided {
            assert_eq!(
                mine.decision.document.as_ref().unwrap().document_id,
                doc.document_id
            );
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    union.stop().await;
}
