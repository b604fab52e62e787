//! Tauri commands for staff accounts: the session's state (オフライン受付のみ, a password that must be
//! changed), the forced password change, and the 情報システム管理者's account operations. Thin adapters over
//! `madoguchi-counter`; the union checks the role of every request, the UI only mirrors it.

use madoguchi_counter::SessionState;
use madoguchi_protocol::v1::{
    Grant, NewStaffRequest, SetGrantsRequest, StaffAccount, StaffInfo, StaffList,
};
use serde::Serialize;
use tauri::State;

use crate::commands::Shell;
use crate::error::IpcError;

/// The session as the screen shows it.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct SessionView {
    /// Who, how, and whether the password must be changed first; none when nobody is signed in.
    pub session: Option<SessionState>,
}

/// Who is signed in, whether offline (オフライン受付のみ) and whether the password must be changed.
#[tauri::command]
pub fn session_state(shell: State<'_, Shell>) -> Result<SessionView, IpcError> {
    let t = shell.terminal()?;
    Ok(SessionView {
        session: t.counter.session().session_state(),
    })
}

/// パスワード変更: the current and the new password. The union checks its policy and answers in Japanese.
#[tauri::command]
pub async fn change_password(
    shell: State<'_, Shell>,
    current_password: String,
    new_password: String,
) -> Result<StaffInfo, IpcError> {
    let (t, _) = shell.guard("change_password")?;
    Ok(t.counter
        .session()
        .change_password(&current_password, &new_password)
        .await?)
}

/// 職員一覧 (情報システム管理者).
#[tauri::command]
pub async fn staff_accounts(shell: State<'_, Shell>) -> Result<StaffList, IpcError> {
    let (t, _) = shell.guard("staff_accounts")?;
    Ok(t.counter.staff_admin().staff_accounts().await?)
}

/// 職員の登録 (情報システム管理者): the initial password must be changed at the first sign-in.
#[tauri::command]
pub async fn create_staff(
    shell: State<'_, Shell>,
    user_id: String,
    display_name: String,
    initial_password: String,
    grants: Vec<Grant>,
) -> Result<StaffAccount, IpcError> {
    let (t, _) = shell.guard("create_staff")?;
    Ok(t.counter
        .staff_admin()
        .create_staff(&NewStaffRequest {
            user_id: user_id.trim().to_owned(),
            display_name,
            initial_password,
            grants,
        })
        .await?)
}

/// 権限の設定 (情報システム管理者): every grant with its validity period.
#[tauri::command]
pub async fn set_staff_grants(
    shell: State<'_, Shell>,
    user_id: String,
    grants: Vec<Grant>,
) -> Result<StaffAccount, IpcError> {
    let (t, _) = shell.guard("set_staff_grants")?;
    Ok(t.counter
        .staff_admin()
        .set_staff_grants(&user_id, &SetGrantsRequest { grants })
        .await?)
}

/// 失効 (情報システム管理者).
#[tauri::command]
pub async fn revoke_staff(
    shell: State<'_, Shell>,
    user_id: String,
) -> Result<StaffAccount, IpcError> {
    let (t, _) = shell.guard("revoke_staff")?;
    Ok(t.counter.staff_admin().revoke_staff(&user_id).await?)
}

/// ロック解除 (情報システム管理者).
#[tauri::command]
pub async fn unlock_staff(
    shell: State<'_, Shell>,
    user_id: String,
) -> Result<StaffAccount, IpcError> {
    let (t, _) = shell.guard("unlock_staff")?;
    Ok(t.counter.staff_admin().unlock_staff(&user_id).await?)
}

/// パスワード再設定 (情報システム管理者): the staff member must change it at the next sign-in.
#[tauri::command]
pub async fn reset_staff_password(
    shell: State<'_, Shell>,
    user_id: String,
    new_password: String,
) -> Result<StaffAccount, IpcError> {
    let (t, _) = shell.guard("reset_staff_password")?;
    Ok(t.counter
        .staff_admin()
        .reset_staff_password(&user_id, &new_password)
        .await?)
}
