//! Intake: submitting a notification (decided at once, or queued with a 受付控 number), the queue with
//! honest states, the work list of rejected and conflicting items, corrections and withdrawals.
//!
//! A submission is always written to the vault's outbox first, durably, and only then sent.

use chrono::Utc;
use madoguchi_audit::Operation;
use madoguchi_domain::{Date, NotificationKind};
use madoguchi_link::LineState;
use madoguchi_link::sync::{QueuedSubmission, SendOutcome, on_work_list};
use madoguchi_protocol::v1::{Notification, NotificationDecision, NotificationRequest};
use madoguchi_vault::{OutboxItem, OutboxState, Sequence};
use serde::Serialize;

use crate::context::Counter;
use crate::error::CounterError;

/// The 受付控 of a queued notification: everything the printed receipt shows. No personal data.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct Receipt {
    /// 受付番号.
    pub reception_number: String,
    /// Position in this terminal's queue.
    pub seq: u64,
    /// 届出の種類.
    pub kind: NotificationKind,
    /// 届出の種類, as staff read it.
    pub kind_ja: String,
    /// When it was taken.
    pub queued_at: chrono::DateTime<Utc>,
    /// Why it was queued instead of decided (for the clerk).
    pub why_ja: String,
}

/// What became of a submission.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Submitted {
    /// Decided at once: confirm, preview, print, hand over.
    Decided {
        /// Position in the outbox (the item is a receipt now); used to close the ready-to-issue entry.
        seq: u64,
        /// The union's decision.
        decision: Box<NotificationDecision>,
    },
    /// Queued: print the 受付控; the decision comes when the line is back.
    Queued(Receipt),
    /// The union refused the notification as entered: correct it and submit again.
    Refused {
        /// Stable code.
        code: String,
        /// The union's reason, for the clerk.
        reason_ja: String,
    },
}

/// One line of the queue screen.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct QueueEntry {
    /// Position.
    pub seq: u64,
    /// 受付番号.
    pub reception_number: String,
    /// 届出の種類.
    pub kind: NotificationKind,
    /// 届出の種類, as staff read it.
    pub kind_ja: String,
    /// State, as a stable code.
    pub state: &'static str,
    /// State, as staff read it (未送信, 送信中, 受理, 決定, 差戻し, 競合, 取下げ).
    pub state_ja: &'static str,
    /// The union's reason for 差戻し / 競合.
    pub reason_ja: Option<String>,
    /// Send attempts so far.
    pub attempts: u32,
    /// When taken.
    pub queued_at: chrono::DateTime<Utc>,
    /// On the work list (差戻し or 競合).
    pub needs_attention: bool,
}

impl From<&OutboxItem> for QueueEntry {
    fn from(i: &OutboxItem) -> Self {
        QueueEntry {
            seq: i.seq.0,
            reception_number: i.reception_number.as_str().to_owned(),
            kind: i.kind,
            kind_ja: i.kind.label_ja().to_owned(),
            state: state_code(i.state),
            state_ja: i.state.label_ja(),
            reason_ja: i.reason.clone(),
            attempts: i.attempts,
            queued_at: i.enqueued_at,
            needs_attention: on_work_list(i),
        }
    }
}

fn state_code(s: OutboxState) -> &'static str {
    match s {
        OutboxState::Queued => "queued",
        OutboxState::Sending => "sending",
        OutboxState::Accepted => "accepted",
        OutboxState::Decided => "decided",
        OutboxState::Rejected => "rejected",
        OutboxState::Conflict => "conflict",
        OutboxState::Withdrawn => "withdrawn",
    }
}

impl Counter {
    /// Submits a notification. Written to the outbox first (durable), then sent at once when the line is
    /// up and no earlier notification of the same resident is still waiting; otherwise queued.
    pub async fn submit(
        &self,
        notification: Notification,
        received_on: Date,
    ) -> Result<Submitted, CounterError> {
        let kind = notification.kind();
        let result = self.submit_unaudited(notification, received_on).await;
        let target = match &result {
            Ok(Submitted::Decided { seq, decision }) => {
                format!("{kind:?} queue:{seq} resident:{}", decision.resident_id)
            }
            Ok(Submitted::Queued(r)) => format!("{kind:?} queue:{}", r.seq),
            _ => format!("{kind:?}"),
        };
        self.audited(None, Operation::Submit, Some(target), result)
            .await
    }

    async fn submit_unaudited(
        &self,
        notification: Notification,
        received_on: Date,
    ) -> Result<Submitted, CounterError> {
        let staff = self.staff().ok_or(CounterError::NotSignedIn)?;
        // An offline session queues: its notifications are sent after an online sign-in.
        let offline = self.session_mode().offline;
        let token = if offline { None } else { Some(self.token()?) };
        let kind = notification.kind();
        let key = resident_key(&notification);
        let queued = QueuedSubmission {
            request: NotificationRequest {
                received_on,
                notification,
            },
            entered_by: staff.user_id,
            entered_at: Utc::now(),
        };
        let payload =
            serde_json::to_vec(&queued).map_err(|e| CounterError::Encode(e.to_string()))?;
        drop(queued);
        let outbox = self.inner.vault.outbox();
        let line = self.inner.client.line();
        let (enq, send_now, why_ja) = {
            let _claim = self.inner.sender.claim_lock().lock().await;
            let earlier = outbox.pending_for_resident(&key)?;
            let enq = outbox.enqueue(&key, kind, &payload)?;
            let (send_now, why) = if offline {
                (
                    false,
                    "オフライン受付のみのサインインのため、受付として保存しました。回線の回復後、オンラインでサインインすると自動で送信します。",
                )
            } else if !earlier.is_empty() {
                (
                    false,
                    "この方の前の届出がまだ送信されていないため、順番を守って受付として保存しました。",
                )
            } else if line.state() == LineState::Offline {
                (
                    false,
                    "回線が切断されているため、受付として保存しました。回線の回復後に自動で送信します。",
                )
            } else {
                (outbox.mark_sending(enq.seq).is_ok(), "")
            };
            (enq, send_now, why)
        };
        let receipt = |why: &str| Receipt {
            reception_number: enq.reception_number.as_str().to_owned(),
            seq: enq.seq.0,
            kind,
            kind_ja: kind.label_ja().to_owned(),
            queued_at: enq.enqueued_at,
            why_ja: why.to_owned(),
        };
        let Some(token) = token.filter(|_| send_now) else {
            self.inner.sync.wake();
            return Ok(Submitted::Queued(receipt(why_ja)));
        };
        match self.inner.sender.send(enq.seq, &token).await? {
            SendOutcome::Decided(decision) => Ok(Submitted::Decided {
                seq: enq.seq.0,
                decision,
            }),
            SendOutcome::Rejected { code, reason_ja }
            | SendOutcome::Conflict { code, reason_ja } => {
                // The clerk is at the counter and sees the reason now: the entry is corrected on screen,
                // so this copy leaves the queue instead of waiting on the work list.
                outbox.withdraw(enq.seq)?;
                Ok(Submitted::Refused {
                    code: code.to_owned(),
                    reason_ja,
                })
            }
            SendOutcome::Deferred(e) => {
                tracing::info!(error = %e, "submission queued after a failed attempt");
                self.inner.sync.wake();
                Ok(Submitted::Queued(receipt(
                    "広域連合のサーバーから応答がないため、受付として保存しました。回線の回復後に自動で送信します。",
                )))
            }
        }
    }

    /// Every item of the queue, newest last.
    pub fn queue(&self) -> Result<Vec<QueueEntry>, CounterError> {
        Ok(self
            .inner
            .vault
            .outbox()
            .list()?
            .iter()
            .map(QueueEntry::from)
            .collect())
    }

    /// The work list: rejected (差戻し) and conflicting (競合) items, with the union's reason.
    pub fn work_list(&self) -> Result<Vec<QueueEntry>, CounterError> {
        Ok(self
            .inner
            .vault
            .outbox()
            .pending()?
            .iter()
            .filter(|i| on_work_list(i))
            .map(QueueEntry::from)
            .collect())
    }

    /// Sends a work-list item again as it is (after the union's record was put right).
    pub fn retry(&self, seq: u64) -> Result<QueueEntry, CounterError> {
        let item = self.inner.vault.outbox().retry(Sequence(seq))?;
        self.inner.sync.wake();
        Ok(QueueEntry::from(&item))
    }

    /// The notification of a work-list item as it was entered, to correct it on screen.
    pub fn queued_notification(&self, seq: u64) -> Result<NotificationRequest, CounterError> {
        let payload = self.inner.vault.outbox().payload(Sequence(seq))?;
        let q: QueuedSubmission =
            serde_json::from_slice(&payload).map_err(|e| CounterError::Encode(e.to_string()))?;
        Ok(q.request)
    }

    /// Replaces a work-list item by a corrected notification: the old one is withdrawn (its payload
    /// erased), the corrected one submitted as new.
    pub async fn resubmit_corrected(
        &self,
        seq: u64,
        notification: Notification,
        received_on: Date,
    ) -> Result<Submitted, CounterError> {
        self.inner.vault.outbox().withdraw(Sequence(seq))?;
        self.submit(notification, received_on).await
    }

    /// Withdraws an item that was not yet acknowledged (取下げ).
    pub fn withdraw(&self, seq: u64) -> Result<QueueEntry, CounterError> {
        Ok(QueueEntry::from(
            &self.inner.vault.outbox().withdraw(Sequence(seq))?,
        ))
    }
}

/// The key that keeps one resident's notifications in order in the queue. The vault stores only a keyed
/// hash of it.
fn resident_key(n: &Notification) -> String {
    let id = match n {
        Notification::AcquisitionMoveIn(m) => {
            return format!("addr:{}", m.resident.addressee_number.as_str());
        }
        Notification::AcquisitionDisability(x) => x.resident_id,
        Notification::Reissue(x) => x.resident_id,
        Notification::ChangeOfParticulars(x) => x.resident_id,
        Notification::LossMoveOut(x) => x.resident_id,
        Notification::LossDeath(x) => x.resident_id,
        Notification::MailingAddressChange(x) => x.resident_id,
        Notification::OptionalEntries(x) => x.resident_id,
        Notification::MoveWithinUnion(m) => {
            return format!("ins:{}", m.insured_number.as_str());
        }
        Notification::WelfareStarted(x) | Notification::WelfareEnded(x) => x.resident_id,
    };
    format!("rid:{id}")
}
