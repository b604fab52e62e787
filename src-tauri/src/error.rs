//! The one error shape that crosses IPC: a stable code for the UI's logic and the Japanese a clerk reads.
//! Never personal data: messages come from `StaffMessage` implementations, which name fields, not values.

use madoguchi_application::{AppError, TerminalErrorCode};
use madoguchi_counter::CounterError;
use madoguchi_print::PrintError;
use madoguchi_protocol::ErrorCode;
use serde::Serialize;

pub use madoguchi_counter::forms::FieldError;
use madoguchi_counter::forms::FormErrors;

/// `{code, message_ja, fields}` as the UI receives it.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}")]
pub struct IpcError {
    /// Stable code (`not_signed_in`, `invalid_input`, `locked`, a union error code, …): one generated
    /// vocabulary, so the UI's comparisons are checked.
    pub code: TerminalErrorCode,
    /// What the clerk reads.
    pub message_ja: String,
    /// Per-field problems of an entry form (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl IpcError {
    /// An error without field details.
    pub fn new(code: TerminalErrorCode, message_ja: impl Into<String>) -> Self {
        IpcError {
            code,
            message_ja: message_ja.into(),
            fields: Vec::new(),
        }
    }

    /// The form had errors: one entry per field.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        IpcError {
            code: TerminalErrorCode::InvalidInput,
            message_ja: "入力内容に誤りがあります。赤く表示された項目を確認してください。".into(),
            fields,
        }
    }

    /// The app is still starting.
    pub fn starting() -> Self {
        IpcError::new(
            TerminalErrorCode::Starting,
            "起動中です。しばらくお待ちください。",
        )
    }

    /// The screen is locked after inactivity.
    pub fn locked() -> Self {
        IpcError::new(
            TerminalErrorCode::Locked,
            "画面がロックされています。パスワードを入力して再開してください。",
        )
    }

    /// The staff member's role does not allow the command (the union's own code, `forbidden`).
    pub fn forbidden(message_ja: impl Into<String>) -> Self {
        IpcError::new(TerminalErrorCode::Union(ErrorCode::Forbidden), message_ja)
    }

    /// Nobody is signed in.
    pub fn not_signed_in() -> Self {
        IpcError::new(TerminalErrorCode::NotSignedIn, "サインインしてください。")
    }
}

impl From<AppError> for IpcError {
    fn from(e: AppError) -> Self {
        IpcError::new(e.code, e.message_ja)
    }
}

impl From<CounterError> for IpcError {
    fn from(e: CounterError) -> Self {
        AppError::from(e).into()
    }
}

impl From<madoguchi_counter::CorrectionError> for IpcError {
    fn from(e: madoguchi_counter::CorrectionError) -> Self {
        match e {
            madoguchi_counter::CorrectionError::Form(f) => f.into(),
            madoguchi_counter::CorrectionError::Counter(c) => c.into(),
            other => IpcError::new(
                TerminalErrorCode::CorrectionFailed,
                madoguchi_domain::StaffMessage::message_ja(&other),
            ),
        }
    }
}

impl From<FormErrors> for IpcError {
    fn from(e: FormErrors) -> Self {
        IpcError {
            code: TerminalErrorCode::InvalidInput,
            message_ja: e.message_ja().into(),
            fields: e.fields,
        }
    }
}

impl From<madoguchi_domain::staff::IdentityError> for IpcError {
    fn from(e: madoguchi_domain::staff::IdentityError) -> Self {
        AppError::from(e).into()
    }
}

impl From<PrintError> for IpcError {
    fn from(e: PrintError) -> Self {
        AppError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_code_and_japanese_and_omits_empty_fields() {
        let json = serde_json::to_value(IpcError::not_signed_in()).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"code": "not_signed_in", "message_ja": "サインインしてください。"})
        );
        let json = serde_json::to_value(IpcError::invalid(vec![FieldError {
            field: "kana".into(),
            message_ja: "カナで入力してください。".into(),
        }]))
        .expect("json");
        assert_eq!(json["code"], "invalid_input");
        assert_eq!(json["fields"][0]["field"], "kana");
    }

    #[test]
    fn counter_errors_keep_their_japanese() {
        let e = IpcError::from(CounterError::NotSignedIn);
        assert_eq!(e.code, TerminalErrorCode::NotSignedIn);
        assert_eq!(e.message_ja, "サインインしてください。");
    }
}
