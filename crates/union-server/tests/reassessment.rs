//! The union applies the money rules, end to end over mutual TLS: seeded incomes of a training municipality,
//! the 8/1 負担割合 判定 as a 負担割合変更 distribution (created and approved by two 広域連合職員, approved by
//! the municipality's 監督者), the union's records after it, and the 保険料ファイル against the rules.
//! The expected values are computed here straight from `madoguchi_rules` and the stored incomes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::PathBuf;

use common::*;
use madoguchi_domain::insurance::BurdenRatio;
use madoguchi_protocol::distribution::{
    ContentHash, CreateDistribution, Decision, DistributionDecisionRequest, DistributionKind,
    DistributionRecord, DistributionRecordsPage, DistributionSummary, MailClass, RecordPayload,
    UnionApproval,
};
use madoguchi_protocol::v1::DocumentState;
use madoguchi_rules::{Household, Member, RateTable, kouki_burden, kouki_premium};
use madoguchi_union_server::store::{ResidentRecord, UnionStore};
use reqwest::StatusCode;

fn rates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rates")
}

fn table_2026() -> RateTable {
    let text = std::fs::read_to_string(rates_dir().join("kouki-training-2026.toml")).unwrap();
    RateTable::from_toml(&text).unwrap()
}

/// The household of `r` as the rules see it (alive members with the same 世帯番号; the stored 2026 income;
/// insured = active qualification and `insured_by` the day), and `r`'s position in it.
fn household_of(
    store: &dyn UnionStore,
    r: &ResidentRecord,
    insured_by: chrono::NaiveDate,
    acquired_after: Option<chrono::NaiveDate>,
) -> (Household, usize) {
    let mut members: Vec<ResidentRecord> = store
        .residents_of(&r.municipality)
        .unwrap()
        .into_iter()
        .filter(|m| m.household == r.household && m.died_on.is_none() && m.moved_out_on.is_none())
        .collect();
    members.sort_by_key(|m| m.id.0);
    let mut h = Household::default();
    let mut at = 0;
    for m in &members {
        if m.id == r.id {
            at = h.members.len();
        }
        let i = store.income(m.id, 2026).unwrap().unwrap();
        let q = m.active_qualification(insured_by);
        h.members.push(Member {
            insured: q.is_some(),
            birth: m.birth_date,
            taxable_income: i.taxable_income,
            gross_income: i.gross_income,
            pension_income: i.pension_income,
            other_income: i.other_income,
            non_taxed: i.non_taxed,
            total_income: i.total_income,
            pension_income_amount: i.pension_income_amount,
            salary_income_amount: i.salary_income_amount,
            salary_income: i.salary_income,
            head: i.household_head,
            acquired: q
                .map(|q| q.acquired_on)
                .filter(|a| acquired_after.is_some_and(|after| *a > after)),
            ..Member::default()
        });
    }
    (h, at)
}

async fn create(
    union1: &Desk,
    kind: DistributionKind,
    on: chrono::NaiveDate,
) -> DistributionSummary {
    let (status, v) = union1
        .post(
            "/v1/union/distributions",
            &CreateDistribution {
                kind,
                municipality: municipality(MITSUKE),
                reference_date: on,
                mail_class: MailClass::SimpleRegisteredNoForward,
                note: String::new(),
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    serde_json::from_value(v).unwrap()
}

/// Union approval by the second 広域連合職員, then the 監督者's approval; the approved records.
async fn approve_and_fetch(
    union2: &Desk,
    supervisor: &Desk,
    summary: &DistributionSummary,
) -> Vec<DistributionRecord> {
    let id = summary.distribution_id;
    let hash: ContentHash = summary.content_hash.clone();
    let (status, v) = union2
        .post(
            &format!("/v1/union/distributions/{id}/approval"),
            &UnionApproval {
                content_hash: hash.clone(),
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = supervisor
        .post(
            &format!("/v1/distributions/{id}/decision"),
            &DistributionDecisionRequest {
                decision: Decision::Approve,
                content_hash: hash,
                password: format!("kensyu-{MITSUKE}-supervisor"),
            },
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let mut records = Vec::new();
    let mut offset = 0;
    loop {
        let page: DistributionRecordsPage = supervisor
            .typed(&format!(
                "/v1/distributions/{id}/records?offset={offset}&limit=200"
            ))
            .await;
        records.extend(page.records);
        match page.next_offset {
            Some(n) => offset = n,
            None => break,
        }
    }
    assert_eq!(records.len() as u32, summary.record_count);
    records
}

#[tokio::test]
async fn the_8_1_reassessment_moves_people_to_2_and_3_tenths_with_new_documents() {
    let fx = Fixture::start_configured(150, fixed(jst_noon(2026, 11, 25)), |_, c| {
        c.rates_dir = Some(rates_dir());
    })
    .await;
    let union1 = sign_in(&fx, T_MITSUKE, &format!("{MITSUKE}-union-staff1")).await;
    let union2 = sign_in(&fx, T_MITSUKE, &format!("{MITSUKE}-union-staff2")).await;
    let supervisor = sign_in(&fx, T_MITSUKE, &format!("{MITSUKE}-supervisor")).await;
    let on = date(2026, 8, 1);
    let table = table_2026();
    let store = fx.store.as_ref();
    let before: Vec<ResidentRecord> = store.residents_of(&municipality(MITSUKE)).unwrap();

    let summary = create(&union1, DistributionKind::BurdenRatioChange, on).await;
    assert!(summary.record_count > 0);
    let records = approve_and_fetch(&union2, &supervisor, &summary).await;
    // The 交付 (郵送) of the approved documents is recorded in the background: wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    for rec in &records {
        let RecordPayload::Certificate(d) = &rec.payload else {
            continue;
        };
        while fx.store.document(d.document_id).unwrap().map(|x| x.state)
            != Some(DocumentState::Issued)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "mailing never recorded"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    let mut moved = std::collections::BTreeMap::new();
    let notices = records
        .iter()
        .filter(|r| matches!(r.payload, RecordPayload::BurdenRatioNotice(_)))
        .count();
    assert_eq!(records.len(), notices * 2, "a notice and a document each");
    for rec in &records {
        let RecordPayload::BurdenRatioNotice(n) = &rec.payload else {
            continue;
        };
        // The person's new document (資格確認書, or 資格情報のお知らせ printed with its own paper group)
        // carries the new ratio, valid from 8/1.
        let doc = records
            .iter()
            .find_map(|x| match &x.payload {
                RecordPayload::Certificate(d) if x.resident_id == rec.resident_id => Some(d),
                _ => None,
            })
            .expect("a new document for each notice");
        assert_eq!(doc.burden_ratio, n.after);
        assert_eq!(doc.valid_from, on.max(doc.acquired_on));
        assert_eq!(n.effective_on, on);
        assert!(rec.mail_to.is_some());

        let was = before.iter().find(|r| r.id == rec.resident_id).unwrap();
        // The rules, straight from the stored income, give the new ratio.
        let (h, at) = household_of(store, was, on, None);
        let decision = kouki_burden(&table, &h, on).unwrap()[at].clone().unwrap();
        assert_eq!(decision.ratio, n.after);
        assert_ne!(n.before, n.after);

        // The union's record now holds the new ratio, the new document (mailed: 交付 by 郵送 recorded at the
        // approval, issue 15) and the reason; the documents before it are to be returned.
        let now = store.resident(rec.resident_id).unwrap().unwrap();
        assert_eq!(now.burden_ratio, n.after);
        assert_eq!(now.documents.last(), Some(&doc.document_id));
        let stored = store.document(doc.document_id).unwrap().unwrap();
        assert_eq!(stored.burden_ratio, n.after);
        assert_eq!(stored.state, DocumentState::Issued);
        assert_eq!(
            stored.issuance.as_ref().map(|i| i.method),
            Some(madoguchi_protocol::v1::IssueMethod::Mail)
        );
        for older in now.documents.iter().filter(|d| **d != doc.document_id) {
            let older = store.document(*older).unwrap().unwrap();
            assert!(
                matches!(
                    older.state,
                    DocumentState::ToReturn | DocumentState::Voided | DocumentState::Returned
                ),
                "{:?}",
                older.state
            );
        }
        let assessment = now.burden_assessment.unwrap();
        assert_eq!(assessment.ratio, n.after);
        assert_eq!(assessment.fiscal_year, 2026);
        assert_eq!(assessment.reason_ja, decision.reason.to_string());
        moved.insert(n.after, assessment.reason_ja);
    }
    assert!(
        moved
            .get(&BurdenRatio::Two)
            .is_some_and(|r| r.ends_with("2割") && r.contains("28万円以上")),
        "{moved:?}"
    );
    assert!(
        moved
            .get(&BurdenRatio::Three)
            .is_some_and(|r| r.ends_with("3割") && r.contains("145万円以上")),
        "{moved:?}"
    );

    // 任意記載事項 afterwards: the 限度区分 printed is the one derived from the 判定, not the one typed.
    let clerk = sign_in(&fx, T_MITSUKE, &format!("{MITSUKE}-clerk")).await;
    let moved_three = records
        .iter()
        .find_map(|r| match &r.payload {
            RecordPayload::BurdenRatioNotice(n) if n.after == BurdenRatio::Three => {
                Some(r.resident_id)
            }
            _ => None,
        })
        .unwrap();
    let kept = store
        .resident(moved_three)
        .unwrap()
        .unwrap()
        .burden_assessment
        .unwrap();
    assert!(
        kept.limit_reason_ja.contains("課税所得"),
        "{}",
        kept.limit_reason_ja
    );
    let (status, v) = clerk
        .submit(
            uuid::Uuid::new_v4(),
            &serde_json::json!({"received_on": "2026-11-25", "notification": {
                "kind": "optional_entries",
                "details": {"resident_id": moved_three, "limit_category": "kubun_i"}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let decision: madoguchi_protocol::v1::NotificationDecision = serde_json::from_value(v).unwrap();
    let printed: madoguchi_protocol::v1::DocumentData = clerk
        .typed(&format!(
            "/v1/documents/{}",
            decision.document.unwrap().document_id
        ))
        .await;
    assert_eq!(printed.limit_category, Some(kept.limit_category));
    assert_ne!(
        serde_json::to_value(kept.limit_category).unwrap(),
        "kubun_i",
        "a 3割 household is 現役並み"
    );

    // Applied once: the same 判定 again finds nobody left to move.
    let again = create(&union1, DistributionKind::BurdenRatioChange, on).await;
    assert_eq!(again.record_count, 0);

    // 保険料ファイル of 令和8年度: every row is kouki_premium(...).total of that person's household.
    let summary = create(&union1, DistributionKind::PremiumFile, date(2027, 3, 31)).await;
    let rows = approve_and_fetch(&union2, &supervisor, &summary).await;
    assert!(rows.len() > 50);
    let mut checked_pairs = 0;
    for rec in &rows {
        let RecordPayload::PremiumRow(p) = &rec.payload else {
            panic!("premium rows only");
        };
        assert_eq!(p.fiscal_year, 2026);
        let r = store.resident(rec.resident_id).unwrap().unwrap();
        let (h, at) = household_of(store, &r, date(2027, 3, 31), Some(date(2026, 4, 1)));
        let premiums = kouki_premium(&table, &h).unwrap();
        let mine = premiums.iter().find(|x| x.member == at).unwrap();
        assert_eq!(p.annual_premium, mine.total);
        if h.members.iter().filter(|m| m.insured).count() > 1 {
            checked_pairs += 1;
        }
    }
    assert!(checked_pairs > 0, "households of two insured are covered");
    fx.shutdown().await;
}
