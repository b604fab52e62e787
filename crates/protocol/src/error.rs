//! The error body every non-2xx answer carries: a stable code for programs, a Japanese message for the clerk
//! and an English one for logs. Messages never contain the values that were sent.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Stable error codes. Clients branch on these, never on message text.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not well-formed JSON (400).
    MalformedJson,
    /// The body has a field the API does not know (400).
    UnknownField,
    /// A required field is missing (400).
    MissingField,
    /// A field has an invalid value: identifier, date, kana, enum … (400).
    InvalidField,
    /// The body is not `application/json` (415).
    UnsupportedMediaType,
    /// The body is larger than the server accepts (413).
    PayloadTooLarge,
    /// `Idempotency-Key` header missing (400).
    MissingIdempotencyKey,
    /// `Idempotency-Key` is not a UUID (400).
    InvalidIdempotencyKey,
    /// The same idempotency key was used with a different request (409).
    IdempotencyKeyReused,
    /// No or unknown session token (401).
    Unauthenticated,
    /// The session token belongs to another terminal certificate (401).
    SessionTerminalMismatch,
    /// Wrong user id or password (401).
    InvalidCredentials,
    /// Too many failed sign-ins; locked for a while (423).
    AccountLocked,
    /// The staff user belongs to another municipality than the terminal (403).
    StaffOfOtherMunicipality,
    /// The staff user's role does not allow the operation (403).
    Forbidden,
    /// The 個人番号 permission is required (403).
    MyNumberPermissionRequired,
    /// The resident belongs to another municipality than the terminal (403).
    OutOfScope,
    /// The terminal certificate has been revoked (403).
    TerminalRevoked,
    /// Resource or route not found (404).
    NotFound,
    /// HTTP method not allowed on this route (405).
    MethodNotAllowed,
    /// Dates that contradict each other or the calendar (422).
    InvalidDates,
    /// The resident is already insured (409).
    AlreadyInsured,
    /// The resident is not insured (409).
    NotInsured,
    /// A resident with this 宛名番号 exists with other basic facts (409).
    ResidentMismatch,
    /// The 個人番号 differs from the one linked to the 宛名番号 (409).
    MyNumberMismatch,
    /// The change notification changes nothing (422).
    NothingToChange,
    /// The document was already handed over (409).
    AlreadyIssued,
    /// The document was already returned (409).
    AlreadyReturned,
    /// The document was never handed over, so it cannot be returned (409).
    NotIssued,
    /// The document was replaced before it was handed over (409).
    DocumentVoided,
    /// Handing over at the counter needs at least one 本人確認書類 (422).
    IdentityDocumentRequired,
    /// The request took too long (408).
    Timeout,
    /// Something failed on the server; nothing was written (500).
    Internal,
    /// The password must be changed before anything else (first sign-in, reset or expiry) (403).
    PasswordChangeRequired,
    /// The new password is shorter than the union's policy (422).
    PasswordTooShort,
    /// The new password is longer than the union's policy (422).
    PasswordTooLong,
    /// The new password is one of the last ones used (422).
    PasswordReused,
    /// The new password is too easy to guess: the user id, a common password, one repeated character (422).
    PasswordWeak,
    /// The user id exists already; ids are never reused, not even revoked ones (409).
    UserIdTaken,
    /// The staff account was revoked (失効); its sessions are closed (401).
    AccountRevoked,
    /// The account has no right in effect today (outside every grant's validity period) (403).
    NoGrantInEffect,
    /// The requester of a distribution cannot approve it (four-eyes) (403).
    SelfApproval,
    /// The password asked again for an approval is wrong (401).
    ReauthenticationFailed,
    /// The content changed since it was shown; approve the new content (409).
    ContentChanged,
    /// The distribution was already decided, or is not waiting for this decision (409).
    AlreadyDecided,
    /// The distribution is not approved yet: nothing of it may be printed, listed or exported (409).
    NotApproved,
    /// This terminal sent too many password attempts in a short time; it must wait (429).
    TooManyAttempts,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// Stable code.
    pub code: ErrorCode,
    /// Japanese message for counter staff.
    pub message_ja: String,
    /// English message for logs and developers.
    pub message_en: String,
    /// The JSON path of the offending field, when the error is about one field (never its value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorCode {
    /// The stable string (`malformed_json`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::MissingIdempotencyKey => "missing_idempotency_key",
            ErrorCode::InvalidIdempotencyKey => "invalid_idempotency_key",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::SessionTerminalMismatch => "session_terminal_mismatch",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::AccountLocked => "account_locked",
            ErrorCode::StaffOfOtherMunicipality => "staff_of_other_municipality",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::MyNumberPermissionRequired => "my_number_permission_required",
            ErrorCode::OutOfScope => "out_of_scope",
            ErrorCode::TerminalRevoked => "terminal_revoked",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::InvalidDates => "invalid_dates",
            ErrorCode::AlreadyInsured => "already_insured",
            ErrorCode::NotInsured => "not_insured",
            ErrorCode::ResidentMismatch => "resident_mismatch",
            ErrorCode::MyNumberMismatch => "my_number_mismatch",
            ErrorCode::NothingToChange => "nothing_to_change",
            ErrorCode::AlreadyIssued => "already_issued",
            ErrorCode::AlreadyReturned => "already_returned",
            ErrorCode::NotIssued => "not_issued",
            ErrorCode::DocumentVoided => "document_voided",
            ErrorCode::IdentityDocumentRequired => "identity_document_required",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
            ErrorCode::PasswordChangeRequired => "password_change_required",
            ErrorCode::PasswordTooShort => "password_too_short",
            ErrorCode::PasswordTooLong => "password_too_long",
            ErrorCode::PasswordReused => "password_reused",
            ErrorCode::PasswordWeak => "password_weak",
            ErrorCode::UserIdTaken => "user_id_taken",
            ErrorCode::AccountRevoked => "account_revoked",
            ErrorCode::NoGrantInEffect => "no_grant_in_effect",
            ErrorCode::SelfApproval => "self_approval",
            ErrorCode::ReauthenticationFailed => "reauthentication_failed",
            ErrorCode::ContentChanged => "content_changed",
            ErrorCode::AlreadyDecided => "already_decided",
            ErrorCode::NotApproved => "not_approved",
            ErrorCode::TooManyAttempts => "too_many_attempts",
        }
    }

    /// The HTTP status this code is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::MalformedJson
            | ErrorCode::UnknownField
            | ErrorCode::MissingField
            | ErrorCode::InvalidField
            | ErrorCode::MissingIdempotencyKey
            | ErrorCode::InvalidIdempotencyKey => 400,
            ErrorCode::Unauthenticated
            | ErrorCode::SessionTerminalMismatch
            | ErrorCode::InvalidCredentials
            | ErrorCode::AccountRevoked
            | ErrorCode::ReauthenticationFailed => 401,
            ErrorCode::PasswordChangeRequired | ErrorCode::NoGrantInEffect => 403,
            ErrorCode::UserIdTaken => 409,
            ErrorCode::PasswordTooShort
            | ErrorCode::PasswordTooLong
            | ErrorCode::PasswordReused
            | ErrorCode::PasswordWeak => 422,
            ErrorCode::StaffOfOtherMunicipality
            | ErrorCode::Forbidden
            | ErrorCode::MyNumberPermissionRequired
            | ErrorCode::OutOfScope
            | ErrorCode::TerminalRevoked
            | ErrorCode::SelfApproval => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Timeout => 408,
            ErrorCode::IdempotencyKeyReused
            | ErrorCode::AlreadyInsured
            | ErrorCode::NotInsured
            | ErrorCode::ResidentMismatch
            | ErrorCode::MyNumberMismatch
            | ErrorCode::AlreadyIssued
            | ErrorCode::AlreadyReturned
            | ErrorCode::NotIssued
            | ErrorCode::DocumentVoided
            | ErrorCode::ContentChanged
            | ErrorCode::AlreadyDecided
            | ErrorCode::NotApproved => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::InvalidDates
            | ErrorCode::NothingToChange
            | ErrorCode::IdentityDocumentRequired => 422,
            ErrorCode::AccountLocked => 423,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::Internal => 500,
        }
    }

    /// The default Japanese message for staff.
    pub fn message_ja(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "送信データの形式が正しくありません。",
            ErrorCode::UnknownField => "送信データに不明な項目があります。",
            ErrorCode::MissingField => "必須項目が入力されていません。",
            ErrorCode::InvalidField => {
                "入力内容に誤りがあります。番号・日付・カナを確認してください。"
            }
            ErrorCode::UnsupportedMediaType => "送信データの種類が正しくありません。",
            ErrorCode::PayloadTooLarge => "送信データが大きすぎます。",
            ErrorCode::MissingIdempotencyKey => "受付番号（冪等キー）がありません。",
            ErrorCode::InvalidIdempotencyKey => "受付番号（冪等キー）の形式が正しくありません。",
            ErrorCode::IdempotencyKeyReused => {
                "同じ受付番号で異なる内容の届出が送信されました。届出内容を確認してください。"
            }
            ErrorCode::Unauthenticated => "ログインしてください。",
            ErrorCode::SessionTerminalMismatch => {
                "この端末のログインではありません。もう一度ログインしてください。"
            }
            ErrorCode::InvalidCredentials => "ユーザIDまたはパスワードが正しくありません。",
            ErrorCode::AccountLocked => {
                "ログインの失敗が続いたため、このユーザIDは一時的にロックされています。しばらくしてから再度お試しください。"
            }
            ErrorCode::StaffOfOtherMunicipality => "この端末の市区町村の職員ではありません。",
            ErrorCode::Forbidden => "この操作の権限がありません。",
            ErrorCode::MyNumberPermissionRequired => "個人番号を扱う権限がありません。",
            ErrorCode::OutOfScope => "他の市区町村の住民は参照・更新できません。",
            ErrorCode::TerminalRevoked => {
                "この端末の証明書は失効しています。情報システム管理者に連絡してください。"
            }
            ErrorCode::NotFound => "該当するデータがありません。",
            ErrorCode::MethodNotAllowed => "この操作はできません。",
            ErrorCode::InvalidDates => "日付の前後関係に誤りがあります。日付を確認してください。",
            ErrorCode::AlreadyInsured => "この方はすでに被保険者です。",
            ErrorCode::NotInsured => "この方は被保険者ではありません。",
            ErrorCode::ResidentMismatch => {
                "同じ宛名番号で生年月日などが異なる住民が登録されています。宛名番号を確認してください。"
            }
            ErrorCode::MyNumberMismatch => {
                "個人番号が宛名番号に紐付く個人番号と一致しません。届出書の個人番号を確認してください。"
            }
            ErrorCode::NothingToChange => "変更する項目がありません。",
            ErrorCode::AlreadyIssued => "この書類はすでに交付済みです。",
            ErrorCode::AlreadyReturned => "この書類はすでに回収済みです。",
            ErrorCode::NotIssued => "この書類は交付されていないため、回収を記録できません。",
            ErrorCode::DocumentVoided => {
                "この書類は新しい書類に置き換えられたため、交付できません。"
            }
            ErrorCode::IdentityDocumentRequired => "窓口交付には本人確認書類の記録が必要です。",
            ErrorCode::Timeout => "処理に時間がかかりすぎました。もう一度送信してください。",
            ErrorCode::Internal => {
                "サーバーで問題が発生しました。データは更新されていません。もう一度送信してください。"
            }
            ErrorCode::PasswordChangeRequired => {
                "パスワードの変更が必要です。新しいパスワードを設定するまで、ほかの操作はできません。"
            }
            ErrorCode::PasswordTooShort => "パスワードが短すぎます。",
            ErrorCode::PasswordTooLong => "パスワードが長すぎます。",
            ErrorCode::PasswordReused => {
                "最近使ったパスワードは使えません。別のパスワードを設定してください。"
            }
            ErrorCode::PasswordWeak => {
                "推測されやすいパスワードです（ユーザIDを含む、よく使われる文字列、同じ文字の繰り返しなど）。別のパスワードを設定してください。"
            }
            ErrorCode::UserIdTaken => {
                "このユーザIDはすでに使われています。失効したユーザIDも再利用できません。"
            }
            ErrorCode::AccountRevoked => {
                "このユーザIDは失効しています。情報システム管理者に連絡してください。"
            }
            ErrorCode::NoGrantInEffect => {
                "現在有効な権限がありません（権限の有効期間外です）。情報システム管理者に連絡してください。"
            }
            ErrorCode::SelfApproval => "作成した本人は承認できません。別の職員が承認してください。",
            ErrorCode::ReauthenticationFailed => {
                "パスワードが正しくありません。承認するにはご自身のパスワードを入力してください。"
            }
            ErrorCode::ContentChanged => {
                "表示中の内容から配信データが変更されています。最新の内容を確認してから承認してください。"
            }
            ErrorCode::AlreadyDecided => "この配信はすでに承認または差戻しされています。",
            ErrorCode::NotApproved => {
                "この配信はまだ承認されていないため、印刷・一覧出力・媒体出力はできません。"
            }
            ErrorCode::TooManyAttempts => {
                "この端末からのパスワード入力が短時間に多すぎます。1分ほど待ってからやり直してください。"
            }
        }
    }

    /// The default English message.
    pub fn message_en(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "the request body is not well-formed JSON",
            ErrorCode::UnknownField => "the request body has an unknown field",
            ErrorCode::MissingField => "a required field is missing",
            ErrorCode::InvalidField => "a field has an invalid value",
            ErrorCode::UnsupportedMediaType => "the request body must be application/json",
            ErrorCode::PayloadTooLarge => "the request body is too large",
            ErrorCode::MissingIdempotencyKey => "the Idempotency-Key header is missing",
            ErrorCode::InvalidIdempotencyKey => "the Idempotency-Key header is not a UUID",
            ErrorCode::IdempotencyKeyReused => {
                "the idempotency key was already used with a different request"
            }
            ErrorCode::Unauthenticated => "no valid session",
            ErrorCode::SessionTerminalMismatch => "the session belongs to another terminal",
            ErrorCode::InvalidCredentials => "invalid user id or password",
            ErrorCode::AccountLocked => "the account is locked after repeated failures",
            ErrorCode::StaffOfOtherMunicipality => "the staff user belongs to another municipality",
            ErrorCode::Forbidden => "the role does not allow this operation",
            ErrorCode::MyNumberPermissionRequired => "the my_number permission is required",
            ErrorCode::OutOfScope => "the resident belongs to another municipality",
            ErrorCode::TerminalRevoked => "the terminal certificate is revoked",
            ErrorCode::NotFound => "not found",
            ErrorCode::MethodNotAllowed => "method not allowed",
            ErrorCode::InvalidDates => "dates contradict each other",
            ErrorCode::AlreadyInsured => "the resident is already insured",
            ErrorCode::NotInsured => "the resident is not insured",
            ErrorCode::ResidentMismatch => {
                "a resident with this addressee number has different basic facts"
            }
            ErrorCode::MyNumberMismatch => {
                "the my number differs from the one linked to the addressee number"
            }
            ErrorCode::NothingToChange => "nothing to change",
            ErrorCode::AlreadyIssued => "the document was already handed over",
            ErrorCode::AlreadyReturned => "the document was already returned",
            ErrorCode::NotIssued => "the document was never handed over",
            ErrorCode::DocumentVoided => "the document was replaced before it was handed over",
            ErrorCode::IdentityDocumentRequired => {
                "handing over at the counter needs an identity document"
            }
            ErrorCode::Timeout => "the request timed out",
            ErrorCode::Internal => "internal error; nothing was written",
            ErrorCode::PasswordChangeRequired => "the password must be changed first",
            ErrorCode::PasswordTooShort => "the new password is too short",
            ErrorCode::PasswordTooLong => "the new password is too long",
            ErrorCode::PasswordReused => "the new password was used recently",
            ErrorCode::PasswordWeak => "the new password is too easy to guess",
            ErrorCode::UserIdTaken => "the user id exists already (ids are never reused)",
            ErrorCode::AccountRevoked => "the staff account is revoked",
            ErrorCode::NoGrantInEffect => "no right of the account is in effect today",
            ErrorCode::SelfApproval => "the requester cannot approve their own distribution",
            ErrorCode::ReauthenticationFailed => "re-authentication failed",
            ErrorCode::ContentChanged => "the content changed since it was shown",
            ErrorCode::AlreadyDecided => "the distribution is not awaiting this decision",
            ErrorCode::NotApproved => "the distribution is not approved yet",
            ErrorCode::TooManyAttempts => {
                "too many password attempts from this terminal; wait and retry"
            }
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorBody {
    /// The body with the default messages of `code`.
    pub fn new(code: ErrorCode) -> Self {
        ErrorBody {
            code,
            message_ja: code.message_ja().to_string(),
            message_en: code.message_en().to_string(),
            field: None,
        }
    }

    /// Names the offending field (a JSON path, never a value).
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde() {
        for code in [
            ErrorCode::MalformedJson,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::OutOfScope,
            ErrorCode::MyNumberPermissionRequired,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
            assert!(code.http_status() >= 400);
            assert!(!code.message_ja().is_empty());
        }
    }
}
