//! No plaintext personal data under the data directory: synthetic names, kana, 個人番号, 被保険者番号,
//! 宛名番号, birth dates and addresses go through every tree (outbox, receipts, cache, roster, audit,
//! a key rotation), then the raw bytes of every file are scanned for them (UTF-8, UTF-16LE and ASCII).
//! Run under `keyctl session -` (real OS keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::*;
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::kana::seion_key;
use madoguchi_vault::{Expiry, KeyStore, Qualification, RosterEntry};

const SURNAMES: [&str; 8] = [
    "山田", "佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "中村",
];
const GIVEN: [&str; 8] = [
    "太郎", "花子", "一郎", "幸子", "次郎", "和子", "三郎", "節子",
];

struct Person {
    name: String,
    kana: String,
    my_number: String,
    insured: String,
    addressee: String,
    birth: NaiveDate,
    address: String,
}

fn people(n: usize) -> Vec<Person> {
    let mut g = Gen::new(42);
    (0..n)
        .map(|i| {
            let birth = NaiveDate::from_ymd_opt(
                1930 + g.below(20) as i32,
                1 + g.below(12) as u32,
                1 + g.below(28) as u32,
            )
            .expect("valid date");
            Person {
                name: format!(
                    "{}{}{}",
                    SURNAMES[g.below(8) as usize],
                    GIVEN[g.below(8) as usize],
                    ["", "子", "美"][i % 3]
                ),
                kana: kana_name(&mut g),
                my_number: my_number(&mut g),
                insured: format!("{:08}", 10_000_000 + g.below(89_999_999)),
                addressee: format!("{:010}", g.below(9_999_999_999)),
                birth,
                address: format!(
                    "新潟県新潟市中央区学校町通{}番町{}",
                    1 + g.below(9),
                    1 + g.below(50)
                ),
            }
        })
        .collect()
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(hay, needle).is_some()
}

/// Every needle found in any file under `dir`, as (file, what).
fn scan(dir: &Path, needles: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let mut hits = Vec::new();
    for (path, bytes) in files_under(dir) {
        for (what, n) in needles {
            if find(&bytes, n) {
                hits.push((path.display().to_string(), what.clone()));
            }
        }
    }
    hits
}

#[test]
fn no_plaintext_personal_data_on_disk() {
    let ks = os_keystore();
    let dir = tempfile::tempdir().unwrap();
    let persons = people(300);
    let v = open(dir.path(), &ks);
    let ob = v.outbox();
    for (i, p) in persons.iter().enumerate() {
        let payload = format!(
            "{{\"kind\":\"転入\",\"name\":\"{}\",\"kana\":\"{}\",\"my_number\":\"{}\",\"insured\":\"{}\",\"birth\":\"{}\",\"address\":\"{}\"}}",
            p.name, p.kana, p.my_number, p.insured, p.birth, p.address
        );
        let e = ob
            .enqueue(
                &format!("151009:{}", p.addressee),
                madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                payload.as_bytes(),
            )
            .unwrap();
        match i % 4 {
            0 => {
                ob.mark_sending(e.seq).unwrap();
                ob.mark_accepted(e.seq).unwrap();
            }
            1 => {
                ob.mark_sending(e.seq).unwrap();
                ob.mark_rejected(e.seq, "添付書類不足").unwrap();
            }
            _ => {}
        }
        v.cache()
            .put(
                "resident",
                &p.insured,
                format!("{}|{}|{}", p.name, p.kana, p.birth).as_bytes(),
                Expiry::EndOfBusinessDay,
            )
            .unwrap();
        v.audit_log()
            .append(format!("view {} {} by staff01", p.insured, p.name).as_bytes())
            .unwrap();
    }
    v.settings().set_roster_enabled(true).unwrap();
    let roster: Vec<RosterEntry> = persons
        .iter()
        .map(|p| {
            RosterEntry::new(
                InsuredNumber::parse(&p.insured).unwrap(),
                &seion_key(&p.kana).unwrap(),
                p.birth,
                Qualification::Qualified,
            )
            .unwrap()
        })
        .collect();
    v.roster()
        .replace(roster, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
        .unwrap();
    v.rotate_data_key().unwrap();
    let kek = ks.load(v.vault_id()).unwrap().unwrap();
    let vault_id = v.vault_id().to_owned();
    drop((ob, v));

    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for p in &persons {
        for (what, s) in [
            ("name", &p.name),
            ("kana", &p.kana),
            ("address", &p.address),
        ] {
            needles.push((format!("{what} (UTF-8)"), s.as_bytes().to_vec()));
            needles.push((format!("{what} (UTF-16LE)"), utf16le(s)));
        }
        needles.push(("個人番号".into(), p.my_number.as_bytes().to_vec()));
        needles.push(("被保険者番号".into(), p.insured.as_bytes().to_vec()));
        needles.push(("宛名番号".into(), p.addressee.as_bytes().to_vec()));
        needles.push(("birth date".into(), p.birth.to_string().into_bytes()));
    }
    needles.push(("KEK".into(), kek.expose().to_vec()));

    // Positive control: the scanner finds a needle that is there.
    let control = tempfile::tempdir().unwrap();
    std::fs::write(
        control.path().join("x"),
        [b"prefix".as_slice(), &needles[1].1, b"suffix"].concat(),
    )
    .unwrap();
    assert!(
        scan(control.path(), &needles)
            .iter()
            .any(|(_, what)| *what == needles[1].0)
    );

    let files = files_under(dir.path());
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    assert!(
        total > 100_000,
        "the vault wrote data ({total} bytes in {} files)",
        files.len()
    );
    let hits = scan(dir.path(), &needles);
    assert!(hits.is_empty(), "plaintext personal data on disk: {hits:?}");
    println!(
        "at rest: scanned {} files, {total} bytes, {} needles: no plaintext",
        files.len(),
        needles.len()
    );
    delete_key(&vault_id);
}
