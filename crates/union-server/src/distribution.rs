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
//! - **負担割合変更** (the 8/1 判定, [`crate::distribution_burden`]): each insured resident's ratio is judged with
//!   `madoguchi_rules::kouki_burden` from their household's income for the 年度 of the reference 8/1 (a
//!   household without that income keeps the record's ratio); whoever's judged ratio differs from the ratio
//!   on their newest document gets a 負担割合変更通知 and a new 資格確認書 (資格情報のお知らせ for マイナ保険証
//!   holders, by the dated document policy) with the new ratio, valid from 8/1. The union's records take the
//!   new ratio when the municipality approves ([`crate::reassess::apply_approved`]).
//! - **資格ファイル**: one row per resident with a qualification (current or lost).
//! - **保険料ファイル**: one row per insured resident (alive, living there) of a household whose income the union
//!   holds for the 年度 of the reference day: the annual premium `madoguchi_rules::kouki_premium(...).total`
//!   with that 年度's 料率表 ([`crate::reassess::household_premiums`]).
//!
//! Printed items are addressed to the 送付先 when one is registered, otherwise to the 住民票 address; records
//! are grouped by what is printed (負担割合変更通知, then 資格確認書, then 資格情報のお知らせ: different paper,
//! often a different printer, so a bulk run prints each group as long jobs), ordered by 被保険者番号 (then resident
//! id) within a group, and numbered from 1.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::age::kouki_age_date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::insurance::DocumentKind;
use madoguchi_protocol::distribution::{
    ContentHash, DistributionId, DistributionKind, DistributionRecord, DistributionState,
    DistributionSummary, KindCount, LEDGER_GENESIS, LedgerAction, LedgerEntry, MailClass,
    PremiumRow, QualificationRow, RecordPayload, content_hash, ledger_entry_hash,
};
use madoguchi_protocol::reprint::ReprintApproval;
use madoguchi_protocol::v1::{DocumentData, DocumentId, DocumentState, MailingAddress};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::UnionConfig;
use crate::rates::RateBook;
use crate::reassess::{self, ReassessError};
use crate::store::{ResidentRecord, StoreError, UnionStore};

/// Records per sealed chunk in the store.
pub const RECORDS_PER_CHUNK: usize = 500;

/// What a distribution is asked for (the request, checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionSpec {
    /// Which distribution (75歳到達, 一斉更新, 負担割合変更, 資格ファイル, 保険料ファイル).
    pub kind: DistributionKind,
    /// 市区町村コード of the municipality it is for.
    pub municipality: MunicipalityCode,
    /// 基準日 (reference day) the content is built for.
    pub reference_date: Date,
    /// 送付方法 (mail class) of the printed items.
    pub mail_class: MailClass,
}

/// A distribution as the union keeps it (its records are stored apart, in chunks). No personal data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionMeta {
    /// The distribution's id.
    pub id: DistributionId,
    /// Which distribution.
    pub kind: DistributionKind,
    /// 市区町村コード of the municipality it is for.
    pub municipality: MunicipalityCode,
    /// 基準日 (reference day) the content was built for.
    pub reference_date: Date,
    /// 送付方法 (mail class) of the printed items.
    pub mail_class: MailClass,
    /// The note for approvers written at creation (no personal data).
    pub note: String,
    /// Where it stands in the approval flow.
    pub state: DistributionState,
    /// Number of records in the current content.
    pub record_count: u32,
    /// Pages when printed (0 for files).
    pub page_count: u32,
    /// Per-kind summary of the current content ([`breakdown`]).
    pub breakdown: Vec<KindCount>,
    /// Hash of the current content (what the approvals and the ledger refer to).
    pub content_hash: ContentHash,
    /// Content generation; a regeneration writes a new one and removes the old.
    pub generation: u32,
    /// Chunks of [`RECORDS_PER_CHUNK`] records in the current generation.
    pub chunks: u32,
    /// Union staff member who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Who built the current content (the creator, or whoever regenerated it): they cannot approve it.
    pub content_by: String,
    /// Union staff member who approved the current content, once approved.
    pub union_approved_by: Option<String>,
    /// Released to the municipality at least once: its terminals may see it (even while it waits for the
    /// union again after a regeneration).
    pub ever_released: bool,
    /// The municipality's decision on the current content.
    pub decision: Option<LedgerEntry>,
    /// Number of ledger entries and the hash of the last one.
    pub ledger_len: u32,
    /// Hash of the last ledger entry (the chain's head; unused while the ledger is empty).
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
    /// The distribution with this id.
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
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The union's configuration has no 保険者番号 (insurer number) for the municipality.
    #[error("the union has no 保険者番号 for the municipality")]
    NoInsurerNumber,
    /// The money rules could not be applied (no rate table for the 年度, a household's data refused).
    #[error(transparent)]
    Rules(#[from] ReassessError),
}

/// One resident's part before numbering: the resident, where it is mailed, what is printed.
pub(crate) type Item = (ResidentRecord, Option<MailingAddress>, RecordPayload);

/// Generated content, and what it decided (to be stored first, in one commit): the residents given a
/// 75歳到達 qualification (and 被保険者番号) and the union documents the records print.
pub struct Generated {
    /// The records, numbered from 1.
    pub records: Vec<DistributionRecord>,
    /// Residents given a 75歳到達 qualification and 被保険者番号 by this content.
    pub numbered_residents: Vec<ResidentRecord>,
    /// The union documents the records print.
    pub documents: Vec<crate::store::DocumentRecord>,
}

/// The print data of a union document (the same facts the counter prints from `GET /v1/documents/{id}`).
pub(crate) fn data_of(config: &UnionConfig, d: &crate::store::DocumentRecord) -> DocumentData {
    DocumentData {
        document_id: d.id,
        kind: d.kind,
        insured_number: d.insured_number.clone(),
        name: d.name.clone(),
        kana: d.kana.clone(),
        birth_date: d.birth_date,
        sex: d.sex,
        acquired_on: d.acquired_on,
        valid_from: d.valid_from,
        valid_until: d.valid_until,
        issue_date: d.issue_date,
        burden_ratio: d.burden_ratio,
        limit_category: d.limit_category,
        long_term_hospitalization_on: d.long_term_hospitalization_on,
        insurer_number: d.insurer_number.clone(),
        insurer_name: config.union_name.clone(),
        mailing_address: d.mailing_address.clone(),
        specific_disease: d.specific_disease,
        sample: config.training,
        state: DocumentState::ToIssue,
    }
}

/// 年度 (April to March) of a day.
pub fn fiscal_year(d: Date) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
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
pub(crate) fn mail_to(r: &ResidentRecord) -> MailingAddress {
    r.mailing_address.clone().unwrap_or_else(|| MailingAddress {
        recipient: r.name.as_str().to_owned(),
        postal_code: String::new(),
        address: r.address.clone(),
    })
}

pub(crate) fn alive_and_resident(r: &ResidentRecord) -> bool {
    r.died_on.is_none() && r.moved_out_on.is_none()
}

fn month_bounds(d: Date) -> (Date, Date) {
    let first = d.with_day(1).unwrap_or(d);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (first, next.pred_opt().unwrap_or(first))
}

pub(crate) struct CertificateFacts {
    pub(crate) kind: DocumentKind,
    pub(crate) acquired_on: Date,
    pub(crate) valid_from: Date,
}

pub(crate) fn certificate(
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
        specific_disease: r.specific_disease,
        sample: config.training,
        state: DocumentState::ToIssue,
    }))
}

/// Builds the content of a distribution from the union's records as of `today`.
pub fn generate(
    store: &dyn UnionStore,
    config: &UnionConfig,
    rates: &RateBook,
    id: DistributionId,
    spec: &DistributionSpec,
    today: Date,
) -> Result<Generated, GenerateError> {
    let insurer = config
        .insurer_number(&spec.municipality)
        .ok_or(GenerateError::NoInsurerNumber)?;
    let mut residents = store.residents_of(&spec.municipality)?;
    let mut numbered_residents = Vec::new();
    let mut documents = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    match spec.kind {
        DistributionKind::MonthlyAgeArrival => {
            let (first, last) = month_bounds(spec.reference_date);
            // Order before numbering, so new numbers follow the same order on every run.
            residents.sort_by_key(|r| r.id.0);
            for r in residents {
                let Some(birthday) = kouki_age_date(r.birth_date) else {
                    continue;
                };
                if birthday < first || birthday > last {
                    continue;
                }
                // The daily job usually decided it already (its document is listed as is); otherwise it is
                // decided here, with the same rules, and stored with the distribution.
                let Some(a) = crate::daily::age_arrival(
                    store,
                    config,
                    &r,
                    birthday,
                    today,
                    document_id(id, &r),
                )?
                else {
                    continue;
                };
                if a.new {
                    numbered_residents.push(a.resident.clone());
                    documents.push(a.document.clone());
                }
                let p = RecordPayload::Certificate(data_of(config, &a.document));
                let to = mail_to(&a.resident);
                items.push((a.resident, Some(to), p));
            }
        }
        DistributionKind::AnnualRenewal => {
            for r in residents {
                let Some(q) = r.active_qualification(spec.reference_date) else {
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
            items.extend(crate::distribution_burden::items(
                store, config, rates, id, spec, today, &insurer, &residents,
            )?);
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
            let fiscal_year = fiscal_year(spec.reference_date);
            let table = reassess::table(rates, fiscal_year)?;
            for members in reassess::households(&residents).values() {
                // A household without the income of the 年度 has no amount yet: no row (module doc).
                let Some(premiums) = reassess::household_premiums(store, &table, members)? else {
                    continue;
                };
                for (resident, annual_premium) in premiums {
                    let Some(r) = members.iter().find(|r| r.id == resident) else {
                        continue;
                    };
                    let Some(q) = r.active_qualification(spec.reference_date) else {
                        continue;
                    };
                    let row = PremiumRow {
                        insured_number: q.insured_number.clone(),
                        fiscal_year,
                        annual_premium,
                    };
                    items.push(((*r).clone(), None, RecordPayload::PremiumRow(row)));
                }
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
        documents,
    })
}

/// The print group of a record: 負担割合変更通知 (0), then 資格確認書 (1), then 資格情報のお知らせ (2) — each
/// group on its own paper, printed as long jobs (the terminal's batch prints one page class per job); rows of
/// files have no group (0).
fn print_group(payload: &RecordPayload) -> u8 {
    match payload {
        RecordPayload::Certificate(d) if d.kind == DocumentKind::ShikakuJohoOshirase => 2,
        RecordPayload::Certificate(_) => 1,
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
    let generated = generate(store, config, &RateBook::empty(), id, &spec, today)?;
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

/// Recording the 交付 (郵送) of an approved distribution's documents.
pub mod mailed;

#[cfg(test)]
mod tests;
