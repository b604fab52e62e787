//! [`DistributionStore`] on PostgreSQL: the meta row, the content in sealed chunks of
//! [`RECORDS_PER_CHUNK`] records per generation, the insert-only ledger and reprint approvals.

use madoguchi_protocol::distribution::{DistributionId, DistributionRecord, LedgerEntry};
use madoguchi_protocol::reprint::ReprintApproval;
use madoguchi_protocol::v1::DocumentId;
use uuid::Uuid;

use super::{PgStore, aad, bytes_at, pg, uuid_at};
use crate::distribution::{DistributionMeta, DistributionStore, RECORDS_PER_CHUNK};
use crate::store::StoreError;

pub(super) fn meta_aad(id: Uuid) -> Vec<u8> {
    aad("distributions", &[id.as_bytes()])
}
pub(super) fn chunk_aad(id: Uuid, generation: i32, chunk: i32) -> Vec<u8> {
    aad(
        "distribution_chunks",
        &[
            id.as_bytes(),
            &generation.to_be_bytes(),
            &chunk.to_be_bytes(),
        ],
    )
}
pub(super) fn ledger_aad(id: Uuid, seq: i64) -> Vec<u8> {
    aad("distribution_ledger", &[id.as_bytes(), &seq.to_be_bytes()])
}
pub(super) fn approval_aad(document: Uuid, approval: Uuid) -> Vec<u8> {
    aad(
        "reprint_approvals",
        &[document.as_bytes(), approval.as_bytes()],
    )
}

fn i32_of(n: u32) -> Result<i32, StoreError> {
    i32::try_from(n).map_err(|_| StoreError::Corrupt("number out of range".into()))
}

impl DistributionStore for PgStore {
    fn write_distribution(
        &self,
        meta: &DistributionMeta,
        content: Option<&[DistributionRecord]>,
        entry: &LedgerEntry,
    ) -> Result<(), StoreError> {
        let id = meta.id.0;
        let generation = i32_of(meta.generation)?;
        let meta_sealed = self.seal_json(&meta_aad(id), meta)?;
        let seq = i64::from(entry.seq);
        let entry_sealed = self.seal_json(&ledger_aad(id, seq), entry)?;
        let mut chunks: Option<(Vec<i32>, Vec<Vec<u8>>)> = None;
        if let Some(records) = content {
            let mut numbers = Vec::new();
            let mut sealed = Vec::new();
            for (i, part) in records.chunks(RECORDS_PER_CHUNK).enumerate() {
                let c = i32::try_from(i).map_err(|_| StoreError::Corrupt("chunk".into()))?;
                numbers.push(c);
                sealed.push(self.seal_json(&chunk_aad(id, generation, c), &part)?);
            }
            chunks = Some((numbers, sealed));
        }
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(pg)?;
            let n = tx
                .execute(
                    "INSERT INTO distribution_ledger (id, seq, sealed) VALUES ($1, $2, $3)
                     ON CONFLICT (id, seq) DO NOTHING",
                    &[&id, &seq, &entry_sealed],
                )
                .await
                .map_err(pg)?;
            if n == 0 {
                return Err(StoreError::Corrupt(
                    "ledger entry exists: the ledger is insert-only".into(),
                ));
            }
            if let Some((numbers, sealed)) = &chunks {
                // A new generation replaces the old one's chunks.
                tx.execute(
                    "DELETE FROM distribution_chunks WHERE id = $1 AND generation <> $2",
                    &[&id, &generation],
                )
                .await
                .map_err(pg)?;
                tx.execute(
                    "INSERT INTO distribution_chunks (id, generation, chunk, sealed)
                     SELECT $1, $2, c, v FROM unnest($3::integer[], $4::bytea[]) AS u(c, v)
                     ON CONFLICT (id, generation, chunk) DO UPDATE SET sealed = EXCLUDED.sealed",
                    &[&id, &generation, numbers, sealed],
                )
                .await
                .map_err(pg)?;
            }
            tx.execute(
                "INSERT INTO distributions (id, sealed) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed",
                &[&id, &meta_sealed],
            )
            .await
            .map_err(pg)?;
            tx.commit().await.map_err(pg)
        })
    }

    fn distribution(&self, id: DistributionId) -> Result<Option<DistributionMeta>, StoreError> {
        let rows = self.query(
            "SELECT sealed FROM distributions WHERE id = $1",
            vec![Box::new(id.0)],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(self.open_json(&meta_aad(id.0), &bytes_at(row, 0)?)?)),
            None => Ok(None),
        }
    }

    fn all_distributions(&self) -> Result<Vec<DistributionMeta>, StoreError> {
        let rows = self.query("SELECT id, sealed FROM distributions", vec![])?;
        let mut out = rows
            .iter()
            .map(|row| self.open_json(&meta_aad(uuid_at(row, 0)?), &bytes_at(row, 1)?))
            .collect::<Result<Vec<DistributionMeta>, StoreError>>()?;
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
        let (first, last) = (offset / per, (end - 1) / per);
        let generation = i32_of(meta.generation)?;
        let rows = self.query(
            "SELECT chunk, sealed FROM distribution_chunks
             WHERE id = $1 AND generation = $2 AND chunk BETWEEN $3 AND $4 ORDER BY chunk",
            vec![
                Box::new(meta.id.0),
                Box::new(generation),
                Box::new(i32_of(first)?),
                Box::new(i32_of(last)?),
            ],
        )?;
        if rows.len() as u32 != last - first + 1 {
            return Err(StoreError::Corrupt("distribution chunk missing".into()));
        }
        let mut out = Vec::with_capacity((end - offset) as usize);
        for row in &rows {
            let c: i32 = row.try_get(0).map_err(pg)?;
            let records: Vec<DistributionRecord> =
                self.open_json(&chunk_aad(meta.id.0, generation, c), &bytes_at(row, 1)?)?;
            let base = u32::try_from(c).unwrap_or_default() * per;
            for (i, r) in records.into_iter().enumerate() {
                let pos = base + i as u32;
                if pos >= offset && pos < end {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    fn distribution_ledger(&self, id: DistributionId) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = self.query(
            "SELECT seq, sealed FROM distribution_ledger WHERE id = $1 ORDER BY seq",
            vec![Box::new(id.0)],
        )?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.try_get(0).map_err(pg)?;
                self.open_json(&ledger_aad(id.0, seq), &bytes_at(row, 1)?)
            })
            .collect()
    }

    fn put_reprint_approval(&self, approval: &ReprintApproval) -> Result<(), StoreError> {
        let (d, a) = (approval.document_id.0, approval.approval_id.0);
        let sealed = self.seal_json(&approval_aad(d, a), approval)?;
        let n = self.execute(
            "INSERT INTO reprint_approvals (document, approval, sealed) VALUES ($1, $2, $3)
             ON CONFLICT (document, approval) DO NOTHING",
            vec![Box::new(d), Box::new(a), Box::new(sealed)],
        )?;
        if n == 0 {
            return Err(StoreError::Corrupt(
                "reprint approval exists: approvals are insert-only".into(),
            ));
        }
        Ok(())
    }

    fn reprint_approvals(&self, document: DocumentId) -> Result<Vec<ReprintApproval>, StoreError> {
        let rows = self.query(
            "SELECT approval, sealed FROM reprint_approvals WHERE document = $1",
            vec![Box::new(document.0)],
        )?;
        let mut out = rows
            .iter()
            .map(|row| {
                self.open_json(
                    &approval_aad(document.0, uuid_at(row, 0)?),
                    &bytes_at(row, 1)?,
                )
            })
            .collect::<Result<Vec<ReprintApproval>, StoreError>>()?;
        out.sort_by_key(|a| a.approved_at);
        Ok(out)
    }
}
