//! The embedded store on sled: one tree for records and their indexes (so a commit is one transaction), one
//! for the server's audit trail, one for the terminals' audit chains.

use std::path::Path;

use madoguchi_domain::Date;
use madoguchi_domain::ids::{AddresseeNumber, InsuredNumber, MunicipalityCode};
use madoguchi_protocol::v1::{AuditEntry, DocumentId, ResidentId};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use uuid::Uuid;

mod check;
mod distribution;
mod export;
mod income;
mod scan;

pub(crate) use scan::{LedgerMark, bounded, bounded_order_only};

use super::{
    Commit, DocumentRecord, IdempotencyRecord, ResidentQuery, ResidentRecord, StaffRecord,
    StoreError, UnionStore,
};

// ----------------------------------------------------------------------------------------------------------
// sled

/// The embedded store. One tree holds the records and their indexes under key prefixes, so a commit is a
/// single-tree transaction; the audit trail has its own tree (append-only, ordered by sequence number).
///
/// Records that hold personal data are sealed (XChaCha20-Poly1305) and index keys are blinded (HMAC), see
/// [`crate::crypt`]; record keys are opaque UUIDs. Staff records and the audit trail hold no resident data.
pub struct SledStore {
    db: sled::Db,
    data: sled::Tree,
    audit: sled::Tree,
    key: crate::crypt::StoreKey,
    /// Terminal audit chains (crate::chains).
    chains: sled::Tree,
    /// Where the durable ledger watermark file lives.
    dir: std::path::PathBuf,
    /// The ledger count last written to that file.
    durable_mark: std::sync::Mutex<u64>,
}

/// Most index entries one search walks. A search stops at its limit long before; a longer walk means
/// a damaged index (a flipped byte once made sled's iterator run forever), and is refused.
pub(crate) const MAX_INDEX_WALK: usize = 100_000;

/// Longest カナ prefix (in characters) that has its own index entry; longer queries filter in memory.
const KANA_PREFIX_INDEXED: usize = 24;

const P_RESIDENT: &[u8] = b"r/";
const P_ADDRESSEE: &[u8] = b"ra/";
const P_INSURED: &[u8] = b"ri/";
const P_KANA: &[u8] = b"rk/";
const P_BIRTH: &[u8] = b"rb/";
const P_DOCUMENT: &[u8] = b"d/";
const P_LEDGER: &[u8] = b"n/";
const P_IDEMPOTENCY: &[u8] = b"i/";
const P_STAFF: &[u8] = b"s/";
const K_INSURED_SEQ: &[u8] = b"m/insured_seq";
/// A fixed text sealed under the store key: a wrong key is found at open, before anything is written.
const K_KEY_CHECK: &[u8] = b"m/key_check";
const KEY_CHECK_TEXT: &[u8] = b"madoguchi union store key check v1";
/// Count and order-free digest of the decision ledger, updated in every commit that adds an entry.
const K_LEDGER_MARK: &[u8] = b"m/ledger_mark";
/// The file beside the database holding the ledger count known to be flushed (sled once dropped an
/// acknowledged tail silently; a mark inside the same database would vanish with it).
const LEDGER_MARK_FILE: &str = "ledger.watermark";

/// The first 被保険者番号 handed out by a fresh store.
pub(super) const FIRST_INSURED_SERIAL: u32 = 10_000_001;

fn key(parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            k.push(0);
        }
        k.extend_from_slice(p);
    }
    k
}

fn resident_key(id: ResidentId) -> Vec<u8> {
    key(&[P_RESIDENT, id.0.as_bytes()])
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    // serde_json errors on our own records name positions and types, not values of identifiers (the
    // domain types' errors never echo input).
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.classify_name()))
}

trait ClassifyName {
    fn classify_name(&self) -> String;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> String {
        format!(
            "{:?} at line {} column {}",
            self.classify(),
            self.line(),
            self.column()
        )
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, with the store key from [`crate::crypt::StoreKey::load_or_create`].
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let key = crate::crypt::StoreKey::load_or_create(dir)?;
        let db = sled::Config::new()
            .path(dir.join("union.sled"))
            .flush_every_ms(Some(200))
            .open()?;
        let data = db.open_tree("data")?;
        let audit = db.open_tree("audit")?;
        let chains = db.open_tree("chains")?;
        let store = SledStore {
            db,
            data,
            audit,
            key,
            chains,
            dir: dir.to_path_buf(),
            durable_mark: std::sync::Mutex::new(0),
        };
        store.check_key()?;
        store.ensure_ledger_mark()?;
        let durable = store.read_mark_file()?.unwrap_or(0);
        if let Ok(mut m) = store.durable_mark.lock() {
            *m = durable;
        }
        Ok(store)
    }

    /// Refuses a store key that does not open this store's key check (or, for a store written before the
    /// check existed, its first sealed record); writes the check on first use.
    fn check_key(&self) -> Result<(), StoreError> {
        if let Some(v) = self.data.get(K_KEY_CHECK)? {
            let plain = self
                .key
                .open(K_KEY_CHECK, &v)
                .map_err(|_| StoreError::WrongKey)?;
            return if plain.as_slice() == KEY_CHECK_TEXT {
                Ok(())
            } else {
                Err(StoreError::WrongKey)
            };
        }
        for prefix in [P_RESIDENT, P_DOCUMENT, P_LEDGER] {
            let mut p = prefix.to_vec();
            p.push(0);
            if let Some(item) = self.data.scan_prefix(&p).next() {
                let (k, v) = item?;
                self.key.open(&k, &v).map_err(|_| StoreError::WrongKey)?;
                break;
            }
        }
        let sealed = self.key.seal(K_KEY_CHECK, KEY_CHECK_TEXT)?;
        self.data.insert(K_KEY_CHECK, sealed)?;
        self.db.flush()?;
        Ok(())
    }

    /// A store written before the ledger mark existed gets one, counted from the ledger as it stands.
    fn ensure_ledger_mark(&self) -> Result<(), StoreError> {
        if self.data.contains_key(K_LEDGER_MARK)? {
            return Ok(());
        }
        let mut mark = LedgerMark::default();
        let mut prefix = P_LEDGER.to_vec();
        prefix.push(0);
        for item in bounded_order_only(self.data.scan_prefix(&prefix), "ledger") {
            let (k, v) = item?;
            mark = mark.with(&k, &v);
        }
        let sealed = self.key.seal(K_LEDGER_MARK, &to_json(&mark)?)?;
        self.data.insert(K_LEDGER_MARK, sealed)?;
        Ok(())
    }

    /// The ledger mark kept inside the database.
    pub(crate) fn ledger_mark(&self) -> Result<LedgerMark, StoreError> {
        match self.data.get(K_LEDGER_MARK)? {
            Some(v) => LedgerMark::from_sealed(&self.key, &v),
            None => Ok(LedgerMark::default()),
        }
    }

    fn mark_file(&self) -> std::path::PathBuf {
        self.dir.join(LEDGER_MARK_FILE)
    }

    /// The ledger count known to be flushed, from the file beside the database.
    pub(crate) fn read_mark_file(&self) -> Result<Option<u64>, StoreError> {
        let bytes = match std::fs::read(self.mark_file()) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Backend(e.to_string())),
        };
        let plain = self
            .key
            .open(LEDGER_MARK_FILE.as_bytes(), &bytes)
            .map_err(|_| StoreError::Corrupt("ledger watermark file".into()))?;
        let raw: [u8; 8] = plain
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt("ledger watermark file".into()))?;
        Ok(Some(u64::from_be_bytes(raw)))
    }

    /// After a flush: records the flushed ledger count in the file (written aside, synced, renamed).
    fn raise_mark_file(&self) -> Result<(), StoreError> {
        let count = self.ledger_mark()?.count;
        let mut durable = self
            .durable_mark
            .lock()
            .map_err(|_| StoreError::Backend("watermark lock".into()))?;
        if count <= *durable {
            return Ok(());
        }
        let sealed = self
            .key
            .seal(LEDGER_MARK_FILE.as_bytes(), &count.to_be_bytes())?;
        let tmp = self.dir.join(format!("{LEDGER_MARK_FILE}.tmp"));
        let io = |e: std::io::Error| StoreError::Backend(e.to_string());
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&sealed).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, self.mark_file()).map_err(io)?;
        *durable = count;
        Ok(())
    }

    /// A plain JSON record (staff only).
    fn get_json<T: for<'de> Deserialize<'de>>(&self, k: &[u8]) -> Result<Option<T>, StoreError> {
        match self.data.get(k)? {
            Some(v) => Ok(Some(from_json(&v)?)),
            None => Ok(None),
        }
    }

    /// A sealed JSON record, its key bound as AAD.
    fn get_sealed<T: for<'de> Deserialize<'de>>(&self, k: &[u8]) -> Result<Option<T>, StoreError> {
        match self.data.get(k)? {
            Some(v) => Ok(Some(from_json(&self.key.open(k, &v)?)?)),
            None => Ok(None),
        }
    }

    fn seal_json<T: Serialize>(&self, k: &[u8], value: &T) -> Result<Vec<u8>, StoreError> {
        let plain = zeroize::Zeroizing::new(to_json(value)?);
        self.key.seal(k, &plain)
    }

    fn addressee_key(&self, m: &MunicipalityCode, a: &AddresseeNumber) -> Vec<u8> {
        key(&[
            P_ADDRESSEE,
            &self
                .key
                .blind(&[m.as_str().as_bytes(), a.as_str().as_bytes()]),
        ])
    }

    fn insured_key(&self, n: &InsuredNumber) -> Vec<u8> {
        key(&[P_INSURED, &self.key.blind(&[n.as_str().as_bytes()])])
    }

    /// Prefix under which the residents of `m` whose カナ key starts with `prefix` are listed.
    fn kana_prefix_key(&self, m: &MunicipalityCode, prefix: &str) -> Vec<u8> {
        let mut k = key(&[
            P_KANA,
            &self.key.blind(&[m.as_str().as_bytes(), prefix.as_bytes()]),
        ]);
        k.push(0);
        k
    }

    fn birth_prefix_key(&self, m: &MunicipalityCode, d: Date) -> Vec<u8> {
        let mut k = key(&[
            P_BIRTH,
            &self.key.blind(&[
                m.as_str().as_bytes(),
                d.format("%Y%m%d").to_string().as_bytes(),
            ]),
        ]);
        k.push(0);
        k
    }

    /// Every index entry of a resident (keys only; the value is the id for unique indexes).
    fn index_keys(&self, r: &ResidentRecord) -> Vec<Vec<u8>> {
        let id = r.id.0.as_bytes();
        let mut keys = vec![
            self.addressee_key(&r.municipality, &r.addressee),
            [
                self.birth_prefix_key(&r.municipality, r.birth_date),
                id.to_vec(),
            ]
            .concat(),
        ];
        // One entry per カナ prefix length, so a prefix search is an exact lookup of a blinded value.
        let seion = r.kana.seion_key();
        let mut prefix = String::new();
        for c in seion.as_str().chars().take(KANA_PREFIX_INDEXED) {
            prefix.push(c);
            keys.push([self.kana_prefix_key(&r.municipality, &prefix), id.to_vec()].concat());
        }
        if let Some(n) = &r.insured_number {
            keys.push(self.insured_key(n));
        }
        keys
    }

    /// The resident ids listed under an index prefix, lazily, in key order. A walk whose keys do not
    /// strictly increase, or that passes [`MAX_INDEX_WALK`] entries, is a damaged index: it ends with
    /// [`StoreError::Corrupt`] instead of running on.
    fn resident_ids_with_prefix(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<ResidentId, StoreError>> + '_ {
        bounded(self.data.scan_prefix(prefix), "resident index").map(|item| {
            let (k, _) = item?;
            let tail = k.get(k.len().saturating_sub(16)..).unwrap_or_default();
            let bytes: [u8; 16] = tail
                .try_into()
                .map_err(|_| StoreError::Corrupt("index key".into()))?;
            Ok(ResidentId(Uuid::from_bytes(bytes)))
        })
    }
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

impl UnionStore for SledStore {
    fn resident(&self, id: ResidentId) -> Result<Option<ResidentRecord>, StoreError> {
        self.get_sealed(&resident_key(id))
    }

    fn resident_by_addressee(
        &self,
        municipality: &MunicipalityCode,
        addressee: &AddresseeNumber,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        let k = self.addressee_key(municipality, addressee);
        match self.data.get(k)? {
            Some(id) => {
                let bytes: [u8; 16] = id
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("addressee index".into()))?;
                self.resident(ResidentId(Uuid::from_bytes(bytes)))
            }
            None => Ok(None),
        }
    }

    fn search_residents(
        &self,
        municipality: &MunicipalityCode,
        query: &ResidentQuery,
        limit: usize,
    ) -> Result<(Vec<ResidentRecord>, bool), StoreError> {
        let candidates: Box<dyn Iterator<Item = Result<ResidentId, StoreError>>> =
            if let Some(n) = &query.insured_number {
                let k = self.insured_key(n);
                let ids = match self.data.get(k)? {
                    Some(v) => {
                        let bytes: [u8; 16] = v
                            .as_ref()
                            .try_into()
                            .map_err(|_| StoreError::Corrupt("insured index".into()))?;
                        vec![Ok(ResidentId(Uuid::from_bytes(bytes)))]
                    }
                    None => vec![],
                };
                Box::new(ids.into_iter())
            } else if let Some(d) = query.birth_date {
                let prefix = self.birth_prefix_key(municipality, d);
                Box::new(self.resident_ids_with_prefix(&prefix))
            } else if let Some(p) = &query.kana_prefix {
                let indexed: String = p.as_str().chars().take(KANA_PREFIX_INDEXED).collect();
                let prefix = self.kana_prefix_key(municipality, &indexed);
                Box::new(self.resident_ids_with_prefix(&prefix))
            } else {
                Box::new(std::iter::empty())
            };
        let mut out = Vec::new();
        let mut more = false;
        for id in candidates {
            let Some(r) = self.resident(id?)? else {
                continue;
            };
            if &r.municipality != municipality || !matches(&r, query) {
                continue;
            }
            if out.len() == limit {
                more = true;
                break;
            }
            out.push(r);
        }
        Ok((out, more))
    }

    fn residents_of(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<ResidentRecord>, StoreError> {
        let mut prefix = P_RESIDENT.to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        // Every resident is walked here (the daily roster), so only the order check bounds it.
        for item in bounded_order_only(self.data.scan_prefix(&prefix), "residents") {
            let (k, _) = item?;
            let Some(r) = self.get_sealed::<ResidentRecord>(&k)? else {
                continue;
            };
            if &r.municipality == municipality {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn resident_by_insured_number(
        &self,
        number: &InsuredNumber,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        let Some(v) = self.data.get(self.insured_key(number))? else {
            return Ok(None);
        };
        let bytes: [u8; 16] = v
            .as_ref()
            .try_into()
            .map_err(|_| StoreError::Corrupt("insured index".into()))?;
        self.resident(ResidentId(Uuid::from_bytes(bytes)))
    }

    fn each_resident(
        &self,
        each: &mut dyn FnMut(ResidentRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut prefix = P_RESIDENT.to_vec();
        prefix.push(0);
        for item in bounded_order_only(self.data.scan_prefix(&prefix), "residents") {
            let (k, v) = item?;
            each(from_json(&self.key.open(&k, &v)?)?)?;
        }
        Ok(())
    }

    fn document(&self, id: DocumentId) -> Result<Option<DocumentRecord>, StoreError> {
        self.get_sealed(&key(&[P_DOCUMENT, id.0.as_bytes()]))
    }

    fn income(
        &self,
        resident: ResidentId,
        fiscal_year: i32,
    ) -> Result<Option<super::IncomeRecord>, StoreError> {
        self.income_record(resident, fiscal_year)
    }

    fn put_incomes(&self, incomes: &[super::IncomeRecord]) -> Result<(), StoreError> {
        self.put_income_records(incomes)
    }

    fn staff(&self, user_id: &str) -> Result<Option<StaffRecord>, StoreError> {
        self.get_json(&key(&[P_STAFF, user_id.as_bytes()]))
    }

    fn put_staff(&self, staff: &StaffRecord) -> Result<(), StoreError> {
        self.data
            .insert(key(&[P_STAFF, staff.user_id.as_bytes()]), to_json(staff)?)?;
        Ok(())
    }

    fn all_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        let mut prefix = P_STAFF.to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for item in self.data.scan_prefix(prefix) {
            let (_, v) = item?;
            out.push(from_json(&v)?);
        }
        Ok(out)
    }

    fn idempotency(
        &self,
        municipality: &MunicipalityCode,
        k: Uuid,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.get_sealed(&key(&[
            P_IDEMPOTENCY,
            municipality.as_str().as_bytes(),
            k.as_bytes(),
        ]))
    }

    fn allocate_insured_number(&self) -> Result<InsuredNumber, StoreError> {
        let mut serial = match self.data.get(K_INSURED_SEQ)? {
            Some(v) => u32::from_be_bytes(
                v.as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("insured sequence".into()))?,
            ),
            None => FIRST_INSURED_SERIAL,
        };
        loop {
            let n = InsuredNumber::from_serial(serial)
                .map_err(|_| StoreError::InsuredNumbersExhausted)?;
            serial = serial
                .checked_add(1)
                .ok_or(StoreError::InsuredNumbersExhausted)?;
            if !self.data.contains_key(self.insured_key(&n))? {
                self.data.insert(K_INSURED_SEQ, &serial.to_be_bytes())?;
                return Ok(n);
            }
        }
    }

    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        let mut residents = Vec::with_capacity(commit.residents.len());
        for r in &commit.residents {
            let rk = resident_key(r.id);
            let sealed = self.seal_json(&rk, r)?;
            residents.push((r, rk, sealed, self.index_keys(r)));
        }
        let mut documents = Vec::with_capacity(commit.documents.len());
        for d in &commit.documents {
            let k = key(&[P_DOCUMENT, d.id.0.as_bytes()]);
            let v = self.seal_json(&k, d)?;
            documents.push((k, v));
        }
        let ledger = match &commit.ledger {
            Some(l) => {
                let k = key(&[P_LEDGER, l.decision.notification_id.0.as_bytes()]);
                let v = self.seal_json(&k, l)?;
                Some((k, v))
            }
            None => None,
        };
        let idem = match &commit.idempotency {
            Some((m, idem_key, rec)) => {
                let k = key(&[P_IDEMPOTENCY, m.as_str().as_bytes(), idem_key.as_bytes()]);
                let v = self.seal_json(&k, rec)?;
                Some((k, v))
            }
            None => None,
        };
        let result = self.data.transaction(|tx| {
            if let Some((k, v)) = &idem {
                if tx.get(k)?.is_some() && !commit.replace_idempotency {
                    return Err(ConflictableTransactionError::Abort(
                        StoreError::IdempotencyRace,
                    ));
                }
                tx.insert(k.as_slice(), v.as_slice())?;
            }
            for (r, rk, v, new_keys) in &residents {
                if let Some(old) = tx.get(rk)? {
                    let plain = self
                        .key
                        .open(rk, &old)
                        .map_err(ConflictableTransactionError::Abort)?;
                    let old: ResidentRecord =
                        from_json(&plain).map_err(ConflictableTransactionError::Abort)?;
                    for k in self.index_keys(&old) {
                        tx.remove(k)?;
                    }
                }
                tx.insert(rk.as_slice(), v.as_slice())?;
                let id = r.id.0.as_bytes().to_vec();
                for k in new_keys.iter().cloned() {
                    let value: Vec<u8> = if k.starts_with(P_ADDRESSEE) || k.starts_with(P_INSURED) {
                        id.clone()
                    } else {
                        Vec::new()
                    };
                    tx.insert(k, value)?;
                }
            }
            for (k, v) in &documents {
                tx.insert(k.as_slice(), v.as_slice())?;
            }
            if let Some((k, v)) = &ledger {
                if tx.get(k.as_slice())?.is_none() {
                    let mark = match tx.get(K_LEDGER_MARK)? {
                        Some(m) => LedgerMark::from_sealed(&self.key, &m)
                            .map_err(ConflictableTransactionError::Abort)?,
                        None => LedgerMark::default(),
                    };
                    let next = mark.with(k, v);
                    let sealed = to_json(&next)
                        .and_then(|j| self.key.seal(K_LEDGER_MARK, &j))
                        .map_err(ConflictableTransactionError::Abort)?;
                    tx.insert(K_LEDGER_MARK, sealed)?;
                }
                tx.insert(k.as_slice(), v.as_slice())?;
            }
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    fn append_audit(&self, mut entry: AuditEntry) -> Result<u64, StoreError> {
        let seq = self.db.generate_id()?;
        entry.seq = seq;
        self.audit.insert(seq.to_be_bytes(), to_json(&entry)?)?;
        Ok(seq)
    }

    fn audit(
        &self,
        municipality: &MunicipalityCode,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let iter = match before {
            Some(b) => self.audit.range(..b.to_be_bytes()),
            None => self.audit.iter(),
        };
        let mut out = Vec::new();
        for item in iter.rev() {
            if out.len() == limit {
                break;
            }
            let (_, v) = item?;
            let entry: AuditEntry = from_json(&v)?;
            if &entry.municipality == municipality {
                out.push(entry);
            }
        }
        Ok(out)
    }

    fn ledger_len(&self) -> Result<usize, StoreError> {
        Ok(self.data.scan_prefix(P_LEDGER).count())
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.raise_mark_file()
    }

    fn prune(
        &self,
        idempotency_before: Option<chrono::DateTime<chrono::Utc>>,
        audit_before: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<super::Pruned, StoreError> {
        let mut pruned = super::Pruned::default();
        if let Some(cutoff) = idempotency_before {
            let mut prefix = P_IDEMPOTENCY.to_vec();
            prefix.push(0);
            for item in bounded_order_only(self.data.scan_prefix(&prefix), "idempotency") {
                let (k, v) = item?;
                let record: IdempotencyRecord = from_json(&self.key.open(&k, &v)?)?;
                if record.decision.decided_at < cutoff {
                    self.data.remove(&k)?;
                    pruned.idempotency += 1;
                }
            }
        }
        if let Some(cutoff) = audit_before {
            // Sequence numbers grow with time: stop at the first entry young enough to keep.
            for item in bounded_order_only(self.audit.iter(), "audit") {
                let (k, v) = item?;
                let entry: AuditEntry = from_json(&v)?;
                if entry.at >= cutoff {
                    break;
                }
                self.audit.remove(&k)?;
                pruned.audit += 1;
            }
        }
        if pruned != super::Pruned::default() {
            self.flush()?;
        }
        Ok(pruned)
    }

    fn verify(&self) -> Result<super::verify::Report, StoreError> {
        SledStore::verify(self)
    }

    fn distributions(&self) -> &dyn crate::distribution::DistributionStore {
        self
    }

    fn chain_head(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
    ) -> Result<madoguchi_audit::ChainHead, StoreError> {
        crate::chains::head(&self.chains, m, terminal)
    }

    fn chain_entry(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        seq: u64,
    ) -> Result<Option<madoguchi_audit::AuditEntry>, StoreError> {
        crate::chains::entry(&self.chains, &self.key, m, terminal, seq)
    }

    fn chain_entries(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: u64,
        limit: usize,
    ) -> Result<Vec<madoguchi_audit::AuditEntry>, StoreError> {
        crate::chains::entries(&self.chains, &self.key, m, terminal, from, limit)
    }

    fn append_chain(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: madoguchi_audit::ChainHead,
        entries: &[madoguchi_audit::AuditEntry],
    ) -> Result<madoguchi_audit::ChainHead, StoreError> {
        crate::chains::append(&self.chains, &self.key, m, terminal, from, entries)
    }

    fn chain_terminals(&self, m: &MunicipalityCode) -> Result<Vec<String>, StoreError> {
        crate::chains::terminals(&self.chains, m)
    }

    fn add_chain_flag(
        &self,
        flag: madoguchi_protocol::v1::AuditChainFlag,
    ) -> Result<madoguchi_protocol::v1::AuditChainFlag, StoreError> {
        crate::chains::add_flag(&self.db, &self.chains, flag)
    }

    fn chain_flags(
        &self,
        m: &MunicipalityCode,
    ) -> Result<Vec<madoguchi_protocol::v1::AuditChainFlag>, StoreError> {
        crate::chains::flags(&self.chains, m)
    }

    fn chain_candidates(
        &self,
        m: &MunicipalityCode,
        index: &crate::chains::ChainIndex,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        crate::chains::candidates(&self.chains, &self.key, m, index)
    }
}
