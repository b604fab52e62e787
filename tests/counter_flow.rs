//! A counter day against the real union server over mutual TLS: sign in, immediate issuance of a resident
//! who moved in, then the line goes down, two notifications are queued with receipts, the line comes
//! back, and the queue drains by itself into the "ready to issue" list — each decided exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use chrono::Utc;
use madoguchi_counter::Submitted;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MyNumber};
use madoguchi_domain::insurance::Sex;
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_domain::{Date, StaffMessage};
use madoguchi_link::{LineMonitor, LineState, SessionToken, UnionClient};
use madoguchi_protocol::reveal::{RevealPurpose, RevealRequest};
use madoguchi_protocol::v1::{
    AuditPage, IdentityDocument, IssuanceRequest, IssueMethod, MoveIn, NewResident, Notification,
    Reissue, ReissueReason, ResidentId, SignInRequest, SignInResponse,
};
use madoguchi_system_tests::{Rig, eventually, insured_residents, link_config, start};

/// Today at the counter (Japan time).
fn today() -> Date {
    madoguchi_domain::jst::date(Utc::now())
}

fn newcomer(addressee: &str) -> Notification {
    Notification::AcquisitionMoveIn(MoveIn {
        resident: NewResident {
            addressee_number: AddresseeNumber::parse(addressee).expect("synthetic 宛名番号"),
            household_number: HouseholdNumber::parse(&format!("9{addressee}"))
                .expect("synthetic 世帯番号"),
            name: PersonName::parse("研修　花子").expect("synthetic name"),
            kana: KanaName::parse("ケンシュウ ハナコ").expect("synthetic kana"),
            birth_date: Date::from_ymd_opt(1944, 4, 4).expect("date"),
            sex: Sex::Female,
            address: "新潟県見附市研修町1-2-3".into(),
            on_welfare: false,
        },
        my_number: MyNumber::from_eleven_digits([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9])
            .expect("synthetic"),
        moved_in_on: today(),
        mynumber_health_card: false,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_day_online_and_offline() {
    let rig = start().await;
    let counter = &rig.counter;
    let clerk = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("a training clerk");
    let staff = counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    assert_eq!(staff.user_id, clerk.user_id);
    assert_eq!(counter.line_state(), LineState::Online);

    // Immediate issuance: decided at once, document to hand over.
    let decided = counter
        .intake()
        .submit(newcomer("880001"), today())
        .await
        .expect("submit");
    let Submitted::Decided { seq, decision } = decided else {
        panic!("expected an immediate decision, got {decided:?}");
    };
    let document = decision.document.clone().expect("a document to issue");
    // The 個人番号 comes back only on its own, explicit request (the clerk holds the permission), and
    // only for a purpose (利用目的): without one the counter refuses before sending anything.
    let refused = counter
        .search()
        .reveal_my_number(
            decision.resident_id,
            &RevealRequest {
                purpose: RevealPurpose::Other,
                purpose_text: Some("   ".into()),
            },
        )
        .await
        .expect_err("その他 without a text");
    assert_eq!(refused.code(), Some("reveal_purpose_required"));
    assert!(refused.message_ja().contains("利用目的"), "{refused}");
    let revealed = counter
        .search()
        .reveal_my_number(
            decision.resident_id,
            &RevealRequest {
                purpose: RevealPurpose::IdentityCheck,
                purpose_text: None,
            },
        )
        .await
        .expect("reveal");
    assert_eq!(
        revealed,
        MyNumber::from_eleven_digits([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9]).expect("synthetic")
    );
    reveals_carry_their_purpose(&rig, &clerk.user_id, decision.resident_id).await;
    let data = counter
        .issuance()
        .document(document.document_id)
        .await
        .expect("print data");
    assert_eq!(data.name.as_str(), "研修\u{3000}花子");
    assert!(data.sample, "training documents are samples");
    counter
        .issuance()
        .record_issuance(
            document.document_id,
            &IssuanceRequest {
                issued_on: today(),
                method: IssueMethod::Counter,
                identity_documents: vec![IdentityDocument::MyNumberCard],
            },
            Some(seq),
        )
        .await
        .expect("handover recorded");
    assert!(
        counter
            .issuance()
            .ready_to_issue()
            .expect("list")
            .is_empty()
    );

    // Two insured residents to reissue for.
    let insured = insured_residents(counter, 2).await;
    assert_eq!(insured.len(), 2, "the training data has insured residents");

    // The line goes down: both are queued with receipts, nothing is shown as sent.
    counter.simulate_line_failure(true);
    assert_eq!(counter.line_state(), LineState::Offline);
    let mut receipts = Vec::new();
    for r in &insured {
        let n = Notification::Reissue(Reissue {
            resident_id: r.resident_id,
            reason: ReissueReason::Lost,
        });
        match counter
            .intake()
            .submit(n, today())
            .await
            .expect("queued, not failed")
        {
            Submitted::Queued(receipt) => receipts.push(receipt),
            other => panic!("expected a queued receipt while offline, got {other:?}"),
        }
    }
    assert_ne!(receipts[0].reception_number, receipts[1].reception_number);
    let queue = counter.intake().queue().expect("queue");
    let queued: Vec<_> = queue.iter().filter(|q| q.state == "queued").collect();
    assert_eq!(queued.len(), 2, "{queue:?}");

    // The line returns: the queue drains by itself.
    counter.simulate_line_failure(false);
    eventually(
        Duration::from_secs(30),
        "both queued notifications decided",
        || {
            counter
                .intake()
                .queue()
                .map(|q| q.iter().filter(|e| e.state == "decided").count() == 3)
                .unwrap_or(false)
        },
    )
    .await;
    let ready = counter.issuance().ready_to_issue().expect("ready list");
    assert_eq!(ready.len(), 2, "both reissues are ready to issue");
    for r in &ready {
        assert!(r.decision.document.is_some(), "a reissue yields a document");
    }
    let keys: std::collections::HashSet<_> =
        ready.iter().map(|r| r.decision.idempotency_key).collect();
    assert_eq!(keys.len(), 2, "one decision per notification");

    // Every access is in the terminal's own audit chain, which verifies and names no person.
    let audit = counter
        .audit_review()
        .audit_entries()
        .expect("audit entries");
    let head = madoguchi_audit::verify_entries(
        madoguchi_audit::ChainHead::default(),
        &rig.union.terminal_id,
        &audit,
    )
    .expect("the chain is intact");
    assert_eq!(head.seq as usize, audit.len());
    let ops: Vec<_> = audit.iter().map(|e| e.event.operation).collect();
    for op in [
        madoguchi_audit::Operation::SignIn,
        madoguchi_audit::Operation::Search,
        madoguchi_audit::Operation::RevealMyNumber,
        madoguchi_audit::Operation::Submit,
        madoguchi_audit::Operation::Handover,
    ] {
        assert!(ops.contains(&op), "{op:?} recorded");
    }
    let text = serde_json::to_string(&audit).expect("json");
    assert!(
        !text.contains("花子") && !text.contains("987654321096"),
        "no personal data in the trail"
    );

    rig.background.abort();
    rig.union.shutdown().await;
}

/// Both audit trails keep the purpose of every reveal: the terminal's chain (refused or done), and the
/// union's entry of the request. A request that reaches the union without a purpose is refused there too.
async fn reveals_carry_their_purpose(rig: &Rig, clerk: &str, resident: ResidentId) {
    use madoguchi_audit::{Operation, Outcome};
    let chain = rig
        .counter
        .audit_review()
        .audit_entries()
        .expect("audit entries");
    let reveals: Vec<_> = chain
        .iter()
        .map(|e| &e.event)
        .filter(|e| e.operation == Operation::RevealMyNumber)
        .collect();
    assert_eq!(reveals.len(), 2, "{reveals:?}");
    assert_eq!(
        reveals[0].outcome,
        Outcome::Refused {
            code: "reveal_purpose_required".into()
        }
    );
    assert_eq!(reveals[0].purpose, None);
    assert_eq!(reveals[1].outcome, Outcome::Done);
    assert_eq!(reveals[1].purpose.as_deref(), Some("本人確認"));
    assert_eq!(reveals[1].target, Some(format!("resident:{resident}")));

    // Straight to the union, without a purpose (as a supervisor, who also holds the 個人番号 right).
    let client = UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");
    let token = |suffix: &'static str| {
        let client = &client;
        async move {
            let a = rig
                .union
                .accounts
                .iter()
                .find(|a| a.user_id.ends_with(suffix))
                .expect("training account");
            let r: SignInResponse = client
                .post(
                    "/v1/session",
                    None,
                    None,
                    &SignInRequest {
                        user_id: a.user_id.clone(),
                        password: a.password.clone(),
                    },
                )
                .await
                .expect("sign in");
            SessionToken::new(r.token)
        }
    };
    let supervisor = token("-supervisor").await;
    let e = client
        .post::<_, serde_json::Value>(
            &format!("/v1/residents/{resident}/my-number"),
            Some(&supervisor),
            None,
            &serde_json::json!({}),
        )
        .await
        .expect_err("no purpose");
    assert_eq!(e.code(), Some("invalid_field"));
    assert!(e.message_ja().contains("利用目的"), "{}", e.message_ja());

    let admin = token("-admin").await;
    let trail: AuditPage = client
        .get("/v1/audit?limit=500", Some(&admin))
        .await
        .expect("union audit");
    let at_union: Vec<_> = trail
        .entries
        .iter()
        .filter(|e| e.operation == "POST /v1/residents/{id}/my-number")
        .collect();
    // The clerk's refused reveal never left the terminal; the supervisor's did and was refused there.
    let by_clerk: Vec<_> = at_union
        .iter()
        .filter(|e| e.user_id.as_deref() == Some(clerk))
        .collect();
    assert_eq!(by_clerk.len(), 1, "{at_union:?}");
    assert_eq!(by_clerk[0].status, 200);
    assert_eq!(by_clerk[0].purpose.as_deref(), Some("identity_check"));
    assert_eq!(by_clerk[0].target, Some(format!("resident:{resident}")));
    let unpurposed = at_union
        .iter()
        .find(|e| e.user_id.as_deref() != Some(clerk))
        .expect("the supervisor's attempt is audited");
    assert_eq!(unpurposed.status, 400);
    assert_eq!(
        unpurposed.error,
        Some(madoguchi_protocol::ErrorCode::InvalidField)
    );
    assert_eq!(unpurposed.purpose, None);
}
