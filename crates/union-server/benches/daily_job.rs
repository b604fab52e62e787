//! The union's daily job (`madoguchi_union_server::daily::run`) over 1,000,000 residents of one union, of
//! whom ~8,000 reach 75 in the coming month (0.8 %, about a month's 75歳到達 of a large prefecture), the
//! insured ones with a document. Prints the time of the first run (which decides the 75歳到達: qualification,
//! 被保険者番号, 資格確認書) and of a second run of the same day (nothing to decide). Target: < 60 s for the first
//! run on the 2-core machine, release build.
//!
//! `cargo bench -p madoguchi-union-server --bench daily_job`; `MADOGUCHI_BENCH_RESIDENTS=N` changes the count.
//! Not part of the test command. The store lives in the temporary directory (`TMPDIR`); its size is printed
//! after the setup and after the runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a panic is a failed run

use std::time::Instant;

use chrono::NaiveDate;
use madoguchi_domain::eligibility::Reason;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MunicipalityCode};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, Sex};
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_protocol::v1::{DocumentId, DocumentState, ResidentId};
use madoguchi_union_server::config::UnionConfig;
use madoguchi_union_server::daily;
use madoguchi_union_server::store::{
    Commit, DocumentRecord, QualificationRecord, ResidentRecord, SledStore, UnionStore,
};
use uuid::Uuid;

const MUNICIPALITIES: [&str; 4] = ["152021", "152111", "151009", "152048"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Bytes under `dir` (the sled store's files), to see how the store grows with the residents.
fn size_on_disk(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let m = e.metadata().unwrap();
        total += if m.is_dir() {
            size_on_disk(&e.path())
        } else {
            m.len()
        };
    }
    total
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0 * 1024.0)
}

fn main() {
    let residents: usize = std::env::var("MADOGUCHI_BENCH_RESIDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let arriving = residents * 8 / 1000;
    let on = date(2026, 11, 21);
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let config = UnionConfig::default_for("新潟県後期高齢者医療広域連合");
    let municipalities: Vec<MunicipalityCode> =
        MUNICIPALITIES.iter().map(|m| m.parse().unwrap()).collect();
    let name = PersonName::parse("見本　花子").unwrap();
    let kana = KanaName::parse("ミホン　ハナコ").unwrap();

    let started = Instant::now();
    let mut commit = Commit::default();
    for i in 0..residents {
        let m = municipalities[i % municipalities.len()];
        // Every 125th resident turns 75 in December 2026; the others are older (insured) or 65–74.
        let reaching = i % 125 == 0 && i / 125 < arriving;
        let birth = if reaching {
            date(1951, 12, 1 + (i / 125 % 28) as u32)
        } else if i % 5 == 1 {
            date(1957, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
        } else {
            date(
                1930 + (i % 20) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            )
        };
        let id = ResidentId(Uuid::from_u128(i as u128 + 1));
        let mut r = ResidentRecord {
            id,
            municipality: m,
            addressee: AddresseeNumber::parse(&format!("{}", 1_000_000_001 + i)).unwrap(),
            household: HouseholdNumber::parse(&format!("{}", 1_000_000_001 + i)).unwrap(),
            name: name.clone(),
            kana: kana.clone(),
            birth_date: birth,
            sex: Sex::Female,
            address: "新潟県見附市昭和町一丁目1番1号".into(),
            mailing_address: None,
            my_number: None,
            on_welfare: false,
            disability_certified_on: None,
            mynumber_health_card: i % 2 == 0,
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
            disability_review: None,
            specific_disease: None,
        };
        let insured = !reaching && i % 5 != 1;
        if insured {
            let number = store.allocate_insured_number().unwrap();
            let acquired = madoguchi_domain::age::kouki_age_date(birth).unwrap();
            r.insured_number = Some(number.clone());
            r.qualification = Some(QualificationRecord {
                insured_number: number.clone(),
                acquired_on: acquired,
                lost_on: None,
                reason: Reason::Age75,
            });
            let d = DocumentRecord {
                id: DocumentId(Uuid::from_u128(u128::MAX - i as u128)),
                resident_id: id,
                municipality: m,
                kind: DocumentKind::ShikakuKakuninsho,
                insured_number: number,
                insurer_number: config.insurer_number(&m).unwrap(),
                name: name.clone(),
                kana: kana.clone(),
                birth_date: birth,
                sex: Sex::Female,
                acquired_on: acquired,
                valid_from: date(2026, 8, 1),
                valid_until: date(2027, 7, 31),
                issue_date: date(2026, 7, 10),
                burden_ratio: BurdenRatio::One,
                limit_category: None,
                long_term_hospitalization_on: None,
                mailing_address: None,
                specific_disease: None,
                state: DocumentState::Issued,
                issuance: None,
                returned: None,
            };
            r.documents.push(d.id);
            commit.documents.push(d);
        }
        commit.residents.push(r);
        if commit.residents.len() >= 1000 {
            store.commit(std::mem::take(&mut commit)).unwrap();
        }
    }
    store.commit(commit).unwrap();
    store.flush().unwrap();
    println!(
        "daily job over {residents} residents ({arriving} reaching 75 in December 2026), day {on}"
    );
    println!(
        "  setup      {:.1} s  (store {:.2} GiB)",
        started.elapsed().as_secs_f64(),
        gib(size_on_disk(dir.path()))
    );

    let t = Instant::now();
    let first = daily::run(&store, &config, on, None).unwrap();
    let first_time = t.elapsed();
    let t = Instant::now();
    let second = daily::run(&store, &config, on, None).unwrap();
    let second_time = t.elapsed();
    assert_eq!(first.new_age_75 as usize, arriving, "{first}");
    assert_eq!(second.new_age_75, 0, "{second}");
    assert_eq!(second.age_75, first.age_75);
    println!(
        "  first run  {:.1} s  (75歳到達 decided: {}; target < 60 s)",
        first_time.as_secs_f64(),
        first.new_age_75
    );
    println!(
        "  second run {:.1} s  (idempotent: {} new)",
        second_time.as_secs_f64(),
        second.new_age_75
    );
    store.flush().unwrap();
    println!(
        "  store      {:.2} GiB after both runs",
        gib(size_on_disk(dir.path()))
    );
}
