//! The counter's use cases.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use madoguchi_domain::ids::{InsuredNumber, MyNumber};
use madoguchi_domain::kana::SeionKey;
use madoguchi_domain::{Date, NotificationKind};
use madoguchi_link::sync::{
    DecisionStore, QueuedSubmission, SendOutcome, Sender, SyncEngine, SyncHandle, SyncProgress,
    on_work_list,
};
use madoguchi_link::{LineState, SessionToken, UnionClient};
use madoguchi_protocol::reveal::RevealRequest;
use madoguchi_protocol::v1::{
    DocumentData, DocumentId, IssuanceRequest, Notification, NotificationDecision,
    NotificationRequest, ResidentDetail, ResidentId, ResidentSearchRequest, ResidentSearchResponse,
    ReturnRequest, SignInRequest, SignInResponse, StaffInfo,
};
use madoguchi_protocol::v1::{MyNumberResponse, QualificationState, RosterResponse};
use madoguchi_vault::{OutboxItem, OutboxState, Qualification, RosterEntry, Sequence, Vault};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use madoguchi_audit::{AuditEntry, Operation, Outcome};

use crate::accounts::{AccountsState, OfflinePolicy, SessionMode, keep_accounts_fresh};
use crate::audit::AuditTrail;

mod review;
use crate::error::CounterError;
use crate::revocation::{TerminalStatus, wipe_on_revocation};

#[path = "distribution.rs"]
pub mod distribution;
#[path = "reprint.rs"]
pub(crate) mod reprint;
use crate::shipping::{Shipped, Shipper, ShippingStatus};
pub use madoguchi_domain::{PrintOccasion, ReprintReason};

/// Residents whose notifications the background drain sends at once.
const DRAIN_PARALLEL: usize = 16;

/// The 受付控 of a queued notification: everything the printed receipt shows. No personal data.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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

/// A decided notification whose document waits to be handed over or mailed.
#[derive(Debug, Clone, Serialize)]
pub struct ReadyToIssue {
    /// Position of the notification in the outbox.
    pub seq: u64,
    /// The union's decision (with the document to issue).
    pub decision: NotificationDecision,
}

/// One answer from the offline roster: "is this person insured?" while the line is down. No name, no
/// address: the clerk compares 生年月日 and 被保険者番号 with the resident in front of them.
#[derive(Debug, Clone, Serialize)]
pub struct RosterAnswer {
    /// 被保険者番号.
    pub insured_number: String,
    /// 生年月日.
    pub birth_date: Date,
    /// 資格あり / 資格喪失.
    pub state_ja: &'static str,
    /// Insured.
    pub insured: bool,
    /// The day the roster describes (it may be up to a day old).
    pub as_of: Date,
}

/// What a roster refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RosterRefresh {
    /// The union's policy allows a roster; this many residents are listed.
    Refreshed {
        /// Residents in the roster.
        count: u64,
    },
    /// The union's policy does not allow one; any copy was erased.
    Disabled,
}

/// The counter terminal's use cases. Cheap to clone; one per app.
#[derive(Clone)]
pub struct Counter {
    inner: Arc<Inner>,
}

struct Inner {
    client: UnionClient,
    vault: Vault,
    sender: Sender,
    sync: SyncHandle,
    token: watch::Sender<Option<SessionToken>>,
    staff: RwLock<Option<StaffInfo>>,
    audit: AuditTrail,
    status: watch::Sender<TerminalStatus>,
    shipper: Arc<Shipper>,
    /// Offline or online, a pending password change, the offline policy (see `crate::accounts`).
    accounts: AccountsState,
}

/// The background tasks of a running counter (drain and line probe); abort them on shutdown.
pub struct Background {
    /// The sync engine.
    pub sync: JoinHandle<()>,
    /// The health probe.
    pub probe: JoinHandle<()>,
    /// Keeps the offline roster a day fresh (when the union's policy allows one).
    pub roster: JoinHandle<()>,
    /// Wipes the vault when the union refuses this terminal's certificate as revoked.
    pub revocation: JoinHandle<()>,
    /// Ships the terminal's audit chain to the union.
    pub audit: JoinHandle<()>,
    /// Keeps the cached revocation list fresh (periodically and when the line comes back).
    pub revocations: JoinHandle<()>,
}

impl Background {
    /// Stops the tasks.
    pub fn abort(&self) {
        self.sync.abort();
        self.probe.abort();
        self.roster.abort();
        self.revocation.abort();
        self.audit.abort();
        self.revocations.abort();
    }
}

/// How often the roster task looks again when nothing else (a sign-in) wakes it.
const ROSTER_CHECK_EVERY: Duration = Duration::from_secs(3600);

/// Refreshes the offline roster when a staff session exists and the copy is missing or older than today;
/// wakes on every sign-in and hourly. Failures (line down, policy off) are logged and tried again later.
async fn keep_roster_fresh(counter: Counter) {
    let mut token = counter.inner.token.subscribe();
    loop {
        let signed_in = token.borrow_and_update().is_some();
        if signed_in && counter.roster_needs_refresh() {
            match counter.refresh_roster().await {
                Ok(r) => tracing::info!(result = ?r, "offline roster checked"),
                Err(e) => {
                    tracing::info!(error = %e, "offline roster not refreshed; will try again")
                }
            }
        }
        tokio::select! {
            changed = token.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = tokio::time::sleep(ROSTER_CHECK_EVERY) => {}
        }
    }
}

impl Counter {
    /// Starts the counter over a union client and an opened vault: puts items left 送信中 by a crash back
    /// to 未送信, then starts the drain and a health probe every `probe_every`. Needs a tokio runtime.
    pub fn start(
        client: UnionClient,
        vault: Vault,
        probe_every: Duration,
    ) -> Result<(Counter, Background), CounterError> {
        Self::start_with_keys(client, vault, None, probe_every)
    }

    /// [`Counter::start`] with the key store that holds the vault's KEK (`None`: the OS keyring), used to
    /// destroy it if the terminal's certificate turns out revoked.
    pub fn start_with_keys(
        client: UnionClient,
        vault: Vault,
        keys: Option<Arc<dyn madoguchi_vault::KeyStore>>,
        probe_every: Duration,
    ) -> Result<(Counter, Background), CounterError> {
        let swept = vault.outbox().startup_sweep()?;
        if swept > 0 {
            tracing::info!(
                items = swept,
                "outbox items put back to queued after restart"
            );
        }
        let audit = AuditTrail::open(vault.clone())?;
        let shipper = Arc::new(Shipper::new(client.clone(), vault.clone()));
        let sender = Sender::new(client.clone(), vault.clone());
        let (token, token_rx) = watch::channel(None);
        let (engine, sync) = SyncEngine::new(sender.clone(), token_rx, DRAIN_PARALLEL);
        let drain = tokio::spawn(engine.run());
        let probe = client.spawn_health_probe(probe_every);
        let counter = Counter {
            inner: Arc::new(Inner {
                client,
                vault,
                sender,
                sync,
                token,
                staff: RwLock::new(None),
                audit,
                status: watch::channel(TerminalStatus::Active).0,
                shipper: shipper.clone(),
                accounts: AccountsState::default(),
            }),
        };
        let roster = tokio::spawn(keep_roster_fresh(counter.clone()));
        let audit = tokio::spawn(crate::shipping::keep_shipping(
            shipper,
            counter.inner.client.clone(),
        ));
        let revocations = tokio::spawn(keep_accounts_fresh(counter.clone()));
        let tasks = vec![
            drain.abort_handle(),
            probe.abort_handle(),
            roster.abort_handle(),
            audit.abort_handle(),
            revocations.abort_handle(),
        ];
        let background = Background {
            sync: drain,
            probe,
            roster,
            revocation: tokio::spawn(wipe_on_revocation(counter.clone(), keys, tasks)),
            audit,
            revocations,
        };
        Ok((counter, background))
    }

    /// Whether this terminal is trusted, or revoked (and wiped).
    pub fn terminal_status(&self) -> TerminalStatus {
        *self.inner.status.borrow()
    }

    /// Changes of [`Counter::terminal_status`].
    pub fn terminal_status_changes(&self) -> watch::Receiver<TerminalStatus> {
        self.inner.status.subscribe()
    }

    pub(crate) fn set_status(&self, status: TerminalStatus) {
        self.inner.status.send_replace(status);
    }

    pub(crate) fn client(&self) -> &UnionClient {
        &self.inner.client
    }

    pub(crate) fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    /// Drops the staff session locally (the union's side expires by itself).
    pub(crate) fn forget_session(&self) {
        self.inner.token.send_replace(None);
        if let Ok(mut s) = self.inner.staff.write() {
            *s = None;
        }
        self.set_session_mode(SessionMode::default());
    }

    /// The line as staff see it.
    pub fn line_state(&self) -> LineState {
        self.inner.client.line().state()
    }

    /// Changes of the line state.
    pub fn line_changes(&self) -> watch::Receiver<LineState> {
        self.inner.client.line().subscribe()
    }

    /// Training mode's switch for a simulated line failure.
    pub fn simulate_line_failure(&self, on: bool) {
        self.inner.client.line().set_simulated_offline(on);
        self.inner.sync.wake();
    }

    /// Queue progress as it changes.
    pub fn sync_progress(&self) -> watch::Receiver<SyncProgress> {
        self.inner.sync.progress()
    }

    /// Who is signed in.
    pub fn staff(&self) -> Option<StaffInfo> {
        self.inner.staff.read().ok().and_then(|s| s.clone())
    }

    /// The session token for a request to the union. An offline session has none: it may only queue.
    pub(crate) fn token(&self) -> Result<SessionToken, CounterError> {
        if self.session_mode().offline && self.staff().is_some() {
            return Err(CounterError::OfflineOnly);
        }
        self.inner
            .token
            .borrow()
            .clone()
            .ok_or(CounterError::NotSignedIn)
    }

    pub(crate) fn accounts_state(&self) -> &AccountsState {
        &self.inner.accounts
    }

    /// The rules for offline sign-in on this terminal.
    pub fn offline_policy(&self) -> OfflinePolicy {
        self.inner.accounts.policy()
    }

    /// Sets the rules for offline sign-in (the terminal's configuration; tests shorten the window).
    pub fn set_offline_policy(&self, policy: OfflinePolicy) {
        self.inner.accounts.set_policy(policy);
    }

    pub(crate) fn session_mode(&self) -> SessionMode {
        self.inner.accounts.mode()
    }

    pub(crate) fn set_session_mode(&self, mode: SessionMode) {
        self.inner.accounts.set_mode(mode);
    }

    pub(crate) fn set_staff(&self, staff: StaffInfo) {
        if let Ok(mut s) = self.inner.staff.write() {
            *s = Some(staff);
        }
    }

    /// Starts a session: who, the union's token (none offline), and its mode.
    pub(crate) fn begin_session(
        &self,
        staff: StaffInfo,
        token: Option<SessionToken>,
        mode: SessionMode,
    ) {
        self.set_session_mode(mode);
        self.set_staff(staff);
        let online = token.is_some();
        self.inner.token.send_replace(token);
        if online {
            self.inner.sync.wake();
        }
    }

    /// Ends the session here only (the union already ended it): no token, no staff, no mode.
    pub(crate) fn end_session_locally(&self) {
        self.inner.token.send_replace(None);
        if let Ok(mut s) = self.inner.staff.write() {
            *s = None;
        }
        self.set_session_mode(SessionMode::default());
    }

    /// Appends to the audit chain (for operations that are not a union request).
    pub(crate) async fn record_audit(
        &self,
        user: &str,
        operation: Operation,
        target: Option<String>,
        outcome: Outcome,
    ) -> Result<(), CounterError> {
        self.inner
            .audit
            .record(user, operation, target, outcome)
            .await
    }

    /// Records an operation in the terminal's audit chain, then passes its result on. A read whose audit
    /// record cannot be written is refused: every access is audited or does not happen.
    pub(crate) async fn audited<T>(
        &self,
        user: Option<&str>,
        operation: Operation,
        target: Option<String>,
        result: Result<T, CounterError>,
    ) -> Result<T, CounterError> {
        self.audited_with_purpose(user, operation, target, None, result)
            .await
    }

    /// [`Counter::audited`] with the purpose (利用目的) of the operation.
    pub(crate) async fn audited_with_purpose<T>(
        &self,
        user: Option<&str>,
        operation: Operation,
        target: Option<String>,
        purpose: Option<String>,
        result: Result<T, CounterError>,
    ) -> Result<T, CounterError> {
        // A revoked terminal has no vault left to record in; what staff must read is why.
        if self.inner.client.terminal_revoked() {
            return result.and(Err(CounterError::Link(
                madoguchi_link::LinkError::TerminalRevoked,
            )));
        }
        let user = match user {
            Some(u) => u.to_owned(),
            None => self.staff().map(|s| s.user_id).unwrap_or_default(),
        };
        let outcome = match &result {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Refused {
                code: e.code().unwrap_or("terminal_error").to_owned(),
            },
        };
        self.inner
            .audit
            .record_with_purpose(&user, operation, target, purpose, outcome)
            .await?;
        if let Err(e) = &result {
            self.after_session_refusal(e.code()).await;
        }
        result
    }

    /// Records a print in the audit chain. Printing itself runs in the app's print service; it reports here
    /// what went to the printer (`target`: an opaque document id or a 受付番号) and, when the job failed,
    /// the stable error code.
    pub async fn record_print(
        &self,
        target: String,
        failure: Option<&str>,
    ) -> Result<(), CounterError> {
        let user = self.staff().map(|s| s.user_id).unwrap_or_default();
        let outcome = match failure {
            None => Outcome::Done,
            Some(code) => Outcome::Refused {
                code: code.to_owned(),
            },
        };
        self.inner
            .audit
            .record(&user, Operation::Print, Some(target), outcome)
            .await
    }

    /// Ships the audit entries the union has not acknowledged, now (the background task does it after
    /// every contact and periodically).
    pub async fn ship_audit(&self) -> Result<Shipped, CounterError> {
        self.inner.shipper.ship().await
    }

    /// Where shipping of the audit chain stands.
    pub fn audit_shipping(&self) -> Result<ShippingStatus, CounterError> {
        self.inner.shipper.status()
    }

    /// How long acknowledged audit entries stay on this terminal (default a week).
    pub fn set_audit_retention(&self, keep: Duration) {
        self.inner.shipper.set_retention(keep);
        self.inner.shipper.wake();
    }

    /// The terminal's audit chain as kept locally, oldest first (acknowledged entries older than the
    /// retention window were removed; the first kept one continues the vault's anchor).
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, CounterError> {
        self.inner.audit.entries()
    }

    /// Signs a staff member in with the union (N:3883–3886: personal user ids; the password never stays
    /// on the terminal, only an Argon2id verifier of it for offline sign-in). When the union cannot be
    /// reached, falls back to offline sign-in (オフライン受付のみ, see `crate::accounts`). After sign-in,
    /// [`Counter::session_state`] tells whether the password must be changed first.
    pub async fn sign_in(&self, user_id: &str, password: &str) -> Result<StaffInfo, CounterError> {
        let req = SignInRequest {
            user_id: user_id.to_owned(),
            password: password.to_owned(),
        };
        let result: Result<SignInResponse, CounterError> = self
            .inner
            .client
            .post("/v1/session", None, None, &req)
            .await
            .map_err(CounterError::from);
        // Only a line that is down falls back to offline sign-in; a TLS failure (a revoked or expired
        // certificate, or something that is not the union) never does.
        if let Err(CounterError::Link(e)) = &result
            && e.is_line_failure()
            && !matches!(
                e,
                madoguchi_link::LinkError::Transport(madoguchi_link::TransportFailure::Tls)
            )
        {
            return self.sign_in_offline(user_id, password).await;
        }
        if let Err(e) = &result {
            self.after_online_refusal(user_id, e.code());
        }
        let resp = self
            .audited(Some(user_id), Operation::SignIn, None, result)
            .await?;
        let must_change = resp.must_change_password;
        self.begin_session(
            resp.staff.clone(),
            Some(SessionToken::new(resp.token)),
            SessionMode {
                offline: false,
                must_change,
            },
        );
        // Every contact refreshes the revocation list; a failure leaves the cached one.
        if let Err(e) = self.refresh_revocations().await {
            tracing::info!(error = %e, "revocation list not refreshed at sign-in");
        }
        if must_change.is_none()
            && let Err(e) = self.remember_offline(&resp.staff, password).await
        {
            tracing::warn!(error = %e, "offline verifier not kept; offline sign-in will not work");
        }
        Ok(resp.staff)
    }

    /// Signs out here and, when the line is up, at the union. Queued work stays queued.
    pub async fn sign_out(&self) {
        if let Err(e) = self
            .audited(None, Operation::SignOut, None, Ok::<(), CounterError>(()))
            .await
        {
            tracing::warn!(error = %e, "sign-out could not be recorded in the audit trail");
        }
        let token = self.inner.token.send_replace(None);
        if let Ok(mut s) = self.inner.staff.write() {
            *s = None;
        }
        self.set_session_mode(SessionMode::default());
        if let Some(t) = token {
            let r: Result<serde_json::Value, _> = self
                .inner
                .client
                .call::<(), _>(
                    madoguchi_link::Method::DELETE,
                    "/v1/session",
                    Some(&t),
                    None,
                    None,
                )
                .await;
            if let Err(e) = r {
                tracing::info!(error = %e, "sign-out at the union failed; the session expires by itself");
            }
        }
    }

    /// Resident search (被保険者番号, カナ, 生年月日). Rows never carry the 個人番号.
    pub async fn search(
        &self,
        req: &ResidentSearchRequest,
    ) -> Result<ResidentSearchResponse, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .post("/v1/residents/search", Some(&token), None, req)
            .await
            .map_err(CounterError::from);
        self.audited(None, Operation::Search, None, result).await
    }

    /// The record view of one resident (個人番号 masked: only a flag says whether one is linked).
    pub async fn resident(&self, id: ResidentId) -> Result<ResidentDetail, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .get(&format!("/v1/residents/{id}"), Some(&token))
            .await
            .map_err(CounterError::from);
        self.audited(
            None,
            Operation::ViewResident,
            Some(format!("resident:{id}")),
            result,
        )
        .await
    }

    /// Reveals a resident's 個人番号 for a purpose (利用目的): a request of its own, refused by the union
    /// without the 個人番号 permission or a valid purpose, and recorded with the purpose in both audit
    /// trails, refused or done (N:3886–3888, N:4040–4043; never on search screens, K:3640–3641). An invalid
    /// purpose is refused here before anything is sent.
    pub async fn reveal_my_number(
        &self,
        id: ResidentId,
        purpose: &RevealRequest,
    ) -> Result<MyNumber, CounterError> {
        let token = self.token()?;
        let target = Some(format!("resident:{id}"));
        let checked = match purpose.check() {
            Ok(c) => c,
            Err(e) => {
                let refused: Result<MyNumber, CounterError> = Err(CounterError::RevealPurpose(e));
                return self
                    .audited(None, Operation::RevealMyNumber, target, refused)
                    .await;
            }
        };
        let result: Result<MyNumberResponse, CounterError> = self
            .inner
            .client
            .post(
                &format!("/v1/residents/{id}/my-number"),
                Some(&token),
                None,
                &checked.request(),
            )
            .await
            .map_err(CounterError::from);
        let resp = self
            .audited_with_purpose(
                None,
                Operation::RevealMyNumber,
                target,
                Some(checked.label_ja()),
                result,
            )
            .await?;
        Ok(resp.my_number)
    }

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

    /// Decisions waiting to be handed over or mailed ("ready to issue").
    pub fn ready_to_issue(&self) -> Result<Vec<ReadyToIssue>, CounterError> {
        Ok(DecisionStore::new(self.inner.vault.clone())
            .ready()?
            .into_iter()
            .map(|(seq, decision)| ReadyToIssue {
                seq: seq.0,
                decision,
            })
            .collect())
    }

    /// The print data of a document.
    pub async fn document(&self, id: DocumentId) -> Result<DocumentData, CounterError> {
        let token = self.token()?;
        Ok(self
            .inner
            .client
            .get(&format!("/v1/documents/{id}"), Some(&token))
            .await?)
    }

    /// Records the handover (交付: 窓口 or 郵送, with the 本人確認書類 seen). Closes the ready-to-issue
    /// entry `seq` when given.
    pub async fn record_issuance(
        &self,
        document: DocumentId,
        req: &IssuanceRequest,
        seq: Option<u64>,
    ) -> Result<serde_json::Value, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .post(
                &format!("/v1/documents/{document}/issuance"),
                Some(&token),
                None,
                req,
            )
            .await
            .map_err(CounterError::from);
        let answer: serde_json::Value = self
            .audited(
                None,
                Operation::Handover,
                Some(format!("document:{document} issued")),
                result,
            )
            .await?;
        if let Some(s) = seq {
            self.inner.sender.decisions().done(Sequence(s))?;
        }
        Ok(answer)
    }

    /// Fetches the offline roster when the union's policy allows one (off by default) and replaces the
    /// vault's copy; erases it when the policy says no. Meant to run once a day, online.
    pub async fn refresh_roster(&self) -> Result<RosterRefresh, CounterError> {
        let token = self.token()?;
        let resp: RosterResponse = self.inner.client.get("/v1/roster", Some(&token)).await?;
        let settings = self.inner.vault.settings();
        if !resp.enabled {
            // Switching the setting off erases the roster (vault: settings::set_roster_enabled).
            settings.set_roster_enabled(false)?;
            return Ok(RosterRefresh::Disabled);
        }
        settings.set_roster_enabled(true)?;
        let entries = resp
            .entries
            .into_iter()
            .map(|r| {
                let q = match r.state {
                    QualificationState::Insured => Qualification::Qualified,
                    QualificationState::Lost | QualificationState::NotInsured => {
                        Qualification::Lost
                    }
                };
                RosterEntry::new(r.insured_number, &r.kana_key, r.birth_date, q)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let info = self.inner.vault.roster().replace(entries, resp.as_of)?;
        Ok(RosterRefresh::Refreshed { count: info.count })
    }

    /// Whether the roster is missing or describes a day before today (Japan time).
    fn roster_needs_refresh(&self) -> bool {
        let today = madoguchi_domain::jst::date(Utc::now());
        match self.inner.vault.roster().info() {
            Ok(Some(info)) => info.is_stale(today),
            _ => true,
        }
    }

    /// Looks residents up in the offline roster by カナ prefix or 被保険者番号 (for the line being down).
    pub fn roster_lookup(
        &self,
        kana: Option<&SeionKey>,
        insured_number: Option<&InsuredNumber>,
        limit: usize,
    ) -> Result<Vec<RosterAnswer>, CounterError> {
        let roster = self.inner.vault.roster();
        let Some(info) = roster.info()? else {
            return Ok(Vec::new());
        };
        let found = match (insured_number, kana) {
            (Some(n), _) => roster.find_insured_number(n)?.into_iter().collect(),
            (None, Some(k)) => roster.search_kana_prefix(k, limit)?,
            (None, None) => Vec::new(),
        };
        Ok(found
            .into_iter()
            .map(|e| RosterAnswer {
                insured_number: e.insured_number().as_str().to_owned(),
                birth_date: e.birth_date,
                state_ja: e.qualification.label_ja(),
                insured: e.qualification == Qualification::Qualified,
                as_of: info.as_of,
            })
            .collect())
    }

    /// Records that an old document came back (回収).
    pub async fn record_return(
        &self,
        document: DocumentId,
        req: &ReturnRequest,
    ) -> Result<serde_json::Value, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .post(
                &format!("/v1/documents/{document}/return"),
                Some(&token),
                None,
                req,
            )
            .await
            .map_err(CounterError::from);
        self.audited(
            None,
            Operation::Handover,
            Some(format!("document:{document} returned")),
            result,
        )
        .await
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
    };
    format!("rid:{id}")
}
