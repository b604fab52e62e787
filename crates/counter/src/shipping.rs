//! Shipping the terminal's audit chain to the union (N:4040–4043: the 情報システム管理者 reviews the
//! records; the union keeps them for the 一定期間, N:4213–4214). A background task sends the entries the
//! union has not acknowledged, oldest first, after every contact with the union and periodically; the
//! acknowledged head is kept sealed in the vault, so a restart resumes exactly after it (the union drops a
//! repeated entry that is unchanged, so nothing is stored twice either way).
//!
//! What stays on the terminal: acknowledged entries are kept for a short window (default
//! [`DEFAULT_RETENTION`]) and then removed; the vault keeps an anchor (the head of the last removed entry)
//! in the same atomic write, so the start-up verification checks the kept entries from that anchor.
//! Unacknowledged entries are never removed.

use std::sync::Mutex as StdMutex;
use std::time::Duration;

use chrono::Utc;
use madoguchi_audit::{AuditEntry, ChainHead};
use madoguchi_link::UnionClient;
use madoguchi_protocol::v1::{AuditChainAck, AuditChainBatch, AuditChainFlag, MAX_CHAIN_BATCH};
use madoguchi_vault::Vault;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::error::CounterError;

/// How long acknowledged entries stay on the terminal: a week of local answers while the union is
/// unreachable, then only the union holds them (minimal data on the terminal, FR-29).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// How often the task ships when nothing else wakes it.
const SHIP_EVERY: Duration = Duration::from_secs(30);

/// After the union flagged the chain, try again only this often (the flag stays until an administrator
/// looks into it; repeating it every half minute helps nobody).
const FLAGGED_RETRY: Duration = Duration::from_secs(600);

/// Most bytes of entries in one shipment (the union accepts bodies up to 64 KiB).
const BATCH_BYTES: usize = 48 * 1024;

/// Setting holding the acknowledged position.
const ACKNOWLEDGED: &str = "audit.acknowledged";

/// The union's acknowledgement as kept in the vault: the chain head and the vault record it is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Acknowledged {
    head: ChainHead,
    record: u64,
}

/// Where shipping stands (for the administrator's screen and the tests).
#[derive(ts_rs::TS, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShippingStatus {
    /// Last seq the union acknowledged.
    pub acknowledged_seq: u64,
    /// Entries kept on the terminal that the union has not acknowledged.
    pub pending: u64,
    /// The union's flag, when it refused to continue this terminal's chain.
    pub flag: Option<AuditChainFlag>,
}

/// What one shipping round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shipped {
    /// Everything up to this seq is held by the union.
    UpTo(u64),
    /// The union flagged the chain; nothing more is acknowledged.
    Flagged(Box<AuditChainFlag>),
}

pub(crate) struct Shipper {
    client: UnionClient,
    vault: Vault,
    wake: Notify,
    round: tokio::sync::Mutex<()>,
    retention: StdMutex<Duration>,
    flag: StdMutex<Option<AuditChainFlag>>,
}

/// Reads the anchor the vault keeps for a pruned chain (the empty head when nothing was pruned).
pub(crate) fn anchor(vault: &Vault) -> Result<ChainHead, CounterError> {
    match vault.audit_log().anchor()? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
            CounterError::AuditChain(madoguchi_audit::ChainError {
                position: 0,
                seq: None,
                kind: madoguchi_audit::ChainErrorKind::Malformed("anchor".into()),
            })
        }),
        None => Ok(ChainHead::default()),
    }
}

fn parse(n: u64, bytes: &[u8]) -> Result<AuditEntry, CounterError> {
    serde_json::from_slice(bytes).map_err(|_| {
        CounterError::AuditChain(madoguchi_audit::ChainError {
            position: 0,
            seq: None,
            kind: madoguchi_audit::ChainErrorKind::Malformed(format!("vault record {n}")),
        })
    })
}

impl Shipper {
    pub(crate) fn new(client: UnionClient, vault: Vault) -> Self {
        Shipper {
            client,
            vault,
            wake: Notify::new(),
            round: tokio::sync::Mutex::new(()),
            retention: StdMutex::new(DEFAULT_RETENTION),
            flag: StdMutex::new(None),
        }
    }

    fn acknowledged(&self) -> Result<Acknowledged, CounterError> {
        Ok(self
            .vault
            .settings()
            .get::<Acknowledged>(ACKNOWLEDGED)?
            .unwrap_or_default())
    }

    pub(crate) fn set_retention(&self, keep: Duration) {
        if let Ok(mut r) = self.retention.lock() {
            *r = keep;
        }
    }

    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn status(&self) -> Result<ShippingStatus, CounterError> {
        let ack = self.acknowledged()?;
        let mut pending = 0u64;
        let mut from = ack.record + 1;
        loop {
            let batch = self.vault.audit_log().read_from(from, 1000)?;
            let Some((last, _)) = batch.last() else { break };
            from = last + 1;
            pending += batch.len() as u64;
        }
        Ok(ShippingStatus {
            acknowledged_seq: ack.head.seq,
            pending,
            flag: self.flag.lock().ok().and_then(|f| f.clone()),
        })
    }

    /// Sends every entry the union has not acknowledged, then removes acknowledged entries older than the
    /// retention window.
    pub(crate) async fn ship(&self) -> Result<Shipped, CounterError> {
        let _round = self.round.lock().await;
        let mut ack = self.acknowledged()?;
        loop {
            let records = self
                .vault
                .audit_log()
                .read_from(ack.record + 1, MAX_CHAIN_BATCH)?;
            if records.is_empty() {
                break;
            }
            // At most MAX_CHAIN_BATCH entries and BATCH_BYTES of JSON: the union's body limit is 64 KiB and
            // an entry with a long purpose (a reprint's その他) is larger than most.
            let mut numbered = Vec::with_capacity(records.len());
            let mut size = 0usize;
            for (n, bytes) in &records {
                if !numbered.is_empty() && size + bytes.len() > BATCH_BYTES {
                    break;
                }
                size += bytes.len();
                numbered.push((*n, parse(*n, bytes)?));
            }
            let full = numbered.len() == MAX_CHAIN_BATCH || numbered.len() < records.len();
            let batch = AuditChainBatch {
                entries: numbered.iter().map(|(_, e)| e.clone()).collect(),
            };
            let answer: AuditChainAck = self
                .client
                .post("/v1/audit/chain", None, None, &batch)
                .await?;
            if let Some(flag) = answer.flag {
                tracing::warn!(
                    flag = flag.id,
                    kind = ?flag.kind,
                    expected_seq = flag.expected_seq,
                    "the union flagged this terminal's audit chain"
                );
                if let Ok(mut f) = self.flag.lock() {
                    *f = Some(flag.clone());
                }
                return Ok(Shipped::Flagged(Box::new(flag)));
            }
            if let Ok(mut f) = self.flag.lock() {
                *f = None;
            }
            let Some((record, _)) = numbered
                .iter()
                .find(|(_, e)| e.seq == answer.accepted.seq && e.hash == answer.accepted.hash)
            else {
                // The union holds less than this batch (it cannot: it accepted or flagged). Stop here and
                // let the next round start from what is known.
                tracing::warn!(
                    accepted = answer.accepted.seq,
                    "audit acknowledgement does not match the shipped entries"
                );
                break;
            };
            ack = Acknowledged {
                head: answer.accepted,
                record: *record,
            };
            self.vault.settings().set(ACKNOWLEDGED, &ack)?;
            if !full {
                break;
            }
        }
        self.prune(ack)?;
        Ok(Shipped::UpTo(ack.head.seq))
    }

    /// Removes acknowledged entries older than the retention window, anchoring the kept chain.
    fn prune(&self, ack: Acknowledged) -> Result<(), CounterError> {
        let keep = self
            .retention
            .lock()
            .map(|r| *r)
            .unwrap_or(DEFAULT_RETENTION);
        let cutoff = Utc::now() - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
        let mut last: Option<(u64, ChainHead)> = None;
        let mut from = 0;
        'scan: loop {
            let batch = self.vault.audit_log().read_from(from, 1000)?;
            let Some((tail, _)) = batch.last() else { break };
            from = tail + 1;
            for (n, bytes) in &batch {
                if *n > ack.record {
                    break 'scan;
                }
                let e = parse(*n, bytes)?;
                if e.event.at > cutoff {
                    break 'scan;
                }
                last = Some((
                    *n,
                    ChainHead {
                        seq: e.seq,
                        hash: e.hash,
                    },
                ));
            }
        }
        if let Some((n, head)) = last {
            let bytes =
                serde_json::to_vec(&head).map_err(|e| CounterError::Encode(e.to_string()))?;
            let removed = self.vault.audit_log().prune_through(n, &bytes)?;
            tracing::info!(
                removed,
                through = head.seq,
                "acknowledged audit entries removed"
            );
        }
        Ok(())
    }
}

/// The background task: ships after every contact with the union (the line coming back) and every
/// [`SHIP_EVERY`], or at once when woken.
pub(crate) async fn keep_shipping(shipper: std::sync::Arc<Shipper>, client: UnionClient) {
    let mut line = client.line().subscribe();
    let mut wait = SHIP_EVERY;
    loop {
        if client.line().state() != madoguchi_link::LineState::Offline {
            wait = match shipper.ship().await {
                Ok(Shipped::UpTo(_)) => SHIP_EVERY,
                Ok(Shipped::Flagged(_)) => FLAGGED_RETRY,
                Err(e) => {
                    tracing::info!(error = %e, "audit entries not shipped; will try again");
                    SHIP_EVERY
                }
            };
        }
        tokio::select! {
            changed = line.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = shipper.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
