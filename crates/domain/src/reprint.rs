//! 再印刷 (a reprint) and its reason, one vocabulary for the counter (which decides that a print is a reprint
//! and asks why) and the print crate (which logs it): the reason crosses as this enum, never as text
//! parsed again, so a reason the counter accepted always prints (FR-50, K:167, K:170–171 発行履歴).

use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

/// Longest その他 text, in characters (after trimming).
pub const OTHER_TEXT_MAX: usize = 200;

/// `ReprintReason` — 再印刷の理由, chosen from a list; その他 needs a text.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "text", rename_all = "snake_case")]
pub enum ReprintReason {
    /// 汚損・破損.
    Damaged,
    /// 印刷不良 (faint, misaligned, jammed).
    Misprint,
    /// 紛失 (lost before handover).
    Lost,
    /// その他, with the reason in words (1–200 characters).
    Other(String),
}

/// A reprint reason that cannot be used: その他 without words, too long, or with control characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a reprint reason of その他 needs 1-200 printable characters")]
#[non_exhaustive]
pub struct InvalidReprintReason;

impl ReprintReason {
    /// The list the reprint dialog offers (code, label).
    pub const CHOICES: [(&'static str, &'static str); 4] = [
        ("damaged", "汚損・破損"),
        ("misprint", "印刷不良"),
        ("lost", "紛失"),
        ("other", "その他"),
    ];

    /// その他 with `text` (trimmed), checked.
    pub fn other(text: &str) -> Result<Self, InvalidReprintReason> {
        let r = ReprintReason::Other(text.trim().to_owned());
        r.validate()?;
        Ok(r)
    }

    /// As recorded in the audit chain and the print log.
    pub fn label_ja(&self) -> String {
        match self {
            ReprintReason::Damaged => "汚損・破損".into(),
            ReprintReason::Misprint => "印刷不良".into(),
            ReprintReason::Lost => "紛失".into(),
            ReprintReason::Other(text) => format!("その他: {}", text.trim()),
        }
    }

    /// The reason in words: the label of a listed reason, or その他's own text (bulk-print reports, where
    /// the 監督者 writes the reason).
    pub fn words_ja(&self) -> String {
        match self {
            ReprintReason::Other(text) => text.trim().to_owned(),
            listed => listed.label_ja(),
        }
    }

    /// その他 needs 1–200 printable characters (line breaks allowed).
    pub fn validate(&self) -> Result<(), InvalidReprintReason> {
        if let ReprintReason::Other(text) = self {
            let t = text.trim();
            if t.is_empty()
                || t.chars().count() > OTHER_TEXT_MAX
                || t.chars().any(|c| c.is_control() && c != '\n')
            {
                return Err(InvalidReprintReason);
            }
        }
        Ok(())
    }

    /// Reads a reason written as text (a label from [`ReprintReason::label_ja`], or free words, which are
    /// その他) — for stores that kept the reason as a string before this type existed.
    pub fn from_text(text: &str) -> Result<Self, InvalidReprintReason> {
        let t = text.trim();
        let fixed = [
            ReprintReason::Damaged,
            ReprintReason::Misprint,
            ReprintReason::Lost,
        ];
        if let Some(r) = fixed.into_iter().find(|r| r.label_ja() == t) {
            return Ok(r);
        }
        Self::other(t.strip_prefix("その他:").unwrap_or(t))
    }
}

/// Serde helper: the reason as its label text, for stores whose format keeps a string
/// (`#[serde(with = "madoguchi_domain::reprint::as_text")]`).
pub mod as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::ReprintReason;

    /// Writes [`ReprintReason::words_ja`] (what those stores held before).
    pub fn serialize<S: Serializer>(r: &ReprintReason, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&r.words_ja())
    }

    /// Reads with [`ReprintReason::from_text`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ReprintReason, D::Error> {
        let text = String::deserialize(d)?;
        ReprintReason::from_text(&text).map_err(serde::de::Error::custom)
    }
}

/// `PrintOccasion` — 初回印刷 or the n-th 再印刷 of the same document, with the reason.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrintOccasion {
    /// The first print of the document.
    First,
    /// The `count`-th reprint.
    Reprint {
        /// 1 for the first reprint.
        count: NonZeroU32,
        /// Why.
        reason: ReprintReason,
    },
}

impl PrintOccasion {
    /// 0 for the first print, n for the n-th reprint.
    pub fn reprint_count(&self) -> u32 {
        match self {
            Self::First => 0,
            Self::Reprint { count, .. } => count.get(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_needs_words() {
        assert!(ReprintReason::Damaged.validate().is_ok());
        assert!(ReprintReason::Other("  ".into()).validate().is_err());
        assert!(ReprintReason::Other("あ".repeat(201)).validate().is_err());
        assert!(ReprintReason::Other("あ".repeat(200)).validate().is_ok());
        assert!(ReprintReason::Other("a\u{7}b".into()).validate().is_err());
        let r = ReprintReason::Other(" 交付後に記載誤りの申出 ".into());
        assert!(r.validate().is_ok());
        assert_eq!(r.label_ja(), "その他: 交付後に記載誤りの申出");
        let json = serde_json::to_string(&ReprintReason::Lost).unwrap();
        assert_eq!(json, r#"{"code":"lost"}"#);
        let back: ReprintReason =
            serde_json::from_str(r#"{"code":"other","text":"破れ"}"#).unwrap();
        assert_eq!(back, ReprintReason::Other("破れ".into()));
    }

    #[test]
    fn text_reads_back_labels_and_free_words() {
        let long = ReprintReason::Other("あ".repeat(OTHER_TEXT_MAX));
        for r in [ReprintReason::Damaged, ReprintReason::Lost, long.clone()] {
            assert_eq!(ReprintReason::from_text(&r.label_ja()), Ok(r.clone()));
            assert_eq!(ReprintReason::from_text(&r.words_ja()), Ok(r));
        }
        assert_eq!(
            ReprintReason::from_text("紙詰まりによる再印刷"),
            Ok(ReprintReason::Other("紙詰まりによる再印刷".into()))
        );
        assert!(ReprintReason::from_text(" ").is_err());
    }
}
