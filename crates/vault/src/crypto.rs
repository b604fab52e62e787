//! Sealing of values (XChaCha20-Poly1305) and keyed hashes for plaintext indexes.
//!
//! On-disk value: `version (1) || key id (4, big endian) || nonce (24) || ciphertext+tag`.
//! Associated data: `version || key id || tree name || 0x00 || record key`, so a value only opens in the
//! tree and under the key it was written for: records cannot be swapped or replayed into another slot,
//! and the key id in the header cannot be altered (tech-notes §4.2).

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::backend::Tree;
use crate::error::{Result, VaultError};

pub(crate) const FORMAT_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + 24;

/// A 256-bit secret key. Zeroized on drop; `Debug` shows nothing.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; 32]>);

impl SecretKey {
    /// A fresh random key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self> {
        let k = Key::try_generate().map_err(|e| VaultError::Storage {
            detail: format!("system random generator failed: {e}"),
        })?;
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(k.as_slice());
        Ok(SecretKey(out))
    }

    /// `None` unless exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(SecretKey(Zeroizing::new(arr)))
    }

    /// The raw bytes, for handing to the OS keyring only.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn cipher(&self) -> Result<XChaCha20Poly1305> {
        // From the slice so no unzeroized copy of the key is left on the stack.
        XChaCha20Poly1305::new_from_slice(&self.0[..]).map_err(|_| VaultError::CorruptMeta {
            detail: "key of wrong length".into(),
        })
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        // Only used in tests and key-store round-trip checks; constant time is not needed there but free.
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenFailure {
    /// Header too short or unknown version.
    Malformed,
    UnknownVersion(u8),
    /// No data key with this id is loaded.
    UnknownKey(u32),
    /// Authentication failed.
    Tag,
}

fn aad(key_id: u32, tree: &str, record_key: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(5 + tree.len() + 1 + record_key.len());
    a.push(FORMAT_VERSION);
    a.extend_from_slice(&key_id.to_be_bytes());
    a.extend_from_slice(tree.as_bytes());
    a.push(0);
    a.extend_from_slice(record_key);
    a
}

pub(crate) fn seal_with(
    cipher: &XChaCha20Poly1305,
    key_id: u32,
    tree: &str,
    record_key: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let nonce = XNonce::try_generate().map_err(|e| VaultError::Storage {
        detail: format!("system random generator failed: {e}"),
    })?;
    let aad = aad(key_id, tree, record_key);
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| VaultError::Storage {
            detail: "encryption failed".into(),
        })?;
    let mut out = Vec::with_capacity(HEADER_LEN + ct.len());
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&key_id.to_be_bytes());
    out.extend_from_slice(nonce.as_slice());
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Key id a sealed value claims to be sealed with (unauthenticated until opened).
pub(crate) fn key_id_of(sealed: &[u8]) -> std::result::Result<u32, OpenFailure> {
    if sealed.len() < HEADER_LEN {
        return Err(OpenFailure::Malformed);
    }
    if sealed[0] != FORMAT_VERSION {
        return Err(OpenFailure::UnknownVersion(sealed[0]));
    }
    let mut id = [0u8; 4];
    id.copy_from_slice(&sealed[1..5]);
    Ok(u32::from_be_bytes(id))
}

pub(crate) fn open_with(
    cipher: &XChaCha20Poly1305,
    tree: &str,
    record_key: &[u8],
    sealed: &[u8],
) -> std::result::Result<Zeroizing<Vec<u8>>, OpenFailure> {
    let key_id = key_id_of(sealed)?;
    let nonce = XNonce::try_from(&sealed[5..HEADER_LEN]).map_err(|_| OpenFailure::Malformed)?;
    let aad = aad(key_id, tree, record_key);
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[HEADER_LEN..],
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| OpenFailure::Tag)
}

/// The data keys (DEKs) currently loaded, by id, and which one seals new values.
pub(crate) struct DataKeys {
    keys: BTreeMap<u32, XChaCha20Poly1305>,
    active: u32,
}

impl DataKeys {
    pub(crate) fn new(active: u32, keys: BTreeMap<u32, XChaCha20Poly1305>) -> Self {
        DataKeys { keys, active }
    }

    pub(crate) fn active(&self) -> u32 {
        self.active
    }

    pub(crate) fn ids(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    pub(crate) fn insert(&mut self, id: u32, cipher: XChaCha20Poly1305) {
        self.keys.insert(id, cipher);
    }

    pub(crate) fn set_active(&mut self, id: u32) {
        self.active = id;
    }

    pub(crate) fn seal(&self, tree: Tree, record_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let cipher = self
            .keys
            .get(&self.active)
            .ok_or_else(|| VaultError::CorruptMeta {
                detail: format!("active data key {} not loaded", self.active),
            })?;
        seal_with(cipher, self.active, tree.name(), record_key, plaintext)
    }

    /// Open a value; any failure is reported as a corrupt record naming the tree and the (non-personal)
    /// record key.
    pub(crate) fn open(
        &self,
        tree: Tree,
        record_key: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let fail = |what: OpenFailure| match what {
            OpenFailure::UnknownVersion(v) => VaultError::UnsupportedFormat { version: v },
            _ => VaultError::CorruptRecord {
                tree: tree.name(),
                record: describe_key(tree, record_key),
            },
        };
        let id = key_id_of(sealed).map_err(fail)?;
        let cipher = self
            .keys
            .get(&id)
            .ok_or(fail(OpenFailure::UnknownKey(id)))?;
        open_with(cipher, tree.name(), record_key, sealed).map_err(fail)
    }
}

/// A printable, non-personal description of a record key: sequence numbers are shown as numbers,
/// keyed hashes as a short hex prefix.
pub(crate) fn describe_key(tree: Tree, key: &[u8]) -> String {
    match (tree, key.len()) {
        (Tree::Outbox | Tree::OutboxPayload | Tree::Receipts | Tree::Audit, 8) => {
            let mut b = [0u8; 8];
            b.copy_from_slice(key);
            format!("#{}", u64::from_be_bytes(b))
        }
        (Tree::Settings, _) => String::from_utf8_lossy(key).into_owned(),
        _ => {
            let hex: String = key.iter().take(6).map(|b| format!("{b:02x}")).collect();
            format!("key {hex}…")
        }
    }
}

/// Keyed hash (BLAKE3 keyed mode) used wherever a value must be looked up without storing it:
/// resident keys for per-resident ordering and cache keys. `domain` separates the uses.
pub(crate) fn keyed_hash(index_key: &SecretKey, domain: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_keyed(index_key.expose());
    h.update(domain.as_bytes());
    h.update(&[0]);
    for p in parts {
        // Length-prefix each part so ("ab","c") and ("a","bc") differ.
        h.update(&(p.len() as u64).to_be_bytes());
        h.update(p);
    }
    *h.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (DataKeys, SecretKey) {
        let k = SecretKey::generate().unwrap();
        let mut m = BTreeMap::new();
        m.insert(7, k.cipher().unwrap());
        (DataKeys::new(7, m), k)
    }

    #[test]
    fn round_trip_and_header() {
        let (dk, _) = keys();
        let sealed = dk.seal(Tree::Outbox, b"k1", b"hello").unwrap();
        assert_eq!(sealed[0], FORMAT_VERSION);
        assert_eq!(key_id_of(&sealed), Ok(7));
        assert_eq!(sealed.len(), HEADER_LEN + 5 + 16);
        assert_eq!(
            &dk.open(Tree::Outbox, b"k1", &sealed).unwrap()[..],
            b"hello"
        );
    }

    #[test]
    fn nonces_differ() {
        let (dk, _) = keys();
        let a = dk.seal(Tree::Outbox, b"k", b"same").unwrap();
        let b = dk.seal(Tree::Outbox, b"k", b"same").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn swapped_key_or_tree_fails() {
        let (dk, _) = keys();
        let sealed = dk.seal(Tree::Outbox, b"k1", b"hello").unwrap();
        assert!(matches!(
            dk.open(Tree::Outbox, b"k2", &sealed),
            Err(VaultError::CorruptRecord { tree: "outbox", .. })
        ));
        assert!(matches!(
            dk.open(Tree::Cache, b"k1", &sealed),
            Err(VaultError::CorruptRecord { tree: "cache", .. })
        ));
    }

    #[test]
    fn tampering_is_detected() {
        let (dk, _) = keys();
        let sealed = dk.seal(Tree::Settings, b"s", b"value").unwrap();
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x01;
            let r = dk.open(Tree::Settings, b"s", &t);
            if i == 0 {
                assert!(matches!(
                    r,
                    Err(VaultError::UnsupportedFormat { version: 0 })
                ));
            } else {
                assert!(
                    matches!(r, Err(VaultError::CorruptRecord { .. })),
                    "byte {i}"
                );
            }
        }
        assert!(matches!(
            dk.open(Tree::Settings, b"s", &sealed[..10]),
            Err(VaultError::CorruptRecord { .. })
        ));
    }

    #[test]
    fn other_key_fails() {
        let (dk, _) = keys();
        let (dk2, _) = keys();
        let sealed = dk.seal(Tree::Audit, b"a", b"x").unwrap();
        assert!(dk2.open(Tree::Audit, b"a", &sealed).is_err());
    }

    #[test]
    fn keyed_hash_depends_on_key_domain_and_split() {
        let k1 = SecretKey::generate().unwrap();
        let k2 = SecretKey::generate().unwrap();
        let a = keyed_hash(&k1, "resident", &[b"131016", b"0001"]);
        assert_eq!(a, keyed_hash(&k1, "resident", &[b"131016", b"0001"]));
        assert_ne!(a, keyed_hash(&k2, "resident", &[b"131016", b"0001"]));
        assert_ne!(a, keyed_hash(&k1, "cache", &[b"131016", b"0001"]));
        assert_ne!(a, keyed_hash(&k1, "resident", &[b"13101", b"60001"]));
    }

    #[test]
    fn debug_redacts() {
        let k = SecretKey::generate().unwrap();
        assert_eq!(format!("{k:?}"), "SecretKey(<redacted>)");
    }
}
