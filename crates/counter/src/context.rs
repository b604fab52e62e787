//! The one shared context of the use cases: the union client, the vault, the sync engine, the staff
//! session and the audit trail. [`Counter`] is cheap to clone; each use-case group is a service handle
//! borrowed from it (`counter.session()`, `.search()`, `.intake()`, `.issuance()`, `.distributions()`,
//! `.audit_review()`, `.staff_admin()`, defined beside their modules), and `background` runs its tasks.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use madoguchi_audit::{Operation, Outcome};
use madoguchi_link::sync::{Sender, SyncEngine, SyncHandle, SyncProgress};
use madoguchi_link::{LineState, SessionToken, UnionClient};
use madoguchi_protocol::v1::StaffInfo;
use madoguchi_vault::Vault;
use tokio::sync::watch;

use crate::accounts::{AccountsState, SessionMode};
use crate::audit::AuditTrail;
use crate::background::Background;
use crate::cases::SeenResidents;
use crate::error::CounterError;
use crate::revocation::TerminalStatus;
use crate::shipping::Shipper;

/// Residents whose notifications the background drain sends at once.
const DRAIN_PARALLEL: usize = 16;

/// The counter terminal's use cases. Cheap to clone; one per app.
#[derive(Clone)]
pub struct Counter {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: UnionClient,
    pub(crate) vault: Vault,
    pub(crate) sender: Sender,
    pub(crate) sync: SyncHandle,
    pub(crate) token: watch::Sender<Option<SessionToken>>,
    pub(crate) staff: RwLock<Option<StaffInfo>>,
    pub(crate) audit: AuditTrail,
    pub(crate) status: watch::Sender<TerminalStatus>,
    pub(crate) shipper: Arc<Shipper>,
    /// Offline or online, a pending password change, the offline policy (see `crate::accounts`).
    pub(crate) accounts: AccountsState,
    /// The residents this session's searches showed (the targets of its notifications, `crate::cases`).
    pub(crate) seen: SeenResidents,
    /// What "now" is for windows and expiries (the offline sign-in window); the system clock in the app.
    pub(crate) clock: Clock,
}

/// A source of the current instant, injectable so tests let hours pass without sleeping.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(chrono::Utc::now)
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
        Self::start_with_clock(client, vault, keys, probe_every, system_clock())
    }

    /// [`Counter::start_with_keys`] with the clock that decides windows and expiries (tests move it).
    pub fn start_with_clock(
        client: UnionClient,
        vault: Vault,
        keys: Option<Arc<dyn madoguchi_vault::KeyStore>>,
        probe_every: Duration,
        clock: Clock,
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
                clock,
                seen: SeenResidents::default(),
            }),
        };
        let background = Background::spawn(&counter, drain, probe, shipper, keys);
        Ok((counter, background))
    }

    /// The current instant by the counter's clock.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.inner.clock)()
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
        self.inner.seen.forget();
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
        self.inner.seen.forget();
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
}
