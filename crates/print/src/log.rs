//! The print log: who printed what kind of document, when, on which printer, and whether it was a
//! reprint (which needs a reason). A value type plus a sink trait; persisting it is the vault's job.

use std::sync::Mutex;

use crate::error::PrintError;
use crate::kind::PrintKind;
use crate::printer::{JobId, QueueName};
use crate::render::{RenderMode, RenderedDocument};

/// 職員ID of the staff member who printed (an account id, not a resident's data): the terminal's one
/// user id type, with its one rule.
pub type StaffId = madoguchi_domain::StaffUserId;

/// First print or the n-th reprint with its reason: the counter's decision, taken as it is (one type in
/// `madoguchi_domain`, so a reason the counter accepted is one the log accepts).
pub use madoguchi_domain::{PrintOccasion, ReprintReason};

/// One line of the print log. Carries no personal data: the subject is referenced by an opaque id the
/// caller chooses (e.g. the audit subject reference), never by name or number.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PrintLogRecord {
    /// Who printed.
    pub staff: StaffId,
    /// What kind of document.
    pub kind: PrintKind,
    /// The layout used.
    pub layout: String,
    /// When.
    pub printed_at: chrono::DateTime<chrono::Utc>,
    /// The print back end (`cups`, `windows`…).
    pub backend: String,
    /// The queue.
    pub printer: String,
    /// The print system's job id.
    pub job: JobId,
    /// Pages.
    pub pages: usize,
    /// First print or the n-th reprint, with the reason.
    pub occasion: PrintOccasion,
    /// Printed as 見本 (研修).
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

    /// 0 for a first print, n for the n-th reprint.
    pub fn reprint_count(&self) -> u32 {
        self.occasion.reprint_count()
    }
}

/// Where log records go (the vault implements this later).
pub trait PrintLogSink: Send + Sync {
    /// Appends one record; an error means the print is not logged.
    fn append(&self, record: PrintLogRecord) -> Result<(), PrintError>;
}

/// In-memory sink for tests and training mode.
#[derive(Debug, Default)]
pub struct MemoryPrintLog {
    records: Mutex<Vec<PrintLogRecord>>,
}

impl MemoryPrintLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }
    /// Every record so far.
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
    fn occasions_count_reprints() {
        let occ = PrintOccasion::Reprint {
            count: std::num::NonZeroU32::MIN,
            reason: ReprintReason::Lost,
        };
        assert_eq!(occ.reprint_count(), 1);
        assert_eq!(PrintOccasion::First.reprint_count(), 0);
        // Deserialising cannot sneak in a reprint without a count.
        assert!(
            serde_json::from_str::<PrintOccasion>(
                r#"{"Reprint":{"count":0,"reason":{"code":"lost"}}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn staff_id_is_validated() {
        assert!(StaffId::parse("").is_err());
        assert!(StaffId::parse("s0001").is_ok());
    }
}
