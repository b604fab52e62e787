//! What can go wrong between terminal and union, sorted by what the caller should do about it.

use madoguchi_domain::StaffMessage;
use madoguchi_protocol::ErrorBody;

/// What staff read when the terminal's certificate is revoked.
pub const TERMINAL_REVOKED_JA: &str =
    "この端末の証明書は失効しています。情報システム管理者に連絡してください。";

/// Why a request did not reach the union or got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// No connection could be made (refused, unreachable, DNS).
    Connect,
    /// The union did not answer in time.
    Timeout,
    /// The TLS handshake failed: wrong server certificate, revoked or expired terminal certificate.
    Tls,
    /// The connection broke during the exchange.
    Broken,
    /// The line is switched off (training mode's simulated failure).
    Simulated,
}

/// An error of the link. Never carries request or response bodies.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LinkError {
    /// The configuration cannot be used (bad PEM, bad URL). Not retried.
    #[error("link configuration: {0}")]
    Config(String),
    /// The request did not get through. Retried later; queued work stays queued.
    #[error("union unreachable: {0:?}")]
    Transport(TransportFailure),
    /// The union answered with an error body.
    #[error("union refused ({status}): {}", body.message_en)]
    Refused {
        /// HTTP status.
        status: u16,
        /// The union's error body (stable code and messages).
        body: Box<ErrorBody>,
    },
    /// The union refused this terminal's certificate as revoked: by the TLS alert `certificate_revoked`
    /// after this terminal had verified the union's certificate, or by `403 terminal_revoked` on a verified
    /// connection. Final: the terminal must stop and wipe its vault.
    #[error("the union refused this terminal's certificate as revoked")]
    TerminalRevoked,
    /// The union answered something this terminal cannot read (a version mismatch).
    #[error("unexpected answer from the union ({status}): {detail}")]
    Unexpected {
        /// HTTP status.
        status: u16,
        /// What could not be read (never the body itself).
        detail: String,
    },
}

impl LinkError {
    /// Whether trying again later may succeed: transport failures, 5xx, 408 and 429. A 4xx refusal means
    /// the request itself must change (a rejection for staff to handle), so it is not retried.
    pub fn is_transient(&self) -> bool {
        match self {
            LinkError::Transport(_) => true,
            LinkError::Refused { status, .. } | LinkError::Unexpected { status, .. } => {
                *status >= 500 || *status == 408 || *status == 429
            }
            LinkError::Config(_) | LinkError::TerminalRevoked => false,
        }
    }

    /// Whether the line itself is the problem (as opposed to the union refusing this request).
    pub fn is_line_failure(&self) -> bool {
        matches!(self, LinkError::Transport(_))
    }

    /// The union's stable error code, when it answered with one.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            LinkError::Refused { body, .. } => Some(body.code.as_str()),
            LinkError::TerminalRevoked => Some("terminal_revoked"),
            _ => None,
        }
    }
}

impl StaffMessage for LinkError {
    fn message_ja(&self) -> String {
        match self {
            LinkError::Config(_) => "広域連合への接続設定に誤りがあります。情報システム管理者に連絡してください。".into(),
            LinkError::Transport(TransportFailure::Tls) => "広域連合のサーバーとの認証に失敗しました（証明書）。情報システム管理者に連絡してください。".into(),
            LinkError::Transport(TransportFailure::Simulated) => "回線切断中です（研修用の切断）。届出は受付として保存されます。".into(),
            LinkError::Transport(_) => "広域連合のサーバーにつながりません。届出は受付として保存し、回線の回復後に自動で送信します。".into(),
            LinkError::Refused { body, .. } => body.message_ja.clone(),
            LinkError::TerminalRevoked => TERMINAL_REVOKED_JA.into(),
            LinkError::Unexpected { .. } => "広域連合のサーバーから想定外の応答がありました。情報システム管理者に連絡してください。".into(),
        }
    }
}

/// Sorts a reqwest error into a transport failure without keeping its text (it may contain the URL only,
/// but we keep even that out of errors shown to staff).
pub(crate) fn classify(e: &reqwest::Error) -> TransportFailure {
    if e.is_timeout() {
        return TransportFailure::Timeout;
    }
    let chain = error_chain_text(e);
    if chain.contains("certificate")
        || chain.contains("tls")
        || chain.contains("handshake")
        || chain.contains("alert")
    {
        TransportFailure::Tls
    } else if e.is_connect() {
        TransportFailure::Connect
    } else {
        TransportFailure::Broken
    }
}

fn error_chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        s.push_str(&err.to_string().to_lowercase());
        s.push(' ');
        cur = err.source();
    }
    s
}
