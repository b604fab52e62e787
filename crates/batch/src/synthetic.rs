//! Synthetic distributions for tests, benchmarks and 研修モード: fictitious residents of the fictitious
//! 「見本県」, generated from a seed (the same seed gives the same records, so a restarted process rebuilds
//! exactly the content that was approved). Never a real person's data.

use chrono::{TimeZone, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, Sex};
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_domain::money::Yen;
use madoguchi_print::sample::{SAMPLE_INSURER_NAME, sample_insurer_number};
use madoguchi_protocol::distribution::{
    BurdenRatioNotice, DistributionId, DistributionKind, DistributionRecord, LedgerAction,
    LedgerEntry, PremiumRow, QualificationRow, RecordPayload, content_hash,
};
use madoguchi_protocol::v1::{DocumentData, DocumentId, DocumentState, MailingAddress, ResidentId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const FAMILY: [(&str, &str); 8] = [
    ("見本", "ミホン"),
    ("試験", "シケン"),
    ("山川", "ヤマカワ"),
    ("森田", "モリタ"),
    ("高橋", "タカハシ"),
    ("佐々木", "ササキ"),
    ("長谷川", "ハセガワ"),
    ("渡邊", "ワタナベ"),
];
const GIVEN: [(&str, &str); 8] = [
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("幸子", "サチコ"),
    ("正男", "マサオ"),
    ("和子", "カズコ"),
    ("清", "キヨシ"),
    ("節子", "セツコ"),
    ("勇", "イサム"),
];

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or(Date::MIN)
}

/// The 被保険者番号 of record `seq` of a distribution generated with `seed`: unique per (seed mod 80, seq).
#[allow(clippy::expect_used)]
pub fn insured_number(seed: u64, seq: u32) -> InsuredNumber {
    let n = 10_000_000 + (seed % 80) as u32 * 1_000_000 + seq % 1_000_000;
    // At most 89,999,999: always 8 digits (not input).
    InsuredNumber::from_serial(n).expect("below 10^8 by construction")
}

#[allow(clippy::expect_used)]
fn person(seq: u32) -> (PersonName, KanaName) {
    let (f, fk) = FAMILY[seq as usize % FAMILY.len()];
    let (g, gk) = GIVEN[(seq as usize / FAMILY.len()) % GIVEN.len()];
    let name = PersonName::parse(&format!("{f}　{g}"));
    let kana = KanaName::parse(&format!("{fk}　{gk}"));
    // The fixed lists above are valid names and kana (not input).
    (
        name.expect("synthetic name is valid"),
        kana.expect("synthetic kana is valid"),
    )
}

fn ratio(seq: u32) -> BurdenRatio {
    match seq % 10 {
        0..=6 => BurdenRatio::One,
        7 | 8 => BurdenRatio::Two,
        _ => BurdenRatio::Three,
    }
}

fn address(seq: u32, name: &PersonName) -> MailingAddress {
    MailingAddress {
        recipient: name.as_str().to_string(),
        postal_code: format!("{:07}", 9_500_000 + seq % 99_999),
        address: format!("見本県見本市本町{}丁目{}番地", seq % 9 + 1, seq),
    }
}

fn payload(kind: DistributionKind, seed: u64, seq: u32) -> RecordPayload {
    let (name, kana) = person(seq);
    let insured_number = insured_number(seed, seq);
    let birth_date = date(1940 + (seq % 11) as i32, seq % 12 + 1, seq % 28 + 1);
    match kind {
        DistributionKind::MonthlyAgeArrival | DistributionKind::AnnualRenewal => {
            RecordPayload::Certificate(DocumentData {
                document_id: DocumentId(Uuid::from_u128(
                    (u128::from(seed) << 64) | u128::from(seq),
                )),
                kind: DocumentKind::ShikakuKakuninsho,
                insured_number,
                name,
                kana,
                birth_date,
                sex: if seq.is_multiple_of(2) {
                    Sex::Female
                } else {
                    Sex::Male
                },
                acquired_on: date(2016 + (seq % 9) as i32, 4, 1),
                valid_from: date(2026, 8, 1),
                valid_until: date(2027, 7, 31),
                issue_date: date(2026, 7, 15),
                burden_ratio: ratio(seq),
                limit_category: None,
                long_term_hospitalization_on: None,
                specific_disease: None,
                insurer_number: sample_insurer_number(),
                insurer_name: SAMPLE_INSURER_NAME.into(),
                mailing_address: None,
                sample: false,
                state: DocumentState::ToIssue,
            })
        }
        DistributionKind::BurdenRatioChange => {
            let before = ratio(seq);
            let after = match before {
                BurdenRatio::One => BurdenRatio::Two,
                _ => BurdenRatio::One,
            };
            RecordPayload::BurdenRatioNotice(BurdenRatioNotice {
                insured_number,
                name,
                kana,
                before,
                after,
                effective_on: date(2026, 8, 1),
                notice_date: date(2026, 7, 15),
                insurer_name: SAMPLE_INSURER_NAME.into(),
                sample: false,
            })
        }
        DistributionKind::QualificationFile => RecordPayload::QualificationRow(QualificationRow {
            insured_number,
            kana,
            birth_date,
            acquired_on: date(2016 + (seq % 9) as i32, 4, 1),
            lost_on: None,
            burden_ratio: ratio(seq),
        }),
        DistributionKind::PremiumFile => RecordPayload::PremiumRow(PremiumRow {
            insured_number,
            fiscal_year: 2026,
            annual_premium: Yen::new(40_000 + i64::from(seq % 50) * 1_300),
        }),
    }
}

/// `n` records of `kind`, 通し番号 1..=n, with a 宛名 for printed kinds.
pub fn records(kind: DistributionKind, n: u32, seed: u64) -> Vec<DistributionRecord> {
    (1..=n)
        .map(|seq| {
            let payload = payload(kind, seed, seq);
            let mail_to = kind.is_printed().then(|| address(seq, &person(seq).0));
            DistributionRecord {
                seq,
                resident_id: ResidentId(Uuid::from_u128(
                    (u128::from(seed) << 64) | u128::from(seq) | (1 << 63),
                )),
                mail_to,
                payload,
            }
        })
        .collect()
}

/// Turn every `every`-th 資格確認書 into a 資格情報のお知らせ (A4, for マイナ保険証 holders): content with two
/// page kinds. The approval must be made after this (it changes the content hash).
pub fn with_notices(mut records: Vec<DistributionRecord>, every: u32) -> Vec<DistributionRecord> {
    for r in records.iter_mut() {
        if let RecordPayload::Certificate(d) = &mut r.payload
            && every > 0
            && r.seq.is_multiple_of(every)
        {
            d.kind = DocumentKind::ShikakuJohoOshirase;
        }
    }
    records
}

/// The distribution id used for `seed`.
pub fn distribution_id(seed: u64) -> DistributionId {
    DistributionId(Uuid::from_u128(
        0x6d64_6700_0000_0000_0000_0000_0000_0000 | u128::from(seed),
    ))
}

/// A 承認 ledger entry by the fictitious 監督者 「kensyu-kantoku」 over `records`.
pub fn approval_of(seed: u64, records: &[DistributionRecord]) -> LedgerEntry {
    let content = content_hash(records);
    let mut entry = LedgerEntry {
        seq: 3,
        distribution_id: distribution_id(seed),
        action: LedgerAction::Approved,
        by: "kensyu-kantoku".into(),
        terminal_id: "T01".into(),
        at: Utc
            .with_ymd_and_hms(2026, 7, 10, 1, 30, 0)
            .single()
            .unwrap_or_default(),
        record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
        content_hash: content,
        prev_hash: "0".repeat(64),
        entry_hash: String::new(),
    };
    let json = serde_json::to_vec(&entry).unwrap_or_default();
    entry.entry_hash = hex::encode(Sha256::digest(&json));
    entry
}

/// Records and their approval, in one call.
pub fn approved(
    kind: DistributionKind,
    n: u32,
    seed: u64,
) -> (LedgerEntry, Vec<DistributionRecord>) {
    let r = records(kind, n, seed);
    (approval_of(seed, &r), r)
}
