//! The 個人番号 reveal: a request of its own, with a purpose (利用目的).
//!
//! `POST /v1/residents/{resident_id}/my-number` with `{purpose, purpose_text?}`. Every access to the number
//! is recorded with when, who and for what purpose (「いつ」「誰が」「何の目的で」, T:544; K:3789–3791,
//! N:4040–4043), and a separate right is needed to display it at all (N:3886–3888, T:543). So the clerk says
//! why before the number is shown, the union refuses a reveal without a purpose, and both audit trails keep
//! the purpose. The body is JSON (never a query string) so the purpose text stays out of URLs and access logs.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{ErrorBody, ErrorCode};

/// Longest その他 text, in characters.
pub const PURPOSE_TEXT_MAX: usize = 100;

/// 利用目的 — why the clerk needs to see the 個人番号.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RevealPurpose {
    /// 届出の審査・入力 — checking or entering a notification (届出).
    Notification,
    /// 本人確認 — confirming the person at the counter is who they say.
    IdentityCheck,
    /// 番号の確認・訂正 — checking or correcting the linked number itself.
    NumberCheck,
    /// 情報提供ネットワーク照会 — an inquiry through the 情報提供ネットワークシステム.
    Inquiry,
    /// その他 — anything else, described in `purpose_text`.
    Other,
}

impl RevealPurpose {
    /// Every purpose, in the order the dialog lists them.
    pub const ALL: [RevealPurpose; 5] = [
        RevealPurpose::Notification,
        RevealPurpose::IdentityCheck,
        RevealPurpose::NumberCheck,
        RevealPurpose::Inquiry,
        RevealPurpose::Other,
    ];

    /// The stable wire code (`identity_check`, …).
    pub fn code(self) -> &'static str {
        match self {
            RevealPurpose::Notification => "notification",
            RevealPurpose::IdentityCheck => "identity_check",
            RevealPurpose::NumberCheck => "number_check",
            RevealPurpose::Inquiry => "inquiry",
            RevealPurpose::Other => "other",
        }
    }

    /// The label staff see.
    pub fn label_ja(self) -> &'static str {
        match self {
            RevealPurpose::Notification => "届出の審査・入力",
            RevealPurpose::IdentityCheck => "本人確認",
            RevealPurpose::NumberCheck => "番号の確認・訂正",
            RevealPurpose::Inquiry => "情報提供ネットワーク照会",
            RevealPurpose::Other => "その他",
        }
    }
}

/// `POST /v1/residents/{resident_id}/my-number` — the purpose of one reveal.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// 利用目的.
    pub purpose: RevealPurpose,
    /// Required for `other` (1–100 characters, no personal data); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose_text: Option<String>,
}

impl fmt::Debug for RevealRequest {
    // The text is free input: keep it out of debug output like any other staff input.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevealRequest")
            .field("purpose", &self.purpose)
            .field(
                "purpose_text",
                &self.purpose_text.as_ref().map(|_| "<text>"),
            )
            .finish()
    }
}

/// Why a purpose was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurposeError {
    /// No purpose, or one that is not in the list.
    Missing,
    /// その他 without a text, or one that is too long or has control characters.
    TextRequired,
    /// A text given with a purpose other than その他.
    TextNotAllowed,
}

impl PurposeError {
    /// The field the clerk must correct.
    pub fn field(self) -> &'static str {
        match self {
            PurposeError::Missing => "purpose",
            PurposeError::TextRequired | PurposeError::TextNotAllowed => "purpose_text",
        }
    }

    /// For counter staff.
    pub fn message_ja(self) -> &'static str {
        match self {
            PurposeError::Missing => "個人番号を表示する利用目的を選んでください。",
            PurposeError::TextRequired => {
                "利用目的が「その他」のときは、目的を100文字以内で入力してください（個人情報は書かないでください）。"
            }
            PurposeError::TextNotAllowed => {
                "利用目的の説明は「その他」を選んだときだけ入力できます。"
            }
        }
    }

    /// For logs.
    pub fn message_en(self) -> &'static str {
        match self {
            PurposeError::Missing => "a reveal needs a purpose from the list",
            PurposeError::TextRequired => {
                "purpose `other` needs a text of 1-100 characters without control characters"
            }
            PurposeError::TextNotAllowed => "a purpose text is only allowed with purpose `other`",
        }
    }

    /// The error answer: `invalid_field` on the purpose field, with this message.
    pub fn body(self) -> ErrorBody {
        ErrorBody {
            code: ErrorCode::InvalidField,
            message_ja: self.message_ja().to_owned(),
            message_en: self.message_en().to_owned(),
            field: Some(self.field().to_owned()),
        }
    }
}

impl fmt::Display for PurposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message_en())
    }
}

impl std::error::Error for PurposeError {}

/// A purpose that passed [`RevealRequest::check`].
#[derive(Clone, PartialEq, Eq)]
pub struct CheckedPurpose {
    purpose: RevealPurpose,
    text: Option<String>,
}

impl fmt::Debug for CheckedPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedPurpose")
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

impl CheckedPurpose {
    /// Which purpose.
    pub fn purpose(&self) -> RevealPurpose {
        self.purpose
    }

    /// As the union's audit trail keeps it: the code, and for その他 the text (`other: …`).
    pub fn audit_code(&self) -> String {
        match &self.text {
            Some(t) => format!("{}: {t}", self.purpose.code()),
            None => self.purpose.code().to_owned(),
        }
    }

    /// As the terminal's audit chain shows it to administrators: the label (`その他: …`).
    pub fn label_ja(&self) -> String {
        match &self.text {
            Some(t) => format!("{}: {t}", self.purpose.label_ja()),
            None => self.purpose.label_ja().to_owned(),
        }
    }

    /// Back to the wire form (trimmed text).
    pub fn request(&self) -> RevealRequest {
        RevealRequest {
            purpose: self.purpose,
            purpose_text: self.text.clone(),
        }
    }
}

impl RevealRequest {
    /// Checks the purpose: その他 needs 1–[`PURPOSE_TEXT_MAX`] characters (trimmed, no control
    /// characters); any other purpose takes no text (an empty one counts as none).
    pub fn check(&self) -> Result<CheckedPurpose, PurposeError> {
        let text = self
            .purpose_text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        match (self.purpose, text) {
            (RevealPurpose::Other, None) => Err(PurposeError::TextRequired),
            (RevealPurpose::Other, Some(t)) => {
                // The shared free-text rules: no control or bidi characters (madoguchi_domain::text).
                if t.chars().count() > PURPOSE_TEXT_MAX
                    || madoguchi_domain::text::check(madoguchi_domain::text::TextKind::Reason, t)
                        .is_err()
                {
                    Err(PurposeError::TextRequired)
                } else {
                    Ok(CheckedPurpose {
                        purpose: RevealPurpose::Other,
                        text: Some(t.to_owned()),
                    })
                }
            }
            (_, Some(_)) => Err(PurposeError::TextNotAllowed),
            (p, None) => Ok(CheckedPurpose {
                purpose: p,
                text: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(purpose: RevealPurpose, text: Option<&str>) -> RevealRequest {
        RevealRequest {
            purpose,
            purpose_text: text.map(str::to_owned),
        }
    }

    #[test]
    fn codes_round_trip_through_json() {
        for p in RevealPurpose::ALL {
            let json = serde_json::to_string(&p).expect("serialise");
            assert_eq!(json, format!("\"{}\"", p.code()));
            let back: RevealPurpose = serde_json::from_str(&json).expect("parse");
            assert_eq!(back, p);
        }
        assert!(serde_json::from_str::<RevealPurpose>("\"lunch\"").is_err());
    }

    #[test]
    fn listed_purposes_need_no_text() {
        let c = req(RevealPurpose::IdentityCheck, None).check().expect("ok");
        assert_eq!(c.audit_code(), "identity_check");
        assert_eq!(c.label_ja(), "本人確認");
        // An empty text from a form counts as none.
        let c = req(RevealPurpose::Inquiry, Some("  ")).check().expect("ok");
        assert_eq!(c.label_ja(), "情報提供ネットワーク照会");
        assert_eq!(c.request().purpose_text, None);
    }

    #[test]
    fn a_text_with_a_listed_purpose_is_refused() {
        let e = req(RevealPurpose::Notification, Some("念のため"))
            .check()
            .expect_err("text not allowed");
        assert_eq!(e, PurposeError::TextNotAllowed);
        assert_eq!(e.field(), "purpose_text");
    }

    #[test]
    fn other_needs_a_short_text() {
        assert_eq!(
            req(RevealPurpose::Other, None).check(),
            Err(PurposeError::TextRequired)
        );
        assert_eq!(
            req(RevealPurpose::Other, Some(" \t ")).check(),
            Err(PurposeError::TextRequired)
        );
        let long = "あ".repeat(PURPOSE_TEXT_MAX + 1);
        assert_eq!(
            req(RevealPurpose::Other, Some(&long)).check(),
            Err(PurposeError::TextRequired)
        );
        assert_eq!(
            req(RevealPurpose::Other, Some("照会\u{7}")).check(),
            Err(PurposeError::TextRequired)
        );
        assert_eq!(
            req(RevealPurpose::Other, Some("照会\u{202E}")).check(),
            Err(PurposeError::TextRequired)
        );
        let just = "あ".repeat(PURPOSE_TEXT_MAX);
        assert!(req(RevealPurpose::Other, Some(&just)).check().is_ok());
        let c = req(RevealPurpose::Other, Some(" 監査対応 "))
            .check()
            .expect("ok");
        assert_eq!(c.audit_code(), "other: 監査対応");
        assert_eq!(c.label_ja(), "その他: 監査対応");
    }

    #[test]
    fn the_request_refuses_unknown_fields_and_a_missing_purpose() {
        assert!(serde_json::from_str::<RevealRequest>(r#"{"purpose":"inquiry"}"#).is_ok());
        assert!(serde_json::from_str::<RevealRequest>("{}").is_err());
        assert!(
            serde_json::from_str::<RevealRequest>(r#"{"purpose":"inquiry","why":"x"}"#).is_err()
        );
    }

    #[test]
    fn the_error_body_is_invalid_field_in_japanese() {
        let b = PurposeError::Missing.body();
        assert_eq!(b.code, ErrorCode::InvalidField);
        assert_eq!(b.field.as_deref(), Some("purpose"));
        assert!(b.message_ja.contains("利用目的"));
    }

    #[test]
    fn debug_hides_the_text() {
        let r = req(RevealPurpose::Other, Some("秘密のメモ"));
        assert!(!format!("{r:?}").contains("秘密"));
        let c = r.check().expect("ok");
        assert!(!format!("{c:?}").contains("秘密"));
    }
}
