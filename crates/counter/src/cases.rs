//! Who a case is about (issue #14 findings 3 and 4): every list that names a case — 受付一覧, the work list,
//! 交付待ち — shows 氏名, カナ, 生年月日 (和暦), the 被保険者番号 when known and the 受付番号, so that after an
//! offline drain the clerk can tell which card belongs to whom.
//!
//! The subject of a notification is taken when it is entered: from the 転入 form itself, or from the
//! resident the clerk picked in a search (online or from the offline roster) — the counter remembers the
//! residents it showed during the session, so the target is the one on screen, never a left-over. It is
//! kept sealed in the vault's cache beside the queue item (the minimum a list needs: no address, no
//! 個人番号) and expires with the item's retention; the in-memory list is forgotten at sign-out.

use std::collections::HashMap;
use std::sync::Mutex;

use madoguchi_domain::Date;
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_protocol::v1::{Notification, NotificationDecision, ResidentId, ResidentSummary};
use madoguchi_vault::{Expiry, Sequence};
use serde::{Deserialize, Serialize};

use crate::context::Counter;
use crate::error::CounterError;
use crate::search::Search;

/// Cache namespace of the case records.
const CASES: &str = "case";
/// How long a case record is kept: longer than a decision waits in 交付待ち (14 days, `madoguchi_link::sync`)
/// and than a receipt is shown, so a list never loses its names before the item itself goes.
const CASE_RETENTION_DAYS: i64 = 31;
/// Residents remembered from the session's searches; the oldest half is forgotten past this.
const SEEN_MAX: usize = 2000;

/// Who a case is about, as a list names them. `Debug` redacts.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSubject {
    /// The union's opaque id (none for a 転入 not yet decided).
    pub resident_id: Option<ResidentId>,
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: String,
    /// 生年月日.
    pub birth_date: Date,
    /// 生年月日 in 和暦 (「昭和26年12月1日」), as staff read it.
    pub birth_wareki: String,
    /// 被保険者番号, when known.
    pub insured_number: Option<String>,
}

impl std::fmt::Debug for CaseSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseSubject")
            .field("resident_id", &self.resident_id)
            .finish_non_exhaustive()
    }
}

/// 「昭和26年12月1日」, or the date as it is when it has no 和暦 (before 明治6年).
pub(crate) fn wareki(date: Date) -> String {
    WarekiDate::from_date(date).map_or_else(|_| date.to_string(), |w| w.to_string())
}

impl CaseSubject {
    /// A subject from its parts.
    pub fn new(
        resident_id: Option<ResidentId>,
        name: &str,
        kana: &str,
        birth_date: Date,
        insured_number: Option<&str>,
    ) -> Self {
        CaseSubject {
            resident_id,
            name: name.to_owned(),
            kana: kana.to_owned(),
            birth_date,
            birth_wareki: wareki(birth_date),
            insured_number: insured_number.map(str::to_owned),
        }
    }

    /// The subject of a search row.
    pub fn of_summary(r: &ResidentSummary) -> Self {
        CaseSubject::new(
            Some(r.resident_id),
            r.name.as_str(),
            r.kana.as_str(),
            r.birth_date,
            r.insured_number.as_ref().map(|n| n.as_str()),
        )
    }
}

/// What the vault keeps for one queue item: who, and the link between a refused item and its correction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// Who the notification is about (none when the clerk entered it without a search, e.g. by id).
    pub subject: Option<CaseSubject>,
    /// The refused item this one corrects (訂正の元).
    pub corrects: Option<u64>,
    /// The item that corrected this refused one (訂正後).
    pub corrected_by: Option<u64>,
}

/// The residents shown during this session, by id.
#[derive(Default)]
pub(crate) struct SeenResidents(Mutex<HashMap<ResidentId, CaseSubject>>);

impl SeenResidents {
    pub(crate) fn remember(&self, subjects: impl IntoIterator<Item = CaseSubject>) {
        if let Ok(mut seen) = self.0.lock() {
            if seen.len() > SEEN_MAX {
                seen.clear();
            }
            for s in subjects {
                if let Some(id) = s.resident_id {
                    seen.insert(id, s);
                }
            }
        }
    }

    pub(crate) fn get(&self, id: ResidentId) -> Option<CaseSubject> {
        self.0.lock().ok().and_then(|s| s.get(&id).cloned())
    }

    pub(crate) fn forget(&self) {
        if let Ok(mut seen) = self.0.lock() {
            seen.clear();
        }
    }
}

/// The resident a notification names, when it names one by id.
pub(crate) fn resident_of(n: &Notification) -> Option<ResidentId> {
    match n {
        Notification::AcquisitionMoveIn(_) => None,
        Notification::AcquisitionDisability(x) => Some(x.resident_id),
        Notification::Reissue(x) => Some(x.resident_id),
        Notification::ChangeOfParticulars(x) => Some(x.resident_id),
        Notification::LossMoveOut(x) => Some(x.resident_id),
        Notification::LossDeath(x) => Some(x.resident_id),
        Notification::MailingAddressChange(x) => Some(x.resident_id),
        Notification::OptionalEntries(x) => Some(x.resident_id),
        // 県内転居: found by the 被保険者番号 the person keeps, not by an id of this municipality.
        Notification::MoveWithinUnion(_) => None,
        Notification::WelfareStarted(x) | Notification::WelfareEnded(x) => Some(x.resident_id),
    }
}

impl Counter {
    /// Who `notification` is about: the 転入 form's resident, or the resident picked in a search.
    pub(crate) fn subject_of(&self, notification: &Notification) -> Option<CaseSubject> {
        match notification {
            Notification::AcquisitionMoveIn(m) => Some(CaseSubject::new(
                None,
                m.resident.name.as_str(),
                m.resident.kana.as_str(),
                m.resident.birth_date,
                None,
            )),
            other => resident_of(other).and_then(|id| self.inner.seen.get(id)),
        }
    }

    /// The case record of queue item `seq`, if kept.
    pub(crate) fn case(&self, seq: u64) -> Result<Option<CaseRecord>, CounterError> {
        let Some(bytes) = self.inner.vault.cache().get(CASES, &seq.to_string())? else {
            return Ok(None);
        };
        // An unreadable record only loses the names of one line; the item itself is in the outbox.
        Ok(serde_json::from_slice(&bytes).ok())
    }

    pub(crate) fn put_case(&self, seq: u64, record: &CaseRecord) -> Result<(), CounterError> {
        let bytes = serde_json::to_vec(record).map_err(|e| CounterError::Encode(e.to_string()))?;
        self.inner.vault.cache().put(
            CASES,
            &seq.to_string(),
            &bytes,
            Expiry::After(chrono::Duration::days(CASE_RETENTION_DAYS)),
        )?;
        Ok(())
    }

    /// Adds what the union decided (the 被保険者番号 of a new 転入, the resident's id) to the case's subject.
    pub(crate) fn complete_case(
        &self,
        seq: u64,
        decision: &NotificationDecision,
    ) -> Result<(), CounterError> {
        let mut record = self.case(seq)?.unwrap_or_default();
        if let Some(s) = record.subject.as_mut() {
            s.resident_id.get_or_insert(decision.resident_id);
            if let Some(q) = &decision.qualification {
                s.insured_number = Some(q.insured_number.as_str().to_owned());
            }
            self.put_case(seq, &record)?;
        }
        Ok(())
    }

    /// Links a refused item and the item that corrects it, both ways.
    pub(crate) fn link_correction(&self, refused: u64, corrected: u64) -> Result<(), CounterError> {
        let mut old = self.case(refused)?.unwrap_or_default();
        old.corrected_by = Some(corrected);
        self.put_case(refused, &old)?;
        let mut new = self.case(corrected)?.unwrap_or_default();
        new.corrects = Some(refused);
        self.put_case(corrected, &new)
    }

    /// The 受付番号 of queue item `seq`, if it still exists.
    pub(crate) fn reception_number(&self, seq: u64) -> Option<String> {
        self.inner
            .vault
            .outbox()
            .get(Sequence(seq))
            .ok()
            .map(|i| i.reception_number.as_str().to_owned())
    }
}

impl Search<'_> {
    /// The target line of a notification (issue #14 finding 4): who the resident `id` is, as last shown to
    /// this session by a search. `None` when this session has not shown them: pick them in a search.
    pub fn target(&self, id: ResidentId) -> Option<CaseSubject> {
        self.ctx.inner.seen.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_subject_reads_in_wareki_and_redacts() {
        let s = CaseSubject::new(
            None,
            "見附 花子",
            "ミツケ ハナコ",
            d(1951, 12, 1),
            Some("12345678"),
        );
        assert_eq!(s.birth_wareki, "昭和26年12月1日");
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("花子") && !dbg.contains("ミツケ") && !dbg.contains("1951"));
    }

    #[test]
    fn the_session_remembers_only_residents_with_an_id_and_forgets_them() {
        let seen = SeenResidents::default();
        let id = ResidentId::new_random();
        seen.remember([
            CaseSubject::new(Some(id), "見附 太郎", "ミツケ タロウ", d(1948, 1, 2), None),
            CaseSubject::new(None, "転入 次郎", "テンニュウ ジロウ", d(1949, 1, 2), None),
        ]);
        assert_eq!(seen.get(id).map(|s| s.name), Some("見附 太郎".to_owned()));
        seen.forget();
        assert!(seen.get(id).is_none());
    }
}
