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
    /// 被保険者番号 (insured number) of the qualification.
    pub insured_number: InsuredNumber,
    /// 資格取得日 (day the qualification was acquired).
    pub acquired_on: Date,
    /// 資格喪失日 (day it was lost), when lost or scheduled to be lost.
    pub lost_on: Option<Date>,
    /// 判定理由 the terminal shows: the acquisition cause, or the loss cause once lost.
    pub reason: Reason,
}

/// A resident as the union knows them (from 住基 files and counter notifications).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentRecord {
    /// The union's id of the resident.
    pub id: ResidentId,
    /// 市区町村コード (municipality code) of the municipality the resident lives in.
    pub municipality: MunicipalityCode,
    /// 宛名番号 (addressee number) in that municipality's 住基.
    pub addressee: AddresseeNumber,
    /// 世帯番号 (household number) in that municipality's 住基.
    pub household: HouseholdNumber,
    /// 氏名 (name).
    pub name: PersonName,
    /// カナ氏名 (name in kana), also the search key.
    pub kana: KanaName,
    /// 生年月日 (date of birth).
    pub birth_date: Date,
    /// 性別 (sex).
    pub sex: Sex,
    /// 住所 (address) as registered.
    pub address: String,
    /// 送付先 (mailing address), when documents go elsewhere than the address.
    pub mailing_address: Option<MailingAddress>,
    /// 個人番号 (My Number), when linked; shown only with the permission.
    pub my_number: Option<MyNumber>,
    /// 生活保護受給中 (on public assistance: 適用除外, not insured).
    pub on_welfare: bool,
    /// 障害認定日 (day of the disability certification), when certified.
    pub disability_certified_on: Option<Date>,
    /// マイナ保険証 registered (decides 資格確認書 vs 資格情報のお知らせ under the union policy).
    pub mynumber_health_card: bool,
    /// 転入日 (day moved in), when known.
    pub moved_in_on: Option<Date>,
    /// 転出日 (day moved out), when recorded.
    pub moved_out_on: Option<Date>,
    /// 死亡日 (day of death), when recorded.
    pub died_on: Option<Date>,
    /// 一部負担金の割合 from the latest income assessment.
    pub burden_ratio: BurdenRatio,
    /// 限度区分 (任意記載事項), when recorded.
    pub limit_category: Option<LimitCategory>,
    /// 長期入院該当日 (任意記載事項), when recorded.
    pub long_term_hospitalization_on: Option<Date>,
    /// The insured number stays with the person even after a loss (reused on a new acquisition).
    pub insured_number: Option<InsuredNumber>,
    /// The latest qualification period (what the terminal shows); earlier ones are in `history`.
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
    /// 市区町村コード of the municipality whose terminal sent it (the answer is scoped to it).
    pub municipality: MunicipalityCode,
    /// The terminal that sent it.
    pub terminal_id: String,
    /// The staff user who entered it.
    pub user_id: String,
    /// 受付日 (day received).
    pub received_on: Date,
    /// The evidence submitted with the 申請 (what the examiner looks at).
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
    /// 一部負担金の割合 (burden ratio) decided.
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
    /// The resident the income belongs to.
    pub resident_id: ResidentId,
    /// 賦課年度 (fiscal year of assessment) the income is used for.
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
    /// The document's id.
    pub id: DocumentId,
    /// The resident it was issued to.
    pub resident_id: ResidentId,
    /// 市区町村コード of the resident's municipality when decided.
    pub municipality: MunicipalityCode,
    /// Which document (資格確認書, 資格情報のお知らせ, …).
    pub kind: DocumentKind,
    /// 被保険者番号 (insured number) printed.
    pub insured_number: InsuredNumber,
    /// 保険者番号 (insurer number) printed.
    pub insurer_number: InsurerNumber,
    /// 氏名 (name) printed.
    pub name: PersonName,
    /// カナ氏名 (name in kana) printed.
    pub kana: KanaName,
    /// 生年月日 (date of birth) printed.
    pub birth_date: Date,
    /// 性別 (sex) printed.
    pub sex: Sex,
    /// 資格取得日 (day the qualification was acquired) printed.
    pub acquired_on: Date,
    /// 有効開始日 (first day of validity).
    pub valid_from: Date,
    /// 有効期限 (last day of validity).
    pub valid_until: Date,
    /// 交付年月日 (issue date) printed.
    pub issue_date: Date,
    /// 一部負担金の割合 (burden ratio) printed.
    pub burden_ratio: BurdenRatio,
    /// 限度区分 printed (任意記載事項), when any.
    pub limit_category: Option<LimitCategory>,
    /// 長期入院該当日 printed (任意記載事項), when any.
    pub long_term_hospitalization_on: Option<Date>,
    /// 送付先 (mailing address) the document goes to, when not the address.
    pub mailing_address: Option<MailingAddress>,
    /// 特定疾病区分 printed (frozen at decision time like the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specific_disease: Option<(SpecificDisease, Date)>,
    /// Where the document stands (to issue, issued, to return, returned, lost, voided).
    pub state: DocumentState,
    /// 交付 (issuance) record, once handed over or mailed.
    pub issuance: Option<IssuanceRecord>,
    /// 回収 (return) record, once handed back.
    pub returned: Option<ReturnRecord>,
}

impl DocumentRecord {
    /// A union document, still to be handed over (交付待ち), for print data decided outside a stored
    /// document: the 8/1 負担割合変更 and a distribution that froze its print data (一斉更新).
    pub(crate) fn to_issue(d: &madoguchi_protocol::v1::DocumentData, r: &ResidentRecord) -> Self {
        DocumentRecord {
            id: d.document_id,
            resident_id: r.id,
            municipality: r.municipality,
            kind: d.kind,
            insured_number: d.insured_number.clone(),
            insurer_number: d.insurer_number.clone(),
            name: d.name.clone(),
            kana: d.kana.clone(),
            birth_date: d.birth_date,
            sex: d.sex,
            acquired_on: d.acquired_on,
            valid_from: d.valid_from,
            valid_until: d.valid_until,
            issue_date: d.issue_date,
            burden_ratio: d.burden_ratio,
            limit_category: d.limit_category,
            long_term_hospitalization_on: d.long_term_hospitalization_on,
            mailing_address: d.mailing_address.clone(),
            specific_disease: d.specific_disease,
            state: DocumentState::ToIssue,
            issuance: None,
            returned: None,
        }
    }
}

impl fmt::Debug for DocumentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentRecord({}, {:?})", self.id, self.state)
    }
}

/// A staff user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecord {
    /// 職員ID (staff user id), the sign-in name.
    pub user_id: String,
    /// Name shown on screens and in the audit.
    pub display_name: String,
    /// 市区町村コード of the municipality the staff member works for.
    pub municipality: MunicipalityCode,
    /// Roles without a validity period (see `grants` for dated ones).
    pub roles: Vec<Role>,
    /// May see 個人番号 (My Number), without a validity period.
    pub my_number_permission: bool,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Failed sign-ins in a row (reset on success); reaching the limit locks the account.
    pub failed_attempts: u32,
    /// Sign-in refused until then after too many failures.
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
    /// The decision answered (answered again for a repeated request).
    pub decision: NotificationDecision,
}

/// Entry of the insert-only decision ledger.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The decision made.
    pub decision: NotificationDecision,
    /// The terminal that sent the notification.
    pub terminal_id: String,
    /// The staff user who entered it.
    pub user_id: String,
    /// 受付日 (day received).
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
