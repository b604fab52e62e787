//! Approved distribution content (配信): the pages a terminal fetched from the union, sealed, so that a batch
//! (printing, mailing list, export) can run and resume without the line. The vault stores opaque bytes; what
//! they mean (records, the approved hash) is the counter's business.
//!
//! Per distribution (keyed by its opaque 16-byte id, which identifies no person): numbered pages
//! (`p || id || page`), written as they arrive so an interrupted fetch resumes, and one manifest
//! (`m || id`) the counter writes once every page is there and checked. Every write is durable before it
//! returns; [`Distributions::remove`] erases the whole distribution.

use zeroize::Zeroizing;

use crate::backend::{Batch, Tree};
use crate::error::{Result, VaultError};
use crate::vault::Vault;

/// The opaque id of a distribution (a UUID's 16 bytes).
pub type DistributionContentId = [u8; 16];

const MANIFEST: u8 = b'm';
const PAGE: u8 = b'p';

fn manifest_key(id: &DistributionContentId) -> Vec<u8> {
    let mut k = Vec::with_capacity(17);
    k.push(MANIFEST);
    k.extend_from_slice(id);
    k
}

fn page_prefix(id: &DistributionContentId) -> Vec<u8> {
    let mut k = Vec::with_capacity(21);
    k.push(PAGE);
    k.extend_from_slice(id);
    k
}

fn page_key(id: &DistributionContentId, page: u32) -> Vec<u8> {
    let mut k = page_prefix(id);
    k.extend_from_slice(&page.to_be_bytes());
    k
}

/// Handle on the distribution content of a [`Vault`].
#[derive(Clone)]
pub struct Distributions {
    vault: Vault,
}

impl Vault {
    /// Approved distribution content.
    pub fn distributions(&self) -> Distributions {
        Distributions {
            vault: self.clone(),
        }
    }
}

impl Distributions {
    fn write(&self, batch: &Batch) -> Result<()> {
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        inner.backend.apply(batch)?;
        inner.flush()
    }

    /// Stores page `page` of a distribution (replacing one of that number). Durable before it returns.
    pub fn put_page(&self, id: &DistributionContentId, page: u32, bytes: &[u8]) -> Result<()> {
        let k = page_key(id, page);
        let sealed = self.vault.inner.seal(Tree::Distribution, &k, bytes)?;
        let mut b = Batch::new();
        b.put(Tree::Distribution, &k, sealed);
        self.write(&b)
    }

    /// Every stored page of a distribution, in page order.
    pub fn pages(&self, id: &DistributionContentId) -> Result<Vec<(u32, Zeroizing<Vec<u8>>)>> {
        let inner = &self.vault.inner;
        let prefix = page_prefix(id);
        inner
            .backend
            .scan(Tree::Distribution, &prefix)?
            .into_iter()
            .map(|(k, v)| {
                let n = k
                    .get(prefix.len()..)
                    .and_then(|t| <[u8; 4]>::try_from(t).ok())
                    .map(u32::from_be_bytes)
                    .ok_or_else(|| VaultError::CorruptRecord {
                        tree: Tree::Distribution.name(),
                        record: "malformed page key".into(),
                    })?;
                Ok((n, inner.open(Tree::Distribution, &k, &v)?))
            })
            .collect()
    }

    /// Writes the manifest of a distribution. Durable before it returns.
    pub fn put_manifest(&self, id: &DistributionContentId, bytes: &[u8]) -> Result<()> {
        let k = manifest_key(id);
        let sealed = self.vault.inner.seal(Tree::Distribution, &k, bytes)?;
        let mut b = Batch::new();
        b.put(Tree::Distribution, &k, sealed);
        self.write(&b)
    }

    /// The manifest, when one was written.
    pub fn manifest(&self, id: &DistributionContentId) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let inner = &self.vault.inner;
        let k = manifest_key(id);
        match inner.backend.get(Tree::Distribution, &k)? {
            Some(v) => Ok(Some(inner.open(Tree::Distribution, &k, &v)?)),
            None => Ok(None),
        }
    }

    /// Ids of the distributions with a manifest.
    pub fn list(&self) -> Result<Vec<DistributionContentId>> {
        Ok(self
            .vault
            .inner
            .backend
            .scan(Tree::Distribution, &[MANIFEST])?
            .into_iter()
            .filter_map(|(k, _)| k.get(1..).and_then(|t| <[u8; 16]>::try_from(t).ok()))
            .collect())
    }

    /// Erases a distribution: its manifest and every page. Returns the number of values removed.
    pub fn remove(&self, id: &DistributionContentId) -> Result<usize> {
        let inner = &self.vault.inner;
        let mut b = Batch::new();
        let mut n = 0;
        for (k, _) in inner.backend.scan(Tree::Distribution, &page_prefix(id))? {
            b.remove(Tree::Distribution, &k);
            n += 1;
        }
        let mk = manifest_key(id);
        if inner.backend.get(Tree::Distribution, &mk)?.is_some() {
            b.remove(Tree::Distribution, &mk);
            n += 1;
        }
        if n > 0 {
            self.write(&b)?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use crate::vault::tests::{fresh, open_in};

    #[test]
    fn pages_and_manifest_survive_a_reopen_sealed_and_are_erased_together() {
        let (dir, ks, v) = fresh();
        let a = [1u8; 16];
        let b = [2u8; 16];
        let d = v.distributions();
        d.put_page(&a, 1, b"second page PERSONAL-DATA").unwrap();
        d.put_page(&a, 0, b"first page").unwrap();
        d.put_page(&b, 0, b"other distribution").unwrap();
        assert_eq!(d.manifest(&a).unwrap(), None);
        assert!(d.list().unwrap().is_empty(), "no manifest, not listed");
        d.put_manifest(&a, b"manifest").unwrap();
        drop(d);
        drop(v);
        let v = open_in(dir.path(), &ks).unwrap();
        let d = v.distributions();
        let pages = d.pages(&a).unwrap();
        let numbers: Vec<u32> = pages.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, vec![0, 1]);
        assert_eq!(pages[0].1.as_slice(), b"first page");
        assert_eq!(d.manifest(&a).unwrap().unwrap().as_slice(), b"manifest");
        assert_eq!(d.list().unwrap(), vec![a]);
        assert_eq!(d.remove(&a).unwrap(), 3);
        assert!(d.pages(&a).unwrap().is_empty());
        assert_eq!(d.manifest(&a).unwrap(), None);
        assert_eq!(d.pages(&b).unwrap().len(), 1, "others untouched");
        drop(d);
        drop(v);
        // Sealed at rest: the plaintext is nowhere on disk.
        let mut found = false;
        for entry in walk(dir.path()) {
            let bytes = std::fs::read(entry).unwrap();
            found |= bytes
                .windows(b"PERSONAL-DATA".len())
                .any(|w| w == b"PERSONAL-DATA");
        }
        assert!(!found, "page content in plaintext on disk");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
