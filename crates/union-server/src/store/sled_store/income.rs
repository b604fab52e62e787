//! 所得情報 ([`IncomeRecord`]) on the sled store: `y/<resident id>/<年度>`, sealed like every record that
//! holds personal data. Written by the seeder until the file-linkage issue brings the municipalities' 所得
//! files; read by the 8/1 負担割合 判定 and the 保険料 ([`crate::reassess`]).

use super::{SledStore, StoreError, key};
use crate::store::IncomeRecord;
use madoguchi_protocol::v1::ResidentId;

/// Key prefix of income records (checked at start by `check.rs`).
pub(super) const P_INCOME: &[u8] = b"y/";

fn income_key(resident: ResidentId, fiscal_year: i32) -> Vec<u8> {
    key(&[P_INCOME, resident.0.as_bytes(), &fiscal_year.to_be_bytes()])
}

impl SledStore {
    pub(super) fn income_record(
        &self,
        resident: ResidentId,
        fiscal_year: i32,
    ) -> Result<Option<IncomeRecord>, StoreError> {
        self.get_sealed(&income_key(resident, fiscal_year))
    }

    pub(super) fn put_income_records(&self, incomes: &[IncomeRecord]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for i in incomes {
            let k = income_key(i.resident_id, i.fiscal_year);
            let v = self.seal_json(&k, i)?;
            batch.insert(k, v);
        }
        self.data.apply_batch(batch)?;
        Ok(())
    }
}
