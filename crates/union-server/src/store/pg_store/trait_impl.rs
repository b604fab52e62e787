//! [`UnionStore`] for [`PgStore`]: each method is one of the inherent methods in the sibling modules.

use madoguchi_domain::ids::{AddresseeNumber, InsuredNumber, MunicipalityCode};
use madoguchi_protocol::v1::{AuditEntry, DocumentId, ResidentId};
use uuid::Uuid;

use super::PgStore;
use crate::store::{
    Commit, DocumentRecord, IdempotencyRecord, IncomeRecord, Pruned, ResidentQuery, ResidentRecord,
    StaffRecord, StoreError, UnionStore, verify,
};

impl UnionStore for PgStore {
    fn resident(&self, id: ResidentId) -> Result<Option<ResidentRecord>, StoreError> {
        self.get_resident(id)
    }

    fn resident_by_addressee(
        &self,
        municipality: &MunicipalityCode,
        addressee: &AddresseeNumber,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        self.by_addressee(municipality, addressee)
    }

    fn resident_by_insured_number(
        &self,
        number: &InsuredNumber,
    ) -> Result<Option<ResidentRecord>, StoreError> {
        self.by_insured_number(number)
    }

    fn search_residents(
        &self,
        municipality: &MunicipalityCode,
        query: &ResidentQuery,
        limit: usize,
    ) -> Result<(Vec<ResidentRecord>, bool), StoreError> {
        self.search(municipality, query, limit)
    }

    fn residents_of(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<ResidentRecord>, StoreError> {
        self.residents_in(municipality)
    }

    fn each_resident(
        &self,
        each: &mut dyn FnMut(ResidentRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.walk_residents(each)
    }

    fn document(&self, id: DocumentId) -> Result<Option<DocumentRecord>, StoreError> {
        self.get_document(id)
    }

    fn income(
        &self,
        resident: ResidentId,
        fiscal_year: i32,
    ) -> Result<Option<IncomeRecord>, StoreError> {
        self.get_income(resident, fiscal_year)
    }

    fn put_incomes(&self, incomes: &[IncomeRecord]) -> Result<(), StoreError> {
        self.store_incomes(incomes)
    }

    fn staff(&self, user_id: &str) -> Result<Option<StaffRecord>, StoreError> {
        self.get_staff(user_id)
    }

    fn put_staff(&self, staff: &StaffRecord) -> Result<(), StoreError> {
        self.store_staff(staff)
    }

    fn all_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        self.every_staff()
    }

    fn idempotency(
        &self,
        municipality: &MunicipalityCode,
        key: Uuid,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.get_idempotency(municipality, key)
    }

    fn allocate_insured_number(&self) -> Result<InsuredNumber, StoreError> {
        self.next_insured_number()
    }

    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        self.store_commit(commit)
    }

    fn append_audit(&self, entry: AuditEntry) -> Result<u64, StoreError> {
        self.insert_audit(entry)
    }

    fn audit(
        &self,
        municipality: &MunicipalityCode,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_page(municipality, before, limit)
    }

    fn ledger_len(&self) -> Result<usize, StoreError> {
        self.count_ledger()
    }

    /// Nothing to do: a PostgreSQL commit is durable when it returns (synchronous_commit).
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn prune(
        &self,
        idempotency_before: Option<chrono::DateTime<chrono::Utc>>,
        audit_before: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Pruned, StoreError> {
        self.prune_before(idempotency_before, audit_before)
    }

    fn verify(&self) -> Result<verify::Report, StoreError> {
        self.check_all()
    }

    fn distributions(&self) -> &dyn crate::distribution::DistributionStore {
        self
    }

    fn chain_head(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
    ) -> Result<madoguchi_audit::ChainHead, StoreError> {
        self.head_of(m, terminal)
    }

    fn chain_entry(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        seq: u64,
    ) -> Result<Option<madoguchi_audit::AuditEntry>, StoreError> {
        self.chain_entry_at(m, terminal, seq)
    }

    fn chain_entries(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: u64,
        limit: usize,
    ) -> Result<Vec<madoguchi_audit::AuditEntry>, StoreError> {
        self.chain_entries_from(m, terminal, from, limit)
    }

    fn append_chain(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: madoguchi_audit::ChainHead,
        entries: &[madoguchi_audit::AuditEntry],
    ) -> Result<madoguchi_audit::ChainHead, StoreError> {
        self.append_chain_entries(m, terminal, from, entries)
    }

    fn chain_terminals(&self, m: &MunicipalityCode) -> Result<Vec<String>, StoreError> {
        self.terminals_of(m)
    }

    fn add_chain_flag(
        &self,
        flag: madoguchi_protocol::v1::AuditChainFlag,
    ) -> Result<madoguchi_protocol::v1::AuditChainFlag, StoreError> {
        self.keep_flag(flag)
    }

    fn chain_flags(
        &self,
        m: &MunicipalityCode,
    ) -> Result<Vec<madoguchi_protocol::v1::AuditChainFlag>, StoreError> {
        self.flags_of(m)
    }

    fn chain_candidates(
        &self,
        m: &MunicipalityCode,
        index: &crate::chains::ChainIndex,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        self.candidates_for(m, index)
    }
}
