//! The one error shape of the use cases as a screen needs it: a stable code for the UI's logic and the
//! Japanese a clerk reads. Never personal data: messages come from `StaffMessage` implementations, which
//! name fields, not values. Causes are logged where they are mapped.

use madoguchi_batch::BatchError;
use madoguchi_counter::CounterError;
use madoguchi_domain::StaffMessage;
use madoguchi_print::PrintError;

/// `{code, message_ja}`: what went wrong, for the screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}")]
#[non_exhaustive]
pub struct AppError {
    /// Stable code (`not_signed_in`, `print`, `batch`, a union error code, …).
    pub code: String,
    /// What the clerk reads.
    pub message_ja: String,
}

impl AppError {
    /// An error with its code and message.
    pub fn new(code: &str, message_ja: impl Into<String>) -> Self {
        AppError {
            code: code.to_owned(),
            message_ja: message_ja.into(),
        }
    }
}

impl From<CounterError> for AppError {
    fn from(e: CounterError) -> Self {
        tracing::info!(error = %e, "counter use case failed");
        let code = match &e {
            CounterError::NotSignedIn => "not_signed_in",
            CounterError::UnknownItem => "unknown_item",
            CounterError::Encode(_) => "encode",
            CounterError::Vault(_) => "vault",
            CounterError::Link(_) => e.code().unwrap_or("link"),
            CounterError::AuditChain(_) => "audit_chain_broken",
            CounterError::Offline(_) | CounterError::OfflineOnly => {
                e.code().unwrap_or("offline_session")
            }
            CounterError::InvalidUserId => "invalid_user_id",
            CounterError::Distribution(d) => d.code(),
            CounterError::ReprintReasonRequired => "reprint_reason_required",
            CounterError::RevealPurpose(_) => "reveal_purpose_required",
            _ => e.code().unwrap_or("counter"),
        };
        AppError::new(code, e.message_ja())
    }
}

impl From<PrintError> for AppError {
    fn from(e: PrintError) -> Self {
        tracing::warn!(error = %e, "printing failed");
        AppError::new("print", e.message_ja())
    }
}

impl From<BatchError> for AppError {
    fn from(e: BatchError) -> Self {
        tracing::warn!(error = %e, "bulk work stopped");
        AppError::new("batch", e.message_ja())
    }
}

impl From<madoguchi_domain::staff::IdentityError> for AppError {
    fn from(e: madoguchi_domain::staff::IdentityError) -> Self {
        tracing::info!(error = %e, "identifier refused");
        AppError::new("invalid_input", e.message_ja())
    }
}
