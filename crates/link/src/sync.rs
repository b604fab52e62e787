//! The sync engine: drains the offline queue (the vault's outbox) when the line is up, exactly once, in
//! order per resident, and keeps the union's decisions for the "ready to issue" list.
//!
//! Exactly once rests on two things: every notification carries the idempotency key it was given when it
//! was first entered (the union answers a repeat with the stored decision and one effect), and the outbox
//! state moves only by compare-and-set, flushed before anything is reported. A crash while 送信中 leaves
//! the item to the startup sweep, which puts it back to 未送信; resending it is safe.
//!
//! Retries back off exponentially with jitter (`backon`), so two hundred terminals coming back after an
//! outage do not all knock at once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::{DateTime, Utc};
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::{NotificationDecision, NotificationRequest, Outcome};
use madoguchi_vault::{Expiry, OutboxItem, OutboxState, Sequence, Vault, VaultError};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, Notify, watch};

use crate::client::{SessionToken, UnionClient};
use crate::error::LinkError;
use crate::line::LineState;

/// What the outbox keeps for one notification (sealed by the vault): the request exactly as it will be
/// sent, and who entered it where.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueuedSubmission {
    /// The request body.
    pub request: NotificationRequest,
    /// 職員ID of the clerk who took the notification.
    pub entered_by: String,
    /// When it was entered.
    pub entered_at: DateTime<Utc>,
}

/// Namespace of decisions in the vault cache.
const DECISIONS: &str = "decision";
/// Setting holding the sequence numbers whose decision waits for issuance.
const READY_INDEX: &str = "ready_to_issue";
/// How long a decision waits for its document to be handed over before it is purged (the union keeps it).
const DECISION_RETENTION: Duration = Duration::from_secs(14 * 24 * 3600);

/// Serialises updates of the ready list. The list is one setting, updated read-modify-write, and decisions
/// come back concurrently (the counter's immediate sends and the drain, on different threads): without
/// this, two updates at once lose one entry and a document to hand over disappears from the list.
/// Process-wide, so that every `DecisionStore` over the same vault is covered.
static READY_INDEX_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn ready_index_lock() -> std::sync::MutexGuard<'static, ()> {
    // Nothing is left half-done under the lock (the setting is written in one step): a poisoned lock
    // is still a good lock.
    READY_INDEX_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Decisions that came back for queued notifications, kept encrypted until the document is handed over.
#[derive(Clone)]
pub struct DecisionStore {
    vault: Vault,
}

impl DecisionStore {
    /// Over the terminal's vault.
    pub fn new(vault: Vault) -> Self {
        DecisionStore { vault }
    }

    /// Keeps a decision and lists it as ready to issue.
    pub fn put(&self, seq: Sequence, decision: &NotificationDecision) -> Result<(), VaultError> {
        let bytes = serde_json::to_vec(decision).map_err(|e| VaultError::Storage {
            detail: format!("decision encoding: {e}"),
        })?;
        let expiry =
            Expiry::After(chrono::Duration::from_std(DECISION_RETENTION).unwrap_or_default());
        self.vault
            .cache()
            .put(DECISIONS, &seq.0.to_string(), &bytes, expiry)?;
        let _serial = ready_index_lock();
        let settings = self.vault.settings();
        let mut ready: BTreeSet<u64> = settings.get(READY_INDEX)?.unwrap_or_default();
        ready.insert(seq.0);
        settings.set(READY_INDEX, &ready)
    }

    /// The decision of a queued notification, while kept.
    pub fn get(&self, seq: Sequence) -> Result<Option<NotificationDecision>, VaultError> {
        let Some(bytes) = self.vault.cache().get(DECISIONS, &seq.0.to_string())? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| VaultError::CorruptRecord {
                tree: "cache",
                record: format!("decision {}", seq.0),
            })
    }

    /// Sequence numbers whose decision waits to be handed over, oldest first. Entries whose decision has
    /// expired are dropped from the list.
    pub fn ready(&self) -> Result<Vec<(Sequence, NotificationDecision)>, VaultError> {
        let ready: BTreeSet<u64> = self.vault.settings().get(READY_INDEX)?.unwrap_or_default();
        let mut out = Vec::with_capacity(ready.len());
        for s in ready {
            if let Some(d) = self.get(Sequence(s))? {
                out.push((Sequence(s), d));
            }
        }
        Ok(out)
    }

    /// The document was handed over or mailed: forget the decision.
    pub fn done(&self, seq: Sequence) -> Result<(), VaultError> {
        let _serial = ready_index_lock();
        let settings = self.vault.settings();
        let mut ready: BTreeSet<u64> = settings.get(READY_INDEX)?.unwrap_or_default();
        ready.remove(&seq.0);
        settings.set(READY_INDEX, &ready)?;
        self.vault.cache().remove(DECISIONS, &seq.0.to_string())
    }
}

/// What one send attempt came to.
#[derive(Debug)]
pub enum SendOutcome {
    /// The union decided; the payload is erased and the decision kept.
    Decided(Box<NotificationDecision>),
    /// The union refused the notification itself (差戻し), with its reason.
    Rejected {
        /// Stable code.
        code: &'static str,
        /// The union's Japanese reason.
        reason_ja: String,
        /// The JSON path of the field the union named, when the refusal is about one field.
        field: Option<String>,
    },
    /// The resident's record changed at the union meanwhile (競合).
    Conflict {
        /// Stable code.
        code: &'static str,
        /// The union's Japanese reason.
        reason_ja: String,
        /// The JSON path of the field the union named, when the refusal is about one field.
        field: Option<String>,
    },
    /// Not delivered (line, server trouble, or no staff session); back in the queue.
    Deferred(LinkError),
}

/// Codes that mean "the record changed since the notification was taken" rather than "the notification is
/// wrong": staff must look at the resident again.
fn is_conflict(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::AlreadyInsured
            | ErrorCode::NotInsured
            | ErrorCode::ResidentMismatch
            | ErrorCode::MyNumberMismatch
            | ErrorCode::IdempotencyKeyReused
    )
}

/// Codes that say nothing about the notification: try again once a clerk has signed in again.
fn needs_session(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unauthenticated | ErrorCode::SessionTerminalMismatch
    )
}

/// Progress of the queue for the screens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// Items not yet acknowledged (未送信, 送信中, and 差戻し・競合 waiting for staff).
    pub pending: usize,
    /// Items decided since the engine started.
    pub decided: usize,
    /// Items refused since the engine started (差戻し and 競合).
    pub refused: usize,
    /// Whether the engine waits for a staff sign-in to continue.
    pub waiting_for_sign_in: bool,
}

/// Sends outbox items. Shared by the counter (immediate submissions) and the background drain, which
/// take items only under `claim` so that one item is never sent twice at once.
#[derive(Clone)]
pub struct Sender {
    client: UnionClient,
    vault: Vault,
    decisions: DecisionStore,
    claim: Arc<Mutex<()>>,
}

impl Sender {
    /// Over a client and a vault.
    pub fn new(client: UnionClient, vault: Vault) -> Self {
        Sender {
            decisions: DecisionStore::new(vault.clone()),
            client,
            vault,
            claim: Arc::new(Mutex::new(())),
        }
    }

    /// The decision store.
    pub fn decisions(&self) -> &DecisionStore {
        &self.decisions
    }

    /// Asks the union again for every kept decision that is 審査中 (a 障害認定 examined by the union) and keeps
    /// the answer once decided: it then stands in the ready list like any queued item's decision. Returns how
    /// many were decided since; a line or session failure leaves them for the next pass.
    pub async fn refresh_under_review(&self, token: &SessionToken) -> Result<usize, VaultError> {
        let mut changed = 0;
        for (seq, old) in self.decisions.ready()? {
            if old.outcome != Outcome::UnderReview {
                continue;
            }
            let key = old.idempotency_key.to_string();
            let answer: Result<NotificationDecision, LinkError> = self
                .client
                .send(
                    &madoguchi_protocol::endpoint::NOTIFICATION,
                    &[&key],
                    Some(token),
                    None,
                    None,
                )
                .await;
            match answer {
                Ok(new) if new.outcome != Outcome::UnderReview => {
                    self.decisions.put(seq, &new)?;
                    changed += 1;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "審査中 decision not refreshed");
                    break;
                }
            }
        }
        Ok(changed)
    }

    /// Whether a kept decision is still 審査中.
    pub fn has_under_review(&self) -> bool {
        self.decisions
            .ready()
            .is_ok_and(|r| r.iter().any(|(_, d)| d.outcome == Outcome::UnderReview))
    }

    /// Serialises choosing items and marking them 送信中.
    pub fn claim_lock(&self) -> &Mutex<()> {
        &self.claim
    }

    /// Sends one item that the caller has marked 送信中, and moves it to its next state. The state change is
    /// durable before this returns.
    pub async fn send(
        &self,
        seq: Sequence,
        token: &SessionToken,
    ) -> Result<SendOutcome, VaultError> {
        let outbox = self.vault.outbox();
        let item = outbox.get(seq)?;
        let payload = outbox.payload(seq)?;
        let queued: QueuedSubmission = match serde_json::from_slice(&payload) {
            Ok(q) => q,
            Err(_) => {
                let reason = "保存された届出を読み取れません。内容を確認して入力し直してください。";
                outbox.mark_rejected(seq, reason)?;
                return Ok(SendOutcome::Rejected {
                    code: "unreadable_payload",
                    reason_ja: reason.into(),
                    field: None,
                });
            }
        };
        let result: Result<NotificationDecision, LinkError> = self
            .client
            .send(
                &madoguchi_protocol::endpoint::SUBMIT_NOTIFICATION,
                &[],
                Some(token),
                Some(item.idempotency_key.0),
                Some(&queued.request),
            )
            .await;
        match result {
            Ok(decision) => {
                // Keep the decision before the payload goes: a crash in between resends (idempotent).
                self.decisions.put(seq, &decision)?;
                // 送信中 → 決定 in one flushed step: the union decides at once, so there is no separate
                // 受理 to record, and a crash between two steps left the item 受理 for good.
                outbox.mark_decided(seq)?;
                Ok(SendOutcome::Decided(Box::new(decision)))
            }
            Err(LinkError::Refused { body, .. }) if needs_session(body.code) => {
                outbox.retry(seq)?;
                Ok(SendOutcome::Deferred(LinkError::Refused {
                    status: 401,
                    body,
                }))
            }
            Err(e) if e.is_transient() => {
                outbox.retry(seq)?;
                Ok(SendOutcome::Deferred(e))
            }
            Err(LinkError::Refused { body, .. }) => {
                let code = body.code.as_str();
                if is_conflict(body.code) {
                    outbox.mark_conflict(seq, &body.message_ja)?;
                    Ok(SendOutcome::Conflict {
                        code,
                        reason_ja: body.message_ja,
                        field: body.field,
                    })
                } else {
                    outbox.mark_rejected(seq, &body.message_ja)?;
                    Ok(SendOutcome::Rejected {
                        code,
                        reason_ja: body.message_ja,
                        field: body.field,
                    })
                }
            }
            Err(e) => {
                // A version mismatch or local configuration error: keep the item, staff are told.
                outbox.retry(seq)?;
                Ok(SendOutcome::Deferred(e))
            }
        }
    }
}

/// How often an idle engine asks the union again for 審査中 decisions.
const UNDER_REVIEW_POLL: Duration = Duration::from_secs(60);

/// The background drain.
pub struct SyncEngine {
    sender: Sender,
    token: watch::Receiver<Option<SessionToken>>,
    wake: Arc<Notify>,
    progress: watch::Sender<SyncProgress>,
    parallel: usize,
}

/// Handle to wake the engine (after an enqueue) and watch its progress.
#[derive(Clone)]
pub struct SyncHandle {
    wake: Arc<Notify>,
    progress: watch::Receiver<SyncProgress>,
}

impl SyncHandle {
    /// Something was queued or the session changed: look at the queue now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Progress as it changes.
    pub fn progress(&self) -> watch::Receiver<SyncProgress> {
        self.progress.clone()
    }
}

impl SyncEngine {
    /// An engine sending up to `parallel` residents' items at once, with the staff session from `token`.
    pub fn new(
        sender: Sender,
        token: watch::Receiver<Option<SessionToken>>,
        parallel: usize,
    ) -> (Self, SyncHandle) {
        let wake = Arc::new(Notify::new());
        let (progress, rx) = watch::channel(SyncProgress::default());
        let handle = SyncHandle {
            wake: wake.clone(),
            progress: rx,
        };
        (
            SyncEngine {
                sender,
                token,
                wake,
                progress,
                parallel: parallel.max(1),
            },
            handle,
        )
    }

    /// Runs until the task is dropped. Never panics on a bad item: it is rejected or kept for staff.
    pub async fn run(mut self) {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(60))
            .with_jitter()
            .without_max_times();
        let mut delays = backoff.build();
        let mut line = self.sender.client.line().subscribe();
        loop {
            match self.drain_once().await {
                Ok(Drained::Empty) => {
                    delays = backoff.build();
                    // 審査中 decisions are asked for again each minute until the union decides.
                    let pause = self.sender.has_under_review().then_some(UNDER_REVIEW_POLL);
                    self.wait_for(&mut line, pause).await;
                }
                Ok(Drained::Progress) => delays = backoff.build(),
                Ok(Drained::Deferred) | Err(_) => {
                    let pause = delays.next().unwrap_or(Duration::from_secs(60));
                    self.wait_for(&mut line, Some(pause)).await;
                }
            }
        }
    }

    async fn wait_for(&mut self, line: &mut watch::Receiver<LineState>, pause: Option<Duration>) {
        let sleep = async {
            match pause {
                Some(p) => tokio::time::sleep(p).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = self.wake.notified() => {}
            _ = sleep => {}
            _ = line.changed() => {}
            _ = self.token.changed() => {}
        }
    }

    /// One pass over the sendable items.
    pub async fn drain_once(&mut self) -> Result<Drained, VaultError> {
        let outbox = self.sender.vault.outbox();
        let token = self.token.borrow().clone();
        let Some(token) = token else {
            self.report(|p| p.waiting_for_sign_in = true);
            return Ok(Drained::Deferred);
        };
        if self.sender.client.line().state() == LineState::Offline
            && self.sender.client.line().simulated_offline()
        {
            return Ok(Drained::Deferred);
        }
        let batch: Vec<Sequence> = {
            let _guard = self.sender.claim.lock().await;
            let items = outbox.next_sendable(self.parallel)?;
            let mut claimed = Vec::with_capacity(items.len());
            for it in items {
                if outbox.mark_sending(it.item.seq).is_ok() {
                    claimed.push(it.item.seq);
                }
            }
            claimed
        };
        if batch.is_empty() {
            if self.sender.refresh_under_review(&token).await? > 0 {
                self.report(|p| p.decided += 1);
            }
            self.refresh_counts();
            return Ok(Drained::Empty);
        }
        let sends = batch.iter().map(|seq| self.sender.send(*seq, &token));
        let results = futures::future::join_all(sends).await;
        let mut progress = false;
        let mut deferred = false;
        for r in results {
            match r? {
                SendOutcome::Decided(_) => {
                    progress = true;
                    self.report(|p| {
                        p.decided += 1;
                        p.waiting_for_sign_in = false;
                    });
                }
                SendOutcome::Rejected { .. } | SendOutcome::Conflict { .. } => {
                    progress = true;
                    self.report(|p| {
                        p.refused += 1;
                        p.waiting_for_sign_in = false;
                    });
                }
                SendOutcome::Deferred(e) => {
                    deferred = true;
                    let waiting = matches!(&e, LinkError::Refused { status: 401, .. });
                    self.report(|p| p.waiting_for_sign_in = waiting);
                }
            }
        }
        self.refresh_counts();
        Ok(if deferred && !progress {
            Drained::Deferred
        } else {
            Drained::Progress
        })
    }

    fn refresh_counts(&self) {
        // Counted on the index: opening every record after each batch made a long drain quadratic.
        let pending = self.sender.vault.outbox().pending_count().unwrap_or(0);
        self.report(|p| p.pending = pending);
    }

    fn report(&self, f: impl FnOnce(&mut SyncProgress)) {
        self.progress.send_modify(f);
    }
}

/// What a drain pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Nothing to send.
    Empty,
    /// At least one item reached a final answer.
    Progress,
    /// Nothing got through (line, session): wait and try again.
    Deferred,
}

/// Whether an outbox item is on the staff work list (差戻し or 競合).
pub fn on_work_list(item: &OutboxItem) -> bool {
    matches!(item.state, OutboxState::Rejected | OutboxState::Conflict)
}
