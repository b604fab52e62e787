//! The one error shape of the use cases as a screen needs it: a stable code for the UI's logic and the
//! Japanese a clerk reads. Never personal data: messages come from `StaffMessage` implementations, which
//! name fields, not values. Causes are logged where they are mapped.

use madoguchi_batch::BatchError;
use madoguchi_counter::{CounterError, DistributionError, OfflineRefusal};
use madoguchi_domain::StaffMessage;
use madoguchi_link::LinkError;
use madoguchi_print::PrintError;
use madoguchi_protocol::ErrorCode;
use serde::Serialize;

/// Declares [`TerminalErrorCode`] with one wire string per variant, so `as_str` and serde cannot differ.
macro_rules! terminal_error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// 端末のエラーコード — the stable code of every error a screen receives: the terminal's own
        /// (`not_signed_in`, `batch`, `offline_locked`, …) and, unchanged, the union's [`ErrorCode`]
        /// (`invalid_credentials`, `terminal_revoked`, …). Generated for the UI (`TerminalErrorCode.ts`), so a
        /// screen comparing `failure.code === '…'` with a code that does not exist fails `npm run check`.
        /// A code the union also has is the union's variant, never a second spelling.
        #[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[non_exhaustive]
        pub enum TerminalErrorCode {
            $($(#[$doc])* #[serde(rename = $code)] $variant,)*
            /// The union refused with its own stable code (serialised as that code alone).
            #[serde(untagged)]
            Union(ErrorCode),
        }

        impl TerminalErrorCode {
            /// The wire string, as serde writes it (for logs and the audit chain).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(TerminalErrorCode::$variant => $code,)*
                    TerminalErrorCode::Union(c) => c.as_str(),
                }
            }

            /// Every terminal-only code (without the union's), for tests and documentation.
            pub const TERMINAL: &'static [TerminalErrorCode] = &[$(TerminalErrorCode::$variant,)*];
        }
    };
}

terminal_error_codes! {
    /// The app is still starting (起動中).
    Starting = "starting",
    /// The screen is locked after inactivity.
    Locked = "locked",
    /// Nobody is signed in.
    NotSignedIn = "not_signed_in",
    /// A form or an argument was not valid; `fields` names the fields.
    InvalidInput = "invalid_input",
    /// No such queue item or 受付.
    UnknownItem = "unknown_item",
    /// The notification could not be prepared for the queue.
    Encode = "encode",
    /// The local store (vault) failed or could not be opened.
    Vault = "vault",
    /// The line or the union failed without a code of its own.
    Link = "link",
    /// The terminal's audit chain is broken.
    AuditChainBroken = "audit_chain_broken",
    /// Offline sign-in: this user never signed in online on this terminal.
    OfflineNeverOnline = "offline_never_online",
    /// Offline sign-in: the window since the last online sign-in has passed.
    OfflineWindowPassed = "offline_window_passed",
    /// Offline sign-in: the account is on the revocation list.
    OfflineRevoked = "offline_revoked",
    /// Offline sign-in: no revocation list is kept.
    OfflineNoRevocationList = "offline_no_revocation_list",
    /// Offline sign-in: wrong password.
    OfflineInvalidCredentials = "offline_invalid_credentials",
    /// Offline sign-in: locked after repeated failures.
    OfflineLocked = "offline_locked",
    /// The session was opened offline: it may only queue work.
    OfflineSession = "offline_session",
    /// A user id that cannot be an account's.
    InvalidUserId = "invalid_user_id",
    /// A distribution's ledger is broken.
    LedgerBroken = "ledger_broken",
    /// A distribution's content is not the approved one.
    ContentMismatch = "content_mismatch",
    /// A distribution's approved content was not fetched to this terminal.
    NotFetched = "not_fetched",
    /// A reprint approval was used already.
    ReprintApprovalUsed = "reprint_approval_used",
    /// A reprint approval has lapsed.
    ReprintApprovalLapsed = "reprint_approval_lapsed",
    /// A second print is a reprint and needs a reason.
    ReprintReasonRequired = "reprint_reason_required",
    /// This reprint needs a 監督者's approval.
    SupervisorApprovalRequired = "supervisor_approval_required",
    /// A 個人番号 reveal needs a purpose (利用目的).
    RevealPurposeRequired = "reveal_purpose_required",
    /// The line is down and no offline roster is kept.
    RosterUnavailable = "roster_unavailable",
    /// Only a refused item can be corrected.
    NotRefused = "not_refused",
    /// The 交付待ち entry still has a document to hand over.
    HandoverPending = "handover_pending",
    /// The correction could not be prepared.
    CorrectionFailed = "correction_failed",
    /// Another refusal of a counter use case.
    Counter = "counter",
    /// Rendering or printing failed.
    Print = "print",
    /// The document kind can no longer be issued.
    DocumentNotIssuable = "document_not_issuable",
    /// A 受付番号 that cannot be printed on a 受付控.
    ReceiptNumber = "receipt_number",
    /// Bulk work (一括印刷) failed or is not in the state asked for.
    Batch = "batch",
    /// An export file could not be written.
    ExportFailed = "export_failed",
    /// The audit report could not be written.
    ExportWriteFailed = "export_write_failed",
    /// The terminal's configuration file is not valid.
    ConfigInvalid = "config_invalid",
    /// The terminal's configuration file cannot be read.
    ConfigUnreadable = "config_unreadable",
    /// The terminal's certificate or key cannot be read.
    CredentialsUnreadable = "credentials_unreadable",
    /// The OS keyring is unavailable.
    KeyringUnavailable = "keyring_unavailable",
    /// No place for the terminal's data is configured.
    NoDataDir = "no_data_dir",
    /// The place for the terminal's data cannot be created.
    DataDir = "data_dir",
    /// The enrolled terminal's identity cannot be loaded.
    Enrolment = "enrolment",
    /// The terminal is not enrolled with the union.
    NotEnrolled = "not_enrolled",
    /// The operation exists only in 研修モード.
    TrainingOnly = "training_only",
    /// The training union server could not start.
    TrainingUnion = "training_union",
}

impl std::fmt::Display for TerminalErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ErrorCode> for TerminalErrorCode {
    fn from(c: ErrorCode) -> Self {
        TerminalErrorCode::Union(c)
    }
}

/// `{code, message_ja}`: what went wrong, for the screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}")]
#[non_exhaustive]
pub struct AppError {
    /// Stable code (`not_signed_in`, `print`, `batch`, a union error code, …).
    pub code: TerminalErrorCode,
    /// What the clerk reads.
    pub message_ja: String,
}

impl AppError {
    /// An error with its code and message.
    pub fn new(code: impl Into<TerminalErrorCode>, message_ja: impl Into<String>) -> Self {
        AppError {
            code: code.into(),
            message_ja: message_ja.into(),
        }
    }
}

/// The code of a counter refusal, typed (the counter's `code()` strings are the same, see the tests).
fn counter_code(e: &CounterError) -> TerminalErrorCode {
    use TerminalErrorCode as C;
    match e {
        CounterError::NotSignedIn => C::NotSignedIn,
        CounterError::UnknownItem => C::UnknownItem,
        CounterError::Encode(_) => C::Encode,
        CounterError::Vault(_) => C::Vault,
        CounterError::Link(LinkError::Refused { body, .. }) => C::Union(body.code),
        CounterError::Link(LinkError::TerminalRevoked) => C::Union(ErrorCode::TerminalRevoked),
        CounterError::Link(_) => C::Link,
        CounterError::AuditChain(_) => C::AuditChainBroken,
        CounterError::Offline(r) => match r {
            OfflineRefusal::NeverOnline => C::OfflineNeverOnline,
            OfflineRefusal::WindowPassed { .. } => C::OfflineWindowPassed,
            OfflineRefusal::Revoked => C::OfflineRevoked,
            OfflineRefusal::NoRevocationList => C::OfflineNoRevocationList,
            OfflineRefusal::WrongPassword => C::OfflineInvalidCredentials,
            OfflineRefusal::Locked => C::OfflineLocked,
            _ => C::OfflineSession,
        },
        CounterError::OfflineOnly => C::OfflineSession,
        CounterError::InvalidUserId => C::InvalidUserId,
        CounterError::Distribution(d) => match d {
            DistributionError::NotApproved => C::Union(ErrorCode::NotApproved),
            DistributionError::LedgerBroken(_) => C::LedgerBroken,
            DistributionError::ContentMismatch => C::ContentMismatch,
            DistributionError::NotFetched => C::NotFetched,
            DistributionError::ReprintApprovalUsed => C::ReprintApprovalUsed,
            DistributionError::ReprintApprovalLapsed => C::ReprintApprovalLapsed,
            _ => C::Counter,
        },
        CounterError::ReprintReasonRequired => C::ReprintReasonRequired,
        CounterError::RevealPurpose(_) => C::RevealPurposeRequired,
        CounterError::RosterUnavailable => C::RosterUnavailable,
        CounterError::NotRefused => C::NotRefused,
        CounterError::HandoverPending => C::HandoverPending,
        _ => C::Counter,
    }
}

impl From<CounterError> for AppError {
    fn from(e: CounterError) -> Self {
        tracing::info!(error = %e, "counter use case failed");
        let code = counter_code(&e);
        AppError::new(code, e.message_ja())
    }
}

impl From<PrintError> for AppError {
    fn from(e: PrintError) -> Self {
        tracing::warn!(error = %e, "printing failed");
        AppError::new(TerminalErrorCode::Print, e.message_ja())
    }
}

impl From<BatchError> for AppError {
    fn from(e: BatchError) -> Self {
        tracing::warn!(error = %e, "bulk work stopped");
        AppError::new(TerminalErrorCode::Batch, e.message_ja())
    }
}

impl From<madoguchi_domain::staff::IdentityError> for AppError {
    fn from(e: madoguchi_domain::staff::IdentityError) -> Self {
        tracing::info!(error = %e, "identifier refused");
        AppError::new(TerminalErrorCode::InvalidInput, e.message_ja())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_protocol::ErrorBody;

    fn wire(code: TerminalErrorCode) -> serde_json::Value {
        serde_json::to_value(code).expect("json")
    }

    #[test]
    fn codes_serialise_to_the_strings_the_screens_branch_on() {
        // ui/src/lib/reprint.ts, PasswordChangeDialog.svelte, revocation.ts, appInfo.
        assert_eq!(
            wire(TerminalErrorCode::SupervisorApprovalRequired),
            "supervisor_approval_required"
        );
        assert_eq!(
            wire(TerminalErrorCode::ReprintReasonRequired),
            "reprint_reason_required"
        );
        assert_eq!(
            wire(TerminalErrorCode::KeyringUnavailable),
            "keyring_unavailable"
        );
        assert_eq!(wire(TerminalErrorCode::NotSignedIn), "not_signed_in");
        // The union's codes cross unchanged, not wrapped.
        assert_eq!(
            wire(ErrorCode::InvalidCredentials.into()),
            "invalid_credentials"
        );
        assert_eq!(wire(ErrorCode::TerminalRevoked.into()), "terminal_revoked");
        assert_eq!(
            wire(ErrorCode::PasswordTooShort.into()),
            "password_too_short"
        );
    }

    #[test]
    fn as_str_is_the_wire_string_and_no_terminal_code_shadows_a_union_one() {
        for &code in TerminalErrorCode::TERMINAL {
            assert_eq!(wire(code), code.as_str());
            let as_union: Result<ErrorCode, _> = serde_json::from_value(wire(code));
            assert!(
                as_union.is_err(),
                "{code} is a union code: use TerminalErrorCode::Union"
            );
        }
        assert_eq!(
            TerminalErrorCode::Union(ErrorCode::NotApproved).as_str(),
            "not_approved"
        );
    }

    #[test]
    fn a_counter_refusal_keeps_the_code_the_counter_audits() {
        let refused = LinkError::Refused {
            status: 401,
            body: Box::new(ErrorBody::new(ErrorCode::InvalidCredentials)),
        };
        let cases = [
            CounterError::Link(refused),
            CounterError::Link(LinkError::TerminalRevoked),
            CounterError::Offline(OfflineRefusal::Locked),
            CounterError::Offline(OfflineRefusal::NeverOnline),
            CounterError::Offline(OfflineRefusal::Revoked),
            CounterError::Offline(OfflineRefusal::NoRevocationList),
            CounterError::Offline(OfflineRefusal::WrongPassword),
            CounterError::OfflineOnly,
            CounterError::Distribution(DistributionError::NotApproved),
            CounterError::Distribution(DistributionError::ReprintApprovalLapsed),
            CounterError::Distribution(DistributionError::ReprintApprovalUsed),
            CounterError::Distribution(DistributionError::ContentMismatch),
            CounterError::Distribution(DistributionError::NotFetched),
            CounterError::ReprintReasonRequired,
            CounterError::RosterUnavailable,
            CounterError::NotRefused,
            CounterError::HandoverPending,
        ];
        for e in cases {
            let audited = e.code().expect("a counter code");
            assert_eq!(AppError::from(e).code.as_str(), audited);
        }
        assert_eq!(
            AppError::from(CounterError::NotSignedIn).code,
            TerminalErrorCode::NotSignedIn
        );
    }
}
