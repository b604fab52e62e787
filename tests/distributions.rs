//! Distributions (配信) end to end over real mutual TLS: two 広域連合職員 (four-eyes on the union side), the
//! municipality's 監督者 at the counter (re-authentication, the exact content approved), the insert-only
//! hash-chained ledger, and the approved content fetched into the vault and checked against the approved
//! hash (N:4425–4426: data and destination checked by two or more people before sending).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_audit::{Operation, Outcome};
use madoguchi_counter::FetchProgress;
use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_link::{LineMonitor, LinkError, SessionToken, UnionClient};
use madoguchi_protocol::distribution::{
    ContentHash, CreateDistribution, Decision, DistributionDecisionRequest, DistributionKind,
    DistributionState, LedgerAction, MailClass, RecordPayload, UnionApproval, content_hash,
    verify_ledger,
};
use madoguchi_protocol::v1::{SignInRequest, SignInResponse};
use madoguchi_system_tests::{Rig, address_change, link_config, start, today};

/// The union's (and the terminal's) stable code of a refusal.
fn code<T: std::fmt::Debug>(r: Result<T, LinkError>) -> &'static str {
    match r {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => e
            .code()
            .unwrap_or_else(|| panic!("transport failure instead of a refusal: {e}")),
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

struct Union {
    client: UnionClient,
    staff1: SessionToken,
    staff2: SessionToken,
}

fn account(rig: &Rig, suffix: &str) -> (String, String) {
    let a = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with(suffix))
        .unwrap_or_else(|| panic!("training account {suffix}"));
    (a.user_id.clone(), a.password.clone())
}

async fn sign_in(client: &UnionClient, rig: &Rig, suffix: &str) -> SessionToken {
    let (user_id, password) = account(rig, suffix);
    let resp: SignInResponse = client
        .post(
            "/v1/session",
            None,
            None,
            &SignInRequest { user_id, password },
        )
        .await
        .expect("sign in");
    SessionToken::new(resp.token)
}

/// Both 広域連合職員 signed in (on the training terminal, as training mode does).
async fn union_side(rig: &Rig) -> Union {
    let client = UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");
    let staff1 = sign_in(&client, rig, "-union-staff1").await;
    let staff2 = sign_in(&client, rig, "-union-staff2").await;
    Union {
        client,
        staff1,
        staff2,
    }
}

fn next_august_first() -> Date {
    let t = today();
    let this = Date::from_ymd_opt(chrono::Datelike::year(&t), 8, 1).expect("date");
    if this >= t {
        this
    } else {
        Date::from_ymd_opt(chrono::Datelike::year(&t) + 1, 8, 1).expect("date")
    }
}

fn renewal(municipality: MunicipalityCode) -> CreateDistribution {
    CreateDistribution {
        kind: DistributionKind::AnnualRenewal,
        municipality,
        reference_date: next_august_first(),
        mail_class: MailClass::RecordedDelivery,
        note: "試験".into(),
    }
}

async fn supervisor_signs_in(rig: &Rig) -> String {
    let (user, password) = account(rig, "-supervisor");
    rig.counter
        .session()
        .sign_in(&user, &password)
        .await
        .expect("supervisor signs in");
    password
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_eyes_then_the_supervisor_approves_and_the_counter_holds_exactly_that() {
    let rig = start().await;
    let union = union_side(&rig).await;
    let c = &union.client;

    let created = c
        .create_distribution(&union.staff1, &renewal(rig.union.municipality))
        .await
        .expect("create");
    let id = created.distribution_id;
    assert_eq!(created.state, DistributionState::AwaitingUnionApproval);
    assert!(created.record_count > 50, "every insured resident");
    assert_eq!(created.page_count, created.record_count);
    assert!(
        created
            .breakdown
            .iter()
            .any(|k| k.label == "特定記録" && k.count == created.record_count),
        "{:?}",
        created.breakdown
    );
    let approve = UnionApproval {
        content_hash: created.content_hash.clone(),
    };
    // The requester cannot approve their own distribution.
    assert_eq!(
        code(
            c.union_approve_distribution(&union.staff1, id, &approve)
                .await
        ),
        "self_approval"
    );

    // Not released yet: the municipality does not see it.
    let password = supervisor_signs_in(&rig).await;
    let queue = rig
        .counter
        .distributions()
        .distribution_queue()
        .await
        .expect("queue");
    assert!(queue.iter().all(|d| d.distribution_id != id));
    assert_eq!(
        rig.counter
            .distributions()
            .distribution_summary(id)
            .await
            .err()
            .and_then(|e| e.code()),
        Some("not_found")
    );

    let wrong = UnionApproval {
        content_hash: content_hash(&[]),
    };
    assert_eq!(
        code(
            c.union_approve_distribution(&union.staff2, id, &wrong)
                .await
        ),
        "content_changed"
    );
    let released = c
        .union_approve_distribution(&union.staff2, id, &approve)
        .await
        .expect("second union staff approves");
    assert_eq!(released.state, DistributionState::Released);
    assert_eq!(
        released.union_approved_by.as_deref(),
        Some(account(&rig, "-union-staff2").0.as_str())
    );

    // The supervisor's queue: summary and samples (before approval).
    let queue = rig
        .counter
        .distributions()
        .distribution_queue()
        .await
        .expect("queue");
    let summary = queue
        .iter()
        .find(|d| d.distribution_id == id)
        .expect("released distribution in the queue")
        .clone();
    assert_eq!(summary.content_hash, created.content_hash);
    let samples = rig
        .counter
        .distributions()
        .distribution_samples(id)
        .await
        .expect("samples");
    assert_eq!(samples.content_hash, summary.content_hash);
    let seqs: Vec<u32> = samples.records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs.first(), Some(&1));
    assert_eq!(seqs.last(), Some(&summary.record_count));
    assert!(seqs.len() >= 3 && seqs.len() <= 7, "{seqs:?}");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));

    // Nothing of it before approval: refused locally (the ledger) and by the union.
    let before = rig.counter.distributions().fetch_approved(id, |_| {}).await;
    assert_eq!(before.err().and_then(|e| e.code()), Some("not_approved"));
    let token = sign_in(c, &rig, "-supervisor").await;
    assert_eq!(
        code(c.distribution_records(&token, id, 0, 10).await),
        "not_approved"
    );

    // A clerk cannot decide.
    let clerk = sign_in(c, &rig, "-clerk").await;
    let (_, clerk_password) = account(&rig, "-clerk");
    let as_clerk = DistributionDecisionRequest {
        decision: Decision::Approve,
        content_hash: summary.content_hash.clone(),
        password: clerk_password,
    };
    assert_eq!(
        code(c.decide_distribution(&clerk, id, &as_clerk).await),
        "forbidden"
    );

    // Wrong password: refused, and recorded as a refused 承認 in the terminal's chain.
    let wrong = rig
        .counter
        .distributions()
        .decide_distribution(
            id,
            Decision::Approve,
            &summary.content_hash,
            "not-my-password",
        )
        .await;
    assert_eq!(
        wrong.err().and_then(|e| e.code()),
        Some("reauthentication_failed")
    );
    let decided = rig
        .counter
        .distributions()
        .decide_distribution(id, Decision::Approve, &summary.content_hash, &password)
        .await
        .expect("approve");
    assert_eq!(decided.action, LedgerAction::Approved);
    assert_eq!(decided.content_hash, summary.content_hash);
    assert_eq!(decided.by, account(&rig, "-supervisor").0);
    // Decided only once.
    let again = rig
        .counter
        .distributions()
        .decide_distribution(id, Decision::Approve, &summary.content_hash, &password)
        .await;
    assert_eq!(again.err().and_then(|e| e.code()), Some("already_decided"));

    // The counter fetches everything, in pages, and holds exactly what was approved.
    let mut seen: Vec<FetchProgress> = Vec::new();
    let info = rig
        .counter
        .distributions()
        .fetch_approved(id, |p| seen.push(p))
        .await
        .expect("fetch approved content");
    assert_eq!(info.record_count, summary.record_count);
    assert_eq!(
        seen.last(),
        Some(&FetchProgress {
            fetched: summary.record_count,
            total: summary.record_count
        })
    );
    let (approval, records) = rig
        .counter
        .distributions()
        .approved_content(id)
        .expect("from the vault");
    assert_eq!(approval, decided);
    assert_eq!(records.len() as u32, summary.record_count);
    assert_eq!(content_hash(&records), summary.content_hash);
    assert_eq!(
        rig.counter
            .distributions()
            .approved_distributions()
            .expect("list")
            .iter()
            .map(|i| i.distribution_id)
            .collect::<Vec<_>>(),
        vec![id]
    );
    // Sealed at rest: no name or address of the content lies in plaintext under the terminal's directory.
    let needles: Vec<String> = records
        .iter()
        .take(50)
        .flat_map(|r| {
            let mut v = Vec::new();
            if let RecordPayload::Certificate(d) = &r.payload {
                v.push(d.name.as_str().to_owned());
            }
            if let Some(m) = &r.mail_to {
                v.push(m.address.clone());
            }
            v
        })
        .collect();
    assert!(!needles.is_empty());
    let files = files_under(&rig.dir.path().join("terminal"));
    assert!(files.len() > 2, "the terminal's vault files are scanned");
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                "plaintext personal data in {}",
                file.display()
            );
        }
    }
    // Fetching again is a no-op that answers the same.
    let again = rig
        .counter
        .distributions()
        .fetch_approved(id, |_| {})
        .await
        .expect("again");
    assert_eq!(again.approval, decided);

    // The ledger has every step, chained, naming who did what.
    let ledger = rig
        .counter
        .distributions()
        .distribution_ledger(id)
        .await
        .expect("ledger");
    assert_eq!(verify_ledger(&ledger.entries), Ok(()));
    let steps: Vec<(LedgerAction, String)> = ledger
        .entries
        .iter()
        .map(|e| (e.action.clone(), e.by.clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (LedgerAction::Created, account(&rig, "-union-staff1").0),
            (
                LedgerAction::UnionApproved,
                account(&rig, "-union-staff2").0
            ),
            (LedgerAction::Approved, account(&rig, "-supervisor").0),
        ]
    );

    // The terminal's audit chain: the refused and the done 承認, with the distribution as target.
    let approvals: Vec<Outcome> = rig
        .counter
        .audit_review()
        .audit_entries()
        .expect("audit")
        .into_iter()
        .filter(|e| {
            e.event.operation == Operation::Approve
                && e.event
                    .target
                    .as_deref()
                    .is_some_and(|t| t.contains(&id.to_string()))
        })
        .map(|e| e.event.outcome)
        .collect();
    assert_eq!(
        approvals,
        vec![
            Outcome::Refused {
                code: "reauthentication_failed".into()
            },
            Outcome::Done,
            Outcome::Refused {
                code: "already_decided".into()
            },
        ]
    );
    rig.background.abort();
    rig.union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_changed_by_a_regeneration_needs_new_approvals() {
    let rig = start().await;
    let union = union_side(&rig).await;
    let c = &union.client;
    let created = c
        .create_distribution(&union.staff1, &renewal(rig.union.municipality))
        .await
        .expect("create");
    let id = created.distribution_id;
    c.union_approve_distribution(
        &union.staff2,
        id,
        &UnionApproval {
            content_hash: created.content_hash.clone(),
        },
    )
    .await
    .expect("released");
    let password = supervisor_signs_in(&rig).await;
    let seen: ContentHash = rig
        .counter
        .distributions()
        .distribution_summary(id)
        .await
        .expect("summary")
        .content_hash;
    let samples = rig
        .counter
        .distributions()
        .distribution_samples(id)
        .await
        .expect("samples");

    // A resident in the distribution moves within the city; the union rebuilds the content.
    let resident = samples.records[0].resident_id;
    rig.counter
        .intake()
        .submit(address_change(resident, 4242, today()), today())
        .await
        .expect("address change");
    let regenerated = c
        .regenerate_distribution(&union.staff1, id)
        .await
        .expect("regenerate");
    assert_ne!(
        regenerated.content_hash, seen,
        "the address is in the content"
    );
    assert_eq!(regenerated.state, DistributionState::AwaitingUnionApproval);
    assert_eq!(regenerated.union_approved_by, None);

    // The supervisor approving what they saw is refused: it is no longer the content.
    let stale = rig
        .counter
        .distributions()
        .decide_distribution(id, Decision::Approve, &seen, &password)
        .await;
    assert_eq!(stale.err().and_then(|e| e.code()), Some("content_changed"));
    // Whoever rebuilt the content cannot approve it either.
    let fresh = UnionApproval {
        content_hash: regenerated.content_hash.clone(),
    };
    assert_eq!(
        code(
            c.union_approve_distribution(&union.staff1, id, &fresh)
                .await
        ),
        "self_approval"
    );
    c.union_approve_distribution(&union.staff2, id, &fresh)
        .await
        .expect("approved again by the other union staff member");
    let stale = rig
        .counter
        .distributions()
        .decide_distribution(id, Decision::Approve, &seen, &password)
        .await;
    assert_eq!(stale.err().and_then(|e| e.code()), Some("content_changed"));
    rig.counter
        .distributions()
        .decide_distribution(id, Decision::Approve, &regenerated.content_hash, &password)
        .await
        .expect("the new content approved");
    let info = rig
        .counter
        .distributions()
        .fetch_approved(id, |_| {})
        .await
        .expect("fetch");
    assert_eq!(info.approval.content_hash, regenerated.content_hash);
    let (_, records) = rig
        .counter
        .distributions()
        .approved_content(id)
        .expect("content");
    let moved = records
        .iter()
        .find(|r| r.resident_id == resident)
        .expect("the resident is still in it");
    assert_eq!(
        moved.mail_to.as_ref().map(|m| m.address.clone()),
        Some(madoguchi_system_tests::synthetic_address(4242))
    );

    let ledger = rig
        .counter
        .distributions()
        .distribution_ledger(id)
        .await
        .expect("ledger");
    let actions: Vec<LedgerAction> = ledger.entries.iter().map(|e| e.action.clone()).collect();
    assert_eq!(
        actions,
        vec![
            LedgerAction::Created,
            LedgerAction::UnionApproved,
            LedgerAction::Regenerated,
            LedgerAction::UnionApproved,
            LedgerAction::Approved,
        ]
    );
    assert_eq!(ledger.entries[0].content_hash, seen);
    assert_eq!(ledger.entries[4].content_hash, regenerated.content_hash);

    // Rebuilt once more after the municipality approved: the terminal's copy is void and leaves the vault.
    c.regenerate_distribution(&union.staff2, id)
        .await
        .expect("regenerate again");
    let void = rig.counter.distributions().fetch_approved(id, |_| {}).await;
    assert_eq!(void.err().and_then(|e| e.code()), Some("not_approved"));
    assert_eq!(
        rig.counter
            .distributions()
            .approved_content(id)
            .err()
            .and_then(|e| e.code()),
        Some("not_fetched")
    );
    rig.background.abort();
    rig.union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_carries_its_reason_back_and_other_municipalities_see_nothing() {
    let rig = start().await;
    let union = union_side(&rig).await;
    let c = &union.client;
    let password = supervisor_signs_in(&rig).await;

    // Training mode released one 一斉更新 for the training municipality.
    let queue = rig
        .counter
        .distributions()
        .distribution_queue()
        .await
        .expect("queue");
    let seeded = queue
        .iter()
        .find(|d| {
            d.kind == DistributionKind::AnnualRenewal && d.state == DistributionState::Released
        })
        .expect("the training distribution is in the supervisor's queue")
        .clone();
    let id = seeded.distribution_id;
    let empty = rig
        .counter
        .distributions()
        .decide_distribution(
            id,
            Decision::Reject {
                reason: "  ".into(),
            },
            &seeded.content_hash,
            &password,
        )
        .await;
    assert_eq!(empty.err().and_then(|e| e.code()), Some("invalid_field"));
    let reason = "送付方法が特定記録ではなく簡易書留になっています".to_owned();
    let rejected = rig
        .counter
        .distributions()
        .decide_distribution(
            id,
            Decision::Reject {
                reason: reason.clone(),
            },
            &seeded.content_hash,
            &password,
        )
        .await
        .expect("reject");
    assert_eq!(
        rejected.action,
        LedgerAction::Rejected {
            reason: reason.clone()
        }
    );
    // The union sees the reason in its list; nothing can be fetched.
    let list = c
        .union_distributions(&union.staff1)
        .await
        .expect("union list");
    let back = list
        .distributions
        .iter()
        .find(|d| d.distribution_id == id)
        .expect("listed");
    assert_eq!(back.state, DistributionState::Rejected);
    assert_eq!(
        back.decision.as_ref().map(|d| d.action.clone()),
        Some(LedgerAction::Rejected { reason })
    );
    let fetched = rig.counter.distributions().fetch_approved(id, |_| {}).await;
    assert_eq!(fetched.err().and_then(|e| e.code()), Some("not_approved"));
    let rejects = rig
        .counter
        .audit_review()
        .audit_entries()
        .expect("audit")
        .into_iter()
        .filter(|e| e.event.operation == Operation::Reject)
        .count();
    assert_eq!(rejects, 2, "the refused and the recorded 差戻し");

    // A distribution for 長岡市: the 見附市 supervisor neither lists nor reads nor decides it.
    let nagaoka = MunicipalityCode::parse("152021").expect("code");
    let other = c
        .create_distribution(&union.staff1, &renewal(nagaoka))
        .await
        .expect("create for another municipality");
    c.union_approve_distribution(
        &union.staff2,
        other.distribution_id,
        &UnionApproval {
            content_hash: other.content_hash.clone(),
        },
    )
    .await
    .expect("released to 長岡市");
    let queue = rig
        .counter
        .distributions()
        .distribution_queue()
        .await
        .expect("queue");
    assert!(
        queue
            .iter()
            .all(|d| d.municipality == rig.union.municipality)
    );
    let oid = other.distribution_id;
    assert_eq!(
        rig.counter
            .distributions()
            .distribution_summary(oid)
            .await
            .err()
            .and_then(|e| e.code()),
        Some("out_of_scope")
    );
    assert_eq!(
        rig.counter
            .distributions()
            .distribution_samples(oid)
            .await
            .err()
            .and_then(|e| e.code()),
        Some("out_of_scope")
    );
    assert_eq!(
        rig.counter
            .distributions()
            .decide_distribution(oid, Decision::Approve, &other.content_hash, &password)
            .await
            .err()
            .and_then(|e| e.code()),
        Some("out_of_scope")
    );

    // Wrong passwords count as failed sign-ins: the account locks and the session ends.
    for _ in 0..5 {
        let r = rig
            .counter
            .distributions()
            .decide_distribution(id, Decision::Approve, &seeded.content_hash, "guess")
            .await;
        assert!(r.is_err());
    }
    let (user, _) = account(&rig, "-supervisor");
    let locked = rig.counter.session().sign_in(&user, &password).await;
    assert_eq!(locked.err().and_then(|e| e.code()), Some("account_locked"));
    rig.background.abort();
    rig.union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_fetch_resumes_from_the_next_record() {
    let rig =
        madoguchi_system_tests::start_with(madoguchi_union_server::training::TrainingOptions {
            residents: 2_000,
            ..Default::default()
        })
        .await;
    let union = union_side(&rig).await;
    let c = &union.client;
    let created = c
        .create_distribution(&union.staff1, &renewal(rig.union.municipality))
        .await
        .expect("create");
    let id = created.distribution_id;
    assert!(
        created.record_count > madoguchi_counter::FETCH_PAGE,
        "more than one page"
    );
    c.union_approve_distribution(
        &union.staff2,
        id,
        &UnionApproval {
            content_hash: created.content_hash.clone(),
        },
    )
    .await
    .expect("release");
    let password = supervisor_signs_in(&rig).await;
    rig.counter
        .distributions()
        .decide_distribution(id, Decision::Approve, &created.content_hash, &password)
        .await
        .expect("approve");

    // The line fails right after the first page.
    let counter = rig.counter.clone();
    let cut = rig
        .counter
        .distributions()
        .fetch_approved(id, |p| {
            if p.fetched > 0 {
                counter.simulate_line_failure(true);
            }
        })
        .await;
    assert!(
        cut.as_ref().is_err_and(|e| e.code().is_none()),
        "a line failure, not a refusal: {cut:?}"
    );
    assert_eq!(
        rig.counter
            .distributions()
            .approved_content(id)
            .err()
            .and_then(|e| e.code()),
        Some("not_fetched"),
        "nothing is handed to a batch before every record is there and checked"
    );
    rig.counter.simulate_line_failure(false);
    let mut seen = Vec::new();
    let info = rig
        .counter
        .distributions()
        .fetch_approved(id, |p| seen.push(p.fetched))
        .await
        .expect("resumed");
    assert_eq!(
        seen.first(),
        Some(&madoguchi_counter::FETCH_PAGE),
        "resumed after the page already held"
    );
    assert_eq!(info.record_count, created.record_count);
    let (_, records) = rig
        .counter
        .distributions()
        .approved_content(id)
        .expect("content");
    assert_eq!(content_hash(&records), created.content_hash);
    let seqs: Vec<u32> = records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=created.record_count).collect::<Vec<_>>());
    rig.background.abort();
    rig.union.shutdown().await;
}
