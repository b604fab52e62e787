//! Unit tests of [`super`] (content of each kind, breakdown, ledger).

use super::*;
use crate::auth::HashCost;
use crate::seed::{self, SeedOptions};
use crate::store::{Commit, SledStore};
use madoguchi_domain::insurance::BurdenRatio;
use madoguchi_protocol::distribution::verify_ledger;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).unwrap()
}

fn seeded() -> (tempfile::TempDir, SledStore, UnionConfig, MunicipalityCode) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let config = UnionConfig::default_for("研修広域連合");
    let m: MunicipalityCode = "152111".parse().unwrap();
    seed::seed(
        &store,
        &config,
        &SeedOptions {
            municipalities: vec![m],
            residents: 150,
            seed: 11,
            as_of: d(2026, 11, 21),
            hash_cost: HashCost {
                memory_kib: 256,
                iterations: 1,
            },
        },
    )
    .unwrap();
    (dir, store, config, m)
}

/// The shipped tables as a configured directory (no carrying forward).
fn rates() -> RateBook {
    RateBook::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/rates"))
        .unwrap()
}

fn spec(kind: DistributionKind, m: MunicipalityCode, on: Date) -> DistributionSpec {
    DistributionSpec {
        kind,
        municipality: m,
        reference_date: on,
        mail_class: MailClass::SimpleRegisteredNoForward,
    }
}

#[test]
fn annual_renewal_covers_every_insured_resident_in_order() {
    let (_dir, store, config, m) = seeded();
    let id = new_id();
    let g = generate(
        &store,
        &config,
        &rates(),
        id,
        &spec(DistributionKind::AnnualRenewal, m, d(2027, 8, 1)),
        d(2027, 7, 10),
    )
    .unwrap();
    let insured = store
        .residents_of(&m)
        .unwrap()
        .iter()
        .filter(|r| r.active_qualification(d(2027, 8, 1)).is_some())
        .count();
    assert!(insured > 50);
    assert_eq!(g.records.len(), insured);
    let mut last = None;
    for (i, r) in g.records.iter().enumerate() {
        assert_eq!(r.seq as usize, i + 1);
        let key = (print_group(&r.payload), r.payload.insured_number().clone());
        assert!(
            last.as_ref().is_none_or(|l| *l < key),
            "grouped by document, then ordered by 被保険者番号"
        );
        last = Some(key);
        let RecordPayload::Certificate(doc) = &r.payload else {
            panic!("a certificate");
        };
        assert!(doc.valid_from >= d(2027, 8, 1));
        assert_eq!(doc.valid_until, d(2028, 7, 31));
        let resident = store.resident(r.resident_id).unwrap().unwrap();
        let to = r.mail_to.as_ref().unwrap();
        match &resident.mailing_address {
            Some(m) => assert_eq!(to, m),
            None => assert_eq!(to.address, resident.address),
        }
    }
    // The same data gives the same content; the hash changes with any resident.
    let again = generate(
        &store,
        &config,
        &rates(),
        id,
        &spec(DistributionKind::AnnualRenewal, m, d(2027, 8, 1)),
        d(2027, 7, 10),
    )
    .unwrap();
    assert_eq!(content_hash(&g.records), content_hash(&again.records));
    let mut r = store.resident(g.records[3].resident_id).unwrap().unwrap();
    r.mailing_address = Some(MailingAddress {
        recipient: "送付　先子".into(),
        postal_code: "9540000".into(),
        address: "新潟県見附市送付先町1".into(),
    });
    store
        .commit(Commit {
            residents: vec![r],
            ..Commit::default()
        })
        .unwrap();
    let changed = generate(
        &store,
        &config,
        &rates(),
        id,
        &spec(DistributionKind::AnnualRenewal, m, d(2027, 8, 1)),
        d(2027, 7, 10),
    )
    .unwrap();
    assert_ne!(content_hash(&g.records), content_hash(&changed.records));
    let b = breakdown(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        &changed.records,
    );
    assert!(
        b.iter().any(|k| k.label == "送付先あり" && k.count == 1),
        "{b:?}"
    );
    let mail: u32 = b
        .iter()
        .filter(|k| k.label == "簡易書留・転送不要")
        .map(|k| k.count)
        .sum();
    assert_eq!(mail as usize, changed.records.len());
}

#[test]
fn monthly_age_arrival_takes_the_birthdays_of_the_month_and_numbers_them() {
    let (_dir, store, config, m) = seeded();
    let on = d(2026, 12, 15);
    let g = generate(
        &store,
        &config,
        &rates(),
        new_id(),
        &spec(DistributionKind::MonthlyAgeArrival, m, on),
        d(2026, 11, 21),
    )
    .unwrap();
    let expected: Vec<_> = store
        .residents_of(&m)
        .unwrap()
        .into_iter()
        .filter(|r| {
            kouki_age_date(r.birth_date).is_some_and(|b| b.year() == 2026 && b.month() == 12)
                && !r.on_welfare
                && r.active_qualification(d(2026, 11, 30)).is_none()
        })
        .collect();
    assert!(!expected.is_empty(), "the seed has residents turning 75");
    assert_eq!(g.records.len(), expected.len());
    for r in &g.records {
        let RecordPayload::Certificate(doc) = &r.payload else {
            panic!("a certificate")
        };
        assert_eq!(doc.valid_from.month(), 12);
        assert_eq!(doc.acquired_on, doc.valid_from);
    }
    assert!(!g.numbered_residents.is_empty());
    assert!(
        g.numbered_residents
            .iter()
            .all(|r| r.insured_number.is_some())
    );
    // Each record is a union document of a qualification from the birthday (issue 15: before, the
    // distribution numbered residents but recorded neither).
    assert_eq!(g.documents.len(), g.records.len());
    for rec in &g.records {
        let RecordPayload::Certificate(doc) = &rec.payload else {
            panic!("a certificate")
        };
        let r = g
            .numbered_residents
            .iter()
            .find(|r| r.id == rec.resident_id)
            .unwrap();
        let birthday = kouki_age_date(r.birth_date).unwrap();
        let q = r.active_qualification(birthday).unwrap();
        assert_eq!(q.acquired_on, birthday);
        assert!(
            r.active_qualification(birthday.pred_opt().unwrap())
                .is_none()
        );
        assert!(r.documents.contains(&doc.document_id));
        assert!(g.documents.iter().any(|d| d.id == doc.document_id));
    }
}

#[test]
fn without_income_for_the_year_the_record_ratio_stands() {
    let (_dir, store, config, m) = seeded();
    // 令和9年度: the training book carries the 2026 table forward, but the union holds no 2027 income.
    let book = RateBook::training().unwrap();
    let reference = d(2027, 8, 1);
    let run = || {
        generate(
            &store,
            &config,
            &book,
            new_id(),
            &spec(DistributionKind::BurdenRatioChange, m, reference),
            d(2027, 7, 1),
        )
        .unwrap()
    };
    assert!(
        run().records.is_empty(),
        "seeded documents show the record's ratio"
    );
    let mut changed = store
        .residents_of(&m)
        .unwrap()
        .into_iter()
        .find(|r| {
            r.active_qualification(d(2027, 8, 1)).is_some() && r.burden_ratio == BurdenRatio::One
        })
        .unwrap();
    changed.burden_ratio = BurdenRatio::Two;
    let id = changed.id;
    store
        .commit(Commit {
            residents: vec![changed],
            ..Commit::default()
        })
        .unwrap();
    let g = run();
    assert_eq!(g.records.len(), 2, "a notice and a new document");
    assert!(g.records.iter().all(|r| r.resident_id == id));
    let RecordPayload::BurdenRatioNotice(n) = &g.records[0].payload else {
        panic!("a notice first")
    };
    assert_eq!((n.before, n.after), (BurdenRatio::One, BurdenRatio::Two));
    assert_eq!(n.effective_on, reference);
    let RecordPayload::Certificate(doc) = &g.records[1].payload else {
        panic!("then the new document")
    };
    assert_eq!(doc.burden_ratio, BurdenRatio::Two);
    assert_eq!(doc.valid_from, reference);
    // A real (configured) book has no 令和9年度 table: refused, with a message naming the 年度.
    let e = generate(
        &store,
        &config,
        &rates(),
        new_id(),
        &spec(DistributionKind::BurdenRatioChange, m, reference),
        d(2027, 7, 1),
    )
    .err()
    .unwrap();
    let GenerateError::Rules(e) = e else {
        panic!("a rules error")
    };
    assert!(e.message_ja().contains("令和9年度"), "{}", e.message_ja());
}

#[test]
fn the_8_1_reassessment_lists_whoever_the_rules_move() {
    let (_dir, store, config, m) = seeded();
    let book = rates();
    let table = book.kouki(2026).unwrap();
    let on = d(2026, 8, 1);
    let g = generate(
        &store,
        &config,
        &book,
        new_id(),
        &spec(DistributionKind::BurdenRatioChange, m, on),
        d(2026, 7, 10),
    )
    .unwrap();
    let residents = store.residents_of(&m).unwrap();
    let mut expected = 0;
    for members in crate::reassess::households(&residents).values() {
        let Some(assessed) =
            crate::reassess::assess_household(&store, &table, members, on).unwrap()
        else {
            continue;
        };
        for a in assessed {
            let r = members.iter().find(|r| r.id == a.resident).unwrap();
            let shown = store
                .document(*r.documents.last().unwrap())
                .unwrap()
                .unwrap()
                .burden_ratio;
            let listed: Vec<_> = g.records.iter().filter(|x| x.resident_id == r.id).collect();
            if shown == a.decision.ratio {
                assert!(listed.is_empty());
                continue;
            }
            expected += 1;
            assert_eq!(listed.len(), 2);
            let RecordPayload::BurdenRatioNotice(n) = &listed[0].payload else {
                panic!("notice")
            };
            assert_eq!((n.before, n.after), (shown, a.decision.ratio));
            let RecordPayload::Certificate(doc) = &listed[1].payload else {
                panic!("document")
            };
            assert_eq!(doc.burden_ratio, a.decision.ratio);
            assert_eq!(doc.valid_from, on.max(doc.acquired_on));
            if r.limit_category.is_some() {
                assert_eq!(doc.limit_category, Some(a.limit.category));
            } else {
                assert_eq!(doc.limit_category, None);
            }
        }
    }
    assert!(expected > 10, "the seeded incomes move many people");
    assert_eq!(g.records.len(), expected * 2);
    for after in [BurdenRatio::Two, BurdenRatio::Three] {
        assert!(g.records.iter().any(|r| matches!(
            &r.payload,
            RecordPayload::BurdenRatioNotice(n) if n.after == after
        )));
    }
}

#[test]
fn files_have_rows_and_no_addresses() {
    let (_dir, store, config, m) = seeded();
    for kind in [
        DistributionKind::QualificationFile,
        DistributionKind::PremiumFile,
    ] {
        let g = generate(
            &store,
            &config,
            &rates(),
            new_id(),
            &spec(kind, m, d(2027, 3, 31)),
            d(2027, 3, 31),
        )
        .unwrap();
        assert!(!g.records.is_empty());
        assert!(g.records.iter().all(|r| r.mail_to.is_none()));
        assert_eq!(page_count(kind, &g.records), 0);
        if kind == DistributionKind::PremiumFile {
            for r in &g.records {
                let RecordPayload::PremiumRow(p) = &r.payload else {
                    panic!("a premium row")
                };
                assert_eq!(p.fiscal_year, 2026);
                assert!(p.annual_premium.get() > 0);
                assert_eq!(p.annual_premium.get() % 100, 0, "100円未満切り捨て");
            }
            // Each row is the rules' premium of that person's household.
            let book = rates();
            let table = book.kouki(2026).unwrap();
            let residents = store.residents_of(&m).unwrap();
            let mut expected = Vec::new();
            for members in crate::reassess::households(&residents).values() {
                if let Some(p) =
                    crate::reassess::household_premiums(&store, &table, members).unwrap()
                {
                    expected.extend(p);
                }
            }
            assert_eq!(expected.len(), g.records.len());
            for (id, amount) in expected {
                let row = g.records.iter().find(|r| r.resident_id == id).unwrap();
                let RecordPayload::PremiumRow(p) = &row.payload else {
                    panic!("a premium row")
                };
                assert_eq!(p.annual_premium, amount);
            }
        }
    }
}

#[test]
fn fiscal_year_starts_in_april() {
    assert_eq!(fiscal_year(d(2027, 3, 31)), 2026);
    assert_eq!(fiscal_year(d(2027, 4, 1)), 2027);
}

#[test]
fn ledger_entries_chain() {
    let mut meta = DistributionMeta {
        id: new_id(),
        kind: DistributionKind::PremiumFile,
        municipality: "152111".parse().unwrap(),
        reference_date: d(2026, 4, 1),
        mail_class: MailClass::Ordinary,
        note: String::new(),
        state: DistributionState::AwaitingUnionApproval,
        record_count: 0,
        page_count: 0,
        breakdown: vec![],
        content_hash: content_hash(&[]),
        generation: 0,
        chunks: 0,
        created_by: "a".into(),
        created_at: Utc::now(),
        content_by: "a".into(),
        union_approved_by: None,
        ever_released: false,
        decision: None,
        ledger_len: 0,
        ledger_head: String::new(),
    };
    let a = meta.append_ledger(LedgerAction::Created, "a", "T", Utc::now());
    let b = meta.append_ledger(LedgerAction::UnionApproved, "b", "T", Utc::now());
    assert_eq!(a.prev_hash, LEDGER_GENESIS);
    assert_eq!(b.prev_hash, a.entry_hash);
    assert_eq!(verify_ledger(&[a, b]), Ok(()));
}
