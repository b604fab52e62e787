//! The one gate every staff password passes: sign-in, re-authentication, a password change and a
//! supervisor's approval at a clerk's terminal.
//!
//! What it guarantees, whatever the concurrency (SECURITY.md, "Authentication"):
//! - **The lockout limit holds.** An attempt is counted *before* its hash is verified: the stored
//!   consecutive failures plus the attempts already in flight may never exceed `max_failures`, so with 64
//!   parallel guesses at most `max_failures` passwords are verified before the account locks; the others
//!   are refused as locked without being verified.
//! - **Nothing to learn across tenants.** An account of another municipality (or scope), an unknown and a
//!   revoked one all answer like a wrong password, after verifying a dummy hash of the same cost, and count
//!   nothing — a terminal of 152111 cannot test or lock 152021's staff.
//! - **Bounded work.** Argon2 verifications run on the blocking pool behind a semaphore, and each terminal
//!   certificate has a token bucket of attempts, so a flood from one terminal cannot starve the others.
//! - **Every lockout is audited**, whichever of the four paths caused it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Utc};
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::ErrorCode;
use tokio::sync::Semaphore;

use crate::api::{ApiError, ApiResult, AppState};
use crate::auth::{ClosedBecause, HashCost, hash_password, verify_password};
use crate::config::AuthRule;
use crate::store::StaffRecord;
use crate::tls::TerminalIdentity;

/// The outcome of one password attempt.
#[derive(Debug)]
pub(crate) enum Checked {
    /// The password is right; the fresh record (failures reset).
    Right(Box<StaffRecord>),
    /// Wrong password — or an unknown, revoked or out-of-scope account (not told apart).
    Wrong,
    /// The account is locked (or the attempt budget is spent by attempts still in flight); this attempt
    /// was not verified.
    Locked,
    /// A wrong password that locked the account just now.
    LockedNow,
}

/// Token bucket of one terminal certificate.
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Shared state of the gate (one per server).
pub struct PasswordGate {
    hashing: Semaphore,
    /// Passwords (real or dummy) verified so far: the work an attacker made the server do.
    verified: std::sync::atomic::AtomicU64,
    in_flight: Mutex<HashMap<String, u32>>,
    buckets: Mutex<HashMap<String, Bucket>>,
    per_minute: u32,
    burst: u32,
}

/// Releases an account's in-flight reservation, also when the request is cancelled (timeout, hang-up).
struct Reservation<'a> {
    gate: &'a PasswordGate,
    user_id: String,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if let Ok(mut map) = self.gate.in_flight.lock()
            && let Some(n) = map.get_mut(&self.user_id)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.user_id);
            }
        }
    }
}

impl PasswordGate {
    /// A gate with the limits of `[auth]`.
    pub fn new(rule: &AuthRule) -> Self {
        PasswordGate {
            hashing: Semaphore::new(rule.max_concurrent_hashes.max(1) as usize),
            verified: std::sync::atomic::AtomicU64::new(0),
            in_flight: Mutex::new(HashMap::new()),
            buckets: Mutex::new(HashMap::new()),
            per_minute: rule.attempts_per_terminal_per_minute.max(1),
            burst: rule.attempts_per_terminal_burst.max(1),
        }
    }

    /// How many passwords (real or dummy) have been verified since start.
    pub fn verifications(&self) -> u64 {
        self.verified.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Takes one attempt from the terminal's bucket; false when it is empty.
    fn take_token(&self, fingerprint: &str) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        let now = Instant::now();
        if buckets.len() > 10_000 {
            // Forget terminals whose bucket has refilled: they lose nothing by it.
            let (rate, burst) = (f64::from(self.per_minute) / 60.0, f64::from(self.burst));
            buckets
                .retain(|_, b| b.tokens + now.duration_since(b.last).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(fingerprint.to_string()).or_insert(Bucket {
            tokens: f64::from(self.burst),
            last: now,
        });
        let refill =
            now.duration_since(bucket.last).as_secs_f64() * f64::from(self.per_minute) / 60.0;
        bucket.tokens = (bucket.tokens + refill).min(f64::from(self.burst));
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Reserves one attempt for `user_id` if the stored failures plus the attempts in flight leave room.
    /// `failures` is read while the reservation table is held, so it sees every outcome already counted
    /// (an outcome is stored before its reservation is released).
    fn reserve<E>(
        &self,
        user_id: &str,
        max: u32,
        failures: impl FnOnce() -> Result<Option<u32>, E>,
    ) -> Result<Option<Reservation<'_>>, E> {
        let Ok(mut map) = self.in_flight.lock() else {
            return Ok(None);
        };
        let Some(failures) = failures()? else {
            return Ok(None);
        };
        let pending = map.entry(user_id.to_string()).or_insert(0);
        if failures.saturating_add(*pending) >= max {
            if *pending == 0 {
                map.remove(user_id);
            }
            return Ok(None);
        }
        *pending += 1;
        Ok(Some(Reservation {
            gate: self,
            user_id: user_id.to_string(),
        }))
    }

    /// Verifies on the blocking pool, at most `max_concurrent_hashes` at once.
    async fn verify(&self, password: String, phc: String) -> ApiResult<bool> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| ApiError::from(ErrorCode::Internal))?;
        self.verified
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::task::spawn_blocking(move || verify_password(&password, &phc))
            .await
            .map_err(|_| ApiError::from(ErrorCode::Internal))
    }
}

/// A hash verified when the account is not visible, so that every failure costs the same time.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        hash_password("madoguchi-dummy-password", HashCost::default()).unwrap_or_default()
    })
}

/// The operation names of a lockout in the union's audit trail, by what caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptKind {
    /// `POST /v1/session`.
    SignIn,
    /// The signed-in user's password again (配信承認, the password change's current password).
    Reauthentication,
    /// A 監督者's password typed at a clerk's terminal (再交付承認).
    SupervisorApproval,
}

impl AttemptKind {
    fn as_str(self) -> &'static str {
        match self {
            AttemptKind::SignIn => "sign_in",
            AttemptKind::Reauthentication => "reauthentication",
            AttemptKind::SupervisorApproval => "supervisor_approval",
        }
    }
}

/// Checks `user_id`'s password on behalf of `terminal`. Only accounts of the terminal's municipality are
/// visible. Counts a failure atomically before verifying; on a lockout the account's open sessions end and
/// the lockout is written to the union's audit trail.
pub(crate) async fn check(
    state: &AppState,
    terminal: &TerminalIdentity,
    municipality: MunicipalityCode,
    user_id: &str,
    password: String,
    kind: AttemptKind,
) -> ApiResult<Checked> {
    let gate = &state.password_gate;
    if !gate.take_token(&terminal.fingerprint) {
        tracing::warn!(terminal = %terminal.terminal_id, "password attempts from this terminal are rate-limited");
        return Err(ErrorCode::TooManyAttempts.into());
    }
    if user_id.is_empty() || user_id.len() > 64 || password.len() > 256 {
        return Ok(Checked::Wrong);
    }
    let visible = state
        .store
        .staff(user_id)?
        .filter(|s| !s.disabled && s.municipality == municipality);
    let Some(record) = visible else {
        // Same work as a real check, nothing counted: the answer says nothing about the account.
        gate.verify(password, dummy_hash().to_string()).await?;
        return Ok(Checked::Wrong);
    };
    let now = state.now();
    let max = state.config.auth.max_failures.max(1);
    // The lock and the failures are read again inside the reservation, never from the record above.
    let reservation = gate.reserve(&record.user_id, max, || {
        Ok::<_, crate::store::StoreError>(
            state
                .store
                .staff(&record.user_id)?
                .filter(|s| s.locked_until.is_none_or(|t| t <= now))
                .map(|s| s.failed_attempts),
        )
    })?;
    let Some(reservation) = reservation else {
        return Ok(Checked::Locked);
    };
    let ok = gate.verify(password, record.password_hash.clone()).await?;
    let outcome = {
        let _guard = state.write_lock.lock().await;
        // Re-read under the lock so concurrent outcomes all count.
        let Some(mut fresh) = state.store.staff(&record.user_id)? else {
            return Ok(Checked::Wrong);
        };
        if ok {
            if fresh.failed_attempts != 0 || fresh.locked_until.is_some() {
                fresh.failed_attempts = 0;
                fresh.locked_until = None;
                state.store.put_staff(&fresh)?;
            }
            Checked::Right(Box::new(fresh))
        } else {
            let locked = count_failure(state, &terminal.terminal_id, &mut fresh, now, kind)?;
            state.store.put_staff(&fresh)?;
            if locked {
                state.store.flush()?;
                state
                    .sessions
                    .close_user(&fresh.user_id, ClosedBecause::Locked);
                Checked::LockedNow
            } else {
                Checked::Wrong
            }
        }
    };
    drop(reservation);
    Ok(outcome)
}

/// Counts one failed password for `staff`; locks the account after `max_failures` consecutive ones and
/// writes the lockout (with what caused it) to the union's audit trail. Returns whether it locked. The
/// caller stores the record.
pub(crate) fn count_failure(
    state: &AppState,
    terminal_id: &str,
    staff: &mut StaffRecord,
    now: DateTime<Utc>,
    kind: AttemptKind,
) -> Result<bool, crate::store::StoreError> {
    let auth = &state.config.auth;
    staff.failed_attempts += 1;
    if staff.failed_attempts < auth.max_failures.max(1) {
        return Ok(false);
    }
    staff.failed_attempts = 0;
    let until = now + chrono::Duration::minutes(i64::from(auth.lockout_minutes));
    staff.locked_until = Some(until);
    tracing::warn!(user = %staff.user_id, cause = kind.as_str(), "account locked after repeated password failures");
    state
        .store
        .append_audit(madoguchi_protocol::v1::AuditEntry {
            seq: 0,
            at: now,
            terminal_id: terminal_id.to_string(),
            municipality: staff.municipality,
            user_id: Some(staff.user_id.clone()),
            operation: crate::accounts::LOCKOUT_OPERATION.to_string(),
            target: Some(format!(
                "staff:{} failures:{} cause:{} until:{}",
                staff.user_id,
                auth.max_failures,
                kind.as_str(),
                until.to_rfc3339()
            )),
            status: ErrorCode::AccountLocked.http_status(),
            error: Some(ErrorCode::AccountLocked),
            purpose: None,
        })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(per_minute: u32, burst: u32) -> PasswordGate {
        PasswordGate::new(&AuthRule {
            attempts_per_terminal_per_minute: per_minute,
            attempts_per_terminal_burst: burst,
            ..AuthRule::default()
        })
    }

    #[test]
    fn reservations_never_exceed_the_limit() {
        let g = gate(60, 10);
        let reserve =
            |user: &str, failures: u32| g.reserve(user, 5, || Ok::<_, ()>(Some(failures))).unwrap();
        let held: Vec<_> = (0..64).filter_map(|_| reserve("u", 0)).collect();
        assert_eq!(held.len(), 5);
        // Two stored failures leave room for three.
        assert!(reserve("v", 2).is_some());
        drop(held);
        assert!(reserve("u", 0).is_some(), "released on drop");
        // A locked account (no failures to read) gets no reservation.
        assert!(g.reserve("w", 5, || Ok::<_, ()>(None)).unwrap().is_none());
        assert!(g.in_flight.lock().unwrap().get("v").is_none());
    }

    #[test]
    fn one_terminal_cannot_spend_another_terminals_budget() {
        let g = gate(1, 3);
        assert!((0..3).all(|_| g.take_token("a")));
        assert!(!g.take_token("a"));
        assert!(g.take_token("b"));
    }
}
