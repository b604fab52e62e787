//! Encryption at rest for the union store: record values are sealed with XChaCha20-Poly1305 (random 24-byte
//! nonce, the record's key as AAD so ciphertexts cannot be swapped between records), and index keys that would
//! otherwise spell personal data (宛名番号, 被保険者番号, カナ, 生年月日) are replaced by HMAC-SHA256 "blind"
//! values, so that no personal data lies on disk in plaintext.
//!
//! The store key (64 random bytes: 32 for the AEAD, 32 for the HMAC) is read from the file named by
//! `MADOGUCHI_UNION_STORE_KEY_FILE`, or `<data>/store.key` (mode 0600) created on first use. In production keep
//! it off the data volume (or on a separately encrypted one); whoever holds both can read the store.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::store::StoreError;

/// Environment variable naming the store key file.
pub const KEY_FILE_ENV: &str = "MADOGUCHI_UNION_STORE_KEY_FILE";
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// The keys of one store.
pub struct StoreKey {
    aead: XChaCha20Poly1305,
    mac_key: Zeroizing<[u8; 32]>,
}

impl StoreKey {
    /// From 64 key bytes.
    pub fn from_bytes(bytes: &[u8; 64]) -> Result<Self, StoreError> {
        let key =
            Key::try_from(&bytes[..32]).map_err(|_| StoreError::Key("bad key length".into()))?;
        let mut mac_key = Zeroizing::new([0u8; 32]);
        mac_key.copy_from_slice(&bytes[32..]);
        Ok(StoreKey {
            aead: XChaCha20Poly1305::new(&key),
            mac_key,
        })
    }

    /// Reads the key file (hex), or creates it with fresh random bytes (mode 0600) when absent.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, StoreError> {
        let path = match std::env::var_os(KEY_FILE_ENV) {
            Some(p) => std::path::PathBuf::from(p),
            None => data_dir.join("store.key"),
        };
        let mut bytes = Zeroizing::new([0u8; 64]);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let decoded = Zeroizing::new(
                    hex::decode(text.trim())
                        .map_err(|_| StoreError::Key("key file is not hex".into()))?,
                );
                if decoded.len() != 64 {
                    return Err(StoreError::Key("key file must hold 64 bytes".into()));
                }
                bytes.copy_from_slice(&decoded);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                rand::fill(&mut bytes[..]);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Key(e.to_string()))?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options
                    .open(&path)
                    .map_err(|e| StoreError::Key(e.to_string()))?;
                let text = Zeroizing::new(hex::encode(&bytes[..]));
                file.write_all(text.as_bytes())
                    .and_then(|_| file.sync_all())
                    .map_err(|e| StoreError::Key(e.to_string()))?;
            }
            Err(e) => return Err(StoreError::Key(e.to_string())),
        }
        Self::from_bytes(&bytes)
    }

    /// `version || nonce || ciphertext+tag`, bound to `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce_bytes = [0u8; NONCE_LEN];
        rand::fill(&mut nonce_bytes);
        let nonce =
            XNonce::try_from(&nonce_bytes[..]).map_err(|_| StoreError::Key("nonce".into()))?;
        let ct = self
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| StoreError::Key("encryption failed".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens a sealed value; fails on a wrong key, a wrong AAD or any tampering.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(StoreError::Corrupt("sealed value header".into()));
        }
        let nonce = XNonce::try_from(&sealed[1..1 + NONCE_LEN])
            .map_err(|_| StoreError::Corrupt("nonce".into()))?;
        self.aead
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                StoreError::Corrupt("sealed value does not open (wrong key or tampered)".into())
            })
    }

    /// A keyed digest of the parts (length-prefixed, so ("ab","c") ≠ ("a","bc")).
    pub fn blind(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC takes keys of any length: this `expect` is an invariant of the algorithm, not of any input.
        #[allow(clippy::expect_used)]
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key[..])
            .expect("HMAC accepts any key length");
        for p in parts {
            mac.update(&(p.len() as u32).to_be_bytes());
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> StoreKey {
        StoreKey::from_bytes(&[b; 64]).unwrap()
    }

    #[test]
    fn seal_open_and_tamper() {
        let k = key(1);
        let sealed = k.seal(b"r/1", b"secret name").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(&k.open(b"r/1", &sealed).unwrap()[..], b"secret name");
        assert!(k.open(b"r/2", &sealed).is_err(), "bound to its record key");
        assert!(
            key(2).open(b"r/1", &sealed).is_err(),
            "another key does not open it"
        );
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(k.open(b"r/1", &bad).is_err());
        assert!(k.open(b"r/1", &[]).is_err());
        assert_ne!(
            k.seal(b"r/1", b"x").unwrap(),
            k.seal(b"r/1", b"x").unwrap(),
            "random nonces"
        );
    }

    #[test]
    fn blind_is_keyed_and_unambiguous() {
        let k = key(1);
        assert_eq!(k.blind(&[b"ab", b"c"]), k.blind(&[b"ab", b"c"]));
        assert_ne!(k.blind(&[b"ab", b"c"]), k.blind(&[b"a", b"bc"]));
        assert_ne!(k.blind(&[b"ab"]), key(2).blind(&[b"ab"]));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = StoreKey::load_or_create(dir.path()).unwrap();
        let sealed = a.seal(b"x", b"y").unwrap();
        let b = StoreKey::load_or_create(dir.path()).unwrap();
        assert_eq!(&b.open(b"x", &sealed).unwrap()[..], b"y");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("store.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
