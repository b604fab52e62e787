//! Writing [`Item`]s into an empty PostgreSQL store and reading the whole store back as items (the two
//! halves of a copy from sled, [`crate::store::copy`]). Numbers are kept: audit seqs, flag ids, and the
//! 被保険者番号 sequence moved to where the source stood.

use madoguchi_audit::ChainHead;

use super::chains::flag_dedup;
use super::distribution::{chunk_aad, ledger_aad, meta_aad};
use super::records::{audit_aad, idempotency_aad, ledger_aad as decision_ledger_aad};
use super::{PgStore, bytes_at, pg, to_json, uuid_at};
use crate::distribution::{DistributionMeta, DistributionStore};
use crate::store::copy::Item;
use crate::store::{Commit, StoreError};

/// Records of one kind written per statement or transaction.
const BATCH: usize = 500;

/// Buffers the kinds a union has by the million (residents, documents, ledger, idempotency records,
/// incomes) into batches, and writes everything else as it comes.
pub(crate) struct Importer<'a> {
    store: &'a PgStore,
    residents: Vec<crate::store::ResidentRecord>,
    documents: Vec<crate::store::DocumentRecord>,
    incomes: Vec<crate::store::IncomeRecord>,
    /// (notification id, sealed entry).
    ledger: (Vec<uuid::Uuid>, Vec<Vec<u8>>),
    idempotency: IdempotencyRows,
}

/// Idempotency rows as columns: municipality, key, decided at, sealed record.
type IdempotencyRows = (
    Vec<String>,
    Vec<uuid::Uuid>,
    Vec<chrono::DateTime<chrono::Utc>>,
    Vec<Vec<u8>>,
);

impl PgStore {
    /// An importer into this (empty) store.
    pub(crate) fn importer(&self) -> Importer<'_> {
        Importer {
            store: self,
            residents: Vec::new(),
            documents: Vec::new(),
            incomes: Vec::new(),
            ledger: Default::default(),
            idempotency: Default::default(),
        }
    }

    /// Whether any resident is stored.
    pub(crate) fn has_residents(&self) -> Result<bool, StoreError> {
        Ok(!self
            .query("SELECT 1 FROM residents LIMIT 1", vec![])?
            .is_empty())
    }

    /// Calls `each` with every item of the store (the same shapes the sled store exports).
    pub fn export(
        &self,
        each: &mut dyn FnMut(Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.walk_residents(&mut |r| each(Item::Resident(r)))?;
        for row in self.query("SELECT id FROM documents", vec![])? {
            let id = madoguchi_protocol::v1::DocumentId(uuid_at(&row, 0)?);
            if let Some(d) = self.get_document(id)? {
                each(Item::Document(d))?;
            }
        }
        for row in self.query("SELECT notification_id, sealed FROM ledger", vec![])? {
            let id = uuid_at(&row, 0)?;
            each(Item::Ledger(
                self.open_json(&decision_ledger_aad(id), &bytes_at(&row, 1)?)?,
            ))?;
        }
        for row in self.query("SELECT municipality, key, sealed FROM idempotency", vec![])? {
            let m: String = row.try_get(0).map_err(pg)?;
            let key = uuid_at(&row, 1)?;
            let record = self.open_json(&idempotency_aad(&m, key), &bytes_at(&row, 2)?)?;
            let m = m
                .parse()
                .map_err(|_| StoreError::Corrupt("municipality".into()))?;
            each(Item::Idempotency(m, key, record))?;
        }
        for row in self.query("SELECT resident, fiscal_year FROM incomes", vec![])? {
            let r = madoguchi_protocol::v1::ResidentId(uuid_at(&row, 0)?);
            let y: i32 = row.try_get(1).map_err(pg)?;
            if let Some(i) = self.get_income(r, y)? {
                each(Item::Income(i))?;
            }
        }
        for s in self.every_staff()? {
            each(Item::Staff(s))?;
        }
        for row in self.query(
            "SELECT seq, municipality, sealed FROM audit ORDER BY seq",
            vec![],
        )? {
            let seq: i64 = row.try_get(0).map_err(pg)?;
            let m: String = row.try_get(1).map_err(pg)?;
            let mut e: madoguchi_protocol::v1::AuditEntry =
                self.open_json(&audit_aad(&m), &bytes_at(&row, 2)?)?;
            e.seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt("audit seq".into()))?;
            each(Item::Audit(e))?;
        }
        for row in self.query(
            "SELECT municipality, terminal FROM chain_heads WHERE head IS NOT NULL",
            vec![],
        )? {
            let m: String = row.try_get(0).map_err(pg)?;
            let terminal: String = row.try_get(1).map_err(pg)?;
            let m = m
                .parse()
                .map_err(|_| StoreError::Corrupt("municipality".into()))?;
            let head = self.head_of(&m, &terminal)?;
            let entries = self.chain_entries_from(&m, &terminal, 0, usize::MAX)?;
            each(Item::Chain {
                municipality: m,
                terminal,
                entries,
                head,
            })?;
        }
        for row in self.query("SELECT DISTINCT municipality FROM chain_flags", vec![])? {
            let m: String = row.try_get(0).map_err(pg)?;
            let m = m
                .parse()
                .map_err(|_| StoreError::Corrupt("municipality".into()))?;
            for f in self.flags_of(&m)? {
                each(Item::Flag(f))?;
            }
        }
        for meta in self.all_distributions()? {
            let records = self.distribution_records(&meta, 0, meta.record_count)?;
            let chunks = records
                .chunks(crate::distribution::RECORDS_PER_CHUNK)
                .map(<[_]>::to_vec)
                .collect();
            let ledger = self.distribution_ledger(meta.id)?;
            each(Item::Distribution {
                meta,
                chunks,
                ledger,
            })?;
        }
        for row in self.query("SELECT DISTINCT document FROM reprint_approvals", vec![])? {
            let d = madoguchi_protocol::v1::DocumentId(uuid_at(&row, 0)?);
            for a in self.reprint_approvals(d)? {
                each(Item::Reprint(a))?;
            }
        }
        Ok(())
    }

    fn import_distribution(
        &self,
        meta: DistributionMeta,
        chunks: Vec<Vec<madoguchi_protocol::distribution::DistributionRecord>>,
        ledger: Vec<madoguchi_protocol::distribution::LedgerEntry>,
    ) -> Result<(), StoreError> {
        let id = meta.id.0;
        let generation =
            i32::try_from(meta.generation).map_err(|_| StoreError::Corrupt("generation".into()))?;
        let meta_sealed = self.seal_json(&meta_aad(id), &meta)?;
        let mut chunk_rows = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            let n = i32::try_from(i).map_err(|_| StoreError::Corrupt("chunk".into()))?;
            chunk_rows.push((n, self.seal_json(&chunk_aad(id, generation, n), c)?));
        }
        let mut ledger_rows = Vec::new();
        for e in &ledger {
            let seq = i64::from(e.seq);
            ledger_rows.push((seq, self.seal_json(&ledger_aad(id, seq), e)?));
        }
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(pg)?;
            tx.execute(
                "INSERT INTO distributions (id, sealed) VALUES ($1, $2)",
                &[&id, &meta_sealed],
            )
            .await
            .map_err(pg)?;
            for (n, sealed) in &chunk_rows {
                tx.execute(
                    "INSERT INTO distribution_chunks (id, generation, chunk, sealed) VALUES ($1, $2, $3, $4)",
                    &[&id, &generation, n, sealed],
                )
                .await
                .map_err(pg)?;
            }
            for (seq, sealed) in &ledger_rows {
                tx.execute(
                    "INSERT INTO distribution_ledger (id, seq, sealed) VALUES ($1, $2, $3)",
                    &[&id, seq, sealed],
                )
                .await
                .map_err(pg)?;
            }
            tx.commit().await.map_err(pg)
        })
    }
}

impl Importer<'_> {
    /// Writes one item (residents in batches).
    pub fn add(&mut self, item: Item) -> Result<(), StoreError> {
        let s = self.store;
        match item {
            Item::Resident(r) => {
                self.residents.push(r);
                self.flush(false)
            }
            Item::Document(d) => {
                self.documents.push(d);
                self.flush(false)
            }
            Item::Ledger(l) => {
                let id = l.decision.notification_id.0;
                self.ledger
                    .1
                    .push(s.seal_json(&decision_ledger_aad(id), &l)?);
                self.ledger.0.push(id);
                self.flush(false)
            }
            Item::Idempotency(m, key, record) => {
                let sealed = s.seal_json(&idempotency_aad(m.as_str(), key), &record)?;
                self.idempotency.0.push(m.as_str().to_string());
                self.idempotency.1.push(key);
                self.idempotency.2.push(record.decision.decided_at);
                self.idempotency.3.push(sealed);
                self.flush(false)
            }
            Item::Income(i) => {
                self.incomes.push(i);
                self.flush(false)
            }
            Item::Staff(st) => s.store_staff(&st),
            Item::Audit(mut e) => {
                let seq = i64::try_from(e.seq).map_err(|_| StoreError::Corrupt("seq".into()))?;
                let m = e.municipality.as_str().to_string();
                e.seq = 0;
                let sealed = s.key().seal(&audit_aad(&m), &to_json(&e)?)?;
                s.execute(
                    "INSERT INTO audit (seq, municipality, at, sealed) VALUES ($1, $2, $3, $4)",
                    vec![Box::new(seq), Box::new(m), Box::new(e.at), Box::new(sealed)],
                )?;
                Ok(())
            }
            Item::Chain {
                municipality,
                terminal,
                entries,
                head,
            } => {
                let stored = s.append_chain_entries(
                    &municipality,
                    &terminal,
                    ChainHead::default(),
                    &entries,
                )?;
                if stored != head {
                    return Err(StoreError::Corrupt(
                        "a terminal's chain head is not its last entry".into(),
                    ));
                }
                Ok(())
            }
            Item::Flag(f) => {
                let ms = f.municipality.as_str().to_string();
                let dedup = flag_dedup(&f)?;
                let id = i64::try_from(f.id).map_err(|_| StoreError::Corrupt("flag id".into()))?;
                let sealed = s.seal_json(&super::chains::flag_aad(&ms, &dedup), &f)?;
                s.execute(
                    "INSERT INTO chain_flags (id, municipality, dedup, sealed) VALUES ($1, $2, $3, $4)",
                    vec![Box::new(id), Box::new(ms), Box::new(dedup), Box::new(sealed)],
                )?;
                Ok(())
            }
            Item::Distribution {
                meta,
                chunks,
                ledger,
            } => s.import_distribution(meta, chunks, ledger),
            Item::Reprint(a) => s.put_reprint_approval(&a),
        }
    }

    /// Writes every buffer that is full (or, with `all`, every buffer).
    fn flush(&mut self, all: bool) -> Result<(), StoreError> {
        let s = self.store;
        let due = |n: usize| n > 0 && (all || n >= BATCH);
        if due(self.residents.len()) {
            s.store_commit(Commit {
                residents: std::mem::take(&mut self.residents),
                ..Default::default()
            })?;
        }
        if due(self.documents.len()) {
            s.store_commit(Commit {
                documents: std::mem::take(&mut self.documents),
                ..Default::default()
            })?;
        }
        if due(self.incomes.len()) {
            s.store_incomes(&std::mem::take(&mut self.incomes))?;
        }
        if due(self.ledger.0.len()) {
            let (ids, sealed) = std::mem::take(&mut self.ledger);
            s.execute(
                "INSERT INTO ledger (notification_id, sealed)
                 SELECT * FROM unnest($1::uuid[], $2::bytea[])",
                vec![Box::new(ids), Box::new(sealed)],
            )?;
        }
        if due(self.idempotency.0.len()) {
            let (m, keys, at, sealed) = std::mem::take(&mut self.idempotency);
            s.execute(
                "INSERT INTO idempotency (municipality, key, decided_at, sealed)
                 SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::bytea[])",
                vec![Box::new(m), Box::new(keys), Box::new(at), Box::new(sealed)],
            )?;
        }
        Ok(())
    }

    /// Writes what is buffered and moves the sequences past what the source handed out.
    pub fn finish(mut self, next_insured_serial: u32) -> Result<(), StoreError> {
        self.flush(true)?;
        let s = self.store;
        s.query(
            "SELECT setval('insured_serial', greatest($1::bigint, 10000001), false)",
            vec![Box::new(i64::from(next_insured_serial))],
        )?;
        s.query(
            "SELECT setval(pg_get_serial_sequence('audit', 'seq'), coalesce(max(seq), 0) + 1, false) FROM audit",
            vec![],
        )?;
        s.query(
            "SELECT setval(pg_get_serial_sequence('chain_flags', 'id'), coalesce(max(id), 0) + 1, false) FROM chain_flags",
            vec![],
        )?;
        Ok(())
    }
}
