//! The typed data of each document kind. The union server (or the counter use cases) fill these; the
//! renderer asks them for formatted item values (和暦 dates, 「1割」, grouped yen).
//!
//! All structs hold personal data: their `Debug` is redacted.

use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, InsurerNumber};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex};
use madoguchi_domain::kana::PersonName;
use madoguchi_domain::money::Yen;
use madoguchi_domain::wareki::WarekiDate;

use crate::items::{ItemKey, ItemValue};
use crate::kind::PrintKind;
use crate::render::{DocumentRecord, RecordProblem};

/// 有効期間 of a 資格確認書: at most five years, set by the insurer (domain-anchors §1.6, A3).
fn check_validity(effective: Date, expiry: Date) -> Result<(), RecordProblem> {
    if expiry < effective {
        return Err(RecordProblem::ExpiryBeforeEffective);
    }
    // Five years from the effective date: the day before the fifth anniversary is the last valid day.
    let limit = effective
        .checked_add_months(chrono::Months::new(60))
        .unwrap_or(Date::MAX);
    if expiry >= limit {
        return Err(RecordProblem::ValidityOverFiveYears);
    }
    Ok(())
}

/// 和暦 as printed: 「昭和26年12月1日」. Days before 明治6年 (which no insured person has) fall back to the
/// Gregorian form rather than failing the job.
pub fn wareki(date: Date) -> String {
    match WarekiDate::from_date(date) {
        Ok(w) => w.to_string(),
        Err(_) => date.format("%Y年%-m月%-d日").to_string(),
    }
}

/// 「令和8年度」 for the fiscal year starting on April 1 of `year`.
pub fn fiscal_year_ja(year: i32) -> String {
    match Date::from_ymd_opt(year, 4, 1).map(WarekiDate::from_date) {
        Some(Ok(w)) => {
            let s = w.year_month();
            // year_month() is 「令和8年4月」; the 年度 form drops the month.
            match s.find('年') {
                Some(i) => format!("{}年度", &s[..i]),
                None => format!("{year}年度"),
            }
        }
        _ => format!("{year}年度"),
    }
}

fn line(s: impl Into<String>) -> Option<ItemValue> {
    Some(ItemValue::Line(s.into()))
}

fn yen(y: Yen) -> String {
    format!("{}円", y.grouped())
}

macro_rules! redacted_debug {
    ($ty:ty) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($ty), "(<redacted>)"))
            }
        }
    };
}

/// 特定疾病区分 (任意記載事項): the one enum of the domain.
pub use madoguchi_domain::insurance::SpecificDisease;

/// 任意記載事項: printed on application (domain-anchors §1.6: 限度区分＋発効期日, 長期入院該当日,
/// 特定疾病区分＋発効期日).
#[derive(Clone, Default, PartialEq)]
pub struct OptionalEntries {
    /// 限度区分 and the day it takes effect.
    pub limit_category: Option<(LimitCategory, Date)>,
    /// 長期入院該当日 (区分Ⅱ, more than 90 days in hospital).
    pub long_stay_date: Option<Date>,
    /// 特定疾病区分 and the day it takes effect.
    pub specific_disease: Option<(SpecificDisease, Date)>,
}
redacted_debug!(OptionalEntries);

impl OptionalEntries {
    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        match key {
            ItemKey::LimitCategory => self.limit_category.and_then(|(c, _)| line(c.label_ja())),
            ItemKey::LimitCategoryEffectiveDate => {
                self.limit_category.and_then(|(_, d)| line(wareki(d)))
            }
            ItemKey::LongStayDate => self.long_stay_date.and_then(|d| line(wareki(d))),
            ItemKey::SpecificDisease => self.specific_disease.and_then(|(s, _)| line(s.label_ja())),
            ItemKey::SpecificDiseaseEffectiveDate => {
                self.specific_disease.and_then(|(_, d)| line(wareki(d)))
            }
            _ => None,
        }
    }
}

/// 資格確認書 (card or はがき size, chosen by the layout).
#[derive(Clone, PartialEq)]
pub struct QualificationCertificate {
    /// 氏名 (may hold 「●」 for a 外字 not yet identified).
    pub name: PersonName,
    /// 生年月日
    pub birth_date: Date,
    /// 性別 (printed where the union's layout has it)
    pub sex: Sex,
    /// 被保険者番号
    pub insured_number: InsuredNumber,
    /// 資格取得年月日
    pub acquisition_date: Date,
    /// 発効期日
    pub effective_date: Date,
    /// 交付年月日
    pub issue_date: Date,
    /// 有効期限 (at most 5 years, set by the union)
    pub expiry_date: Date,
    /// 一部負担金の割合
    pub burden_ratio: BurdenRatio,
    /// 保険者番号
    pub insurer_number: InsurerNumber,
    /// 保険者の名称 (e.g. 「見本県後期高齢者医療広域連合」)
    pub insurer_name: String,
    /// 任意記載事項
    pub optional: OptionalEntries,
}
redacted_debug!(QualificationCertificate);

impl DocumentRecord for QualificationCertificate {
    fn kind(&self) -> PrintKind {
        PrintKind::QualificationCertificate
    }

    fn validate(&self) -> Result<(), RecordProblem> {
        if !DocumentKind::ShikakuKakuninsho.issuable_on(self.issue_date) {
            return Err(RecordProblem::IssuedBeforeCertificatesExisted);
        }
        if self.effective_date < self.acquisition_date {
            return Err(RecordProblem::EffectiveBeforeAcquisition);
        }
        check_validity(self.effective_date, self.expiry_date)
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        match key {
            ItemKey::Name => line(self.name.as_str()),
            ItemKey::BirthDate => line(wareki(self.birth_date)),
            ItemKey::Sex => line(self.sex.label_ja()),
            ItemKey::InsuredNumber => line(self.insured_number.as_str()),
            ItemKey::AcquisitionDate => line(wareki(self.acquisition_date)),
            ItemKey::EffectiveDate => line(wareki(self.effective_date)),
            ItemKey::IssueDate => line(wareki(self.issue_date)),
            ItemKey::ExpiryDate => line(wareki(self.expiry_date)),
            ItemKey::BurdenRatio => line(self.burden_ratio.label_ja()),
            ItemKey::InsurerNumber => line(self.insurer_number.to_string()),
            ItemKey::InsurerName => line(self.insurer_name.clone()),
            other => self.optional.item(other),
        }
    }
}

/// 資格情報のお知らせ (A4 with a card-size cut-off part), for マイナ保険証 holders.
#[derive(Clone, PartialEq)]
pub struct QualificationNotice {
    /// 氏名.
    pub name: PersonName,
    /// 生年月日.
    pub birth_date: Date,
    /// 性別.
    pub sex: Sex,
    /// 被保険者番号.
    pub insured_number: InsuredNumber,
    /// 資格取得年月日.
    pub acquisition_date: Date,
    /// 一部負担金の割合.
    pub burden_ratio: BurdenRatio,
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 保険者の名称.
    pub insurer_name: String,
    /// 交付年月日
    pub issue_date: Date,
    /// 有効期限: none for 国保 under 70 (domain-anchors §1.7).
    pub expiry_date: Option<Date>,
    /// 任意記載事項.
    pub optional: OptionalEntries,
}
redacted_debug!(QualificationNotice);

impl DocumentRecord for QualificationNotice {
    fn kind(&self) -> PrintKind {
        PrintKind::QualificationNotice
    }

    fn validate(&self) -> Result<(), RecordProblem> {
        if !DocumentKind::ShikakuJohoOshirase.issuable_on(self.issue_date) {
            return Err(RecordProblem::IssuedBeforeCertificatesExisted);
        }
        match self.expiry_date {
            Some(expiry) if expiry < self.issue_date => Err(RecordProblem::ExpiryBeforeEffective),
            _ => Ok(()),
        }
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        match key {
            ItemKey::Name => line(self.name.as_str()),
            ItemKey::BirthDate => line(wareki(self.birth_date)),
            ItemKey::Sex => line(self.sex.label_ja()),
            ItemKey::InsuredNumber => line(self.insured_number.as_str()),
            ItemKey::AcquisitionDate => line(wareki(self.acquisition_date)),
            ItemKey::IssueDate => line(wareki(self.issue_date)),
            ItemKey::ExpiryDate => self.expiry_date.and_then(|d| line(wareki(d))),
            ItemKey::BurdenRatio => line(self.burden_ratio.label_ja()),
            ItemKey::InsurerNumber => line(self.insurer_number.to_string()),
            ItemKey::InsurerName => line(self.insurer_name.clone()),
            other => self.optional.item(other),
        }
    }
}

/// 受付番号 of a queued notification: printable ASCII, 1–40 characters (it is also QR-encoded).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReceiptNumber(String);

impl ReceiptNumber {
    /// Checks a 受付番号 (ASCII letters, digits and '-').
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err("a receipt number is 1–40 characters of A–Z, 0–9 and '-'".into())
        }
    }
    /// The number as printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ReceiptNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not personal data on its own: it identifies a queue entry, not a person.
        write!(f, "ReceiptNumber({})", self.0)
    }
}

/// 届出の種類 accepted at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// 転入 (資格取得)
    MoveIn,
    /// 再交付
    Reissue,
    /// 記載事項変更 (氏名・住所)
    Change,
    /// 障害認定申請 (65–74)
    DisabilityCertification,
    /// 資格喪失 (転出・死亡)
    Loss,
    /// 送付先変更
    MailingAddress,
    /// 限度区分の記載申請 (任意記載事項)
    LimitCategoryApplication,
    /// 県内転居の届出
    MoveWithinUnion,
    /// 生活保護開始・廃止の届出
    Welfare,
}

/// The 受付控's wording for each kind the counter takes (both 資格喪失 read as one 届出).
impl From<madoguchi_domain::NotificationKind> for NotificationKind {
    fn from(k: madoguchi_domain::NotificationKind) -> Self {
        use madoguchi_domain::NotificationKind as K;
        match k {
            K::AcquisitionMoveIn => Self::MoveIn,
            K::AcquisitionDisability => Self::DisabilityCertification,
            K::Reissue => Self::Reissue,
            K::ChangeOfParticulars => Self::Change,
            K::LossMoveOut | K::LossDeath => Self::Loss,
            K::MailingAddressChange => Self::MailingAddress,
            K::OptionalEntries => Self::LimitCategoryApplication,
            K::MoveWithinUnion => Self::MoveWithinUnion,
            K::WelfareStarted | K::WelfareEnded => Self::Welfare,
        }
    }
}

impl NotificationKind {
    /// The wording on the 受付控.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::MoveIn => "資格取得（転入）の届出",
            Self::Reissue => "資格確認書の再交付申請",
            Self::Change => "記載事項変更の届出",
            Self::DisabilityCertification => "障害認定申請",
            Self::Loss => "資格喪失の届出",
            Self::MailingAddress => "送付先変更の届出",
            Self::LimitCategoryApplication => "任意記載事項（限度区分等）の記載申請",
            Self::MoveWithinUnion => "県内転居の届出",
            Self::Welfare => "生活保護の開始・廃止の届出",
        }
    }
}

/// 受付控: the resident's receipt for a notification queued while the line to the union is down.
#[derive(Clone, PartialEq)]
pub struct ReceptionReceipt {
    /// 受付番号.
    pub receipt_number: ReceiptNumber,
    /// 受付日時 (local time at the counter)
    pub received_at: chrono::NaiveDateTime,
    /// 届出の種類.
    pub notification: NotificationKind,
    /// 届出人の氏名 (optional on the receipt)
    pub name: Option<PersonName>,
    /// 受け付けた市区町村（窓口）
    pub municipality_name: String,
}
redacted_debug!(ReceptionReceipt);

impl DocumentRecord for ReceptionReceipt {
    fn kind(&self) -> PrintKind {
        PrintKind::ReceptionReceipt
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        match key {
            ItemKey::ReceiptNumber => line(self.receipt_number.as_str()),
            ItemKey::ReceivedAt => {
                let d = wareki(self.received_at.date());
                line(format!("{d} {}", self.received_at.format("%-H時%M分")))
            }
            ItemKey::NotificationKind => line(self.notification.label_ja()),
            ItemKey::Name => self.name.as_ref().and_then(|n| line(n.as_str())),
            ItemKey::MunicipalityName => line(self.municipality_name.clone()),
            _ => None,
        }
    }
}

/// Who took the document at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// 本人
    Insured,
    /// 同一世帯の者
    SameHousehold,
    /// 代理人 (委任状)
    Proxy,
}

impl Recipient {
    /// The wording on the receipt.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Insured => "本人",
            Self::SameHousehold => "同一世帯の方",
            Self::Proxy => "代理人（委任状あり）",
        }
    }
}

/// 交付・回収 受領書: which document was handed over, which old one came back (証回収管理).
#[derive(Clone, PartialEq)]
pub struct HandoverReceipt {
    /// 氏名.
    pub name: PersonName,
    /// 被保険者番号.
    pub insured_number: InsuredNumber,
    /// 交付日.
    pub handover_date: Date,
    /// 交付した書類
    pub issued: DocumentKind,
    /// 回収した書類 (`None`: nothing returned)
    pub returned: Option<DocumentKind>,
    /// Who received it.
    pub recipient: Recipient,
    /// 市区町村名.
    pub municipality_name: String,
}
redacted_debug!(HandoverReceipt);

impl DocumentRecord for HandoverReceipt {
    fn kind(&self) -> PrintKind {
        PrintKind::HandoverReceipt
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        match key {
            ItemKey::Name => line(self.name.as_str()),
            ItemKey::InsuredNumber => line(self.insured_number.as_str()),
            ItemKey::HandoverDate => line(wareki(self.handover_date)),
            ItemKey::IssuedDocument => line(self.issued.name_ja()),
            ItemKey::ReturnedDocument => line(self.returned.map(|d| d.name_ja()).unwrap_or("なし")),
            ItemKey::Recipient => line(self.recipient.label_ja()),
            ItemKey::MunicipalityName => line(self.municipality_name.clone()),
            _ => None,
        }
    }
}

/// 徴収方法.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionMethod {
    /// 特別徴収 (年金からの天引き)
    Special,
    /// 普通徴収 (納付書・口座振替)
    Ordinary,
}

impl CollectionMethod {
    /// The wording on the notice.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Special => "特別徴収（年金からのお支払い）",
            Self::Ordinary => "普通徴収（納付書・口座振替）",
        }
    }
}

/// One 納期 and its amount.
#[derive(Clone, PartialEq)]
pub struct Instalment {
    /// 「第1期（7月）」
    pub label: String,
    /// 金額.
    pub amount: Yen,
}

/// 保険料額決定通知書 (A4), sent by the municipality mid-July (domain-anchors §1.9).
#[derive(Clone, PartialEq)]
pub struct PremiumNotice {
    /// 氏名.
    pub name: PersonName,
    /// 住所 (for the window envelope), if printed.
    pub address: Option<String>,
    /// 被保険者番号.
    pub insured_number: InsuredNumber,
    /// 通知日.
    pub notice_date: Date,
    /// 年度 (the year in which the fiscal year starts on April 1)
    pub fiscal_year: i32,
    /// 算定の基礎となる所得金額
    pub income_basis: Yen,
    /// 均等割額
    pub per_capita: Yen,
    /// 所得割額
    pub income_based: Yen,
    /// 年間保険料額 (after 軽減; not necessarily per_capita + income_based)
    pub annual_premium: Yen,
    /// 徴収方法.
    pub collection: CollectionMethod,
    /// 納期ごとの金額.
    pub instalments: Vec<Instalment>,
    /// 通知者 (e.g. 「見本市長」)
    pub issuer_name: String,
}
redacted_debug!(PremiumNotice);

impl DocumentRecord for PremiumNotice {
    fn kind(&self) -> PrintKind {
        PrintKind::PremiumNotice
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        match key {
            ItemKey::Name => line(format!("{}　様", self.name.as_str())),
            ItemKey::Address => self.address.as_ref().and_then(|a| line(a.clone())),
            ItemKey::InsuredNumber => line(self.insured_number.as_str()),
            ItemKey::NoticeDate => line(wareki(self.notice_date)),
            ItemKey::FiscalYear => line(fiscal_year_ja(self.fiscal_year)),
            ItemKey::IncomeBasis => line(yen(self.income_basis)),
            ItemKey::PerCapitaAmount => line(yen(self.per_capita)),
            ItemKey::IncomeBasedAmount => line(yen(self.income_based)),
            ItemKey::AnnualPremium => line(yen(self.annual_premium)),
            ItemKey::CollectionMethod => line(self.collection.label_ja()),
            ItemKey::Instalments if !self.instalments.is_empty() => Some(ItemValue::Lines(
                self.instalments
                    .iter()
                    .map(|i| format!("{}　{}", i.label, yen(i.amount)))
                    .collect(),
            )),
            ItemKey::InsurerName => line(self.issuer_name.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn wareki_formats_era_boundaries() {
        assert_eq!(wareki(d(1951, 12, 1)), "昭和26年12月1日");
        assert_eq!(wareki(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(wareki(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(wareki(d(1989, 1, 8)), "平成元年1月8日");
    }

    #[test]
    fn fiscal_year_is_era_year() {
        assert_eq!(fiscal_year_ja(2026), "令和8年度");
        assert_eq!(fiscal_year_ja(2019), "平成31年度");
    }

    #[test]
    fn certificate_dates_must_be_consistent() {
        let mut c = crate::sample::sample_certificate();
        assert_eq!(c.validate(), Ok(()));
        c.issue_date = d(2024, 12, 1);
        assert_eq!(
            c.validate(),
            Err(RecordProblem::IssuedBeforeCertificatesExisted)
        );
        c.issue_date = d(2024, 12, 2);
        assert_eq!(c.validate(), Ok(()));
        c.expiry_date = d(2026, 7, 31);
        assert_eq!(c.validate(), Err(RecordProblem::ExpiryBeforeEffective));
        c.expiry_date = d(2031, 7, 31); // effective 2026-08-01: exactly five years
        assert_eq!(c.validate(), Ok(()));
        c.expiry_date = d(2031, 8, 1);
        assert_eq!(c.validate(), Err(RecordProblem::ValidityOverFiveYears));
        c.expiry_date = d(2027, 7, 31);
        c.effective_date = d(2024, 3, 14); // the day before acquisition
        assert_eq!(c.validate(), Err(RecordProblem::EffectiveBeforeAcquisition));
    }

    #[test]
    fn receipt_number_is_restricted() {
        assert!(ReceiptNumber::parse("U-2026-0001").is_ok());
        assert!(ReceiptNumber::parse("").is_err());
        assert!(ReceiptNumber::parse("山田").is_err());
    }
}
