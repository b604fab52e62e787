//! Reading a whole sled store as [`Item`]s, for a copy to PostgreSQL ([`crate::store::copy`]).

use super::{
    K_INSURED_SEQ, P_DOCUMENT, P_IDEMPOTENCY, P_LEDGER, P_RESIDENT, P_STAFF, SledStore,
    bounded_order_only, from_json,
};
use crate::distribution::{DistributionMeta, DistributionStore, RECORDS_PER_CHUNK};
use crate::store::copy::Item;
use crate::store::{IncomeRecord, StoreError};
use madoguchi_domain::ids::MunicipalityCode;
use uuid::Uuid;

fn prefix_of(k: &[u8]) -> &[u8] {
    match k.iter().position(|b| *b == 0) {
        Some(i) => &k[..i],
        None => k,
    }
}

fn municipality(bytes: &[u8]) -> Result<MunicipalityCode, StoreError> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| StoreError::Corrupt("municipality in a key".into()))
}

impl SledStore {
    /// Calls `each` with every item of the store; returns the next 被保険者番号 serial it would hand out.
    pub fn export(
        &self,
        each: &mut dyn FnMut(Item) -> Result<(), StoreError>,
    ) -> Result<u32, StoreError> {
        let mut next_serial = super::FIRST_INSURED_SERIAL;
        for item in bounded_order_only(self.data.iter(), "data") {
            let (k, v) = item?;
            let p = prefix_of(&k);
            let open = || self.key.open(&k, &v);
            if p == P_RESIDENT {
                each(Item::Resident(from_json(&open()?)?))?;
            } else if p == P_DOCUMENT {
                each(Item::Document(from_json(&open()?)?))?;
            } else if p == P_LEDGER {
                each(Item::Ledger(from_json(&open()?)?))?;
            } else if p == P_IDEMPOTENCY {
                // i/ 0 <municipality> 0 <16-byte key>
                let body = k.get(p.len() + 1..).unwrap_or_default();
                let split = body.len().saturating_sub(17);
                let m = municipality(&body[..split])?;
                let key: [u8; 16] = body
                    .get(split + 1..)
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| StoreError::Corrupt("idempotency key".into()))?;
                each(Item::Idempotency(
                    m,
                    Uuid::from_bytes(key),
                    from_json(&open()?)?,
                ))?;
            } else if p == super::income::P_INCOME {
                each(Item::Income(from_json::<IncomeRecord>(&open()?)?))?;
            } else if p == P_STAFF {
                each(Item::Staff(from_json(&v)?))?;
            } else if p == b"g/" {
                let meta: DistributionMeta = from_json(&open()?)?;
                let records = self.distribution_records(&meta, 0, meta.record_count)?;
                let chunks = records
                    .chunks(RECORDS_PER_CHUNK)
                    .map(<[_]>::to_vec)
                    .collect();
                let ledger = self.distribution_ledger(meta.id)?;
                each(Item::Distribution {
                    meta,
                    chunks,
                    ledger,
                })?;
            } else if p == b"gp/" {
                each(Item::Reprint(from_json(&open()?)?))?;
            } else if k.as_ref() == K_INSURED_SEQ {
                let raw: [u8; 4] = v
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("insured sequence".into()))?;
                next_serial = u32::from_be_bytes(raw);
            }
            // Indexes (rebuilt by the target), distribution chunks and ledgers (read with their
            // distribution), marks and the key check (the target keeps its own) are not items.
        }
        for item in bounded_order_only(self.audit.iter(), "audit") {
            let (_, v) = item?;
            each(Item::Audit(from_json(&v)?))?;
        }
        for item in bounded_order_only(self.chains.iter(), "chains") {
            let (k, v) = item?;
            // The chains tree puts no 0 after its prefixes (crate::chains).
            if let Some(body) = k.strip_prefix(b"h/") {
                // h/ <municipality> 0 <terminal> 0
                let Some(split) = body.iter().position(|b| *b == 0) else {
                    return Err(StoreError::Corrupt("chain head key".into()));
                };
                let m = municipality(&body[..split])?;
                let rest = &body[split + 1..];
                let terminal =
                    String::from_utf8_lossy(rest.strip_suffix(&[0]).unwrap_or(rest)).into_owned();
                let head = from_json(&v)?;
                let entries =
                    crate::chains::entries(&self.chains, &self.key, &m, &terminal, 0, usize::MAX)?;
                each(Item::Chain {
                    municipality: m,
                    terminal,
                    entries,
                    head,
                })?;
            } else if k.starts_with(b"f/") {
                each(Item::Flag(from_json(&v)?))?;
            }
        }
        Ok(next_serial)
    }
}
