//! The print log: who printed what kind of document, when, on which printer, and whether it was a
//! reprint (which needs a reason). A value type plus a sink trait; persisting it is the vault's job.

use std::num::NonZeroU32;
use std::sync::Mutex;

use crate::error::PrintError;
use crate::kind::PrintKind;
use crate::printer::{JobId, QueueName};
use crate::render::{RenderMode, RenderedDocument};

/// 職員ID of the staff member who printed (an account id, not a resident's data).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StaffId(String);

impl TryFrom<String> for StaffId {
    type Error = PrintError;
    fn try_from(s: String) -> Result<Self, PrintError> {
        Self::parse(&s)
    }
}

impl From<StaffId> for String {
    fn from(s: StaffId) -> String {
        s.0
    }
}

impl StaffId {
    pub fn parse(s: &str) -> Result<Self, PrintError> {
        let t = s.trim();
        if t.is_empty() || t.len() > 64 || t.chars().any(char::is_control) {
            return Err(PrintError::InvalidLogEntry(
                "staff id must be 1–64 printable characters",
            ));
        }
        Ok(Self(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 再発行の理由: non-empty, at most 200 characters. A reprint cannot be expressed without one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReprintReason(String);

impl TryFrom<String> for ReprintReason {
    type Error = PrintError;
    fn try_from(s: String) -> Result<Self, PrintError> {
        Self::new(&s)
    }
}

impl From<ReprintReason> for String {
    fn from(r: ReprintReason) -> String {
        r.0
    }
}

impl ReprintReason {
    pub fn new(reason: &str) -> Result<Self, PrintError> {
        let t = reason.trim();
        if t.is_empty() {
            return Err(PrintError::InvalidLogEntry("a reprint needs a reason"));
        }
        if t.chars().count() > 200 || t.chars().any(|c| c.is_control() && c != '\n') {
            return Err(PrintError::InvalidLogEntry(
                "the reprint reason must be at most 200 printable characters",
            ));
        }
        Ok(Self(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// First print or the n-th reprint of the same document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PrintOccasion {
    First,
    Reprint {
        count: NonZeroU32,
        reason: ReprintReason,
    },
}

impl PrintOccasion {
    pub fn reprint_count(&self) -> u32 {
        match self {
            Self::First => 0,
            Self::Reprint { count, .. } => count.get(),
        }
    }
}

/// One line of the print log. Carries no personal data: the subject is referenced by an opaque id the
/// caller chooses (e.g. the audit subject reference), never by name or number.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PrintLogRecord {
    pub staff: StaffId,
    pub kind: PrintKind,
    pub layout: String,
    pub printed_at: chrono::DateTime<chrono::Utc>,
    pub backend: String,
    pub printer: String,
    pub job: JobId,
    pub pages: usize,
    pub occasion: PrintOccasion,
    pub training: bool,
    /// Opaque reference to the subject(s), chosen by the caller.
    pub subject_ref: Option<String>,
}

impl PrintLogRecord {
    /// Build the record for a job that was submitted.
    pub fn for_job(
        staff: StaffId,
        doc: &RenderedDocument,
        printed_at: chrono::DateTime<chrono::Utc>,
        backend: &str,
        printer: &QueueName,
        job: JobId,
        occasion: PrintOccasion,
    ) -> Self {
        Self {
            staff,
            kind: doc.kind(),
            layout: doc.layout_name().to_string(),
            printed_at,
            backend: backend.to_string(),
            printer: printer.to_string(),
            job,
            pages: doc.page_count(),
            occasion,
            training: doc.mode() == RenderMode::Training,
            subject_ref: None,
        }
    }

    pub fn reprint_count(&self) -> u32 {
        self.occasion.reprint_count()
    }
}

/// Where log records go (the vault implements this later).
pub trait PrintLogSink: Send + Sync {
    fn append(&self, record: PrintLogRecord) -> Result<(), PrintError>;
}

/// In-memory sink for tests and training mode.
#[derive(Debug, Default)]
pub struct MemoryPrintLog {
    records: Mutex<Vec<PrintLogRecord>>,
}

impl MemoryPrintLog {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn records(&self) -> Vec<PrintLogRecord> {
        match self.records.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl PrintLogSink for MemoryPrintLog {
    fn append(&self, record: PrintLogRecord) -> Result<(), PrintError> {
        match self.records.lock() {
            Ok(mut g) => g.push(record),
            Err(poisoned) => poisoned.into_inner().push(record),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprint_needs_a_reason() {
        assert!(ReprintReason::new("").is_err());
        assert!(ReprintReason::new("   ").is_err());
        assert!(ReprintReason::new(&"あ".repeat(201)).is_err());
        let r = ReprintReason::new(" 紛失による再交付 ").expect("valid");
        assert_eq!(r.as_str(), "紛失による再交付");
        let occ = PrintOccasion::Reprint {
            count: NonZeroU32::MIN,
            reason: r,
        };
        assert_eq!(occ.reprint_count(), 1);
        assert_eq!(PrintOccasion::First.reprint_count(), 0);
        // Deserialising cannot sneak in an empty reason either.
        let bad = serde_json::from_str::<PrintOccasion>(r#"{"Reprint":{"count":1,"reason":" "}}"#);
        assert!(bad.is_err());
        let good =
            serde_json::from_str::<PrintOccasion>(r#"{"Reprint":{"count":2,"reason":"汚損"}}"#)
                .expect("valid");
        assert_eq!(good.reprint_count(), 2);
        assert!(
            serde_json::from_str::<PrintOccasion>(r#"{"Reprint":{"count":0,"reason":"汚損"}}"#)
                .is_err()
        );
    }

    #[test]
    fn staff_id_is_validated() {
        assert!(StaffId::parse("").is_err());
        assert!(StaffId::parse("s0001").is_ok());
    }
}
