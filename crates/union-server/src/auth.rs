//! Staff authentication: Argon2id password hashes, lockout after repeated failures, and short-lived session
//! tokens bound to the terminal certificate they were issued on.
//!
//! Sessions live in memory only: a server restart signs everyone out, which is the safe direction.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use chrono::{DateTime, Utc};
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::v1::Role;
use sha2::{Digest, Sha256};

/// Argon2id cost. The default follows the OWASP minimum (19 MiB, 2 passes); training and tests may use less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    /// Argon2 memory cost in KiB.
    pub memory_kib: u32,
    /// Argon2 passes over the memory.
    pub iterations: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

/// Hashes a password with a fresh salt.
pub fn hash_password(password: &str, cost: HashCost) -> Result<String, String> {
    let params =
        Params::new(cost.memory_kib, cost.iterations, 1, None).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut salt_bytes = [0u8; 16];
    rand::fill(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string (the cost comes from the string).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A signed-in staff member on one terminal.
#[derive(Clone)]
pub struct Session {
    /// The staff member's personal sign-in id.
    pub user_id: String,
    /// 氏名 as in the staff record, for the terminal's header and the audit trail.
    pub display_name: String,
    /// 市町村コード of the staff member's municipality.
    pub municipality: MunicipalityCode,
    /// Roles held when the session was opened.
    pub roles: Vec<Role>,
    /// Whether the staff member may see and enter 個人番号 (My Number).
    pub my_number_permission: bool,
    /// Whose staff the account is (a municipality's or the union's).
    pub scope: madoguchi_protocol::accounts::StaffScope,
    /// SHA-256 of the terminal certificate the session was opened on.
    pub terminal_fingerprint: String,
    /// When the session ends unless used; every accepted request moves it forward by the idle timeout.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// Whether the session holds `role`.
    pub(crate) fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// 窓口 work: clerks and supervisors.
    pub fn can_do_counter_work(&self) -> bool {
        self.has_role(Role::Clerk) || self.has_role(Role::Supervisor)
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRefusal {
    /// No such token, or it expired (idle timeout or server restart): the staff member signs in again.
    Unknown,
    /// The token was issued on another terminal's certificate; a copied token is useless elsewhere.
    OtherTerminal,
    /// Ended by the union, not by the staff member (see [`Sessions::close_user`]).
    Closed(ClosedBecause),
}

/// Why the union ended a user's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedBecause {
    /// The account was revoked (失効).
    Revoked,
    /// The account was locked (too many wrong passwords).
    Locked,
    /// An administrator reset the password.
    PasswordReset,
}

/// Why a session was ended, and until when that is told.
type Tombstone = (ClosedBecause, DateTime<Utc>);

/// The in-memory session table, keyed by the SHA-256 of the token (the token itself is never stored).
pub struct Sessions {
    table: Mutex<HashMap<[u8; 32], Session>>,
    /// Sessions the union ended, kept until they would have expired, so that their next request is told
    /// why rather than just "sign in".
    closed: Mutex<HashMap<[u8; 32], Tombstone>>,
    idle: Duration,
    /// Wall-clock time for idle expiry. Apart from the server's business clock, which tests move by days
    /// to decide "as of" a date while one administrator session stays open.
    clock: crate::api::Clock,
}

impl Sessions {
    /// A session table on the system clock.
    pub fn new(idle: Duration) -> Self {
        Self::with_clock(idle, std::sync::Arc::new(Utc::now))
    }

    /// A session table whose idle expiry reads `clock` (tests move it instead of sleeping).
    pub fn with_clock(idle: Duration, clock: crate::api::Clock) -> Self {
        Sessions {
            table: Mutex::new(HashMap::new()),
            closed: Mutex::new(HashMap::new()),
            idle,
            clock,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    fn idle_chrono(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.idle).unwrap_or(chrono::Duration::minutes(30))
    }

    /// Opens a session and returns the bearer token.
    pub fn open(&self, mut session: Session) -> (String, DateTime<Utc>) {
        let mut raw = [0u8; 32];
        rand::fill(&mut raw);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let now = self.now();
        let expires_at = now + self.idle_chrono();
        session.expires_at = expires_at;
        if let Ok(mut table) = self.table.lock() {
            table.retain(|_, s| s.expires_at > now);
            table.insert(Self::digest(&token), session);
        }
        (token, expires_at)
    }

    /// Looks a token up for a request on the connection with `fingerprint`, extending its idle timeout.
    pub fn check(&self, token: &str, fingerprint: &str) -> Result<Session, SessionRefusal> {
        let mut table = self.table.lock().map_err(|_| SessionRefusal::Unknown)?;
        let digest = Self::digest(token);
        let now = self.now();
        let Some(session) = table.get_mut(&digest) else {
            let closed = self.closed.lock().map_err(|_| SessionRefusal::Unknown)?;
            return Err(match closed.get(&digest) {
                Some((why, until)) if *until > now => SessionRefusal::Closed(*why),
                _ => SessionRefusal::Unknown,
            });
        };
        if session.expires_at <= now {
            table.remove(&digest);
            return Err(SessionRefusal::Unknown);
        }
        if session.terminal_fingerprint != fingerprint {
            return Err(SessionRefusal::OtherTerminal);
        }
        session.expires_at = now + self.idle_chrono();
        Ok(session.clone())
    }

    /// Ends every session of a user (revocation, lockout, password reset); returns how many were open.
    pub fn close_user(&self, user_id: &str, why: ClosedBecause) -> usize {
        let (Ok(mut table), Ok(mut closed)) = (self.table.lock(), self.closed.lock()) else {
            return 0;
        };
        let now = self.now();
        closed.retain(|_, (_, until)| *until > now);
        let ended: Vec<[u8; 32]> = table
            .iter()
            .filter(|(_, s)| s.user_id == user_id)
            .map(|(k, _)| *k)
            .collect();
        for k in &ended {
            if let Some(s) = table.remove(k) {
                closed.insert(*k, (why, s.expires_at));
            }
        }
        ended.len()
    }

    /// Ends a session.
    pub fn close(&self, token: &str) {
        if let Ok(mut table) = self.table.lock() {
            table.remove(&Self::digest(token));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: HashCost = HashCost {
        memory_kib: 256,
        iterations: 1,
    };

    #[test]
    fn hash_and_verify() {
        let h = hash_password("correct horse", CHEAP).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    fn session(fp: &str) -> Session {
        Session {
            user_id: "u".into(),
            display_name: "U".into(),
            municipality: "152111".parse().unwrap(),
            roles: vec![Role::Clerk],
            my_number_permission: false,
            scope: Default::default(),
            terminal_fingerprint: fp.into(),
            expires_at: Utc::now(),
        }
    }

    #[test]
    fn sessions_are_bound_to_the_terminal() {
        let s = Sessions::new(Duration::from_secs(60));
        let (token, _) = s.open(session("aa"));
        assert!(s.check(&token, "aa").is_ok());
        assert_eq!(
            s.check(&token, "bb").err(),
            Some(SessionRefusal::OtherTerminal)
        );
        assert_eq!(s.check("nope", "aa").err(), Some(SessionRefusal::Unknown));
        s.close(&token);
        assert_eq!(s.check(&token, "aa").err(), Some(SessionRefusal::Unknown));
    }

    #[test]
    fn closing_a_user_ends_all_their_sessions() {
        let s = Sessions::new(Duration::from_secs(60));
        let (a, _) = s.open(session("aa"));
        let (b, _) = s.open(session("bb"));
        let mut other = session("aa");
        other.user_id = "v".into();
        let (c, _) = s.open(other);
        assert_eq!(s.close_user("u", ClosedBecause::Revoked), 2);
        assert_eq!(
            s.check(&a, "aa").err(),
            Some(SessionRefusal::Closed(ClosedBecause::Revoked))
        );
        assert!(s.check(&b, "bb").is_err());
        assert!(s.check(&c, "aa").is_ok());
    }

    /// A clock the test moves.
    fn manual() -> (std::sync::Arc<Mutex<DateTime<Utc>>>, crate::api::Clock) {
        let at = std::sync::Arc::new(Mutex::new(Utc::now()));
        let c = at.clone();
        (at, std::sync::Arc::new(move || *c.lock().unwrap()))
    }

    #[test]
    fn sessions_expire_after_idle_time_and_use_extends_them() {
        let (at, clock) = manual();
        let s = Sessions::with_clock(Duration::from_secs(30 * 60), clock);
        let (token, _) = s.open(session("aa"));
        *at.lock().unwrap() += chrono::Duration::minutes(29);
        assert!(s.check(&token, "aa").is_ok(), "used within the idle time");
        *at.lock().unwrap() += chrono::Duration::minutes(29);
        assert!(s.check(&token, "aa").is_ok(), "the last use extended it");
        *at.lock().unwrap() += chrono::Duration::minutes(30);
        assert_eq!(s.check(&token, "aa").err(), Some(SessionRefusal::Unknown));
    }

    #[test]
    fn a_closed_users_session_is_told_why_until_it_would_have_expired() {
        let (at, clock) = manual();
        let s = Sessions::with_clock(Duration::from_secs(60), clock);
        let (token, _) = s.open(session("aa"));
        s.close_user("u", ClosedBecause::Locked);
        assert_eq!(
            s.check(&token, "aa").err(),
            Some(SessionRefusal::Closed(ClosedBecause::Locked))
        );
        *at.lock().unwrap() += chrono::Duration::seconds(61);
        assert_eq!(s.check(&token, "aa").err(), Some(SessionRefusal::Unknown));
    }
}
