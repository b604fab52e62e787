//! The terminal's private key (its mutual-TLS identity), sealed on disk under a key held in the OS keyring.
//!
//! The private key is created on the terminal at enrolment and never leaves it. On disk it exists only as
//! `version || key id || nonce || ciphertext+tag` (XChaCha20-Poly1305, the vault's own format), sealed under
//! a random 256-bit key-encryption key kept in the OS keyring under [`crate::KEYRING_SERVICE`] with the
//! entry name given by the caller (e.g. `terminal-key-<uuid>`). Without the keyring entry the file is
//! useless; destroying the entry destroys the identity.

use std::io::Write;
use std::path::Path;

use zeroize::Zeroizing;

use crate::crypto::{self, SecretKey};
use crate::error::{Result, VaultError};
use crate::keystore::KeyStore;

/// Associated-data domain of the sealed key (binds the file to its purpose and keyring entry name).
const DOMAIN: &str = "madoguchi terminal key v1";

/// Seals `private_key_der` (PKCS#8) into `path` (mode 0600, written atomically) under a new KEK stored in
/// `keys` as `entry`. Refuses when the keyring already holds `entry` (it never replaces a key).
pub fn seal_terminal_key(
    path: &Path,
    entry: &str,
    private_key_der: &[u8],
    keys: &dyn KeyStore,
) -> Result<()> {
    validate_entry(entry)?;
    let kek = SecretKey::generate()?;
    keys.store_new(entry, &kek)?;
    let sealed = crypto::seal_with(&kek.cipher()?, 0, DOMAIN, entry.as_bytes(), private_key_der)?;
    if let Err(e) = write_private(path, &sealed) {
        // No key file: no key to keep either.
        let _ = keys.destroy(entry);
        return Err(e);
    }
    Ok(())
}

/// Opens the sealed key at `path` with the KEK `entry` from `keys`. [`VaultError::KeyMissing`] when the
/// keyring has no such entry, [`VaultError::WrongKey`] when it does not open the file.
pub fn open_terminal_key(
    path: &Path,
    entry: &str,
    keys: &dyn KeyStore,
) -> Result<Zeroizing<Vec<u8>>> {
    validate_entry(entry)?;
    let kek = keys.load(entry)?.ok_or_else(|| VaultError::KeyMissing {
        vault_id: entry.to_owned(),
    })?;
    let sealed = std::fs::read(path).map_err(|e| VaultError::Storage {
        detail: format!("cannot read the sealed terminal key: {e}"),
    })?;
    crypto::open_with(&kek.cipher()?, DOMAIN, entry.as_bytes(), &sealed).map_err(|_| {
        VaultError::WrongKey {
            vault_id: entry.to_owned(),
        }
    })
}

/// Destroys the terminal key: the keyring entry first (from then on the file is noise), then the file.
pub fn destroy_terminal_key(path: &Path, entry: &str, keys: &dyn KeyStore) -> Result<()> {
    validate_entry(entry)?;
    keys.destroy(entry)?;
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(VaultError::Storage {
            detail: format!("cannot delete the sealed terminal key: {e}"),
        }),
    }
}

fn validate_entry(entry: &str) -> Result<()> {
    if entry.is_empty()
        || entry.len() > 64
        || !entry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(VaultError::InvalidInput(
            "keyring entry name: 1-64 ASCII letters, digits or '-'",
        ));
    }
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| VaultError::Storage {
        detail: format!("cannot write the sealed terminal key: {e}"),
    };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(io)?;
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keystore::tests::mock_keystore;

    #[test]
    fn seal_open_destroy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terminal-key.sealed");
        let ks = mock_keystore();
        let secret = b"-- synthetic pkcs8 bytes for the test --".to_vec();
        seal_terminal_key(&path, "terminal-key-1", &secret, &ks).unwrap();
        let on_disk = std::fs::read(&path).unwrap();
        assert!(memchr::memmem::find(&on_disk, &secret[..16]).is_none());
        assert_eq!(
            open_terminal_key(&path, "terminal-key-1", &ks)
                .unwrap()
                .as_slice(),
            secret.as_slice()
        );
        // Another entry name does not open it (AAD binds the name).
        ks.store_new(
            "terminal-key-2",
            &ks.load("terminal-key-1").unwrap().unwrap(),
        )
        .unwrap();
        assert!(matches!(
            open_terminal_key(&path, "terminal-key-2", &ks),
            Err(VaultError::WrongKey { .. })
        ));
        destroy_terminal_key(&path, "terminal-key-1", &ks).unwrap();
        assert!(!path.exists());
        assert!(ks.load("terminal-key-1").unwrap().is_none());
        assert!(matches!(
            open_terminal_key(&path, "terminal-key-1", &ks),
            Err(VaultError::KeyMissing { .. })
        ));
    }

    #[test]
    fn refuses_bad_entry_names() {
        let dir = tempfile::tempdir().unwrap();
        let ks = mock_keystore();
        assert!(seal_terminal_key(&dir.path().join("k"), "../x", b"k", &ks).is_err());
    }
}
