//! Terminal audit chains on the wire: a terminal ships its chain (madoguchi-audit entries) to the union,
//! which checks continuity per terminal and flags gaps, edits and reorderings; administrators search what
//! was collected and export a report (N:4040–4043: user, time and operation recorded and reviewed by the
//! 情報システム管理者; K:3794–3796 and T:616: reviewed periodically and on incidents).
//!
//! The terminal is named by its client certificate, never by these bodies.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use madoguchi_audit::{AuditEntry, ChainHead, Operation};
use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, MunicipalityCode};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::schema;

/// Largest number of chain entries in one shipment.
pub const MAX_CHAIN_BATCH: usize = 100;

/// JSON Schema of one chained entry, as `madoguchi-audit` serialises it (format v1).
pub struct ChainEntrySchema;

impl JsonSchema for ChainEntrySchema {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ChainEntry")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One entry of a terminal's audit chain (madoguchi-audit v1): hash = SHA-256 over the tag, seq, prev and the event JSON",
            "type": "object",
            "additionalProperties": false,
            "required": ["seq", "prev", "hash", "event"],
            "properties": {
                "seq": {"type": "integer", "minimum": 1},
                "prev": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "event": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["at", "terminal", "user", "operation", "target", "purpose", "outcome"],
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "terminal": {"type": "string"},
                        "user": {"type": "string"},
                        "operation": {"$ref": "#/components/schemas/AuditOperation"},
                        "target": {"type": ["string", "null"], "description": "Opaque reference (resident:<uuid>, document:<uuid>, …)"},
                        "purpose": {"type": ["string", "null"]},
                        "outcome": {
                            "type": "object",
                            "required": ["result"],
                            "properties": {
                                "result": {"type": "string", "enum": ["done", "refused"]},
                                "code": {"type": "string"}
                            }
                        }
                    }
                }
            }
        })
    }
}

/// JSON Schema of a chain head.
pub struct ChainHeadSchema;

impl JsonSchema for ChainHeadSchema {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ChainHead")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "End of a chain: the last seq (0 for none) and its hash (64 zeros for none)",
            "type": "object",
            "required": ["seq", "hash"],
            "properties": {
                "seq": {"type": "integer", "minimum": 0},
                "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}
            }
        })
    }
}

/// JSON Schema of [`Operation`].
pub struct OperationSchema;

impl JsonSchema for OperationSchema {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("AuditOperation")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "操作 recorded in a terminal's audit chain",
            "type": "string",
            "enum": ["sign_in", "sign_out", "unlock", "search", "view_resident", "reveal_my_number",
                     "submit", "print", "reprint", "handover", "export", "approve", "reject", "configure"]
        })
    }
}

/// `POST /v1/audit/chain` — the next entries of this terminal's chain, oldest first. Entries the union
/// already holds may be repeated (a retry after a lost answer); they must be unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditChainBatch {
    /// 1–100 entries in chain order (the union's body limit is 64 KiB).
    #[schemars(with = "Vec<ChainEntrySchema>")]
    pub entries: Vec<AuditEntry>,
}

/// What the union found wrong in a terminal's chain.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChainFlagKind {
    /// Entries are missing (the sequence jumps ahead).
    Gap,
    /// The sequence goes back: entries were reordered.
    Reordered,
    /// An entry does not link to the one before (removed, inserted or renumbered).
    BrokenLink,
    /// An entry's content does not match its hash, or differs from what was shipped before.
    Edited,
    /// The chain starts again from its first entry while the union holds a longer one (vault reset or
    /// restored from an old copy).
    Restarted,
    /// Entries recorded by another terminal.
    WrongTerminal,
}

impl ChainFlagKind {
    /// For the administrator's screen.
    pub fn label_ja(self) -> &'static str {
        match self {
            ChainFlagKind::Gap => "記録の欠落",
            ChainFlagKind::Reordered => "記録の並べ替え",
            ChainFlagKind::BrokenLink => "連鎖の切断",
            ChainFlagKind::Edited => "記録の改変",
            ChainFlagKind::Restarted => "記録の初期化",
            ChainFlagKind::WrongTerminal => "別端末の記録の混入",
        }
    }
}

/// A flag record: kept by the union, shown to administrators, answered to the terminal.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditChainFlag {
    /// Number of the flag (increasing).
    pub id: u64,
    /// When the union found it.
    pub at: DateTime<Utc>,
    /// 端末ID (from the certificate).
    pub terminal_id: String,
    /// The terminal's municipality.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// What is wrong.
    pub kind: ChainFlagKind,
    /// The seq the union expected next.
    pub expected_seq: u64,
    /// The seq of the offending entry, when readable.
    pub found_seq: Option<u64>,
    /// For the administrator.
    pub message_ja: String,
}

/// The union's answer to a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditChainAck {
    /// The head the union holds for this terminal after the shipment: the terminal may drop entries up to
    /// it (keeping an anchor).
    #[schemars(with = "ChainHeadSchema")]
    pub accepted: ChainHead,
    /// Set when the shipment did not continue the chain; nothing of it was stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<AuditChainFlag>,
}

/// `POST /v1/audit/search` and `POST /v1/audit/export` (情報システム管理者 only): criteria, all optional,
/// combined with AND. A POST so that a 被保険者番号 never appears in a URL.
#[derive(ts_rs::TS, Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditSearchRequest {
    /// 利用者ID (exact).
    #[serde(default)]
    pub user_id: Option<String>,
    /// 被保険者番号 of the resident; the union resolves it to the opaque ids the chains carry.
    #[serde(default)]
    #[schemars(with = "Option<schema::InsuredNumber>")]
    pub insured_number: Option<InsuredNumber>,
    /// First day (Japan time), inclusive.
    #[serde(default)]
    pub from: Option<Date>,
    /// Last day (Japan time), inclusive.
    #[serde(default)]
    pub to: Option<Date>,
    /// 操作.
    #[serde(default)]
    #[schemars(with = "Option<OperationSchema>")]
    pub operation: Option<Operation>,
    /// 端末ID.
    #[serde(default)]
    pub terminal_id: Option<String>,
    /// At most this many entries (1–1000, default 200), newest first.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One collected entry with the terminal that shipped it.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CollectedAuditEntry {
    /// 端末ID (from the shipping terminal's certificate).
    pub terminal_id: String,
    /// The chained entry as the terminal recorded it.
    #[schemars(with = "ChainEntrySchema")]
    pub entry: AuditEntry,
}

/// The answer to a search.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditSearchResponse {
    /// Newest first.
    pub entries: Vec<CollectedAuditEntry>,
    /// More matched than were returned.
    pub truncated: bool,
}

/// `GET /v1/audit/flags` — every flag of the municipality's terminals, newest first.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditFlagsResponse {
    /// Newest first.
    pub flags: Vec<AuditChainFlag>,
}

/// One terminal's part of an export: the chain range from the first to the last matching entry, in the
/// madoguchi-audit export format (JSON Lines), verifiable with `madoguchi-admin audit verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditChainExport {
    /// 端末ID.
    pub terminal_id: String,
    /// Entries in the file.
    pub count: u64,
    /// The file's text.
    pub jsonl: String,
}

/// The answer to an export: a CSV of the matching entries and, per terminal, the verifiable chain range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditExportResponse {
    /// When the union made it.
    pub exported_at: DateTime<Utc>,
    /// Matching entries.
    pub matched: u64,
    /// CSV (UTF-8 with BOM, CRLF) of the matching entries, oldest first.
    pub csv: String,
    /// One verifiable chain file per terminal.
    pub chains: Vec<AuditChainExport>,
}
