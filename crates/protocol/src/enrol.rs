//! Terminal enrolment (端末登録): the one request a terminal makes before it has a certificate.
//!
//! It goes to the union's separate enrolment listener (server-authenticated TLS only, no client
//! certificate): the one-time enrolment code the 情報システム管理者 received from the union, and a
//! certificate signing request for a key created on the terminal. The union sets the certificate's
//! names from the code, never from the request.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The route on the enrolment listener.
pub const ENROL_PATH: &str = crate::endpoint::ENROL.template();

/// `POST /v1/enrolment`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time enrolment code (登録コード), as printed by `madoguchi-union pki enrolment-code`;
    /// case, spaces and '-' do not matter.
    pub code: String,
    /// PKCS#10 certificate signing request, PEM.
    pub csr_pem: String,
}

impl std::fmt::Debug for EnrolRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolRequest")
            .field("code", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The union's answer: everything a terminal needs to connect over mutual TLS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EnrolResponse {
    /// 端末ID, as the certificate names it.
    pub terminal_id: String,
    /// 地方公共団体コード, as the certificate names it.
    pub municipality: String,
    /// 広域連合名.
    pub union_name: String,
    /// The terminal certificate followed by the CA certificate, PEM.
    pub certificate_chain_pem: String,
    /// The union CA certificate, PEM.
    pub ca_pem: String,
    /// The current CRL of the union CA, PEM.
    pub crl_pem: String,
    /// Serial number of the new certificate, lowercase hex.
    pub serial: String,
    /// Expiry of the certificate, RFC 3339.
    pub not_after: String,
    /// The mutual-TLS API endpoint, when the union's configuration names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,
}

/// Why an enrolment was refused. Stable strings on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolErrorCode {
    /// No such code (mistyped, or never issued).
    UnknownCode,
    /// The code's validity has passed.
    ExpiredCode,
    /// The code was used already.
    UsedCode,
    /// Too many failed attempts from this address; wait and try again.
    TooManyAttempts,
    /// The CSR cannot be read or its signature does not verify.
    BadCsr,
    /// The request is not the expected JSON.
    Malformed,
    /// The union failed to issue the certificate.
    Internal,
}

/// Error body of the enrolment listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EnrolErrorBody {
    /// Stable code.
    pub code: EnrolErrorCode,
    /// Japanese message for the administrator.
    pub message_ja: String,
    /// English message for logs.
    pub message_en: String,
}

impl EnrolErrorCode {
    /// HTTP status.
    pub fn status(self) -> u16 {
        match self {
            EnrolErrorCode::UnknownCode => 403,
            EnrolErrorCode::ExpiredCode | EnrolErrorCode::UsedCode => 410,
            EnrolErrorCode::TooManyAttempts => 429,
            EnrolErrorCode::BadCsr | EnrolErrorCode::Malformed => 400,
            EnrolErrorCode::Internal => 500,
        }
    }

    /// Japanese message for the administrator.
    pub fn message_ja(self) -> &'static str {
        match self {
            EnrolErrorCode::UnknownCode => {
                "登録コードが正しくありません。広域連合から受け取ったコードを確認してください。"
            }
            EnrolErrorCode::ExpiredCode => {
                "登録コードの有効期限が切れています。広域連合に新しい登録コードを依頼してください。"
            }
            EnrolErrorCode::UsedCode => {
                "この登録コードは使用済みです。広域連合に新しい登録コードを依頼してください。"
            }
            EnrolErrorCode::TooManyAttempts => {
                "登録の失敗が続いたため、しばらく受け付けません。時間をおいて再度実行してください。"
            }
            EnrolErrorCode::BadCsr => "証明書の発行要求を広域連合が読み取れませんでした。",
            EnrolErrorCode::Malformed => "登録要求の形式が正しくありません。",
            EnrolErrorCode::Internal => {
                "広域連合のサーバーで証明書を発行できませんでした。広域連合に連絡してください。"
            }
        }
    }

    /// English message for logs.
    pub fn message_en(self) -> &'static str {
        match self {
            EnrolErrorCode::UnknownCode => "unknown enrolment code",
            EnrolErrorCode::ExpiredCode => "the enrolment code has expired",
            EnrolErrorCode::UsedCode => "the enrolment code has been used already",
            EnrolErrorCode::TooManyAttempts => {
                "too many failed enrolment attempts; try again later"
            }
            EnrolErrorCode::BadCsr => "the certificate signing request cannot be read or verified",
            EnrolErrorCode::Malformed => "malformed enrolment request",
            EnrolErrorCode::Internal => "the union could not issue the certificate",
        }
    }
}

impl From<EnrolErrorCode> for EnrolErrorBody {
    fn from(code: EnrolErrorCode) -> Self {
        EnrolErrorBody {
            code,
            message_ja: code.message_ja().into(),
            message_en: code.message_en().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_debug_redacts_the_code_and_wire_names_are_stable() {
        let r = EnrolRequest {
            code: "ABCD-EFGH".into(),
            csr_pem: String::new(),
        };
        assert!(!format!("{r:?}").contains("ABCD"));
        let body = EnrolErrorBody::from(EnrolErrorCode::UsedCode);
        let json = serde_json::to_string(&body).unwrap();
        assert!(json.contains("\"used_code\""), "{json}");
        assert_eq!(EnrolErrorCode::ExpiredCode.status(), 410);
    }
}
