//! Distributions (配信): data for many residents at once, sent by the union to one municipality, and the
//! four-eyes approvals around them.
//!
//! The life of a distribution (domain-anchors §2.2–2.3, §3.5):
//!
//! 1. a union staff member (広域連合職員) creates it for one municipality — the union builds the content
//!    from its own records ([`DistributionState::AwaitingUnionApproval`]);
//! 2. another union staff member approves it (requester ≠ approver, enforced by the server; N:4425–4426:
//!    every distribution's data and destination are checked by two or more people before sending) and it is
//!    released to that municipality's terminals ([`DistributionState::Released`]);
//! 3. a 監督者 of the municipality looks at counts, a per-kind summary and sample proofs, signs in again
//!    (re-authentication, as MOSIP's supervisor does) and approves the exact content (its
//!    [`ContentHash`]) or rejects it with a reason that goes back to the union;
//! 4. only then can the terminal fetch the whole content, print it, list it for mailing or export it.
//!
//! Content that changes after an approval (the union regenerates it) gets a new hash and needs new
//! approvals. Every step is appended to an insert-only ledger ([`LedgerEntry`]) that names who, when, what,
//! the counts and the content hash.
//!
//! Paths (all need a staff session; see the OpenAPI document):
//! - union side, [`crate::v1::Role::UnionStaff`]: `POST /v1/union/distributions` ([`CreateDistribution`]),
//!   `GET /v1/union/distributions`, `POST /v1/union/distributions/{id}/approval` ([`UnionApproval`]),
//!   `POST /v1/union/distributions/{id}/regeneration` (rebuild the content from today's records);
//! - terminal side, [`crate::v1::Role::Supervisor`]: `GET /v1/distributions` ([`DistributionList`]),
//!   `GET /v1/distributions/{id}` ([`DistributionSummary`]), `GET /v1/distributions/{id}/samples`
//!   ([`SampleRecords`], before approval, for proofs), `POST /v1/distributions/{id}/decision`
//!   ([`DistributionDecisionRequest`] → [`LedgerEntry`]), `GET /v1/distributions/{id}/records?offset=&limit=`
//!   ([`DistributionRecordsPage`], only once approved), `GET /v1/distributions/{id}/ledger` ([`Ledger`]).

use std::fmt;

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, MunicipalityCode};
use madoguchi_domain::insurance::BurdenRatio;
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_domain::money::Yen;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::schema;
use crate::v1::{DocumentData, MailingAddress, ResidentId};

crate::v1::opaque_id!(
    DistributionId,
    "Opaque id of one distribution (配信). It stays the same when the content is regenerated; the content \
     hash changes."
);

/// What a distribution carries.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DistributionKind {
    /// 75歳到達者の資格確認書 (月次): everyone reaching 75 in the month, printed and mailed.
    MonthlyAgeArrival,
    /// 一斉更新 (8/1): a new 資格確認書 for every insured resident, effective 8月1日 (domain-anchors §3.5).
    AnnualRenewal,
    /// 負担割合変更通知: residents whose 一部負担金の割合 changes on 8/1 after the annual 判定.
    BurdenRatioChange,
    /// 資格ファイル: the qualification data as a file (no printing), for the municipality's own systems.
    QualificationFile,
    /// 保険料ファイル: the premium data as a file (no printing).
    PremiumFile,
}

impl DistributionKind {
    /// Every kind, in the order the screens list them.
    pub const ALL: [DistributionKind; 5] = [
        DistributionKind::MonthlyAgeArrival,
        DistributionKind::AnnualRenewal,
        DistributionKind::BurdenRatioChange,
        DistributionKind::QualificationFile,
        DistributionKind::PremiumFile,
    ];

    /// The name a clerk uses.
    pub fn label_ja(self) -> &'static str {
        match self {
            DistributionKind::MonthlyAgeArrival => "75歳到達 資格確認書（月次）",
            DistributionKind::AnnualRenewal => "一斉更新 資格確認書（8月1日）",
            DistributionKind::BurdenRatioChange => "負担割合変更通知",
            DistributionKind::QualificationFile => "資格ファイル",
            DistributionKind::PremiumFile => "保険料ファイル",
        }
    }

    /// Printed and mailed by the municipality (the others are files exported to media).
    pub fn is_printed(self) -> bool {
        matches!(
            self,
            DistributionKind::MonthlyAgeArrival
                | DistributionKind::AnnualRenewal
                | DistributionKind::BurdenRatioChange
        )
    }
}

/// Where a distribution is in its life.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DistributionState {
    /// 広域連合承認待ち: created, waiting for a second union staff member.
    AwaitingUnionApproval,
    /// 配信済（市町村承認待ち）: released to the municipality, waiting for its 監督者.
    Released,
    /// 承認済: the municipality's 監督者 approved this exact content; it may be printed, listed, exported.
    Approved,
    /// 差戻し: the municipality's 監督者 rejected it, with a reason for the union.
    Rejected,
}

impl DistributionState {
    /// The label on the screens.
    pub fn label_ja(self) -> &'static str {
        match self {
            DistributionState::AwaitingUnionApproval => "広域連合承認待ち",
            DistributionState::Released => "承認待ち",
            DistributionState::Approved => "承認済",
            DistributionState::Rejected => "差戻し",
        }
    }
}

/// SHA-256 of a distribution's content ([`content_hash`]), lowercase hex. What an approval approves.
#[derive(
    ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
#[ts(type = "string")]
pub struct ContentHash(String);

impl ContentHash {
    /// The hex string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The first 12 hex digits, for screens and printed reports (「確認コード」).
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl TryFrom<String> for ContentHash {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(ContentHash(s))
        } else {
            Err("a content hash is 64 lowercase hex digits".to_owned())
        }
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.0
    }
}

impl std::str::FromStr for ContentHash {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContentHash::try_from(s.to_owned())
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.short())
    }
}

/// The hash of a distribution's content: SHA-256 over each record's JSON, in order, each prefixed by its
/// length (8 bytes, big endian) so that no two different record lists hash alike. The union and the terminal
/// both compute it; the terminal refuses to print content whose hash is not the approved one.
pub fn content_hash<'a>(records: impl IntoIterator<Item = &'a DistributionRecord>) -> ContentHash {
    let mut hasher = Sha256::new();
    for record in records {
        // Serialising these types cannot fail: no maps with non-string keys, no foreign Serialize impls.
        let json = serde_json::to_vec(record).unwrap_or_default();
        hasher.update((json.len() as u64).to_be_bytes());
        hasher.update(&json);
    }
    ContentHash(hex::encode(hasher.finalize()))
}

/// 送付方法 of printed items (domain-anchors §3.5: 簡易書留・転送不要 historically, 特定記録 since 2025 in
/// some cities).
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MailClass {
    /// 簡易書留・転送不要 (signature on delivery; undelivered items return to the city).
    SimpleRegisteredNoForward,
    /// 特定記録 (mailbox delivery, recorded).
    RecordedDelivery,
    /// 普通郵便.
    Ordinary,
}

impl MailClass {
    /// 「簡易書留・転送不要」 etc.
    pub fn label_ja(self) -> &'static str {
        match self {
            MailClass::SimpleRegisteredNoForward => "簡易書留・転送不要",
            MailClass::RecordedDelivery => "特定記録",
            MailClass::Ordinary => "普通郵便",
        }
    }
}

/// One resident's part of a distribution.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionRecord {
    /// Position in the distribution, from 1, without gaps. Printing and mailing follow it.
    pub seq: u32,
    /// Opaque id of the resident.
    pub resident_id: ResidentId,
    /// 宛名: where the item is mailed (the 送付先 when registered, otherwise the 住民票 address).
    /// Absent for file kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_to: Option<MailingAddress>,
    /// What is printed or exported for this resident.
    pub payload: RecordPayload,
}

impl fmt::Debug for DistributionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DistributionRecord(seq {}, {}, <redacted>)",
            self.seq, self.resident_id
        )
    }
}

/// The content of one record, by kind of distribution.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordPayload {
    /// A 資格確認書 (or 資格情報のお知らせ) to print: 75歳到達 and 一斉更新.
    Certificate(DocumentData),
    /// 負担割合変更通知.
    BurdenRatioNotice(BurdenRatioNotice),
    /// One row of the 資格ファイル.
    QualificationRow(QualificationRow),
    /// One row of the 保険料ファイル.
    PremiumRow(PremiumRow),
}

impl RecordPayload {
    /// The 被保険者番号 the record is about.
    pub fn insured_number(&self) -> &InsuredNumber {
        match self {
            RecordPayload::Certificate(d) => &d.insured_number,
            RecordPayload::BurdenRatioNotice(n) => &n.insured_number,
            RecordPayload::QualificationRow(r) => &r.insured_number,
            RecordPayload::PremiumRow(r) => &r.insured_number,
        }
    }
}

/// 負担割合変更通知: the 一部負担金の割合 changes from a day on.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BurdenRatioNotice {
    /// 被保険者番号.
    #[schemars(with = "schema::InsuredNumber")]
    pub insured_number: InsuredNumber,
    /// 氏名.
    #[schemars(with = "schema::PersonName")]
    pub name: PersonName,
    /// 氏名カナ.
    #[schemars(with = "schema::KanaName")]
    pub kana: KanaName,
    /// 変更前の割合.
    #[schemars(with = "schema::BurdenRatio")]
    pub before: BurdenRatio,
    /// 変更後の割合.
    #[schemars(with = "schema::BurdenRatio")]
    pub after: BurdenRatio,
    /// 適用開始日 (8月1日).
    pub effective_on: Date,
    /// 通知日.
    pub notice_date: Date,
    /// 保険者の名称 (広域連合名).
    pub insurer_name: String,
    /// Issued by a training (研修) server: print with a 見本 watermark.
    pub sample: bool,
}

/// One row of the 資格ファイル.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QualificationRow {
    /// 被保険者番号.
    #[schemars(with = "schema::InsuredNumber")]
    pub insured_number: InsuredNumber,
    /// 氏名カナ.
    #[schemars(with = "schema::KanaName")]
    pub kana: KanaName,
    /// 生年月日.
    pub birth_date: Date,
    /// 資格取得年月日.
    pub acquired_on: Date,
    /// 資格喪失年月日.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_on: Option<Date>,
    /// 一部負担金の割合.
    #[schemars(with = "schema::BurdenRatio")]
    pub burden_ratio: BurdenRatio,
}

/// One row of the 保険料ファイル.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PremiumRow {
    /// 被保険者番号.
    #[schemars(with = "schema::InsuredNumber")]
    pub insured_number: InsuredNumber,
    /// 年度.
    pub fiscal_year: i32,
    /// 年間保険料額.
    #[schemars(with = "schema::Yen")]
    pub annual_premium: Yen,
}

/// `POST /v1/union/distributions` — a union staff member asks for a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDistribution {
    /// Kind.
    pub kind: DistributionKind,
    /// The one municipality it goes to.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// The reference day: for 75歳到達 any day of the month; for 一斉更新 and 負担割合 the 8月1日 it takes
    /// effect; for files the day the data describes.
    #[serde(deserialize_with = "crate::checked::administrative_date")]
    pub reference_date: Date,
    /// How printed items are mailed (ignored for files).
    pub mail_class: MailClass,
    /// A note for the approvers (no personal data): up to 200 characters, no control or bidi characters.
    #[serde(default, deserialize_with = "crate::checked::note")]
    #[schemars(with = "schema::Note")]
    pub note: String,
}

/// `POST /v1/union/distributions/{id}/approval` — the second union staff member approves this content.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnionApproval {
    /// The hash the approver saw; refused when the content has changed since.
    pub content_hash: ContentHash,
}

/// Counts of one kind of item in a distribution, for the supervisor's summary.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KindCount {
    /// What is counted, e.g. 「資格確認書（1割）」, 「簡易書留・転送不要」, 「送付先あり」.
    pub label: String,
    /// How many records.
    pub count: u32,
}

/// A distribution at a glance: what the supervisor's queue lists.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionSummary {
    /// Opaque id.
    pub distribution_id: DistributionId,
    /// Kind.
    pub kind: DistributionKind,
    /// Municipality.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// Reference day.
    pub reference_date: Date,
    /// 送付方法.
    pub mail_class: MailClass,
    /// Where it is.
    pub state: DistributionState,
    /// Number of records.
    pub record_count: u32,
    /// Number of pages when printed (0 for files).
    pub page_count: u32,
    /// Per-kind summary (by 負担割合, by 送付先, by 外字 …).
    pub breakdown: Vec<KindCount>,
    /// The hash of the current content.
    pub content_hash: ContentHash,
    /// Union staff member who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Union staff member who approved it, once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_approved_by: Option<String>,
    /// The municipality's decision, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<LedgerEntry>,
    /// The note for approvers.
    pub note: String,
}

/// `GET /v1/distributions` (terminal: released to its municipality) or `GET /v1/union/distributions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionList {
    /// Newest first.
    pub distributions: Vec<DistributionSummary>,
}

/// `GET /v1/distributions/{id}/samples` — records for proofs before approval: the first, the last and a
/// few chosen at random by the server.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SampleRecords {
    /// The hash of the content the samples come from.
    pub content_hash: ContentHash,
    /// Ordered by `seq`.
    pub records: Vec<DistributionRecord>,
}

/// The supervisor's decision on a released distribution.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum Decision {
    /// 承認.
    Approve,
    /// 差戻し, with the reason for the union (no personal data).
    Reject {
        /// 差戻し理由: 1–100 characters, no control or bidi characters.
        #[serde(deserialize_with = "crate::checked::reason")]
        #[schemars(with = "schema::Reason")]
        reason: String,
    },
}

/// `POST /v1/distributions/{id}/decision` — the 監督者 approves or rejects this exact content. The password
/// is asked again (re-authentication) and checked against the signed-in user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionDecisionRequest {
    /// Approve or reject.
    pub decision: Decision,
    /// The content hash the supervisor saw in the summary and proofs.
    pub content_hash: ContentHash,
    /// The signed-in supervisor's password, again.
    pub password: String,
}

impl fmt::Debug for DistributionDecisionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DistributionDecisionRequest")
            .field("decision", &self.decision)
            .field("content_hash", &self.content_hash)
            .field("password", &"<secret>")
            .finish()
    }
}

/// What a ledger entry records.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LedgerAction {
    /// 作成 (union).
    Created,
    /// 内容の再作成 (union); earlier approvals no longer apply.
    Regenerated,
    /// 広域連合承認・配信 (union).
    UnionApproved,
    /// 承認 (municipality's 監督者).
    Approved,
    /// 差戻し (municipality's 監督者).
    Rejected {
        /// 差戻し理由.
        reason: String,
    },
}

/// One entry of the insert-only decision ledger. Each entry commits to the previous one of the same
/// distribution (`prev_hash`), so an edited or removed entry is evident.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerEntry {
    /// Position in the distribution's ledger, from 1.
    pub seq: u32,
    /// The distribution.
    pub distribution_id: DistributionId,
    /// What happened.
    pub action: LedgerAction,
    /// Staff user who did it.
    pub by: String,
    /// Terminal it was done on.
    pub terminal_id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Records in the content at that moment.
    pub record_count: u32,
    /// The content hash acted on.
    pub content_hash: ContentHash,
    /// SHA-256 hex of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 hex of this entry (all fields above, canonical JSON).
    pub entry_hash: String,
}

/// The `prev_hash` of the first entry of a ledger: 64 zeros.
pub const LEDGER_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `entry_hash` of a ledger entry: SHA-256 (lowercase hex) over the canonical JSON of every field but
/// `entry_hash` (object keys sorted, no whitespace). The union computes it when it appends the entry; the
/// terminal recomputes it to check the chain ([`verify_ledger`]).
pub fn ledger_entry_hash(entry: &LedgerEntry) -> String {
    let mut value = serde_json::to_value(entry).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = &mut value {
        map.remove("entry_hash");
    }
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Canonical JSON: keys sorted at every level, no whitespace (independent of serde_json's map order).
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Where a distribution's ledger does not hold together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerBroken {
    /// 1-based position of the first entry that does not fit.
    pub position: usize,
}

impl fmt::Display for LedgerBroken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the decision ledger is broken at entry {}",
            self.position
        )
    }
}

impl std::error::Error for LedgerBroken {}

/// Checks one distribution's ledger: numbered from 1 without gaps, one distribution, each entry's
/// `prev_hash` the previous entry's `entry_hash` ([`LEDGER_GENESIS`] for the first), each `entry_hash` right.
pub fn verify_ledger(entries: &[LedgerEntry]) -> Result<(), LedgerBroken> {
    let mut prev = LEDGER_GENESIS.to_owned();
    for (i, e) in entries.iter().enumerate() {
        let fits = e.seq as usize == i + 1
            && e.distribution_id == entries[0].distribution_id
            && e.prev_hash == prev
            && e.entry_hash == ledger_entry_hash(e);
        if !fits {
            return Err(LedgerBroken { position: i + 1 });
        }
        prev = e.entry_hash.clone();
    }
    Ok(())
}

/// `GET /v1/distributions/{id}/ledger`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Ledger {
    /// Oldest first.
    pub entries: Vec<LedgerEntry>,
}

/// `GET /v1/distributions/{id}/records?offset=N&limit=M` — the approved content, in pages (limit ≤ 1000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionRecordsPage {
    /// The hash of the whole content; the terminal checks it once it has every page.
    pub content_hash: ContentHash,
    /// Total number of records.
    pub record_count: u32,
    /// Records `offset+1 ..= offset+len`, ordered by `seq`.
    pub records: Vec<DistributionRecord>,
    /// The offset of the next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: u32, year: i32) -> DistributionRecord {
        DistributionRecord {
            seq,
            resident_id: ResidentId(uuid::Uuid::from_u128(seq as u128)),
            mail_to: None,
            payload: RecordPayload::PremiumRow(PremiumRow {
                insured_number: "00000018".parse().unwrap_or_else(|_| unreachable!()),
                fiscal_year: year,
                annual_premium: Yen::new(52_000),
            }),
        }
    }

    #[test]
    fn content_hash_depends_on_every_record_and_its_order() {
        let a = [row(1, 2026), row(2, 2026)];
        let b = [row(2, 2026), row(1, 2026)];
        let c = [row(1, 2026), row(2, 2027)];
        assert_eq!(content_hash(&a), content_hash(&a.clone()));
        assert_ne!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), content_hash(&c));
        assert_ne!(content_hash(&a), content_hash(&a[..1]));
    }

    #[test]
    fn content_hash_parses_only_hex() {
        assert!("ab".parse::<ContentHash>().is_err());
        assert!("G".repeat(64).parse::<ContentHash>().is_err());
        let h = content_hash(&[row(1, 2026)]);
        assert_eq!(h.as_str().parse::<ContentHash>(), Ok(h.clone()));
        assert_eq!(h.short().len(), 12);
    }

    fn entry(seq: u32, prev: &str, action: LedgerAction) -> LedgerEntry {
        let mut e = LedgerEntry {
            seq,
            distribution_id: DistributionId(Uuid::from_u128(7)),
            action,
            by: "union-staff1".into(),
            terminal_id: "T-1".into(),
            at: DateTime::<Utc>::from_timestamp(1_800_000_000, 123_456_789).unwrap_or_default(),
            record_count: 2,
            content_hash: content_hash(&[row(1, 2026)]),
            prev_hash: prev.to_owned(),
            entry_hash: String::new(),
        };
        e.entry_hash = ledger_entry_hash(&e);
        e
    }

    #[test]
    fn ledger_chain_holds_and_breaks_where_edited() {
        let a = entry(1, LEDGER_GENESIS, LedgerAction::Created);
        let b = entry(2, &a.entry_hash, LedgerAction::UnionApproved);
        let c = entry(
            3,
            &b.entry_hash,
            LedgerAction::Rejected {
                reason: "宛名不備".into(),
            },
        );
        let mut ledger = vec![a, b, c];
        assert_eq!(verify_ledger(&ledger), Ok(()));
        // The hash survives a round trip through JSON (the terminal recomputes it).
        let back: Vec<LedgerEntry> =
            serde_json::from_str(&serde_json::to_string(&ledger).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(verify_ledger(&back), Ok(()));
        ledger[2].action = LedgerAction::Approved;
        assert_eq!(verify_ledger(&ledger), Err(LedgerBroken { position: 3 }));
        ledger.remove(1);
        assert_eq!(verify_ledger(&ledger), Err(LedgerBroken { position: 2 }));
    }

    proptest::proptest! {
        /// Whatever one entry of a chain has changed afterwards (action, who, when, count, hash, links), the
        /// chain no longer verifies, and the break is found at that entry or the one after it.
        #[test]
        fn any_edit_breaks_the_chain(len in 1usize..8, at in 0usize..8, field in 0u8..6, n in 1u32..1000) {
            let at = at % len;
            let mut chain = vec![entry(1, LEDGER_GENESIS, LedgerAction::Created)];
            for seq in 2..=len as u32 {
                let prev = chain[chain.len() - 1].entry_hash.clone();
                chain.push(entry(seq, &prev, LedgerAction::UnionApproved));
            }
            proptest::prop_assert_eq!(verify_ledger(&chain), Ok(()));
            let e = &mut chain[at];
            match field {
                0 => e.action = LedgerAction::Rejected { reason: format!("理由{n}") },
                1 => e.by = format!("someone-{n}"),
                2 => e.at += chrono::Duration::milliseconds(i64::from(n)),
                3 => e.record_count += n,
                4 => e.content_hash = content_hash(&[row(n, 2027)]),
                // Never all zero bytes: that is the genesis link itself, so no edit at all for the first entry.
                _ => e.prev_hash = hex::encode([(n % 255 + 1) as u8; 32]),
            }
            let broken = verify_ledger(&chain);
            proptest::prop_assert_eq!(broken, Err(LedgerBroken { position: at + 1 }));
        }
    }

    #[test]
    fn decision_request_debug_hides_the_password() {
        let req = DistributionDecisionRequest {
            decision: Decision::Approve,
            content_hash: content_hash(&[row(1, 2026)]),
            password: "kensyu-secret".into(),
        };
        assert!(!format!("{req:?}").contains("kensyu-secret"));
    }
}
