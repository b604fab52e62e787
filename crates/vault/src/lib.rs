//! madoguchi-vault: the counter terminal's encrypted local store on sled — outbox (offline queue of
//! notifications), receipts, cache, settings, optional offline roster and room for the audit chain.
//!
//! Every value is sealed with XChaCha20-Poly1305 under a random per-terminal data key, which is wrapped
//! by a key held in the OS keyring ([`KeyringKeyStore`]); associated data binds each value to its tree and
//! record key. Tree names and record keys are fixed words, sequence numbers or keyed hashes.
//!
//! This crate must never: write personal data (names, kana, 個人番号, 被保険者番号, birth dates,
//! addresses) to disk unencrypted or into a log or error message; report a state change before it is
//! flushed; overwrite or delete data it cannot read (a missing/wrong key or a corrupt record is an error,
//! never a reason to start over). It does no networking; the sync engine (`link`) drives the outbox.
//!
//! # On disk (`VaultConfig::path`)
//! - `vault-header` — vault id and a sealed key check (not secret, not personal), read first so a missing
//!   or wrong key is refused before the database is opened;
//! - `vault-watermark` — highest commit counter known to be flushed; a database behind it has lost
//!   acknowledged changes (sled 0.34 drops the log after a damaged entry silently) and is refused;
//! - `store/` — the sled database; trees `meta`, `outbox`, `outbox_payload`, `outbox_index`, `receipts`,
//!   `cache`, `settings`, `roster`, `audit`, `distribution`, `print_jobs`. Values: `version || key id || nonce ||
//!   ciphertext+tag`.
//! - `store-damaged-*` — copy of `store/` as it was before an open that found damage (kept, never removed
//!   by the vault); `<dir>.unreadable-*` — a vault moved aside by [`Vault::set_aside`].
//!
//! # Tests
//! Integration tests and the benchmark use the real OS keyring (kernel keyutils), which needs a session
//! keyring: `keyctl session - cargo test -p madoguchi-vault` and
//! `keyctl session - cargo bench -p madoguchi-vault`. Without it they fail with that instruction.
//!
//! ```no_run
//! use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig};
//! # fn main() -> Result<(), madoguchi_vault::VaultError> {
//! let keys = KeyringKeyStore::os_default()?;
//! let vault = Vault::open(VaultConfig::new("/var/lib/madoguchi/vault", "0301"), &keys)?;
//! let outbox = vault.outbox();
//! outbox.startup_sweep()?; // 送信中 → 未送信 after a restart
//! let receipt = outbox.enqueue(
//!     "131016:000123",
//!     madoguchi_domain::NotificationKind::AcquisitionMoveIn,
//!     b"{...serialized notification...}",
//! )?;
//! println!("受付番号 {}", receipt.reception_number);
//! # Ok(()) }
//! ```

mod audit;
mod backend;
mod cache;
mod crypto;
mod distribution;
mod error;
mod keystore;
mod migrate;
mod outbox;
mod outbox_correction;
mod print_jobs;
mod roster;
mod settings;
mod terminal_key;
mod vault;
mod wipe;

pub use audit::AuditLog;
pub use cache::{Cache, Expiry, end_of_business_day};
pub use crypto::SecretKey;
pub use distribution::{DistributionContentId, Distributions};
pub use error::{Result, VaultError};
pub use keystore::{KEYRING_SERVICE, KeyStore, KeyringKeyStore};
pub use outbox::{
    Enqueued, IdempotencyKey, Outbox, OutboxItem, OutboxState, ReceptionNumber, ResidentTag,
    SendableItem, Sequence,
};
pub use print_jobs::PrintJobs;
pub use roster::{CHUNK_ENTRIES, Qualification, Roster, RosterEntry, RosterInfo};
pub use settings::{ROSTER_ENABLED, Settings};
pub use terminal_key::{destroy_terminal_key, open_terminal_key, seal_terminal_key};
pub use vault::{DAMAGED_PREFIX, KeyStatus, RotationReport, Vault, VaultConfig};
pub use wipe::WipeReport;

#[cfg(test)]
mod thread_safety {
    /// The sync engine and the UI share one vault across threads.
    #[test]
    fn handles_are_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<crate::Vault>();
        check::<crate::Outbox>();
        check::<crate::Cache>();
        check::<crate::Roster>();
        check::<crate::Settings>();
        check::<crate::AuditLog>();
        check::<crate::Distributions>();
        check::<crate::PrintJobs>();
    }
}
