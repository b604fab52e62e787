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
    checked_walk(iter, what, Some(MAX_INDEX_WALK))
}

/// Like [`bounded`] without the length limit, for walks that visit every record of a kind.
pub(crate) fn bounded_order_only<I>(
    iter: I,
    what: &'static str,
) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec), StoreError>>
where
    I: Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
{
    checked_walk(iter, what, None)
}

/// The one walk behind both: keys must strictly increase (a damaged tree once yielded the same keys
/// forever), and there may be at most `limit` entries; the first fault is yielded as an error and ends it.
fn checked_walk<I>(
    iter: I,
    what: &'static str,
    limit: Option<usize>,
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
            Ok(_) if limit.is_some_and(|l| seen > l) => Err(StoreError::Corrupt(format!(
                "{what}: walk longer than {} entries",
                limit.unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(k: &[u8]) -> sled::Result<(sled::IVec, sled::IVec)> {
        Ok((sled::IVec::from(k), sled::IVec::from(&b""[..])))
    }

    #[test]
    fn a_walk_that_repeats_a_key_ends_with_an_error() {
        // What a damaged tree did: the same keys again and again, forever.
        let forever = std::iter::repeat_with(|| kv(b"rk/a")).take(1_000_000);
        let out: Vec<_> = bounded_order_only(forever, "test").collect();
        assert_eq!(out.len(), 2);
        assert!(out[0].is_ok());
        assert!(matches!(&out[1], Err(StoreError::Corrupt(m)) if m.contains("out of order")));
    }

    #[test]
    fn a_walk_longer_than_the_bound_ends_with_an_error() {
        let keys = (0..(MAX_INDEX_WALK as u64 + 10)).map(|i| kv(&i.to_be_bytes()));
        let out: Vec<_> = bounded(keys, "test").collect();
        assert_eq!(out.len(), MAX_INDEX_WALK + 1);
        assert!(out[..MAX_INDEX_WALK].iter().all(Result::is_ok));
        assert!(
            matches!(&out[MAX_INDEX_WALK], Err(StoreError::Corrupt(m)) if m.contains("longer"))
        );
    }
}
