//! Staff accounts (職員アカウント) on the wire: what the 情報システム管理者 sends to create an account, grant
//! rights with validity periods, revoke, unlock and reset; the password change every staff member makes at
//! first sign-in; and the revocation list terminals cache for offline sign-in.
//!
//! Rights follow the seeds: personal user ids only (N:3883–3886), rights made of user, password and the
//! functions allowed (N:3959–3960), a separate right for the 個人番号 (N:3886–3888), and rights that end on
//! transfer or retirement (N:3951–3954, 3969–3970). No type here ever carries a password hash; requests that
//! carry a password redact it in `Debug`.

use std::fmt;

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema;
use crate::v1::Role;

/// Whose staff an account is (所属): a municipality's counter staff and administrators, or the union's own
/// office (広域連合事務局). A municipality's administrator manages only municipal accounts of their own
/// municipality and grants only municipal rights; union rights are granted only by the union's own
/// administrators (or its server's `staff add`), and hold only on union accounts.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StaffScope {
    /// 市町村の職員.
    #[default]
    Municipality,
    /// 広域連合の職員.
    Union,
}

/// One right that can be granted: a role, or the 個人番号 permission.
#[derive(
    ts_rs::TS,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// 窓口担当.
    Clerk,
    /// 監督者.
    Supervisor,
    /// 情報システム管理者.
    Admin,
    /// 広域連合職員.
    UnionStaff,
    /// 個人番号の表示・検索・更新 (N:3886–3888).
    MyNumber,
}

impl Right {
    /// The role this right is, when it is one.
    pub fn role(self) -> Option<Role> {
        match self {
            Right::Clerk => Some(Role::Clerk),
            Right::Supervisor => Some(Role::Supervisor),
            Right::Admin => Some(Role::Admin),
            Right::UnionStaff => Some(Role::UnionStaff),
            Right::MyNumber => None,
        }
    }

    /// The right of a role.
    pub fn of_role(role: Role) -> Right {
        match role {
            Role::Clerk => Right::Clerk,
            Role::Supervisor => Right::Supervisor,
            Role::Admin => Right::Admin,
            Role::UnionStaff => Right::UnionStaff,
        }
    }

    /// Whether an account of `scope` may hold this right: counter work and the 個人番号 are a
    /// municipality's, distributions on the union side are the union's, and each has its own administrators.
    pub fn fits(self, scope: StaffScope) -> bool {
        match self {
            Right::Clerk | Right::Supervisor | Right::MyNumber => scope == StaffScope::Municipality,
            Right::UnionStaff => scope == StaffScope::Union,
            Right::Admin => true,
        }
    }

    /// 「窓口担当」 etc.
    pub fn label_ja(self) -> &'static str {
        match self.role() {
            Some(r) => r.label_ja(),
            None => "個人番号",
        }
    }
}

/// A right with its validity period: in effect from `from` through `until` (both days included, Japan
/// time). Temporary staff (臨時職員) get an `until` at the end of their contract.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The right.
    pub right: Right,
    /// First day in effect.
    pub from: Date,
    /// Last day in effect; none for staff without an end date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

impl Grant {
    /// Whether the grant is in effect on `day`.
    pub fn in_effect_on(&self, day: Date) -> bool {
        self.from <= day && self.until.is_none_or(|u| day <= u)
    }
}

impl GrantView {
    /// The grant, and whether it is in effect on `day`.
    pub fn of(grant: Grant, day: Date) -> Self {
        GrantView {
            right: grant.right,
            from: grant.from,
            until: grant.until,
            in_effect: grant.in_effect_on(day),
        }
    }
}

/// Why the password must be changed before anything else.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PasswordChangeReason {
    /// The first sign-in with the password the administrator set.
    FirstSignIn,
    /// The administrator reset the password.
    Reset,
    /// The password is older than the union's maximum age.
    Expired,
}

impl PasswordChangeReason {
    /// What the dialog tells the staff member.
    pub fn message_ja(self) -> &'static str {
        match self {
            PasswordChangeReason::FirstSignIn => {
                "初回のサインインです。管理者が設定したパスワードを、ご自身だけが知る新しいパスワードに変更してください。"
            }
            PasswordChangeReason::Reset => {
                "パスワードが管理者によって再設定されました。新しいパスワードに変更してください。"
            }
            PasswordChangeReason::Expired => {
                "パスワードの有効期限が切れました。新しいパスワードに変更してください。"
            }
        }
    }
}

/// `POST /v1/session/password` — change one's own password (the only request, with sign-out, that a
/// session which must change its password may make).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// The password used to sign in.
    pub current_password: String,
    /// The new password (the union's policy: length, not reused, not the user id).
    pub new_password: String,
}

impl fmt::Debug for PasswordChangeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordChangeRequest(<redacted>)")
    }
}

/// `POST /v1/staff` — a new account (情報システム管理者 only; in the administrator's municipality).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaffRequest {
    /// Personal user id: 1–64 of ASCII letters, digits and `. _ @ -`. Never reused, even once revoked.
    pub user_id: String,
    /// Name shown in the title bar and in audit reports: 1–50 characters, no control or bidi characters.
    #[serde(deserialize_with = "crate::checked::display_name")]
    #[schemars(with = "schema::DisplayName")]
    pub display_name: String,
    /// The initial password, handed to the staff member; it must be changed at the first sign-in.
    pub initial_password: String,
    /// Rights with their validity periods (at least one role).
    pub grants: Vec<Grant>,
}

impl fmt::Debug for NewStaffRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewStaffRequest")
            .field("user_id", &self.user_id)
            .field("initial_password", &"<redacted>")
            .field("grants", &self.grants)
            .finish_non_exhaustive()
    }
}

/// `PUT /v1/staff/{user_id}/grants` — replaces every grant of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetGrantsRequest {
    /// The account's rights from now on.
    pub grants: Vec<Grant>,
}

/// `POST /v1/staff/{user_id}/password` — the administrator sets a new password; the staff member must
/// change it at the next sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The temporary password.
    pub new_password: String,
}

impl fmt::Debug for PasswordResetRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordResetRequest(<redacted>)")
    }
}

/// State of an account.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// 有効.
    Active,
    /// ロック中 (too many failed sign-ins).
    Locked,
    /// 失効 (revoked; kept on record, never reused).
    Revoked,
}

impl AccountState {
    /// 「有効」 etc.
    pub fn label_ja(self) -> &'static str {
        match self {
            AccountState::Active => "有効",
            AccountState::Locked => "ロック中",
            AccountState::Revoked => "失効",
        }
    }
}

/// A grant as listed, with whether it is in effect today.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GrantView {
    /// The right.
    pub right: Right,
    /// First day in effect.
    pub from: Date,
    /// Last day in effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// In effect on the day of the answer (Japan time).
    pub in_effect: bool,
}

/// One account as the administrator sees it (for checking against the ユーザ管理台帳, N:4012–4014). Never
/// a password or its hash.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StaffAccount {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub display_name: String,
    /// Municipality.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// Grants.
    pub grants: Vec<GrantView>,
    /// State.
    pub state: AccountState,
    /// Locked until, when locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<DateTime<Utc>>,
    /// The password must be changed at the next sign-in, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<PasswordChangeReason>,
    /// When the password was last set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_changed_at: Option<DateTime<Utc>>,
    /// When the account was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// `GET /v1/staff` — the accounts of the administrator's municipality, by user id.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StaffList {
    /// Accounts.
    pub accounts: Vec<StaffAccount>,
}

/// `GET /v1/revocations` — the user ids of the terminal's municipality that may not sign in: revoked
/// (失効) accounts and accounts without any right in effect on the day of issue. Terminals cache it and
/// refuse offline sign-in to anyone on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RevocationList {
    /// The municipality (from the terminal certificate).
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// When the union issued this list.
    pub issued_at: DateTime<Utc>,
    /// The user ids, sorted.
    pub user_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn grant_periods_include_both_ends() {
        let g = Grant {
            right: Right::Clerk,
            from: d(2026, 4, 1),
            until: Some(d(2027, 3, 31)),
        };
        assert!(!g.in_effect_on(d(2026, 3, 31)));
        assert!(g.in_effect_on(d(2026, 4, 1)));
        assert!(g.in_effect_on(d(2027, 3, 31)));
        assert!(!g.in_effect_on(d(2027, 4, 1)));
        let open = Grant { until: None, ..g };
        assert!(open.in_effect_on(d(2099, 1, 1)));
    }

    #[test]
    fn passwords_never_in_debug() {
        let r = PasswordChangeRequest {
            current_password: "old-secret-123".into(),
            new_password: "new-secret-456".into(),
        };
        let n = NewStaffRequest {
            user_id: "a".into(),
            display_name: "x".into(),
            initial_password: "initial-secret".into(),
            grants: vec![],
        };
        let text = format!(
            "{r:?} {n:?} {:?}",
            PasswordResetRequest {
                new_password: "reset-secret".into()
            }
        );
        for s in ["old-secret", "new-secret", "initial-secret", "reset-secret"] {
            assert!(!text.contains(s), "{text}");
        }
    }

    #[test]
    fn grants_refuse_unknown_fields() {
        assert!(
            serde_json::from_str::<Grant>(r#"{"right":"clerk","from":"2026-04-01","x":1}"#)
                .is_err()
        );
        let g: Grant =
            serde_json::from_str(r#"{"right":"my_number","from":"2026-04-01"}"#).unwrap();
        assert_eq!(g.right, Right::MyNumber);
        assert_eq!(g.until, None);
    }
}
