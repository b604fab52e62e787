//! The documents of an approved distribution become union documents with their 交付 (郵送) recorded, and
//! each supersedes the resident's earlier documents: handed-over ones are to be returned (回収対象),
//! undelivered ones are void — the same rule as a counter decision (`crate::decide`). So a distributed
//! 資格確認書 or 資格情報のお知らせ appears in the person's 交付履歴 and reprints of it can be tracked.
//!
//! The 交付 is dated the day the municipality approves the distribution for printing and mailing (the union
//! learns of no later step). Idempotent: a document already recorded as handed over is left as it is.

use madoguchi_domain::Date;
use madoguchi_protocol::distribution::{DistributionRecord, RecordPayload};
use madoguchi_protocol::v1::{DocumentState, IssuanceRecord, IssueMethod};

use super::{DistributionMeta, RECORDS_PER_CHUNK};
use crate::store::{Commit, DocumentRecord, StoreError, UnionStore};

/// Records the 交付 of every printed document of `meta` (approved by `approver` on `today`), all chunks in
/// turn; returns how many documents were recorded now. The caller holds the server's write lock (or nothing
/// else writes); the server does it chunk by chunk instead ([`record_chunk`]).
pub fn record_mailing(
    store: &dyn UnionStore,
    meta: &DistributionMeta,
    approver: &str,
    today: Date,
) -> Result<u32, StoreError> {
    let (mut recorded, mut offset) = (0u32, 0u32);
    while let Some((n, next)) = record_chunk(store, meta, approver, today, offset)? {
        recorded += n;
        offset = next;
    }
    Ok(recorded)
}

/// Records the 交付 of the printed documents of one chunk of `meta` from `offset`: how many were recorded
/// and where the next chunk starts, or `None` past the end. The caller holds the write lock for the chunk.
pub fn record_chunk(
    store: &dyn UnionStore,
    meta: &DistributionMeta,
    approver: &str,
    today: Date,
    offset: u32,
) -> Result<Option<(u32, u32)>, StoreError> {
    if !meta.kind.is_printed() || offset >= meta.record_count {
        return Ok(None);
    }
    let records: Vec<DistributionRecord> =
        store
            .distributions()
            .distribution_records(meta, offset, RECORDS_PER_CHUNK as u32)?;
    if records.is_empty() {
        return Ok(None);
    }
    let next = offset + records.len() as u32;
    let mut recorded = 0u32;
    let mut commit = Commit::default();
    for rec in &records {
        let RecordPayload::Certificate(data) = &rec.payload else {
            continue;
        };
        let Some(mut r) = store.resident(rec.resident_id)? else {
            continue;
        };
        let mut doc = match store.document(data.document_id)? {
            Some(d) => d,
            None => DocumentRecord::to_issue(data, &r),
        };
        if doc.state != DocumentState::ToIssue {
            continue;
        }
        for id in r.documents.iter().filter(|id| **id != doc.id) {
            let Some(mut old) = store.document(*id)? else {
                continue;
            };
            if !old.kind.is_insurance_document() {
                continue;
            }
            old.state = match old.state {
                DocumentState::Issued => DocumentState::ToReturn,
                DocumentState::ToIssue => DocumentState::Voided,
                _ => continue,
            };
            commit.documents.push(old);
        }
        doc.state = DocumentState::Issued;
        doc.issuance = Some(IssuanceRecord {
            issued_on: today,
            method: IssueMethod::Mail,
            identity_documents: Vec::new(),
            recorded_by: approver.to_owned(),
        });
        if !r.documents.contains(&doc.id) {
            r.documents.push(doc.id);
        }
        commit.documents.push(doc);
        commit.residents.push(r);
        recorded += 1;
    }
    if !commit.documents.is_empty() {
        store.commit(commit)?;
    }
    Ok(Some((recorded, next)))
}
