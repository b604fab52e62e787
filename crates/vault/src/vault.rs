//! Opening the vault, the key hierarchy, and data-key rotation.
//!
//! Key hierarchy: KEK (32 random bytes, OS keyring) → wraps the data keys (DEK, one active, ids 1, 2, …)
//! and the index key (keyed hashes), all stored sealed under the KEK in the meta tree. A sealed constant
//! (`kek_check`) tells a wrong KEK from damaged data. The meta tree holds no personal data.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{FixedOffset, NaiveTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::backend::{Applied, Backend, Batch, SledBackend, Tree};
use crate::crypto::{self, DataKeys, SecretKey, key_id_of};
use crate::error::{Result, VaultError};
use crate::keystore::KeyStore;
use crate::roster::LoadedRoster;

pub(crate) const META_FORMAT: &[u8] = b"format";
pub(crate) const META_VAULT_ID: &[u8] = b"vault_id";
pub(crate) const META_KEK_CHECK: &[u8] = b"kek_check";
pub(crate) const META_ACTIVE_DEK: &[u8] = b"active_dek";
pub(crate) const META_INDEX_KEY: &[u8] = b"index_key";
pub(crate) const META_NEXT_SEQ: &[u8] = b"next_seq";
pub(crate) const META_AUDIT_NEXT: &[u8] = b"audit_next";
pub(crate) const META_ROTATION: &[u8] = b"rotation";
const META_DEK_PREFIX: &[u8] = b"dek/";
const KEK_ID: u32 = 0;
const KEK_CHECK_PLAINTEXT: &[u8] = b"madoguchi-vault kek check v1";

/// How the vault is set up on this terminal.
#[derive(Debug, Clone)]
pub struct VaultConfig {
    /// Data directory (one sled database).
    pub path: PathBuf,
    /// Terminal code printed in 受付番号 (reception numbers), e.g. `"0301"`. Must not be personal data:
    /// ASCII letters, digits and `-` only, at most 16 characters.
    pub terminal_code: String,
    /// End of the business day (業務終了時刻); cache entries expire then by default.
    pub business_day_end: NaiveTime,
    /// Local time zone offset for business days (JST, +09:00).
    pub utc_offset: FixedOffset,
}

impl VaultConfig {
    /// Defaults: business day ends 17:15 JST (typical municipal office hours 8:30–17:15).
    pub fn new(path: impl Into<PathBuf>, terminal_code: &str) -> Self {
        VaultConfig {
            path: path.into(),
            terminal_code: terminal_code.into(),
            business_day_end: NaiveTime::from_hms_opt(17, 15, 0).unwrap_or(NaiveTime::MIN),
            utc_offset: madoguchi_domain::jst::offset(),
        }
    }
}

/// State of the key hierarchy, for the administrator screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// Id of the data key that seals new values.
    pub active_data_key: u32,
    /// A rotation started and has not finished (it resumes on the next open or `rotate_data_key`).
    pub rotation_pending: bool,
}

/// Result of a data-key rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// Id of the new data key.
    pub new_key_id: u32,
    /// Records re-encrypted by this call (records already under the new key are skipped).
    pub resealed: u64,
}

/// The terminal's encrypted local store. Cheap to clone (shared handle).
#[derive(Clone)]
pub struct Vault {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) backend: Box<dyn Backend>,
    pub(crate) keys: RwLock<DataKeys>,
    pub(crate) index_key: SecretKey,
    kek: SecretKey,
    vault_id: String,
    pub(crate) config: VaultConfig,
    pub(crate) roster: Mutex<Option<Arc<LoadedRoster>>>,
    rotation_lock: Mutex<()>,
    /// Held (shared) by every writer from sealing to applying, and exclusively while the active data key
    /// changes, so no record sealed under the old key can land after rotation has swept past it.
    write_gate: RwLock<()>,
    watermark: Option<watermark::Watermark>,
    /// Set by [`Vault::wipe`]: every later write and flush is refused.
    pub(crate) wiped: std::sync::atomic::AtomicBool,
}

impl Vault {
    /// Open the vault at `config.path`, creating it (and its KEK in `keys`) if the directory holds no
    /// vault yet. An existing vault whose KEK is missing or wrong is refused with [`VaultError::KeyMissing`] /
    /// [`VaultError::WrongKey`]; nothing on disk or in the keyring is changed in that case.
    pub fn open(config: VaultConfig, keys: &dyn KeyStore) -> Result<Vault> {
        validate_terminal_code(&config.terminal_code)?;
        std::fs::create_dir_all(&config.path).map_err(io_error)?;
        // Keys first, from the header file, so a missing or wrong key is refused before the storage
        // engine opens (and so writes to) any file of the vault.
        let header = header::read(&config.path)?;
        let known = match &header {
            Some(h) => {
                let kek = keys
                    .load(&h.vault_id)?
                    .ok_or_else(|| VaultError::KeyMissing {
                        vault_id: h.vault_id.clone(),
                    })?;
                verify_kek(&kek, &h.kek_check, &h.vault_id)?;
                Some((h.vault_id.clone(), kek))
            }
            None => None,
        };
        // sled's recovery rewrites its files when it meets damage (it drops the log after the damaged
        // entry — tests/corruption.rs). So that a refused open has overwritten nothing, the store is
        // copied before sled opens it; the copy is dropped after a clean open and kept otherwise.
        let dir = config.path.clone();
        let preopen = dir.join(PREOPEN_DIR);
        let store = dir.join(STORE_DIR);
        if store.exists() && !preopen.exists() {
            copy_dir(&store, &preopen)?;
        }
        let opened = Self::open_store(config, keys, known);
        match &opened {
            Ok(_) => remove_dir_if_exists(&preopen)?,
            Err(
                VaultError::StorageCorrupt { .. }
                | VaultError::CorruptMeta { .. }
                | VaultError::CorruptRecord { .. },
            ) => {
                if preopen.exists() {
                    let kept = dir.join(format!(
                        "{DAMAGED_PREFIX}{}",
                        Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
                    ));
                    let already = std::fs::read_dir(&dir)
                        .map_err(io_error)?
                        .filter_map(|e| e.ok())
                        .any(|e| e.file_name().to_string_lossy().starts_with(DAMAGED_PREFIX));
                    if already {
                        // The state before the first failure is kept already; this copy is of the same files
                        // after sled's recovery.
                        remove_dir_if_exists(&preopen)?;
                    } else {
                        std::fs::rename(&preopen, &kept).map_err(io_error)?;
                        tracing::error!(copy = %kept.display(), "vault store damaged; files before opening kept");
                    }
                }
            }
            Err(_) => remove_dir_if_exists(&preopen)?,
        }
        let vault = opened?;
        if header.is_none() {
            let check = vault
                .inner
                .backend
                .get(Tree::Meta, META_KEK_CHECK)?
                .ok_or_else(|| VaultError::CorruptMeta {
                    detail: "key check missing".into(),
                })?;
            header::write(
                &vault.inner.config.path,
                &header::Header {
                    vault_id: vault.inner.vault_id.clone(),
                    kek_check: check,
                },
            )?;
        }
        Ok(vault)
    }

    fn open_store(
        config: VaultConfig,
        keys: &dyn KeyStore,
        known: Option<(String, SecretKey)>,
    ) -> Result<Vault> {
        let backend: Box<dyn Backend> = Box::new(SledBackend::open(&config.path.join(STORE_DIR))?);
        // sled recovers a damaged log by dropping everything after the damage, silently. The watermark,
        // written after every flush, tells that apart from a clean state: a store behind it has lost
        // acknowledged changes, and is refused before any write.
        let (watermark, durable) = watermark::Watermark::open(&config.path)?;
        let counter = backend.commit_counter()?;
        if let Some(durable) = durable
            && counter < durable
        {
            return Err(VaultError::StorageCorrupt {
                detail: format!(
                    "store is behind its durability watermark ({counter} < {durable}): acknowledged changes \
                     are missing; the files as they were before opening are kept in {DAMAGED_PREFIX}*"
                ),
            });
        }
        let vault = Self::open_on(backend, config, keys, known, Some(watermark))?;
        vault.inner.flush()?;
        Ok(vault)
    }

    /// `known`: vault id and KEK already established from the header file.
    pub(crate) fn open_on(
        backend: Box<dyn Backend>,
        config: VaultConfig,
        keystore: &dyn KeyStore,
        known: Option<(String, SecretKey)>,
        watermark: Option<watermark::Watermark>,
    ) -> Result<Vault> {
        let (vault_id, kek) = match (backend.get(Tree::Meta, META_VAULT_ID)?, known) {
            (None, known) => initialise(backend.as_ref(), keystore, known)?,
            (Some(id), Some((header_id, kek))) => {
                if id != header_id.as_bytes() {
                    return Err(VaultError::CorruptMeta {
                        detail: "header file belongs to another vault".into(),
                    });
                }
                (header_id, kek)
            }
            (Some(id), None) => {
                let vault_id = String::from_utf8(id).map_err(|_| VaultError::CorruptMeta {
                    detail: "vault id not UTF-8".into(),
                })?;
                let kek = keystore
                    .load(&vault_id)?
                    .ok_or_else(|| VaultError::KeyMissing {
                        vault_id: vault_id.clone(),
                    })?;
                (vault_id, kek)
            }
        };

        let format = match backend.get(Tree::Meta, META_FORMAT)?.as_deref() {
            Some([v]) if crate::migrate::known(*v) => *v,
            Some([v]) => return Err(VaultError::UnsupportedFormat { version: *v }),
            _ => {
                return Err(VaultError::CorruptMeta {
                    detail: "format marker missing".into(),
                });
            }
        };

        let kek_cipher = kek.cipher()?;
        let check =
            backend
                .get(Tree::Meta, META_KEK_CHECK)?
                .ok_or_else(|| VaultError::CorruptMeta {
                    detail: "key check missing".into(),
                })?;
        verify_kek(&kek, &check, &vault_id)?;

        let unwrap = |name: &[u8]| -> Result<SecretKey> {
            let sealed = backend
                .get(Tree::Meta, name)?
                .ok_or_else(|| VaultError::CorruptMeta {
                    detail: format!("{} missing", String::from_utf8_lossy(name)),
                })?;
            let pt =
                crypto::open_with(&kek_cipher, Tree::Meta.name(), name, &sealed).map_err(|_| {
                    VaultError::CorruptMeta {
                        detail: format!("{} does not open", String::from_utf8_lossy(name)),
                    }
                })?;
            SecretKey::from_slice(&pt).ok_or_else(|| VaultError::CorruptMeta {
                detail: format!("{} has wrong length", String::from_utf8_lossy(name)),
            })
        };

        let active = read_u32(backend.as_ref(), META_ACTIVE_DEK)?.ok_or_else(|| {
            VaultError::CorruptMeta {
                detail: "active data key missing".into(),
            }
        })?;
        let mut ciphers = BTreeMap::new();
        for (k, _) in backend.scan(Tree::Meta, META_DEK_PREFIX)? {
            let id = parse_dek_id(&k)?;
            ciphers.insert(id, unwrap(&k)?.cipher()?);
        }
        if !ciphers.contains_key(&active) {
            return Err(VaultError::CorruptMeta {
                detail: format!("data key {active} missing"),
            });
        }
        let index_key = unwrap(META_INDEX_KEY)?;

        let vault = Vault {
            inner: Arc::new(Inner {
                backend,
                keys: RwLock::new(DataKeys::new(active, ciphers)),
                index_key,
                kek,
                vault_id,
                config,
                roster: Mutex::new(None),
                rotation_lock: Mutex::new(()),
                write_gate: RwLock::new(()),
                watermark,
                wiped: std::sync::atomic::AtomicBool::new(false),
            }),
        };

        if vault
            .inner
            .backend
            .get(Tree::Meta, META_ROTATION)?
            .is_some()
        {
            // A crash interrupted a rotation: finish it. A corrupt record stops the rotation (old keys stay
            // loaded, the marker stays) but must not stop the terminal; the affected record reports itself
            // when its function reads it.
            if let Err(e) = vault.inner.finish_rotation() {
                tracing::warn!(error = %e, "data-key rotation could not be finished; it stays pending");
            }
        }
        vault.inner.migrate(format)?;
        Ok(vault)
    }

    /// Administrator's way out after [`VaultError::KeyMissing`], [`VaultError::WrongKey`] or a damaged
    /// store: move the whole vault directory aside (to `<dir>.unreadable-<UTC time>`, next to it) so a
    /// fresh vault can be opened at `path` and re-synchronised from the union. Nothing is deleted: the
    /// moved files still open if the key is restored. Returns the new location.
    pub fn set_aside(path: &std::path::Path) -> Result<PathBuf> {
        let name = path
            .file_name()
            .ok_or(VaultError::InvalidInput("vault path has no directory name"))?
            .to_string_lossy()
            .into_owned();
        let target = path.with_file_name(format!(
            "{name}.unreadable-{}",
            Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ));
        if !path.is_dir() {
            return Err(VaultError::InvalidInput("no vault directory at this path"));
        }
        std::fs::rename(path, &target).map_err(io_error)?;
        Ok(target)
    }

    /// Random id of this vault; the user name of its KEK in the OS keyring.
    pub fn vault_id(&self) -> &str {
        &self.inner.vault_id
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> &VaultConfig {
        &self.inner.config
    }

    /// Which data keys exist and whether a rotation is pending.
    pub fn key_status(&self) -> Result<KeyStatus> {
        Ok(KeyStatus {
            active_data_key: self.inner.keys_read()?.active(),
            rotation_pending: self.inner.backend.get(Tree::Meta, META_ROTATION)?.is_some(),
        })
    }

    /// Rotate the data key: a new random DEK becomes active at once, then every record is re-encrypted
    /// in place; the old key is dropped only when no record needs it. A crash at any point resumes on the
    /// next open. If a rotation is already pending it is resumed instead of starting another.
    pub fn rotate_data_key(&self) -> Result<RotationReport> {
        let _g = self.inner.rotation_lock.lock().map_err(|_| poisoned())?;
        if self.inner.backend.get(Tree::Meta, META_ROTATION)?.is_none() {
            self.inner.start_rotation()?;
        }
        self.inner.finish_rotation()
    }

    /// Make every change so far durable.
    pub fn flush(&self) -> Result<()> {
        self.inner.flush()
    }
}

/// Sub-directory of the vault directory holding the sled database.
pub(crate) const STORE_DIR: &str = "store";
/// Copy of the store taken before sled opens it.
const PREOPEN_DIR: &str = "store-preopen";
/// Prefix of the kept copy of a store that failed to open cleanly.
pub const DAMAGED_PREFIX: &str = "store-damaged-";

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(io_error)?;
    for e in std::fs::read_dir(from).map_err(io_error)? {
        let e = e.map_err(io_error)?;
        let target = to.join(e.file_name());
        if e.file_type().map_err(io_error)?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target).map_err(io_error)?;
        }
    }
    Ok(())
}

fn remove_dir_if_exists(p: &std::path::Path) -> Result<()> {
    match std::fs::remove_dir_all(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(e)),
    }
}

fn io_error(e: std::io::Error) -> VaultError {
    VaultError::Storage {
        detail: e.to_string(),
    }
}

fn verify_kek(kek: &SecretKey, sealed_check: &[u8], vault_id: &str) -> Result<()> {
    match crypto::open_with(
        &kek.cipher()?,
        Tree::Meta.name(),
        META_KEK_CHECK,
        sealed_check,
    ) {
        Ok(pt) if pt.as_slice() == KEK_CHECK_PLAINTEXT => Ok(()),
        _ => Err(VaultError::WrongKey {
            vault_id: vault_id.to_owned(),
        }),
    }
}

/// The vault header file: vault id and the sealed key check, outside the database so keys can be
/// verified without opening it. Neither is secret nor personal.
pub(crate) mod header;

/// Durability watermark: the highest commit counter known to be flushed, kept in a small file beside the
/// database. Two checksummed slots, written alternately with `fdatasync`, so a torn write leaves the other.
mod watermark;

fn validate_terminal_code(code: &str) -> Result<()> {
    // The one rule of a terminal id (it prefixes every 受付番号).
    madoguchi_domain::TerminalId::parse(code)
        .map(|_| ())
        .map_err(|_| {
            VaultError::InvalidInput("terminal code must be 1–16 ASCII letters, digits or '-'")
        })
}

fn poisoned() -> VaultError {
    VaultError::Storage {
        detail: "internal lock poisoned by an earlier panic".into(),
    }
}

fn dek_name(id: u32) -> Vec<u8> {
    let mut k = META_DEK_PREFIX.to_vec();
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn parse_dek_id(k: &[u8]) -> Result<u32> {
    let tail: [u8; 4] = k
        .get(META_DEK_PREFIX.len()..)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(|| VaultError::CorruptMeta {
            detail: "bad data key name".into(),
        })?;
    Ok(u32::from_be_bytes(tail))
}

pub(crate) fn read_u32(b: &dyn Backend, name: &[u8]) -> Result<Option<u32>> {
    match b.get(Tree::Meta, name)? {
        None => Ok(None),
        Some(v) => {
            let a: [u8; 4] = v
                .as_slice()
                .try_into()
                .map_err(|_| VaultError::CorruptMeta {
                    detail: format!("{} malformed", String::from_utf8_lossy(name)),
                })?;
            Ok(Some(u32::from_be_bytes(a)))
        }
    }
}

pub(crate) fn read_u64(b: &dyn Backend, name: &[u8]) -> Result<Option<(u64, Vec<u8>)>> {
    match b.get(Tree::Meta, name)? {
        None => Ok(None),
        Some(v) => {
            let a: [u8; 8] = v
                .as_slice()
                .try_into()
                .map_err(|_| VaultError::CorruptMeta {
                    detail: format!("{} malformed", String::from_utf8_lossy(name)),
                })?;
            Ok(Some((u64::from_be_bytes(a), v)))
        }
    }
}

/// First open of an empty directory: new vault id, KEK in the keyring, DEK 1 and index key wrapped.
fn initialise(
    backend: &dyn Backend,
    keystore: &dyn KeyStore,
    known: Option<(String, SecretKey)>,
) -> Result<(String, SecretKey)> {
    for t in Tree::ALL {
        if !backend.is_empty(t)? {
            // Data without meta: never "repair" by starting over on top of it.
            return Err(VaultError::CorruptMeta {
                detail: format!(
                    "tree {} has data but the vault has no key metadata",
                    t.name()
                ),
            });
        }
    }
    let (vault_id, kek) = match known {
        // The header was written but the database not (crash during the first open): same identity.
        Some(k) => k,
        None => {
            let vault_id = uuid::Uuid::now_v7().simple().to_string();
            let k = SecretKey::generate()?;
            keystore.store_new(&vault_id, &k)?;
            (vault_id, k)
        }
    };
    let kek_cipher = kek.cipher()?;
    let dek = SecretKey::generate()?;
    let index_key = SecretKey::generate()?;
    let wrap = |name: &[u8], pt: &[u8]| {
        crypto::seal_with(&kek_cipher, KEK_ID, Tree::Meta.name(), name, pt)
    };

    let mut b = Batch::new();
    b.expect(Tree::Meta, META_VAULT_ID, None)
        .put(Tree::Meta, META_FORMAT, vec![crate::migrate::STORE_FORMAT])
        .put(
            Tree::Meta,
            META_KEK_CHECK,
            wrap(META_KEK_CHECK, KEK_CHECK_PLAINTEXT)?,
        )
        .put(Tree::Meta, &dek_name(1), wrap(&dek_name(1), dek.expose())?)
        .put(Tree::Meta, META_ACTIVE_DEK, 1u32.to_be_bytes().to_vec())
        .put(
            Tree::Meta,
            META_INDEX_KEY,
            wrap(META_INDEX_KEY, index_key.expose())?,
        )
        .put(Tree::Meta, META_NEXT_SEQ, 1u64.to_be_bytes().to_vec())
        .put(Tree::Meta, META_AUDIT_NEXT, 1u64.to_be_bytes().to_vec())
        // Last, so that a vault id on disk always comes with its keys.
        .put(Tree::Meta, META_VAULT_ID, vault_id.as_bytes().to_vec());
    if backend.apply(&b)? != Applied::Yes {
        return Err(VaultError::InUse);
    }
    backend.flush()?;
    Ok((vault_id, kek))
}

impl Inner {
    /// Make every applied change durable, then raise the watermark to what is now on disk.
    pub(crate) fn flush(&self) -> Result<()> {
        self.refuse_if_wiped()?;
        // Read before flushing: everything counted so far is durable once the flush returns.
        let counter = self.backend.commit_counter()?;
        self.backend.flush()?;
        if let Some(w) = &self.watermark {
            w.advance(counter)?;
        }
        Ok(())
    }

    /// Shared guard every writer holds from sealing to applying.
    pub(crate) fn writing(&self) -> Result<std::sync::RwLockReadGuard<'_, ()>> {
        let guard = self.write_gate.read().map_err(|_| poisoned())?;
        self.refuse_if_wiped()?;
        Ok(guard)
    }

    /// Exclusive hold of the write gate: waits for every writer in flight (used by the wipe).
    pub(crate) fn write_gate_exclusive(&self) -> Result<std::sync::RwLockWriteGuard<'_, ()>> {
        self.write_gate.write().map_err(|_| poisoned())
    }

    pub(crate) fn refuse_if_wiped(&self) -> Result<()> {
        if self.wiped.load(std::sync::atomic::Ordering::SeqCst) {
            Err(VaultError::Wiped)
        } else {
            Ok(())
        }
    }

    /// Forgets every data key held in memory (after a wipe nothing may be opened any more).
    pub(crate) fn forget_data_keys(&self) -> Result<()> {
        let mut keys = self.keys.write().map_err(|_| poisoned())?;
        *keys = DataKeys::new(0, BTreeMap::new());
        Ok(())
    }

    pub(crate) fn keys_read(&self) -> Result<std::sync::RwLockReadGuard<'_, DataKeys>> {
        self.keys.read().map_err(|_| poisoned())
    }

    pub(crate) fn seal(&self, tree: Tree, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        self.keys_read()?.seal(tree, key, plaintext)
    }

    pub(crate) fn open(&self, tree: Tree, key: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.keys_read()?.open(tree, key, sealed)
    }

    /// Serialize and seal.
    pub(crate) fn seal_value<T: Serialize>(
        &self,
        tree: Tree,
        key: &[u8],
        value: &T,
    ) -> Result<Vec<u8>> {
        let pt = Zeroizing::new(postcard::to_stdvec(value).map_err(|_| VaultError::Codec {
            tree: tree.name(),
            action: "encode",
        })?);
        self.seal(tree, key, &pt)
    }

    /// Open and deserialize.
    pub(crate) fn open_value<T: DeserializeOwned>(
        &self,
        tree: Tree,
        key: &[u8],
        sealed: &[u8],
    ) -> Result<T> {
        let pt = self.open(tree, key, sealed)?;
        postcard::from_bytes(&pt).map_err(|_| VaultError::Codec {
            tree: tree.name(),
            action: "decode",
        })
    }

    pub(crate) fn get_value<T: DeserializeOwned>(
        &self,
        tree: Tree,
        key: &[u8],
    ) -> Result<Option<T>> {
        match self.backend.get(tree, key)? {
            None => Ok(None),
            Some(s) => self.open_value(tree, key, &s).map(Some),
        }
    }

    fn start_rotation(&self) -> Result<()> {
        let kek_cipher = self.kek.cipher()?;
        let (old, new_id) = {
            let k = self.keys_read()?;
            let max = k.ids().into_iter().max().unwrap_or(0);
            (
                k.active(),
                max.checked_add(1).ok_or_else(|| VaultError::CorruptMeta {
                    detail: "data key ids exhausted".into(),
                })?,
            )
        };
        let dek = SecretKey::generate()?;
        let name = dek_name(new_id);
        let _exclusive = self.write_gate.write().map_err(|_| poisoned())?;
        let mut b = Batch::new();
        b.expect(Tree::Meta, META_ROTATION, None)
            .expect(Tree::Meta, META_ACTIVE_DEK, Some(&old.to_be_bytes()))
            .expect(Tree::Meta, &name, None)
            .put(
                Tree::Meta,
                &name,
                crypto::seal_with(&kek_cipher, KEK_ID, Tree::Meta.name(), &name, dek.expose())?,
            )
            .put(Tree::Meta, META_ACTIVE_DEK, new_id.to_be_bytes().to_vec())
            .put(Tree::Meta, META_ROTATION, new_id.to_be_bytes().to_vec());
        if self.backend.apply(&b)? != Applied::Yes {
            return Err(VaultError::CorruptMeta {
                detail: "key metadata changed during rotation start".into(),
            });
        }
        self.flush()?;
        let mut k = self.keys.write().map_err(|_| poisoned())?;
        k.insert(new_id, dek.cipher()?);
        k.set_active(new_id);
        Ok(())
    }

    /// Re-seal every record not under the active key, then drop the other keys. Idempotent.
    pub(crate) fn finish_rotation(&self) -> Result<RotationReport> {
        let active = self.keys_read()?.active();
        let mut resealed = 0u64;
        for tree in Tree::SEALED {
            for (k, v) in self.backend.scan(tree, b"")? {
                if key_id_of(&v).ok() == Some(active) {
                    continue;
                }
                let pt = self.open(tree, &k, &v)?;
                let fresh = self.seal(tree, &k, &pt)?;
                let mut b = Batch::new();
                b.expect(tree, &k, Some(&v)).put(tree, &k, fresh);
                // CheckFailed: the record was rewritten (under the active key) or removed meanwhile.
                if self.backend.apply(&b)? == Applied::Yes {
                    resealed += 1;
                    if resealed.is_multiple_of(512) {
                        self.flush()?;
                    }
                }
            }
        }
        // Everything must be durable under the new key before the old key may disappear.
        self.flush()?;
        let old_ids: Vec<u32> = self
            .keys_read()?
            .ids()
            .into_iter()
            .filter(|i| *i != active)
            .collect();
        let mut b = Batch::new();
        b.expect(Tree::Meta, META_ACTIVE_DEK, Some(&active.to_be_bytes()));
        for id in &old_ids {
            b.remove(Tree::Meta, &dek_name(*id));
        }
        b.remove(Tree::Meta, META_ROTATION);
        if self.backend.apply(&b)? != Applied::Yes {
            return Err(VaultError::CorruptMeta {
                detail: "active key changed during rotation".into(),
            });
        }
        self.flush()?;
        // The old keys are gone from disk; in memory they stay (zeroized when the vault closes) so a
        // reader that fetched a record just before it was re-sealed can still open it instead of
        // reporting a false corruption.
        Ok(RotationReport {
            new_key_id: active,
            resealed,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests;
