//! Distributions (配信) on the union side: building the content of a distribution from the union's own
//! resident store, the stored state of a distribution ([`DistributionMeta`]), its insert-only, hash-chained
//! decision ledger, and the storage interface ([`DistributionStore`]) the API uses.
//!
//! What goes into each kind (the rules are ours where the seeds give none; README "Distributions"):
//! - **75歳到達 (月次)**: every resident of the municipality whose 75th birthday falls in the month of the
//!   reference day, who is not insured yet (a 障害認定 insured already holds a document), not on 生活保護,
//!   not dead or moved out. A new 資格確認書 (or 資格情報のお知らせ, by the union's dated document policy)
//!   valid from the birthday. A resident without a 被保険者番号 gets one now (kept for the acquisition).
//! - **一斉更新 (8/1)**: every resident insured now gets a new document valid from 8/1 (or from the
//!   acquisition day when later) to the configured 有効期限 (domain-anchors §3.5).
//! - **負担割合変更**: insured residents whose assessed 一部負担金の割合 (the resident record's ratio, from the
//!   latest income assessment) differs from the ratio on their newest document: the document in their hands
//!   shows the old ratio, the notice the new one from 8/1.
//! - **資格ファイル**: one row per resident with a qualification (current or lost).
//! - **保険料ファイル**: one row per insured resident with a PLACEHOLDER annual premium ([`placeholder_premium`]):
//!   the union store holds no income data and the seeds give no formula.
//!
//! Printed items are addressed to the 送付先 when one is registered, otherwise to the 住民票 address; records
//! are grouped by what is printed (資格確認書 first, then 資格情報のお知らせ: different paper, often a
//! different printer, so a bulk run prints each group as long jobs), ordered by 被保険者番号 (then resident
//! id) within a group, and numbered from 1.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::age::kouki_age_date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind};
use madoguchi_domain::money::Yen;
use madoguchi_protocol::distribution::{
    BurdenRatioNotice, ContentHash, DistributionId, DistributionKind, DistributionRecord,
    DistributionState, DistributionSummary, KindCount, LEDGER_GENESIS, LedgerAction, LedgerEntry,
    MailClass, PremiumRow, QualificationRow, RecordPayload, content_hash, ledger_entry_hash,
};
use madoguchi_protocol::reprint::ReprintApproval;
use madoguchi_protocol::v1::{DocumentData, DocumentId, DocumentState, MailingAddress};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::UnionConfig;
use crate::store::{ResidentRecord, StoreError, UnionStore};

/// Records per sealed chunk in the store.
pub const RECORDS_PER_CHUNK: usize = 500;

/// What a distribution is asked for (the request, checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionSpec {
    pub kind: DistributionKind,
    pub municipality: MunicipalityCode,
    pub reference_date: Date,
    pub mail_class: MailClass,
}

/// A distribution as the union keeps it (its records are stored apart, in chunks). No personal data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionMeta {
    pub id: DistributionId,
    pub kind: DistributionKind,
    pub municipality: MunicipalityCode,
    pub reference_date: Date,
    pub mail_class: MailClass,
    pub note: String,
    pub state: DistributionState,
    pub record_count: u32,
    pub page_count: u32,
    pub breakdown: Vec<KindCount>,
    pub content_hash: ContentHash,
    /// Content generation; a regeneration writes a new one and removes the old.
    pub generation: u32,
    /// Chunks of [`RECORDS_PER_CHUNK`] records in the current generation.
    pub chunks: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Who built the current content (the creator, or whoever regenerated it): they cannot approve it.
    pub content_by: String,
    pub union_approved_by: Option<String>,
    /// Released to the municipality at least once: its terminals may see it (even while it waits for the
    /// union again after a regeneration).
    pub ever_released: bool,
    /// The municipality's decision on the current content.
    pub decision: Option<LedgerEntry>,
    /// Number of ledger entries and the hash of the last one.
    pub ledger_len: u32,
    pub ledger_head: String,
}

impl std::fmt::Debug for DistributionMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DistributionMeta({}, {:?})", self.id, self.state)
    }
}

impl DistributionMeta {
    /// The summary the API answers with.
    pub fn summary(&self) -> DistributionSummary {
        DistributionSummary {
            distribution_id: self.id,
            kind: self.kind,
            municipality: self.municipality,
            reference_date: self.reference_date,
            mail_class: self.mail_class,
            state: self.state,
            record_count: self.record_count,
            page_count: self.page_count,
            breakdown: self.breakdown.clone(),
            content_hash: self.content_hash.clone(),
            created_by: self.created_by.clone(),
            created_at: self.created_at,
            union_approved_by: self.union_approved_by.clone(),
            decision: self.decision.clone(),
            note: self.note.clone(),
        }
    }

    /// Sets the content facts (count, pages, breakdown, hash) from freshly generated records.
    pub fn set_content(&mut self, records: &[DistributionRecord]) {
        self.record_count = records.len() as u32;
        self.page_count = page_count(self.kind, records);
        self.breakdown = breakdown(self.kind, self.mail_class, records);
        self.content_hash = content_hash(records);
        self.chunks = records.len().div_ceil(RECORDS_PER_CHUNK) as u32;
    }

    /// The next ledger entry of this distribution (chained to the last one); updates the head.
    pub fn append_ledger(
        &mut self,
        action: LedgerAction,
        by: &str,
        terminal_id: &str,
        at: DateTime<Utc>,
    ) -> LedgerEntry {
        let prev_hash = if self.ledger_len == 0 {
            LEDGER_GENESIS.to_owned()
        } else {
            self.ledger_head.clone()
        };
        let mut entry = LedgerEntry {
            seq: self.ledger_len + 1,
            distribution_id: self.id,
            action,
            by: by.to_owned(),
            terminal_id: terminal_id.to_owned(),
            at,
            record_count: self.record_count,
            content_hash: self.content_hash.clone(),
            prev_hash,
            entry_hash: String::new(),
        };
        entry.entry_hash = ledger_entry_hash(&entry);
        self.ledger_len = entry.seq;
        self.ledger_head = entry.entry_hash.clone();
        entry
    }
}

/// Storage of distributions, beside [`UnionStore`] (same sled tree, same encryption at rest).
pub trait DistributionStore: Send + Sync {
    /// Stores `meta`, the new content when given (as a new generation; the previous one is removed) and
    /// one ledger entry, atomically. The ledger is insert-only: an entry whose number exists is refused.
    fn write_distribution(
        &self,
        meta: &DistributionMeta,
        content: Option<&[DistributionRecord]>,
        entry: &LedgerEntry,
    ) -> Result<(), StoreError>;
    fn distribution(&self, id: DistributionId) -> Result<Option<DistributionMeta>, StoreError>;
    /// Every distribution, newest first.
    fn all_distributions(&self) -> Result<Vec<DistributionMeta>, StoreError>;
    /// Records `offset+1 ..= offset+limit` of the current content.
    fn distribution_records(
        &self,
        meta: &DistributionMeta,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<DistributionRecord>, StoreError>;
    /// The ledger, oldest first.
    fn distribution_ledger(&self, id: DistributionId) -> Result<Vec<LedgerEntry>, StoreError>;
    /// Keeps a supervisor's approval of one reprint (insert-only: an existing approval id is refused).
    fn put_reprint_approval(&self, approval: &ReprintApproval) -> Result<(), StoreError>;
    /// The reprint approvals of one document, oldest first.
    fn reprint_approvals(&self, document: DocumentId) -> Result<Vec<ReprintApproval>, StoreError>;
}

/// Why content could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the union has no 保険者番号 for the municipality")]
    NoInsurerNumber,
}

/// Generated content, and the residents that were given a 被保険者番号 for it (to be stored first).
pub struct Generated {
    pub records: Vec<DistributionRecord>,
    pub numbered_residents: Vec<ResidentRecord>,
}

/// 年度 (April to March) of a day.
pub fn fiscal_year(d: Date) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// PLACEHOLDER annual premium (保険料): the union store has no income data and the seeds give no formula,
/// so the amount is 均等割 47,000円 plus a stand-in for the 所得割 by the assessed 負担割合 band (1割 0円,
/// 2割 38,000円, 3割 150,000円), capped at the 賦課限度額 800,000円. Deterministic; replace with the union's
/// real 賦課 when income data is linked.
pub fn placeholder_premium(ratio: BurdenRatio) -> Yen {
    let equal_share = 47_000;
    let income_share = match ratio {
        BurdenRatio::One => 0,
        BurdenRatio::Two => 38_000,
        BurdenRatio::Three => 150_000,
    };
    Yen::new((equal_share + income_share).min(800_000))
}

/// A document id that depends only on the distribution and the resident, so that regenerating unchanged
/// data gives the same content (and hash).
fn document_id(distribution: DistributionId, resident: &ResidentRecord) -> DocumentId {
    let digest = Sha256::new()
        .chain_update(b"madoguchi-distribution-document")
        .chain_update(distribution.0.as_bytes())
        .chain_update(resident.id.0.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    DocumentId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

/// 送付先 when registered, otherwise the 住民票 address (the union keeps no postal code for it: empty).
fn mail_to(r: &ResidentRecord) -> MailingAddress {
    r.mailing_address.clone().unwrap_or_else(|| MailingAddress {
        recipient: r.name.as_str().to_owned(),
        postal_code: String::new(),
        address: r.address.clone(),
    })
}

fn alive_and_resident(r: &ResidentRecord) -> bool {
    r.died_on.is_none() && r.moved_out_on.is_none()
}

fn month_bounds(d: Date) -> (Date, Date) {
    let first = d.with_day(1).unwrap_or(d);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (first, next.pred_opt().unwrap_or(first))
}

struct CertificateFacts {
    kind: DocumentKind,
    acquired_on: Date,
    valid_from: Date,
}

fn certificate(
    config: &UnionConfig,
    id: DistributionId,
    r: &ResidentRecord,
    facts: CertificateFacts,
    today: Date,
    insurer: &madoguchi_domain::ids::InsurerNumber,
) -> Option<RecordPayload> {
    let insured_number = r.insured_number.clone()?;
    Some(RecordPayload::Certificate(DocumentData {
        document_id: document_id(id, r),
        kind: facts.kind,
        insured_number,
        name: r.name.clone(),
        kana: r.kana.clone(),
        birth_date: r.birth_date,
        sex: r.sex,
        acquired_on: facts.acquired_on,
        valid_from: facts.valid_from,
        valid_until: config.valid_until(facts.valid_from),
        issue_date: today,
        burden_ratio: r.burden_ratio,
        limit_category: r.limit_category,
        long_term_hospitalization_on: r.long_term_hospitalization_on,
        insurer_number: insurer.clone(),
        insurer_name: config.union_name.clone(),
        mailing_address: r.mailing_address.clone(),
        sample: config.training,
        state: DocumentState::ToIssue,
    }))
}

/// Builds the content of a distribution from the union's records as of `today`.
pub fn generate(
    store: &dyn UnionStore,
    config: &UnionConfig,
    id: DistributionId,
    spec: &DistributionSpec,
    today: Date,
) -> Result<Generated, GenerateError> {
    let insurer = config
        .insurer_number(&spec.municipality)
        .ok_or(GenerateError::NoInsurerNumber)?;
    let mut residents = store.residents_of(&spec.municipality)?;
    let mut numbered_residents = Vec::new();
    let mut items: Vec<(ResidentRecord, Option<MailingAddress>, RecordPayload)> = Vec::new();
    match spec.kind {
        DistributionKind::MonthlyAgeArrival => {
            let (first, last) = month_bounds(spec.reference_date);
            // Order before numbering, so new numbers follow the same order on every run.
            residents.sort_by_key(|r| r.id.0);
            for mut r in residents {
                let Some(birthday) = kouki_age_date(r.birth_date) else {
                    continue;
                };
                if birthday < first
                    || birthday > last
                    || r.on_welfare
                    || !alive_and_resident(&r)
                    || r.active_qualification().is_some()
                {
                    continue;
                }
                let Some(kind) = config.document_for(birthday, r.mynumber_health_card) else {
                    continue;
                };
                if r.insured_number.is_none() {
                    r.insured_number = Some(store.allocate_insured_number()?);
                    numbered_residents.push(r.clone());
                }
                let facts = CertificateFacts {
                    kind,
                    acquired_on: birthday,
                    valid_from: birthday,
                };
                if let Some(p) = certificate(config, id, &r, facts, today, &insurer) {
                    let to = mail_to(&r);
                    items.push((r, Some(to), p));
                }
            }
        }
        DistributionKind::AnnualRenewal => {
            for r in residents {
                let Some(q) = r.active_qualification() else {
                    continue;
                };
                if !alive_and_resident(&r) {
                    continue;
                }
                let valid_from = spec.reference_date.max(q.acquired_on);
                let Some(kind) = config.document_for(valid_from, r.mynumber_health_card) else {
                    continue;
                };
                let facts = CertificateFacts {
                    kind,
                    acquired_on: q.acquired_on,
                    valid_from,
                };
                if let Some(p) = certificate(config, id, &r, facts, today, &insurer) {
                    let to = mail_to(&r);
                    items.push((r, Some(to), p));
                }
            }
        }
        DistributionKind::BurdenRatioChange => {
            for r in residents {
                let Some(q) = r.active_qualification() else {
                    continue;
                };
                if !alive_and_resident(&r) {
                    continue;
                }
                // The newest document that is not voided shows the ratio the resident holds now.
                let mut shown = None;
                for doc_id in r.documents.iter().rev() {
                    if let Some(d) = store.document(*doc_id)?
                        && d.state != DocumentState::Voided
                    {
                        shown = Some(d.burden_ratio);
                        break;
                    }
                }
                let Some(before) = shown else {
                    continue;
                };
                if before == r.burden_ratio {
                    continue;
                }
                let notice = BurdenRatioNotice {
                    insured_number: q.insured_number.clone(),
                    name: r.name.clone(),
                    kana: r.kana.clone(),
                    before,
                    after: r.burden_ratio,
                    effective_on: spec.reference_date,
                    notice_date: today,
                    insurer_name: config.union_name.clone(),
                    sample: config.training,
                };
                let to = mail_to(&r);
                items.push((r, Some(to), RecordPayload::BurdenRatioNotice(notice)));
            }
        }
        DistributionKind::QualificationFile => {
            for r in residents {
                let Some(q) = r.qualification.clone() else {
                    continue;
                };
                let row = QualificationRow {
                    insured_number: q.insured_number,
                    kana: r.kana.clone(),
                    birth_date: r.birth_date,
                    acquired_on: q.acquired_on,
                    lost_on: q.lost_on,
                    burden_ratio: r.burden_ratio,
                };
                items.push((r, None, RecordPayload::QualificationRow(row)));
            }
        }
        DistributionKind::PremiumFile => {
            for r in residents {
                let Some(q) = r.active_qualification() else {
                    continue;
                };
                let row = PremiumRow {
                    insured_number: q.insured_number.clone(),
                    fiscal_year: fiscal_year(spec.reference_date),
                    annual_premium: placeholder_premium(r.burden_ratio),
                };
                items.push((r, None, RecordPayload::PremiumRow(row)));
            }
        }
    }
    items.sort_by(|a, b| {
        print_group(&a.2)
            .cmp(&print_group(&b.2))
            .then_with(|| a.2.insured_number().cmp(b.2.insured_number()))
            .then_with(|| a.0.id.0.cmp(&b.0.id.0))
    });
    let records = items
        .into_iter()
        .enumerate()
        .map(|(i, (r, to, payload))| DistributionRecord {
            seq: i as u32 + 1,
            resident_id: r.id,
            mail_to: if spec.kind.is_printed() { to } else { None },
            payload,
        })
        .collect();
    Ok(Generated {
        records,
        numbered_residents,
    })
}

/// The print group of a record: 資格確認書 (0) before 資格情報のお知らせ (1); everything else prints alone.
fn print_group(payload: &RecordPayload) -> u8 {
    match payload {
        RecordPayload::Certificate(d) if d.kind == DocumentKind::ShikakuJohoOshirase => 1,
        _ => 0,
    }
}

/// Pages when printed: one per record (card, はがき or A4 notice); files have none.
pub fn page_count(kind: DistributionKind, records: &[DistributionRecord]) -> u32 {
    if kind.is_printed() {
        records.len() as u32
    } else {
        0
    }
}

/// The per-kind summary the supervisor checks: by document kind, 負担割合, 送付先, 外字, 限度区分 and
/// 送付方法 (printed kinds), by 資格 state (qualification file).
pub fn breakdown(
    kind: DistributionKind,
    mail_class: MailClass,
    records: &[DistributionRecord],
) -> Vec<KindCount> {
    let mut counts: BTreeMap<(u8, String), u32> = BTreeMap::new();
    let mut add = |order: u8, label: String| *counts.entry((order, label)).or_default() += 1;
    for r in records {
        match &r.payload {
            RecordPayload::Certificate(d) => {
                add(0, d.kind.name_ja().to_owned());
                add(1, format!("負担割合 {}", d.burden_ratio.label_ja()));
                if d.mailing_address.is_some() {
                    add(2, "送付先あり".into());
                }
                if d.name.has_gaiji() {
                    add(3, "外字あり".into());
                }
                if d.limit_category.is_some() {
                    add(4, "限度区分あり".into());
                }
            }
            RecordPayload::BurdenRatioNotice(n) => {
                add(1, format!("{}→{}", n.before.label_ja(), n.after.label_ja()));
                if n.name.has_gaiji() {
                    add(3, "外字あり".into());
                }
            }
            RecordPayload::QualificationRow(q) => {
                add(
                    0,
                    if q.lost_on.is_some() {
                        "資格喪失".into()
                    } else {
                        "資格あり".into()
                    },
                );
                add(1, format!("負担割合 {}", q.burden_ratio.label_ja()));
            }
            RecordPayload::PremiumRow(p) => {
                add(1, format!("年度 {}", p.fiscal_year));
            }
        }
        if kind.is_printed() {
            add(5, mail_class.label_ja().to_owned());
        }
    }
    counts
        .into_iter()
        .map(|((_, label), count)| KindCount { label, count })
        .collect()
}

/// The next 8月1日 on or after `today` (the effective day of the coming 一斉更新).
pub fn next_renewal_day(today: Date) -> Date {
    let this_year = Date::from_ymd_opt(today.year(), 8, 1).unwrap_or(today);
    if this_year >= today {
        this_year
    } else {
        Date::from_ymd_opt(today.year() + 1, 8, 1).unwrap_or(today)
    }
}

/// Training mode (研修モード): one 一斉更新 distribution for `municipality`, created by `requester` and
/// released by `approver` (two 広域連合職員), so the supervisor's queue is not empty.
pub fn seed_released_renewal(
    store: &dyn UnionStore,
    config: &UnionConfig,
    municipality: MunicipalityCode,
    requester: &str,
    approver: &str,
    today: Date,
) -> Result<DistributionMeta, GenerateError> {
    let id = new_id();
    let spec = DistributionSpec {
        kind: DistributionKind::AnnualRenewal,
        municipality,
        reference_date: next_renewal_day(today),
        mail_class: MailClass::SimpleRegisteredNoForward,
    };
    let generated = generate(store, config, id, &spec, today)?;
    let now = Utc::now();
    let mut meta = DistributionMeta {
        id,
        kind: spec.kind,
        municipality,
        reference_date: spec.reference_date,
        mail_class: spec.mail_class,
        note: "研修用の一斉更新".into(),
        state: DistributionState::AwaitingUnionApproval,
        record_count: 0,
        page_count: 0,
        breakdown: Vec::new(),
        content_hash: content_hash(&[]),
        generation: 1,
        chunks: 0,
        created_by: requester.to_owned(),
        created_at: now,
        content_by: requester.to_owned(),
        union_approved_by: None,
        ever_released: false,
        decision: None,
        ledger_len: 0,
        ledger_head: String::new(),
    };
    meta.set_content(&generated.records);
    let created = meta.append_ledger(LedgerAction::Created, requester, "UNION", now);
    store
        .distributions()
        .write_distribution(&meta, Some(&generated.records), &created)?;
    meta.state = DistributionState::Released;
    meta.union_approved_by = Some(approver.to_owned());
    meta.ever_released = true;
    let released = meta.append_ledger(LedgerAction::UnionApproved, approver, "UNION", now);
    store
        .distributions()
        .write_distribution(&meta, None, &released)?;
    store.flush()?;
    Ok(meta)
}

/// A fresh distribution id.
pub fn new_id() -> DistributionId {
    DistributionId(Uuid::new_v4())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::HashCost;
    use crate::seed::{self, SeedOptions};
    use crate::store::{Commit, SledStore};
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
            id,
            &spec(DistributionKind::AnnualRenewal, m, d(2027, 8, 1)),
            d(2027, 7, 10),
        )
        .unwrap();
        let insured = store
            .residents_of(&m)
            .unwrap()
            .iter()
            .filter(|r| r.active_qualification().is_some())
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
                    && r.active_qualification().is_none()
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
    }

    #[test]
    fn burden_ratio_change_lists_only_residents_whose_ratio_differs() {
        let (_dir, store, config, m) = seeded();
        let reference = d(2027, 8, 1);
        let none = generate(
            &store,
            &config,
            new_id(),
            &spec(DistributionKind::BurdenRatioChange, m, reference),
            d(2027, 7, 1),
        )
        .unwrap();
        assert!(
            none.records.is_empty(),
            "seeded documents show the assessed ratio"
        );
        let mut changed = store
            .residents_of(&m)
            .unwrap()
            .into_iter()
            .find(|r| r.active_qualification().is_some() && r.burden_ratio == BurdenRatio::One)
            .unwrap();
        changed.burden_ratio = BurdenRatio::Two;
        let id = changed.id;
        store
            .commit(Commit {
                residents: vec![changed],
                ..Commit::default()
            })
            .unwrap();
        let g = generate(
            &store,
            &config,
            new_id(),
            &spec(DistributionKind::BurdenRatioChange, m, reference),
            d(2027, 7, 1),
        )
        .unwrap();
        assert_eq!(g.records.len(), 1);
        assert_eq!(g.records[0].resident_id, id);
        let RecordPayload::BurdenRatioNotice(n) = &g.records[0].payload else {
            panic!("a notice")
        };
        assert_eq!((n.before, n.after), (BurdenRatio::One, BurdenRatio::Two));
        assert_eq!(n.effective_on, reference);
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
                    assert!(p.annual_premium >= Yen::new(47_000));
                }
            }
        }
    }

    #[test]
    fn placeholder_premium_grows_with_the_ratio_band() {
        assert!(placeholder_premium(BurdenRatio::One) < placeholder_premium(BurdenRatio::Two));
        assert!(placeholder_premium(BurdenRatio::Two) < placeholder_premium(BurdenRatio::Three));
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
}
