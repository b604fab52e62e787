//! The counter's background tasks, started with it and stopped on shutdown: the outbox drain and the line
//! probe (`madoguchi-link`), the offline roster kept a day fresh, the revocation list kept fresh (and an
//! offline session turned online when the line returns), the audit chain shipped to the union, and the
//! wipe when the union says this terminal is revoked.

use std::sync::Arc;
use std::time::Duration;

use madoguchi_vault::KeyStore;
use tokio::task::JoinHandle;

use crate::context::Counter;
use crate::revocation::wipe_on_revocation;
use crate::shipping::{Shipper, keep_shipping};

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
    /// Starts the counter's own tasks beside the drain and probe `Counter::start` already runs.
    pub(crate) fn spawn(
        counter: &Counter,
        drain: JoinHandle<()>,
        probe: JoinHandle<()>,
        shipper: Arc<Shipper>,
        keys: Option<Arc<dyn KeyStore>>,
    ) -> Background {
        let roster = tokio::spawn(keep_roster_fresh(counter.clone()));
        let audit = tokio::spawn(keep_shipping(shipper, counter.inner.client.clone()));
        let revocations = tokio::spawn(keep_accounts_fresh(counter.clone()));
        let tasks = vec![
            drain.abort_handle(),
            probe.abort_handle(),
            roster.abort_handle(),
            audit.abort_handle(),
            revocations.abort_handle(),
        ];
        Background {
            sync: drain,
            probe,
            roster,
            revocation: tokio::spawn(wipe_on_revocation(counter.clone(), keys, tasks)),
            audit,
            revocations,
        }
    }

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
            match counter.search().refresh_roster().await {
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

/// Keeps the cached revocation list fresh (every [`crate::OfflinePolicy::revocation_refresh`] and whenever the
/// line comes back) and turns an offline session into an online one when the line returns.
pub(crate) async fn keep_accounts_fresh(counter: Counter) {
    let mut line = counter.line_changes();
    loop {
        let every = counter.session().offline_policy().revocation_refresh;
        match counter.session().refresh_revocations().await {
            Ok(list) => tracing::debug!(users = list.user_ids.len(), "revocation list refreshed"),
            Err(e) => tracing::info!(error = %e, "revocation list not refreshed; will try again"),
        }
        if counter.session_mode().offline
            && counter.line_state() != madoguchi_link::LineState::Offline
        {
            counter.upgrade_offline_session().await;
        }
        let mut was_online = *line.borrow_and_update() == madoguchi_link::LineState::Online;
        let deadline = tokio::time::Instant::now() + every;
        loop {
            tokio::select! {
                changed = line.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let online = *line.borrow_and_update() == madoguchi_link::LineState::Online;
                    if online && !was_online {
                        break;
                    }
                    was_online = online;
                }
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
    }
}
