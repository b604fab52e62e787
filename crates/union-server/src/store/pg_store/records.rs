//! Residents, documents, the decision ledger, idempotency records, incomes, staff and the server's audit
//! trail on PostgreSQL: the record half of [`UnionStore`](crate::store::UnionStore) for [`PgStore`].

use madoguchi_domain::ids::{AddresseeNumber, InsuredNumber, MunicipalityCode};
use madoguchi_protocol::v1::{AuditEntry, DocumentId, ResidentId};
use uuid::Uuid;

use super::{
    KIND_ADDRESSEE, KIND_BIRTH, KIND_INSURED, KIND_KANA, PgStore, aad, bytes_at, from_json, pg,
    to_json, uuid_at,
};
use crate::store::sled_store::FIRST_INSURED_SERIAL;
use crate::store::{
    Commit, DocumentRecord, IdempotencyRecord, IncomeRecord, Pruned, ResidentQuery, ResidentRecord,
    StaffRecord, StoreError,
};

/// Rows a search reads per round trip while it filters opened records.
const SEARCH_PAGE: i64 = 256;
/// Residents one page of a whole-union walk reads.
const WALK_PAGE: i64 = 1000;
/// Most index rows one search walks (as on sled: a longer walk is refused, not served slowly).
const MAX_SEARCH_WALK: usize = crate::store::sled_store::MAX_INDEX_WALK;

pub(super) fn resident_aad(id: Uuid) -> Vec<u8> {
    aad("residents", &[id.as_bytes()])
}
pub(super) fn document_aad(id: Uuid) -> Vec<u8> {
    aad("documents", &[id.as_bytes()])
}
pub(super) fn ledger_aad(id: Uuid) -> Vec<u8> {
    aad("ledger", &[id.as_bytes()])
}
pub(super) fn idempotency_aad(m: &str, key: Uuid) -> Vec<u8> {
    aad("idempotency", &[m.as_bytes(), key.as_bytes()])
}
pub(super) fn income_aad(resident: Uuid, year: i32) -> Vec<u8> {
    aad("incomes", &[resident.as_bytes(), &year.to_be_bytes()])
}
pub(super) fn staff_aad(user: &str) -> Vec<u8> {
    aad("staff", &[user.as_bytes()])
}
pub(super) fn audit_aad(m: &str) -> Vec<u8> {
    aad("audit", &[m.as_bytes()])
}

fn matches(r: &ResidentRecord, q: &ResidentQuery) -> bool {
    q.insured_number
        .as_ref()
        .is_none_or(|n| r.insured_number.as_ref() == Some(n))
        && q.birth_date.is_none_or(|d| r.birth_date == d)
        && q.kana_prefix
            .as_ref()
            .is_none_or(|p| r.kana.seion_key().starts_with(p))
}

impl PgStore {
    fn open_resident(&self, id: Uuid, sealed: &[u8]) -> Result<ResidentRecord, StoreError> {
        self.open_json(&resident_aad(id), sealed)
    }

    pub(super) fn get_resident(
        &self,
        id: ResidentId,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        let rows = self.query(
            "SELECT sealed FROM residents WHERE id = $1",
            vec![Box::new(id.0)],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(self.open_resident(id.0, &bytes_at(row, 0)?)?)),
            None => Ok(None),
        }
    }

    /// The resident a unique index row names.
    fn resident_by_token(
        &self,
        kind: i16,
        token: Vec<u8>,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        let rows = self.query(
            "SELECT r.id, r.sealed FROM resident_index i JOIN residents r ON r.id = i.resident
             WHERE i.kind = $1 AND i.token = $2 LIMIT 1",
            vec![Box::new(kind), Box::new(token)],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(
                self.open_resident(uuid_at(row, 0)?, &bytes_at(row, 1)?)?,
            )),
            None => Ok(None),
        }
    }

    pub(super) fn by_addressee(
        &self,
        m: &MunicipalityCode,
        a: &AddresseeNumber,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        self.resident_by_token(KIND_ADDRESSEE, self.addressee_token(m, a))
    }

    pub(super) fn by_insured_number(
        &self,
        n: &InsuredNumber,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        self.resident_by_token(KIND_INSURED, self.insured_token(n))
    }

    pub(super) fn search(
        &self,
        m: &MunicipalityCode,
        query: &ResidentQuery,
        limit: usize,
    ) -> Result<(Vec<ResidentRecord>, bool), StoreError> {
        let (kind, token) = if let Some(n) = &query.insured_number {
            (KIND_INSURED, self.insured_token(n))
        } else if let Some(d) = query.birth_date {
            (KIND_BIRTH, self.birth_token(m, d))
        } else if let Some(p) = &query.kana_prefix {
            (
                KIND_KANA,
                self.kana_token(m, &Self::indexed_kana(p.as_str())),
            )
        } else {
            return Ok((Vec::new(), false));
        };
        let mut out = Vec::new();
        let mut after: Option<Uuid> = None;
        let mut walked = 0usize;
        loop {
            let rows = self.query(
                "SELECT r.id, r.sealed FROM resident_index i JOIN residents r ON r.id = i.resident
                 WHERE i.kind = $1 AND i.token = $2 AND ($3::uuid IS NULL OR i.resident > $3)
                 ORDER BY i.resident LIMIT $4",
                vec![
                    Box::new(kind),
                    Box::new(token.clone()),
                    Box::new(after),
                    Box::new(SEARCH_PAGE),
                ],
            )?;
            let page_len = rows.len();
            for row in &rows {
                walked += 1;
                if walked > MAX_SEARCH_WALK {
                    return Err(StoreError::Corrupt(format!(
                        "resident index: walk longer than {MAX_SEARCH_WALK} entries"
                    )));
                }
                let id = uuid_at(row, 0)?;
                after = Some(id);
                let r = self.open_resident(id, &bytes_at(row, 1)?)?;
                if &r.municipality != m || !matches(&r, query) {
                    continue;
                }
                if out.len() == limit {
                    return Ok((out, true));
                }
                out.push(r);
            }
            if (page_len as i64) < SEARCH_PAGE {
                return Ok((out, false));
            }
        }
    }

    pub(super) fn residents_in(
        &self,
        m: &MunicipalityCode,
    ) -> Result<Vec<ResidentRecord>, StoreError> {
        let rows = self.query(
            "SELECT id, sealed FROM residents WHERE municipality = $1 ORDER BY id",
            vec![Box::new(m.as_str().to_string())],
        )?;
        rows.iter()
            .map(|row| self.open_resident(uuid_at(row, 0)?, &bytes_at(row, 1)?))
            .collect()
    }

    /// Every resident in id order, a page at a time (no connection is held while `each` runs, so `each`
    /// may use the store).
    pub(super) fn walk_residents(
        &self,
        each: &mut dyn FnMut(ResidentRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after: Option<Uuid> = None;
        loop {
            let rows = self.query(
                "SELECT id, sealed FROM residents WHERE ($1::uuid IS NULL OR id > $1)
                 ORDER BY id LIMIT $2",
                vec![Box::new(after), Box::new(WALK_PAGE)],
            )?;
            let n = rows.len();
            for row in &rows {
                let id = uuid_at(row, 0)?;
                after = Some(id);
                each(self.open_resident(id, &bytes_at(row, 1)?)?)?;
            }
            if (n as i64) < WALK_PAGE {
                return Ok(());
            }
        }
    }

    pub(super) fn get_document(
        &self,
        id: DocumentId,
    ) -> Result<Option<DocumentRecord>, StoreError> {
        let rows = self.query(
            "SELECT sealed FROM documents WHERE id = $1",
            vec![Box::new(id.0)],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(
                self.open_json(&document_aad(id.0), &bytes_at(row, 0)?)?,
            )),
            None => Ok(None),
        }
    }

    pub(super) fn get_income(
        &self,
        resident: ResidentId,
        year: i32,
    ) -> Result<Option<IncomeRecord>, StoreError> {
        let rows = self.query(
            "SELECT sealed FROM incomes WHERE resident = $1 AND fiscal_year = $2",
            vec![Box::new(resident.0), Box::new(year)],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(
                self.open_json(&income_aad(resident.0, year), &bytes_at(row, 0)?)?,
            )),
            None => Ok(None),
        }
    }

    pub(super) fn store_incomes(&self, incomes: &[IncomeRecord]) -> Result<(), StoreError> {
        let mut residents = Vec::with_capacity(incomes.len());
        let mut years = Vec::with_capacity(incomes.len());
        let mut sealed = Vec::with_capacity(incomes.len());
        for i in incomes {
            residents.push(i.resident_id.0);
            years.push(i.fiscal_year);
            sealed.push(self.seal_json(&income_aad(i.resident_id.0, i.fiscal_year), i)?);
        }
        self.execute(
            "INSERT INTO incomes (resident, fiscal_year, sealed)
             SELECT * FROM unnest($1::uuid[], $2::integer[], $3::bytea[])
             ON CONFLICT (resident, fiscal_year) DO UPDATE SET sealed = EXCLUDED.sealed",
            vec![Box::new(residents), Box::new(years), Box::new(sealed)],
        )?;
        Ok(())
    }

    pub(super) fn get_staff(&self, user_id: &str) -> Result<Option<StaffRecord>, StoreError> {
        let rows = self.query(
            "SELECT sealed FROM staff WHERE user_id = $1",
            vec![Box::new(user_id.to_string())],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(
                self.open_json(&staff_aad(user_id), &bytes_at(row, 0)?)?,
            )),
            None => Ok(None),
        }
    }

    pub(super) fn store_staff(&self, staff: &StaffRecord) -> Result<(), StoreError> {
        let sealed = self.seal_json(&staff_aad(&staff.user_id), staff)?;
        self.execute(
            "INSERT INTO staff (user_id, sealed) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET sealed = EXCLUDED.sealed",
            vec![Box::new(staff.user_id.clone()), Box::new(sealed)],
        )?;
        Ok(())
    }

    pub(super) fn every_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        let rows = self.query("SELECT user_id, sealed FROM staff", vec![])?;
        let mut out = rows
            .iter()
            .map(|row| {
                let user: String = row.try_get(0).map_err(pg)?;
                self.open_json(&staff_aad(&user), &bytes_at(row, 1)?)
            })
            .collect::<Result<Vec<StaffRecord>, StoreError>>()?;
        // By user id's bytes, as sled orders them, whatever the database's collation.
        out.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        Ok(out)
    }

    pub(super) fn get_idempotency(
        &self,
        m: &MunicipalityCode,
        key: Uuid,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let rows = self.query(
            "SELECT sealed FROM idempotency WHERE municipality = $1 AND key = $2",
            vec![Box::new(m.as_str().to_string()), Box::new(key)],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(
                self.open_json(&idempotency_aad(m.as_str(), key), &bytes_at(row, 0)?)?,
            )),
            None => Ok(None),
        }
    }

    /// The next serial of the shared sequence that no resident holds yet (numbers given before the
    /// sequence, e.g. by a copy from sled, are skipped).
    pub(super) fn next_insured_number(&self) -> Result<InsuredNumber, StoreError> {
        loop {
            let rows = self.query("SELECT nextval('insured_serial')", vec![])?;
            let serial: i64 = rows
                .first()
                .ok_or_else(|| StoreError::Corrupt("insured sequence".into()))?
                .try_get(0)
                .map_err(|e| match e.as_db_error() {
                    // The sequence's MAXVALUE: every 8-digit serial was handed out.
                    Some(db) if db.code().code() == "2200H" => StoreError::InsuredNumbersExhausted,
                    _ => pg(e),
                })?;
            let serial = u32::try_from(serial)
                .ok()
                .filter(|s| *s >= FIRST_INSURED_SERIAL)
                .ok_or(StoreError::InsuredNumbersExhausted)?;
            let n = InsuredNumber::from_serial(serial)
                .map_err(|_| StoreError::InsuredNumbersExhausted)?;
            let held = self.query(
                "SELECT 1 FROM resident_index WHERE kind = $1 AND token = $2",
                vec![Box::new(KIND_INSURED), Box::new(self.insured_token(&n))],
            )?;
            if held.is_empty() {
                return Ok(n);
            }
        }
    }

    /// One [`Commit`] in one transaction.
    pub(super) fn store_commit(&self, commit: Commit) -> Result<(), StoreError> {
        let idem: Option<(String, Uuid, chrono::DateTime<chrono::Utc>, Vec<u8>)> =
            match &commit.idempotency {
                Some((m, key, rec)) => Some((
                    m.as_str().to_string(),
                    *key,
                    rec.decision.decided_at,
                    self.seal_json(&idempotency_aad(m.as_str(), *key), rec)?,
                )),
                None => None,
            };
        let replace = commit.replace_idempotency;
        let mut residents = Vec::with_capacity(commit.residents.len());
        for r in &commit.residents {
            let sealed = self.seal_json(&resident_aad(r.id.0), r)?;
            let (mut kinds, mut tokens) = (Vec::new(), Vec::new());
            for (k, t) in self.index_rows(r) {
                kinds.push(k);
                tokens.push(t);
            }
            residents.push((
                r.id.0,
                r.municipality.as_str().to_string(),
                sealed,
                kinds,
                tokens,
            ));
        }
        let mut documents = (Vec::new(), Vec::new());
        for d in &commit.documents {
            documents.0.push(d.id.0);
            documents.1.push(self.seal_json(&document_aad(d.id.0), d)?);
        }
        let ledger = match &commit.ledger {
            Some(l) => {
                let id = l.decision.notification_id.0;
                Some((id, self.seal_json(&ledger_aad(id), l)?))
            }
            None => None,
        };
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(pg)?;
            if let Some((m, key, at, sealed)) = &idem {
                let sql = if replace {
                    "INSERT INTO idempotency (municipality, key, decided_at, sealed) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (municipality, key)
                     DO UPDATE SET decided_at = EXCLUDED.decided_at, sealed = EXCLUDED.sealed"
                } else {
                    "INSERT INTO idempotency (municipality, key, decided_at, sealed) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (municipality, key) DO NOTHING"
                };
                let stmt = tx.prepare_cached(sql).await.map_err(pg)?;
                let n = tx.execute(&stmt, &[m, key, at, sealed]).await.map_err(pg)?;
                if n == 0 {
                    // Dropping the transaction rolls it back.
                    return Err(StoreError::IdempotencyRace);
                }
            }
            let upsert = tx
                .prepare_cached(
                    "INSERT INTO residents (id, municipality, sealed) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET municipality = EXCLUDED.municipality,
                     sealed = EXCLUDED.sealed",
                )
                .await
                .map_err(pg)?;
            let clear = tx
                .prepare_cached("DELETE FROM resident_index WHERE resident = $1")
                .await
                .map_err(pg)?;
            // Unique kinds take their token over from any other holder (sled's overwrite); the others
            // add a row.
            let index = tx
                .prepare_cached(
                    "INSERT INTO resident_index (kind, token, resident)
                     SELECT k, t, $3 FROM unnest($1::smallint[], $2::bytea[]) AS u(k, t)
                     WHERE k IN (1, 2)
                     ON CONFLICT (kind, token) WHERE kind IN (1, 2)
                     DO UPDATE SET resident = EXCLUDED.resident",
                )
                .await
                .map_err(pg)?;
            let index_multi = tx
                .prepare_cached(
                    "INSERT INTO resident_index (kind, token, resident)
                     SELECT k, t, $3 FROM unnest($1::smallint[], $2::bytea[]) AS u(k, t)
                     WHERE k NOT IN (1, 2)
                     ON CONFLICT DO NOTHING",
                )
                .await
                .map_err(pg)?;
            for (id, m, sealed, kinds, tokens) in &residents {
                tx.execute(&upsert, &[id, m, sealed]).await.map_err(pg)?;
                tx.execute(&clear, &[id]).await.map_err(pg)?;
                tx.execute(&index, &[kinds, tokens, id]).await.map_err(pg)?;
                tx.execute(&index_multi, &[kinds, tokens, id])
                    .await
                    .map_err(pg)?;
            }
            if !documents.0.is_empty() {
                tx.execute(
                    "INSERT INTO documents (id, sealed) SELECT * FROM unnest($1::uuid[], $2::bytea[])
                     ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed",
                    &[&documents.0, &documents.1],
                )
                .await
                .map_err(pg)?;
            }
            if let Some((id, sealed)) = &ledger {
                tx.execute(
                    "INSERT INTO ledger (notification_id, sealed) VALUES ($1, $2)
                     ON CONFLICT (notification_id) DO UPDATE SET sealed = EXCLUDED.sealed",
                    &[id, sealed],
                )
                .await
                .map_err(pg)?;
            }
            tx.commit().await.map_err(|e| match e.as_db_error() {
                // Another instance committed the same key between our insert and commit.
                Some(db) if db.code().code() == "23505" => StoreError::IdempotencyRace,
                _ => pg(e),
            })
        })
    }

    pub(super) fn insert_audit(&self, mut entry: AuditEntry) -> Result<u64, StoreError> {
        let m = entry.municipality.as_str().to_string();
        entry.seq = 0;
        let sealed = self.key().seal(&audit_aad(&m), &to_json(&entry)?)?;
        let rows = self.query(
            "INSERT INTO audit (municipality, at, sealed) VALUES ($1, $2, $3) RETURNING seq",
            vec![Box::new(m), Box::new(entry.at), Box::new(sealed)],
        )?;
        let seq: i64 = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("audit seq".into()))?
            .try_get(0)
            .map_err(pg)?;
        u64::try_from(seq).map_err(|_| StoreError::Corrupt("audit seq".into()))
    }

    pub(super) fn audit_page(
        &self,
        m: &MunicipalityCode,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.map(|b| i64::try_from(b).unwrap_or(i64::MAX));
        let rows = self.query(
            "SELECT seq, sealed FROM audit WHERE municipality = $1 AND ($2::bigint IS NULL OR seq < $2)
             ORDER BY seq DESC LIMIT $3",
            vec![
                Box::new(m.as_str().to_string()),
                Box::new(before),
                Box::new(i64::try_from(limit).unwrap_or(i64::MAX)),
            ],
        )?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.try_get(0).map_err(pg)?;
                let mut e: AuditEntry = from_json(
                    &self
                        .key()
                        .open(&audit_aad(m.as_str()), &bytes_at(row, 1)?)?,
                )?;
                e.seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt("audit seq".into()))?;
                Ok(e)
            })
            .collect()
    }

    pub(super) fn count_ledger(&self) -> Result<usize, StoreError> {
        let rows = self.query("SELECT count(*) FROM ledger", vec![])?;
        let n: i64 = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("ledger count".into()))?
            .try_get(0)
            .map_err(pg)?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    pub(super) fn prune_before(
        &self,
        idempotency_before: Option<chrono::DateTime<chrono::Utc>>,
        audit_before: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Pruned, StoreError> {
        let mut pruned = Pruned::default();
        if let Some(cutoff) = idempotency_before {
            pruned.idempotency = self.execute(
                "DELETE FROM idempotency WHERE decided_at < $1",
                vec![Box::new(cutoff)],
            )?;
        }
        if let Some(cutoff) = audit_before {
            pruned.audit =
                self.execute("DELETE FROM audit WHERE at < $1", vec![Box::new(cutoff)])?;
        }
        Ok(pruned)
    }
}
