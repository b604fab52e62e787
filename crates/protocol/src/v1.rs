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
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex, SpecificDisease};
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
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            Deserialize,
            JsonSchema,
            ts_rs::TS,
        )]
        #[serde(transparent)]
        #[ts(type = "string")]
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
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
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
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QualificationState {
    /// 資格あり.
    Insured,
    /// 資格なし (never insured, or excluded).
    NotInsured,
    /// 資格喪失.
    Lost,
    /// 喪失予定: insured today, a loss is recorded for a later day (a 転出 filed before moving).
    LossScheduled,
    /// 取得予定: not insured yet, an acquisition is recorded for a later day (75歳到達 decided ahead).
    AcquisitionScheduled,
}

/// One row of a search result: only what the result screen needs. Never the 個人番号.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// 宛名番号 (unique with the terminal's municipality): tells apart residents of one name and birth date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::AddresseeNumber>")]
    pub addressee_number: Option<AddresseeNumber>,
    /// 住所の町域 (`madoguchi_domain::address::area`): the 住所 without its house number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub address_area: Option<madoguchi_domain::address::AddressArea>,
}

/// Search answer.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResidentSearchResponse {
    /// Matching residents of the terminal's municipality.
    pub residents: Vec<ResidentSummary>,
    /// More residents matched than `limit`.
    pub truncated: bool,
}

/// 送付先: where mail goes when not to the 住民票 address.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

// Notifications (届出) and their decisions: `notifications.rs`.
mod notifications;
pub use notifications::*;
mod review;
pub use review::*;

// ------------------------------------------------------------------------------------------------------
// Documents

/// `GET /v1/documents/{document_id}` — everything needed to print the document (資格確認書 or
/// 資格情報のお知らせ). Fields follow the 後期 資格確認書: 氏名, 生年月日, 性別, 被保険者番号, 資格取得年月日,
/// 発効期日, 交付年月日, 有効期限, 一部負担金の割合, 保険者番号 and 名称; 任意記載事項 when applied for
/// (domain-anchors §1.5–1.6). No address is printed on the 後期 資格確認書.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// 特定疾病区分 and the day it applies from (任意記載事項), when the union recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::SpecificDiseaseEntry>")]
    pub specific_disease: Option<(SpecificDisease, Date)>,
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
/// being down, when the union's policy allows it (off by default). No address, no 個人番号: only what answers
/// "is this person insured?" and names the resident a notification is taken for while the line is down
/// (opaque id, 氏名, カナ: issue #14 finding 5 — every kind of 届出 can be accepted offline; BRIEF: local
/// cache, minimal content).
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
    /// 清音化 key of the カナ氏名 (the search key).
    #[schemars(with = "schema::SeionKey")]
    pub kana_key: SeionKey,
    /// 生年月日.
    pub birth_date: Date,
    /// Insured now, or lost.
    pub state: QualificationState,
    /// Opaque id of the resident (the target of a notification taken offline); absent from older unions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_id: Option<ResidentId>,
    /// 氏名, to name the resident on the counter's screen and lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::PersonName>")]
    pub name: Option<PersonName>,
    /// 氏名カナ as registered (the search key above is its 清音化 form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<schema::KanaName>")]
    pub kana: Option<KanaName>,
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
