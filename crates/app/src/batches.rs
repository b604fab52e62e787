//! Distributions (配信) after the 監督者's decision: proofs rendered exactly as the batch prints them, the
//! bulk-print runs of this terminal (a registry with a typed status: fetching, running, paused, stopped,
//! finished), the reconciliation report, reprints of damaged pages, the 宛名一覧 and the encrypted export.
//! Everything is recorded in the terminal's audit chain; the batch crate refuses anything whose content
//! is not the approved content.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use madoguchi_batch::{
    ApprovedDistribution, BatchControl, BatchError, BatchLayouts, BatchPrinter, BatchSettings,
    EncryptedExport, ExportPassword, Progress, ReconciliationReport, RunOutcome, RunState,
    export_encrypted, export_mailing_list, render_proof,
};
use madoguchi_counter::Counter;
use madoguchi_print::{CupsLp, PrinterMap, QueueName, Renderer, StaffId};
use madoguchi_protocol::distribution::{DistributionId, DistributionRecord, RecordPayload};
use madoguchi_vault::Vault;
use serde::Serialize;

use crate::error::{AppError, TerminalErrorCode};
use crate::print_desk::{Preview, PrintDesk};

/// Called whenever a run's status changed (the shell tells the window).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// Where a distribution's bulk print is.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Not started on this terminal.
    NotStarted,
    /// The approved content is being fetched.
    Fetching,
    /// Spooling.
    Running,
    /// Paused (by staff, or found half done after a restart: 「続きから再開」).
    Paused,
    /// Stopped by an error; resumes from the next record.
    Stopped,
    /// Every record printed once.
    Finished,
}

/// Where a batch is, for the screen.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchStatus {
    /// The state.
    pub state: BatchState,
    /// Records spooled.
    pub records_done: u32,
    /// Records approved.
    pub records_total: u32,
    /// Pages spooled.
    pub pages_spooled: u32,
    /// Why it stopped, or what it is doing, in Japanese.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub message_ja: Option<String>,
}

impl BatchStatus {
    fn of(p: &Progress, running: bool) -> Self {
        BatchStatus {
            state: match p.state {
                RunState::Completed => BatchState::Finished,
                // A job found half done after a restart waits for 「続きから再開」.
                RunState::Running if running => BatchState::Running,
                RunState::Running | RunState::Paused => BatchState::Paused,
            },
            records_done: p.records_done,
            records_total: p.records_total,
            pages_spooled: p.pages_spooled,
            message_ja: None,
        }
    }

    fn fresh(state: BatchState, records_total: u32) -> Self {
        BatchStatus {
            state,
            records_done: 0,
            records_total,
            pages_spooled: 0,
            message_ja: None,
        }
    }
}

/// One proof for the screen.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct SampleProof {
    seq: u32,
    position_ja: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    preview: Option<Preview>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    rows: Option<Vec<Row>>,
}

/// A label and a value, for rows of file distributions and the report.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
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
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct WrittenFile {
    path: String,
    records: u32,
}

/// The reconciliation report as lines.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct BatchReportView {
    lines: Vec<Row>,
}

/// One distribution's run, as long as the app lives.
struct Run {
    dist: Arc<ApprovedDistribution>,
    control: BatchControl,
    status: Arc<Mutex<BatchStatus>>,
    running: bool,
}

/// Bulk printing on this terminal, and the runs in progress.
pub struct Batches {
    printer: Arc<BatchPrinter>,
    renderer: Arc<Renderer>,
    layouts: BatchLayouts,
    training: bool,
    runs: Mutex<HashMap<DistributionId, Run>>,
}

fn file_rows(r: &DistributionRecord) -> Option<Vec<Row>> {
    use madoguchi_print::documents::{fiscal_year_ja, wareki};
    match &r.payload {
        RecordPayload::QualificationRow(q) => Some(vec![
            row("被保険者番号", q.insured_number.as_str()),
            row("氏名カナ", q.kana.as_str()),
            row("生年月日", wareki(q.birth_date)),
            row("資格取得年月日", wareki(q.acquired_on)),
            row("一部負担金の割合", q.burden_ratio.label_ja()),
        ]),
        RecordPayload::PremiumRow(p) => Some(vec![
            row("被保険者番号", p.insured_number.as_str()),
            row("年度", fiscal_year_ja(p.fiscal_year)),
            row("年間保険料額", format!("{}円", p.annual_premium.grouped())),
        ]),
        _ => None,
    }
}

fn report_lines(r: &ReconciliationReport) -> BatchReportView {
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
    BatchReportView { lines }
}

fn write_export(dir: &Path, export: &EncryptedExport) -> Result<String, AppError> {
    let fail = |e: std::io::Error| {
        tracing::error!(error = %e, "export file not written");
        AppError::new(
            TerminalErrorCode::ExportFailed,
            "出力先に書き込めませんでした。出力先の媒体を確認してください。",
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let path = dir.join(&export.file_name);
    std::fs::write(&path, &export.bytes).map_err(fail)?;
    Ok(path.display().to_string())
}

/// What is exported to a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// 宛名一覧 of a printed distribution.
    MailingList,
    /// 媒体出力 of a file distribution.
    File,
}

impl Batches {
    /// Bulk printing to `queue` (every paper), with the vault keeping each job's state.
    pub fn new(
        vault: Vault,
        renderer: Arc<Renderer>,
        queue: &str,
        training: bool,
    ) -> Result<Self, AppError> {
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

    /// 校正見本: the first, the last and random records, rendered exactly as the batch will print them
    /// (file distributions as rows).
    pub async fn samples(
        &self,
        counter: &Counter,
        desk: &PrintDesk,
        id: DistributionId,
    ) -> Result<Vec<SampleProof>, AppError> {
        let samples = counter.distributions().distribution_samples(id).await?;
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
            let preview = match rows {
                Some(_) => None,
                None => render_proof(
                    &self.renderer,
                    &self.layouts,
                    r,
                    &samples.content_hash,
                    self.training,
                )?
                .map(|d| desk.preview(&d))
                .transpose()?,
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

    /// The approved content from the vault (fetched first when needed), checked against the approval.
    async fn approved(
        counter: &Counter,
        id: DistributionId,
        status: &Arc<Mutex<BatchStatus>>,
        notify: &Notify,
    ) -> Result<Arc<ApprovedDistribution>, AppError> {
        let summary = counter.distributions().distribution_summary(id).await?;
        let progress_status = status.clone();
        let progress_notify = notify.clone();
        counter
            .distributions()
            .fetch_approved(id, move |p| {
                if let Ok(mut s) = progress_status.lock() {
                    s.state = BatchState::Fetching;
                    s.records_total = p.total;
                    s.message_ja = Some(format!(
                        "配信データを取得しています（{} / {}件）",
                        p.fetched, p.total
                    ));
                }
                progress_notify();
            })
            .await?;
        let (approval, records) = counter.distributions().approved_content(id)?;
        let dist =
            ApprovedDistribution::verify(summary.kind, summary.mail_class, approval, records)?;
        Ok(Arc::new(dist))
    }

    fn status_of(&self, id: DistributionId) -> Option<BatchStatus> {
        let runs = self.runs.lock().ok()?;
        let run = runs.get(&id)?;
        run.status.lock().ok().map(|s| s.clone())
    }

    fn run_of(&self, id: DistributionId) -> Result<Arc<ApprovedDistribution>, AppError> {
        self.runs
            .lock()
            .ok()
            .and_then(|r| r.get(&id).map(|run| run.dist.clone()))
            .ok_or_else(|| {
                AppError::new(TerminalErrorCode::Batch, "この配信の印刷記録がありません。")
            })
    }

    /// Where the batch of a distribution is: the run of this app, or what the vault knows (a job
    /// interrupted by a crash shows as paused), or not started.
    pub async fn status(
        &self,
        counter: &Counter,
        id: DistributionId,
    ) -> Result<BatchStatus, AppError> {
        if let Some(s) = self.status_of(id) {
            return Ok(s);
        }
        let info = counter
            .distributions()
            .approved_distributions()?
            .into_iter()
            .find(|i| i.distribution_id == id);
        if info.is_some() {
            let summary = counter.distributions().distribution_summary(id).await?;
            let (approval, records) = counter.distributions().approved_content(id)?;
            let dist =
                ApprovedDistribution::verify(summary.kind, summary.mail_class, approval, records)?;
            if let Some(p) = self.printer.progress(&dist)? {
                return Ok(BatchStatus::of(&p, false));
            }
        }
        let total = match info {
            Some(i) => i.record_count,
            None => {
                counter
                    .distributions()
                    .distribution_summary(id)
                    .await?
                    .record_count
            }
        };
        Ok(BatchStatus::fresh(BatchState::NotStarted, total))
    }

    /// 印刷開始 (or 再開 after a pause, a stop or a restart): fetches the approved content if needed,
    /// starts the job and runs it in the background, from exactly the next record.
    pub async fn start(
        self: &Arc<Self>,
        counter: &Counter,
        id: DistributionId,
        staff_user: &str,
        notify: Notify,
    ) -> Result<BatchStatus, AppError> {
        let status = Arc::new(Mutex::new(BatchStatus::fresh(BatchState::Fetching, 0)));
        let existing = self
            .runs
            .lock()
            .ok()
            .and_then(|r| r.get(&id).map(|run| run.dist.clone()));
        let dist = match existing {
            Some(d) => d,
            None => Self::approved(counter, id, &status, &notify).await?,
        };
        let staff_id = StaffId::parse(staff_user)?;
        let progress = self
            .printer
            .start(&dist, &staff_id, BatchSettings::default())?;
        *status
            .lock()
            .map_err(|_| AppError::new(TerminalErrorCode::Batch, "状態を更新できません。"))? =
            BatchStatus::of(&progress, true);
        if let Ok(mut runs) = self.runs.lock() {
            let run = runs.entry(id).or_insert_with(|| Run {
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
        self.spawn_run(counter.clone(), id, notify);
        Ok(self
            .status_of(id)
            .unwrap_or_else(|| BatchStatus::of(&progress, true)))
    }

    /// Runs (or resumes) the batch on a blocking thread; progress goes to the run's status.
    fn spawn_run(self: &Arc<Self>, counter: Counter, id: DistributionId, notify: Notify) {
        let Some((dist, control, status)) = self.runs.lock().ok().and_then(|mut runs| {
            let run = runs.get_mut(&id)?;
            if run.running {
                return None;
            }
            run.running = true;
            Some((run.dist.clone(), run.control.clone(), run.status.clone()))
        }) else {
            return;
        };
        let batches = self.clone();
        tokio::spawn(async move {
            let printer = batches.printer.clone();
            let run_status = status.clone();
            let run_notify = notify.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                printer.run(&dist, &control, &mut |p| {
                    if let Ok(mut s) = run_status.lock() {
                        *s = BatchStatus::of(p, true);
                    }
                    run_notify();
                })
            })
            .await;
            let failure = finish(&status, outcome);
            if let Ok(mut runs) = batches.runs.lock()
                && let Some(run) = runs.get_mut(&id)
            {
                run.running = false;
            }
            // Each run (done, paused or stopped) is one entry in the terminal's audit chain.
            let (done, total) = status
                .lock()
                .map(|s| (s.records_done, s.records_total))
                .unwrap_or_default();
            if let Err(e) = counter
                .issuance()
                .record_print(format!("distribution:{id} batch:{done}/{total}"), failure)
                .await
            {
                tracing::error!(error = %e, "bulk print not recorded in the audit chain");
            }
            notify();
        });
    }

    /// 一時停止: takes effect before the next chunk (the chunk being spooled is finished first).
    pub fn pause(&self, id: DistributionId) -> Result<BatchStatus, AppError> {
        let runs = self
            .runs
            .lock()
            .map_err(|_| AppError::new(TerminalErrorCode::Batch, "状態を確認できません。"))?;
        let run = runs.get(&id).ok_or_else(|| {
            AppError::new(TerminalErrorCode::Batch, "この配信は印刷中ではありません。")
        })?;
        run.control.pause();
        let mut s = run
            .status
            .lock()
            .map_err(|_| AppError::new(TerminalErrorCode::Batch, "状態を確認できません。"))?
            .clone();
        if s.state == BatchState::Running {
            s.message_ja = Some("印刷中の束を終えてから一時停止します。".into());
        }
        Ok(s)
    }

    /// 照合結果 (reconciliation report) of the batch so far.
    pub fn report(&self, id: DistributionId) -> Result<BatchReportView, AppError> {
        let dist = self.run_of(id)?;
        Ok(report_lines(&self.printer.report(&dist)?))
    }

    /// 再印刷 of a range of printed records (汚損・紙詰まり …) with the supervisor's reason in words:
    /// counted in the 照合結果 and recorded in the audit chain.
    pub async fn reprint(
        &self,
        counter: &Counter,
        id: DistributionId,
        first: u32,
        last: u32,
        reason: &str,
        staff_user: &str,
    ) -> Result<BatchReportView, AppError> {
        let reason = madoguchi_domain::ReprintReason::other(reason).map_err(|_| {
            AppError::new(
                TerminalErrorCode::ReprintReasonRequired,
                "再印刷の理由を200文字以内で入力してください。",
            )
        })?;
        let dist = self.run_of(id)?;
        let staff_id = StaffId::parse(staff_user)?;
        let printer = self.printer.clone();
        let run_dist = dist.clone();
        let result = tokio::task::spawn_blocking(move || {
            printer.reprint(&run_dist, first, last, reason, &staff_id)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reprint task failed");
            AppError::new(
                TerminalErrorCode::Batch,
                "再印刷を完了できませんでした。照合結果を確認してください。",
            )
        })?;
        let target = format!("distribution:{id} reprint:{first}-{last}");
        match result {
            Ok(_) => counter.issuance().record_print(target, None).await?,
            Err(e) => {
                counter
                    .issuance()
                    .record_print(target, Some("batch_reprint_failed"))
                    .await?;
                return Err(e.into());
            }
        }
        Ok(report_lines(&self.printer.report(&dist)?))
    }

    /// 照合結果を印刷: the reconciliation report on paper, for the 決裁 file. Returns the job id.
    pub async fn print_report(
        &self,
        counter: &Counter,
        id: DistributionId,
    ) -> Result<String, AppError> {
        let dist = self.run_of(id)?;
        let job = self.printer.print_report(&dist)?;
        counter
            .issuance()
            .record_print(format!("distribution:{id} report"), None)
            .await?;
        Ok(job.0)
    }

    /// 宛名一覧 or 媒体出力 to `dir`, encrypted with the password the supervisor sets; recorded in the
    /// audit chain (the file's hash, never its contents).
    pub async fn export(
        &self,
        counter: &Counter,
        id: DistributionId,
        kind: ExportKind,
        password: &str,
        staff_user: &str,
        dir: &Path,
    ) -> Result<WrittenFile, AppError> {
        let password = ExportPassword::new(password)?;
        let summary = counter.distributions().distribution_summary(id).await?;
        let (approval, records) = match counter.distributions().approved_content(id) {
            Ok(c) => c,
            Err(_) => {
                counter.distributions().fetch_approved(id, |_| {}).await?;
                counter.distributions().approved_content(id)?
            }
        };
        let dist =
            ApprovedDistribution::verify(summary.kind, summary.mail_class, approval, records)?;
        let (what, make): (&str, fn(_, _, _) -> _) = match kind {
            ExportKind::MailingList => ("mailing-list", export_mailing_list),
            ExportKind::File => ("file", export_encrypted),
        };
        let target = format!("distribution:{id} {what}");
        let made: Result<EncryptedExport, BatchError> = make(&dist, &password, staff_user);
        let result = made.map_err(AppError::from).and_then(|export| {
            let path = write_export(dir, &export)?;
            Ok((
                path,
                export.record.record_count,
                export.record.encrypted_sha256,
            ))
        });
        let (path, records, sha) = match result {
            Ok(ok) => ok,
            Err(e) => {
                counter
                    .audit_review()
                    .record_export(target, Some(e.code.as_str()))
                    .await?;
                return Err(e);
            }
        };
        counter
            .audit_review()
            .record_export(
                format!("{target} sha256:{}", sha.get(..16).unwrap_or(&sha)),
                None,
            )
            .await?;
        Ok(WrittenFile { path, records })
    }
}

/// The run's status after the blocking run returned; the failure code for the audit chain, if any.
fn finish(
    status: &Mutex<BatchStatus>,
    outcome: Result<Result<RunOutcome, BatchError>, tokio::task::JoinError>,
) -> Option<&'static str> {
    let Ok(mut s) = status.lock() else {
        return Some("batch_failed");
    };
    match outcome {
        Ok(Ok(RunOutcome::Completed(report))) => {
            s.state = BatchState::Finished;
            s.records_done = report.records_spooled;
            s.pages_spooled = report.pages_spooled;
            s.message_ja = None;
            None
        }
        Ok(Ok(RunOutcome::Paused(p))) => {
            *s = BatchStatus::of(&p, false);
            None
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "bulk print stopped");
            s.state = BatchState::Stopped;
            s.message_ja = Some(madoguchi_domain::StaffMessage::message_ja(&e));
            Some("batch_stopped")
        }
        Err(e) => {
            tracing::error!(error = %e, "bulk print task failed");
            s.state = BatchState::Stopped;
            s.message_ja =
                Some("一括印刷が中断しました。「続きから再開」で次の通し番号から続けます。".into());
            Some("batch_failed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_cross_as_the_codes_the_screen_knows() {
        let codes: Vec<String> = [
            BatchState::NotStarted,
            BatchState::Fetching,
            BatchState::Running,
            BatchState::Paused,
            BatchState::Stopped,
            BatchState::Finished,
        ]
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
        assert_eq!(
            codes,
            [
                r#""not_started""#,
                r#""fetching""#,
                r#""running""#,
                r#""paused""#,
                r#""stopped""#,
                r#""finished""#
            ]
        );
    }

    #[test]
    fn a_failed_task_stops_the_run_with_a_message() {
        let status = Mutex::new(BatchStatus::fresh(BatchState::Running, 10));
        let outcome = Ok(Err(BatchError::NotApproved));
        assert_eq!(finish(&status, outcome), Some("batch_stopped"));
        let s = status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|_| BatchStatus::fresh(BatchState::NotStarted, 0));
        assert_eq!(s.state, BatchState::Stopped);
        assert!(s.message_ja.is_some());
    }
}
