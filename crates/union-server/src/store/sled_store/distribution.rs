//! [`DistributionStore`] on the sled store: distributions live in the same `data` tree under their own key
//! prefixes, sealed like every other record (the records carry names and addresses; the ledger carries
//! free-text reasons).
//!
//! - `g/<id>` — the [`DistributionMeta`];
//! - `gr/<id>/<generation>/<chunk>` — the records, [`RECORDS_PER_CHUNK`] per sealed value;
//! - `gl/<id>/<seq>` — the ledger entries, insert-only (a write that finds the key present is refused);
//! - `gp/<document id>/<approval id>` — supervisors' approvals of single reprints, insert-only.

use madoguchi_protocol::distribution::{DistributionId, DistributionRecord, LedgerEntry};
use madoguchi_protocol::reprint::ReprintApproval;
use madoguchi_protocol::v1::DocumentId;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{SledStore, StoreError, from_json, key};
use crate::distribution::{DistributionMeta, DistributionStore, RECORDS_PER_CHUNK};

const P_DISTRIBUTION: &[u8] = b"g/";
const P_DIST_RECORDS: &[u8] = b"gr/";
const P_DIST_LEDGER: &[u8] = b"gl/";
const P_REPRINT: &[u8] = b"gp/";

fn meta_key(id: DistributionId) -> Vec<u8> {
    key(&[P_DISTRIBUTION, id.0.as_bytes()])
}

fn chunk_key(id: DistributionId, generation: u32, chunk: u32) -> Vec<u8> {
    key(&[
        P_DIST_RECORDS,
        id.0.as_bytes(),
        &generation.to_be_bytes(),
        &chunk.to_be_bytes(),
    ])
}

fn ledger_key(id: DistributionId, seq: u32) -> Vec<u8> {
    key(&[P_DIST_LEDGER, id.0.as_bytes(), &seq.to_be_bytes()])
}

impl SledStore {
    fn chunk(
        &self,
        meta: &DistributionMeta,
        chunk: u32,
    ) -> Result<Vec<DistributionRecord>, StoreError> {
        self.get_sealed(&chunk_key(meta.id, meta.generation, chunk))?
            .ok_or_else(|| StoreError::Corrupt("distribution chunk missing".into()))
    }
}

impl DistributionStore for SledStore {
    fn write_distribution(
        &self,
        meta: &DistributionMeta,
        content: Option<&[DistributionRecord]>,
        entry: &LedgerEntry,
    ) -> Result<(), StoreError> {
        let mk = meta_key(meta.id);
        let mv = self.seal_json(&mk, meta)?;
        let lk = ledger_key(meta.id, entry.seq);
        let lv = self.seal_json(&lk, entry)?;
        let mut chunks = Vec::new();
        if let Some(records) = content {
            for (i, part) in records.chunks(RECORDS_PER_CHUNK).enumerate() {
                let k = chunk_key(meta.id, meta.generation, i as u32);
                let v = self.seal_json(&k, &part)?;
                chunks.push((k, v));
            }
        }
        let result = self.data.transaction(|tx| {
            if tx.get(&lk)?.is_some() {
                return Err(ConflictableTransactionError::Abort(StoreError::Corrupt(
                    "ledger entry exists: the ledger is insert-only".into(),
                )));
            }
            if content.is_some()
                && let Some(old) = tx.get(&mk)?
            {
                let plain = self
                    .key
                    .open(&mk, &old)
                    .map_err(ConflictableTransactionError::Abort)?;
                let old: DistributionMeta =
                    from_json(&plain).map_err(ConflictableTransactionError::Abort)?;
                if old.generation != meta.generation {
                    for c in 0..old.chunks {
                        tx.remove(chunk_key(old.id, old.generation, c))?;
                    }
                }
            }
            for (k, v) in &chunks {
                tx.insert(k.as_slice(), v.as_slice())?;
            }
            tx.insert(mk.as_slice(), mv.as_slice())?;
            tx.insert(lk.as_slice(), lv.as_slice())?;
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    fn distribution(&self, id: DistributionId) -> Result<Option<DistributionMeta>, StoreError> {
        self.get_sealed(&meta_key(id))
    }

    fn all_distributions(&self) -> Result<Vec<DistributionMeta>, StoreError> {
        let mut prefix = P_DISTRIBUTION.to_vec();
        prefix.push(0);
        let mut out: Vec<DistributionMeta> = Vec::new();
        for item in self.data.scan_prefix(&prefix) {
            let (k, _) = item?;
            if let Some(m) = self.get_sealed(&k)? {
                out.push(m);
            }
        }
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.0.cmp(&a.id.0)));
        Ok(out)
    }

    fn distribution_records(
        &self,
        meta: &DistributionMeta,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<DistributionRecord>, StoreError> {
        let end = offset.saturating_add(limit).min(meta.record_count);
        if offset >= end {
            return Ok(Vec::new());
        }
        let per = RECORDS_PER_CHUNK as u32;
        let mut out = Vec::with_capacity((end - offset) as usize);
        for c in offset / per..=(end - 1) / per {
            let records = self.chunk(meta, c)?;
            let base = c * per;
            for (i, r) in records.into_iter().enumerate() {
                let pos = base + i as u32;
                if pos >= offset && pos < end {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    fn put_reprint_approval(&self, approval: &ReprintApproval) -> Result<(), StoreError> {
        let k = key(&[
            P_REPRINT,
            approval.document_id.0.as_bytes(),
            approval.approval_id.0.as_bytes(),
        ]);
        let v = self.seal_json(&k, approval)?;
        match self
            .data
            .compare_and_swap(&k, None as Option<&[u8]>, Some(v))?
        {
            Ok(()) => Ok(()),
            Err(_) => Err(StoreError::Corrupt(
                "reprint approval exists: approvals are insert-only".into(),
            )),
        }
    }

    fn reprint_approvals(&self, document: DocumentId) -> Result<Vec<ReprintApproval>, StoreError> {
        let mut prefix = key(&[P_REPRINT, document.0.as_bytes()]);
        prefix.push(0);
        let mut out: Vec<ReprintApproval> = Vec::new();
        for item in self.data.scan_prefix(&prefix) {
            let (k, _) = item?;
            if let Some(a) = self.get_sealed(&k)? {
                out.push(a);
            }
        }
        out.sort_by_key(|a| a.approved_at);
        Ok(out)
    }

    fn distribution_ledger(&self, id: DistributionId) -> Result<Vec<LedgerEntry>, StoreError> {
        let mut prefix = key(&[P_DIST_LEDGER, id.0.as_bytes()]);
        prefix.push(0);
        let mut out = Vec::new();
        for item in self.data.scan_prefix(&prefix) {
            let (k, _) = item?;
            if let Some(e) = self.get_sealed(&k)? {
                out.push(e);
            }
        }
        Ok(out)
    }
}
