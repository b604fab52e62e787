//! Errors of the vault. None of them carries payload contents or personal data: record positions are
//! sequence numbers or keyed hashes, never a resident's identifier.

use crate::outbox::{OutboxState, Sequence};

/// Everything that can go wrong in the vault. `Display` is English for logs; `message_ja()` is the text
/// shown to counter staff.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The OS keyring could not be reached at all (no session keyring, Credential Manager refused, …).
    #[error("OS keyring unavailable: {detail}")]
    KeyringUnavailable {
        /// What the keyring said.
        detail: String,
    },

    /// The vault exists on disk but the OS keyring holds no key for it (new Windows profile, reboot on
    /// Linux keyutils, entry deleted). Nothing was changed on disk.
    #[error("the OS keyring has no key for vault {vault_id}; the vault was left untouched")]
    KeyMissing {
        /// The vault whose key is missing.
        vault_id: String,
    },

    /// The OS keyring holds a key for this vault but it does not open the vault.
    #[error(
        "the key in the OS keyring does not open vault {vault_id}; the vault was left untouched"
    )]
    WrongKey {
        /// The vault the key does not open.
        vault_id: String,
    },

    /// A stored record failed authentication (bit rot, tampering, or a record moved to another slot).
    #[error("corrupt record in tree `{tree}` at {record}; nothing was overwritten")]
    CorruptRecord {
        /// Which tree.
        tree: &'static str,
        /// Which record (a sequence number or keyed hash, never personal data).
        record: String,
    },

    /// The vault's own bookkeeping (key material, counters) is damaged or missing.
    #[error("vault metadata damaged: {detail}")]
    CorruptMeta {
        /// What is damaged.
        detail: String,
    },

    /// The on-disk store reported corruption (sled `Error::Corruption`) or panicked while recovering.
    #[error("storage engine reported corruption: {detail}")]
    StorageCorrupt {
        /// What the engine reported.
        detail: String,
    },

    /// A record was written by a newer format than this program understands.
    #[error("unsupported record format version {version}")]
    UnsupportedFormat {
        /// The format marker found.
        version: u8,
    },

    /// I/O or other storage-engine failure.
    #[error("storage failure: {detail}")]
    Storage {
        /// What failed.
        detail: String,
    },

    /// The data directory is already opened (by this or another process).
    #[error("vault directory is in use by another process")]
    InUse,

    /// An outbox item is not in the state the caller expected (compare-and-set failed).
    #[error("outbox item {seq} is {actual:?}, expected one of {expected:?}")]
    StateConflict {
        /// Which item.
        seq: Sequence,
        /// The states the change needs.
        expected: Vec<OutboxState>,
        /// Its state.
        actual: OutboxState,
    },

    /// No outbox item with this sequence number.
    #[error("no outbox item {seq}")]
    NotFound {
        /// Which item.
        seq: Sequence,
    },

    /// The payload of this item was already erased (it was acknowledged or withdrawn).
    #[error("payload of outbox item {seq} has been erased")]
    PayloadErased {
        /// Which item.
        seq: Sequence,
    },

    /// Another item of the same resident comes first; this one has to wait.
    #[error("outbox item {seq} waits for an earlier item of the same resident")]
    NotHeadOfResident {
        /// Which item.
        seq: Sequence,
    },

    /// The offline roster is switched off by policy.
    #[error("offline roster is disabled")]
    RosterDisabled,

    /// The offline roster is on but has never been loaded.
    #[error("offline roster has not been loaded yet")]
    RosterEmpty,

    /// A value could not be encoded or decoded (type mismatch after an upgrade, …). Contents are not shown.
    #[error("could not {action} a value in tree `{tree}`")]
    Codec {
        /// Which tree.
        tree: &'static str,
        /// encode or decode.
        action: &'static str,
    },

    /// Caller supplied something the vault refuses (empty key, field too long, …).
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),

    /// The vault was wiped (its key destroyed and its directory deleted) because the terminal's
    /// certificate was revoked; nothing can be read or written any more.
    #[error("the vault has been wiped")]
    Wiped,
}

impl VaultError {
    /// Japanese text for counter staff. Never contains personal data.
    pub fn message_ja(&self) -> String {
        match self {
            VaultError::KeyringUnavailable { .. } => {
                "OSの資格情報ストア（キーリング）に接続できません。端末を再起動しても解消しない場合は情報システム管理者に連絡してください。".into()
            }
            VaultError::KeyMissing { .. } => {
                "この端末の暗号鍵がOSの資格情報ストアに見つかりません。保存データは変更していません。情報システム管理者に連絡してください。".into()
            }
            VaultError::WrongKey { .. } => {
                "OSの資格情報ストアの暗号鍵がこの端末の保存データと一致しません。保存データは変更していません。情報システム管理者に連絡してください。".into()
            }
            VaultError::CorruptRecord { tree, .. } => format!(
                "保存データ（{}）の一部が破損しているため、この機能を開始できません。データは上書き・削除していません。情報システム管理者に連絡してください。",
                tree_label_ja(tree)
            ),
            VaultError::CorruptMeta { .. } => {
                "保存データの管理情報が破損しているため、起動できません。データは上書き・削除していません。情報システム管理者に連絡してください。".into()
            }
            VaultError::StorageCorrupt { .. } => {
                "保存領域の破損を検出したため、起動できません。データは上書き・削除していません。情報システム管理者に連絡してください。".into()
            }
            VaultError::UnsupportedFormat { .. } => {
                "新しい版のプログラムで保存されたデータです。プログラムを更新してください。".into()
            }
            VaultError::Storage { .. } => {
                "保存領域への読み書きに失敗しました。ディスクの空き容量を確認し、解消しない場合は情報システム管理者に連絡してください。".into()
            }
            VaultError::InUse => "保存領域が他のプログラムで使用中です。二重起動していないか確認してください。".into(),
            VaultError::StateConflict { actual, .. } => format!(
                "この届出の状態が変わっています（現在：{}）。一覧を更新してください。",
                actual.label_ja()
            ),
            VaultError::NotFound { .. } => "指定された届出が送信待ち一覧に見つかりません。".into(),
            VaultError::PayloadErased { .. } => {
                "この届出の内容は受理済み・取下げ済みのため消去されています。必要なら新たに入力してください。".into()
            }
            VaultError::NotHeadOfResident { .. } => {
                "同じ方の先の届出の処理が終わるまで、この届出は送信できません。".into()
            }
            VaultError::RosterDisabled => {
                "オフライン用被保険者名簿は広域連合の方針により無効です。".into()
            }
            VaultError::RosterEmpty => {
                "オフライン用被保険者名簿がまだ取り込まれていません。回線復旧後に更新してください。".into()
            }
            VaultError::Codec { .. } => {
                "保存データの形式が読み取れません。情報システム管理者に連絡してください。".into()
            }
            VaultError::InvalidInput(_) => "入力内容が正しくありません。".into(),
            VaultError::Wiped => {
                "この端末の保存データは消去されました。情報システム管理者に連絡してください。".into()
            }
        }
    }
}

fn tree_label_ja(tree: &str) -> &'static str {
    match tree {
        "outbox" | "outbox_payload" => "送信待ちの届出",
        "receipts" => "送信済みの控え",
        "cache" => "一時保存データ",
        "settings" => "端末設定",
        "roster" => "オフライン用被保険者名簿",
        "audit" => "操作記録",
        "distribution" => "配信データ",
        _ => "管理情報",
    }
}

impl From<sled::Error> for VaultError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { at, .. } => VaultError::StorageCorrupt {
                detail: format!("sled corruption at {at:?}"),
            },
            // sled reports its file lock as `ErrorKind::Other` with this text (sled-0.34.7 src/config.rs).
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().starts_with("could not acquire lock") =>
            {
                VaultError::InUse
            }
            sled::Error::Io(io) => VaultError::Storage {
                detail: io.to_string(),
            },
            other => VaultError::Storage {
                detail: other.to_string(),
            },
        }
    }
}

impl madoguchi_domain::StaffMessage for VaultError {
    fn message_ja(&self) -> String {
        VaultError::message_ja(self)
    }
}

/// The vault's result type.
pub type Result<T, E = VaultError> = std::result::Result<T, E>;
