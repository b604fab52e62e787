//! The line monitor: an honest answer to "is the union reachable right now?", shown on every screen.
//!
//! Comparable systems teach that a green light must never lie (domain-anchors §2.7, the sync indicator that
//! showed green while nothing reached the server): the state comes only from real outcomes — health probes
//! and the requests staff make — and a simulated failure in training mode is reported as offline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use serde::Serialize;
use tokio::sync::watch;

use crate::error::TransportFailure;

/// The line as staff see it (回線状態).
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// No exchange yet since start.
    Unknown,
    /// The last exchange succeeded.
    Online,
    /// The union answers, but slowly or with server errors, or one request just failed.
    Degraded,
    /// The union cannot be reached: work is queued.
    Offline,
}

impl LineState {
    /// 「接続中」 etc.
    pub fn label_ja(self) -> &'static str {
        match self {
            LineState::Unknown => "確認中",
            LineState::Online => "接続中",
            LineState::Degraded => "不安定",
            LineState::Offline => "切断",
        }
    }
}

/// Consecutive transport failures after which the line counts as down even if each was only a timeout.
const FAILURES_UNTIL_OFFLINE: u32 = 2;

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct LineMonitor {
    inner: Arc<Inner>,
}

struct Inner {
    state: watch::Sender<LineState>,
    failures: AtomicU32,
    simulated_offline: AtomicBool,
    /// The union refused this terminal's certificate as revoked (confirmed; see `revocation.rs`).
    revoked: watch::Sender<bool>,
}

impl Default for LineMonitor {
    fn default() -> Self {
        Self::new()
    }
}

impl LineMonitor {
    /// Starts in `Unknown`.
    pub fn new() -> Self {
        let (state, _) = watch::channel(LineState::Unknown);
        let (revoked, _) = watch::channel(false);
        LineMonitor {
            inner: Arc::new(Inner {
                state,
                failures: AtomicU32::new(0),
                simulated_offline: AtomicBool::new(false),
                revoked,
            }),
        }
    }

    /// Records that the union refused this terminal's certificate as revoked. For good: the client sends
    /// nothing more.
    pub fn mark_terminal_revoked(&self) {
        self.inner.revoked.send_if_modified(|r| {
            let changed = !*r;
            *r = true;
            changed
        });
    }

    /// Whether the terminal's certificate was found revoked.
    pub fn terminal_revoked(&self) -> bool {
        *self.inner.revoked.borrow()
    }

    /// Becomes `true` once the terminal's certificate is found revoked.
    pub fn revocation(&self) -> watch::Receiver<bool> {
        self.inner.revoked.subscribe()
    }

    /// The current state.
    pub fn state(&self) -> LineState {
        *self.inner.state.borrow()
    }

    /// Changes as they happen.
    pub fn subscribe(&self) -> watch::Receiver<LineState> {
        self.inner.state.subscribe()
    }

    fn set(&self, s: LineState) {
        self.inner.state.send_if_modified(|cur| {
            let changed = *cur != s;
            *cur = s;
            changed
        });
    }

    /// A request got a well-formed answer (including a 4xx refusal: the line works).
    pub fn record_answer(&self) {
        if self.simulated_offline() {
            return;
        }
        self.inner.failures.store(0, Ordering::SeqCst);
        self.set(LineState::Online);
    }

    /// The union answered with a server error (5xx): reachable, but not well.
    pub fn record_server_error(&self) {
        if self.simulated_offline() {
            return;
        }
        self.inner.failures.store(0, Ordering::SeqCst);
        self.set(LineState::Degraded);
    }

    /// A request did not get through.
    pub fn record_failure(&self, kind: TransportFailure) {
        let n = self.inner.failures.fetch_add(1, Ordering::SeqCst) + 1;
        let definitive = matches!(
            kind,
            TransportFailure::Connect | TransportFailure::Simulated
        );
        if definitive || n >= FAILURES_UNTIL_OFFLINE {
            self.set(LineState::Offline);
        } else {
            self.set(LineState::Degraded);
        }
    }

    /// Training mode's switch: simulate a line failure (研修用の回線切断) so staff practise the offline
    /// procedure. While on, every request fails at once without touching the network.
    pub fn set_simulated_offline(&self, on: bool) {
        self.inner.simulated_offline.store(on, Ordering::SeqCst);
        if on {
            self.set(LineState::Offline);
        } else {
            self.inner.failures.store(0, Ordering::SeqCst);
            self.set(LineState::Unknown);
        }
    }

    /// Whether the simulated failure is on.
    pub fn simulated_offline(&self) -> bool {
        self.inner.simulated_offline.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_outcomes() {
        let m = LineMonitor::new();
        assert_eq!(m.state(), LineState::Unknown);
        m.record_answer();
        assert_eq!(m.state(), LineState::Online);
        m.record_failure(TransportFailure::Timeout);
        assert_eq!(
            m.state(),
            LineState::Degraded,
            "one timeout is not yet a dead line"
        );
        m.record_failure(TransportFailure::Timeout);
        assert_eq!(m.state(), LineState::Offline);
        m.record_answer();
        assert_eq!(m.state(), LineState::Online);
        m.record_failure(TransportFailure::Connect);
        assert_eq!(
            m.state(),
            LineState::Offline,
            "a refused connection is definite"
        );
        m.record_server_error();
        assert_eq!(m.state(), LineState::Degraded);
    }

    #[test]
    fn simulated_failure_overrides_answers() {
        let m = LineMonitor::new();
        let rx = m.subscribe();
        m.record_answer();
        m.set_simulated_offline(true);
        assert_eq!(m.state(), LineState::Offline);
        m.record_answer();
        assert_eq!(
            m.state(),
            LineState::Offline,
            "nothing can report online while simulated offline"
        );
        assert!(rx.has_changed().unwrap_or(false));
        m.set_simulated_offline(false);
        assert_eq!(m.state(), LineState::Unknown);
        assert_eq!(LineState::Offline.label_ja(), "切断");
    }
}
