//! Wiping the vault when the terminal is no longer trusted (its certificate revoked by the union).
//!
//! The order is what makes a wipe safe even when it is interrupted: first every writer in flight is let
//! finish and further writes are refused, then the key-encryption key is deleted from the OS keyring — from
//! that moment nothing in the directory can ever be opened again (crypto-shredding) — and only then is the
//! directory deleted. A crash between the two leaves unreadable ciphertext, never readable data.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use crate::error::{Result, VaultError};
use crate::keystore::KeyStore;
use crate::vault::{Vault, header};

/// What a wipe did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WipeReport {
    /// The directory that was deleted.
    pub path: PathBuf,
    /// The vault id whose key was deleted from the keyring (`None`: the directory held no vault header).
    pub vault_id: Option<String>,
}

impl Vault {
    /// Wipes this open vault: refuses every later write, forgets the data keys held in memory, deletes the
    /// KEK from `keys` and deletes the vault directory. Every clone of this handle is wiped with it.
    pub fn wipe(&self, keys: &dyn KeyStore) -> Result<WipeReport> {
        let inner = &self.inner;
        {
            // Writers hold the gate shared from sealing to applying; once we hold it exclusively no record
            // is half-written, and the flag makes every later writer fail.
            let _gate = inner.write_gate_exclusive()?;
            inner.wiped.store(true, Ordering::SeqCst);
        }
        inner.forget_data_keys()?;
        keys.destroy(self.vault_id())?;
        let path = inner.config.path.clone();
        remove_dir(&path)?;
        tracing::warn!(path = %path.display(), "vault wiped (key destroyed, directory deleted)");
        Ok(WipeReport {
            path,
            vault_id: Some(self.vault_id().to_owned()),
        })
    }

    /// Wipes a vault that is not open (e.g. a revocation noticed before the vault was opened): reads its
    /// id from the header file, deletes its KEK and deletes the directory. A missing directory is not an
    /// error (already wiped).
    pub fn wipe_closed(path: &Path, keys: &dyn KeyStore) -> Result<WipeReport> {
        if !path.exists() {
            return Ok(WipeReport {
                path: path.to_path_buf(),
                vault_id: None,
            });
        }
        // A damaged header must not stop the wipe: the directory goes anyway.
        let vault_id = header::read(path).ok().flatten().map(|h| h.vault_id);
        if let Some(id) = &vault_id {
            keys.destroy(id)?;
        }
        remove_dir(path)?;
        Ok(WipeReport {
            path: path.to_path_buf(),
            vault_id,
        })
    }
}

fn remove_dir(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(VaultError::Storage {
            detail: format!("cannot delete the vault directory: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use crate::KeyStore;
    use crate::error::VaultError;
    use crate::keystore::tests::mock_keystore;
    use crate::vault::tests::open_in;

    #[test]
    fn wipe_destroys_key_and_directory_and_refuses_later_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault");
        let ks = mock_keystore();
        let vault = open_in(dir.path(), &ks).unwrap();
        vault
            .outbox()
            .enqueue(
                "131016:000123",
                madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                b"synthetic",
            )
            .unwrap();
        let id = vault.vault_id().to_owned();
        assert!(ks.load(&id).unwrap().is_some());
        let report = vault.wipe(&ks).unwrap();
        assert_eq!(report.vault_id.as_deref(), Some(id.as_str()));
        assert!(!path.exists(), "directory deleted");
        assert!(ks.load(&id).unwrap().is_none(), "key destroyed");
        assert!(matches!(
            vault.outbox().enqueue(
                "131016:000124",
                madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                b"x"
            ),
            Err(VaultError::Wiped)
        ));
        assert!(matches!(vault.flush(), Err(VaultError::Wiped)));
    }

    #[test]
    fn wipe_closed_works_without_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault");
        let ks = mock_keystore();
        let id = {
            let vault = open_in(dir.path(), &ks).unwrap();
            vault.vault_id().to_owned()
        };
        let report = crate::Vault::wipe_closed(&path, &ks).unwrap();
        assert_eq!(report.vault_id, Some(id.clone()));
        assert!(!path.exists());
        assert!(ks.load(&id).unwrap().is_none());
        // Again: nothing left, not an error.
        assert_eq!(
            crate::Vault::wipe_closed(&path, &ks).unwrap().vault_id,
            None
        );
    }
}
