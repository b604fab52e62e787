//! PostgreSQL-only checks of the union store (the suite shared with sled, two instances on one database
//! included, is `store_contract.rs`): the schema version rule, the wrong key, a real `pg_dump` scanned for
//! the synthetic personal data, damage found at start, and the copy from sled (library and command line).
//! Skipped without MADOGUCHI_TEST_PG_URL, unless MADOGUCHI_REQUIRE_POSTGRES=1 (scripts/test.sh).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{TimeZone, Utc};
use common::stores::*;
use madoguchi_audit::ChainHead;
use madoguchi_domain::ids::{InsuredNumber, MyNumber};
use madoguchi_domain::kana::PersonName;
use madoguchi_union_server::store::{
    Commit, PgStore, ResidentQuery, SledStore, StoreError, UnionStore,
};
use uuid::Uuid;

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

#[test]
fn postgres_dump_holds_no_plaintext_personal_data() {
    let Some(server) = common::pg_url() else {
        return;
    };
    // A database of its own, so that its table files are only this test's.
    let db = format!("dump_{}", Uuid::new_v4().simple());
    psql(&server, &format!("CREATE DATABASE {db}"));
    let url = format!("{}/{db}", server.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    let key = madoguchi_union_server::crypt::StoreKey::load_or_create(dir.path()).unwrap();
    let location = madoguchi_union_server::store::PgLocation {
        url: url.clone(),
        schema: None,
    };
    let store = PgStore::open(&location, key).unwrap();
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

    let out = std::process::Command::new(pg_tool("pg_dump"))
        .args([url.as_str(), "--no-owner"])
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
    let needles = [
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
    ];
    for needle in needles {
        assert!(
            !dump.contains(needle),
            "plaintext {needle:?} in pg_dump output"
        );
    }

    // The table files and the WAL hold the same bytes: written out by a CHECKPOINT, then scanned (when this
    // process may read the server's files, as root in scripts/test.sh).
    psql(&url, "CHECKPOINT");
    let data_dir = std::path::PathBuf::from(psql(&url, "SHOW data_directory"));
    let db = psql(
        &url,
        "SELECT oid FROM pg_database WHERE datname = current_database()",
    );
    let dirs = [data_dir.join("base").join(db), data_dir.join("pg_wal")];
    if dirs.iter().any(|d| std::fs::read_dir(d).is_err()) {
        eprintln!("table files not readable by this user: only the dump was scanned");
        return;
    }
    // grep: a byte scan of a few hundred MB is slow in a debug test binary.
    let mut grep = std::process::Command::new("grep");
    grep.args(["-r", "-l", "-a", "-F"]);
    for needle in needles {
        grep.args(["-e", needle]);
    }
    let out = grep.args(&dirs).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "plaintext personal data in the table files or the WAL: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
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
    let record = idempotency(key, r.id, "x");
    sled.commit(Commit {
        documents: vec![document(6100, &r)],
        ledger: Some(madoguchi_union_server::store::LedgerEntry {
            decision: record.decision.clone(),
            terminal_id: "MITSUKE-01".into(),
            user_id: "clerk1".into(),
            received_on: day(2026, 12, 1),
        }),
        idempotency: Some((m(MITSUKE), key, record)),
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
    assert_eq!(report.tally.counts["ledger"], 1);
    assert_eq!(pg.ledger_len().unwrap(), 1);
    let idem = Uuid::from_u128(61);
    assert!(
        pg.idempotency(&m(MITSUKE), idem).unwrap() == sled.idempotency(&m(MITSUKE), idem).unwrap()
    );
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

#[test]
fn postgres_damage_is_found_by_the_check_at_start() {
    let Some((env, url)) = pg_env() else { return };
    let store = env.instance();
    let rs: Vec<_> = (1..=3)
        .map(|n| resident(n, MITSUKE, "ミホン　ハナコ", day(1951, 12, 20)))
        .collect();
    store
        .commit(Commit {
            residents: rs.clone(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.verify().unwrap().residents, 3);
    let schema = common::pg_location(&url, env.dir.path()).schema.unwrap();
    // One sealed value altered, one index row gone (what a bad restore or a hand edit leaves).
    psql(
        &url,
        &format!(
            "UPDATE {schema}.residents SET sealed = sealed || '\\x00'::bytea WHERE id = '{}'",
            rs[0].id.0
        ),
    );
    psql(
        &url,
        &format!(
            "DELETE FROM {schema}.resident_index WHERE resident = '{}' AND kind = 4",
            rs[1].id.0
        ),
    );
    match store.verify() {
        Err(StoreError::Damaged(d)) => {
            let text = d.to_string();
            assert!(text.contains("1 resident records"), "{text}");
            assert!(text.contains("search indexes"), "{text}");
            assert!(d.message_ja().contains("住民記録"), "{}", d.message_ja());
        }
        other => panic!("damage not found: {other:?}"),
    }
}
