//! Staff sessions beyond the plain sign-in: the forced password change, the cached revocation list, and
//! offline sign-in (オフライン受付のみ).
//!
//! Offline sign-in exists so that a line failure does not stop the counter from taking notifications.
//! It is allowed only to a user who signed in online on THIS terminal within [`OfflinePolicy::window`]
//! and is not on the union's revocation list as last cached here; the password is checked against an
//! Argon2id verifier (its own salt) sealed in the vault after that online sign-in — never the password
//! itself. An offline session may only queue work (roster lookup, submit to the queue); everything that
//! needs the union (search, record view, 個人番号, printing data, handover) is refused with a clear
//! message. Failures count toward a local lockout, and every offline sign-in, successful or refused, is
//! recorded in the terminal's audit chain.

use madoguchi_protocol::endpoint as ep;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use madoguchi_audit::{Operation, Outcome};
use madoguchi_domain::StaffMessage;
use madoguchi_protocol::v1::{
    PasswordChangeReason, PasswordChangeRequest, RevocationList, StaffInfo,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::context::Counter;
use crate::error::CounterError;
use crate::session::Session;

/// Vault setting: the offline verifiers, by user id.
const VERIFIERS: &str = "staff.offline-verifiers";
/// Vault setting: the union's revocation list as last fetched.
const REVOCATIONS: &str = "staff.revocations";
/// Vault setting: consecutive offline sign-in failures, by user id.
const FAILURES: &str = "staff.offline-failures";

/// The terminal's rules for offline sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflinePolicy {
    /// How long after the last online sign-in on this terminal a user may sign in offline. Default 96
    /// hours: a line failure on Tuesday morning still finds everyone who worked on Friday afternoon of a
    /// three-day weekend (連休), while an account revoked at the union stops working offline on a terminal
    /// that cannot hear of it after at most four days.
    pub window: Duration,
    /// Consecutive offline failures before the local lockout (as the union's default, 5).
    pub max_failures: u32,
    /// Local lockout duration (as the union's default, 15 minutes).
    pub lockout: Duration,
    /// Argon2id cost of the verifier: memory in KiB (default the OWASP minimum, 19 MiB).
    pub verifier_memory_kib: u32,
    /// Argon2id passes (default 2).
    pub verifier_iterations: u32,
    /// How often the revocation list is fetched again while the terminal runs (besides every sign-in
    /// and every return of the line). Default 10 minutes.
    pub revocation_refresh: Duration,
}

impl Default for OfflinePolicy {
    fn default() -> Self {
        OfflinePolicy {
            window: Duration::from_secs(96 * 3600),
            max_failures: 5,
            lockout: Duration::from_secs(15 * 60),
            verifier_memory_kib: 19 * 1024,
            verifier_iterations: 2,
            revocation_refresh: Duration::from_secs(600),
        }
    }
}

/// What is kept to let a user sign in offline. Sealed in the vault like every setting.
#[derive(Clone, Serialize, Deserialize)]
struct OfflineVerifier {
    /// Argon2id PHC string of the password, with its own salt (not the union's hash).
    phc: String,
    /// Who, with the rights the union gave at that sign-in.
    staff: StaffInfo,
    /// When the user last signed in online on this terminal.
    signed_in_at: DateTime<Utc>,
}

impl fmt::Debug for OfflineVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfflineVerifier")
            .field("user", &self.staff.user_id)
            .field("signed_in_at", &self.signed_in_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct LocalFailures {
    count: u32,
    locked_until: Option<DateTime<Utc>>,
}

/// Why an offline sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineRefusal {
    /// The user never signed in online on this terminal (or the verifier was withdrawn).
    #[error("no online sign-in of this user on this terminal")]
    NeverOnline,
    /// The last online sign-in is older than the window.
    #[error("the last online sign-in is older than the offline window")]
    WindowPassed {
        /// The window in hours.
        hours: u64,
    },
    /// The user is on the cached revocation list.
    #[error("the user is on the cached revocation list")]
    Revoked,
    /// No revocation list was ever cached on this terminal.
    #[error("no revocation list cached")]
    NoRevocationList,
    /// Wrong password.
    #[error("wrong password (offline)")]
    WrongPassword,
    /// Too many offline failures.
    #[error("locked after repeated offline failures")]
    Locked,
}

impl OfflineRefusal {
    /// Stable code (in the audit chain and for the UI).
    pub fn code(self) -> &'static str {
        match self {
            OfflineRefusal::NeverOnline => "offline_never_online",
            OfflineRefusal::WindowPassed { .. } => "offline_window_passed",
            OfflineRefusal::Revoked => "offline_revoked",
            OfflineRefusal::NoRevocationList => "offline_no_revocation_list",
            OfflineRefusal::WrongPassword => "offline_invalid_credentials",
            OfflineRefusal::Locked => "offline_locked",
        }
    }
}

impl StaffMessage for OfflineRefusal {
    fn message_ja(&self) -> String {
        let head = "広域連合のサーバーにつながらないため、オフラインでのサインインを試みましたが、";
        match self {
            OfflineRefusal::NeverOnline => format!(
                "{head}このユーザIDはこの端末でオンラインのサインインをしていないため、オフラインではサインインできません。"
            ),
            OfflineRefusal::WindowPassed { hours } => format!(
                "{head}この端末での最後のオンラインのサインインから{hours}時間を過ぎているため、オフラインではサインインできません。回線の回復を待つか、情報システム管理者に連絡してください。"
            ),
            OfflineRefusal::Revoked => format!(
                "{head}このユーザIDは失効しているか、権限の有効期間外です。情報システム管理者に連絡してください。"
            ),
            OfflineRefusal::NoRevocationList => format!(
                "{head}この端末には失効ユーザの一覧がないため、オフラインではサインインできません。"
            ),
            OfflineRefusal::WrongPassword => {
                format!("{head}ユーザIDまたはパスワードが正しくありません。")
            }
            OfflineRefusal::Locked => format!(
                "{head}失敗が続いたため、この端末でのオフラインのサインインを一時的にロックしています。しばらくしてから再度お試しください。"
            ),
        }
    }
}

/// How a staff member is signed in.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionState {
    /// Who.
    pub staff: StaffInfo,
    /// Signed in offline: only queueing work (オフライン受付のみ).
    pub offline: bool,
    /// The password must be changed before anything else, and why.
    pub must_change_password: Option<PasswordChangeReason>,
    /// What the must-change dialog says.
    pub must_change_message_ja: Option<String>,
}

/// The mode of the current session, kept by the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SessionMode {
    pub(crate) offline: bool,
    pub(crate) must_change: Option<PasswordChangeReason>,
}

/// The counter's account state: session mode, offline policy, and — during an offline session only — the
/// password in memory (zeroised when dropped), so that the session becomes an online one by itself when
/// the line returns and the queue drains without anyone signing in again. It is never written anywhere.
#[derive(Default)]
pub(crate) struct AccountsState {
    mode: std::sync::RwLock<SessionMode>,
    policy: std::sync::RwLock<Option<OfflinePolicy>>,
    pending: std::sync::Mutex<Option<(String, Zeroizing<String>)>>,
}

impl AccountsState {
    pub(crate) fn policy(&self) -> OfflinePolicy {
        self.policy
            .read()
            .ok()
            .and_then(|p| p.clone())
            .unwrap_or_default()
    }
    pub(crate) fn set_policy(&self, policy: OfflinePolicy) {
        if let Ok(mut p) = self.policy.write() {
            *p = Some(policy);
        }
    }
    pub(crate) fn mode(&self) -> SessionMode {
        self.mode.read().map(|m| *m).unwrap_or_default()
    }
    pub(crate) fn set_mode(&self, mode: SessionMode) {
        if let Ok(mut m) = self.mode.write() {
            *m = mode;
        }
        if !mode.offline {
            self.take_pending();
        }
    }
    fn set_pending(&self, user_id: &str, password: &str) {
        if let Ok(mut p) = self.pending.lock() {
            *p = Some((user_id.to_owned(), Zeroizing::new(password.to_owned())));
        }
    }
    fn take_pending(&self) -> Option<(String, Zeroizing<String>)> {
        self.pending.lock().ok().and_then(|mut p| p.take())
    }
}

fn argon(policy: &OfflinePolicy) -> Result<Argon2<'static>, CounterError> {
    let params = Params::new(
        policy.verifier_memory_kib,
        policy.verifier_iterations,
        1,
        None,
    )
    .map_err(|e| CounterError::Encode(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

async fn make_verifier(policy: &OfflinePolicy, password: &str) -> Result<String, CounterError> {
    let argon = argon(policy)?;
    let password = Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        argon
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| CounterError::Encode(e.to_string()))?
    .map_err(CounterError::Encode)
}

async fn check_verifier(phc: String, password: &str) -> bool {
    let password = Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || match PasswordHash::new(&phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// Union refusals after which a kept verifier must not work offline any more.
fn forgets_verifier(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "invalid_credentials"
                | "account_revoked"
                | "no_grant_in_effect"
                | "staff_of_other_municipality"
        )
    )
}

impl Counter {
    fn verifiers(&self) -> Result<BTreeMap<String, OfflineVerifier>, CounterError> {
        Ok(self
            .vault()
            .settings()
            .get::<BTreeMap<String, OfflineVerifier>>(VERIFIERS)?
            .unwrap_or_default())
    }

    fn forget_verifiers(&self, users: &[String]) -> Result<(), CounterError> {
        let mut all = self.verifiers()?;
        let before = all.len();
        all.retain(|k, _| !users.contains(k));
        if all.len() != before {
            self.vault().settings().set(VERIFIERS, &all)?;
        }
        Ok(())
    }

    /// Keeps an offline verifier of `password` for the signed-in `staff` (after an online sign-in with a
    /// password that is the staff member's own, i.e. not one that must be changed).
    pub(crate) async fn remember_offline(
        &self,
        staff: &StaffInfo,
        password: &str,
    ) -> Result<(), CounterError> {
        let policy = self.session().offline_policy();
        let phc = make_verifier(&policy, password).await?;
        let mut all = self.verifiers()?;
        all.insert(
            staff.user_id.clone(),
            OfflineVerifier {
                phc,
                staff: staff.clone(),
                signed_in_at: self.now(),
            },
        );
        self.vault().settings().set(VERIFIERS, &all)?;
        Ok(())
    }

    /// After the union answered a sign-in: a definitive refusal withdraws the offline verifier.
    pub(crate) fn after_online_refusal(&self, user_id: &str, code: Option<&str>) {
        if forgets_verifier(code)
            && let Err(e) = self.forget_verifiers(&[user_id.to_owned()])
        {
            tracing::warn!(error = %e, "offline verifier could not be withdrawn");
        }
    }

    /// After the union refused a request of the open session: a revoked account or one whose rights ended
    /// is signed out here and loses its offline verifier; a password that expired during the session
    /// turns into a pending password change.
    pub(crate) async fn after_session_refusal(&self, code: Option<&str>) {
        match code {
            Some("account_revoked" | "no_grant_in_effect") => {
                if let Some(staff) = self.staff() {
                    if let Err(e) = self.forget_verifiers(std::slice::from_ref(&staff.user_id)) {
                        tracing::warn!(error = %e, "offline verifier could not be withdrawn");
                    }
                    tracing::info!("the union ended the session's rights; signing out");
                    self.end_session_locally();
                    if let Err(e) = self
                        .record_audit(
                            &staff.user_id,
                            Operation::SignOut,
                            Some(format!("ended-by-union:{}", code.unwrap_or("-"))),
                            Outcome::Done,
                        )
                        .await
                    {
                        tracing::warn!(error = %e, "sign-out could not be recorded in the audit trail");
                    }
                }
            }
            Some("password_change_required") => {
                let mut mode = self.session_mode();
                if mode.must_change.is_none() && !mode.offline {
                    mode.must_change = Some(PasswordChangeReason::Expired);
                    self.set_session_mode(mode);
                }
            }
            _ => {}
        }
    }

    /// Signs in without the union (the line is down): see the module documentation for the rules.
    pub(crate) async fn sign_in_offline(
        &self,
        user_id: &str,
        password: &str,
    ) -> Result<StaffInfo, CounterError> {
        let result = self.check_offline(user_id, password).await;
        let outcome = match &result {
            Ok(_) => Outcome::Done,
            Err(r) => Outcome::Refused {
                code: r.code().to_owned(),
            },
        };
        self.record_audit(
            user_id,
            Operation::SignIn,
            Some("offline".to_owned()),
            outcome,
        )
        .await?;
        let staff = result.map_err(CounterError::Offline)?;
        self.begin_session(
            staff.clone(),
            None,
            SessionMode {
                offline: true,
                must_change: None,
            },
        );
        self.accounts_state().set_pending(user_id, password);
        Ok(staff)
    }

    async fn check_offline(
        &self,
        user_id: &str,
        password: &str,
    ) -> Result<StaffInfo, OfflineRefusal> {
        let policy = self.session().offline_policy();
        let now = self.now();
        let settings = self.vault().settings();
        let mut failures: BTreeMap<String, LocalFailures> =
            settings.get(FAILURES).ok().flatten().unwrap_or_default();
        let mine = failures.get(user_id).copied().unwrap_or_default();
        if mine.locked_until.is_some_and(|t| t > now) {
            return Err(OfflineRefusal::Locked);
        }
        let Ok(Some(list)) = self.session().cached_revocations() else {
            return Err(OfflineRefusal::NoRevocationList);
        };
        if list.user_ids.iter().any(|u| u == user_id) {
            return Err(OfflineRefusal::Revoked);
        }
        let verifier = self
            .verifiers()
            .ok()
            .and_then(|mut all| all.remove(user_id));
        let ok = match &verifier {
            Some(v) => check_verifier(v.phc.clone(), password).await,
            None => false,
        };
        if !ok {
            let entry = failures.entry(user_id.to_owned()).or_default();
            entry.count += 1;
            if entry.count >= policy.max_failures {
                entry.count = 0;
                entry.locked_until = chrono::Duration::from_std(policy.lockout)
                    .ok()
                    .map(|d| now + d);
            }
            if let Err(e) = settings.set(FAILURES, &failures) {
                tracing::warn!(error = %e, "offline failure count not stored");
            }
            return Err(match verifier {
                None => OfflineRefusal::NeverOnline,
                Some(_) => OfflineRefusal::WrongPassword,
            });
        }
        let Some(v) = verifier else {
            return Err(OfflineRefusal::NeverOnline);
        };
        let window = chrono::Duration::from_std(policy.window).unwrap_or(chrono::Duration::zero());
        if now > v.signed_in_at + window {
            return Err(OfflineRefusal::WindowPassed {
                hours: policy.window.as_secs() / 3600,
            });
        }
        if failures.remove(user_id).is_some()
            && let Err(e) = settings.set(FAILURES, &failures)
        {
            tracing::warn!(error = %e, "offline failure count not reset");
        }
        Ok(v.staff)
    }
}

impl Session<'_> {
    /// The rules for offline sign-in on this terminal.
    pub fn offline_policy(&self) -> OfflinePolicy {
        self.ctx.inner.accounts.policy()
    }

    /// Sets the rules for offline sign-in (the terminal's configuration; tests shorten the window).
    pub fn set_offline_policy(&self, policy: OfflinePolicy) {
        self.ctx.inner.accounts.set_policy(policy);
    }

    /// The revocation list as last cached on this terminal.
    pub fn cached_revocations(&self) -> Result<Option<RevocationList>, CounterError> {
        Ok(self.ctx.vault().settings().get(REVOCATIONS)?)
    }

    /// Fetches the union's revocation list (needs only the terminal certificate), caches it sealed in the
    /// vault, withdraws the offline verifiers of every listed user, and signs out a listed user who is
    /// signed in here.
    pub async fn refresh_revocations(&self) -> Result<RevocationList, CounterError> {
        let list: RevocationList = self
            .ctx
            .client()
            .send(&ep::REVOCATIONS, &[], None, None, None)
            .await?;
        self.ctx.vault().settings().set(REVOCATIONS, &list)?;
        self.ctx.forget_verifiers(&list.user_ids)?;
        if let Some(current) = self.ctx.staff()
            && list.user_ids.contains(&current.user_id)
        {
            tracing::info!("signed-in user is on the revocation list; signing out");
            self.sign_out().await;
        }
        Ok(list)
    }

    /// Who is signed in, how (online or offline), and whether the password must be changed first.
    pub fn session_state(&self) -> Option<SessionState> {
        let staff = self.ctx.staff()?;
        let mode = self.ctx.session_mode();
        Some(SessionState {
            staff,
            offline: mode.offline,
            must_change_password: mode.must_change,
            must_change_message_ja: mode.must_change.map(|r| r.message_ja().to_owned()),
        })
    }

    /// Changes the signed-in staff member's password at the union (the first thing a session that must
    /// change its password does). On success the session may work, and the new password becomes the
    /// offline verifier of this terminal.
    pub async fn change_password(
        &self,
        current_password: &str,
        new_password: &str,
    ) -> Result<StaffInfo, CounterError> {
        let token = self.ctx.token()?;
        let req = PasswordChangeRequest {
            current_password: current_password.to_owned(),
            new_password: new_password.to_owned(),
        };
        let result: Result<StaffInfo, CounterError> = self
            .ctx
            .client()
            .send(&ep::CHANGE_PASSWORD, &[], Some(&token), None, Some(&req))
            .await
            .map_err(CounterError::from);
        let staff = self
            .ctx
            .audited(
                None,
                Operation::Configure,
                Some("password".to_owned()),
                result,
            )
            .await?;
        self.ctx.set_session_mode(SessionMode {
            offline: false,
            must_change: None,
        });
        self.ctx.set_staff(staff.clone());
        if let Err(e) = self.ctx.remember_offline(&staff, new_password).await {
            tracing::warn!(error = %e, "offline verifier not kept; offline sign-in will not work");
        }
        Ok(staff)
    }
}

impl Counter {
    /// An offline session becomes an online one when the union answers again: the same user is signed in
    /// with the password kept in memory. A refusal (revoked, password changed elsewhere, locked) ends the
    /// offline session and withdraws the verifier.
    pub(crate) async fn upgrade_offline_session(&self) {
        let Some((user_id, password)) = self.accounts_state().take_pending() else {
            return;
        };
        if !self.session_mode().offline || self.staff().is_none_or(|s| s.user_id != user_id) {
            return;
        }
        let req = madoguchi_protocol::v1::SignInRequest {
            user_id: user_id.clone(),
            password: password.as_str().to_owned(),
        };
        let result: Result<madoguchi_protocol::v1::SignInResponse, CounterError> = self
            .client()
            .send(&ep::SIGN_IN, &[], None, None, Some(&req))
            .await
            .map_err(CounterError::from);
        match result {
            Err(CounterError::Link(e)) if e.is_line_failure() => {
                // Still down: try again at the next return of the line.
                self.accounts_state().set_pending(&user_id, &password);
            }
            other => {
                if let Err(e) = &other {
                    self.after_online_refusal(&user_id, e.code());
                }
                let answered = self
                    .audited(
                        Some(&user_id),
                        Operation::SignIn,
                        Some("online-after-offline".to_owned()),
                        other,
                    )
                    .await;
                match answered {
                    Ok(resp) => {
                        let must_change = resp.must_change_password;
                        self.begin_session(
                            resp.staff.clone(),
                            Some(madoguchi_link::SessionToken::new(resp.token)),
                            SessionMode {
                                offline: false,
                                must_change,
                            },
                        );
                        if must_change.is_none()
                            && let Err(e) = self.remember_offline(&resp.staff, &password).await
                        {
                            tracing::warn!(error = %e, "offline verifier not renewed");
                        }
                        tracing::info!("offline session is online again");
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "the union refused the offline session's user; signing out");
                        self.session().sign_out().await;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_have_codes_and_japanese() {
        for r in [
            OfflineRefusal::NeverOnline,
            OfflineRefusal::WindowPassed { hours: 96 },
            OfflineRefusal::Revoked,
            OfflineRefusal::NoRevocationList,
            OfflineRefusal::WrongPassword,
            OfflineRefusal::Locked,
        ] {
            assert!(r.code().starts_with("offline_"));
            assert!(r.message_ja().contains("オフライン"));
        }
        assert!(
            OfflineRefusal::WindowPassed { hours: 96 }
                .message_ja()
                .contains("96時間")
        );
    }

    #[tokio::test]
    async fn verifiers_check_the_password_with_their_own_salt() {
        let policy = OfflinePolicy {
            verifier_memory_kib: 256,
            verifier_iterations: 1,
            ..OfflinePolicy::default()
        };
        let a = make_verifier(&policy, "river stones at dusk")
            .await
            .unwrap();
        let b = make_verifier(&policy, "river stones at dusk")
            .await
            .unwrap();
        assert_ne!(a, b, "each verifier has its own salt");
        assert!(a.starts_with("$argon2id$"));
        assert!(check_verifier(a.clone(), "river stones at dusk").await);
        assert!(!check_verifier(a, "river stones at dawn").await);
        assert!(!check_verifier("garbage".into(), "x").await);
    }

    #[test]
    fn verifier_debug_has_no_hash() {
        let v = OfflineVerifier {
            phc: "$argon2id$secret".into(),
            staff: StaffInfo {
                user_id: "u".into(),
                display_name: "x".into(),
                municipality: "152111".parse().unwrap(),
                roles: vec![],
                my_number_permission: false,
            },
            signed_in_at: Utc::now(),
        };
        assert!(!format!("{v:?}").contains("secret"));
    }
}
