//! The records of the union store. Their `Debug` shows ids only: they carry personal data.

use std::fmt;

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::eligibility::Reason;
use madoguchi_domain::ids::{
    AddresseeNumber, HouseholdNumber, InsuredNumber, InsurerNumber, MunicipalityCode, MyNumber,
};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex, SpecificDisease};
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_domain::money::Yen;
use madoguchi_domain::qualification::{self, Cause, Change};

/// 資格履歴の1件 (the domain's entry, stored as is).
pub type HistoryEntry = qualification::Entry;
use madoguchi_protocol::v1::{
    DocumentId, DocumentState, IssuanceRecord, MailingAddress, NotificationDecision, ResidentId,
    ReturnRecord, Role,
};
use serde::{Deserialize, Serialize};

/// The union's qualification record of one resident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationRecord {
    pub insured_number: InsuredNumber,
    pub acquired_on: Date,
    pub lost_on: Option<Date>,
    pub reason: Reason,
}

/// A resident as the union knows them (from 住基 files and counter notifications).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentRecord {
    pub id: ResidentId,
    pub municipality: MunicipalityCode,
    pub addressee: AddresseeNumber,
    pub household: HouseholdNumber,
    pub name: PersonName,
    pub kana: KanaName,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
    pub mailing_address: Option<MailingAddress>,
    pub my_number: Option<MyNumber>,
    pub on_welfare: bool,
    pub disability_certified_on: Option<Date>,
    pub mynumber_health_card: bool,
    pub moved_in_on: Option<Date>,
    pub moved_out_on: Option<Date>,
    pub died_on: Option<Date>,
    /// 一部負担金の割合 from the latest income assessment.
    pub burden_ratio: BurdenRatio,
    pub limit_category: Option<LimitCategory>,
    pub long_term_hospitalization_on: Option<Date>,
    /// The insured number stays with the person even after a loss (reused on a new acquisition).
    pub insured_number: Option<InsuredNumber>,
    pub qualification: Option<QualificationRecord>,
    /// Newest last.
    pub documents: Vec<DocumentId>,
    /// The 負担割合 判定 behind `burden_ratio` (年度, ratio, reason), kept when an 8/1 reassessment is approved
    /// (`crate::reassess`); absent before the first one (the ratio was the configured default or typed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burden_assessment: Option<BurdenAssessment>,
    /// 資格履歴: every 取得, 変更 and 喪失 with 事由 and 異動日, in the order recorded (never edited). Empty for
    /// records written before it was kept: [`ResidentRecord::history`] then derives it from `qualification`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// 特定疾病区分 and the day it applies from, when recorded (printed on the 資格確認書).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specific_disease: Option<(SpecificDisease, Date)>,
    /// 障害認定申請 審査中: received at a counter, waiting for a 広域連合職員 ([`crate::review`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability_review: Option<PendingReview>,
}

/// A 障害認定申請 waiting for the union's examination, with what is needed to answer the terminal later.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReview {
    /// The idempotency key the terminal sent it with (its later decision is found under it).
    pub idempotency_key: uuid::Uuid,
    pub municipality: MunicipalityCode,
    pub terminal_id: String,
    pub user_id: String,
    pub received_on: Date,
    pub evidence: madoguchi_protocol::v1::DisabilityEvidence,
}

impl fmt::Debug for PendingReview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PendingReview({})", self.idempotency_key)
    }
}

/// `BurdenAssessment` — 負担割合の判定結果: what the counter needs to answer "why is my ratio 2割?".
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurdenAssessment {
    /// 年度 of the income used (賦課年度: 2026 = 令和8年度, income of 2025).
    pub fiscal_year: i32,
    /// 判定日 (the 8/1 the ratio applies from).
    pub effective_on: Date,
    pub ratio: BurdenRatio,
    /// The reason as a tagged value (`madoguchi_rules::BurdenReason` serialised), for screens that render it.
    pub reason: serde_json::Value,
    /// The sentence a clerk reads aloud (`BurdenReason`'s `Display`), e.g. 「世帯の被保険者の課税所得が28万円
    /// 以上で、…のため2割」.
    pub reason_ja: String,
    /// 限度区分 of the same 判定 (`kouki_limit_category`): printed when the person asks for it (任意記載事項).
    pub limit_category: LimitCategory,
    /// Why that 限度区分 (`LimitReason`'s `Display`).
    pub limit_reason_ja: String,
}

impl BurdenAssessment {
    /// The 限度区分 this 判定 gives on `day`, when it is the one behind `ratio` and `day` falls in its year
    /// (8/1 to the next 7/31).
    pub fn limit_on(&self, ratio: BurdenRatio, day: Date) -> Option<LimitCategory> {
        let until = self
            .effective_on
            .checked_add_months(chrono::Months::new(12))?;
        (self.ratio == ratio && self.effective_on <= day && day < until)
            .then_some(self.limit_category)
    }
}

/// `IncomeRecord` — 所得情報: one resident's previous-year income as the union holds it for one 年度.
///
/// Keyed by 賦課年度 (`fiscal_year` 2026 = 令和8年度 = the income of calendar 2025): the 8/1 負担割合 判定 of
/// that year and the 年度's 保険料 use it. Source: until the file-linkage issue brings the municipalities'
/// 所得 files, the synthetic seeder (`crate::seed`). Field meanings are those of `madoguchi_rules::Member`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomeRecord {
    pub resident_id: ResidentId,
    pub fiscal_year: i32,
    /// 課税所得 (住民税の課税標準額).
    pub taxable_income: Yen,
    /// 収入 (基準収入額適用の収入).
    pub gross_income: Yen,
    /// 年金収入 (遺族・障害年金を除く).
    pub pension_income: Yen,
    /// その他の合計所得金額.
    pub other_income: Yen,
    /// 総所得金額等.
    pub total_income: Yen,
    /// 公的年金等に係る所得.
    pub pension_income_amount: Yen,
    /// 給与収入.
    pub salary_income: Yen,
    /// 給与所得.
    pub salary_income_amount: Yen,
    /// 住民税非課税.
    pub non_taxed: bool,
    /// 世帯主 on the 賦課期日 (the 所得 file carries it with the income, for the 軽減判定).
    pub household_head: bool,
}

impl fmt::Debug for IncomeRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IncomeRecord({}, {})",
            self.resident_id, self.fiscal_year
        )
    }
}

impl fmt::Debug for BurdenAssessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BurdenAssessment({}, {:?})",
            self.fiscal_year, self.ratio
        )
    }
}

impl fmt::Debug for ResidentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentRecord({}, {})", self.id, self.municipality)
    }
}

impl ResidentRecord {
    /// The qualification in force on `on` (acquired on or before it, not lost by then), from the history:
    /// a 転出 recorded ahead leaves the person insured through the moving day (喪失予定), a 75歳到達 decided
    /// ahead is not in force before the birthday (取得予定).
    pub fn active_qualification(&self, on: Date) -> Option<QualificationRecord> {
        let history = self.history();
        let p = qualification::period_on(&history, on)?;
        let number = history
            .iter()
            .rev()
            .find(|e| e.on <= on.max(p.from))
            .map(|e| e.insured_number.clone())
            .or_else(|| self.insured_number.clone())?;
        Some(QualificationRecord {
            insured_number: number,
            acquired_on: p.from,
            lost_on: p.until,
            reason: acquisition_reason(p.acquired_by),
        })
    }

    /// The state of the qualification on `on` (資格あり, 喪失予定, 取得予定, 喪失, なし).
    pub fn qualification_status(&self, on: Date) -> qualification::Status {
        qualification::status_on(&self.history(), on)
    }

    /// The 資格履歴: the stored one, or for older records the one their qualification implies.
    pub fn history(&self) -> std::borrow::Cow<'_, [HistoryEntry]> {
        if !self.history.is_empty() {
            return std::borrow::Cow::Borrowed(&self.history);
        }
        let Some(q) = &self.qualification else {
            return std::borrow::Cow::Borrowed(&[]);
        };
        let mut h = vec![HistoryEntry {
            change: Change::Acquired,
            cause: cause_of(q.reason),
            on: q.acquired_on,
            recorded_on: q.acquired_on,
            insured_number: q.insured_number.clone(),
        }];
        if let Some(lost) = q.lost_on {
            h.push(HistoryEntry {
                change: Change::Lost,
                cause: cause_of(q.reason),
                on: lost,
                recorded_on: lost,
                insured_number: q.insured_number.clone(),
            });
        }
        std::borrow::Cow::Owned(h)
    }

    /// Records one change (dated `on`, recorded `today`) in the history and keeps `qualification` (the latest
    /// period, what the terminal shows) in step.
    pub fn record(
        &mut self,
        change: Change,
        cause: Cause,
        on: Date,
        today: Date,
        number: InsuredNumber,
    ) {
        if self.history.is_empty() {
            self.history = self.history().into_owned();
        }
        self.insured_number = Some(number.clone());
        self.history.push(HistoryEntry {
            change,
            cause,
            on,
            recorded_on: today,
            insured_number: number.clone(),
        });
        match change {
            Change::Acquired => {
                self.qualification = Some(QualificationRecord {
                    insured_number: number,
                    acquired_on: on,
                    lost_on: None,
                    reason: acquisition_reason(cause),
                });
            }
            Change::Lost => {
                if let Some(q) = self.qualification.as_mut() {
                    q.lost_on = Some(on);
                    q.reason = loss_reason(cause);
                }
            }
            Change::Changed => {}
        }
    }
}

/// The 判定理由 the terminal shows for an acquisition cause.
fn acquisition_reason(c: Cause) -> Reason {
    match c {
        Cause::Age75 => Reason::Age75,
        Cause::DisabilityCertified => Reason::DisabilityCertified,
        Cause::WelfareEnded => Reason::WelfareEnded,
        _ => Reason::MovedIn,
    }
}

/// The 判定理由 the terminal shows for a loss cause.
fn loss_reason(c: Cause) -> Reason {
    match c {
        Cause::Death => Reason::LostDeath,
        Cause::WelfareStarted => Reason::LostWelfare,
        _ => Reason::LostMovedOut,
    }
}

/// The 異動事由 of a stored 判定理由 (older records).
fn cause_of(r: Reason) -> Cause {
    match r {
        Reason::Age75 => Cause::Age75,
        Reason::DisabilityCertified => Cause::DisabilityCertified,
        Reason::WelfareEnded => Cause::WelfareEnded,
        Reason::LostDeath => Cause::Death,
        Reason::LostWelfare => Cause::WelfareStarted,
        Reason::LostMovedOut => Cause::MovedOut,
        _ => Cause::MovedIn,
    }
}

/// One document, with the facts printed on it frozen at decision time.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub id: DocumentId,
    pub resident_id: ResidentId,
    pub municipality: MunicipalityCode,
    pub kind: DocumentKind,
    pub insured_number: InsuredNumber,
    pub insurer_number: InsurerNumber,
    pub name: PersonName,
    pub kana: KanaName,
    pub birth_date: Date,
    pub sex: Sex,
    pub acquired_on: Date,
    pub valid_from: Date,
    pub valid_until: Date,
    pub issue_date: Date,
    pub burden_ratio: BurdenRatio,
    pub limit_category: Option<LimitCategory>,
    pub long_term_hospitalization_on: Option<Date>,
    pub mailing_address: Option<MailingAddress>,
    /// 特定疾病区分 printed (frozen at decision time like the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specific_disease: Option<(SpecificDisease, Date)>,
    pub state: DocumentState,
    pub issuance: Option<IssuanceRecord>,
    pub returned: Option<ReturnRecord>,
}

impl fmt::Debug for DocumentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentRecord({}, {:?})", self.id, self.state)
    }
}

/// A staff user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecord {
    pub user_id: String,
    pub display_name: String,
    pub municipality: MunicipalityCode,
    pub roles: Vec<Role>,
    pub my_number_permission: bool,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// 失効: the ID was revoked (transfer, retirement; N:3951–3954). Kept, never reused.
    #[serde(default)]
    pub disabled: bool,
    /// Rights with validity periods (see `crate::accounts`); `roles` and `my_number_permission` above are
    /// rights without a period (older records, the CLI, training accounts).
    #[serde(default)]
    pub grants: Vec<madoguchi_protocol::v1::Grant>,
    /// Set at creation and on an administrator's reset: the next sign-in must change the password first.
    #[serde(default)]
    pub must_change_password: Option<madoguchi_protocol::v1::PasswordChangeReason>,
    /// When the password was last set (none for older records: their age is unknown, so it never expires).
    #[serde(default)]
    pub password_changed_at: Option<DateTime<Utc>>,
    /// Argon2id PHC strings of earlier passwords, newest first (the reuse rule).
    #[serde(default)]
    pub password_history: Vec<String>,
    /// When the account was revoked.
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// A municipality's account or the union's own; rights that do not fit it never take effect.
    #[serde(default)]
    pub scope: madoguchi_protocol::accounts::StaffScope,
}

impl fmt::Debug for StaffRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StaffRecord({})", self.user_id)
    }
}

/// What is kept for an idempotency key: the fingerprint of the request and the decision answered.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// SHA-256 of the canonical request JSON, hex.
    pub request_hash: String,
    pub decision: NotificationDecision,
}

/// Entry of the insert-only decision ledger.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub decision: NotificationDecision,
    pub terminal_id: String,
    pub user_id: String,
    pub received_on: Date,
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::qualification::Status;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn resident(q: Option<QualificationRecord>) -> ResidentRecord {
        ResidentRecord {
            id: ResidentId(uuid::Uuid::from_u128(1)),
            municipality: "152111".parse().expect("code"),
            addressee: AddresseeNumber::parse("1000000001").expect("addressee"),
            household: HouseholdNumber::parse("1000000001").expect("household"),
            name: PersonName::parse("見本　花子").expect("name"),
            kana: KanaName::parse("ミホン　ハナコ").expect("kana"),
            birth_date: d(1951, 12, 20),
            sex: Sex::Female,
            address: "見本市".into(),
            mailing_address: None,
            my_number: None,
            on_welfare: false,
            disability_certified_on: None,
            mynumber_health_card: false,
            moved_in_on: None,
            moved_out_on: None,
            died_on: None,
            burden_ratio: BurdenRatio::One,
            limit_category: None,
            long_term_hospitalization_on: None,
            insured_number: q.as_ref().map(|q| q.insured_number.clone()),
            qualification: q,
            documents: Vec::new(),
            burden_assessment: None,
            history: Vec::new(),
            specific_disease: None,
            disability_review: None,
        }
    }

    #[test]
    fn a_record_written_before_the_history_answers_from_its_qualification() {
        let number = InsuredNumber::parse("12345678").expect("number");
        let r = resident(Some(QualificationRecord {
            insured_number: number.clone(),
            acquired_on: d(2026, 12, 20),
            lost_on: Some(d(2027, 1, 11)),
            reason: Reason::LostMovedOut,
        }));
        assert!(r.active_qualification(d(2026, 12, 19)).is_none());
        let q = r.active_qualification(d(2027, 1, 10)).expect("insured");
        assert_eq!(
            (q.acquired_on, q.lost_on),
            (d(2026, 12, 20), Some(d(2027, 1, 11)))
        );
        assert!(r.active_qualification(d(2027, 1, 11)).is_none());
    }

    #[test]
    fn recording_keeps_the_latest_period_and_answers_each_day_from_the_history() {
        let number = InsuredNumber::parse("12345678").expect("number");
        let mut r = resident(None);
        let today = d(2026, 11, 21);
        r.record(
            Change::Acquired,
            Cause::Age75,
            d(2026, 12, 20),
            today,
            number.clone(),
        );
        assert_eq!(
            r.qualification_status(today),
            Status::AcquisitionScheduled {
                from: d(2026, 12, 20)
            }
        );
        r.record(
            Change::Lost,
            Cause::WelfareStarted,
            d(2027, 2, 1),
            today,
            number.clone(),
        );
        r.record(
            Change::Acquired,
            Cause::WelfareEnded,
            d(2027, 7, 1),
            today,
            number.clone(),
        );
        // The latest period is what the terminal shows; earlier days are answered from the history.
        let latest = r.qualification.clone().expect("latest");
        assert_eq!(
            (latest.acquired_on, latest.reason),
            (d(2027, 7, 1), Reason::WelfareEnded)
        );
        let january = r
            .active_qualification(d(2027, 1, 15))
            .expect("first period");
        assert_eq!(january.acquired_on, d(2026, 12, 20));
        assert_eq!(january.lost_on, Some(d(2027, 2, 1)));
        assert!(r.active_qualification(d(2027, 3, 1)).is_none());
        assert_eq!(r.history.len(), 3);
    }
}
