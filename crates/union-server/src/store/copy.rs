//! Moving a union's data between stores (`madoguchi-union migrate-store --from sled:DIR --to postgres://…`),
//! for a union that outgrows sled.
//!
//! The source is read whole as [`Item`]s (every record, in its own shape, opened with the store key), each
//! written to the target as is — ids, sequence numbers, audit and flag numbers kept — and the target's
//! sequences moved past what the source handed out. Then the target is read back whole the same way and
//! both sides are compared: a count per kind and an order-free content hash (SHA-256 of each item's JSON,
//! summed). A copy that differs is an error. The target must be empty: a copy never merges.

use std::collections::BTreeMap;

use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::distribution::{
    DistributionRecord, LedgerEntry as DistributionLedgerEntry,
};
use madoguchi_protocol::reprint::ReprintApproval;
use madoguchi_protocol::v1::{AuditChainFlag, AuditEntry};
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use super::{
    DocumentRecord, IdempotencyRecord, IncomeRecord, LedgerEntry, PgStore, ResidentRecord,
    SledStore, StaffRecord, StoreError, UnionStore,
};
use crate::distribution::DistributionMeta;

/// One thing a store holds, as both stores read and write it.
#[derive(Serialize)]
#[non_exhaustive]
pub enum Item {
    /// A resident.
    Resident(ResidentRecord),
    /// A document.
    Document(DocumentRecord),
    /// A decision ledger entry.
    Ledger(LedgerEntry),
    /// An idempotency record of one municipality.
    Idempotency(MunicipalityCode, Uuid, IdempotencyRecord),
    /// 所得情報.
    Income(IncomeRecord),
    /// A staff account.
    Staff(StaffRecord),
    /// An entry of the server's audit trail (its seq kept).
    Audit(AuditEntry),
    /// One terminal's audit chain: every entry in order and the accepted head.
    Chain {
        /// The terminal's municipality.
        municipality: MunicipalityCode,
        /// The terminal.
        terminal: String,
        /// The entries, by seq.
        entries: Vec<madoguchi_audit::AuditEntry>,
        /// The accepted head.
        head: madoguchi_audit::ChainHead,
    },
    /// A chain flag (its id kept).
    Flag(AuditChainFlag),
    /// A distribution: its state, the current content's chunks and its ledger.
    Distribution {
        /// The distribution's state.
        meta: DistributionMeta,
        /// The current generation's records, chunk by chunk.
        chunks: Vec<Vec<DistributionRecord>>,
        /// The ledger, oldest first.
        ledger: Vec<DistributionLedgerEntry>,
    },
    /// A supervisor's reprint approval.
    Reprint(ReprintApproval),
}

impl Item {
    fn kind(&self) -> &'static str {
        match self {
            Item::Resident(_) => "residents",
            Item::Document(_) => "documents",
            Item::Ledger(_) => "ledger",
            Item::Idempotency(..) => "idempotency",
            Item::Income(_) => "incomes",
            Item::Staff(_) => "staff",
            Item::Audit(_) => "audit",
            Item::Chain { .. } => "chains",
            Item::Flag(_) => "chain_flags",
            Item::Distribution { .. } => "distributions",
            Item::Reprint(_) => "reprint_approvals",
        }
    }
}

/// Counts per kind and an order-free content hash of a whole store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Items per kind.
    pub counts: BTreeMap<&'static str, u64>,
    sum: u128,
}

impl Tally {
    fn add(&mut self, item: &Item) -> Result<(), StoreError> {
        let json = super::pg_store::to_json(item)?;
        let digest = sha2::Sha256::digest(&json);
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        *self.counts.entry(item.kind()).or_default() += 1;
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
        Ok(())
    }

    /// The content hash, hex.
    pub fn hash(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

/// What a copy did: the source's tally (equal to the target's, or the copy failed).
#[derive(Debug, Clone)]
pub struct CopyReport {
    /// Counts and content hash of what was copied.
    pub tally: Tally,
}

/// Copies a sled store into an empty PostgreSQL store (same store key), then compares both whole.
pub fn sled_to_postgres(from: &SledStore, to: &PgStore) -> Result<CopyReport, StoreError> {
    if to.ledger_len()? > 0 || to.has_residents()? {
        return Err(StoreError::Backend(
            "the target store is not empty: a copy never merges".into(),
        ));
    }
    let mut source = Tally::default();
    let mut import = to.importer();
    let next_serial = from.export(&mut |item| {
        source.add(&item)?;
        import.add(item)
    })?;
    import.finish(next_serial)?;
    let mut target = Tally::default();
    to.export(&mut |item| target.add(&item))?;
    if source != target {
        return Err(StoreError::Corrupt(format!(
            "the copy differs from the source: source {:?} {}, target {:?} {}",
            source.counts,
            source.hash(),
            target.counts,
            target.hash()
        )));
    }
    Ok(CopyReport { tally: source })
}
