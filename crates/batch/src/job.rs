//! The bulk print job: chunks, progress, pause and resume, and exactly-once spooling.
//!
//! Exactly once with a real spooler. Each chunk (a "spool unit") goes through phases, each flushed to the
//! vault before the next step:
//!
//! 1. `Intended` — the unit (records `first..=last`, its unique job title `mdg-<token>-c00001`) is recorded;
//! 2. the PDF is submitted *held* (`lp -H hold`): the print system keeps it and prints nothing;
//! 3. `Held { job }` — the job id is recorded;
//! 4. the job is released (`lp -i <job> -H resume`);
//! 5. `Released { job }` — and the next record to print moves past the unit, in the same write.
//!
//! A crash can stop this anywhere. On resume the last unit tells what to do: `Intended` → ask the print
//! system for jobs with the unit's title; a held one may hold a truncated PDF (the process died while piping
//! it to `lp`, which then submits what it got), so it is cancelled and the unit spooled again; one that is
//! not held was released by someone and prints, so it counts as spooled. `Held` → look the job up by its id
//! and release it (cancelled or aborted: spool again; already released or finished: counted as spooled).
//! Submitting held is what makes a half-written job harmless: nothing prints before the job id is on disk.
//!
//! Limit: CUPS drops a finished job's *title* from its history after a few seconds (ids stay), so a held job
//! that someone released by hand *and* that finished before the restart is not found by title; the unit is
//! then spooled again. Only a person releasing our held jobs by hand can cause that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use madoguchi_print::{
    JobId, JobOptions, JobTitle, Layout, PrintKind, PrinterBackend, PrinterMap, QueueName,
    RenderedDocument, Renderer, ReprintReason, SpooledJobState, StaffId,
};
use madoguchi_vault::Vault;
use serde::{Deserialize, Serialize};

use crate::approved::ApprovedDistribution;
use crate::error::BatchError;
use crate::pages::{BatchLayouts, page_class, render_range};
use crate::report::ReconciliationReport;

/// Settings of a job, fixed when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSettings {
    /// Records per chunk (one print job each), 1–1000. Smaller chunks lose less time after a fault;
    /// larger ones cost fewer spooler round trips.
    pub chunk_size: u32,
}

impl Default for BatchSettings {
    fn default() -> Self {
        Self { chunk_size: 100 }
    }
}

/// Where a spool unit is (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobPhase {
    /// Recorded, about to be submitted (or submitted, not yet known).
    Intended,
    /// Submitted held; the print system's id is known; not printing yet.
    Held {
        /// The print system's job.
        job: JobId,
    },
    /// Released: printing or printed.
    Released {
        /// The print system's job.
        job: JobId,
        /// When it was released.
        at: DateTime<Utc>,
    },
}

/// A first print (part of the run) or a reprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitKind {
    /// A chunk of the run, in order.
    Regular,
    /// 再印刷 of already printed records, with the reason (counted in the report).
    Reprint {
        /// Why. Stored as its words (`reprint::as_text`): the format of jobs written before the reason
        /// was an enum.
        #[serde(with = "madoguchi_domain::reprint::as_text")]
        reason: ReprintReason,
        /// The 監督者 who asked for it.
        requested_by: StaffId,
    },
}

/// One print job of the bulk run: a chunk or a reprint. No personal data: 通し番号, counts, ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpoolUnit {
    /// Position among the job's units, from 1.
    pub index: u32,
    /// Chunk or reprint.
    pub kind: UnitKind,
    /// 通し番号 range, inclusive.
    pub first_seq: u32,
    /// Last 通し番号 of the unit.
    pub last_seq: u32,
    /// Pages (one per record).
    pub pages: u32,
    /// The print job's title (unique to this unit).
    pub title: JobTitle,
    /// The queue it goes to.
    pub queue: String,
    /// Where the unit is in the print system.
    pub phase: JobPhase,
    /// When the unit was recorded.
    pub intended_at: DateTime<Utc>,
    /// Spooled again after an interruption: an `lp` orphaned by the crash may still have submitted a
    /// (held, never printed) job with this title, which the job cancels at the end.
    pub recovered: bool,
}

impl SpoolUnit {
    /// The print system's job, once submitted.
    pub fn job_id(&self) -> Option<&JobId> {
        match &self.phase {
            JobPhase::Intended => None,
            JobPhase::Held { job } | JobPhase::Released { job, .. } => Some(job),
        }
    }
    /// Whether the job was released to print.
    pub fn is_released(&self) -> bool {
        matches!(self.phase, JobPhase::Released { .. })
    }
}

/// What the vault keeps of a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JobState {
    pub token: String,
    pub distribution_id: String,
    pub kind: String,
    pub content_hash: String,
    pub record_count: u32,
    pub settings: BatchSettings,
    pub started_by: StaffId,
    pub started_at: DateTime<Utc>,
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    pub units: Vec<SpoolUnit>,
    /// The next 通し番号 to print in the run (record_count + 1 when all are spooled).
    pub next_seq: u32,
    pub finished_at: Option<DateTime<Utc>>,
}

impl JobState {
    fn regular_pages(&self) -> u32 {
        self.units
            .iter()
            .filter(|u| u.kind == UnitKind::Regular && u.is_released())
            .map(|u| u.pages)
            .sum()
    }
    fn regular_chunks(&self) -> u32 {
        self.units
            .iter()
            .filter(|u| u.kind == UnitKind::Regular && u.is_released())
            .count() as u32
    }
}

/// What the screen shows while a job runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The distribution.
    pub distribution_id: String,
    /// Records spooled, of `records_total`.
    pub records_done: u32,
    /// Records approved.
    pub records_total: u32,
    /// Pages spooled in the run (reprints not included).
    pub pages_spooled: u32,
    /// Chunks spooled, of about `chunks_total` (more when the page kind changes within the content).
    pub chunks_done: u32,
    /// Chunks planned.
    pub chunks_total: u32,
    /// The chunk being prepared or spooled (1-based), if any.
    pub current_chunk: Option<u32>,
    /// Running, paused or completed.
    pub state: RunState,
}

/// The run's state for the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Spooling chunks.
    Running,
    /// Paused before the next chunk.
    Paused,
    /// Every record spooled once.
    Completed,
}

/// How a call to [`BatchPrinter::run`] ended (errors aside).
#[derive(Debug)]
pub enum RunOutcome {
    /// Everything spooled.
    Completed(Box<ReconciliationReport>),
    /// Paused before the next chunk; [`BatchPrinter::run`] again resumes.
    Paused(Progress),
}

/// Pause switch shared between the screen and the running job. Pausing takes effect before the next chunk
/// (a chunk that is being spooled is finished first).
#[derive(Debug, Clone, Default)]
pub struct BatchControl {
    paused: Arc<AtomicBool>,
}

impl BatchControl {
    /// Not paused.
    pub fn new() -> Self {
        Self::default()
    }
    /// Pauses before the next chunk.
    pub fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
    }
    /// Lets the run go on.
    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
    /// Whether a pause was asked.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }
}

/// Bulk printing of approved distributions on this terminal.
pub struct BatchPrinter {
    vault: Vault,
    renderer: Arc<Renderer>,
    backend: Arc<dyn PrinterBackend>,
    printers: PrinterMap,
    layouts: BatchLayouts,
    training: bool,
    busy: Mutex<()>,
    drop_seal_on_seq: Option<u32>,
}

impl std::fmt::Debug for BatchPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchPrinter")
            .field("backend", &self.backend.backend_name())
            .field("printers", &self.printers)
            .field("layouts", &self.layouts)
            .field("training", &self.training)
            .finish_non_exhaustive()
    }
}

fn job_name(dist: &ApprovedDistribution) -> String {
    format!("batch-{}", dist.distribution_id())
}

impl BatchPrinter {
    /// `training`: a 研修 terminal prints every page with 見本.
    pub fn new(
        vault: Vault,
        renderer: Arc<Renderer>,
        backend: Arc<dyn PrinterBackend>,
        printers: PrinterMap,
        layouts: BatchLayouts,
        training: bool,
    ) -> Self {
        Self {
            vault,
            renderer,
            backend,
            printers,
            layouts,
            training,
            busy: Mutex::new(()),
            drop_seal_on_seq: None,
        }
    }

    /// Fault injection for tests: the page of record `seq` is rendered without the seal (the pre-flight
    /// check must then stop the batch before its chunk reaches the printer).
    #[cfg(feature = "test-support")]
    pub fn inject_missing_seal(&mut self, seq: u32) {
        self.drop_seal_on_seq = Some(seq);
    }

    fn load(&self, dist: &ApprovedDistribution) -> Result<Option<JobState>, BatchError> {
        let st: Option<JobState> = self.vault.print_jobs().get(&job_name(dist))?;
        match st {
            Some(s) if s.content_hash != dist.content_hash().as_str() => {
                Err(BatchError::JobForOtherContent {
                    stored: s.content_hash.chars().take(12).collect(),
                    given: dist.content_hash().short().to_string(),
                })
            }
            other => Ok(other),
        }
    }

    fn save(&self, st: &JobState) -> Result<(), BatchError> {
        let name = format!("batch-{}", st.distribution_id);
        Ok(self.vault.print_jobs().put(&name, st)?)
    }

    /// Start the job for an approved, printed distribution (idempotent: a job already started is kept as it
    /// is, with its settings). Checks that the print system can hold, release and look up jobs.
    pub fn start(
        &self,
        dist: &ApprovedDistribution,
        staff: &StaffId,
        settings: BatchSettings,
    ) -> Result<Progress, BatchError> {
        if !dist.kind().is_printed() {
            return Err(BatchError::WrongKind {
                kind: dist.kind_name(),
                what: "printed",
            });
        }
        if !(1..=1000).contains(&settings.chunk_size) {
            return Err(BatchError::Settings("chunk size must be 1–1000"));
        }
        if let Some(st) = self.load(dist)? {
            return Ok(self.progress_of(&st, None, state_of(&st, false)));
        }
        // Fails early (Unsupported) on a back end that cannot look jobs up, before anything is recorded.
        for queue in self.queues_for(dist)? {
            let probe = JobTitle::parse("mdg-probe")?;
            self.backend.find_jobs(&queue, &probe)?;
        }
        let token = hex::encode(uuid::Uuid::new_v4().as_bytes())[..10].to_string();
        let approval = dist.approval();
        let st = JobState {
            token,
            distribution_id: dist.distribution_id().to_string(),
            kind: dist.kind_name().to_string(),
            content_hash: dist.content_hash().as_str().to_string(),
            record_count: dist.record_count(),
            settings,
            started_by: staff.clone(),
            started_at: Utc::now(),
            approver: approval.by.clone(),
            approved_at: approval.at,
            units: Vec::new(),
            next_seq: 1,
            finished_at: None,
        };
        self.save(&st)?;
        tracing::info!(distribution = %st.distribution_id, records = st.record_count, chunk_size = settings.chunk_size, "bulk print job started");
        Ok(self.progress_of(&st, None, RunState::Paused))
    }

    fn queues_for(&self, dist: &ApprovedDistribution) -> Result<Vec<QueueName>, BatchError> {
        let mut kinds: Vec<PrintKind> = Vec::new();
        for r in dist.records() {
            if let Some(c) = page_class(r)
                && !kinds.contains(&c.kind)
            {
                kinds.push(c.kind);
            }
        }
        let mut queues = Vec::new();
        for k in kinds {
            let layout = self.renderer.layout(self.layouts.name_for(k))?;
            let q = self.printers.queue_for(layout.paper)?.clone();
            if !queues.contains(&q) {
                queues.push(q);
            }
        }
        Ok(queues)
    }

    /// Where the job is, without running it (`None`: not started).
    pub fn progress(&self, dist: &ApprovedDistribution) -> Result<Option<Progress>, BatchError> {
        Ok(self
            .load(dist)?
            .map(|st| self.progress_of(&st, None, state_of(&st, false))))
    }

    /// Every unit (chunks and reprints) so far.
    pub fn units(&self, dist: &ApprovedDistribution) -> Result<Vec<SpoolUnit>, BatchError> {
        Ok(self.load(dist)?.map(|s| s.units).unwrap_or_default())
    }

    fn progress_of(&self, st: &JobState, current: Option<u32>, state: RunState) -> Progress {
        let cs = st.settings.chunk_size.max(1);
        Progress {
            distribution_id: st.distribution_id.clone(),
            records_done: st.next_seq.saturating_sub(1),
            records_total: st.record_count,
            pages_spooled: st.regular_pages(),
            chunks_done: st.regular_chunks(),
            chunks_total: st.record_count.div_ceil(cs).max(st.regular_chunks()),
            current_chunk: current,
            state,
        }
    }

    /// Run (or resume) the job until every record is spooled, the control pauses it, or something stops it
    /// (a page that fails the pre-flight check, a printer fault: the error says which 通し番号 and why).
    /// `on_progress` is called before each chunk and after each chunk is spooled.
    pub fn run(
        &self,
        dist: &ApprovedDistribution,
        control: &BatchControl,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<RunOutcome, BatchError> {
        let _busy = self.busy.try_lock().map_err(|_| BatchError::Busy)?;
        let mut st = self.load(dist)?.ok_or(BatchError::NoJob)?;
        let mut layouts: HashMap<PrintKind, Layout> = HashMap::new();
        self.recover(dist, &mut st, &mut layouts)?;
        let total = dist.record_count();
        loop {
            if st.next_seq > total {
                self.cancel_strays(&st)?;
                if st.finished_at.is_none() {
                    st.finished_at = Some(Utc::now());
                    self.save(&st)?;
                    tracing::info!(distribution = %st.distribution_id, pages = st.regular_pages(), chunks = st.regular_chunks(), "bulk print job complete");
                }
                on_progress(&self.progress_of(&st, None, RunState::Completed));
                return Ok(RunOutcome::Completed(Box::new(
                    ReconciliationReport::build(dist, &st),
                )));
            }
            if control.is_paused() {
                let p = self.progress_of(&st, None, RunState::Paused);
                on_progress(&p);
                tracing::info!(distribution = %st.distribution_id, next = st.next_seq, "bulk print job paused");
                return Ok(RunOutcome::Paused(p));
            }
            let (first, last) = plan_chunk(dist, st.next_seq, st.settings.chunk_size);
            on_progress(&self.progress_of(&st, Some(st.regular_chunks() + 1), RunState::Running));
            self.spool_range(dist, &mut st, &mut layouts, first, last, UnitKind::Regular)?;
            on_progress(&self.progress_of(&st, None, RunState::Running));
        }
    }

    /// Renders records `first..=last` as one unit — the pre-flight check runs on every page here, so nothing is
    /// recorded or spooled when a page fails — records the unit as intended, then spools it held and releases it
    /// ([`Self::spool_last`]). Chunks of the run are titled `…-c00001`, reprints `…-r00001`.
    fn spool_range(
        &self,
        dist: &ApprovedDistribution,
        st: &mut JobState,
        layouts: &mut HashMap<PrintKind, Layout>,
        first: u32,
        last: u32,
        kind: UnitKind,
    ) -> Result<(), BatchError> {
        let records = dist.range(first, last);
        let page_kind = records.first().and_then(page_class).map(|c| c.kind).ok_or(
            BatchError::WrongPayload {
                seq: first,
                kind: "printed",
            },
        )?;
        let layout = self.layout(layouts, page_kind)?;
        let doc = render_range(
            &self.renderer,
            &layout,
            records,
            dist.content_hash(),
            self.training,
            self.drop_seal_on_seq,
        )?;
        let queue = self.printers.queue_for(layout.paper)?.clone();
        let index = st.units.len() as u32 + 1;
        let tag = match kind {
            UnitKind::Regular => 'c',
            UnitKind::Reprint { .. } => 'r',
        };
        let title = JobTitle::parse(&format!("mdg-{}-{tag}{index:05}", st.token))?;
        st.units.push(SpoolUnit {
            index,
            kind,
            first_seq: first,
            last_seq: last,
            pages: doc.page_count() as u32,
            title,
            queue: queue.to_string(),
            phase: JobPhase::Intended,
            intended_at: Utc::now(),
            recovered: false,
        });
        self.save(st)?;
        self.spool_last(st, &queue, &doc)
    }

    fn layout(
        &self,
        cache: &mut HashMap<PrintKind, Layout>,
        kind: PrintKind,
    ) -> Result<Layout, BatchError> {
        if let Some(l) = cache.get(&kind) {
            return Ok(l.clone());
        }
        let l = self.renderer.layout(self.layouts.name_for(kind))?;
        cache.insert(kind, l.clone());
        Ok(l)
    }

    /// Submit the last unit held, record the job id, release it, record that (see the module doc).
    fn spool_last(
        &self,
        st: &mut JobState,
        queue: &QueueName,
        doc: &RenderedDocument,
    ) -> Result<(), BatchError> {
        let i = st.units.len().checked_sub(1).ok_or(BatchError::NoJob)?;
        let options = JobOptions::default()
            .with_title(st.units[i].title.clone())
            .held();
        let job = self.backend.submit(queue, doc, &options).map_err(|e| {
            tracing::error!(unit = st.units[i].index, error = %e, "submitting the chunk failed; it stays intended");
            BatchError::Printer(e)
        })?;
        st.units[i].phase = JobPhase::Held { job: job.clone() };
        self.save(st)?;
        self.release(st, i, job)
    }

    fn release(&self, st: &mut JobState, i: usize, job: JobId) -> Result<(), BatchError> {
        self.backend
            .release_job(&job)
            .map_err(BatchError::Printer)?;
        st.units[i].phase = JobPhase::Released {
            job: job.clone(),
            at: Utc::now(),
        };
        if st.units[i].kind == UnitKind::Regular {
            st.next_seq = st.units[i].last_seq + 1;
        }
        self.save(st)?;
        tracing::info!(unit = st.units[i].index, job = %job, first = st.units[i].first_seq, last = st.units[i].last_seq, "chunk spooled");
        Ok(())
    }

    /// Finish the last unit if a crash or fault left it half done.
    fn recover(
        &self,
        dist: &ApprovedDistribution,
        st: &mut JobState,
        layouts: &mut HashMap<PrintKind, Layout>,
    ) -> Result<(), BatchError> {
        let Some(i) = st.units.len().checked_sub(1) else {
            return Ok(());
        };
        let unit = st.units[i].clone();
        let queue = QueueName::parse(&unit.queue)?;
        match &unit.phase {
            JobPhase::Released { .. } => Ok(()),
            JobPhase::Held { job } => match self.backend.job_state(&queue, job)? {
                Some(SpooledJobState::Held) => self.release(st, i, job.clone()),
                Some(SpooledJobState::Canceled | SpooledJobState::Aborted) => {
                    tracing::warn!(unit = unit.index, job = %job, "held job cancelled or aborted; spooling the unit again");
                    self.respool(dist, st, i, &queue, layouts)
                }
                Some(_) => self.mark_released(st, i, job.clone()),
                // The print system had the job (its id is recorded) and no longer lists it: it finished
                // and left the history. Counting it as printed risks no duplicate; should the pages be
                // missing, the 照合番号 check against the report shows the gap and a reprint covers it.
                None => {
                    tracing::warn!(unit = unit.index, job = %job, "recorded job no longer known to the print system; counted as printed");
                    self.mark_released(st, i, job.clone())
                }
            },
            JobPhase::Intended => {
                let known = self.backend.find_jobs(&queue, &unit.title)?;
                let mut printing = None;
                for j in known {
                    match j.state {
                        // Maybe truncated (the process died while piping the PDF): never printed, so cancel.
                        SpooledJobState::Held => {
                            tracing::warn!(unit = unit.index, job = %j.id, "cancelling a held job left by an interruption");
                            self.backend
                                .cancel_job(&j.id)
                                .map_err(BatchError::Printer)?;
                        }
                        SpooledJobState::Pending
                        | SpooledJobState::Processing
                        | SpooledJobState::Completed => printing = Some(j.id),
                        SpooledJobState::Canceled | SpooledJobState::Aborted => {}
                    }
                }
                match printing {
                    // Someone released it by hand: it prints, so it must not be spooled again.
                    Some(job) => self.mark_released(st, i, job),
                    None => self.respool(dist, st, i, &queue, layouts),
                }
            }
        }
    }

    /// Cancel held jobs with a recovered unit's title other than the unit's own: left by an `lp` that was
    /// still running when the process died. Held jobs never print, so this is tidying, not a correction.
    fn cancel_strays(&self, st: &JobState) -> Result<(), BatchError> {
        for u in st.units.iter().filter(|u| u.recovered) {
            let queue = QueueName::parse(&u.queue)?;
            for j in self.backend.find_jobs(&queue, &u.title)? {
                if j.state == SpooledJobState::Held && Some(&j.id) != u.job_id() {
                    tracing::warn!(unit = u.index, job = %j.id, "cancelling a stray held job");
                    self.backend
                        .cancel_job(&j.id)
                        .map_err(BatchError::Printer)?;
                }
            }
        }
        Ok(())
    }

    fn mark_released(&self, st: &mut JobState, i: usize, job: JobId) -> Result<(), BatchError> {
        st.units[i].phase = JobPhase::Released {
            job,
            at: Utc::now(),
        };
        if st.units[i].kind == UnitKind::Regular {
            st.next_seq = st.units[i].last_seq + 1;
        }
        self.save(st)
    }

    fn respool(
        &self,
        dist: &ApprovedDistribution,
        st: &mut JobState,
        i: usize,
        queue: &QueueName,
        layouts: &mut HashMap<PrintKind, Layout>,
    ) -> Result<(), BatchError> {
        let (first, last) = (st.units[i].first_seq, st.units[i].last_seq);
        let records = dist.range(first, last);
        let kind = records.first().and_then(page_class).map(|c| c.kind).ok_or(
            BatchError::WrongPayload {
                seq: first,
                kind: "printed",
            },
        )?;
        let layout = self.layout(layouts, kind)?;
        let doc = render_range(
            &self.renderer,
            &layout,
            records,
            dist.content_hash(),
            self.training,
            self.drop_seal_on_seq,
        )?;
        st.units[i].phase = JobPhase::Intended;
        st.units[i].recovered = true;
        self.save(st)?;
        self.spool_last(st, queue, &doc)
    }

    /// 再印刷 of records `first..=last` (already printed in the run), with a reason; one unit per page
    /// kind in the range. Counted in the report, never in the run's records.
    pub fn reprint(
        &self,
        dist: &ApprovedDistribution,
        first: u32,
        last: u32,
        reason: ReprintReason,
        staff: &StaffId,
    ) -> Result<Vec<SpoolUnit>, BatchError> {
        let _busy = self.busy.try_lock().map_err(|_| BatchError::Busy)?;
        let mut st = self.load(dist)?.ok_or(BatchError::NoJob)?;
        let mut layouts: HashMap<PrintKind, Layout> = HashMap::new();
        self.recover(dist, &mut st, &mut layouts)?;
        let printed = st.next_seq.saturating_sub(1);
        if first == 0 || first > last || last > printed {
            return Err(BatchError::ReprintRange {
                first,
                last,
                printed,
            });
        }
        let mut done = Vec::new();
        let mut from = first;
        while from <= last {
            let (a, mut b) = plan_chunk(dist, from, st.settings.chunk_size);
            b = b.min(last);
            let kind = UnitKind::Reprint {
                reason: reason.clone(),
                requested_by: staff.clone(),
            };
            self.spool_range(dist, &mut st, &mut layouts, a, b, kind)?;
            if let Some(u) = st.units.last() {
                done.push(u.clone());
            }
            from = b + 1;
        }
        tracing::info!(distribution = %st.distribution_id, first, last, units = done.len(), "reprint spooled");
        Ok(done)
    }

    /// Print the reconciliation report on the A4 printer (a plain job; the report holds no personal data).
    pub fn print_report(&self, dist: &ApprovedDistribution) -> Result<JobId, BatchError> {
        let report = self.report(dist)?;
        let doc = report.render(&self.renderer)?;
        let queue = self.printers.queue_for(doc.paper())?;
        Ok(self.backend.submit(queue, &doc, &JobOptions::default())?)
    }

    /// The reconciliation report so far (complete once the run finished).
    pub fn report(&self, dist: &ApprovedDistribution) -> Result<ReconciliationReport, BatchError> {
        let st = self.load(dist)?.ok_or(BatchError::NoJob)?;
        Ok(ReconciliationReport::build(dist, &st))
    }
}

fn state_of(st: &JobState, running: bool) -> RunState {
    if st.next_seq > st.record_count {
        RunState::Completed
    } else if running {
        RunState::Running
    } else {
        RunState::Paused
    }
}

/// The chunk starting at `first`: up to `size` records of one page class (layout and 見本 mode).
fn plan_chunk(dist: &ApprovedDistribution, first: u32, size: u32) -> (u32, u32) {
    let total = dist.record_count();
    let class = |seq: u32| dist.range(seq, seq).first().and_then(page_class);
    let c0 = class(first);
    let mut last = first;
    while last < total && last - first + 1 < size && class(last + 1) == c0 {
        last += 1;
    }
    (first, last)
}

#[cfg(test)]
mod tests;
