//! Staff account lifecycle for the 情報システム管理者: personal IDs (no shared IDs, N:3886), roles and the
//! 個人番号 permission (N:3886–3888), unlocking after a lockout, and revocation on transfer or retirement
//! (N:3951–3954). Used by `madoguchi-union staff …` while the server is stopped (the store is exclusive).

use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::v1::Role;

use crate::auth::{HashCost, hash_password};
use crate::store::{StaffRecord, StoreError, UnionStore};

/// Shortest password accepted: the default password policy's (see [`crate::accounts::PasswordPolicy`]).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a staff change was refused.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The user id is empty, over 64 bytes or has characters other than ASCII letters, digits and `. _ @ -`.
    #[error("invalid user id: use 1-64 ASCII letters, digits or . _ @ -")]
    InvalidUserId,
    /// The id is taken, possibly by a revoked account: ids are never reused, so an id in the audit trail
    /// always names the same person.
    #[error("the user id already exists (IDs are never reused)")]
    Exists,
    /// No account with that id.
    #[error("no such user")]
    Unknown,
    /// The password policy refused the password; carries the policy's Japanese message for the operator.
    #[error("the password is refused by the password policy: {0}")]
    WeakPassword(String),
    /// No role given.
    #[error("at least one role is required")]
    NoRole,
    /// Union (広域連合職員) and municipal (窓口担当, 監督者, 個人番号) rights asked for in one account: an
    /// account is either the union's or one municipality's.
    #[error(
        "union rights (union-staff) and municipal rights (clerk, supervisor, my-number) cannot be mixed in one account"
    )]
    MixedScope,
    /// The display name (氏名) is empty or blank.
    #[error("display name is empty")]
    NoName,
    /// Argon2 hashing of the password failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Reading or writing the union store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'))
}

/// A new account.
pub struct NewStaff<'a> {
    /// Personal sign-in id (no shared ids, N:3886).
    pub user_id: &'a str,
    /// 氏名 shown on the terminal and in the audit trail.
    pub display_name: &'a str,
    /// 市町村コード (municipality code) the account works for.
    pub municipality: MunicipalityCode,
    /// Roles to grant; at least one.
    pub roles: Vec<Role>,
    /// Whether the account may see and enter 個人番号 (My Number), granted per person (N:3886–3888).
    pub my_number_permission: bool,
    /// An account of the union's own office (広域連合事務局), e.g. its administrator; implied by the
    /// 広域連合職員 role.
    pub union: bool,
    /// Initial password, checked against the default password policy and stored only as a hash.
    pub password: &'a str,
}

/// Adds an account. Refuses an existing id, even a revoked one.
pub fn add(store: &dyn UnionStore, new: NewStaff<'_>, cost: HashCost) -> Result<(), StaffError> {
    if !valid_user_id(new.user_id) {
        return Err(StaffError::InvalidUserId);
    }
    if new.display_name.trim().is_empty() {
        return Err(StaffError::NoName);
    }
    if new.roles.is_empty() {
        return Err(StaffError::NoRole);
    }
    crate::accounts::PasswordPolicy::default()
        .check(new.user_id, new.password)
        .map_err(|p| StaffError::WeakPassword(p.message_ja))?;
    if store.staff(new.user_id)?.is_some() {
        return Err(StaffError::Exists);
    }
    let mut roles = new.roles;
    roles.dedup();
    // The server's own operators are the union's administrators: they may create union accounts, but
    // never one that mixes union and municipal rights.
    let scope = crate::accounts::scope_of_roles(&roles).ok_or(StaffError::MixedScope)?;
    let scope = if new.union {
        madoguchi_protocol::accounts::StaffScope::Union
    } else {
        scope
    };
    if !roles
        .iter()
        .all(|r| madoguchi_protocol::accounts::Right::of_role(*r).fits(scope))
    {
        return Err(StaffError::MixedScope);
    }
    if new.my_number_permission && scope != madoguchi_protocol::accounts::StaffScope::Municipality {
        return Err(StaffError::MixedScope);
    }
    let password_hash = hash_password(new.password, cost).map_err(StaffError::Hash)?;
    store.put_staff(&StaffRecord {
        user_id: new.user_id.to_string(),
        display_name: new.display_name.trim().to_string(),
        municipality: new.municipality,
        roles,
        my_number_permission: new.my_number_permission,
        password_hash,
        failed_attempts: 0,
        locked_until: None,
        disabled: false,
        grants: Vec::new(),
        // Someone else chose it: the staff member replaces it at the first sign-in.
        must_change_password: Some(madoguchi_protocol::v1::PasswordChangeReason::FirstSignIn),
        password_changed_at: Some(chrono::Utc::now()),
        password_history: Vec::new(),
        revoked_at: None,
        scope,
    })?;
    store.flush()?;
    Ok(())
}

fn update(
    store: &dyn UnionStore,
    user_id: &str,
    change: impl FnOnce(&mut StaffRecord),
) -> Result<(), StaffError> {
    let mut staff = store.staff(user_id)?.ok_or(StaffError::Unknown)?;
    change(&mut staff);
    store.put_staff(&staff)?;
    store.flush()?;
    Ok(())
}

/// Clears a lockout.
pub fn unlock(store: &dyn UnionStore, user_id: &str) -> Result<(), StaffError> {
    update(store, user_id, |s| {
        s.failed_attempts = 0;
        s.locked_until = None;
    })
}

/// Revokes an account (失効). It stays on record so that audit entries keep naming it.
pub fn disable(store: &dyn UnionStore, user_id: &str) -> Result<(), StaffError> {
    update(store, user_id, |s| {
        s.disabled = true;
        s.revoked_at.get_or_insert_with(chrono::Utc::now);
    })
}

/// One line per account, for checking against the user ledger (ユーザ管理台帳, N:4012–4014).
pub fn list(store: &dyn UnionStore) -> Result<Vec<String>, StaffError> {
    Ok(store
        .all_staff()?
        .into_iter()
        .map(|s| {
            let roles: Vec<&str> = s.roles.iter().map(|r| r.label_ja()).collect();
            format!(
                "{}\t{}\t{}\t{}{}\t{}",
                s.user_id,
                s.municipality,
                s.display_name,
                roles.join("・"),
                if s.my_number_permission {
                    "・個人番号"
                } else {
                    ""
                },
                if s.disabled {
                    "失効"
                } else if s.locked_until.is_some() {
                    "ロック"
                } else {
                    "有効"
                }
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::verify_password;
    use crate::store::SledStore;

    const CHEAP: HashCost = HashCost {
        memory_kib: 256,
        iterations: 1,
    };

    fn new<'a>(id: &'a str, password: &'a str) -> NewStaff<'a> {
        NewStaff {
            user_id: id,
            display_name: "見附 花子",
            municipality: "152111".parse().unwrap(),
            roles: vec![Role::Clerk],
            my_number_permission: true,
            union: false,
            password,
        }
    }

    #[test]
    fn lifecycle() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        assert!(matches!(
            add(&store, new("bad id", "long enough pw"), CHEAP),
            Err(StaffError::InvalidUserId)
        ));
        assert!(matches!(
            add(&store, new("m.hanako", "short"), CHEAP),
            Err(StaffError::WeakPassword(_))
        ));
        add(&store, new("m.hanako", "long enough pw"), CHEAP).unwrap();
        assert!(matches!(
            add(&store, new("m.hanako", "long enough pw"), CHEAP),
            Err(StaffError::Exists)
        ));
        let s = store.staff("m.hanako").unwrap().unwrap();
        assert!(verify_password("long enough pw", &s.password_hash));
        assert_eq!(
            s.must_change_password,
            Some(madoguchi_protocol::v1::PasswordChangeReason::FirstSignIn)
        );
        let mut locked = s.clone();
        locked.failed_attempts = 3;
        locked.locked_until = Some(chrono::Utc::now());
        store.put_staff(&locked).unwrap();
        assert!(list(&store).unwrap()[0].ends_with("ロック"));
        unlock(&store, "m.hanako").unwrap();
        let s = store.staff("m.hanako").unwrap().unwrap();
        assert_eq!((s.failed_attempts, s.locked_until), (0, None));
        disable(&store, "m.hanako").unwrap();
        assert!(store.staff("m.hanako").unwrap().unwrap().disabled);
        assert!(list(&store).unwrap()[0].ends_with("失効"));
        assert!(matches!(unlock(&store, "nobody"), Err(StaffError::Unknown)));
    }
}
