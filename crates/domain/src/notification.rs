//! 届出の種類 (the kind of a notification), shared by every crate that names one: the protocol sends it, the
//! terminal's outbox stores it, the 受付控 prints its wording. Crates exchange the enum, never its label.

use serde::{Deserialize, Serialize};

/// `NotificationKind` — 届出の種類, as a stable code.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// 資格取得（転入）.
    AcquisitionMoveIn,
    /// 資格取得（障害認定）.
    AcquisitionDisability,
    /// 再交付.
    Reissue,
    /// 記載事項変更.
    ChangeOfParticulars,
    /// 資格喪失（転出）.
    LossMoveOut,
    /// 資格喪失（死亡）.
    LossDeath,
    /// 送付先変更.
    MailingAddressChange,
    /// 任意記載事項.
    OptionalEntries,
}

impl NotificationKind {
    /// Every kind, in the order the screens list them.
    pub const ALL: [NotificationKind; 8] = [
        NotificationKind::AcquisitionMoveIn,
        NotificationKind::AcquisitionDisability,
        NotificationKind::Reissue,
        NotificationKind::ChangeOfParticulars,
        NotificationKind::LossMoveOut,
        NotificationKind::LossDeath,
        NotificationKind::MailingAddressChange,
        NotificationKind::OptionalEntries,
    ];

    /// 「資格取得（転入）」 etc., for the screens.
    pub fn label_ja(self) -> &'static str {
        match self {
            NotificationKind::AcquisitionMoveIn => "資格取得（転入）",
            NotificationKind::AcquisitionDisability => "資格取得（障害認定）",
            NotificationKind::Reissue => "再交付",
            NotificationKind::ChangeOfParticulars => "記載事項変更",
            NotificationKind::LossMoveOut => "資格喪失（転出）",
            NotificationKind::LossDeath => "資格喪失（死亡）",
            NotificationKind::MailingAddressChange => "送付先変更",
            NotificationKind::OptionalEntries => "任意記載事項",
        }
    }

    /// The kind whose label is `label` — only for reading data written before kinds were stored as codes
    /// (the vault's outbox migration). New code never parses a label.
    pub fn from_label_ja(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.label_ja() == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_back_and_codes_are_snake_case() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::from_label_ja(k.label_ja()), Some(k));
        }
        assert_eq!(NotificationKind::from_label_ja("転入"), None);
        assert_eq!(
            serde_json::to_string(&NotificationKind::AcquisitionMoveIn).unwrap(),
            r#""acquisition_move_in""#
        );
    }
}
