//! Cache of recently used residents and reference data. Entries expire — by default at the end of the
//! business day — and are keyed by a keyed hash of (namespace, key), so the key (e.g. a 被保険者番号)
//! never appears on disk.

use chrono::{DateTime, Days, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::backend::{Applied, Batch, Tree};
use crate::crypto::keyed_hash;
use crate::error::{Result, VaultError};
use crate::vault::Vault;

/// When a cache entry expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// End of the current business day (業務終了時刻 in [`crate::VaultConfig`]); after hours, midnight.
    EndOfBusinessDay,
    /// After a fixed time.
    After(Duration),
    /// At a given instant.
    At(DateTime<Utc>),
}

#[derive(Serialize, Deserialize)]
struct CacheRecord {
    expires_at: DateTime<Utc>,
    value: Vec<u8>,
}

impl Drop for CacheRecord {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

/// Handle on the cache of a [`Vault`].
#[derive(Clone)]
pub struct Cache {
    vault: Vault,
}

impl Vault {
    /// The cache of this vault.
    pub fn cache(&self) -> Cache {
        Cache {
            vault: self.clone(),
        }
    }
}

/// End of the business day containing `now`: today at `end` local time, or the next local midnight when
/// `now` is already past it (overtime work still expires the same calendar day).
pub fn end_of_business_day(
    now: DateTime<Utc>,
    end: NaiveTime,
    offset: FixedOffset,
) -> DateTime<Utc> {
    let local = now.with_timezone(&offset);
    let today_end = local.date_naive().and_time(end);
    let target = if local.naive_local() < today_end {
        today_end
    } else {
        local
            .date_naive()
            .checked_add_days(Days::new(1))
            .unwrap_or(local.date_naive())
            .and_time(NaiveTime::MIN)
    };
    offset
        .from_local_datetime(&target)
        .single()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(now)
}

impl Cache {
    fn key(&self, namespace: &str, key: &str) -> [u8; 32] {
        keyed_hash(
            &self.vault.inner.index_key,
            "cache",
            &[namespace.as_bytes(), key.as_bytes()],
        )
    }

    fn expiry_instant(&self, now: DateTime<Utc>, expiry: Expiry) -> DateTime<Utc> {
        let c = &self.vault.inner.config;
        match expiry {
            Expiry::EndOfBusinessDay => end_of_business_day(now, c.business_day_end, c.utc_offset),
            Expiry::After(d) => now.checked_add_signed(d).unwrap_or(now),
            Expiry::At(t) => t,
        }
    }

    /// Store `value` under (`namespace`, `key`). Flushed before returning.
    pub fn put(&self, namespace: &str, key: &str, value: &[u8], expiry: Expiry) -> Result<()> {
        self.put_at(Utc::now(), namespace, key, value, expiry)
    }

    /// [`Cache::put`] with an explicit clock.
    pub fn put_at(
        &self,
        now: DateTime<Utc>,
        namespace: &str,
        key: &str,
        value: &[u8],
        expiry: Expiry,
    ) -> Result<()> {
        if namespace.is_empty() {
            return Err(VaultError::InvalidInput("cache namespace is empty"));
        }
        let inner = &self.vault.inner;
        let k = self.key(namespace, key);
        let rec = CacheRecord {
            expires_at: self.expiry_instant(now, expiry),
            value: value.to_vec(),
        };
        let _w = inner.writing()?;
        let mut b = Batch::new();
        b.put(Tree::Cache, &k, inner.seal_value(Tree::Cache, &k, &rec)?);
        inner.backend.apply(&b)?;
        inner.flush()
    }

    /// The value, or `None` when absent or expired (an expired entry is erased on the way).
    pub fn get(&self, namespace: &str, key: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        self.get_at(Utc::now(), namespace, key)
    }

    /// [`Cache::get`] with an explicit clock.
    pub fn get_at(
        &self,
        now: DateTime<Utc>,
        namespace: &str,
        key: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let inner = &self.vault.inner;
        let k = self.key(namespace, key);
        let Some(raw) = inner.backend.get(Tree::Cache, &k)? else {
            return Ok(None);
        };
        let mut rec: CacheRecord = inner.open_value(Tree::Cache, &k, &raw)?;
        if rec.expires_at <= now {
            let _w = inner.writing()?;
            let mut b = Batch::new();
            b.expect(Tree::Cache, &k, Some(&raw))
                .remove(Tree::Cache, &k);
            inner.backend.apply(&b)?;
            inner.flush()?;
            return Ok(None);
        }
        Ok(Some(Zeroizing::new(std::mem::take(&mut rec.value))))
    }

    /// Removes one entry (no error when it is absent).
    pub fn remove(&self, namespace: &str, key: &str) -> Result<()> {
        let inner = &self.vault.inner;
        let k = self.key(namespace, key);
        let mut b = Batch::new();
        b.remove(Tree::Cache, &k);
        inner.backend.apply(&b)?;
        inner.flush()
    }

    /// Erase every expired entry. Returns how many were erased. A corrupt entry stops the sweep with an
    /// error and is left in place.
    pub fn purge_expired(&self) -> Result<usize> {
        self.purge_expired_at(Utc::now())
    }

    /// [`Cache::purge_expired`] with an explicit clock.
    pub fn purge_expired_at(&self, now: DateTime<Utc>) -> Result<usize> {
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut removed = 0;
        for (k, v) in inner.backend.scan(Tree::Cache, b"")? {
            let rec: CacheRecord = inner.open_value(Tree::Cache, &k, &v)?;
            if rec.expires_at <= now {
                let mut b = Batch::new();
                b.expect(Tree::Cache, &k, Some(&v)).remove(Tree::Cache, &k);
                if inner.backend.apply(&b)? == Applied::Yes {
                    removed += 1;
                }
            }
        }
        inner.flush()?;
        Ok(removed)
    }

    /// Erase the whole cache (e.g. at sign-off).
    pub fn clear(&self) -> Result<usize> {
        let inner = &self.vault.inner;
        let keys = inner.backend.scan(Tree::Cache, b"")?;
        let mut b = Batch::new();
        for (k, _) in &keys {
            b.remove(Tree::Cache, k);
        }
        inner.backend.apply(&b)?;
        inner.flush()?;
        Ok(keys.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jst() -> FixedOffset {
        madoguchi_domain::jst::offset()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn business_day_end_same_day_before_closing() {
        let end = NaiveTime::from_hms_opt(17, 15, 0).unwrap();
        assert_eq!(
            end_of_business_day(at("2026-11-20T09:00:00+09:00"), end, jst()),
            at("2026-11-20T17:15:00+09:00")
        );
    }

    #[test]
    fn business_day_end_after_hours_is_midnight() {
        let end = NaiveTime::from_hms_opt(17, 15, 0).unwrap();
        assert_eq!(
            end_of_business_day(at("2026-11-20T17:15:00+09:00"), end, jst()),
            at("2026-11-21T00:00:00+09:00")
        );
        // 23:30 UTC on the 19th is 08:30 JST on the 20th: the local date counts, not the UTC date.
        assert_eq!(
            end_of_business_day(at("2026-11-19T23:30:00Z"), end, jst()),
            at("2026-11-20T17:15:00+09:00")
        );
    }
}

#[cfg(test)]
mod store_tests {
    use super::*;
    use crate::vault::tests::fresh;

    #[test]
    fn expires_and_is_erased() {
        let (_d, _k, v) = fresh();
        let c = v.cache();
        let nine = DateTime::parse_from_rfc3339("2026-11-20T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc);
        c.put_at(
            nine,
            "resident",
            "10000001",
            b"v1",
            Expiry::EndOfBusinessDay,
        )
        .unwrap();
        c.put_at(
            nine,
            "ref",
            "limits",
            b"v2",
            Expiry::After(Duration::hours(48)),
        )
        .unwrap();
        assert_eq!(
            &c.get_at(nine, "resident", "10000001").unwrap().unwrap()[..],
            b"v1"
        );
        assert!(
            c.get_at(nine, "ref", "10000001").unwrap().is_none(),
            "namespaces are separate"
        );
        let evening = nine + Duration::hours(9);
        assert!(c.get_at(evening, "resident", "10000001").unwrap().is_none());
        assert_eq!(
            v.inner.backend.scan(Tree::Cache, b"").unwrap().len(),
            1,
            "expired entry erased on read"
        );
        assert_eq!(c.purge_expired_at(nine + Duration::hours(49)).unwrap(), 1);
        assert!(v.inner.backend.is_empty(Tree::Cache).unwrap());
    }

    #[test]
    fn settings_round_trip_and_names_checked() {
        let (_d, _k, v) = fresh();
        let s = v.settings();
        assert_eq!(s.get::<String>("printer.default").unwrap(), None);
        s.set("printer.default", &"CUPS-PDF".to_string()).unwrap();
        assert_eq!(
            s.get::<String>("printer.default").unwrap().as_deref(),
            Some("CUPS-PDF")
        );
        assert!(matches!(
            s.set("山田", &1u8),
            Err(VaultError::InvalidInput(_))
        ));
        s.remove("printer.default").unwrap();
        assert_eq!(s.get::<String>("printer.default").unwrap(), None);
    }

    #[test]
    fn audit_records_in_order() {
        let (_d, _k, v) = fresh();
        let a = v.audit_log();
        assert_eq!(a.append(b"one").unwrap(), 1);
        assert_eq!(a.append(b"two").unwrap(), 2);
        assert_eq!(a.append(b"three").unwrap(), 3);
        let from2: Vec<u64> = a
            .read_from(2, 10)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(from2, vec![2, 3]);
        assert_eq!(&a.read_from(1, 1).unwrap()[0].1[..], b"one");
        assert_eq!(a.remove_through(2).unwrap(), 2);
        assert_eq!(a.append(b"four").unwrap(), 4);
    }
}
