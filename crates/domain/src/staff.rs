//! Who works at which terminal: `StaffUserId` (職員のユーザID, N:3883–3886: personal user ids) and
//! `TerminalId` (端末ID). One rule each, checked once at the edge; every crate on the terminal side takes
//! these types instead of checking strings again.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An identifier that does not follow its rule (the rule is in the message; the value is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// Not a user id.
    #[error("a user id is 1-64 ASCII letters, digits and . _ @ -, not only dots")]
    UserId,
    /// Not a terminal id.
    #[error("a terminal id is 1-16 ASCII letters, digits and -, not starting with -")]
    TerminalId,
}

impl crate::StaffMessage for IdentityError {
    fn message_ja(&self) -> String {
        match self {
            IdentityError::UserId => "ユーザIDは半角英数字と . _ @ - で入力してください。".into(),
            IdentityError::TerminalId => {
                "端末IDは半角英数字と - の16文字以内で指定してください。".into()
            }
        }
    }
}

/// `StaffUserId` — 職員のユーザID: 1–64 ASCII letters, digits and `. _ @ -`, not only dots (so it is safe
/// as a URL path segment and a file name part without escaping).
#[derive(ts_rs::TS, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct StaffUserId(String);

impl StaffUserId {
    /// Checks `s` (surrounding spaces are removed first: staff type them).
    pub fn parse(s: &str) -> Result<Self, IdentityError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= 64
            && !t.bytes().all(|b| b == b'.')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'));
        if ok {
            Ok(StaffUserId(t.to_owned()))
        } else {
            Err(IdentityError::UserId)
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `TerminalId` — 端末ID: 1–16 ASCII letters, digits and `-`, not starting with `-`. It prefixes every
/// 受付番号 printed on a 受付控 and names the terminal's certificate, so it stays short and plain.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct TerminalId(String);

impl TerminalId {
    /// Checks `s`.
    pub fn parse(s: &str) -> Result<Self, IdentityError> {
        let ok = !s.is_empty()
            && s.len() <= 16
            && !s.starts_with('-')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(TerminalId(s.to_owned()))
        } else {
            Err(IdentityError::TerminalId)
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_like {
    ($t:ident) => {
        impl TryFrom<String> for $t {
            type Error = IdentityError;
            fn try_from(s: String) -> Result<Self, IdentityError> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl std::str::FromStr for $t {
            type Err = IdentityError;
            fn from_str(s: &str) -> Result<Self, IdentityError> {
                Self::parse(s)
            }
        }
        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        // Account and terminal ids are not personal data of residents; shown as they are.
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.0)
            }
        }
    };
}
string_like!(StaffUserId);
string_like!(TerminalId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_follow_one_rule() {
        assert_eq!(
            StaffUserId::parse(" m.hanako@city ").unwrap().as_str(),
            "m.hanako@city"
        );
        for bad in ["", "..", ".", "../x", "a/b", "a b", "名前", &"a".repeat(65)] {
            assert_eq!(StaffUserId::parse(bad), Err(IdentityError::UserId), "{bad}");
        }
        assert!(StaffUserId::parse(&"a".repeat(64)).is_ok());
        let json = serde_json::to_string(&StaffUserId::parse("152111-clerk").unwrap()).unwrap();
        assert_eq!(json, r#""152111-clerk""#);
        assert!(serde_json::from_str::<StaffUserId>(r#""a/b""#).is_err());
    }

    #[test]
    fn terminal_ids_follow_one_rule() {
        assert!(TerminalId::parse("MITSUKE-01").is_ok());
        assert!(TerminalId::parse(&"T".repeat(16)).is_ok());
        for bad in ["", "-T1", "T_1", "T 1", "../T", &"T".repeat(17)] {
            assert_eq!(
                TerminalId::parse(bad),
                Err(IdentityError::TerminalId),
                "{bad}"
            );
        }
    }
}
