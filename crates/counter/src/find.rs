//! Finding a resident at the counter (issue #14 findings 3 and 5): one search for the screen that answers
//! from the union when the line is up and from the vault's encrypted offline roster when it is down, with
//! the roster's age said ("名簿 12:03 時点"). Rows are sorted by カナ (清音化 key) then 生年月日 and carry
//! what tells namesakes apart: 生年月日 in 和暦, age, 住所の町域 and 宛名番号 (online), 被保険者番号. The rows
//! shown are remembered for the session, so a notification names its target (`crate::cases`).

use chrono::{DateTime, Utc};
use madoguchi_audit::Operation;
use madoguchi_domain::Date;
use madoguchi_domain::age::age_on;
use madoguchi_domain::insurance::Sex;
use madoguchi_link::LineState;
use madoguchi_protocol::v1::{
    QualificationState, ResidentId, ResidentSearchRequest, ResidentSummary,
};
use madoguchi_vault::{Qualification, RosterEntry, VaultError};
use serde::Serialize;

use crate::cases::{CaseSubject, wareki};
use crate::context::Counter;
use crate::error::CounterError;
use crate::search::Search;

/// One resident in a search result. `Debug` redacts.
#[derive(ts_rs::TS, Clone, Serialize)]
pub struct ResidentRow {
    /// The union's opaque id: the target of a notification. `None` for a roster entry of an older union
    /// (refresh the roster to take a notification for them).
    pub resident_id: Option<ResidentId>,
    /// 氏名 (none in a roster of an older union).
    pub name: Option<String>,
    /// 氏名カナ (the 清音化 key in a roster of an older union).
    pub kana: String,
    /// 生年月日.
    pub birth_date: Date,
    /// 生年月日 in 和暦.
    pub birth_wareki: String,
    /// 年齢 today (年齢計算ニ関スル法律).
    pub age: Option<u32>,
    /// 性別 (online only).
    pub sex: Option<Sex>,
    /// 被保険者番号, once assigned.
    pub insured_number: Option<String>,
    /// 資格の状態.
    pub state: QualificationState,
    /// 資格あり / 資格なし / 資格喪失.
    pub state_ja: &'static str,
    /// 宛名番号 (online only).
    pub addressee_number: Option<String>,
    /// 住所の町域 (online only).
    pub address_area: Option<String>,
    /// The name holds a 外字 placeholder 「●」.
    pub name_has_gaiji: bool,
    /// The 清音化 key the rows are sorted by (not sent to the screen).
    #[serde(skip)]
    #[ts(skip)]
    sort_key: String,
}

impl std::fmt::Debug for ResidentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResidentRow")
            .field("resident_id", &self.resident_id)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

fn state_ja(s: QualificationState) -> &'static str {
    match s {
        QualificationState::Insured => "資格あり",
        QualificationState::NotInsured => "資格なし",
        QualificationState::Lost => "資格喪失",
        QualificationState::LossScheduled => "喪失予定",
        QualificationState::AcquisitionScheduled => "取得予定",
    }
}

impl ResidentRow {
    fn of_summary(r: &ResidentSummary, today: Date) -> Self {
        ResidentRow {
            resident_id: Some(r.resident_id),
            name: Some(r.name.as_str().to_owned()),
            kana: r.kana.as_str().to_owned(),
            birth_date: r.birth_date,
            birth_wareki: wareki(r.birth_date),
            age: age_on(r.birth_date, today),
            sex: Some(r.sex),
            insured_number: r.insured_number.as_ref().map(|n| n.as_str().to_owned()),
            state: r.state,
            state_ja: state_ja(r.state),
            addressee_number: r.addressee_number.as_ref().map(|n| n.as_str().to_owned()),
            address_area: r.address_area.as_ref().map(|a| a.as_str().to_owned()),
            name_has_gaiji: r.name_has_gaiji,
            sort_key: r.kana.seion_key().as_str().to_owned(),
        }
    }

    fn of_roster(e: &RosterEntry, today: Date) -> Self {
        let state = match e.qualification {
            Qualification::Qualified => QualificationState::Insured,
            Qualification::Lost => QualificationState::Lost,
        };
        ResidentRow {
            resident_id: e.resident_id().map(ResidentId),
            name: e.name().map(str::to_owned),
            kana: e.kana().unwrap_or(e.kana_key()).to_owned(),
            birth_date: e.birth_date,
            birth_wareki: wareki(e.birth_date),
            age: age_on(e.birth_date, today),
            sex: None,
            insured_number: Some(e.insured_number().as_str().to_owned()),
            state,
            state_ja: state_ja(state),
            addressee_number: None,
            address_area: None,
            name_has_gaiji: e.name().is_some_and(|n| n.contains('●')),
            sort_key: e.kana_key().to_owned(),
        }
    }

    fn subject(&self) -> Option<CaseSubject> {
        Some(CaseSubject::new(
            Some(self.resident_id?),
            self.name.as_deref()?,
            &self.kana,
            self.birth_date,
            self.insured_number.as_deref(),
        ))
    }
}

/// How old the offline roster is.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterAge {
    /// 基準日 of the union's list.
    pub as_of: Date,
    /// When this terminal stored it.
    pub refreshed_at: DateTime<Utc>,
    /// 「名簿 12:03 時点」 (today), 「名簿 12月6日 12:03 時点」 (an earlier day), Japan time.
    pub label_ja: String,
}

impl RosterAge {
    /// The age of a roster stored at `refreshed_at`, as read on `today` (Japan time).
    pub fn new(as_of: Date, refreshed_at: DateTime<Utc>, today: Date) -> Self {
        let at = madoguchi_domain::jst::datetime(refreshed_at);
        let label_ja = if at.date() == today {
            format!("名簿 {} 時点", at.format("%H:%M"))
        } else {
            format!("名簿 {} 時点", at.format("%-m月%-d日 %H:%M"))
        };
        RosterAge {
            as_of,
            refreshed_at,
            label_ja,
        }
    }
}

/// A search result for the screen.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct ResidentList {
    /// Residents, by カナ then 生年月日.
    pub residents: Vec<ResidentRow>,
    /// More matched than shown.
    pub truncated: bool,
    /// Answered from the offline roster (the line is down), with its age; `None` when the union answered.
    pub roster: Option<RosterAge>,
}

/// Sorts rows by カナ (清音化 key, then as written), then 生年月日, then 被保険者番号.
fn sort(rows: &mut [ResidentRow]) {
    rows.sort_by(|a, b| {
        a.sort_key
            .cmp(&b.sort_key)
            .then_with(|| a.kana.cmp(&b.kana))
            .then_with(|| a.birth_date.cmp(&b.birth_date))
            .then_with(|| a.insured_number.cmp(&b.insured_number))
    });
}

impl Counter {
    /// Search of the offline roster: カナ prefix (清音化) or 被保険者番号, narrowed by 生年月日.
    fn search_roster(
        &self,
        req: &ResidentSearchRequest,
        today: Date,
    ) -> Result<ResidentList, CounterError> {
        let roster = self.inner.vault.roster();
        let info = match roster.load() {
            Ok(info) => info,
            Err(VaultError::RosterDisabled | VaultError::RosterEmpty) => {
                return Err(CounterError::RosterUnavailable);
            }
            Err(e) => return Err(e.into()),
        };
        let limit = req.limit.map_or(50, |l| l.clamp(1, 200) as usize);
        let mut found: Vec<RosterEntry> = match (&req.insured_number, &req.kana) {
            (Some(n), _) => roster.find_insured_number(n)?.into_iter().collect(),
            (None, Some(k)) => roster.search_kana_prefix(&k.seion_key(), usize::MAX)?,
            // 生年月日 alone: the roster is small enough to walk (≈150,000 entries in memory).
            (None, None) => match req.birth_date {
                Some(b) => roster.find_birth_date(b, usize::MAX)?,
                None => Vec::new(),
            },
        };
        if let Some(k) = &req.kana {
            let key = k.seion_key();
            found.retain(|e| e.kana_key().starts_with(key.as_str()));
        }
        if let Some(b) = req.birth_date {
            found.retain(|e| e.birth_date == b);
        }
        let mut residents: Vec<ResidentRow> = found
            .iter()
            .map(|e| ResidentRow::of_roster(e, today))
            .collect();
        sort(&mut residents);
        let truncated = residents.len() > limit;
        residents.truncate(limit);
        self.inner
            .seen
            .remember(residents.iter().filter_map(ResidentRow::subject));
        Ok(ResidentList {
            residents,
            truncated,
            roster: Some(RosterAge::new(info.as_of, info.refreshed_at, today)),
        })
    }

    /// Remembers the residents of an online search as this session's possible targets.
    pub(crate) fn remember_summaries(&self, rows: &[ResidentSummary]) {
        self.inner
            .seen
            .remember(rows.iter().map(CaseSubject::of_summary));
    }
}

impl Search<'_> {
    /// The counter's resident search: from the union while the line is up, from the offline roster while it
    /// is down (or the session is offline, or the union cannot be reached). Sorted, with age and 和暦; the
    /// rows shown become this session's possible targets.
    pub async fn find_residents(
        &self,
        req: &ResidentSearchRequest,
        today: Date,
    ) -> Result<ResidentList, CounterError> {
        let offline =
            self.ctx.session_mode().offline || self.ctx.line_state() == LineState::Offline;
        if !offline {
            match self.search(req).await {
                Ok(resp) => {
                    let mut residents: Vec<ResidentRow> = resp
                        .residents
                        .iter()
                        .map(|r| ResidentRow::of_summary(r, today))
                        .collect();
                    sort(&mut residents);
                    return Ok(ResidentList {
                        residents,
                        truncated: resp.truncated,
                        roster: None,
                    });
                }
                Err(CounterError::Link(e)) if e.is_line_failure() => {
                    tracing::info!(error = %e, "union unreachable: searching the offline roster");
                }
                Err(e) => return Err(e),
            }
        }
        let result = self.ctx.search_roster(req, today);
        let target = match &result {
            Ok(l) => Some(format!("roster:{}", l.residents.len())),
            Err(_) => Some("roster".to_owned()),
        };
        self.ctx
            .audited(None, Operation::Search, target, result)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use madoguchi_domain::kana::seion_key;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(kana: &str, birth: Date) -> ResidentRow {
        ResidentRow {
            resident_id: None,
            name: None,
            kana: kana.to_owned(),
            birth_date: birth,
            birth_wareki: wareki(birth),
            age: age_on(birth, d(2026, 12, 7)),
            sex: None,
            insured_number: None,
            state: QualificationState::Insured,
            state_ja: "資格あり",
            addressee_number: None,
            address_area: None,
            name_has_gaiji: false,
            sort_key: seion_key(kana).unwrap().as_str().to_owned(),
        }
    }

    #[test]
    fn rows_sort_by_kana_then_birth_date() {
        let mut rows = vec![
            row("ヤマダ タロウ", d(1950, 3, 1)),
            row("スズキ ハナコ", d(1940, 1, 1)),
            row("ヤマダ タロウ", d(1945, 5, 5)),
            row("ヤマタ タロウ", d(1948, 1, 1)),
        ];
        sort(&mut rows);
        let order: Vec<(String, Date)> = rows
            .iter()
            .map(|r| (r.kana.clone(), r.birth_date))
            .collect();
        assert_eq!(
            order,
            vec![
                ("スズキ ハナコ".to_owned(), d(1940, 1, 1)),
                // 清音化: ヤマタ and ヤマダ are one key, so namesakes line up by birth date.
                ("ヤマタ タロウ".to_owned(), d(1948, 1, 1)),
                ("ヤマダ タロウ".to_owned(), d(1945, 5, 5)),
                ("ヤマダ タロウ".to_owned(), d(1950, 3, 1)),
            ]
        );
        assert_eq!(rows[2].age, Some(81));
        assert_eq!(rows[2].birth_wareki, "昭和20年5月5日");
    }

    #[test]
    fn the_roster_age_reads_in_japan_time() {
        // 03:03 UTC is 12:03 in Japan.
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 3, 3, 0).unwrap();
        assert_eq!(
            RosterAge::new(d(2026, 12, 7), at, d(2026, 12, 7)).label_ja,
            "名簿 12:03 時点"
        );
        assert_eq!(
            RosterAge::new(d(2026, 12, 6), at, d(2026, 12, 8)).label_ja,
            "名簿 12月7日 12:03 時点"
        );
    }

    #[test]
    fn rows_redact_in_debug() {
        let mut r = row("ヤマダ タロウ", d(1950, 3, 1));
        r.name = Some("山田 太郎".into());
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("山田") && !dbg.contains("ヤマダ") && !dbg.contains("1950"));
    }
}
