//! The print service: send a checked document to the printer configured for its paper and log it.

use std::sync::Arc;

use crate::error::PrintError;
use crate::log::{PrintLogRecord, PrintLogSink, PrintOccasion, StaffId};
use crate::printer::{JobOptions, PrinterBackend, PrinterMap};
use crate::render::RenderedDocument;

/// Sends rendered documents to the printer for their paper and logs each job.
pub struct PrintService {
    backend: Box<dyn PrinterBackend>,
    printers: PrinterMap,
    log: Arc<dyn PrintLogSink>,
}

impl std::fmt::Debug for PrintService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrintService")
            .field("backend", &self.backend.backend_name())
            .field("printers", &self.printers)
            .finish_non_exhaustive()
    }
}

impl PrintService {
    /// A service over a back end, its queues and a log sink.
    pub fn new(
        backend: Box<dyn PrinterBackend>,
        printers: PrinterMap,
        log: Arc<dyn PrintLogSink>,
    ) -> Self {
        Self {
            backend,
            printers,
            log,
        }
    }

    /// Print `doc` on the queue for its paper (card / A4) and append the log record.
    /// `printed_at` comes from the caller (the crate reads no clock).
    pub fn print(
        &self,
        doc: &RenderedDocument,
        staff: StaffId,
        occasion: PrintOccasion,
        printed_at: chrono::DateTime<chrono::Utc>,
        options: &JobOptions,
    ) -> Result<PrintLogRecord, PrintError> {
        if let PrintOccasion::Reprint { reason, .. } = &occasion {
            // The type's own rule (the counter checked it already): nothing reaches the printer unlogged.
            reason
                .validate()
                .map_err(|_| PrintError::InvalidLogEntry("a reprint needs a reason"))?;
        }
        let queue = self.printers.queue_for(doc.paper())?;
        let job = self.backend.submit(queue, doc, options)?;
        let record = PrintLogRecord::for_job(
            staff,
            doc,
            printed_at,
            self.backend.backend_name(),
            queue,
            job,
            occasion,
        );
        self.log
            .append(record.clone())
            .map_err(|e| PrintError::LogFailed(e.to_string()))?;
        Ok(record)
    }
}
