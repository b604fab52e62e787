//! The 監督者's 配信承認 screen: the queue, proofs and the decision (over `madoguchi-counter`), and what an
//! approval unlocks — bulk printing with progress, pause and resume, the reconciliation report, the 宛名一覧
//! and the encrypted export (over `madoguchi_application::Batches`). Each command asks the access table
//! first; the union checks the role again, and the batch crate refuses anything whose content is not the
//! approved content.

use madoguchi_application::{
    BatchReportView, BatchStatus, ExportKind, Notify, SampleProof, TerminalErrorCode, WrittenFile,
};
use madoguchi_protocol::distribution::{
    ContentHash, Decision, DistributionId, DistributionSummary, LedgerEntry,
};
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::commands::Shell;
use crate::error::IpcError;

/// Tells the window that a run's status changed (the screen asks `batch_status` again).
fn notify<R: Runtime>(app: AppHandle<R>) -> Notify {
    std::sync::Arc::new(move || {
        let _ = app.emit("batch-progress", ());
    })
}

/// 配信承認: distributions released to this municipality.
#[tauri::command]
pub async fn distributions(shell: State<'_, Shell>) -> Result<Vec<DistributionSummary>, IpcError> {
    let (t, _) = shell.guard("distributions")?;
    Ok(t.counter.distributions().distribution_queue().await?)
}

/// 校正見本: the first, the last and random records, rendered exactly as the batch will print them.
#[tauri::command]
pub async fn distribution_samples(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<Vec<SampleProof>, IpcError> {
    let (t, _) = shell.guard("distribution_samples")?;
    Ok(t.batches
        .samples(&t.counter, &t.printing, distribution_id)
        .await?)
}

/// 承認 / 差戻し of the content the supervisor saw, with their password again.
#[tauri::command]
pub async fn decide_distribution(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    decision: String,
    reason: Option<String>,
    content_hash: String,
    password: String,
) -> Result<LedgerEntry, IpcError> {
    let (t, _) = shell.guard("decide_distribution")?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => {
            let reason = reason.map(|r| r.trim().to_owned()).unwrap_or_default();
            if reason.is_empty() {
                return Err(IpcError::new(
                    TerminalErrorCode::InvalidInput,
                    "差戻しの理由を入力してください。",
                ));
            }
            Decision::Reject { reason }
        }
        _ => {
            return Err(IpcError::new(
                TerminalErrorCode::InvalidInput,
                "承認または差戻しを選んでください。",
            ));
        }
    };
    let hash: ContentHash = content_hash.parse().map_err(|_| {
        IpcError::new(
            TerminalErrorCode::InvalidInput,
            "確認コードが正しくありません。一覧を更新してください。",
        )
    })?;
    Ok(t.counter
        .distributions()
        .decide_distribution(distribution_id, decision, &hash, &password)
        .await?)
}

/// Where the batch of a distribution is.
#[tauri::command]
pub async fn batch_status(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, _) = shell.guard("batch_status")?;
    Ok(t.batches.status(&t.counter, distribution_id).await?)
}

/// 印刷開始 (or 再開 after a restart): fetches the approved content if needed, starts the job and runs it.
#[tauri::command]
pub async fn batch_start<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, staff) = shell.guard("batch_start")?;
    Ok(t.batches
        .start(&t.counter, distribution_id, &staff.user_id, notify(app))
        .await?)
}

/// 一時停止: takes effect before the next chunk (the chunk being spooled is finished first).
#[tauri::command]
pub async fn batch_pause(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, _) = shell.guard("batch_pause")?;
    Ok(t.batches.pause(distribution_id)?)
}

/// 続きから再開: from exactly the next record, after a pause, a stop or a restart of the app.
#[tauri::command]
pub async fn batch_resume<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, staff) = shell.guard("batch_resume")?;
    Ok(t.batches
        .start(&t.counter, distribution_id, &staff.user_id, notify(app))
        .await?)
}

/// 照合結果 (reconciliation report) of the batch so far.
#[tauri::command]
pub async fn batch_report(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchReportView, IpcError> {
    let (t, _) = shell.guard("batch_report")?;
    Ok(t.batches.report(distribution_id)?)
}

/// 宛名一覧 to the medium, encrypted with the password the supervisor sets.
#[tauri::command]
pub async fn mailing_list(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    password: String,
) -> Result<WrittenFile, IpcError> {
    let (t, staff) = shell.guard("mailing_list")?;
    Ok(t.batches
        .export(
            &t.counter,
            distribution_id,
            ExportKind::MailingList,
            &password,
            &staff.user_id,
            &t.export_dir,
        )
        .await?)
}

/// 媒体出力 of an approved file distribution, encrypted with the password the supervisor sets.
#[tauri::command]
pub async fn export_distribution(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    password: String,
) -> Result<WrittenFile, IpcError> {
    let (t, staff) = shell.guard("export_distribution")?;
    Ok(t.batches
        .export(
            &t.counter,
            distribution_id,
            ExportKind::File,
            &password,
            &staff.user_id,
            &t.export_dir,
        )
        .await?)
}

/// 再印刷 of a range of printed records (汚損・紙詰まり …) with a reason: counted in the 照合結果 and
/// recorded in the audit chain.
#[tauri::command]
pub async fn batch_reprint(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    first: u32,
    last: u32,
    reason: String,
) -> Result<BatchReportView, IpcError> {
    let (t, staff) = shell.guard("batch_reprint")?;
    Ok(t.batches
        .reprint(
            &t.counter,
            distribution_id,
            first,
            last,
            &reason,
            &staff.user_id,
        )
        .await?)
}

/// 照合結果を印刷: the reconciliation report on paper, for the 決裁 file.
#[tauri::command]
pub async fn batch_print_report(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<String, IpcError> {
    let (t, _) = shell.guard("batch_print_report")?;
    Ok(t.batches.print_report(&t.counter, distribution_id).await?)
}
