//! Where the key-encryption key (KEK) lives: the OS keyring, behind a small trait.
//!
//! Production: `keyring-core` with Windows Credential Manager (`windows-native-keyring-store`, persistence
//! `Local` so the key stays on this machine and does not roam with the profile) or, on Linux, the kernel
//! keyutils store (`linux-keyutils-keyring-store`; needs a session keyring, so headless runs go under
//! `keyctl session -` — tech-notes §3.2). Unit tests pass `keyring_core::mock::Store` to
//! [`KeyringKeyStore::with_store`].

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Error as KrError};

use crate::crypto::SecretKey;
use crate::error::{Result, VaultError};

/// Keyring service name under which every vault's KEK is kept; the user part is the vault id.
pub const KEYRING_SERVICE: &str = "jp.madoguchi.vault";

/// Holder of the KEK of each vault, addressed by the vault id stored in the vault's meta tree.
pub trait KeyStore: Send + Sync {
    /// The KEK of `vault_id`, or `Ok(None)` when the keyring has no entry for it.
    fn load(&self, vault_id: &str) -> Result<Option<SecretKey>>;
    /// Store a new KEK for `vault_id`. Must refuse (not replace) when an entry already exists, so a
    /// key can never be overwritten by accident.
    fn store_new(&self, vault_id: &str, key: &SecretKey) -> Result<()>;
    /// Delete the KEK of `vault_id` for good (crypto-shredding: whatever it sealed can never be opened
    /// again). Deleting an entry that does not exist is not an error.
    fn destroy(&self, vault_id: &str) -> Result<()>;
}

/// [`KeyStore`] on a `keyring-core` credential store.
pub struct KeyringKeyStore {
    store: Arc<CredentialStore>,
    service: String,
    modifiers: Vec<(&'static str, &'static str)>,
}

impl KeyringKeyStore {
    /// The platform's OS keyring: Windows Credential Manager, or kernel keyutils on Linux.
    pub fn os_default() -> Result<Self> {
        #[cfg(target_os = "linux")]
        {
            let store = linux_keyutils_keyring_store::Store::new().map_err(map_kr)?;
            Ok(KeyringKeyStore {
                store,
                service: KEYRING_SERVICE.into(),
                modifiers: vec![],
            })
        }
        #[cfg(windows)]
        {
            let store = windows_native_keyring_store::Store::new().map_err(map_kr)?;
            Ok(KeyringKeyStore {
                store,
                service: KEYRING_SERVICE.into(),
                modifiers: vec![("persistence", "Local")],
            })
        }
        #[cfg(not(any(target_os = "linux", windows)))]
        {
            Err(VaultError::KeyringUnavailable {
                detail: "no OS keyring store is configured for this platform".into(),
            })
        }
    }

    /// Any `keyring-core` store (the mock store in unit tests), under `service`.
    pub fn with_store(store: Arc<CredentialStore>, service: &str) -> Self {
        KeyringKeyStore {
            store,
            service: service.into(),
            modifiers: vec![],
        }
    }

    fn entry(&self, vault_id: &str) -> Result<keyring_core::Entry> {
        let mods: HashMap<&str, &str> = self.modifiers.iter().copied().collect();
        let mods = if mods.is_empty() { None } else { Some(&mods) };
        self.store
            .build(&self.service, vault_id, mods)
            .map_err(map_kr)
    }
}

impl KeyStore for KeyringKeyStore {
    fn load(&self, vault_id: &str) -> Result<Option<SecretKey>> {
        match self.entry(vault_id)?.get_secret() {
            Ok(bytes) => {
                let bytes = zeroize::Zeroizing::new(bytes);
                match SecretKey::from_slice(&bytes) {
                    Some(k) => Ok(Some(k)),
                    None => Err(VaultError::WrongKey {
                        vault_id: vault_id.into(),
                    }),
                }
            }
            Err(KrError::NoEntry) => Ok(None),
            Err(e) => Err(map_kr(e)),
        }
    }

    fn store_new(&self, vault_id: &str, key: &SecretKey) -> Result<()> {
        let entry = self.entry(vault_id)?;
        match entry.get_secret() {
            Ok(existing) => {
                drop(zeroize::Zeroizing::new(existing));
                return Err(VaultError::KeyringUnavailable {
                    detail: "refusing to replace an existing keyring entry".into(),
                });
            }
            Err(KrError::NoEntry) => {}
            Err(e) => return Err(map_kr(e)),
        }
        entry.set_secret(key.expose()).map_err(map_kr)?;
        // Read back: a store that accepts writes it cannot return (seen with keyutils outside a session
        // keyring) must fail here, before any data is sealed under a key that would be lost.
        let back = zeroize::Zeroizing::new(entry.get_secret().map_err(map_kr)?);
        if back.as_slice() != key.expose() {
            return Err(VaultError::KeyringUnavailable {
                detail: "keyring did not return the key just stored".into(),
            });
        }
        Ok(())
    }

    fn destroy(&self, vault_id: &str) -> Result<()> {
        match self.entry(vault_id)?.delete_credential() {
            Ok(()) | Err(KrError::NoEntry) => Ok(()),
            Err(e) => Err(map_kr(e)),
        }
    }
}

/// Keyring errors to vault errors, without ever echoing secret bytes (`BadEncoding`/`BadDataFormat`
/// carry the secret itself).
fn map_kr(e: KrError) -> VaultError {
    let detail = match &e {
        KrError::BadEncoding(_) | KrError::BadDataFormat(_, _) => {
            "keyring entry has a bad format".into()
        }
        KrError::NoStorageAccess(inner) => {
            let hint = if cfg!(target_os = "linux") {
                " (Linux keyutils needs a session keyring: run under `keyctl session -`)"
            } else {
                ""
            };
            format!("no access to the keyring: {inner}{hint}")
        }
        other => other.to_string(),
    };
    VaultError::KeyringUnavailable { detail }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn mock_keystore() -> KeyringKeyStore {
        let store = keyring_core::mock::Store::new().unwrap();
        KeyringKeyStore::with_store(store, "test.madoguchi.vault")
    }

    #[test]
    fn store_then_load_round_trips() {
        let ks = mock_keystore();
        assert!(ks.load("v1").unwrap().is_none());
        let k = SecretKey::generate().unwrap();
        ks.store_new("v1", &k).unwrap();
        assert_eq!(ks.load("v1").unwrap().unwrap(), k);
        assert!(ks.load("v2").unwrap().is_none());
    }

    #[test]
    fn never_replaces_an_existing_key() {
        let ks = mock_keystore();
        let k = SecretKey::generate().unwrap();
        ks.store_new("v1", &k).unwrap();
        let other = SecretKey::generate().unwrap();
        assert!(matches!(
            ks.store_new("v1", &other),
            Err(VaultError::KeyringUnavailable { .. })
        ));
        assert_eq!(ks.load("v1").unwrap().unwrap(), k);
    }

    #[test]
    fn destroy_removes_the_key_and_tolerates_absence() {
        let ks = mock_keystore();
        let k = SecretKey::generate().unwrap();
        ks.store_new("v1", &k).unwrap();
        ks.destroy("v1").unwrap();
        assert!(ks.load("v1").unwrap().is_none());
        ks.destroy("v1").unwrap();
    }

    #[test]
    fn wrong_length_secret_is_a_wrong_key() {
        let ks = mock_keystore();
        ks.entry("v1").unwrap().set_secret(b"short").unwrap();
        assert!(matches!(ks.load("v1"), Err(VaultError::WrongKey { .. })));
    }

    #[test]
    fn keyring_failure_is_reported_without_secret_bytes() {
        let e = map_kr(KrError::BadEncoding(b"secret-bytes".to_vec()));
        assert!(!e.to_string().contains("secret"));
        assert!(matches!(e, VaultError::KeyringUnavailable { .. }));
    }
}
