//! API version 1: every path starts with `/v1`.
//!
//! Requests refuse unknown fields; identifiers and dates are parsed (and so validated) when deserialised.
//! Resources are named by opaque ids, never by a personal identifier.

use std::fmt;

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::eligibility::Reason;
use madoguchi_domain::ids::{
    AddresseeNumber, HouseholdNumber, InsuredNumber, InsurerNumber, MunicipalityCode, MyNumber,
};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex};
use madoguchi_domain::kana::{KanaName, PersonName, SeionKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::schema;

// Terminal audit chains: shipping, flags, the administrator's search and export.
pub use crate::accounts::{
    AccountState, Grant, GrantView, NewStaffRequest, PasswordChangeReason, PasswordChangeRequest,
    PasswordResetRequest, RevocationList, Right, SetGrantsRequest, StaffAccount, StaffList,
};
pub use crate::audit_chain::*;

/// The path prefix of this version.
pub const PREFIX: &str = "/v1";
/// The header carrying the idempotency key of a notification (a UUID chosen by the terminal when the
/// notification is first entered, sent unchanged on every retry).
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

macro_rules! opaque_id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new_random() -> Self {
                $name(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name(Uuid::parse_str(s)?))
            }
        }
    };
}
pub(crate) use opaque_id;

opaque_id!(
    ResidentId,
    "Opaque id of a resident on the union server. Not personal data: it is what URLs and audit records name."
);
opaque_id!(
    DocumentId,
    "Opaque id of one issued (or to-be-issued) document."
);
opaque_id!(
    NotificationId,
    "Opaque id of one decided notification (届出)."
);

// ------------------------------------------------------------------------------------------------------
// Health and session

/// `GET /v1/health` — answered only on a mutually authenticated connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HealthResponse {
    /// Always `ok`.
    pub status: String,
    /// The terminal id in the client certificate.
    pub terminal_id: String,
    /// The municipality in the client certificate; it scopes every request.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// The union's name (広域連合名).
    pub union_name: String,
    /// Server clock, for the terminal to notice drift.
    pub server_time: DateTime<Utc>,
    /// The API version (`v1`).
    pub api_version: String,
}

/// Staff roles. The 個人番号 permission is separate ([`StaffInfo::my_number_permission`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 窓口担当: registers notifications, hands over documents.
    Clerk,
    /// 監督者: approves distributions, reprints and corrections.
    Supervisor,
    /// 情報システム管理者: terminals, staff rights, audit.
    Admin,
    /// 広域連合職員: creates and approves distributions (配信) on the union side; never counter work.
    UnionStaff,
}

impl Role {
    /// 「窓口担当」 etc.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Clerk => "窓口担当",
            Role::Supervisor => "監督者",
            Role::Admin => "情報システム管理者",
            Role::UnionStaff => "広域連合職員",
        }
    }
}

/// `POST /v1/session` — staff sign-in on this terminal.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Personal user id (共用IDは禁止, N:3886).
    pub user_id: String,
    /// Password.
    pub password: String,
}

impl fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInRequest")
            .field("user_id", &self.user_id)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StaffInfo {
    /// User id.
    pub user_id: String,
    /// Name shown in the title bar.
    pub display_name: String,
    /// The staff member's municipality.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// Roles.
    pub roles: Vec<Role>,
    /// May display, search and enter the 個人番号 (N:3886–3888).
    pub my_number_permission: bool,
}

/// Answer to a successful sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignInResponse {
    /// Bearer token for `Authorization: Bearer …`; valid only on connections with the same terminal
    /// certificate.
    pub token: String,
    /// When the session ends unless used (idle timeout; every request extends it).
    pub expires_at: DateTime<Utc>,
    /// The staff member.
    pub staff: StaffInfo,
    /// Set when the password must be changed first: the union then refuses every request of this session
    /// except `POST /v1/session/password` and sign-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<PasswordChangeReason>,
}

impl fmt::Debug for SignInResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInResponse")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("staff", &self.staff)
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

// ------------------------------------------------------------------------------------------------------
// Residents

/// `POST /v1/residents/search` — at least one criterion; all given criteria must match. Personal data is
/// sent in the body, never in the URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentSearchRequest {
    /// 被保険者番号, exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::InsuredNumber>")]
    pub insured_number: Option<InsuredNumber>,
    /// カナ氏名, prefix match on the 清音化 key (濁点・半濁点・小書き are ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::KanaName>")]
    pub kana: Option<KanaName>,
    /// 生年月日, exact.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::checked::optional_birth_date"
    )]
    pub birth_date: Option<Date>,
    /// At most this many results (1–200, default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Qualification state at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QualificationState {
    /// 資格あり.
    Insured,
    /// 資格なし (never insured, or excluded).
    NotInsured,
    /// 資格喪失.
    Lost,
}

/// One row of a search result: only what the result screen needs. Never the 個人番号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResidentSummary {
    /// Opaque id for the detail call.
    pub resident_id: ResidentId,
    /// 氏名.
    #[schemars(with = "schema::PersonName")]
    pub name: PersonName,
    /// 氏名カナ.
    #[schemars(with = "schema::KanaName")]
    pub kana: KanaName,
    /// 生年月日.
    pub birth_date: Date,
    /// 性別.
    #[schemars(with = "schema::Sex")]
    pub sex: Sex,
    /// 被保険者番号, once assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::InsuredNumber>")]
    pub insured_number: Option<InsuredNumber>,
    /// 資格の状態.
    pub state: QualificationState,
    /// The name contains a 外字 placeholder 「●」.
    pub name_has_gaiji: bool,
}

/// Search answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResidentSearchResponse {
    /// Matching residents of the terminal's municipality.
    pub residents: Vec<ResidentSummary>,
    /// More residents matched than `limit`.
    pub truncated: bool,
}

/// 送付先: where mail goes when not to the 住民票 address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MailingAddress {
    /// 宛名 (recipient).
    pub recipient: String,
    /// 郵便番号 (7 digits, no hyphen; empty in a distribution's mailing list when the union keeps no
    /// 郵便番号 for a 住民票 address).
    pub postal_code: String,
    /// 住所.
    pub address: String,
}

/// The qualification as decided by the union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Qualification {
    /// 被保険者番号.
    #[schemars(with = "schema::InsuredNumber")]
    pub insured_number: InsuredNumber,
    /// 保険者番号 (per municipality for 後期).
    #[schemars(with = "schema::InsurerNumber")]
    pub insurer_number: InsurerNumber,
    /// 資格取得年月日.
    pub acquired_on: Date,
    /// 資格喪失年月日 (the day after death or moving out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_on: Option<Date>,
    /// Why (acquisition or loss reason).
    #[schemars(with = "schema::EligibilityReason")]
    pub reason: Reason,
    /// 一部負担金の割合.
    #[schemars(with = "schema::BurdenRatio")]
    pub burden_ratio: BurdenRatio,
    /// 限度区分, when applied for (任意記載事項).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::LimitCategory>")]
    pub limit_category: Option<LimitCategory>,
}

/// The full record of one resident, for the detail screen. The 個人番号 is not here: it has its own call
/// that needs the 個人番号 permission and is audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResidentDetail {
    /// Opaque id.
    pub resident_id: ResidentId,
    /// 市区町村コード.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// 宛名番号.
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
    /// 生年月日.
    pub birth_date: Date,
    /// 性別.
    #[schemars(with = "schema::Sex")]
    pub sex: Sex,
    /// 住所 (住民票).
    pub address: String,
    /// 送付先, when registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_address: Option<MailingAddress>,
    /// 資格の状態.
    pub state: QualificationState,
    /// The qualification, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Qualification>,
    /// 生活保護受給中 (適用除外).
    pub on_welfare: bool,
    /// 障害認定日, when certified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability_certified_on: Option<Date>,
    /// マイナ保険証 registered (decides 資格確認書 vs 資格情報のお知らせ under the union policy).
    pub mynumber_health_card: bool,
    /// A 個人番号 is linked (the number itself needs the permission).
    pub has_my_number: bool,
    /// Documents issued or to be issued, newest first.
    pub documents: Vec<DocumentSummary>,
}

/// `POST /v1/residents/{resident_id}/my-number` ([`crate::reveal::RevealRequest`]) — needs the 個人番号
/// permission; every call is audited with its purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MyNumberResponse {
    /// Opaque id.
    pub resident_id: ResidentId,
    /// 個人番号.
    #[schemars(with = "schema::MyNumber")]
    pub my_number: MyNumber,
}

// ------------------------------------------------------------------------------------------------------
// Notifications (届出)

/// `POST /v1/notifications` with header `Idempotency-Key: <uuid>`. The same key with the same body returns
/// the same decision and has one effect; the same key with another body is refused (409).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationRequest {
    /// 受付日: the day the counter accepted the notification (from 2008-04-01, the start of the scheme).
    #[serde(deserialize_with = "crate::checked::receipt_date")]
    pub received_on: Date,
    /// What is notified.
    pub notification: Notification,
}

/// The 後期 notifications the counter takes (BRIEF flows 1 and 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reissue {
    /// The resident.
    pub resident_id: ResidentId,
    /// Why.
    pub reason: ReissueReason,
}

/// 記載事項変更: at least one of the fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveOut {
    /// The resident.
    pub resident_id: ResidentId,
    /// 転出日.
    #[serde(deserialize_with = "crate::checked::move_out_date")]
    pub moved_out_on: Date,
}

/// 資格喪失（死亡）.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Death {
    /// The resident.
    pub resident_id: ResidentId,
    /// 死亡日.
    #[serde(deserialize_with = "crate::checked::event_date")]
    pub died_on: Date,
}

/// 送付先変更; `null` removes the 送付先.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted and applied; see `qualification` and `document`.
    Decided,
    /// Accepted and recorded, but the resident is not (yet) insured; see `reason`.
    NotEligible,
}

/// The state of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IssueMethod {
    /// 窓口交付.
    Counter,
    /// 郵送.
    Mail,
}

/// 本人確認書類 seen at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReturnRecord {
    /// 回収日.
    pub returned_on: Date,
    /// Staff user who recorded it.
    pub recorded_by: String,
}

/// A document at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

// ------------------------------------------------------------------------------------------------------
// Documents

/// `GET /v1/documents/{document_id}` — everything needed to print the document (資格確認書 or
/// 資格情報のお知らせ). Fields follow the 後期 資格確認書: 氏名, 生年月日, 性別, 被保険者番号, 資格取得年月日,
/// 発効期日, 交付年月日, 有効期限, 一部負担金の割合, 保険者番号 and 名称; 任意記載事項 when applied for
/// (domain-anchors §1.5–1.6). No address is printed on the 後期 資格確認書.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentData {
    /// Opaque id.
    pub document_id: DocumentId,
    /// 書類の種類.
    #[schemars(with = "schema::DocumentKind")]
    pub kind: DocumentKind,
    /// 被保険者番号.
    #[schemars(with = "schema::InsuredNumber")]
    pub insured_number: InsuredNumber,
    /// 氏名.
    #[schemars(with = "schema::PersonName")]
    pub name: PersonName,
    /// 氏名カナ (for the 資格情報のお知らせ).
    #[schemars(with = "schema::KanaName")]
    pub kana: KanaName,
    /// 生年月日.
    pub birth_date: Date,
    /// 性別.
    #[schemars(with = "schema::Sex")]
    pub sex: Sex,
    /// 資格取得年月日.
    pub acquired_on: Date,
    /// 発効期日.
    pub valid_from: Date,
    /// 有効期限.
    pub valid_until: Date,
    /// 交付年月日 (the decision day; the 交付 record keeps the handover day).
    pub issue_date: Date,
    /// 一部負担金の割合.
    #[schemars(with = "schema::BurdenRatio")]
    pub burden_ratio: BurdenRatio,
    /// 限度区分 (任意記載事項).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::LimitCategory>")]
    pub limit_category: Option<LimitCategory>,
    /// 長期入院該当日 (任意記載事項).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_term_hospitalization_on: Option<Date>,
    /// 保険者番号.
    #[schemars(with = "schema::InsurerNumber")]
    pub insurer_number: InsurerNumber,
    /// 保険者の名称 (広域連合名).
    pub insurer_name: String,
    /// 送付先 when mailed, if registered (not printed on the document face).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_address: Option<MailingAddress>,
    /// Issued by a training (研修) server: print with a 見本 watermark.
    pub sample: bool,
    /// Current state.
    pub state: DocumentState,
}

/// `POST /v1/documents/{document_id}/issuance` — record the handover (交付).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuanceRequest {
    /// 交付日.
    #[serde(deserialize_with = "crate::checked::receipt_date")]
    pub issued_on: Date,
    /// 窓口 or 郵送.
    pub method: IssueMethod,
    /// 本人確認書類 seen (at least one for 窓口).
    #[serde(default)]
    pub identity_documents: Vec<IdentityDocument>,
}

/// `POST /v1/documents/{document_id}/return` — record that an old document came back (回収).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// 回収日.
    #[serde(deserialize_with = "crate::checked::receipt_date")]
    pub returned_on: Date,
}

// ------------------------------------------------------------------------------------------------------
// Offline roster

/// `GET /v1/roster` — the minimal list of the municipality's residents a terminal may keep for the line
/// being down, when the union's policy allows it (off by default). No address, no 個人番号, no name: only
/// what answers "is this person insured?" (BRIEF: local cache, minimal content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RosterResponse {
    /// Whether the union's policy allows an offline roster; `false` means: erase any copy you hold.
    pub enabled: bool,
    /// The day the list describes.
    pub as_of: Date,
    /// Residents with a 被保険者番号 (empty when not enabled).
    pub entries: Vec<RosterRow>,
}

/// One resident in the offline roster.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RosterRow {
    /// 被保険者番号.
    #[schemars(with = "schema::InsuredNumber")]
    pub insured_number: InsuredNumber,
    /// 清音化 key of the カナ氏名 (search key only; the name itself is not sent).
    #[schemars(with = "schema::SeionKey")]
    pub kana_key: SeionKey,
    /// 生年月日.
    pub birth_date: Date,
    /// Insured now, or lost.
    pub state: QualificationState,
}

impl fmt::Debug for RosterRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RosterRow(<redacted>, {:?})", self.state)
    }
}

// ------------------------------------------------------------------------------------------------------
// Audit

/// `GET /v1/audit?limit=N&before=SEQ` — administrators only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// At most this many entries (1–1000, default 100), newest first.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only entries with a sequence number below this.
    #[serde(default)]
    pub before: Option<u64>,
}

/// One audited request. The target is an opaque id, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    /// Sequence number (increasing).
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// 端末ID.
    pub terminal_id: String,
    /// The terminal's municipality.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// Staff user, when signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `METHOD /route/template`.
    pub operation: String,
    /// Opaque reference, e.g. `resident:<uuid>`, `document:<uuid>`, `notification:<uuid>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// HTTP status.
    pub status: u16,
    /// Error code, if it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ErrorCode>,
    /// 利用目的 of a 個人番号 reveal, when one was given (the code, `other: <text>` for その他).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// A page of audit entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
}
