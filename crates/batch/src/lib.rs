//! # madoguchi-batch — bulk work on an approved distribution (配信)
//!
//! What a municipality does with a distribution once its 監督者 approved the exact content
//! (`madoguchi_protocol::distribution`): print it in bulk, list it for the post office, reconcile the
//! printed stack, or export a file distribution to electronic media.
//!
//! - [`ApprovedDistribution`]: the only way in. Built from the approval's [`LedgerEntry`] and the records; refused
//!   when the action is not 承認, when the records' content hash is not the approved one, or when the
//!   numbering has gaps. Everything else takes one.
//! - [`BatchPrinter`]: chunked printing with progress, pause and resume, pre-flight on every page (seal,
//!   required items, 照合番号), and exactly-once spooling that survives a crash or a printer fault at any
//!   point: every chunk goes through "intent recorded → submitted held → job id recorded → released", each
//!   step flushed to the vault, and a restart asks the print system for the chunk's unique title.
//! - [`ReconciliationReport`]: records, pages, chunks, job ids, reprints with reasons, content hash, approver.
//! - [`mailing_list`]: 宛名一覧 (CSV) per 送付方法, in 通し番号 order.
//! - [`export_encrypted`]: a 資格ファイル / 保険料ファイル as CSV encrypted with the approver's password in the
//!   `age` format, plus what the audit chain needs to record it.
//!
//! This crate must never: print, list or export anything of a distribution that is not approved or whose
//! content differs from the approved hash; send a page to the printer before it passed the pre-flight check;
//! spool a record twice or skip one (reprints are separate, with a reason, and counted); write personal data
//! to disk in plaintext (job state is sealed in the vault; PDFs go to the spooler through a pipe; lists and
//! exports are returned as bytes to the caller); or put personal data or a password in logs and error messages
//! (errors name record 通し番号 and item names only).
//!
//! # Wiring (the app)
//! `ApprovedDistribution::verify(kind, mail_class, approval, records)` with what `fetch_approved` returns;
//! `BatchPrinter::new(vault, renderer, backend, printers, layouts, training)`; then `start`, `run` (on a
//! worker thread, with a [`BatchControl`] the screen can `pause()`; call `run` again to resume, also after a
//! restart), `progress`, `report` / `print_report`, `reprint(first, last, reason, staff)`; [`mailing_list`];
//! [`export_encrypted`]. The caller writes the audit records (start, reprints with reasons, lists, exports).
//!
//! # Tests
//! Unit tests run anywhere (`cargo test -p madoguchi-batch --lib`). The system tests print on the real CUPS
//! cups-pdf queue and keep job state in a vault on the real OS keyring:
//! `bash scripts/setup-cups-pdf.sh` (root), then
//! `keyctl session - env MADOGUCHI_REQUIRE_CUPS=1 cargo test -p madoguchi-batch`. Benchmark:
//! `keyctl session - cargo bench -p madoguchi-batch --bench annual_renewal`.
//!
//! [`LedgerEntry`]: madoguchi_protocol::distribution::LedgerEntry

mod approved;
mod error;
mod export;
mod job;
mod mailing;
mod pages;
mod report;
pub mod synthetic;

pub use approved::ApprovedDistribution;
pub use error::BatchError;
pub use export::{
    EncryptedExport, ExportPassword, ExportRecord, MIN_PASSWORD_CHARS, export_encrypted,
    export_mailing_list,
};
pub use job::{
    BatchControl, BatchPrinter, BatchSettings, JobPhase, Progress, RunOutcome, RunState, SpoolUnit,
    UnitKind,
};
pub use mailing::{MailingList, mailing_list};
pub use pages::{BatchLayouts, DocumentPage, control_number, document_page, render_proof};
pub use report::{ReconciliationReport, ReprintLine};
