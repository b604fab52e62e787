//! Storage of the union server behind one narrow trait, [`UnionStore`]: the embedded default
//! ([`SledStore`]) or PostgreSQL ([`PgStore`]).
//!
//! - [`records`]: what is stored (residents, documents, staff, ledger, idempotency records);
//! - this module: the trait, its errors and the commit unit;
//! - `sled_store`: the embedded implementation (sealed values, blinded index keys), distributions in its
//!   `distribution` module;
//! - `pg_store`: the PostgreSQL implementation ([`PgStore`]: sealed rows, blind index columns, versioned
//!   migrations), for a union at prefecture scale;
//! - `location`: which of the two a union uses ([`StoreLocation`], `--store`).
//! - [`verify`]: the check of a whole store at start (every record opens under the key, indexes match).
//!
//! Every change a decided notification makes (resident, documents, the decision ledger entry and the
//! idempotency record) goes through [`UnionStore::commit`] as one atomic unit: either all of it is stored or
//! none. Records are JSON values; their `Debug` shows ids only.

use madoguchi_domain::Date;
use madoguchi_domain::ids::{AddresseeNumber, InsuredNumber, MunicipalityCode};
use madoguchi_domain::kana::SeionKey;
use madoguchi_protocol::v1::{AuditEntry, DocumentId, ResidentId};
use uuid::Uuid;

pub mod copy;
mod location;
mod pg_store;
pub mod records;
mod sled_store;
pub mod verify;

pub use location::{STORE_ENV, StoreLocation};
pub use pg_store::{PgLocation, PgStore, SCHEMA_VERSION};
pub use records::{
    BurdenAssessment, DocumentRecord, IdempotencyRecord, IncomeRecord, LedgerEntry, PendingReview,
    QualificationRecord, ResidentRecord, StaffRecord,
};
pub use sled_store::SledStore;
pub use verify::Report as VerifyReport;

impl StoreError {
    /// What the union's operator reads when the server refuses to start on this store.
    pub fn message_ja(&self) -> String {
        match self {
            StoreError::WrongKey => "ストアの鍵（store.key）がこのデータと一致しません。別の鍵ファイルが指定されていないか確認してください。起動を中止しました。".into(),
            StoreError::Damaged(d) => format!(
                "データストアに破損が見つかったため起動を中止しました。バックアップから復元してください。\n{}",
                d.message_ja()
            ),
            StoreError::SchemaTooNew { found, known } => format!(
                "データベースの形式（版{found}）がこのプログラムの知る版（{known}まで）より新しいため起動を中止しました。新しい版のプログラムを使ってください。"
            ),
            StoreError::SchemaBehind { found, known } => format!(
                "データベースの形式（版{found}）が古いままです（このプログラムは版{known}）。madoguchi-union migrate を実行してください。"
            ),
            _ => "データストアを開けませんでした。".into(),
        }
    }
}

/// Storage failures. Never carries record contents.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage backend failed (I/O, sled); the backend's message only.
    #[error("storage error: {0}")]
    Backend(String),
    /// A value could not be encoded, or a stored one not opened or parsed.
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
    /// Another commit stored the same idempotency key first.
    #[error("the idempotency key was committed concurrently")]
    IdempotencyRace,
    /// No unused 被保険者番号 (insured number) is left to allocate.
    #[error("被保険者番号 space exhausted")]
    InsuredNumbersExhausted,
    /// The store key file could not be read or has the wrong form.
    #[error("store key: {0}")]
    Key(String),
    /// The store key does not open this store (another union's key, or a replaced key file).
    #[error("the store key does not match this store (wrong store.key)")]
    WrongKey,
    /// The PostgreSQL database was migrated by a newer release than this binary.
    #[error("the database schema is version {found}; this binary knows up to {known}")]
    SchemaTooNew {
        /// The version the database records.
        found: i32,
        /// The newest version this binary knows.
        known: i32,
    },
    /// The PostgreSQL database lacks migrations this binary has, and was opened without migrating.
    #[error("the database schema is version {found}; this binary needs {known} (run `migrate`)")]
    SchemaBehind {
        /// The version the database records.
        found: i32,
        /// The version this binary needs.
        known: i32,
    },
    /// The check at start found damage ([`verify`]).
    #[error("the store is damaged: {0}")]
    Damaged(#[source] verify::Damages),
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// Everything one decided notification (or one 交付/回収 record) changes, stored atomically.
#[derive(Default)]
pub struct Commit {
    /// Residents to store (replacing those with the same id).
    pub residents: Vec<ResidentRecord>,
    /// Documents to store (replacing those with the same id).
    pub documents: Vec<DocumentRecord>,
    /// The decision ledger entry to append, when a notification was decided.
    pub ledger: Option<LedgerEntry>,
    /// The idempotency record to keep under (municipality, key).
    pub idempotency: Option<(MunicipalityCode, Uuid, IdempotencyRecord)>,
    /// The idempotency record replaces the one stored under its key (a later decision on a notification
    /// that was under review, [`crate::review`]) instead of failing with [`StoreError::IdempotencyRace`].
    pub replace_idempotency: bool,
}

/// Search criteria, all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct ResidentQuery {
    /// 被保険者番号 (insured number), exact.
    pub insured_number: Option<InsuredNumber>,
    /// Start of the カナ氏名 (kana name), as a 清音化 search key.
    pub kana_prefix: Option<SeionKey>,
    /// 生年月日 (date of birth), exact.
    pub birth_date: Option<Date>,
}

/// What one retention run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Idempotency records removed.
    pub idempotency: u64,
    /// Audit entries removed.
    pub audit: u64,
}

/// The narrow storage interface of the union server.
pub trait UnionStore: Send + Sync + 'static {
    /// The resident with this id.
    fn resident(&self, id: ResidentId) -> Result<Option<ResidentRecord>, StoreError>;
    /// The resident with this 宛名番号 (addressee number) in one municipality.
    fn resident_by_addressee(
        &self,
        municipality: &MunicipalityCode,
        addressee: &AddresseeNumber,
    ) -> Result<Option<ResidentRecord>, StoreError>;
    /// The resident holding a 被保険者番号, in any municipality of the union (a 県内転居 keeps the number).
    fn resident_by_insured_number(
        &self,
        number: &InsuredNumber,
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
    /// Calls `each` with every resident of every municipality, one at a time (the daily job over the whole
    /// union without holding it in memory).
    fn each_resident(
        &self,
        each: &mut dyn FnMut(ResidentRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// The document with this id.
    fn document(&self, id: DocumentId) -> Result<Option<DocumentRecord>, StoreError>;
    /// 所得情報 of one resident for one 年度 (賦課年度), when the union holds it.
    fn income(
        &self,
        resident: ResidentId,
        fiscal_year: i32,
    ) -> Result<Option<IncomeRecord>, StoreError>;
    /// Stores 所得情報 (replacing those of the same resident and 年度), all or none.
    fn put_incomes(&self, incomes: &[IncomeRecord]) -> Result<(), StoreError>;
    /// The staff user with this user id.
    fn staff(&self, user_id: &str) -> Result<Option<StaffRecord>, StoreError>;
    /// Stores a staff record (replacing the one with the same user id).
    fn put_staff(&self, staff: &StaffRecord) -> Result<(), StoreError>;
    /// Every staff record, ordered by user id.
    fn all_staff(&self) -> Result<Vec<StaffRecord>, StoreError>;
    /// The idempotency record kept under a key of one municipality.
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
    /// Removes idempotency records decided before `idempotency_before` and audit entries before
    /// `audit_before` (`None`: keep them all).
    fn prune(
        &self,
        idempotency_before: Option<chrono::DateTime<chrono::Utc>>,
        audit_before: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Pruned, StoreError>;
    /// Checks the whole store before serving ([`verify`]): refuses damage instead of serving around it.
    fn verify(&self) -> Result<verify::Report, StoreError>;
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
