//! The check of a whole store before the server serves from it (`serve` runs it at every start).
//!
//! One flipped byte in a sled file once made a search spin forever, and left other records silently
//! unreadable. So at start every record must open under the store key and parse, the search indexes must
//! be exactly those the resident records imply, the decision ledger must match the mark its commits keep,
//! and no acknowledged ledger entry may be missing behind the watermark file. Anything else is refused
//! with a message that names the damage — never a record's content.

use std::fmt;

/// The part of the store a damage is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Area {
    /// 住民 (resident records).
    Residents,
    /// 検索索引 (宛名番号, 被保険者番号, カナ, 生年月日 indexes).
    Indexes,
    /// 証書 (documents).
    Documents,
    /// 決定台帳 (the decision ledger).
    Ledger,
    /// 重複防止記録 (idempotency records).
    Idempotency,
    /// 職員 (staff accounts).
    Staff,
    /// 配信 (distributions).
    Distributions,
    /// 管理情報 (sequences, key check, marks).
    Meta,
    /// 操作記録 (the server's audit trail).
    Audit,
    /// 端末監査ログ (terminals' audit chains).
    Chains,
    /// 所得情報 (income records).
    Incomes,
}

impl Area {
    /// The name an operator reads in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Area::Residents => "住民記録",
            Area::Indexes => "検索索引",
            Area::Documents => "証書記録",
            Area::Ledger => "決定台帳",
            Area::Idempotency => "重複防止記録",
            Area::Staff => "職員記録",
            Area::Distributions => "配信記録",
            Area::Meta => "管理情報",
            Area::Audit => "操作記録（監査）",
            Area::Chains => "端末監査ログ",
            Area::Incomes => "所得情報",
        }
    }

    fn label_en(self) -> &'static str {
        match self {
            Area::Residents => "resident records",
            Area::Indexes => "search indexes",
            Area::Documents => "document records",
            Area::Ledger => "decision ledger",
            Area::Idempotency => "idempotency records",
            Area::Staff => "staff records",
            Area::Distributions => "distribution records",
            Area::Meta => "store metadata",
            Area::Audit => "audit trail",
            Area::Chains => "terminal audit chains",
            Area::Incomes => "income records",
        }
    }
}

/// One damage found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Damage {
    /// Records that do not open under the store key or do not parse.
    Unreadable {
        /// Where they are.
        area: Area,
        /// How many records.
        count: u64,
    },
    /// Keys that stop increasing: the database file itself is damaged.
    OutOfOrder {
        /// The tree whose keys are out of order.
        area: Area,
    },
    /// The index entries are not exactly those the resident records imply.
    IndexMismatch {
        /// Index entries the resident records imply.
        expected: u64,
        /// Index entries present.
        found: u64,
    },
    /// Ledger entries were lost, added or altered since their commits.
    LedgerAltered {
        /// Ledger entries present.
        found: u64,
        /// Entries the sealed ledger mark records.
        marked: u64,
    },
    /// Fewer ledger entries than were known to be flushed: acknowledged decisions are gone.
    LedgerBehind {
        /// Ledger entries present.
        found: u64,
        /// Entries the watermark file says were flushed (and so acknowledged to terminals).
        durable: u64,
    },
    /// Keys of no known kind.
    UnknownKeys {
        /// How many keys.
        count: u64,
    },
}

impl Damage {
    /// The operator's Japanese message.
    pub fn message_ja(&self) -> String {
        match self {
            Damage::Unreadable { area, count } => {
                format!(
                    "{}の{count}件が読めません（鍵が違うか、データが壊れています）。",
                    area.label_ja()
                )
            }
            Damage::OutOfOrder { area } => {
                format!(
                    "{}の並びが壊れています（データベースファイルの破損）。",
                    area.label_ja()
                )
            }
            Damage::IndexMismatch { expected, found } => {
                format!("検索索引が住民記録と一致しません（期待{expected}件、実際{found}件）。")
            }
            Damage::LedgerAltered { found, marked } => {
                format!("決定台帳が記録時の状態と一致しません（{found}件、記録上{marked}件）。")
            }
            Damage::LedgerBehind { found, durable } => format!(
                "保存済みの決定が失われています（台帳{found}件、保存確認済み{durable}件）。"
            ),
            Damage::UnknownKeys { count } => {
                format!("種類の分からないデータが{count}件あります。")
            }
        }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Unreadable { area, count } => write!(
                f,
                "{count} {} do not open under the store key or do not parse",
                area.label_en()
            ),
            Damage::OutOfOrder { area } => {
                write!(
                    f,
                    "the {} keys are out of order (damaged database file)",
                    area.label_en()
                )
            }
            Damage::IndexMismatch { expected, found } => write!(
                f,
                "the search indexes do not match the residents ({expected} entries expected, {found} found)"
            ),
            Damage::LedgerAltered { found, marked } => write!(
                f,
                "the decision ledger does not match its mark ({found} entries, {marked} marked)"
            ),
            Damage::LedgerBehind { found, durable } => write!(
                f,
                "acknowledged decisions are missing ({found} in the ledger, {durable} known flushed)"
            ),
            Damage::UnknownKeys { count } => write!(f, "{count} keys of no known kind"),
        }
    }
}

/// Every damage one check found (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damages(pub Vec<Damage>);

impl Damages {
    /// One line per damage, in Japanese, for the operator.
    pub fn message_ja(&self) -> String {
        self.0
            .iter()
            .map(Damage::message_ja)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for Damages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Damages {}

/// What a clean check counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// 住民 (resident) records.
    pub residents: u64,
    /// Search index entries (宛名番号, 被保険者番号, カナ, 生年月日).
    pub index_entries: u64,
    /// 証書 (document) records.
    pub documents: u64,
    /// 決定台帳 (decision ledger) entries.
    pub ledger: u64,
    /// 操作記録 (server audit trail) entries.
    pub audit: u64,
    /// 所得情報 (income) records.
    pub incomes: u64,
}
