//! The terminal's own audit trail: every sign-in, search, record view, 個人番号 reveal, submission and
//! handover is chained (madoguchi-audit) and stored sealed in the vault (N:4040–4043). Targets are opaque
//! ids (resident, document), never a name or a number that identifies a person.

use chrono::Utc;
use madoguchi_audit::{AuditEntry, AuditEvent, ChainHead, Operation, Outcome, verify_entries};
use madoguchi_vault::Vault;
use tokio::sync::Mutex;

use crate::error::CounterError;

/// Records read back per batch when the chain is opened.
const READ_BATCH: usize = 1000;

pub(crate) struct AuditTrail {
    vault: Vault,
    terminal: String,
    head: Mutex<ChainHead>,
}

impl AuditTrail {
    /// Opens the trail and checks the whole chain: a broken chain (an edited, removed or reordered record)
    /// stops the counter rather than being continued silently.
    pub(crate) fn open(vault: Vault) -> Result<Self, CounterError> {
        let terminal = vault.config().terminal_code.clone();
        // Entries the union acknowledged may have been removed: the kept ones continue the anchor.
        let anchor = crate::shipping::anchor(&vault)?;
        let head = verify_entries(anchor, &terminal, &read_all(&vault)?)
            .map_err(CounterError::AuditChain)?;
        Ok(AuditTrail {
            vault,
            terminal,
            head: Mutex::new(head),
        })
    }

    /// Appends one operation. Durable before it returns (the vault flushes).
    pub(crate) async fn record(
        &self,
        user: &str,
        operation: Operation,
        target: Option<String>,
        outcome: Outcome,
    ) -> Result<(), CounterError> {
        self.record_with_purpose(user, operation, target, None, outcome)
            .await
    }

    /// Appends one operation with its purpose (利用目的, or a reprint's reason).
    pub(crate) async fn record_with_purpose(
        &self,
        user: &str,
        operation: Operation,
        target: Option<String>,
        purpose: Option<String>,
        outcome: Outcome,
    ) -> Result<(), CounterError> {
        let mut head = self.head.lock().await;
        let mut next = *head;
        let entry = next.append(AuditEvent {
            at: Utc::now(),
            terminal: self.terminal.clone(),
            user: user.to_owned(),
            operation,
            target,
            purpose,
            outcome,
        });
        let bytes = serde_json::to_vec(&entry).map_err(|e| CounterError::Encode(e.to_string()))?;
        self.vault.audit_log().append(&bytes)?;
        *head = next;
        Ok(())
    }

    /// Every entry, oldest first (for the administrator's export and the union's continuity check).
    pub(crate) fn entries(&self) -> Result<Vec<AuditEntry>, CounterError> {
        read_all(&self.vault)
    }
}

fn read_all(vault: &Vault) -> Result<Vec<AuditEntry>, CounterError> {
    let log = vault.audit_log();
    let mut out = Vec::new();
    let mut from = 0;
    loop {
        let batch = log.read_from(from, READ_BATCH)?;
        let Some((last, _)) = batch.last() else {
            return Ok(out);
        };
        from = last + 1;
        for (n, bytes) in batch {
            let entry: AuditEntry = serde_json::from_slice(&bytes).map_err(|_| {
                CounterError::AuditChain(madoguchi_audit::ChainError {
                    position: out.len() + 1,
                    seq: None,
                    kind: madoguchi_audit::ChainErrorKind::Malformed(format!("vault record {n}")),
                })
            })?;
            out.push(entry);
        }
    }
}
