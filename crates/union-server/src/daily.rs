//! The union's daily job (日次処理): run by the server once a day on its clock and by
//! `madoguchi-union daily --data DIR --on DATE` for operators and tests.
//!
//! For the day `on` it
//! - decides the **75歳到達** of every resident whose 75th birthday falls in the window of
//!   [`qualification::age75_in_window`] (this month and the next: the documents are mailed in the month before
//!   the birthday month, domain-anchors §1.1): the qualification from the birthday in the 資格履歴 (取得予定
//!   until then), a 被保険者番号 (kept when the person had one), and the 資格確認書 (or 資格情報のお知らせ, by the
//!   union's dated document policy) as a union document valid to the union's 7/31, waiting to be mailed with the
//!   next 75歳到達 distribution ([`crate::distribution`] lists it by its id);
//! - counts the dated 取得 and 喪失 that take effect on `on` (the history answers "as of a day", so nothing has
//!   to be rewritten for them: the count is what the operator checks);
//! - voids documents never handed over whose 有効期限 has passed, and counts the handed-over ones that expired.
//!
//! Idempotent: a resident already holding the 75歳到達 qualification is left as it is, an expired document is
//! voided once, so a second run of the same day changes nothing (its `new_*` counts are 0).

use std::fmt;

use madoguchi_domain::Date;
use madoguchi_domain::qualification::{self, Cause, Change};
use madoguchi_protocol::v1::{DailyRun, DocumentId, DocumentState, ResidentId};
use uuid::Uuid;

use crate::config::UnionConfig;
use crate::decide::document_record;
use crate::distribution::alive_and_resident;
use crate::store::{Commit, DocumentRecord, ResidentRecord, StoreError, UnionStore};

/// Runs the daily-runs list keeps (a month of days, and reruns).
const RUNS_KEPT: usize = 40;

/// The daily job's last runs in this server process, newest first, for the 広域連合職員's screen
/// (`GET /v1/union/daily-runs`). Kept in memory: the report is a log of what a run did, not a record anything
/// depends on (the history itself is in the store), and the server logs every run as well.
#[derive(Debug, Default)]
pub struct DailyRuns(std::sync::Mutex<std::collections::VecDeque<DailyRun>>);

impl DailyRuns {
    /// Keeps one run's report (dropping the oldest beyond [`RUNS_KEPT`]).
    pub fn record(&self, on: Date, finished_at: chrono::DateTime<chrono::Utc>, r: &DailyReport) {
        let mut runs = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        runs.push_front(DailyRun {
            on,
            finished_at,
            age_75: r.age_75,
            new_age_75: r.new_age_75,
            acquisitions_effective: r.acquisitions_effective,
            losses_effective: r.losses_effective,
            documents_expired: r.documents_expired,
            new_documents_voided: r.new_documents_voided,
        });
        runs.truncate(RUNS_KEPT);
    }

    /// The runs kept, newest first.
    pub fn list(&self) -> Vec<DailyRun> {
        let runs = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        runs.iter().cloned().collect()
    }
}

/// Residents committed together (one atomic commit each).
const BATCH: usize = 500;

/// What one run did, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DailyReport {
    /// Residents whose 75歳到達 falls in the window (decided now or on an earlier run).
    pub age_75: u64,
    /// Of those, decided by this run.
    pub new_age_75: u64,
    /// 取得 taking effect on the day.
    pub acquisitions_effective: u64,
    /// 喪失 taking effect on the day.
    pub losses_effective: u64,
    /// Documents whose 有効期限 ended the day before (handed over or not).
    pub documents_expired: u64,
    /// Never handed over and past their 有効期限 (this day's or missed earlier), voided by this run.
    pub new_documents_voided: u64,
}

impl fmt::Display for DailyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "age_75: {} (new {})  # 75歳到達（資格取得予定・資格確認書）",
            self.age_75, self.new_age_75
        )?;
        writeln!(
            f,
            "acquisitions_effective: {}  # 本日発効の資格取得",
            self.acquisitions_effective
        )?;
        writeln!(
            f,
            "losses_effective: {}  # 本日発効の資格喪失",
            self.losses_effective
        )?;
        write!(
            f,
            "documents_expired: {} (voided {})  # 有効期限切れの書類（未交付は無効化）",
            self.documents_expired, self.new_documents_voided
        )
    }
}

/// The 75歳到達 of one resident whose 75th birthday is `birthday`: the resident with the qualification recorded
/// and the document for it (`new` when made now; an earlier one is found again, so a rerun adds nothing).
pub struct AgeArrival {
    /// The resident with the 75歳到達 qualification (and 被保険者番号) recorded.
    pub resident: ResidentRecord,
    /// The document for the new qualification (資格確認書 or 資格情報のお知らせ).
    pub document: DocumentRecord,
    /// Made by this call (false: found from an earlier run, nothing to store).
    pub new: bool,
}

/// Decides the 75歳到達 of `r` (born so that the 75th birthday is `birthday`), or `None` when the person is
/// not to be qualified by age: on 生活保護, dead or moved out, insured already before the birthday (障害認定:
/// they hold a document), or no document policy for that day. `document_id` names a new document (the
/// distribution uses an id derived from itself, so regenerating gives the same content).
pub fn age_arrival(
    store: &dyn UnionStore,
    config: &UnionConfig,
    r: &ResidentRecord,
    birthday: Date,
    today: Date,
    document_id: DocumentId,
) -> Result<Option<AgeArrival>, StoreError> {
    if r.on_welfare || !alive_and_resident(r) {
        return Ok(None);
    }
    if birthday
        .pred_opt()
        .is_some_and(|eve| r.active_qualification(eve).is_some())
    {
        return Ok(None);
    }
    let Some(kind) = config.document_for(birthday, r.mynumber_health_card) else {
        return Ok(None);
    };
    let mut r = r.clone();
    let prepared = r
        .active_qualification(birthday)
        .filter(|q| q.acquired_on == birthday);
    if prepared.is_some() {
        for id in r.documents.iter().rev() {
            if let Some(d) = store.document(*id)?
                && d.acquired_on == birthday
                && d.valid_from == birthday
                && matches!(d.state, DocumentState::ToIssue | DocumentState::Issued)
            {
                return Ok(Some(AgeArrival {
                    resident: r,
                    document: d,
                    new: false,
                }));
            }
        }
    } else {
        let number = match &r.insured_number {
            Some(n) => n.clone(),
            None => store.allocate_insured_number()?,
        };
        r.record(Change::Acquired, Cause::Age75, birthday, today, number);
    }
    let Some(q) = r.active_qualification(birthday) else {
        return Ok(None);
    };
    let Some(document) = document_record(config, &r, &q, kind, birthday, today, document_id) else {
        return Ok(None);
    };
    r.documents.push(document.id);
    Ok(Some(AgeArrival {
        resident: r,
        document,
        new: true,
    }))
}

/// Runs the daily job for day `on`. It first reads the whole union without a lock (the counts, and who may
/// need a change); then it applies the changes in batches, each under `lock` (the server's write lock: the
/// counters keep deciding between batches; a record is read again under the lock, so no decision made in
/// between is overwritten). `None` when nothing else writes (the `daily` command on a stopped store).
pub fn run(
    store: &dyn UnionStore,
    config: &UnionConfig,
    on: Date,
    lock: Option<&tokio::sync::Mutex<()>>,
) -> Result<DailyReport, StoreError> {
    let mut report = DailyReport::default();
    let expired_on = on.pred_opt().unwrap_or(on);
    let mut arrivals: Vec<ResidentId> = Vec::new();
    let mut expired: Vec<DocumentId> = Vec::new();
    store.each_resident(&mut |r| {
        for e in r.history().iter().filter(|e| e.on == on) {
            match e.change {
                Change::Acquired => report.acquisitions_effective += 1,
                Change::Lost => report.losses_effective += 1,
                Change::Changed => {}
            }
        }
        if qualification::age75_in_window(r.birth_date, on).is_some() {
            arrivals.push(r.id);
        }
        // Only the newest document can still be in force (a new one withdraws the older ones).
        if let Some(id) = r.documents.last()
            && let Some(d) = store.document(*id)?
            && d.kind.is_insurance_document()
            && d.valid_until <= expired_on
        {
            if d.valid_until == expired_on {
                report.documents_expired += 1;
            }
            if d.state == DocumentState::ToIssue {
                expired.push(d.id);
            }
        }
        Ok(())
    })?;
    for chunk in arrivals.chunks(BATCH) {
        let _guard = lock.map(|l| l.blocking_lock());
        let mut commit = Commit::default();
        for id in chunk {
            let Some(r) = store.resident(*id)? else {
                continue;
            };
            let Some(birthday) = qualification::age75_in_window(r.birth_date, on) else {
                continue;
            };
            let Some(a) = age_arrival(store, config, &r, birthday, on, DocumentId(Uuid::new_v4()))?
            else {
                continue;
            };
            report.age_75 += 1;
            if a.new {
                report.new_age_75 += 1;
                commit.documents.push(a.document);
                commit.residents.push(a.resident);
            }
        }
        if !commit.residents.is_empty() {
            store.commit(commit)?;
        }
    }
    for chunk in expired.chunks(BATCH) {
        let _guard = lock.map(|l| l.blocking_lock());
        let mut commit = Commit::default();
        for id in chunk {
            if let Some(mut d) = store.document(*id)?
                && d.state == DocumentState::ToIssue
            {
                d.state = DocumentState::Voided;
                report.new_documents_voided += 1;
                commit.documents.push(d);
            }
        }
        if !commit.documents.is_empty() {
            store.commit(commit)?;
        }
    }
    store.flush()?;
    Ok(report)
}
