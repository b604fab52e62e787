//! Intake: submitting a notification (decided at once, or queued with a 受付控 number), the queue with
//! honest states, the work list of rejected and conflicting items, corrections and withdrawals.
//!
//! A submission is always written to the vault's outbox first, durably, and only then sent. A refusal by
//! the union stays on the work list as 差戻し with the union's reason until the clerk corrects it (a new,
//! linked item: [`Intake::resubmit_corrected`]) or withdraws it — it is never shown as a 取下げ nobody made
//! (issue #14 finding 7). Every line names who the case is about (`crate::cases`).

use chrono::Utc;
use madoguchi_audit::Operation;
use madoguchi_domain::{Date, NotificationKind};
use madoguchi_link::LineState;
use madoguchi_link::sync::{QueuedSubmission, SendOutcome, on_work_list};
use madoguchi_protocol::v1::{Notification, NotificationDecision, NotificationRequest};
use madoguchi_vault::{OutboxItem, OutboxState, Sequence};
use serde::Serialize;

use crate::cases::{CaseRecord, CaseSubject};
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
    /// What cannot be done until the union decides (for the clerk and the resident): no qualification is
    /// decided and no insurance document is printed before the union's decision (BRIEF flow 3).
    pub undecided_ja: &'static str,
}

/// What waits for the union's decision, by kind of notification (said on the 受付控 screen).
pub fn undecided_ja(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::AcquisitionMoveIn
        | NotificationKind::AcquisitionDisability
        | NotificationKind::WelfareEnded => {
            "資格の決定と資格確認書の交付は、広域連合の決定の後になります。決定は「交付待ち」に表示されます。"
        }
        NotificationKind::Reissue
        | NotificationKind::ChangeOfParticulars
        | NotificationKind::OptionalEntries
        | NotificationKind::MoveWithinUnion => {
            "新しい資格確認書の印刷・交付は、広域連合の決定の後になります。決定は「交付待ち」に表示されます。"
        }
        NotificationKind::LossMoveOut
        | NotificationKind::LossDeath
        | NotificationKind::WelfareStarted => {
            "資格喪失の決定は広域連合の決定の後になります。返却された書類は受け取り、決定の後に「交付待ち」で回収を記録してください。"
        }
        NotificationKind::MailingAddressChange => {
            "送付先の変更は、広域連合に送信されて決定された後に反映されます。"
        }
    }
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
    /// The union refused the notification as entered: it waits on the work list as 差戻し (or 競合); correct
    /// it ([`Intake::resubmit_corrected`] with `seq`) or withdraw it.
    Refused {
        /// Position in the outbox of the refused item.
        seq: u64,
        /// Stable code.
        code: String,
        /// The union's reason, for the clerk.
        reason_ja: String,
        /// The form field the union named (`moved_in_on`, …), when the refusal is about one field: the
        /// screen marks it and puts the cursor there.
        field: Option<String>,
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
    /// Who the case is about (氏名, カナ, 生年月日, 被保険者番号 when known).
    pub subject: Option<CaseSubject>,
    /// The 受付番号 of the refused item this one corrects.
    pub corrects: Option<String>,
    /// The 受付番号 of the item that corrected this refused one.
    pub corrected_by: Option<String>,
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
            subject: None,
            corrects: None,
            corrected_by: None,
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
        OutboxState::Corrected => "corrected",
    }
}

impl Counter {
    /// [`Intake::submit`], as the correction of the refused item `corrects` when given: the case record
    /// links both, and the audit entry names both items.
    async fn submit_as(
        &self,
        notification: Notification,
        received_on: Date,
        corrects: Option<u64>,
    ) -> Result<Submitted, CounterError> {
        let kind = notification.kind();
        let mut subject = self.subject_of(&notification);
        if subject.is_none()
            && let Some(old) = corrects
        {
            subject = self.case(old).ok().flatten().and_then(|c| c.subject);
        }
        let result = self.submit_unaudited(notification, received_on).await;
        let seq = match &result {
            Ok(Submitted::Decided { seq, .. } | Submitted::Refused { seq, .. }) => Some(*seq),
            Ok(Submitted::Queued(r)) => Some(r.seq),
            Err(_) => None,
        };
        if let Some(seq) = seq {
            // The names of a list line: losing them must not undo a submission that is in the outbox.
            let kept = self
                .put_case(
                    seq,
                    &CaseRecord {
                        subject,
                        ..CaseRecord::default()
                    },
                )
                .and_then(|()| match &result {
                    Ok(Submitted::Decided { decision, .. }) => self.complete_case(seq, decision),
                    _ => Ok(()),
                })
                .and_then(|()| match corrects {
                    Some(old) => self.link_correction(old, seq),
                    None => Ok(()),
                });
            if let Err(e) = kept {
                tracing::warn!(error = %e, "the case record of a submission could not be kept");
            }
        }
        let mut target = match &result {
            Ok(Submitted::Decided { seq, decision }) => {
                format!("{kind:?} queue:{seq} resident:{}", decision.resident_id)
            }
            Ok(Submitted::Queued(r)) => format!("{kind:?} queue:{}", r.seq),
            Ok(Submitted::Refused { seq, code, .. }) => {
                format!("{kind:?} queue:{seq} refused:{code}")
            }
            Err(_) => format!("{kind:?}"),
        };
        if let Some(old) = corrects {
            target.push_str(&format!(" corrects:queue:{old}"));
        }
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
            undecided_ja: undecided_ja(kind),
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
            SendOutcome::Rejected {
                code,
                reason_ja,
                field,
            }
            | SendOutcome::Conflict {
                code,
                reason_ja,
                field,
            } => {
                // The item stays 差戻し / 競合 with the union's reason: corrected on screen it is replaced by
                // a linked new item (resubmit_corrected); left alone it waits on the work list.
                Ok(Submitted::Refused {
                    seq: enq.seq.0,
                    code: code.to_owned(),
                    reason_ja,
                    // The form names a field by the last segment of the union's JSON path.
                    field: field.and_then(|f| f.rsplit('.').next().map(str::to_owned)),
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

    /// One line of the queue, with who the case is about and its correction links.
    fn entry(&self, item: &OutboxItem) -> QueueEntry {
        let mut e = QueueEntry::from(item);
        if let Ok(Some(case)) = self.case(item.seq.0) {
            e.subject = case.subject;
            // Decided after a drain: the union's answer names the 被保険者番号 of a new 転入 too.
            if let (Some(s), Ok(Some(d))) = (
                e.subject.as_mut(),
                self.inner.sender.decisions().get(item.seq),
            ) {
                s.resident_id.get_or_insert(d.resident_id);
                if let Some(q) = &d.qualification {
                    s.insured_number = Some(q.insured_number.as_str().to_owned());
                }
            }
            e.corrects = case.corrects.and_then(|s| self.reception_number(s));
            e.corrected_by = case.corrected_by.and_then(|s| self.reception_number(s));
        }
        e
    }
}

/// 届出受付・受付一覧 — submitting a notification, the queue, the work list of refused and conflicting
/// items, corrections (`crate::correction`), retries and withdrawals.
///
/// Obtained from the shared context with [`Counter::intake`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct Intake<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The intake use cases (届出受付・受付一覧・差戻し訂正).
    pub fn intake(&self) -> Intake<'_> {
        Intake { ctx: self }
    }
}

impl Intake<'_> {
    /// Submits a notification. Written to the outbox first (durable), then sent at once when the line is
    /// up and no earlier notification of the same resident is still waiting; otherwise queued.
    pub async fn submit(
        &self,
        notification: Notification,
        received_on: Date,
    ) -> Result<Submitted, CounterError> {
        self.ctx.submit_as(notification, received_on, None).await
    }

    /// Every item of the queue (受付一覧), newest first, each naming its case.
    pub fn queue(&self) -> Result<Vec<QueueEntry>, CounterError> {
        Ok(self
            .ctx
            .inner
            .vault
            .outbox()
            .list()?
            .iter()
            .rev()
            .map(|i| self.ctx.entry(i))
            .collect())
    }

    /// The work list: rejected (差戻し) and conflicting (競合) items, with the union's reason, newest first.
    pub fn work_list(&self) -> Result<Vec<QueueEntry>, CounterError> {
        Ok(self
            .ctx
            .inner
            .vault
            .outbox()
            .pending()?
            .iter()
            .rev()
            .filter(|i| on_work_list(i))
            .map(|i| self.ctx.entry(i))
            .collect())
    }

    /// Sends a work-list item again as it is (after the union's record was put right).
    pub fn retry(&self, seq: u64) -> Result<QueueEntry, CounterError> {
        let item = self.ctx.inner.vault.outbox().retry(Sequence(seq))?;
        self.ctx.inner.sync.wake();
        Ok(self.ctx.entry(&item))
    }

    /// The notification of a work-list item as it was entered, to correct it on screen.
    pub fn queued_notification(&self, seq: u64) -> Result<NotificationRequest, CounterError> {
        let payload = self.ctx.inner.vault.outbox().payload(Sequence(seq))?;
        let q: QueuedSubmission =
            serde_json::from_slice(&payload).map_err(|e| CounterError::Encode(e.to_string()))?;
        Ok(q.request)
    }

    /// Replaces a refused work-list item (差戻し / 競合) by a corrected notification: the old one becomes
    /// 訂正済み (its payload erased, so it no longer holds back the resident's queue), the corrected one is
    /// submitted as a new attempt linked to it; the audit chain names both. Refused unless the item is on
    /// the work list (a 未送信 item is withdrawn instead).
    pub async fn resubmit_corrected(
        &self,
        seq: u64,
        notification: Notification,
        received_on: Date,
    ) -> Result<Submitted, CounterError> {
        // Nothing is erased for a session that could not enter the correction.
        self.ctx.staff().ok_or(CounterError::NotSignedIn)?;
        self.ctx
            .inner
            .vault
            .outbox()
            .mark_corrected(Sequence(seq))?;
        self.ctx
            .submit_as(notification, received_on, Some(seq))
            .await
    }

    /// Withdraws an item that was not yet acknowledged (取下げ).
    pub fn withdraw(&self, seq: u64) -> Result<QueueEntry, CounterError> {
        Ok(self
            .ctx
            .entry(&self.ctx.inner.vault.outbox().withdraw(Sequence(seq))?))
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
