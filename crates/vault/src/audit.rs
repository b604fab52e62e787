//! Room for the audit chain: sealed, numbered, append-only records. What a record contains and how
//! records are chained (hashes, signatures) and shipped to the union is the security layer's job; the
//! vault only keeps them encrypted, durable and in order.

use zeroize::Zeroizing;

use crate::backend::{Applied, Batch, Tree};
use crate::error::{Result, VaultError};
use crate::vault::{META_AUDIT_NEXT, Vault, read_u64};

/// Where the anchor of a pruned chain is kept (a name no setting can take: settings use `[a-z0-9._-]`).
const AUDIT_ANCHOR: &[u8] = b"audit/anchor";

/// Handle on the audit records of a [`Vault`].
#[derive(Clone)]
pub struct AuditLog {
    vault: Vault,
}

impl Vault {
    /// The audit log of this vault.
    pub fn audit_log(&self) -> AuditLog {
        AuditLog {
            vault: self.clone(),
        }
    }
}

impl AuditLog {
    /// Append a record; returns its number (from 1, gap-free). Durable before it returns.
    pub fn append(&self, record: &[u8]) -> Result<u64> {
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        loop {
            let (n, raw) = read_u64(inner.backend.as_ref(), META_AUDIT_NEXT)?.ok_or_else(|| {
                VaultError::CorruptMeta {
                    detail: "audit counter missing".into(),
                }
            })?;
            let key = n.to_be_bytes();
            let next = n.checked_add(1).ok_or_else(|| VaultError::CorruptMeta {
                detail: "audit counter exhausted".into(),
            })?;
            let mut b = Batch::new();
            b.expect(Tree::Meta, META_AUDIT_NEXT, Some(&raw))
                .expect(Tree::Audit, &key, None)
                .put(Tree::Meta, META_AUDIT_NEXT, next.to_be_bytes().to_vec())
                .put(Tree::Audit, &key, inner.seal(Tree::Audit, &key, record)?);
            if inner.backend.apply(&b)? == Applied::Yes {
                inner.flush()?;
                return Ok(n);
            }
            if read_u64(inner.backend.as_ref(), META_AUDIT_NEXT)?.map(|(m, _)| m) == Some(n) {
                return Err(VaultError::CorruptMeta {
                    detail: format!("audit record {n} already exists"),
                });
            }
        }
    }

    /// Records with number ≥ `from`, at most `limit`, in order.
    pub fn read_from(&self, from: u64, limit: usize) -> Result<Vec<(u64, Zeroizing<Vec<u8>>)>> {
        let inner = &self.vault.inner;
        inner
            .backend
            .scan_from(Tree::Audit, &from.to_be_bytes(), limit)?
            .into_iter()
            .map(|(k, v)| {
                let n = <[u8; 8]>::try_from(k.as_slice())
                    .map(u64::from_be_bytes)
                    .map_err(|_| VaultError::CorruptRecord {
                        tree: Tree::Audit.name(),
                        record: "malformed key".into(),
                    })?;
                Ok((n, inner.open(Tree::Audit, &k, &v)?))
            })
            .collect()
    }

    /// The anchor stored by the last [`AuditLog::prune_through`]: what the first kept record links to.
    pub fn anchor(&self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let inner = &self.vault.inner;
        match inner.backend.get(Tree::Settings, AUDIT_ANCHOR)? {
            Some(sealed) => Ok(Some(inner.open(Tree::Settings, AUDIT_ANCHOR, &sealed)?)),
            None => Ok(None),
        }
    }

    /// Removes records up to and including `through` and stores `anchor` (sealed) in the same atomic
    /// write, so the chain kept on the terminal always starts from a known link.
    pub fn prune_through(&self, through: u64, anchor: &[u8]) -> Result<usize> {
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut b = Batch::new();
        let mut n = 0;
        for (k, _) in inner.backend.scan(Tree::Audit, b"")? {
            match <[u8; 8]>::try_from(k.as_slice()).map(u64::from_be_bytes) {
                Ok(i) if i <= through => {
                    b.remove(Tree::Audit, &k);
                    n += 1;
                }
                _ => break,
            }
        }
        b.put(
            Tree::Settings,
            AUDIT_ANCHOR,
            inner.seal(Tree::Settings, AUDIT_ANCHOR, anchor)?,
        );
        inner.backend.apply(&b)?;
        inner.flush()?;
        Ok(n)
    }

    /// Remove records up to and including `through` (after the union confirmed it holds them).
    pub fn remove_through(&self, through: u64) -> Result<usize> {
        let inner = &self.vault.inner;
        let mut b = Batch::new();
        let mut n = 0;
        for (k, _) in inner.backend.scan(Tree::Audit, b"")? {
            match <[u8; 8]>::try_from(k.as_slice()).map(u64::from_be_bytes) {
                Ok(i) if i <= through => {
                    b.remove(Tree::Audit, &k);
                    n += 1;
                }
                _ => break,
            }
        }
        inner.backend.apply(&b)?;
        inner.flush()?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use crate::vault::tests::fresh;

    #[test]
    fn pruning_keeps_the_anchor_with_the_rest_and_numbering_goes_on() {
        let (_d, _k, v) = fresh();
        let a = v.audit_log();
        assert!(a.anchor().unwrap().is_none());
        for r in [b"one", b"two", b"six"] {
            a.append(r).unwrap();
        }
        assert_eq!(a.prune_through(2, b"head-of-two").unwrap(), 2);
        assert_eq!(&a.anchor().unwrap().unwrap()[..], b"head-of-two");
        let kept: Vec<u64> = a
            .read_from(0, 10)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(kept, vec![3]);
        assert_eq!(a.append(b"four").unwrap(), 4);
        // A later prune moves the anchor; the settings API cannot reach it by name.
        assert_eq!(a.prune_through(3, b"head-of-three").unwrap(), 1);
        assert_eq!(&a.anchor().unwrap().unwrap()[..], b"head-of-three");
        assert!(v.settings().get::<String>("audit/anchor").is_err());
    }
}
