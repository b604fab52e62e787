//! The Tauri commands: each a small adapter from the webview to `madoguchi-counter` / `madoguchi-print`.
//! Every command that touches residents or documents first checks that the app is ready, the screen is
//! not locked and a staff member is signed in. Errors cross as `{code, message_ja, fields?}`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use madoguchi_application::{Preview, Printed, SupervisorConsent, TerminalErrorCode};
use madoguchi_counter::{
    Correction, QueueEntry, ReadyToIssue, ReprintReason, ResidentList, ReturnRecorded, Submitted,
};
use madoguchi_link::LineState;
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::{
    DocumentData, DocumentId, ResidentDetail, ResidentId, ReturnRequest, StaffInfo,
};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::access;
use crate::error::IpcError;
use madoguchi_application::terminal::{Terminal, TrainingAccount};
use madoguchi_counter::forms::{IssuanceForm, NotificationForm, SearchForm, today_jst};
use madoguchi_protocol::access::{Capability, capabilities};

/// Where the app is in its start.
#[derive(Clone)]
pub enum Startup {
    /// The terminal (and in 研修モード the embedded union) is starting.
    Starting,
    /// Ready for sign-in.
    Ready(Arc<Terminal>),
    /// It could not start; the screen says why.
    Failed(IpcError),
}

/// The app's state, managed by Tauri.
pub struct Shell {
    training: bool,
    startup: RwLock<Startup>,
    locked: AtomicBool,
}

impl Shell {
    /// A shell whose terminal is still starting. `training`: 研修モード (from the configuration).
    pub fn starting(training: bool) -> Self {
        Shell {
            training,
            startup: RwLock::new(Startup::Starting),
            locked: AtomicBool::new(false),
        }
    }

    /// Records the outcome of the start.
    pub fn set_startup(&self, s: Startup) {
        if let Ok(mut g) = self.startup.write() {
            *g = s;
        }
    }

    fn startup(&self) -> Startup {
        self.startup.read().map(|g| g.clone()).unwrap_or_else(|_| {
            Startup::Failed(IpcError::new(
                TerminalErrorCode::Union(ErrorCode::Internal),
                "内部エラーです。アプリを再起動してください。",
            ))
        })
    }

    /// The started terminal.
    pub fn terminal(&self) -> Result<Arc<Terminal>, IpcError> {
        match self.startup() {
            Startup::Ready(t) => Ok(t),
            Startup::Starting => Err(IpcError::starting()),
            Startup::Failed(e) => Err(e),
        }
    }

    /// The terminal with a signed-in staff member and an unlocked screen.
    pub(crate) fn session(&self) -> Result<(Arc<Terminal>, StaffInfo), IpcError> {
        let t = self.terminal()?;
        if self.locked.load(Ordering::SeqCst) {
            return Err(IpcError::locked());
        }
        let staff = t.counter.staff().ok_or_else(IpcError::not_signed_in)?;
        Ok((t, staff))
    }

    /// The session, if `command` may be called by the signed-in staff member ([`access::COMMAND_ACCESS`]).
    /// A command missing from the table is refused.
    pub(crate) fn guard(&self, command: &str) -> Result<(Arc<Terminal>, StaffInfo), IpcError> {
        let (t, staff) = self.session()?;
        match access::need(command) {
            Some(n) if n.allows(Some(&staff)) => Ok((t, staff)),
            Some(access::Need::Capability(c)) => {
                tracing::info!(command, capability = ?c, "command refused: role");
                Err(IpcError::forbidden(c.refusal_ja()))
            }
            _ => {
                tracing::warn!(command, "command refused: not in the access table");
                Err(IpcError::forbidden("この操作の権限がありません。"))
            }
        }
    }
}

/// How far the start got.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartupState {
    /// Still starting.
    Starting,
    /// Ready.
    Ready,
    /// Failed (see `error`).
    Failed,
}

/// What the counter screen needs before anyone signs in.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Serialize)]
pub struct AppInfo {
    /// The app version, shown in the footer for support calls.
    pub version: String,
    /// 研修モード.
    pub training_mode: bool,
    /// 回線 state.
    pub line_state: LineState,
    /// Start progress.
    pub startup: StartupState,
    /// Why the start failed, in Japanese.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<IpcError>,
    /// Seconds without input before the screen locks.
    pub idle_lock_seconds: u32,
    /// The union refused this terminal's certificate as revoked; its vault is wiped and it stops.
    pub terminal_revoked: bool,
    /// 研修モード: the embedded union's training accounts, listed on the sign-in screen (issue 14 #12).
    /// Always empty on a configured terminal.
    pub training_accounts: Vec<TrainingAccount>,
}

/// 端末情報.
#[tauri::command]
pub fn app_info(shell: State<'_, Shell>) -> AppInfo {
    let (startup, error, line_state, idle) = match shell.startup() {
        Startup::Starting => (StartupState::Starting, None, LineState::Unknown, 60.0),
        Startup::Ready(t) => (
            StartupState::Ready,
            None,
            t.counter.line_state(),
            t.idle_lock_minutes * 60.0,
        ),
        Startup::Failed(e) => (StartupState::Failed, Some(e), LineState::Unknown, 60.0),
    };
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        training_mode: shell.training,
        line_state,
        startup,
        error,
        // Bounded by the configuration check (0 < minutes <= 60).
        idle_lock_seconds: idle.round().clamp(1.0, 3600.0) as u32,
        terminal_revoked: match shell.startup() {
            Startup::Ready(t) => {
                t.counter.terminal_status() != madoguchi_counter::TerminalStatus::Active
            }
            _ => false,
        },
        training_accounts: match shell.startup() {
            Startup::Ready(t) if t.training => t.training_accounts(),
            _ => Vec::new(),
        },
    }
}

/// Who is signed in and whether the screen is locked.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct SessionInfo {
    /// The staff member, if any.
    pub staff: Option<StaffInfo>,
    /// The screen is locked.
    pub locked: bool,
    /// What the staff member may do (the screens show only these functions).
    pub capabilities: Vec<Capability>,
}

/// サインイン with the union. Clears a screen lock.
#[tauri::command]
pub async fn sign_in(
    shell: State<'_, Shell>,
    user_id: String,
    password: String,
) -> Result<StaffInfo, IpcError> {
    let t = shell.terminal()?;
    let staff = t
        .counter
        .session()
        .sign_in(user_id.trim(), &password)
        .await?;
    shell.locked.store(false, Ordering::SeqCst);
    Ok(staff)
}

/// サインアウト. Queued work stays queued.
#[tauri::command]
pub async fn sign_out(shell: State<'_, Shell>) -> Result<(), IpcError> {
    let t = shell.terminal()?;
    t.printing.forget();
    t.counter.session().sign_out().await;
    shell.locked.store(false, Ordering::SeqCst);
    // Nobody is signed in now: the moment a staged update may install (the new version starts next time).
    if let Some(agent) = &t.updates
        && let Some(version) = agent.at_sign_out(&t.counter).await
    {
        tracing::info!(%version, "program update installed at sign-out");
    }
    Ok(())
}

/// The current session.
#[tauri::command]
pub fn session_info(shell: State<'_, Shell>) -> Result<SessionInfo, IpcError> {
    let t = shell.terminal()?;
    let staff = t.counter.staff();
    Ok(SessionInfo {
        capabilities: staff.as_ref().map(capabilities).unwrap_or_default(),
        staff,
        locked: shell.locked.load(Ordering::SeqCst),
    })
}

/// Locks the screen (the UI calls it after the idle time). Every resident command is refused until
/// [`unlock`].
#[tauri::command]
pub fn lock_screen(shell: State<'_, Shell>) -> Result<(), IpcError> {
    let t = shell.terminal()?;
    if t.counter.staff().is_some() {
        shell.locked.store(true, Ordering::SeqCst);
    }
    Ok(())
}

/// Unlocks with the signed-in staff member's password, checked by a fresh sign-in at the union (the
/// password is never kept on the terminal, so only the union can check it).
#[tauri::command]
pub async fn unlock(shell: State<'_, Shell>, password: String) -> Result<StaffInfo, IpcError> {
    let t = shell.terminal()?;
    let staff = t.counter.staff().ok_or_else(IpcError::not_signed_in)?;
    let again = t
        .counter
        .session()
        .sign_in(&staff.user_id, &password)
        .await?;
    shell.locked.store(false, Ordering::SeqCst);
    Ok(again)
}

/// 回線 state now (changes arrive as the `line-state` event).
#[tauri::command]
pub fn line_state(shell: State<'_, Shell>) -> Result<LineState, IpcError> {
    Ok(shell.terminal()?.counter.line_state())
}

/// 回線切断（研修）: simulate a line failure. Only in 研修モード.
#[tauri::command]
pub fn simulate_line_failure(shell: State<'_, Shell>, on: bool) -> Result<LineState, IpcError> {
    let (t, _) = shell.guard("simulate_line_failure")?;
    if !t.training {
        return Err(IpcError::new(
            TerminalErrorCode::TrainingOnly,
            "回線切断の練習は研修モードでのみ使えます。",
        ));
    }
    t.counter.simulate_line_failure(on);
    Ok(t.counter.line_state())
}

/// 検索: 被保険者番号, カナ氏名, 生年月日 (和暦) — from the union, or from the offline roster while the line
/// is down (with the roster's age); sorted by カナ then 生年月日.
#[tauri::command]
pub async fn search(shell: State<'_, Shell>, form: SearchForm) -> Result<ResidentList, IpcError> {
    let (t, _) = shell.guard("search")?;
    let req = form.parse()?;
    Ok(t.counter.search().find_residents(&req, today_jst()).await?)
}

/// The target line of a notification: who the resident picked in this session's search is (氏名, カナ,
/// 生年月日 in 和暦, 被保険者番号); `null` when this session has not shown them.
#[tauri::command]
pub fn target(
    shell: State<'_, Shell>,
    resident_id: ResidentId,
) -> Result<Option<madoguchi_counter::CaseSubject>, IpcError> {
    let (t, _) = shell.guard("target")?;
    Ok(t.counter.search().target(resident_id))
}

/// The record view of one resident (the 個人番号 itself is never sent; only whether one is linked).
#[tauri::command]
pub async fn resident(
    shell: State<'_, Shell>,
    resident_id: ResidentId,
) -> Result<ResidentDetail, IpcError> {
    let (t, _) = shell.guard("resident")?;
    Ok(t.counter.search().resident(resident_id).await?)
}

/// 個人番号の表示: an explicit action for a chosen purpose (利用目的; その他 with a short text), refused
/// without the 個人番号 permission or a valid purpose, and audited with the purpose on the terminal and by
/// the union. The number goes to the screen only; it is not kept or logged here.
#[tauri::command]
pub async fn reveal_my_number(
    shell: State<'_, Shell>,
    resident_id: ResidentId,
    purpose: madoguchi_protocol::reveal::RevealPurpose,
    purpose_text: Option<String>,
) -> Result<String, IpcError> {
    let (t, _) = shell.guard("reveal_my_number")?;
    let request = madoguchi_protocol::reveal::RevealRequest {
        purpose,
        purpose_text,
    };
    let n = t
        .counter
        .search()
        .reveal_my_number(resident_id, &request)
        .await?;
    Ok(n.reveal().to_owned())
}

/// 届出 submission: decided at once, queued with a 受付控, or refused with the union's reason.
#[tauri::command]
pub async fn submit(
    shell: State<'_, Shell>,
    form: NotificationForm,
) -> Result<Submitted, IpcError> {
    let (t, _) = shell.guard("submit")?;
    let notification = form.parse()?;
    Ok(t.counter.intake().submit(notification, today_jst()).await?)
}

/// 受付一覧: every queue item with its state.
#[tauri::command]
pub fn queue(shell: State<'_, Shell>) -> Result<Vec<QueueEntry>, IpcError> {
    let (t, _) = shell.guard("queue")?;
    Ok(t.counter.intake().queue()?)
}

/// 要対応: rejected and conflicting items with the union's reason.
#[tauri::command]
pub fn work_list(shell: State<'_, Shell>) -> Result<Vec<QueueEntry>, IpcError> {
    let (t, _) = shell.guard("work_list")?;
    Ok(t.counter.intake().work_list()?)
}

/// 再送: sends a work-list item again as it is (after the union's record was put right).
#[tauri::command]
pub fn retry(shell: State<'_, Shell>, seq: u64) -> Result<QueueEntry, IpcError> {
    let (t, _) = shell.guard("retry")?;
    Ok(t.counter.intake().retry(seq)?)
}

/// 訂正: a refused item opened for correction (the union's reason, the entries as typed).
#[tauri::command]
pub async fn correction(shell: State<'_, Shell>, seq: u64) -> Result<Correction, IpcError> {
    let (t, _) = shell.guard("correction")?;
    Ok(t.counter.intake().correction(seq).await?)
}

/// 訂正して再送: the corrected form of a refused item, as a new attempt linked to it.
#[tauri::command]
pub async fn correct(
    shell: State<'_, Shell>,
    seq: u64,
    form: NotificationForm,
) -> Result<Submitted, IpcError> {
    let (t, _) = shell.guard("correct")?;
    Ok(t.counter.intake().correct(seq, form).await?)
}

/// 完了: closes a 交付待ち entry with nothing to hand over (転出・死亡).
#[tauri::command]
pub async fn close_ready(shell: State<'_, Shell>, seq: u64) -> Result<(), IpcError> {
    let (t, _) = shell.guard("close_ready")?;
    Ok(t.counter.issuance().close_ready(seq).await?)
}

/// 取下げ: withdraws an item the union has not acknowledged (its payload is erased).
#[tauri::command]
pub fn withdraw(shell: State<'_, Shell>, seq: u64) -> Result<QueueEntry, IpcError> {
    let (t, _) = shell.guard("withdraw")?;
    Ok(t.counter.intake().withdraw(seq)?)
}

/// 交付待ち.
#[tauri::command]
pub fn ready_to_issue(shell: State<'_, Shell>) -> Result<Vec<ReadyToIssue>, IpcError> {
    let (t, _) = shell.guard("ready_to_issue")?;
    Ok(t.counter.issuance().ready_to_issue()?)
}

/// The print data of a document (for the confirmation screen).
#[tauri::command]
pub async fn document(
    shell: State<'_, Shell>,
    document_id: DocumentId,
) -> Result<DocumentData, IpcError> {
    let (t, _) = shell.guard("document")?;
    Ok(t.counter.issuance().document(document_id).await?)
}

/// プレビュー of a document to issue (kept for the print that follows).
#[tauri::command]
pub async fn preview_document(
    shell: State<'_, Shell>,
    document_id: DocumentId,
) -> Result<Preview, IpcError> {
    let (t, _) = shell.guard("preview_document")?;
    Ok(t.printing.preview_document(&t.counter, document_id).await?)
}

/// 印刷 of the previewed document; a reprint needs a reason and, where the union's policy says so, a
/// 監督者's consent (`madoguchi_application::PrintDesk::print_document`).
#[tauri::command]
pub async fn print_document(
    shell: State<'_, Shell>,
    document_id: DocumentId,
    reason: Option<ReprintReason>,
    supervisor: Option<SupervisorConsent>,
) -> Result<Printed, IpcError> {
    let (t, staff) = shell.guard("print_document")?;
    Ok(t.printing
        .print_document(&t.counter, &staff.user_id, document_id, reason, supervisor)
        .await?)
}

/// プレビュー of the 受付控 of a queued notification.
#[tauri::command]
pub fn preview_receipt(shell: State<'_, Shell>, seq: u64) -> Result<Preview, IpcError> {
    let (t, _) = shell.guard("preview_receipt")?;
    Ok(t.printing.preview_receipt(&t.counter, seq)?)
}

/// 受付控 to the printer (a second print of the same 受付控 is a reprint with a reason).
#[tauri::command]
pub async fn print_receipt(
    shell: State<'_, Shell>,
    seq: u64,
    reason: Option<ReprintReason>,
) -> Result<Printed, IpcError> {
    let (t, staff) = shell.guard("print_receipt")?;
    Ok(t.printing
        .print_receipt(&t.counter, &staff.user_id, seq, reason)
        .await?)
}

/// 交付 recorded (窓口 with 本人確認書類, or 郵送).
#[tauri::command]
pub async fn record_issuance(
    shell: State<'_, Shell>,
    form: IssuanceForm,
) -> Result<madoguchi_protocol::v1::DocumentSummary, IpcError> {
    let (t, _) = shell.guard("record_issuance")?;
    let req = form.parse()?;
    Ok(t.counter
        .issuance()
        .record_issuance(form.document_id, &req, form.seq)
        .await?)
}

/// 回収 of an old document.
#[derive(ts_rs::TS, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnForm {
    /// The document that came back.
    pub document_id: DocumentId,
}

/// 回収 recorded (once: a repeat answers the first record).
#[tauri::command]
pub async fn record_return(
    shell: State<'_, Shell>,
    form: ReturnForm,
) -> Result<ReturnRecorded, IpcError> {
    let (t, _) = shell.guard("record_return")?;
    Ok(t.counter
        .issuance()
        .record_return(
            form.document_id,
            &ReturnRequest {
                returned_on: today_jst(),
            },
        )
        .await?)
}
