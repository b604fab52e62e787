//! Every list says whose case it is, offline too, and what the clerk closes or corrects (issue #14 findings
//! 3–7), against the real union over mutual TLS:
//! - 受付一覧 and 交付待ち name the resident (氏名, カナ, 生年月日 in 和暦, 被保険者番号) and the 受付番号, also
//!   after an offline drain;
//! - with the line down the resident is found in the encrypted offline roster (its age said), and a 再交付
//!   for them is accepted (queued) with what waits for the union said;
//! - a 転出 decision (nothing to hand over) is closed after its 回収, recorded once however often;
//! - a refused 転入 is shown as 差戻し with the union's reason, opened with its entries, corrected and
//!   resubmitted as a linked new attempt; the audit chain names both.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use madoguchi_counter::Submitted;
use madoguchi_counter::forms::NotificationForm;
use madoguchi_domain::Date;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MyNumber};
use madoguchi_domain::insurance::Sex;
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_protocol::v1::{
    Death, MoveIn, MoveOut, NewResident, Notification, Reissue, ReissueReason,
    ResidentSearchRequest, ReturnRequest,
};
use madoguchi_system_tests::{Rig, eventually, insured_residents, start, start_with, today};
use madoguchi_union_server::training::TrainingOptions;

async fn signed_in(rig: &Rig) {
    let clerk = rig
        .union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("a training clerk");
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
}

fn reissue(id: madoguchi_protocol::v1::ResidentId) -> Notification {
    Notification::Reissue(Reissue {
        resident_id: id,
        reason: ReissueReason::Lost,
    })
}

fn wareki(d: Date) -> String {
    madoguchi_domain::wareki::WarekiDate::from_date(d)
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_name_the_resident_also_after_an_offline_drain() {
    let rig = start().await;
    signed_in(&rig).await;
    let counter = &rig.counter;
    let someone = insured_residents(counter, 1).await.pop().expect("insured");
    let number = someone.insured_number.clone().expect("a number");
    // The target line of the next notification is the resident picked, with what tells them apart.
    let target = counter
        .search()
        .target(someone.resident_id)
        .expect("shown by the search");
    assert_eq!(target.name, someone.name.as_str());
    assert_eq!(target.birth_wareki, wareki(someone.birth_date));

    // Online, the search tells namesakes apart: 宛名番号, 町域, age; sorted by カナ then 生年月日.
    let list = counter
        .search()
        .find_residents(
            &ResidentSearchRequest {
                kana: Some(someone.kana.clone()),
                limit: Some(200),
                ..ResidentSearchRequest::default()
            },
            today(),
        )
        .await
        .expect("search");
    assert!(list.roster.is_none(), "the union answered");
    let row = list
        .residents
        .iter()
        .find(|r| r.resident_id == Some(someone.resident_id))
        .expect("found");
    assert!(row.addressee_number.is_some() && row.age.is_some());
    let area = row.address_area.as_deref().expect("町域");
    assert!(
        !area.is_empty() && !area.chars().any(|c| c.is_ascii_digit()),
        "{area}"
    );
    let order: Vec<(String, String, Date)> = list
        .residents
        .iter()
        .map(|r| {
            (
                madoguchi_domain::kana::seion_key(&r.kana)
                    .unwrap()
                    .as_str()
                    .to_owned(),
                r.kana.clone(),
                r.birth_date,
            )
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "by カナ then 生年月日"
    );

    counter.simulate_line_failure(true);
    let Submitted::Queued(receipt) = counter
        .intake()
        .submit(reissue(someone.resident_id), today())
        .await
        .expect("queued")
    else {
        panic!("offline: queued");
    };
    assert!(
        receipt.undecided_ja.contains("決定の後"),
        "{}",
        receipt.undecided_ja
    );
    let queue = counter.intake().queue().expect("queue");
    let line = queue
        .iter()
        .find(|e| e.reception_number == receipt.reception_number)
        .expect("listed");
    let subject = line.subject.as_ref().expect("受付一覧 names the resident");
    assert_eq!(subject.name, someone.name.as_str());
    assert_eq!(subject.kana, someone.kana.as_str());
    assert_eq!(subject.insured_number.as_deref(), Some(number.as_str()));
    // Newest first.
    assert_eq!(queue[0].reception_number, receipt.reception_number);

    counter.simulate_line_failure(false);
    eventually(Duration::from_secs(30), "the reissue decided", || {
        counter
            .issuance()
            .ready_to_issue()
            .map(|r| r.iter().any(|e| e.seq == receipt.seq))
            .unwrap_or(false)
    })
    .await;
    let ready = counter.issuance().ready_to_issue().expect("ready");
    let entry = ready.iter().find(|e| e.seq == receipt.seq).expect("ready");
    assert_eq!(
        entry.reception_number.as_deref(),
        Some(receipt.reception_number.as_str())
    );
    let subject = entry.subject.as_ref().expect("交付待ち names the resident");
    assert_eq!(subject.name, someone.name.as_str());
    assert_eq!(subject.birth_wareki, wareki(someone.birth_date));
    assert_eq!(subject.insured_number.as_deref(), Some(number.as_str()));
    assert!(entry.needs_handover, "a reissue has a card to hand over");
    // A card to hand over cannot be closed without its 交付.
    let err = counter
        .issuance()
        .close_ready(entry.seq)
        .await
        .expect_err("pending");
    assert_eq!(err.code(), Some("handover_pending"));

    rig.background.abort();
    rig.union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_roster_finds_the_resident_and_a_reissue_is_accepted() {
    let rig = start_with(TrainingOptions {
        offline_roster: true,
        ..TrainingOptions::default()
    })
    .await;
    signed_in(&rig).await;
    let counter = &rig.counter;
    let vault = rig.vault.clone();
    eventually(
        Duration::from_secs(10),
        "the roster refreshed",
        || matches!(vault.roster().info(), Ok(Some(i)) if i.count > 0),
    )
    .await;
    let someone = insured_residents(counter, 1).await.pop().expect("insured");
    // A new session has shown nobody yet: the target must come from the offline search.
    counter.session().sign_out().await;
    signed_in(&rig).await;
    assert!(counter.search().target(someone.resident_id).is_none());

    counter.simulate_line_failure(true);
    let list = counter
        .search()
        .find_residents(
            &ResidentSearchRequest {
                insured_number: None,
                kana: Some(someone.kana.clone()),
                birth_date: None,
                limit: Some(200),
            },
            today(),
        )
        .await
        .expect("the roster answers");
    let age = list.roster.as_ref().expect("answered from the roster");
    assert!(
        age.label_ja.starts_with("名簿 ") && age.label_ja.ends_with(" 時点"),
        "{}",
        age.label_ja
    );
    let row = list
        .residents
        .iter()
        .find(|r| r.resident_id == Some(someone.resident_id))
        .expect("found offline");
    assert_eq!(row.name.as_deref(), Some(someone.name.as_str()));
    assert_eq!(row.birth_wareki, wareki(someone.birth_date));
    assert!(row.age.is_some_and(|a| a >= 65));
    let keys: Vec<(String, String, Date)> = list
        .residents
        .iter()
        .map(|r| {
            (
                madoguchi_domain::kana::seion_key(&r.kana)
                    .unwrap()
                    .as_str()
                    .to_owned(),
                r.kana.clone(),
                r.birth_date,
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "by カナ then 生年月日");

    assert!(counter.search().target(someone.resident_id).is_some());
    let Submitted::Queued(receipt) = counter
        .intake()
        .submit(reissue(someone.resident_id), today())
        .await
        .expect("accepted offline")
    else {
        panic!("offline: queued");
    };
    let line = counter
        .intake()
        .queue()
        .expect("queue")
        .into_iter()
        .find(|e| e.seq == receipt.seq)
        .expect("listed");
    assert_eq!(
        line.subject.map(|s| s.name),
        Some(someone.name.as_str().to_owned())
    );

    // Without a roster the search says so instead of answering nothing.
    vault.settings().set_roster_enabled(false).expect("off");
    let err = counter
        .search()
        .find_residents(
            &ResidentSearchRequest {
                kana: Some(someone.kana.clone()),
                ..ResidentSearchRequest::default()
            },
            today(),
        )
        .await
        .expect_err("no roster");
    assert_eq!(err.code(), Some("roster_unavailable"));

    rig.background.abort();
    rig.union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_death_is_closed_after_its_return_recorded_once_and_a_move_out_waits_for_its_certificate()
{
    let rig = start().await;
    signed_in(&rig).await;
    let counter = &rig.counter;
    let mut two = insured_residents(counter, 2).await;
    let leaving = two.pop().expect("insured");
    let someone = two.pop().expect("insured");

    // A 転出 out of the union hands over the 負担区分等証明書 the new prefecture's union needs: it cannot be
    // closed before that handover.
    let Submitted::Decided {
        seq: out_seq,
        decision: out,
    } = counter
        .intake()
        .submit(
            Notification::LossMoveOut(MoveOut {
                resident_id: leaving.resident_id,
                moved_out_on: today(),
            }),
            today(),
        )
        .await
        .expect("decided")
    else {
        panic!("online: decided");
    };
    assert!(out.document.is_some(), "the 負担区分等証明書 to hand over");
    let err = counter
        .issuance()
        .close_ready(out_seq)
        .await
        .expect_err("a handover waits");
    assert_eq!(err.code(), Some("handover_pending"));

    // A 死亡 has nothing to hand over: once the card came back it is closed.
    let Submitted::Decided { seq, decision } = counter
        .intake()
        .submit(
            Notification::LossDeath(Death {
                resident_id: someone.resident_id,
                died_on: today(),
            }),
            today(),
        )
        .await
        .expect("decided")
    else {
        panic!("online: decided");
    };
    assert!(decision.document.is_none(), "nothing to hand over");
    let old = decision
        .documents_to_return
        .first()
        .expect("the old card comes back")
        .document_id;
    let entry = counter
        .issuance()
        .ready_to_issue()
        .expect("ready")
        .into_iter()
        .find(|e| e.seq == seq)
        .expect("listed until closed");
    assert!(!entry.needs_handover);
    assert_eq!(
        entry.subject.map(|s| s.name),
        Some(someone.name.as_str().to_owned())
    );

    let req = ReturnRequest {
        returned_on: today(),
    };
    let first = counter
        .issuance()
        .record_return(old, &req)
        .await
        .expect("回収");
    assert!(!first.already_recorded);
    let second = counter
        .issuance()
        .record_return(old, &req)
        .await
        .expect("again");
    assert!(second.already_recorded);
    assert_eq!(second.returned_on, first.returned_on);
    let entry = counter
        .issuance()
        .ready_to_issue()
        .expect("ready")
        .into_iter()
        .find(|e| e.seq == seq)
        .expect("listed");
    assert_eq!(entry.returns_recorded, vec![old]);

    counter.issuance().close_ready(seq).await.expect("closed");
    assert!(
        counter
            .issuance()
            .ready_to_issue()
            .expect("ready")
            .iter()
            .all(|e| e.seq != seq)
    );
    counter
        .issuance()
        .close_ready(seq)
        .await
        .expect("closing twice is harmless");

    rig.background.abort();
    rig.union.shutdown().await;
}

fn move_in(moved_in_on: Date) -> Notification {
    Notification::AcquisitionMoveIn(MoveIn {
        resident: NewResident {
            addressee_number: AddresseeNumber::parse("881401").unwrap(),
            household_number: HouseholdNumber::parse("9881401").unwrap(),
            name: PersonName::parse("訂正　花子").unwrap(),
            kana: KanaName::parse("テイセイ ハナコ").unwrap(),
            birth_date: Date::from_ymd_opt(1944, 4, 4).unwrap(),
            sex: Sex::Female,
            address: "新潟県見附市研修町1-2-3".into(),
            on_welfare: false,
        },
        my_number: MyNumber::from_eleven_digits([9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 4]).unwrap(),
        moved_in_on,
        mynumber_health_card: false,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_move_in_is_corrected_as_a_linked_new_attempt() {
    let rig = start().await;
    signed_in(&rig).await;
    let counter = &rig.counter;
    // 転入日 after the 受付日: the union refuses it.
    let tomorrow = today().succ_opt().unwrap();
    let Submitted::Refused {
        seq,
        reason_ja,
        field,
        ..
    } = counter
        .intake()
        .submit(move_in(tomorrow), today())
        .await
        .expect("answered")
    else {
        panic!("a 転入 after the 受付日 is refused");
    };
    // The union's own refusal (past the counter's form check) names the field, in its message and as the
    // form field the screen marks (issue 14 #9: not just 「日付の前後関係に誤りがあります」).
    assert_eq!(field.as_deref(), Some("moved_in_on"));
    assert!(reason_ja.starts_with("転入日"), "{reason_ja}");
    let work = counter.intake().work_list().expect("work list");
    let item = work
        .iter()
        .find(|e| e.seq == seq)
        .expect("on the work list");
    assert_eq!(item.state_ja, "差戻し", "a refusal, not a 取下げ");
    assert_eq!(item.reason_ja.as_deref(), Some(reason_ja.as_str()));
    assert_eq!(
        item.subject.as_ref().map(|s| s.name.as_str()),
        Some("訂正\u{3000}花子")
    );

    let c = counter.intake().correction(seq).await.expect("opened");
    assert_eq!(c.reason_ja.as_deref(), Some(reason_ja.as_str()));
    assert_eq!(c.entries["kind"], "acquisition_move_in");
    assert_eq!(c.entries["kana"], "テイセイ\u{3000}ハナコ");
    assert_eq!(c.entries["my_number"], "", "the 個人番号 is not sent back");
    assert!(c.my_number_kept);
    // The clerk corrects the 転入日 and leaves the 個人番号 blank.
    let mut entries = c.entries.clone();
    entries["moved_in_on"] = madoguchi_domain::wareki::WarekiDate::from_date(today())
        .unwrap()
        .short()
        .into();
    let form: NotificationForm = serde_json::from_value(entries).expect("the form's shape");
    let Submitted::Decided { seq: new_seq, .. } = counter
        .intake()
        .correct(seq, form)
        .await
        .expect("resubmitted")
    else {
        panic!("the corrected 転入 is decided");
    };
    let queue = counter.intake().queue().expect("queue");
    let old = queue.iter().find(|e| e.seq == seq).expect("kept");
    let new = queue.iter().find(|e| e.seq == new_seq).expect("listed");
    assert_eq!(old.state, "corrected");
    assert_eq!(
        old.corrected_by.as_deref(),
        Some(new.reception_number.as_str())
    );
    assert_eq!(new.corrects.as_deref(), Some(old.reception_number.as_str()));
    assert!(
        counter
            .intake()
            .work_list()
            .expect("work")
            .iter()
            .all(|e| e.seq != seq)
    );
    // Correcting it again is refused: it is no longer on the work list.
    assert!(counter.intake().correction(seq).await.is_err());

    let audit = counter.audit_review().audit_entries().expect("audit");
    let targets: Vec<String> = audit
        .iter()
        .filter_map(|e| e.event.target.clone())
        .collect();
    assert!(
        targets
            .iter()
            .any(|t| t.contains(&format!("queue:{seq} refused"))),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .any(|t| t.contains(&format!("queue:{new_seq}"))
                && t.contains(&format!("corrects:queue:{seq}"))),
        "{targets:?}"
    );

    rig.background.abort();
    rig.union.shutdown().await;
}
