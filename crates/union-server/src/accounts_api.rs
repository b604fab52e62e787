//! The staff-account endpoints: every session's own password change, the revocation list terminals cache,
//! and the 情報システム管理者's account operations (create, list, grants, revoke, unlock, reset), each
//! scoped to the administrator's municipality. Rules live in [`crate::accounts`].

use axum::Router;
use axum::extract::{Path, State};
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::v1::{
    NewStaffRequest, PasswordChangeRequest, PasswordResetRequest, RevocationList, Role,
    SetGrantsRequest, StaffAccount, StaffInfo, StaffList,
};
use madoguchi_protocol::{ErrorBody, ErrorCode};

use crate::accounts::{PasswordProblem, check_grants};
use crate::api::{
    ApiError, ApiJson, ApiResult, MountEndpoint, Shared, Staff, Terminal, staff_info,
};
use crate::auth::{ClosedBecause, HashCost, hash_password, verify_password};
use crate::store::StaffRecord;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .endpoint(&ep::CHANGE_PASSWORD, change_password)
        .endpoint(&ep::REVOCATIONS, revocations)
        .endpoint(&ep::STAFF_LIST, list)
        .endpoint(&ep::CREATE_STAFF, create)
        .endpoint(&ep::SET_GRANTS, set_grants)
        .endpoint(&ep::REVOKE_STAFF, revoke)
        .endpoint(&ep::UNLOCK_STAFF, unlock)
        .endpoint(&ep::RESET_PASSWORD, reset_password)
}

/// An error with a message of its own (the code's default message is general).
fn explained(code: ErrorCode, field: &str, message_ja: &str) -> ApiError {
    let mut body = ErrorBody::new(code).with_field(field);
    body.message_ja = message_ja.to_string();
    ApiError(body)
}

fn password_refused(p: PasswordProblem, field: &str) -> ApiError {
    explained(p.code, field, &p.message_ja)
}

/// Longest password looked at (well above the policy's maximum; bounds the hashing work).
const PASSWORD_BYTES_MAX: usize = 1024;

async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password, HashCost::default()))
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::from(ErrorCode::Internal)
        })
}

/// Whether `password` matches the current password or one of the remembered ones.
async fn was_used(record: &StaffRecord, keep: u32, password: &str) -> ApiResult<bool> {
    let mut hashes = vec![record.password_hash.clone()];
    hashes.extend(
        record
            .password_history
            .iter()
            .take(keep.saturating_sub(1) as usize)
            .cloned(),
    );
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hashes.iter().any(|h| verify_password(&password, h)))
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))
}

/// Checks a new password: policy, then reuse of the current and remembered ones.
async fn check_new_password(
    state: &Shared,
    record: &StaffRecord,
    password: &str,
    field: &str,
) -> ApiResult<()> {
    if password.len() > PASSWORD_BYTES_MAX {
        return Err(explained(
            ErrorCode::PasswordTooLong,
            field,
            &format!(
                "パスワードは{}文字以内にしてください。",
                state.config.password.max_chars
            ),
        ));
    }
    state
        .config
        .password
        .check(&record.user_id, password)
        .map_err(|p| password_refused(p, field))?;
    if was_used(record, state.config.password.history.max(1), password).await? {
        return Err(explained(
            ErrorCode::PasswordReused,
            field,
            &format!(
                "現在のパスワードや最近使った{}個のパスワードは使えません。別のパスワードを設定してください。",
                state.config.password.history.max(1)
            ),
        ));
    }
    Ok(())
}

async fn store_and_flush(state: &Shared, record: &StaffRecord) -> ApiResult<()> {
    state.store.put_staff(record)?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))??;
    Ok(())
}

/// `POST /v1/session/password`: the signed-in staff member changes their own password. A wrong current
/// password counts toward the lockout like a failed sign-in.
async fn change_password(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    ApiJson(req): ApiJson<PasswordChangeRequest>,
) -> ApiResult<axum::Json<StaffInfo>> {
    staff
        .note
        .target(format!("staff:{}", staff.session.user_id));
    if req.current_password.len() > PASSWORD_BYTES_MAX {
        return Err(ErrorCode::InvalidCredentials.into());
    }
    use crate::password_gate::{AttemptKind, Checked};
    let checked = crate::password_gate::check(
        &state,
        &terminal.0,
        staff.session.municipality,
        &staff.session.user_id,
        req.current_password.clone(),
        AttemptKind::Reauthentication,
    )
    .await?;
    let record = match checked {
        Checked::Right(record) => *record,
        Checked::Locked | Checked::LockedNow => return Err(ErrorCode::AccountLocked.into()),
        Checked::Wrong => {
            return Err(explained(
                ErrorCode::InvalidCredentials,
                "current_password",
                "現在のパスワードが正しくありません。",
            ));
        }
    };
    let now = state.now();
    check_new_password(&state, &record, &req.new_password, "new_password").await?;
    let new_hash = hash(req.new_password).await?;
    let _guard = state.write_lock.lock().await;
    let mut fresh = state
        .store
        .staff(&record.user_id)?
        .ok_or(ApiError::from(ErrorCode::AccountRevoked))?;
    fresh.set_password(new_hash, now, state.config.password.history);
    fresh.must_change_password = None;
    fresh.failed_attempts = 0;
    store_and_flush(&state, &fresh).await?;
    let mut session = staff.session.clone();
    let rights = fresh.rights_on(state.today());
    session.roles = rights.roles;
    session.my_number_permission = rights.my_number;
    Ok(axum::Json(staff_info(&session)))
}

/// `GET /v1/revocations`: user ids of the terminal's municipality that may not sign in today. Needs only
/// the terminal certificate, so a terminal can refresh it before anyone signs in.
async fn revocations(
    State(state): State<Shared>,
    terminal: Terminal,
) -> ApiResult<axum::Json<RevocationList>> {
    let municipality = terminal.municipality()?;
    let today = state.today();
    let mut user_ids: Vec<String> = state
        .store
        .all_staff()?
        .into_iter()
        .filter(|s| s.municipality == municipality)
        .filter(|s| s.disabled || s.rights_on(today).roles.is_empty())
        .map(|s| s.user_id)
        .collect();
    user_ids.sort();
    Ok(axum::Json(RevocationList {
        municipality,
        issued_at: state.now(),
        user_ids,
    }))
}

fn require_admin(staff: &Staff) -> ApiResult<()> {
    if staff.session.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ErrorCode::Forbidden.into())
    }
}

/// The account `user_id` of the administrator's municipality (another municipality's account is "not
/// found": an administrator manages only their own staff).
fn account_in_scope(state: &Shared, staff: &Staff, user_id: &str) -> ApiResult<StaffRecord> {
    staff.note.target(format!("staff:{user_id}"));
    if !crate::staff::valid_user_id(user_id) {
        return Err(ApiError::field(ErrorCode::NotFound, "user_id"));
    }
    state
        .store
        .staff(user_id)?
        .filter(|r| r.municipality == staff.session.municipality && r.scope == staff.session.scope)
        .ok_or(ApiError::field(ErrorCode::NotFound, "user_id"))
}

fn view(state: &Shared, record: &StaffRecord) -> StaffAccount {
    record.view(state.now(), state.today(), &state.config.password)
}

/// `GET /v1/staff`.
async fn list(State(state): State<Shared>, staff: Staff) -> ApiResult<axum::Json<StaffList>> {
    require_admin(&staff)?;
    let accounts: Vec<StaffAccount> = state
        .store
        .all_staff()?
        .iter()
        .filter(|s| s.municipality == staff.session.municipality && s.scope == staff.session.scope)
        .map(|s| view(&state, s))
        .collect();
    staff.note.target(format!("staff-list:{}", accounts.len()));
    Ok(axum::Json(StaffList { accounts }))
}

/// `POST /v1/staff`.
async fn create(
    State(state): State<Shared>,
    staff: Staff,
    ApiJson(req): ApiJson<NewStaffRequest>,
) -> ApiResult<axum::Json<StaffAccount>> {
    require_admin(&staff)?;
    staff.note.target(format!("staff:{}", req.user_id));
    if !crate::staff::valid_user_id(&req.user_id) {
        return Err(explained(
            ErrorCode::InvalidField,
            "user_id",
            "ユーザIDは半角英数字と . _ @ - の64文字以内で入力してください（共用IDは作成できません）。",
        ));
    }
    let display_name = req.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(explained(
            ErrorCode::InvalidField,
            "display_name",
            "氏名（表示名）を100文字以内で入力してください。",
        ));
    }
    let grants = check_grants(&req.grants)
        .map_err(|(field, msg)| explained(ErrorCode::InvalidField, field, msg))?;
    crate::accounts::check_grant_scope(staff.session.scope, &grants)
        .map_err(|msg| explained(ErrorCode::Forbidden, "grants", msg))?;
    if req.initial_password.len() > PASSWORD_BYTES_MAX {
        return Err(ErrorCode::PasswordTooLong.into());
    }
    state
        .config
        .password
        .check(&req.user_id, &req.initial_password)
        .map_err(|p| password_refused(p, "initial_password"))?;
    if state.store.staff(&req.user_id)?.is_some() {
        return Err(ApiError::field(ErrorCode::UserIdTaken, "user_id"));
    }
    let password_hash = hash(req.initial_password).await?;
    let now = state.now();
    let record = StaffRecord {
        user_id: req.user_id,
        display_name: display_name.to_string(),
        municipality: staff.session.municipality,
        roles: Vec::new(),
        my_number_permission: false,
        password_hash,
        failed_attempts: 0,
        locked_until: None,
        disabled: false,
        grants,
        must_change_password: Some(madoguchi_protocol::v1::PasswordChangeReason::FirstSignIn),
        password_changed_at: Some(now),
        password_history: Vec::new(),
        revoked_at: None,
        scope: staff.session.scope,
    };
    {
        let _guard = state.write_lock.lock().await;
        // Checked again under the lock: two administrators creating the same id at once get one account.
        if state.store.staff(&record.user_id)?.is_some() {
            return Err(ApiError::field(ErrorCode::UserIdTaken, "user_id"));
        }
        store_and_flush(&state, &record).await?;
    }
    tracing::info!(user = %record.user_id, by = %staff.session.user_id, "staff account created");
    Ok(axum::Json(view(&state, &record)))
}

/// Applies `change` to an account of the administrator's municipality under the write lock, stores it
/// durably and answers with the account.
async fn update(
    state: &Shared,
    staff: &Staff,
    user_id: &str,
    change: impl FnOnce(&mut StaffRecord) -> ApiResult<()>,
) -> ApiResult<StaffRecord> {
    let _guard = state.write_lock.lock().await;
    let mut record = account_in_scope(state, staff, user_id)?;
    change(&mut record)?;
    store_and_flush(state, &record).await?;
    Ok(record)
}

/// `PUT /v1/staff/{user_id}/grants`.
async fn set_grants(
    State(state): State<Shared>,
    staff: Staff,
    Path(user_id): Path<String>,
    ApiJson(req): ApiJson<SetGrantsRequest>,
) -> ApiResult<axum::Json<StaffAccount>> {
    require_admin(&staff)?;
    // Out of scope is "not found" whatever is sent: nothing is said about another scope's accounts.
    account_in_scope(&state, &staff, &user_id)?;
    let grants = check_grants(&req.grants)
        .map_err(|(field, msg)| explained(ErrorCode::InvalidField, field, msg))?;
    crate::accounts::check_grant_scope(staff.session.scope, &grants)
        .map_err(|msg| explained(ErrorCode::Forbidden, "grants", msg))?;
    let today = state.today();
    let myself = user_id == staff.session.user_id;
    let record = update(&state, &staff, &user_id, |r| {
        if r.disabled {
            return Err(ApiError::from(ErrorCode::AccountRevoked));
        }
        r.grants = grants;
        // The older unbounded rights are replaced by the grants sent.
        r.roles.clear();
        r.my_number_permission = false;
        if myself && !r.rights_on(today).roles.contains(&Role::Admin) {
            return Err(explained(
                ErrorCode::Forbidden,
                "grants",
                "自分自身の情報システム管理者の権限は外せません。別の管理者に依頼してください。",
            ));
        }
        Ok(())
    })
    .await?;
    Ok(axum::Json(view(&state, &record)))
}

/// `POST /v1/staff/{user_id}/revoke`: 失効 at once. Every open session of the account is closed; the
/// record stays so audit entries keep naming it, and the id is never given out again.
async fn revoke(
    State(state): State<Shared>,
    staff: Staff,
    Path(user_id): Path<String>,
) -> ApiResult<axum::Json<StaffAccount>> {
    require_admin(&staff)?;
    if user_id == staff.session.user_id {
        return Err(explained(
            ErrorCode::Forbidden,
            "user_id",
            "自分自身のユーザIDは失効できません。別の管理者に依頼してください。",
        ));
    }
    let now = state.now();
    let record = update(&state, &staff, &user_id, |r| {
        r.disabled = true;
        r.revoked_at.get_or_insert(now);
        Ok(())
    })
    .await?;
    let closed = state
        .sessions
        .close_user(&record.user_id, ClosedBecause::Revoked);
    tracing::info!(user = %record.user_id, by = %staff.session.user_id, sessions = closed, "staff account revoked");
    Ok(axum::Json(view(&state, &record)))
}

/// `POST /v1/staff/{user_id}/unlock`.
async fn unlock(
    State(state): State<Shared>,
    staff: Staff,
    Path(user_id): Path<String>,
) -> ApiResult<axum::Json<StaffAccount>> {
    require_admin(&staff)?;
    let record = update(&state, &staff, &user_id, |r| {
        r.failed_attempts = 0;
        r.locked_until = None;
        Ok(())
    })
    .await?;
    Ok(axum::Json(view(&state, &record)))
}

/// `POST /v1/staff/{user_id}/password`: a temporary password the staff member must change at the next
/// sign-in; open sessions of the account end, and a lockout is cleared.
async fn reset_password(
    State(state): State<Shared>,
    staff: Staff,
    Path(user_id): Path<String>,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<axum::Json<StaffAccount>> {
    require_admin(&staff)?;
    let current = account_in_scope(&state, &staff, &user_id)?;
    if current.disabled {
        return Err(ErrorCode::AccountRevoked.into());
    }
    check_new_password(&state, &current, &req.new_password, "new_password").await?;
    let new_hash = hash(req.new_password).await?;
    let now = state.now();
    let keep = state.config.password.history;
    let record = update(&state, &staff, &user_id, |r| {
        r.set_password(new_hash, now, keep);
        r.must_change_password = Some(madoguchi_protocol::v1::PasswordChangeReason::Reset);
        r.failed_attempts = 0;
        r.locked_until = None;
        Ok(())
    })
    .await?;
    state
        .sessions
        .close_user(&record.user_id, ClosedBecause::PasswordReset);
    Ok(axum::Json(view(&state, &record)))
}
