//! One suite of store-level tests, run against both stores: the embedded sled store and PostgreSQL (a
//! throwaway schema in the server named by MADOGUCHI_TEST_PG_URL; `scripts/pg-test-cluster.sh start`).
//! Each check is written once over `&dyn UnionStore`; `both!` makes a sled test and a PostgreSQL test of it.
//! The PostgreSQL half is skipped without a server, unless MADOGUCHI_REQUIRE_POSTGRES=1 (scripts/test.sh).
//! On PostgreSQL some checks also use two store instances on one database (what several servers do).
//! PostgreSQL-only checks are in `store_postgres.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::stores::*;
use madoguchi_audit::ChainHead;
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::kana::KanaName;
use madoguchi_protocol::v1::ResidentId;
use madoguchi_union_server::store::{Commit, IncomeRecord, ResidentQuery, StoreError, UnionStore};
use uuid::Uuid;

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod on_sled {
            $(#[test] fn $name() { super::$name(&crate::common::stores::Env::sled()); })*
        }
        mod on_postgres {
            $(#[test] fn $name() {
                if let Some(env) = crate::common::stores::Env::postgres() { super::$name(&env); }
            })*
        }
    };
}

both!(
    a_commit_is_all_or_nothing_and_an_idempotency_key_is_kept_once,
    residents_are_found_by_every_index_and_an_update_moves_them,
    insured_numbers_skip_held_ones_and_never_repeat,
    a_chain_continues_only_from_its_stored_head,
    flags_are_kept_once_and_listed_newest_first,
    the_audit_trail_pages_newest_first_and_is_pruned_by_age,
    staff_and_incomes_round_trip,
);

fn a_commit_is_all_or_nothing_and_an_idempotency_key_is_kept_once(env: &Env) {
    let store = env.instance();
    let key = Uuid::from_u128(77);
    let r = resident(1, MITSUKE, "ミホン　ハナコ", day(1951, 12, 20));
    let d = document(501, &r);
    store
        .commit(Commit {
            residents: vec![r.clone()],
            documents: vec![d.clone()],
            idempotency: Some((m(MITSUKE), key, idempotency(key, r.id, "first"))),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.resident(r.id).unwrap(), Some(r.clone()));
    assert_eq!(store.document(d.id).unwrap(), Some(d));
    let kept = store.idempotency(&m(MITSUKE), key).unwrap().unwrap();
    assert_eq!(kept.request_hash, "first");
    // The key is per municipality.
    assert!(store.idempotency(&m(NAGAOKA), key).unwrap().is_none());

    // The same key again: refused as a whole, the second resident is not stored either.
    let other = resident(2, MITSUKE, "ホカノ　ヒト", day(1950, 1, 1));
    let again = store.commit(Commit {
        residents: vec![other.clone()],
        idempotency: Some((m(MITSUKE), key, idempotency(key, other.id, "second"))),
        ..Default::default()
    });
    assert!(
        matches!(again, Err(StoreError::IdempotencyRace)),
        "{again:?}"
    );
    assert!(store.resident(other.id).unwrap().is_none());
    assert_eq!(
        store
            .idempotency(&m(MITSUKE), key)
            .unwrap()
            .unwrap()
            .request_hash,
        "first"
    );

    // A later decision on a notification under review replaces the record.
    store
        .commit(Commit {
            idempotency: Some((m(MITSUKE), key, idempotency(key, r.id, "decided later"))),
            replace_idempotency: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        store
            .idempotency(&m(MITSUKE), key)
            .unwrap()
            .unwrap()
            .request_hash,
        "decided later"
    );
    let report = store.verify().unwrap();
    assert_eq!((report.residents, report.documents), (1, 1));
}

fn residents_are_found_by_every_index_and_an_update_moves_them(env: &Env) {
    let store = env.instance();
    let mut a = resident(1, MITSUKE, "ミホン　ハナコ", day(1951, 12, 20));
    a.insured_number = Some(InsuredNumber::parse("12345678").unwrap());
    let b = resident(2, MITSUKE, "ミホン　タロウ", day(1950, 3, 3));
    let c = resident(3, NAGAOKA, "ミホン　ジロウ", day(1951, 12, 20));
    store
        .commit(Commit {
            residents: vec![a.clone(), b.clone(), c.clone()],
            ..Default::default()
        })
        .unwrap();
    let search = |q: ResidentQuery, code: &str, limit: usize| {
        let (found, more) = store.search_residents(&m(code), &q, limit).unwrap();
        (found.into_iter().map(|r| r.id).collect::<Vec<_>>(), more)
    };
    let by_kana = ResidentQuery {
        kana_prefix: Some(kana("ミホン")),
        ..Default::default()
    };
    assert_eq!(
        search(by_kana.clone(), MITSUKE, 10),
        (vec![a.id, b.id], false)
    );
    assert_eq!(search(by_kana.clone(), MITSUKE, 1), (vec![a.id], true));
    let by_birth = ResidentQuery {
        birth_date: Some(day(1951, 12, 20)),
        ..Default::default()
    };
    assert_eq!(search(by_birth.clone(), MITSUKE, 10), (vec![a.id], false));
    assert_eq!(search(by_birth, NAGAOKA, 10), (vec![c.id], false));
    let by_number = ResidentQuery {
        insured_number: a.insured_number.clone(),
        ..Default::default()
    };
    assert_eq!(search(by_number, MITSUKE, 10), (vec![a.id], false));
    assert_eq!(
        store
            .resident_by_addressee(&m(MITSUKE), &b.addressee)
            .unwrap()
            .map(|r| r.id),
        Some(b.id)
    );
    assert!(
        store
            .resident_by_addressee(&m(NAGAOKA), &b.addressee)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .resident_by_insured_number(a.insured_number.as_ref().unwrap())
            .unwrap()
            .map(|r| r.id),
        Some(a.id)
    );
    let mitsuke: Vec<_> = store
        .residents_of(&m(MITSUKE))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(mitsuke, vec![a.id, b.id]);
    let mut all = Vec::new();
    store
        .each_resident(&mut |r| {
            all.push(r.id);
            Ok(())
        })
        .unwrap();
    assert_eq!(all, vec![a.id, b.id, c.id]);

    // A name change (婚姻): the old カナ no longer finds her, the new one does; the index stays exact.
    let mut renamed = a.clone();
    renamed.kana = KanaName::parse("サンプル　ハナコ").unwrap();
    store
        .commit(Commit {
            residents: vec![renamed],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(search(by_kana, MITSUKE, 10), (vec![b.id], false));
    let by_new = ResidentQuery {
        kana_prefix: Some(kana("サンプル")),
        ..Default::default()
    };
    assert_eq!(search(by_new, MITSUKE, 10), (vec![a.id], false));
    let report = store.verify().unwrap();
    assert_eq!(report.residents, 3);
}

fn insured_numbers_skip_held_ones_and_never_repeat(env: &Env) {
    let store = env.instance();
    // A resident already holds the first serial (a number given before this store's sequence).
    let mut holder = resident(1, MITSUKE, "ミホン　ハナコ", day(1951, 12, 20));
    holder.insured_number = Some(InsuredNumber::from_serial(10_000_001).unwrap());
    store
        .commit(Commit {
            residents: vec![holder.clone()],
            ..Default::default()
        })
        .unwrap();
    let first = store.allocate_insured_number().unwrap();
    assert_ne!(Some(&first), holder.insured_number.as_ref());
    let mut seen = BTreeSet::from([first.as_str().to_string()]);
    if env.is_postgres() {
        // Two instances (two servers), two threads each, allocating at once: no number twice.
        let instances = [env.instance(), env.instance()];
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let s = instances[i % 2].clone();
                std::thread::spawn(move || {
                    (0..25)
                        .map(|_| s.allocate_insured_number().unwrap().as_str().to_string())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for n in h.join().unwrap() {
                assert!(seen.insert(n), "a 被保険者番号 was handed out twice");
            }
        }
        assert_eq!(seen.len(), 101);
    } else {
        // sled: callers hold the server's write lock (one process), so one thread.
        for _ in 0..50 {
            let n = store.allocate_insured_number().unwrap();
            assert!(seen.insert(n.as_str().to_string()));
        }
    }
}

fn a_chain_continues_only_from_its_stored_head(env: &Env) {
    let store = env.instance();
    let mm = m(MITSUKE);
    let t = "MITSUKE-01";
    let mut head = ChainHead::default();
    let batch: Vec<_> = (0..3)
        .map(|i| head.append(event(i, "clerk1", &format!("resident:{i}"))))
        .collect();
    let stored = store
        .append_chain(&mm, t, ChainHead::default(), &batch)
        .unwrap();
    assert_eq!(stored, head);
    assert_eq!(store.chain_head(&mm, t).unwrap(), head);
    // A shipment verified against the old head does not land.
    let mut stale = ChainHead::default();
    let other = vec![stale.append(event(9, "clerk2", "resident:9"))];
    assert!(
        store
            .append_chain(&mm, t, ChainHead::default(), &other)
            .is_err()
    );
    assert_eq!(store.chain_head(&mm, t).unwrap(), head);
    assert_eq!(
        store.chain_entry(&mm, t, 2).unwrap(),
        Some(batch[1].clone())
    );
    assert_eq!(
        store.chain_entries(&mm, t, 2, 10).unwrap(),
        batch[1..].to_vec()
    );
    assert_eq!(store.chain_terminals(&mm).unwrap(), vec![t.to_string()]);
    assert!(store.chain_terminals(&m(NAGAOKA)).unwrap().is_empty());
    use madoguchi_union_server::chains::ChainIndex;
    assert_eq!(
        store
            .chain_candidates(&mm, &ChainIndex::Targets(vec!["resident:1".into()]))
            .unwrap(),
        vec![(t.to_string(), 2)]
    );
    assert_eq!(
        store
            .chain_candidates(&mm, &ChainIndex::User("clerk1".into()))
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store
            .chain_candidates(&mm, &ChainIndex::Days(day(2026, 12, 1), day(2026, 12, 1)))
            .unwrap()
            .len(),
        3
    );

    if env.is_postgres() {
        // Two instances continue the same head at once: exactly one shipment is stored.
        let from = head;
        let mut next = head;
        let one = vec![next.append(event(20, "clerk1", "resident:20"))];
        let mut next2 = head;
        let two = vec![next2.append(event(21, "clerk2", "resident:21"))];
        let (s1, s2) = (env.instance(), env.instance());
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let run = |s: Arc<dyn UnionStore>, e: Vec<madoguchi_audit::AuditEntry>| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                s.append_chain(&mm, "MITSUKE-01", from, &e).is_ok()
            })
        };
        let (h1, h2) = (run(s1, one), run(s2, two));
        let oks = [h1.join().unwrap(), h2.join().unwrap()];
        assert_eq!(oks.iter().filter(|ok| **ok).count(), 1, "{oks:?}");
        let now = store.chain_head(&mm, t).unwrap();
        assert!(now == next || now == next2);
        assert_eq!(store.chain_entries(&mm, t, 1, 10).unwrap().len(), 4);
    }
}

fn flags_are_kept_once_and_listed_newest_first(env: &Env) {
    use madoguchi_protocol::v1::{AuditChainFlag, ChainFlagKind};
    let store = env.instance();
    let flag = |expected: u64| AuditChainFlag {
        id: 0,
        at: Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap(),
        terminal_id: "MITSUKE-01".into(),
        municipality: m(MITSUKE),
        kind: ChainFlagKind::Gap,
        expected_seq: expected,
        found_seq: Some(expected + 2),
        message_ja: "欠落があります".into(),
    };
    let a = store.add_chain_flag(flag(5)).unwrap();
    let again = store.add_chain_flag(flag(5)).unwrap();
    assert_eq!(a, again, "the same flag is kept once");
    let b = store.add_chain_flag(flag(8)).unwrap();
    assert!(b.id > a.id);
    assert_eq!(store.chain_flags(&m(MITSUKE)).unwrap(), vec![b, a]);
    assert!(store.chain_flags(&m(NAGAOKA)).unwrap().is_empty());
}

fn the_audit_trail_pages_newest_first_and_is_pruned_by_age(env: &Env) {
    use madoguchi_protocol::v1::AuditEntry;
    let store = env.instance();
    let entry = |minute: u32, code: &str| AuditEntry {
        seq: 0,
        at: Utc.with_ymd_and_hms(2026, 12, 1, 3, minute, 0).unwrap(),
        terminal_id: "T".into(),
        municipality: m(code),
        user_id: Some("clerk1".into()),
        operation: "GET /v1/residents".into(),
        target: None,
        status: 200,
        error: None,
        purpose: None,
    };
    let s1 = store.append_audit(entry(1, MITSUKE)).unwrap();
    let _ = store.append_audit(entry(2, NAGAOKA)).unwrap();
    let s3 = store.append_audit(entry(3, MITSUKE)).unwrap();
    assert!(s3 > s1);
    let page = store.audit(&m(MITSUKE), None, 10).unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![s3, s1]);
    assert_eq!(store.audit(&m(MITSUKE), Some(s3), 10).unwrap()[0].seq, s1);
    assert_eq!(store.audit(&m(MITSUKE), None, 1).unwrap().len(), 1);
    let pruned = store
        .prune(
            None,
            Some(Utc.with_ymd_and_hms(2026, 12, 1, 3, 2, 30).unwrap()),
        )
        .unwrap();
    assert_eq!(pruned.audit, 2);
    assert_eq!(store.audit(&m(MITSUKE), None, 10).unwrap().len(), 1);
}

fn staff_and_incomes_round_trip(env: &Env) {
    use madoguchi_domain::money::Yen;
    let store = env.instance();
    let staff = |user: &str| -> madoguchi_union_server::store::StaffRecord {
        serde_json::from_value(serde_json::json!({
            "user_id": user,
            "display_name": "見本　職員",
            "municipality": MITSUKE,
            "roles": ["clerk"],
            "my_number_permission": false,
            "password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA",
            "failed_attempts": 0,
            "locked_until": null,
        }))
        .unwrap()
    };
    store.put_staff(&staff("b-user")).unwrap();
    store.put_staff(&staff("a-user")).unwrap();
    let mut changed = staff("b-user");
    changed.failed_attempts = 3;
    store.put_staff(&changed).unwrap();
    assert_eq!(store.staff("b-user").unwrap(), Some(changed));
    let ids: Vec<_> = store
        .all_staff()
        .unwrap()
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    assert_eq!(ids, vec!["a-user", "b-user"]);

    let income = |year: i32, taxable: i64| IncomeRecord {
        resident_id: ResidentId(Uuid::from_u128(1)),
        fiscal_year: year,
        taxable_income: Yen::new(taxable),
        gross_income: Yen::new(0),
        pension_income: Yen::new(0),
        other_income: Yen::new(0),
        total_income: Yen::new(0),
        pension_income_amount: Yen::new(0),
        salary_income: Yen::new(0),
        salary_income_amount: Yen::new(0),
        non_taxed: false,
        household_head: true,
    };
    store
        .put_incomes(&[income(2026, 100), income(2027, 200)])
        .unwrap();
    store.put_incomes(&[income(2026, 150)]).unwrap();
    let got = store
        .income(ResidentId(Uuid::from_u128(1)), 2026)
        .unwrap()
        .unwrap();
    assert_eq!(got, income(2026, 150));
    assert!(
        store
            .income(ResidentId(Uuid::from_u128(1)), 2025)
            .unwrap()
            .is_none()
    );
    assert_eq!(store.verify().unwrap().incomes, 2);
}
