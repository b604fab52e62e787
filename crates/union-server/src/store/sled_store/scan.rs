//! Walks over the sled tree that refuse damage instead of running on, and the ledger mark.

use serde::{Deserialize, Serialize};

use super::{K_LEDGER_MARK, MAX_INDEX_WALK, from_json};
use crate::store::StoreError;

/// A sled scan that ends with an error (and then stops) when its keys stop increasing or it walks more
/// than [`MAX_INDEX_WALK`] entries.
pub(crate) fn bounded<I>(
    iter: I,
    what: &'static str,
) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>>
where
    I: Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
{
    let mut last: Option<sled::IVec> = None;
    let mut seen = 0usize;
    let mut failed = false;
    iter.map_while(move |item| {
        if failed {
            return None;
        }
        seen += 1;
        let checked = match item {
            Err(e) => Err(StoreError::from(e)),
            Ok(_) if seen > MAX_INDEX_WALK => Err(StoreError::Corrupt(format!(
                "{what}: walk longer than {MAX_INDEX_WALK} entries"
            ))),
            Ok((k, v)) => {
                if last.as_ref().is_some_and(|l| l.as_ref() >= k.as_ref()) {
                    Err(StoreError::Corrupt(format!("{what}: keys out of order")))
                } else {
                    last = Some(k.clone());
                    Ok((k, v))
                }
            }
        };
        failed = checked.is_err();
        Some(checked)
    })
}

/// Like [`bounded`] without the length limit, for walks that visit every record of a kind.
pub(crate) fn bounded_order_only<I>(
    iter: I,
    what: &'static str,
) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>>
where
    I: Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
{
    let mut last: Option<sled::IVec> = None;
    let mut failed = false;
    iter.map_while(move |item| {
        if failed {
            return None;
        }
        let checked = match item {
            Err(e) => Err(StoreError::from(e)),
            Ok((k, v)) => {
                if last.as_ref().is_some_and(|l| l.as_ref() >= k.as_ref()) {
                    Err(StoreError::Corrupt(format!("{what}: keys out of order")))
                } else {
                    last = Some(k.clone());
                    Ok((k, v))
                }
            }
        };
        failed = checked.is_err();
        Some(checked)
    })
}

/// The ledger's count and an order-free digest of its entries (the wrapping sum of a hash of each key and
/// stored value), so that a lost, added or altered entry shows whatever order the keys have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LedgerMark {
    pub(crate) count: u64,
    pub(crate) digest: u128,
}

impl LedgerMark {
    pub(crate) fn from_sealed(
        key: &crate::crypt::StoreKey,
        sealed: &[u8],
    ) -> Result<Self, StoreError> {
        from_json(&key.open(K_LEDGER_MARK, sealed)?)
    }

    /// The mark with one more entry.
    pub(crate) fn with(self, k: &[u8], stored: &[u8]) -> Self {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update((k.len() as u64).to_be_bytes());
        h.update(k);
        h.update(stored);
        let d = h.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&d[..16]);
        LedgerMark {
            count: self.count + 1,
            digest: self.digest.wrapping_add(u128::from_be_bytes(first)),
        }
    }
}
