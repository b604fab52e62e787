//! Errors of the use cases, each with the Japanese a clerk reads.

use madoguchi_domain::StaffMessage;
use madoguchi_link::LinkError;
use madoguchi_vault::VaultError;

/// What went wrong in a use case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CounterError {
    /// The operation needs a signed-in staff member.
    #[error("not signed in")]
    NotSignedIn,
    /// The union (or the line) refused or failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The local store failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The notification could not be prepared for the queue.
    #[error("cannot queue the notification: {0}")]
    Encode(String),
    /// No such queue item.
    #[error("no such queue item")]
    UnknownItem,
    /// The terminal's audit chain is broken (an entry edited, removed or reordered).
    #[error(transparent)]
    AuditChain(madoguchi_audit::ChainError),
    /// Offline sign-in refused.
    #[error("offline sign-in refused: {0}")]
    Offline(crate::accounts::OfflineRefusal),
    /// The session was opened offline: it may only queue work.
    #[error("offline session: only queueing is allowed")]
    OfflineOnly,
    /// A user id that cannot be an account's.
    #[error("invalid user id")]
    InvalidUserId,
    /// A distribution (配信) cannot be used: not approved, broken ledger, content not as approved.
    #[error(transparent)]
    Distribution(#[from] crate::distribution::DistributionError),
    /// A second print of the same document is a reprint and needs a reason.
    #[error("a reprint needs a reason")]
    ReprintReasonRequired,
    /// A 個人番号 reveal without a valid purpose (利用目的).
    #[error("a reveal needs a purpose: {0}")]
    RevealPurpose(madoguchi_protocol::reveal::PurposeError),
    /// The line is down and no offline roster is kept: residents cannot be searched.
    #[error("no offline roster to search while the line is down")]
    RosterUnavailable,
    /// Only a refused item (差戻し / 競合) with its entries can be corrected.
    #[error("the queue item is not refused")]
    NotRefused,
    /// A 交付待ち entry with a document still to hand over cannot be closed without recording the 交付.
    #[error("the document of this entry is not handed over yet")]
    HandoverPending,
}

impl StaffMessage for CounterError {
    fn message_ja(&self) -> String {
        match self {
            CounterError::NotSignedIn => "サインインしてください。".into(),
            CounterError::Link(e) => e.message_ja(),
            CounterError::Vault(e) => e.message_ja(),
            CounterError::Encode(_) => {
                "届出を保存できませんでした。入力内容は画面に残っています。情報システム管理者に連絡してください。".into()
            }
            CounterError::UnknownItem => "指定の受付が見つかりません。一覧を更新してください。".into(),
            CounterError::Distribution(e) => e.message_ja(),
            CounterError::AuditChain(e) => format!(
                "{} 端末を使用せず、情報システム管理者に連絡してください。",
                e.message_ja()
            ),
            CounterError::ReprintReasonRequired => {
                "この書類は印刷済みです。再印刷の理由を選んでください（その他は理由を記入）。".into()
            }
            CounterError::RevealPurpose(e) => e.message_ja().into(),
            CounterError::Offline(r) => r.message_ja(),
            CounterError::OfflineOnly => "オフライン受付のみのサインインです。この操作（検索、被保険者情報・個人番号の表示、交付・印刷など）は広域連合のサーバーが必要なため、回線の回復後にもう一度サインインしてから行ってください。届出の受付（保存）と名簿の照会はできます。".into(),
            CounterError::InvalidUserId => "ユーザIDは半角英数字と . _ @ - で入力してください。".into(),
            CounterError::RosterUnavailable => "回線が切断されていて、この端末にはオフライン用の名簿がないため検索できません。転入の届出は受け付けられます。その他の届出は回線の回復後に検索してから受け付けてください。".into(),
            CounterError::NotRefused => "この受付は差戻し・競合ではないため訂正できません。受付一覧を更新してください。".into(),
            CounterError::HandoverPending => "この決定の書類はまだ交付されていません。交付を記録してください（交付を記録すると一覧から消えます）。".into(),
        }
    }
}

impl CounterError {
    /// The union's stable error code, when the union refused.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            CounterError::Link(e) => e.code(),
            CounterError::Offline(r) => Some(r.code()),
            CounterError::OfflineOnly => Some("offline_session"),
            CounterError::Distribution(e) => Some(e.code()),
            CounterError::ReprintReasonRequired => Some("reprint_reason_required"),
            CounterError::RevealPurpose(_) => Some("reveal_purpose_required"),
            CounterError::RosterUnavailable => Some("roster_unavailable"),
            CounterError::HandoverPending => Some("handover_pending"),
            CounterError::NotRefused => Some("not_refused"),
            _ => None,
        }
    }
}
