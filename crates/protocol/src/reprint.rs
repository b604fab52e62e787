//! Reprints and corrections under the union's four-eyes policy (「再印刷・訂正は監督者の承認を要する」).
//!
//! When the union's policy says so (`GET /v1/reprint-policy`), a reprint of an issued document needs a
//! 監督者's approval: the supervisor steps up to the clerk's terminal and enters their own user id and
//! password with a reason (`POST /v1/documents/{id}/reprint-approval`). One approval covers one reprint of
//! one document; it is kept by the union (insert-only) and recorded in both audit trails.

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::v1::DocumentId;

crate::v1::opaque_id!(
    ReprintApprovalId,
    "Opaque id of one supervisor's approval of one reprint."
);

/// `GET /v1/reprint-policy` — the union's policy on reprints and corrections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReprintPolicy {
    /// A reprint or correction of an issued document needs a 監督者's approval first.
    pub supervisor_approval_required: bool,
}

/// `POST /v1/documents/{id}/reprint-approval` — a 監督者 approves one reprint, with their own credentials.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReprintApprovalRequest {
    /// The approving supervisor's user id (not the signed-in clerk).
    pub supervisor_user_id: String,
    /// The supervisor's password.
    pub password: String,
    /// Why the document is printed again (no personal data), e.g. 「用紙詰まりによる印字不良」: 1–100
    /// characters, no control or bidi characters.
    #[serde(deserialize_with = "crate::checked::reason")]
    #[schemars(with = "crate::schema::Reason")]
    pub reason: String,
}

impl fmt::Debug for ReprintApprovalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReprintApprovalRequest")
            .field("supervisor_user_id", &self.supervisor_user_id)
            .field("password", &"<secret>")
            .field("reason", &self.reason)
            .finish()
    }
}

/// One supervisor's approval of one reprint of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReprintApproval {
    /// Opaque id; the reprint is recorded with it, once.
    pub approval_id: ReprintApprovalId,
    /// The document to print again.
    pub document_id: DocumentId,
    /// The signed-in staff member who asked.
    pub requested_by: String,
    /// The 監督者 who approved.
    pub approved_by: String,
    /// 理由.
    pub reason: String,
    /// The terminal it was approved on.
    pub terminal_id: String,
    /// When.
    pub approved_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_debug_hides_the_password() {
        let r = ReprintApprovalRequest {
            supervisor_user_id: "152111-supervisor".into(),
            password: "kensyu-secret".into(),
            reason: "用紙詰まり".into(),
        };
        assert!(!format!("{r:?}").contains("kensyu-secret"));
        let parsed: Result<ReprintApprovalRequest, _> = serde_json::from_str(
            r#"{"supervisor_user_id":"a","password":"b","reason":"c","extra":1}"#,
        );
        assert!(parsed.is_err(), "unknown fields are refused");
    }

    #[test]
    fn approval_ids_are_opaque_uuids() {
        let id = ReprintApprovalId(Uuid::from_u128(5));
        assert_eq!(id.to_string().parse::<ReprintApprovalId>().ok(), Some(id));
    }
}
