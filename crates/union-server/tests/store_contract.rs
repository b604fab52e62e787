//! One suite of store-level tests, run against both stores: the embedded sled store and PostgreSQL (a
//! throwaway schema in the server named by MADOGUCHI_TEST_PG_URL; `scripts/pg-test-cluster.sh start`).
//! Each check is written once over `&dyn UnionStore`; `both!` makes a sled test and a PostgreSQL test of it.
//! The PostgreSQL half is skipped without a server, unless MADOGUCHI_REQUIRE_POSTGRES=1 (scripts/test.sh).
//!
//! PostgreSQL-only checks: two store instances on one database (what several servers do), the schema
//! version rule, the wrong key, and a real `pg_dump` scanned for the synthetic personal data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use madoguchi_audit::{AuditEvent, ChainHead, Operation};
use madoguchi_domain::ids::{
    AddresseeNumber, HouseholdNumber, InsuredNumber, MunicipalityCode, MyNumber,
};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, Sex};
use madoguchi_domain::kana::{KanaName, PersonName, SeionKey};
use madoguchi_protocol::v1::{DocumentId, DocumentState, ResidentId};
use madoguchi_union_server::store::{
    Commit, DocumentRecord, IdempotencyRecord, IncomeRecord, PgStore, ResidentQuery,
    ResidentRecord, SledStore, StoreError, UnionStore,
};
use uuid::Uuid;

/// Opens instances of one store: sled hands out its one instance (it allows one per directory);
/// PostgreSQL opens a new instance on the same schema each time, like another server process.
struct Env {
    dir: tempfile::TempDir,
    pg: Option<String>,
    sled: Option<Arc<dyn UnionStore>>,
}

impl Env {
    fn sled() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn UnionStore> = Arc::new(SledStore::open(dir.path()).unwrap());
        Env {
            dir,
            pg: None,
            sled: Some(store),
        }
    }

    fn postgres() -> Option<Env> {
        let url = common::pg_url()?;
        Some(Env {
            dir: tempfile::tempdir().unwrap(),
            pg: Some(url),
            sled: None,
        })
    }

    fn instance(&self) -> Arc<dyn UnionStore> {
        match (&self.sled, &self.pg) {
            (Some(s), _) => s.clone(),
            (None, Some(url)) => Arc::new(common::open_pg(url, self.dir.path())),
            (None, None) => unreachable!(),
        }
    }

    fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod on_sled {
            $(#[test] fn $name() { super::$name(&super::Env::sled()); })*
        }
        mod on_postgres {
            $(#[test] fn $name() {
                if let Some(env) = super::Env::postgres() { super::$name(&env); }
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

const MITSUKE: &str = "152111";
const NAGAOKA: &str = "152021";

fn m(code: &str) -> MunicipalityCode {
    code.parse().unwrap()
}

fn day(y: i32, mo: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

fn resident(n: u128, code: &str, kana: &str, birth: chrono::NaiveDate) -> ResidentRecord {
    ResidentRecord {
        id: ResidentId(Uuid::from_u128(n)),
        municipality: m(code),
        addressee: AddresseeNumber::parse(&format!("{:010}", 1_000_000_000 + n)).unwrap(),
        household: HouseholdNumber::parse("1000000001").unwrap(),
        name: PersonName::parse("見本　花子").unwrap(),
        kana: KanaName::parse(kana).unwrap(),
        birth_date: birth,
        sex: Sex::Female,
        address: "見本県見本市一丁目1番地".into(),
        mailing_address: None,
        my_number: None,
        on_welfare: false,
        disability_certified_on: None,
        mynumber_health_card: false,
        moved_in_on: None,
        moved_out_on: None,
        died_on: None,
        burden_ratio: BurdenRatio::One,
        limit_category: None,
        long_term_hospitalization_on: None,
        insured_number: None,
        qualification: None,
        documents: Vec::new(),
        burden_assessment: None,
        history: Vec::new(),
        specific_disease: None,
        disability_review: None,
    }
}

fn document(n: u128, r: &ResidentRecord) -> DocumentRecord {
    DocumentRecord {
        id: DocumentId(Uuid::from_u128(n)),
        resident_id: r.id,
        municipality: r.municipality,
        kind: DocumentKind::ShikakuKakuninsho,
        insured_number: InsuredNumber::parse("12345678").unwrap(),
        insurer_number: insurer_number(),
        name: r.name.clone(),
        kana: r.kana.clone(),
        birth_date: r.birth_date,
        sex: r.sex,
        acquired_on: day(2026, 12, 1),
        valid_from: day(2026, 12, 1),
        valid_until: day(2027, 7, 31),
        issue_date: day(2026, 12, 1),
        burden_ratio: BurdenRatio::One,
        limit_category: None,
        long_term_hospitalization_on: None,
        mailing_address: None,
        specific_disease: None,
        state: DocumentState::ToIssue,
        issuance: None,
        returned: None,
    }
}

/// A valid 8-digit 保険者番号 (the 検証番号 found by trying each digit).
fn insurer_number() -> madoguchi_domain::ids::InsurerNumber {
    (0..10)
        .find_map(|d| madoguchi_domain::ids::InsurerNumber::parse(&format!("3915201{d}")).ok())
        .unwrap()
}

fn idempotency(key: Uuid, resident: ResidentId, hash: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        request_hash: hash.into(),
        decision: serde_json::from_value(serde_json::json!({
            "notification_id": Uuid::from_u128(900),
            "idempotency_key": key,
            "kind": "acquisition_move_in",
            "resident_id": resident,
            "decided_at": "2026-12-01T03:00:00Z",
            "outcome": "decided",
            "documents_to_return": [],
            "message_ja": "決定しました",
        }))
        .unwrap(),
    }
}

fn kana(p: &str) -> SeionKey {
    KanaName::parse(p).unwrap().seion_key()
}

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

fn event(minute: u32, user: &str, target: &str) -> AuditEvent {
    AuditEvent {
        at: Utc.with_ymd_and_hms(2026, 12, 1, 3, minute, 0).unwrap(),
        terminal: "MITSUKE-01".into(),
        user: user.into(),
        operation: Operation::SignIn,
        target: Some(target.into()),
        purpose: None,
        outcome: madoguchi_audit::Outcome::Done,
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

// ----------------------------------------------------------------------------------------------------------
// PostgreSQL only.

fn pg_env() -> Option<(Env, String)> {
    let env = Env::postgres()?;
    let url = env.pg.clone()?;
    Some((env, url))
}

#[test]
fn postgres_refuses_a_schema_newer_than_the_binary_and_a_wrong_key() {
    let Some((env, url)) = pg_env() else { return };
    let store = env.instance();
    drop(store);
    let location = common::pg_location(&url, env.dir.path());
    // Another key (another union's, or a replaced key file) does not open this store.
    let other = madoguchi_union_server::crypt::StoreKey::from_bytes(&[7u8; 64]).unwrap();
    assert!(matches!(
        PgStore::open(&location, other),
        Err(StoreError::WrongKey)
    ));
    // A newer release migrated the database: this binary refuses it, with a message for the operator.
    let schema = location.schema.clone().unwrap();
    psql(
        &url,
        &format!("INSERT INTO {schema}.madoguchi_schema (version) VALUES (999)"),
    );
    let key = madoguchi_union_server::crypt::StoreKey::load_or_create(env.dir.path()).unwrap();
    match PgStore::open(&location, key) {
        Err(e @ StoreError::SchemaTooNew { found: 999, .. }) => {
            assert!(e.message_ja().contains("新しい"), "{}", e.message_ja());
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}

fn psql(url: &str, sql: &str) {
    let out = std::process::Command::new(pg_tool("psql"))
        .args([url, "-v", "ON_ERROR_STOP=1", "-Atc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PostgreSQL client program: the newest server's own copy (Debian's /usr/bin wrappers need a
/// configured cluster to pick a version).
fn pg_tool(name: &str) -> std::path::PathBuf {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.pop()
        .map(|d| d.join("bin").join(name))
        .filter(|p| p.exists())
        .unwrap_or_else(|| Path::new(name).to_path_buf())
}

#[test]
fn postgres_dump_holds_no_plaintext_personal_data() {
    let Some((env, url)) = pg_env() else { return };
    let store = env.instance();
    // Synthetic values that occur nowhere else in the database.
    let name = "窓口試験　夢子";
    let kana_text = "マドグチシケン　ユメコ";
    let address = "架空県試験市見本町九丁目八番地";
    let birth = day(1949, 7, 23);
    let my_number = common::my_number();
    let mut r = resident(42, MITSUKE, kana_text, birth);
    r.name = PersonName::parse(name).unwrap();
    r.address = address.into();
    r.my_number = Some(MyNumber::parse(&my_number).unwrap());
    r.insured_number = Some(InsuredNumber::parse("87654321").unwrap());
    let d = document(4242, &r);
    let key = Uuid::from_u128(4343);
    store
        .commit(Commit {
            residents: vec![r.clone()],
            documents: vec![d],
            idempotency: Some((m(MITSUKE), key, idempotency(key, r.id, "h"))),
            ..Default::default()
        })
        .unwrap();
    let mut head = ChainHead::default();
    let entries = vec![head.append(event(1, "clerk1", &format!("resident:{}", r.id)))];
    store
        .append_chain(&m(MITSUKE), "MITSUKE-01", ChainHead::default(), &entries)
        .unwrap();
    // It is stored and found (so the scan below looks at a dump that holds it).
    let (found, _) = store
        .search_residents(
            &m(MITSUKE),
            &ResidentQuery {
                kana_prefix: Some(kana("マドグチシケン")),
                ..Default::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(found.len(), 1);

    let schema = common::pg_location(&url, env.dir.path()).schema.unwrap();
    let out = std::process::Command::new(pg_tool("pg_dump"))
        .args([url.as_str(), "--no-owner", "-n", &schema])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(dump.contains("CREATE TABLE") && dump.contains("resident_index"));
    assert!(
        dump.contains(&r.id.0.to_string()),
        "the dump holds the rows"
    );
    let seion = kana_text.replace('　', "");
    for needle in [
        name,
        "窓口試験",
        "夢子",
        kana_text,
        "マドグチシケン",
        seion.as_str(),
        address,
        "試験市",
        "1949-07-23",
        "19490723",
        my_number.as_str(),
        "87654321",
    ] {
        assert!(
            !dump.contains(needle),
            "plaintext {needle:?} in pg_dump output"
        );
    }
}

#[test]
fn a_sled_store_is_copied_to_postgres_exactly() {
    use madoguchi_union_server::auth::HashCost;
    use madoguchi_union_server::seed::{self, SeedOptions};
    let Some(url) = common::pg_url() else { return };
    let from_dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(from_dir.path()).unwrap();
    let config =
        madoguchi_union_server::config::UnionConfig::default_for("新潟県後期高齢者医療広域連合");
    seed::seed(
        &sled,
        &config,
        &SeedOptions {
            municipalities: vec![m(MITSUKE), m(NAGAOKA)],
            residents: 30,
            seed: 5,
            as_of: day(2026, 11, 21),
            hash_cost: HashCost {
                memory_kib: 1024,
                iterations: 1,
            },
        },
    )
    .unwrap();
    // Every other kind of record, so the copy has something of each.
    a_chain_like_history(&sled);
    let key = Uuid::from_u128(61);
    let r = sled
        .residents_of(&m(MITSUKE))
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    sled.commit(Commit {
        documents: vec![document(6100, &r)],
        idempotency: Some((m(MITSUKE), key, idempotency(key, r.id, "x"))),
        ..Default::default()
    })
    .unwrap();
    let serial_before = sled.allocate_insured_number().unwrap();

    let location = common::pg_location(&url, from_dir.path());
    let key = madoguchi_union_server::crypt::StoreKey::load_or_create(from_dir.path()).unwrap();
    let pg = PgStore::open(&location, key).unwrap();
    let report = madoguchi_union_server::store::copy::sled_to_postgres(&sled, &pg).unwrap();
    assert_eq!(report.tally.counts["residents"], 60);
    assert!(report.tally.counts["staff"] > 0);
    assert_eq!(report.tally.counts["chains"], 1);
    assert_eq!(report.tally.counts["chain_flags"], 1);
    assert_eq!(report.tally.counts["idempotency"], 1);
    // The copy answers like the source.
    assert_eq!(pg.resident(r.id).unwrap(), Some(r.clone()));
    assert_eq!(
        pg.residents_of(&m(NAGAOKA)).unwrap(),
        sled.residents_of(&m(NAGAOKA)).unwrap()
    );
    assert_eq!(
        pg.chain_head(&m(MITSUKE), "MITSUKE-01").unwrap(),
        sled.chain_head(&m(MITSUKE), "MITSUKE-01").unwrap()
    );
    let pg_report = pg.verify().unwrap();
    let sled_report = sled.verify().unwrap();
    assert_eq!(
        (pg_report.residents, pg_report.documents, pg_report.audit),
        (
            sled_report.residents,
            sled_report.documents,
            sled_report.audit
        )
    );
    // Numbers go on from where sled stood.
    let next = pg.allocate_insured_number().unwrap();
    assert!(next.as_str() > serial_before.as_str());
    // A second copy into the same (now full) store is refused.
    assert!(madoguchi_union_server::store::copy::sled_to_postgres(&sled, &pg).is_err());
}

/// One terminal chain, one flag and two audit entries.
fn a_chain_like_history(store: &dyn UnionStore) {
    use madoguchi_protocol::v1::{AuditChainFlag, AuditEntry, ChainFlagKind};
    let mut head = ChainHead::default();
    let batch: Vec<_> = (0..3)
        .map(|i| head.append(event(i, "clerk1", &format!("resident:{i}"))))
        .collect();
    store
        .append_chain(&m(MITSUKE), "MITSUKE-01", ChainHead::default(), &batch)
        .unwrap();
    store
        .add_chain_flag(AuditChainFlag {
            id: 0,
            at: Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap(),
            terminal_id: "MITSUKE-01".into(),
            municipality: m(MITSUKE),
            kind: ChainFlagKind::Gap,
            expected_seq: 4,
            found_seq: Some(6),
            message_ja: "欠落があります".into(),
        })
        .unwrap();
    for minute in [1, 2] {
        store
            .append_audit(AuditEntry {
                seq: 0,
                at: Utc.with_ymd_and_hms(2026, 12, 1, 3, minute, 0).unwrap(),
                terminal_id: "MITSUKE-01".into(),
                municipality: m(MITSUKE),
                user_id: Some("clerk1".into()),
                operation: "GET /v1/residents".into(),
                target: None,
                status: 200,
                error: None,
                purpose: None,
            })
            .unwrap();
    }
}

#[test]
fn the_command_line_copies_checks_and_migrates_a_postgres_store() {
    let Some(url) = common::pg_url() else { return };
    // A database of its own: the commands take a plain URL.
    let db = format!("cli_{}", Uuid::new_v4().simple());
    psql(&url, &format!("CREATE DATABASE {db}"));
    let (base, _) = url.rsplit_once('/').unwrap();
    let target = format!("{base}/{db}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    common::ok(common::bin().args([
        "seed",
        "--data",
        data.to_str().unwrap(),
        "--municipality",
        MITSUKE,
        "--residents",
        "20",
        "--light-hashes",
    ]));
    let copied = common::ok(common::bin().args([
        "migrate-store",
        "--from",
        &format!("sled:{}", data.display()),
        "--to",
        &target,
    ]));
    assert!(copied.contains("residents\t20"), "{copied}");
    assert!(copied.contains("一致"), "{copied}");
    let checked = common::ok(common::bin().args([
        "check",
        "--data",
        data.to_str().unwrap(),
        "--store",
        &target,
    ]));
    assert!(checked.contains("住民 20 件"), "{checked}");
    let listed = common::ok(common::bin().args([
        "staff",
        "list",
        "--data",
        data.to_str().unwrap(),
        "--store",
        &target,
    ]));
    assert!(!listed.trim().is_empty());
    // A database migrated by a newer release: `check` and `migrate` refuse it, in Japanese and English.
    psql(
        &target,
        "INSERT INTO madoguchi_schema (version) VALUES (99)",
    );
    for command in ["check", "migrate"] {
        let out = common::bin()
            .args([
                command,
                "--data",
                data.to_str().unwrap(),
                "--store",
                &target,
            ])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("新しい") && err.contains("version 99"),
            "{err}"
        );
    }
}
