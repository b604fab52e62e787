//! The 監督者's 配信承認 screen: the queue, proofs and the decision (over `madoguchi-counter`), and what an
//! approval unlocks — bulk printing with progress, pause and resume, the reconciliation report, the 宛名一覧
//! and the encrypted export (over `madoguchi-batch`). Each command asks the access table first; the union
//! checks the role again, and the batch crate refuses anything whose content is not the approved content.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use madoguchi_batch::{
    ApprovedDistribution, BatchControl, BatchError, BatchLayouts, BatchPrinter, BatchSettings,
    EncryptedExport, ExportPassword, Progress, RunOutcome, RunState, export_encrypted,
    export_mailing_list, render_proof,
};
use madoguchi_print::{CupsLp, PrinterMap, QueueName, Renderer, StaffId};
use madoguchi_protocol::distribution::{
    ContentHash, Decision, DistributionId, DistributionRecord, DistributionSummary, LedgerEntry,
    RecordPayload,
};
use madoguchi_vault::Vault;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::commands::{Preview, Shell};
use crate::error::IpcError;
use crate::terminal::Terminal;

/// Bulk printing on this terminal, and the runs in progress.
pub struct Batches {
    printer: Arc<BatchPrinter>,
    renderer: Arc<Renderer>,
    layouts: BatchLayouts,
    training: bool,
    runs: Mutex<HashMap<DistributionId, Run>>,
}

/// One distribution's run, as long as the app lives.
struct Run {
    dist: Arc<ApprovedDistribution>,
    control: BatchControl,
    status: Arc<Mutex<BatchStatus>>,
    running: bool,
}

impl Batches {
    /// Bulk printing to `queue` (every paper), with the vault keeping each job's state.
    pub fn new(
        vault: Vault,
        renderer: Arc<Renderer>,
        queue: &str,
        training: bool,
    ) -> Result<Self, IpcError> {
        let queue = QueueName::parse(queue)?;
        let layouts = BatchLayouts::default();
        let printer = BatchPrinter::new(
            vault,
            renderer.clone(),
            Arc::new(CupsLp::new()),
            PrinterMap {
                card: Some(queue.clone()),
                a4: Some(queue),
            },
            layouts.clone(),
            training,
        );
        Ok(Batches {
            printer: Arc::new(printer),
            renderer,
            layouts,
            training,
            runs: Mutex::new(HashMap::new()),
        })
    }
}

/// Where a batch is, for the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchStatus {
    /// `not_started`, `fetching`, `running`, `paused`, `stopped`, `finished`.
    pub state: &'static str,
    /// Records spooled.
    pub records_done: u32,
    /// Records approved.
    pub records_total: u32,
    /// Pages spooled.
    pub pages_spooled: u32,
    /// Why it stopped, or what it is doing, in Japanese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_ja: Option<String>,
}

impl BatchStatus {
    fn of(p: &Progress, running: bool) -> Self {
        BatchStatus {
            state: match p.state {
                RunState::Completed => "finished",
                // A job found half done after a restart waits for 「続きから再開」.
                RunState::Running if running => "running",
                RunState::Running | RunState::Paused => "paused",
            },
            records_done: p.records_done,
            records_total: p.records_total,
            pages_spooled: p.pages_spooled,
            message_ja: None,
        }
    }
}

/// One proof for the screen.
#[derive(Debug, Clone, Serialize)]
pub struct SampleProof {
    seq: u32,
    position_ja: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preview: Option<Preview>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<Vec<Row>>,
}

/// A label and a value, for rows of file distributions and the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    label: String,
    value: String,
}

fn row(label: &str, value: impl Into<String>) -> Row {
    Row {
        label: label.to_owned(),
        value: value.into(),
    }
}

/// A file written to the export directory.
#[derive(Debug, Clone, Serialize)]
pub struct WrittenFile {
    path: String,
    records: u32,
}

/// The reconciliation report as lines.
#[derive(Debug, Clone, Serialize)]
pub struct BatchReportView {
    lines: Vec<Row>,
}

fn batch_error(e: BatchError) -> IpcError {
    tracing::warn!(error = %e, "bulk work stopped");
    IpcError::new("batch", e.message_ja())
}

fn file_rows(r: &DistributionRecord) -> Option<Vec<Row>> {
    match &r.payload {
        RecordPayload::QualificationRow(q) => Some(vec![
            row("被保険者番号", q.insured_number.as_str()),
            row("氏名カナ", q.kana.as_str()),
            row("生年月日", madoguchi_print::documents::wareki(q.birth_date)),
            row(
                "資格取得年月日",
                madoguchi_print::documents::wareki(q.acquired_on),
            ),
            row("一部負担金の割合", q.burden_ratio.label_ja()),
        ]),
        RecordPayload::PremiumRow(p) => Some(vec![
            row("被保険者番号", p.insured_number.as_str()),
            row(
                "年度",
                madoguchi_print::documents::fiscal_year_ja(p.fiscal_year),
            ),
            row("年間保険料額", format!("{}円", p.annual_premium.grouped())),
        ]),
        _ => None,
    }
}

/// 配信承認: distributions released to this municipality.
#[tauri::command]
pub async fn distributions(shell: State<'_, Shell>) -> Result<Vec<DistributionSummary>, IpcError> {
    let (t, _) = shell.guard("distributions")?;
    Ok(t.counter.distribution_queue().await?)
}

/// 校正見本: the first, the last and random records, rendered exactly as the batch will print them.
#[tauri::command]
pub async fn distribution_samples(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<Vec<SampleProof>, IpcError> {
    let (t, _) = shell.guard("distribution_samples")?;
    let samples = t.counter.distribution_samples(distribution_id).await?;
    let last = samples.records.iter().map(|r| r.seq).max().unwrap_or(0);
    let mut out = Vec::with_capacity(samples.records.len());
    for r in &samples.records {
        let position_ja = if r.seq == 1 {
            "先頭"
        } else if r.seq == last {
            "末尾"
        } else {
            "無作為抽出"
        };
        let rows = file_rows(r);
        let preview = if rows.is_none() {
            let doc = render_proof(
                &t.batches.renderer,
                &t.batches.layouts,
                r,
                &samples.content_hash,
                t.batches.training,
            )
            .map_err(batch_error)?;
            match doc {
                Some(d) => Some(crate::commands::preview_of(&t, &d)?),
                None => None,
            }
        } else {
            None
        };
        out.push(SampleProof {
            seq: r.seq,
            position_ja,
            preview,
            rows,
        });
    }
    Ok(out)
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
                    "invalid_input",
                    "差戻しの理由を入力してください。",
                ));
            }
            Decision::Reject { reason }
        }
        _ => {
            return Err(IpcError::new(
                "invalid_input",
                "承認または差戻しを選んでください。",
            ));
        }
    };
    let hash: ContentHash = content_hash.parse().map_err(|_| {
        IpcError::new(
            "invalid_input",
            "確認コードが正しくありません。一覧を更新してください。",
        )
    })?;
    Ok(t.counter
        .decide_distribution(distribution_id, decision, &hash, &password)
        .await?)
}

/// The approved content from the vault (fetched first when needed), checked against the approval.
async fn approved<R: Runtime>(
    app: &AppHandle<R>,
    t: &Terminal,
    id: DistributionId,
    status: &Arc<Mutex<BatchStatus>>,
) -> Result<Arc<ApprovedDistribution>, IpcError> {
    let summary = t.counter.distribution_summary(id).await?;
    let progress_status = status.clone();
    let app_for_progress = app.clone();
    t.counter
        .fetch_approved(id, move |p| {
            if let Ok(mut s) = progress_status.lock() {
                s.state = "fetching";
                s.records_total = p.total;
                s.message_ja = Some(format!(
                    "配信データを取得しています（{} / {}件）",
                    p.fetched, p.total
                ));
            }
            let _ = app_for_progress.emit("batch-progress", ());
        })
        .await?;
    let (approval, records) = t.counter.approved_content(id)?;
    let dist = ApprovedDistribution::verify(summary.kind, summary.mail_class, approval, records)
        .map_err(batch_error)?;
    Ok(Arc::new(dist))
}

/// Runs (or resumes) the batch on a blocking thread; progress goes to `status` and the window.
fn spawn_run<R: Runtime>(app: AppHandle<R>, t: Arc<Terminal>, id: DistributionId) {
    let Some((dist, control, status)) = t.batches.runs.lock().ok().and_then(|mut runs| {
        let run = runs.get_mut(&id)?;
        if run.running {
            return None;
        }
        run.running = true;
        Some((run.dist.clone(), run.control.clone(), run.status.clone()))
    }) else {
        return;
    };
    let printer = t.batches.printer.clone();
    tauri::async_runtime::spawn(async move {
        let run_status = status.clone();
        let run_app = app.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            printer.run(&dist, &control, &mut |p| {
                if let Ok(mut s) = run_status.lock() {
                    *s = BatchStatus::of(p, true);
                }
                let _ = run_app.emit("batch-progress", ());
            })
        })
        .await;
        let failure = match outcome {
            Ok(Ok(RunOutcome::Completed(report))) => {
                if let Ok(mut s) = status.lock() {
                    s.state = "finished";
                    s.records_done = report.records_spooled;
                    s.pages_spooled = report.pages_spooled;
                    s.message_ja = None;
                }
                None
            }
            Ok(Ok(RunOutcome::Paused(p))) => {
                if let Ok(mut s) = status.lock() {
                    *s = BatchStatus::of(&p, false);
                }
                None
            }
            Ok(Err(e)) => {
                let message = e.message_ja();
                tracing::warn!(error = %e, "bulk print stopped");
                if let Ok(mut s) = status.lock() {
                    s.state = "stopped";
                    s.message_ja = Some(message);
                }
                Some("batch_stopped")
            }
            Err(e) => {
                tracing::error!(error = %e, "bulk print task failed");
                if let Ok(mut s) = status.lock() {
                    s.state = "stopped";
                    s.message_ja = Some(
                        "一括印刷が中断しました。「続きから再開」で次の通し番号から続けます。"
                            .into(),
                    );
                }
                Some("batch_failed")
            }
        };
        if let Ok(mut runs) = t.batches.runs.lock()
            && let Some(run) = runs.get_mut(&id)
        {
            run.running = false;
        }
        // Each run (done, paused or stopped) is one entry in the terminal's audit chain.
        let (done, total) = status
            .lock()
            .map(|s| (s.records_done, s.records_total))
            .unwrap_or_default();
        if let Err(e) = t
            .counter
            .record_print(format!("distribution:{id} batch:{done}/{total}"), failure)
            .await
        {
            tracing::error!(error = %e, "bulk print not recorded in the audit chain");
        }
        let _ = app.emit("batch-progress", ());
    });
}

fn status_of(t: &Terminal, id: DistributionId) -> Option<BatchStatus> {
    let runs = t.batches.runs.lock().ok()?;
    let run = runs.get(&id)?;
    run.status.lock().ok().map(|s| s.clone())
}

/// Where the batch of a distribution is.
#[tauri::command]
pub async fn batch_status(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, _) = shell.guard("batch_status")?;
    if let Some(s) = status_of(&t, distribution_id) {
        return Ok(s);
    }
    // Not run since the app started: what the vault knows (a job interrupted by a crash shows as paused).
    let info = t
        .counter
        .approved_distributions()?
        .into_iter()
        .find(|i| i.distribution_id == distribution_id);
    if info.is_some() {
        let summary = t.counter.distribution_summary(distribution_id).await?;
        let (approval, records) = t.counter.approved_content(distribution_id)?;
        let dist =
            ApprovedDistribution::verify(summary.kind, summary.mail_class, approval, records)
                .map_err(batch_error)?;
        if let Some(p) = t.batches.printer.progress(&dist).map_err(batch_error)? {
            return Ok(BatchStatus::of(&p, false));
        }
    }
    let total = match info {
        Some(i) => i.record_count,
        None => {
            t.counter
                .distribution_summary(distribution_id)
                .await?
                .record_count
        }
    };
    Ok(BatchStatus {
        state: "not_started",
        records_done: 0,
        records_total: total,
        pages_spooled: 0,
        message_ja: None,
    })
}

/// 印刷開始 (or 再開 after a restart): fetches the approved content if needed, starts the job and runs it.
#[tauri::command]
pub async fn batch_start<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, staff) = shell.guard("batch_start")?;
    let status = Arc::new(Mutex::new(BatchStatus {
        state: "fetching",
        records_done: 0,
        records_total: 0,
        pages_spooled: 0,
        message_ja: None,
    }));
    let existing = t
        .batches
        .runs
        .lock()
        .ok()
        .and_then(|r| r.get(&distribution_id).map(|run| run.dist.clone()));
    let dist = match existing {
        Some(d) => d,
        None => approved(&app, &t, distribution_id, &status).await?,
    };
    let staff_id = StaffId::parse(&staff.user_id)?;
    let progress = t
        .batches
        .printer
        .start(&dist, &staff_id, BatchSettings::default())
        .map_err(batch_error)?;
    *status
        .lock()
        .map_err(|_| IpcError::new("batch", "状態を更新できません。"))? =
        BatchStatus::of(&progress, true);
    if let Ok(mut runs) = t.batches.runs.lock() {
        let run = runs.entry(distribution_id).or_insert_with(|| Run {
            dist: dist.clone(),
            control: BatchControl::new(),
            status: status.clone(),
            running: false,
        });
        // A run kept from before (paused or stopped) shows where the job stands now.
        if let Ok(mut s) = run.status.lock() {
            *s = BatchStatus::of(&progress, true);
        }
        run.control.resume();
    }
    spawn_run(app, t.clone(), distribution_id);
    Ok(status_of(&t, distribution_id).unwrap_or_else(|| BatchStatus::of(&progress, true)))
}

/// 一時停止: takes effect before the next chunk (the chunk being spooled is finished first).
#[tauri::command]
pub async fn batch_pause(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    let (t, _) = shell.guard("batch_pause")?;
    let runs = t
        .batches
        .runs
        .lock()
        .map_err(|_| IpcError::new("batch", "状態を確認できません。"))?;
    let run = runs
        .get(&distribution_id)
        .ok_or_else(|| IpcError::new("batch", "この配信は印刷中ではありません。"))?;
    run.control.pause();
    let mut s = run
        .status
        .lock()
        .map_err(|_| IpcError::new("batch", "状態を確認できません。"))?
        .clone();
    if s.state == "running" {
        s.message_ja = Some("印刷中の束を終えてから一時停止します。".into());
    }
    Ok(s)
}

/// 続きから再開: from exactly the next record, after a pause, a stop or a restart of the app.
#[tauri::command]
pub async fn batch_resume<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchStatus, IpcError> {
    shell.guard("batch_resume")?;
    batch_start(app, shell, distribution_id).await
}

fn report_lines(r: &madoguchi_batch::ReconciliationReport) -> Vec<Row> {
    let mut lines = vec![
        row("配信", r.kind_ja.clone()),
        row("確認コード", r.content_code.clone()),
        row("承認者", r.approver.clone()),
        row("件数（承認）", format!("{}件", r.records_total)),
        row("件数（印刷）", format!("{}件", r.records_spooled)),
        row("ページ数", format!("{}ページ", r.pages_spooled)),
        row("印刷ジョブ数", format!("{}件", r.chunks)),
        row(
            "照合番号",
            format!("{} 〜 {}", r.first_control_number, r.last_control_number),
        ),
        row(
            "再印刷",
            format!("{}件（{}ページ）", r.reprints.len(), r.reprint_pages),
        ),
        row(
            "照合結果",
            if r.complete {
                "全件を一度ずつ、通し番号順に印刷しました"
            } else {
                "未完了（続きから再開してください）"
            },
        ),
    ];
    for (i, rp) in r.reprints.iter().enumerate() {
        lines.push(row(
            &format!("再印刷{}", i + 1),
            format!(
                "{}〜{}番（{}ページ）理由: {}（{}）",
                rp.first_seq, rp.last_seq, rp.pages, rp.reason, rp.requested_by
            ),
        ));
    }
    lines
}

/// 照合結果 (reconciliation report) of the batch so far.
#[tauri::command]
pub async fn batch_report(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<BatchReportView, IpcError> {
    let (t, _) = shell.guard("batch_report")?;
    let dist = run_of(&t, distribution_id)?;
    let report = t.batches.printer.report(&dist).map_err(batch_error)?;
    Ok(BatchReportView {
        lines: report_lines(&report),
    })
}

fn write_export(dir: &Path, export: &EncryptedExport) -> Result<String, IpcError> {
    let fail = |e: std::io::Error| {
        tracing::error!(error = %e, "export file not written");
        IpcError::new(
            "export_failed",
            "出力先に書き込めませんでした。出力先の媒体を確認してください。",
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let path = dir.join(&export.file_name);
    std::fs::write(&path, &export.bytes).map_err(fail)?;
    Ok(path.display().to_string())
}

async fn export_with<F>(
    t: &Terminal,
    staff_user: &str,
    distribution_id: DistributionId,
    password: &str,
    what: &str,
    make: F,
) -> Result<WrittenFile, IpcError>
where
    F: FnOnce(&ApprovedDistribution, &ExportPassword, &str) -> Result<EncryptedExport, BatchError>,
{
    let password = ExportPassword::new(password).map_err(batch_error)?;
    let summary = t.counter.distribution_summary(distribution_id).await?;
    let (approval, records) = match t.counter.approved_content(distribution_id) {
        Ok(c) => c,
        Err(_) => {
            t.counter.fetch_approved(distribution_id, |_| {}).await?;
            t.counter.approved_content(distribution_id)?
        }
    };
    let dist = ApprovedDistribution::verify(summary.kind, summary.mail_class, approval, records)
        .map_err(batch_error)?;
    let target = format!("distribution:{distribution_id} {what}");
    let result = make(&dist, &password, staff_user)
        .map_err(batch_error)
        .and_then(|export| {
            let path = write_export(&t.export_dir, &export)?;
            Ok((
                path,
                export.record.record_count,
                export.record.encrypted_sha256,
            ))
        });
    let (path, records, sha) = match result {
        Ok(ok) => ok,
        Err(e) => {
            t.counter.record_export(target, Some(&e.code)).await?;
            return Err(e);
        }
    };
    t.counter
        .record_export(format!("{target} sha256:{}", &sha[..16]), None)
        .await?;
    Ok(WrittenFile { path, records })
}

/// 宛名一覧 to the medium, encrypted with the password the supervisor sets.
#[tauri::command]
pub async fn mailing_list(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    password: String,
) -> Result<WrittenFile, IpcError> {
    let (t, staff) = shell.guard("mailing_list")?;
    export_with(
        &t,
        &staff.user_id,
        distribution_id,
        &password,
        "mailing-list",
        export_mailing_list,
    )
    .await
}

/// 媒体出力 of an approved file distribution, encrypted with the password the supervisor sets.
#[tauri::command]
pub async fn export_distribution(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    password: String,
) -> Result<WrittenFile, IpcError> {
    let (t, staff) = shell.guard("export_distribution")?;
    export_with(
        &t,
        &staff.user_id,
        distribution_id,
        &password,
        "file",
        export_encrypted,
    )
    .await
}

fn run_of(t: &Terminal, id: DistributionId) -> Result<Arc<ApprovedDistribution>, IpcError> {
    t.batches
        .runs
        .lock()
        .ok()
        .and_then(|r| r.get(&id).map(|run| run.dist.clone()))
        .ok_or_else(|| IpcError::new("batch", "この配信の印刷記録がありません。"))
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
    let reason = madoguchi_domain::ReprintReason::other(&reason).map_err(|_| {
        IpcError::new(
            "reprint_reason_required",
            "再印刷の理由を200文字以内で入力してください。",
        )
    })?;
    let dist = run_of(&t, distribution_id)?;
    let staff_id = StaffId::parse(&staff.user_id)?;
    let printer = t.batches.printer.clone();
    let run_dist = dist.clone();
    let result = tokio::task::spawn_blocking(move || {
        printer.reprint(&run_dist, first, last, reason, &staff_id)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reprint task failed");
        IpcError::new(
            "batch",
            "再印刷を完了できませんでした。照合結果を確認してください。",
        )
    })?;
    let target = format!("distribution:{distribution_id} reprint:{first}-{last}");
    match result {
        Ok(_) => t.counter.record_print(target, None).await?,
        Err(e) => {
            t.counter
                .record_print(target, Some("batch_reprint_failed"))
                .await?;
            return Err(batch_error(e));
        }
    }
    let report = t.batches.printer.report(&dist).map_err(batch_error)?;
    Ok(BatchReportView {
        lines: report_lines(&report),
    })
}

/// 照合結果を印刷: the reconciliation report on paper, for the 決裁 file.
#[tauri::command]
pub async fn batch_print_report(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
) -> Result<String, IpcError> {
    let (t, _) = shell.guard("batch_print_report")?;
    let dist = run_of(&t, distribution_id)?;
    let job = t.batches.printer.print_report(&dist).map_err(batch_error)?;
    t.counter
        .record_print(format!("distribution:{distribution_id} report"), None)
        .await?;
    Ok(job.0)
}
