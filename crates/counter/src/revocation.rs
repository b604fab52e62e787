//! A revoked terminal wipes itself: when the union refuses this terminal's certificate as revoked
//! (confirmed by `madoguchi-link`, never on a network error), the counter stops its background work,
//! forgets the staff session, destroys the vault's key in the OS keyring and deletes the vault directory,
//! then stays in a clear 「失効」 state. The seeds' thick-client risk (data kept locally, BRIEF) is why a
//! terminal the union no longer trusts must not keep anything.

use std::sync::Arc;

use madoguchi_vault::{KeyStore, KeyringKeyStore};
use serde::Serialize;
use tokio::task::AbortHandle;

use crate::context::Counter;

/// The terminal as a whole (端末の状態).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum TerminalStatus {
    /// Enrolled and trusted.
    Active,
    /// The union refused the certificate as revoked. `wiped`: the vault's key and directory are gone
    /// (false only while the wipe runs, or when it failed — then the error is in the log and the vault is
    /// refused anyway).
    Revoked {
        /// The vault is wiped.
        wiped: bool,
    },
}

impl TerminalStatus {
    /// What staff read.
    pub fn message_ja(self) -> Option<&'static str> {
        match self {
            TerminalStatus::Active => None,
            TerminalStatus::Revoked { .. } => Some(madoguchi_link::TERMINAL_REVOKED_JA),
        }
    }
}

/// Waits for the revocation, then stops `tasks` and wipes the vault with `keys` (the OS keyring when
/// `None`).
pub(crate) async fn wipe_on_revocation(
    counter: Counter,
    keys: Option<Arc<dyn KeyStore>>,
    tasks: Vec<AbortHandle>,
) {
    let mut revoked = counter.client().line().revocation();
    loop {
        if *revoked.borrow_and_update() {
            break;
        }
        if revoked.changed().await.is_err() {
            return;
        }
    }
    tracing::error!("terminal certificate revoked: stopping and wiping the vault");
    counter.set_status(TerminalStatus::Revoked { wiped: false });
    for t in &tasks {
        t.abort();
    }
    counter.forget_session();
    let vault = counter.vault().clone();
    let result = tokio::task::spawn_blocking(move || {
        let keys: Arc<dyn KeyStore> = match keys {
            Some(k) => k,
            None => Arc::new(KeyringKeyStore::os_default()?),
        };
        vault.wipe(keys.as_ref())
    })
    .await;
    match result {
        Ok(Ok(report)) => {
            tracing::warn!(path = %report.path.display(), "vault wiped after revocation");
            counter.set_status(TerminalStatus::Revoked { wiped: true });
        }
        Ok(Err(e)) => tracing::error!(error = %e, "vault wipe after revocation failed"),
        Err(e) => tracing::error!(error = %e, "vault wipe task failed"),
    }
}
