//! Storage of the union server behind one narrow trait, [`UnionStore`], so that PostgreSQL can follow the
//! embedded default ([`SledStore`]).
//!
//! Every change a decided notification makes (resident, documents, the decision ledger entry and the
//! idempotency record) goes through [`UnionStore::commit`] as one atomic unit: either all of it is stored or
//! none. Records are JSON values; their `Debug` shows ids only.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::eligibility::Reason;
use madoguchi_domain::ids::{
    AddresseeNumber, HouseholdNumber, InsuredNumber, InsurerNumber, MunicipalityCode, MyNumber,
};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex};
use madoguchi_domain::kana::{KanaName, PersonName, SeionKey};
use madoguchi_protocol::v1::{
    AuditEntry, DocumentId, DocumentState, IssuanceRecord, MailingAddress, NotificationDecision,
    ResidentId, ReturnRecord, Role,
};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use uuid::Uuid;

/// Storage failures. Never carries record contents.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage error: {0}")]
    Backend(String),
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
    #[error("the idempotency key was committed concurrently")]
    IdempotencyRace,
    #[error("被保険者番号 space exhausted")]
    InsuredNumbersExhausted,
    #[error("store key: {0}")]
    Key(String),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// The union's qualification record of one resident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationRecord {
    pub insured_number: InsuredNumber,
    pub acquired_on: Date,
    pub lost_on: Option<Date>,
    pub reason: Reason,
}

/// A resident as the union knows them (from 住基 files and counter notifications).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentRecord {
    pub id: ResidentId,
    pub municipality: MunicipalityCode,
    pub addressee: AddresseeNumber,
    pub household: HouseholdNumber,
    pub name: PersonName,
    pub kana: KanaName,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
    pub mailing_address: Option<MailingAddress>,
    pub my_number: Option<MyNumber>,
    pub on_welfare: bool,
    pub disability_certified_on: Option<Date>,
    pub mynumber_health_card: bool,
    pub moved_in_on: Option<Date>,
    pub moved_out_on: Option<Date>,
    pub died_on: Option<Date>,
    /// 一部負担金の割合 from the latest income assessment.
    pub burden_ratio: BurdenRatio,
    pub limit_category: Option<LimitCategory>,
    pub long_term_hospitalization_on: Option<Date>,
    /// The insured number stays with the person even after a loss (reused on a new acquisition).
    pub insured_number: Option<InsuredNumber>,
    pub qualification: Option<QualificationRecord>,
    /// Newest last.
    pub documents: Vec<DocumentId>,
}

impl fmt::Debug for ResidentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentRecord({}, {})", self.id, self.municipality)
    }
}

impl ResidentRecord {
    /// Insured now (acquired and not lost).
    pub fn active_qualification(&self) -> Option<&QualificationRecord> {
        self.qualification.as_ref().filter(|q| q.lost_on.is_none())
    }
}

/// One document, with the facts printed on it frozen at decision time.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub id: DocumentId,
    pub resident_id: ResidentId,
    pub municipality: MunicipalityCode,
    pub kind: DocumentKind,
    pub insured_number: InsuredNumber,
    pub insurer_number: InsurerNumber,
    pub name: PersonName,
    pub kana: KanaName,
    pub birth_date: Date,
    pub sex: Sex,
    pub acquired_on: Date,
    pub valid_from: Date,
    pub valid_until: Date,
    pub issue_date: Date,
    pub burden_ratio: BurdenRatio,
    pub limit_category: Option<LimitCategory>,
    pub long_term_hospitalization_on: Option<Date>,
    pub mailing_address: Option<MailingAddress>,
    pub state: DocumentState,
    pub issuance: Option<IssuanceRecord>,
    pub returned: Option<ReturnRecord>,
}

impl fmt::Debug for DocumentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentRecord({}, {:?})", self.id, self.state)
    }
}

/// A staff user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecord {
    pub user_id: String,
    pub display_name: String,
    pub municipality: MunicipalityCode,
    pub roles: Vec<Role>,
    pub my_number_permission: bool,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// 失効: the ID was revoked (transfer, retirement; N:3951–3954). Kept, never reused.
    #[serde(default)]
    pub disabled: bool,
    /// Rights with validity periods (see `crate::accounts`); `roles` and `my_number_permission` above are
    /// rights without a period (older records, the CLI, training accounts).
    #[serde(default)]
    pub grants: Vec<madoguchi_protocol::v1::Grant>,
    /// Set at creation and on an administrator's reset: the next sign-in must change the password first.
    #[serde(default)]
    pub must_change_password: Option<madoguchi_protocol::v1::PasswordChangeReason>,
    /// When the password was last set (none for older records: their age is unknown, so it never expires).
    #[serde(default)]
    pub password_changed_at: Option<DateTime<Utc>>,
    /// Argon2id PHC strings of earlier passwords, newest first (the reuse rule).
    #[serde(default)]
    pub password_history: Vec<String>,
    /// When the account was revoked.
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for StaffRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StaffRecord({})", self.user_id)
    }
}

/// What is kept for an idempotency key: the fingerprint of the request and the decision answered.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// SHA-256 of the canonical request JSON, hex.
    pub request_hash: String,
    pub decision: NotificationDecision,
}

/// Entry of the insert-only decision ledger.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub decision: NotificationDecision,
    pub terminal_id: String,
    pub user_id: String,
    pub received_on: Date,
}

/// Everything one decided notification (or one 交付/回収 record) changes, stored atomically.
#[derive(Default)]
pub struct Commit {
    pub residents: Vec<ResidentRecord>,
    pub documents: Vec<DocumentRecord>,
    pub ledger: Option<LedgerEntry>,
    pub idempotency: Option<(MunicipalityCode, Uuid, IdempotencyRecord)>,
}

/// Search criteria, all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct ResidentQuery {
    pub insured_number: Option<InsuredNumber>,
    pub kana_prefix: Option<SeionKey>,
    pub birth_date: Option<Date>,
}

/// The narrow storage interface of the union server.
pub trait UnionStore: Send + Sync + 'static {
    fn resident(&self, id: ResidentId) -> Result<Option<ResidentRecord>, StoreError>;
    fn resident_by_addressee(
        &self,
        municipality: &MunicipalityCode,
        addressee: &AddresseeNumber,
    ) -> Result<Option<ResidentRecord>, StoreError>;
    /// Residents of one municipality matching the query, at most `limit`, and whether there were more.
    fn search_residents(
        &self,
        municipality: &MunicipalityCode,
        query: &ResidentQuery,
        limit: usize,
    ) -> Result<(Vec<ResidentRecord>, bool), StoreError>;
    /// Every resident of one municipality (for the daily offline roster).
    fn residents_of(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<ResidentRecord>, StoreError>;
    fn document(&self, id: DocumentId) -> Result<Option<DocumentRecord>, StoreError>;
    fn staff(&self, user_id: &str) -> Result<Option<StaffRecord>, StoreError>;
    fn put_staff(&self, staff: &StaffRecord) -> Result<(), StoreError>;
    /// Every staff record, ordered by user id.
    fn all_staff(&self) -> Result<Vec<StaffRecord>, StoreError>;
    fn idempotency(
        &self,
        municipality: &MunicipalityCode,
        key: Uuid,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// Allocates the next unused 被保険者番号. Callers hold the server's write lock.
    fn allocate_insured_number(&self) -> Result<InsuredNumber, StoreError>;
    /// Stores a commit atomically. Fails with [`StoreError::IdempotencyRace`] if its idempotency key exists.
    fn commit(&self, commit: Commit) -> Result<(), StoreError>;
    /// Appends one audit entry (its `seq` is assigned here) and returns the sequence number.
    fn append_audit(&self, entry: AuditEntry) -> Result<u64, StoreError>;
    /// Audit entries of one municipality's terminals, newest first.
    fn audit(
        &self,
        municipality: &MunicipalityCode,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Number of ledger entries (decided notifications).
    fn ledger_len(&self) -> Result<usize, StoreError>;
    /// Makes everything committed so far durable.
    fn flush(&self) -> Result<(), StoreError>;
    /// Distributions (配信) and their ledger, kept beside the rest ([`crate::distribution`]).
    fn distributions(&self) -> &dyn crate::distribution::DistributionStore;

    // Terminal audit chains (crate::chains): entries shipped by terminals, heads, flags.
    /// The accepted head of a terminal's chain (empty when none was shipped).
    fn chain_head(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
    ) -> Result<madoguchi_audit::ChainHead, StoreError>;
    /// One stored entry of a terminal's chain.
    fn chain_entry(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        seq: u64,
    ) -> Result<Option<madoguchi_audit::AuditEntry>, StoreError>;
    /// Stored entries with seq ≥ `from`, at most `limit`, in chain order.
    fn chain_entries(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: u64,
        limit: usize,
    ) -> Result<Vec<madoguchi_audit::AuditEntry>, StoreError>;
    /// Stores verified entries continuing `from` and moves the head atomically.
    fn append_chain(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: madoguchi_audit::ChainHead,
        entries: &[madoguchi_audit::AuditEntry],
    ) -> Result<madoguchi_audit::ChainHead, StoreError>;
    /// Terminals of `m` that shipped a chain.
    fn chain_terminals(&self, m: &MunicipalityCode) -> Result<Vec<String>, StoreError>;
    /// Keeps a flag record (once per terminal, expected seq, found seq and kind); returns the kept record.
    fn add_chain_flag(
        &self,
        flag: madoguchi_protocol::v1::AuditChainFlag,
    ) -> Result<madoguchi_protocol::v1::AuditChainFlag, StoreError>;
    /// Flag records of `m`, newest first.
    fn chain_flags(
        &self,
        m: &MunicipalityCode,
    ) -> Result<Vec<madoguchi_protocol::v1::AuditChainFlag>, StoreError>;
    /// (terminal, seq) of the entries of `m` an index names (a superset: check each entry in full).
    fn chain_candidates(
        &self,
        m: &MunicipalityCode,
        index: &crate::chains::ChainIndex,
    ) -> Result<Vec<(String, u64)>, StoreError>;
}

#[path = "store_distribution.rs"]
mod distribution;

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
}

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

/// The first 被保険者番号 handed out by a fresh store.
const FIRST_INSURED_SERIAL: u32 = 10_000_001;

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
        Ok(SledStore {
            db,
            data,
            audit,
            key,
            chains,
        })
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

    fn resident_ids_with_prefix(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<ResidentId, StoreError>> + '_ {
        self.data.scan_prefix(prefix).map(|item| {
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
                Box::new(
                    self.resident_ids_with_prefix(&prefix)
                        .collect::<Vec<_>>()
                        .into_iter(),
                )
            } else if let Some(p) = &query.kana_prefix {
                let indexed: String = p.as_str().chars().take(KANA_PREFIX_INDEXED).collect();
                let prefix = self.kana_prefix_key(municipality, &indexed);
                Box::new(
                    self.resident_ids_with_prefix(&prefix)
                        .collect::<Vec<_>>()
                        .into_iter(),
                )
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
        for item in self.data.scan_prefix(&prefix) {
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

    fn document(&self, id: DocumentId) -> Result<Option<DocumentRecord>, StoreError> {
        self.get_sealed(&key(&[P_DOCUMENT, id.0.as_bytes()]))
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
                if tx.get(k)?.is_some() {
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
        Ok(())
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
