//! Notifications (届出) of `/v1`: the request, each kind's details, and the union's decision with the
//! documents it issues or asks back.

use super::*;

/// `POST /v1/notifications` with header `Idempotency-Key: <uuid>`. The same key with the same body returns
/// the same decision and has one effect; the same key with another body is refused (409).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationRequest {
    /// 受付日: the day the counter accepted the notification (from 2008-04-01, the start of the scheme).
    #[serde(deserialize_with = "crate::checked::receipt_date")]
    pub received_on: Date,
    /// What is notified.
    pub notification: Notification,
}

/// The 後期 notifications the counter takes (BRIEF flows 1 and 2).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(
    tag = "kind",
    content = "details",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum Notification {
    /// 資格取得（転入）: moved in from another prefecture.
    AcquisitionMoveIn(MoveIn),
    /// 資格取得（障害認定）: 65–74 with a disability, certified by the union on the day received.
    AcquisitionDisability(DisabilityApplication),
    /// 再交付: the document was lost or damaged.
    Reissue(Reissue),
    /// 記載事項変更: name or address changed.
    ChangeOfParticulars(ChangeOfParticulars),
    /// 資格喪失（転出）: left the prefecture; lost the next day.
    LossMoveOut(MoveOut),
    /// 資格喪失（死亡）: lost the next day.
    LossDeath(Death),
    /// 送付先変更.
    MailingAddressChange(MailingAddressChange),
    /// 任意記載事項: 限度区分 etc. printed on the 資格確認書 on application.
    OptionalEntries(OptionalEntries),
}

/// The kind of a notification, as a stable code (one enum for every crate: `madoguchi_domain`).
pub use madoguchi_domain::notification::NotificationKind;

impl Notification {
    /// Its kind.
    pub fn kind(&self) -> NotificationKind {
        match self {
            Notification::AcquisitionMoveIn(_) => NotificationKind::AcquisitionMoveIn,
            Notification::AcquisitionDisability(_) => NotificationKind::AcquisitionDisability,
            Notification::Reissue(_) => NotificationKind::Reissue,
            Notification::ChangeOfParticulars(_) => NotificationKind::ChangeOfParticulars,
            Notification::LossMoveOut(_) => NotificationKind::LossMoveOut,
            Notification::LossDeath(_) => NotificationKind::LossDeath,
            Notification::MailingAddressChange(_) => NotificationKind::MailingAddressChange,
            Notification::OptionalEntries(_) => NotificationKind::OptionalEntries,
        }
    }
}

/// The resident as the 転入届 gives them (the union may not know them yet: 住基 files arrive daily).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResident {
    /// 宛名番号 assigned by the municipality.
    #[schemars(with = "schema::AddresseeNumber")]
    pub addressee_number: AddresseeNumber,
    /// 世帯番号.
    #[schemars(with = "schema::HouseholdNumber")]
    pub household_number: HouseholdNumber,
    /// 氏名.
    #[schemars(with = "schema::PersonName")]
    pub name: PersonName,
    /// 氏名カナ.
    #[schemars(with = "schema::KanaName")]
    pub kana: KanaName,
    /// 生年月日 (from 明治6年1月1日, the first day printable in 和暦).
    #[serde(deserialize_with = "crate::checked::birth_date")]
    pub birth_date: Date,
    /// 性別.
    #[schemars(with = "schema::Sex")]
    pub sex: Sex,
    /// 住所 (after moving in): 1–40 characters, no control or bidi characters.
    #[serde(deserialize_with = "crate::checked::address")]
    #[schemars(with = "schema::Address")]
    pub address: String,
    /// 生活保護受給中.
    #[serde(default)]
    pub on_welfare: bool,
}

/// 資格取得（転入）.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveIn {
    /// The resident.
    pub resident: NewResident,
    /// 個人番号 written on the 届出 (checked by staff, 1-②).
    #[schemars(with = "schema::MyNumber")]
    pub my_number: MyNumber,
    /// 転入日.
    #[serde(deserialize_with = "crate::checked::event_date")]
    pub moved_in_on: Date,
    /// マイナ保険証 registered.
    #[serde(default)]
    pub mynumber_health_card: bool,
}

/// Kinds of disability evidence for 障害認定 (高確法施行令 別表).
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityEvidence {
    /// 身体障害者手帳 1–3級, or 4級 of certain kinds.
    PhysicalDisabilityCertificate,
    /// 療育手帳 A.
    RehabilitationCertificateA,
    /// 精神障害者保健福祉手帳 1–2級.
    MentalHealthCertificate,
    /// 国民年金 障害基礎年金 1–2級.
    DisabilityPension,
}

/// 資格取得（障害認定）: certified on the day received (即時に審査・決定).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisabilityApplication {
    /// The resident.
    pub resident_id: ResidentId,
    /// 個人番号 on the application.
    #[schemars(with = "schema::MyNumber")]
    pub my_number: MyNumber,
    /// The evidence shown.
    pub evidence: DisabilityEvidence,
}

/// Why a document is reissued.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReissueReason {
    /// 紛失 (the old one need not come back; if found, it is returned).
    Lost,
    /// 破損・汚損 (the old one is returned).
    Damaged,
    /// 盗難.
    Stolen,
}

/// 再交付.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reissue {
    /// The resident.
    pub resident_id: ResidentId,
    /// Why.
    pub reason: ReissueReason,
}

/// 記載事項変更: at least one of the fields.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeOfParticulars {
    /// The resident.
    pub resident_id: ResidentId,
    /// 変更日.
    #[serde(deserialize_with = "crate::checked::event_date")]
    pub changed_on: Date,
    /// New 氏名.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::PersonName>")]
    pub name: Option<PersonName>,
    /// New 氏名カナ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::KanaName>")]
    pub kana: Option<KanaName>,
    /// New 住所 (within the municipality): when given, 1–40 characters, no control or bidi characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::checked::optional_address"
    )]
    #[schemars(with = "Option<schema::Address>")]
    pub address: Option<String>,
}

/// 資格喪失（転出）: leaving the prefecture (the union's area).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveOut {
    /// The resident.
    pub resident_id: ResidentId,
    /// 転出日.
    #[serde(deserialize_with = "crate::checked::move_out_date")]
    pub moved_out_on: Date,
}

/// 資格喪失（死亡）.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Death {
    /// The resident.
    pub resident_id: ResidentId,
    /// 死亡日.
    #[serde(deserialize_with = "crate::checked::event_date")]
    pub died_on: Date,
}

/// 送付先変更; `null` removes the 送付先.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MailingAddressChange {
    /// The resident.
    pub resident_id: ResidentId,
    /// The new 送付先, or none to send to the 住民票 address again. Checked: 宛名 1–30 and 住所 1–40
    /// characters without control or bidi characters, 郵便番号 3+4 digits (stored as 7 digits).
    #[serde(default, deserialize_with = "crate::checked::optional_mailing_address")]
    pub mailing_address: Option<MailingAddress>,
}

/// 任意記載事項 (後期高齢者医療資格確認書交付兼任意記載事項併記申請書): a new 資格確認書 with these printed.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionalEntries {
    /// The resident.
    pub resident_id: ResidentId,
    /// 限度区分 to print.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::LimitCategory>")]
    pub limit_category: Option<LimitCategory>,
    /// 長期入院該当日 to print.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::checked::optional_event_date"
    )]
    pub long_term_hospitalization_on: Option<Date>,
}

/// What the union decided.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted and applied; see `qualification` and `document`.
    Decided,
    /// Accepted and recorded, but the resident is not (yet) insured; see `reason`.
    NotEligible,
}

/// The state of a document.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Decided, not yet handed over.
    ToIssue,
    /// Handed over (窓口) or mailed (郵送).
    Issued,
    /// Replaced by a newer one or the qualification was lost; to be returned (回収).
    ToReturn,
    /// Returned (回収済み).
    Returned,
    /// Reported lost (紛失); no return expected.
    Lost,
    /// Replaced before it was handed over; never to be printed or handed over.
    Voided,
}

/// How a document was handed over.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IssueMethod {
    /// 窓口交付.
    Counter,
    /// 郵送.
    Mail,
}

/// 本人確認書類 seen at the counter.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdentityDocument {
    /// マイナンバーカード.
    MyNumberCard,
    /// 運転免許証.
    DriversLicense,
    /// 運転経歴証明書.
    DrivingHistoryCertificate,
    /// 旅券.
    Passport,
    /// 身体障害者手帳 etc.
    DisabilityCertificate,
    /// 在留カード.
    ResidenceCard,
    /// 年金手帳・年金証書 (写真なし).
    PensionCertificate,
    /// 資格確認書・保険証 (写真なし).
    InsuranceDocument,
    /// その他.
    Other,
}

/// 交付 record.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IssuanceRecord {
    /// 交付日.
    pub issued_on: Date,
    /// 窓口 or 郵送.
    pub method: IssueMethod,
    /// 本人確認書類 (counter only).
    pub identity_documents: Vec<IdentityDocument>,
    /// Staff user who recorded it.
    pub recorded_by: String,
}

/// 回収 record.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReturnRecord {
    /// 回収日.
    pub returned_on: Date,
    /// Staff user who recorded it.
    pub recorded_by: String,
}

/// A document at a glance.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentSummary {
    /// Opaque id (print data: `GET /v1/documents/{document_id}`).
    pub document_id: DocumentId,
    /// 書類の種類.
    #[schemars(with = "schema::DocumentKind")]
    pub kind: DocumentKind,
    /// 発効期日.
    pub valid_from: Date,
    /// 有効期限.
    pub valid_until: Date,
    /// State.
    pub state: DocumentState,
    /// 交付 record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance: Option<IssuanceRecord>,
    /// 回収 record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<ReturnRecord>,
}

/// The union's answer to a notification: the decision, made at once.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationDecision {
    /// Opaque id of this decision.
    pub notification_id: NotificationId,
    /// The idempotency key the terminal sent.
    pub idempotency_key: Uuid,
    /// Kind.
    #[schemars(with = "schema::NotificationKind")]
    pub kind: NotificationKind,
    /// The resident (new for 転入 of someone unknown).
    pub resident_id: ResidentId,
    /// When the union decided.
    pub decided_at: DateTime<Utc>,
    /// Decided or not eligible.
    pub outcome: Outcome,
    /// Why (the eligibility reason), when the notification is about qualification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::EligibilityReason>")]
    pub reason: Option<Reason>,
    /// For residents not yet insured only by age: the day they will be (75th birthday).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_acquisition_on: Option<Date>,
    /// The qualification after this notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Qualification>,
    /// The document to hand over now (即時交付) or mail, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentSummary>,
    /// Documents that must come back (回収).
    pub documents_to_return: Vec<DocumentSummary>,
    /// Summary for the confirmation screen.
    pub message_ja: String,
}
