//! # madoguchi-application — the terminal's use cases as the screens call them, without a window
//!
//! The layer between the desktop shell (`src-tauri`, which only checks access, calls one method here or in
//! `madoguchi-counter` and maps the error) and the crates that do the work. It owns what used to live in
//! the shell:
//! - [`PrintDesk`]: preview and print of a document or a 受付控, the reprint workflow (a reason, and a
//!   監督者's approval where the union's policy asks for one), documents kept between preview and print;
//! - [`Batches`]: the bulk-print runs of approved distributions with a typed [`BatchState`], proofs,
//!   the reconciliation report, reprints, the 宛名一覧 and the encrypted export;
//! - [`export_audit_report`]: the administrator's audit report written to the export directory;
//! - [`config`]: the terminal's configuration file (`terminal.toml`), checked when read;
//! - [`startup`]: the link, the vault and the enrolled identity of a terminal being started;
//! - [`terminal`]: a started terminal (counter, print desk, bulk runs, updates) from its configuration, and
//!   in 研修モード (feature `training`) the embedded training union;
//! - [`access`]: which command of the shell needs which capability (the shell enforces it);
//! - [`UpdateAgent`]: program updates from the insurer — checked in the background, installed at sign-out;
//! - [`AppError`]: the one error shape a screen reads (a [`TerminalErrorCode`], Japanese message); a new
//!   error code is a variant of `TerminalErrorCode` (the UI gets it through the generated bindings).
//!
//! The mapping from a union document to a print record is `madoguchi_batch::document_page`, one for single
//! and bulk prints. A new use case a screen needs goes here (when it combines crates) or in
//! `madoguchi-counter` (when it is one of the counter's own).
//!
//! This crate must never depend on Tauri or any window toolkit, talk to the network except through the
//! counter, or log personal data.

pub mod access;
mod audit_export;
mod batches;
pub mod config;
mod error;
mod print_desk;
pub mod startup;
pub mod terminal;
mod updates;

pub use audit_export::{
    ExportedReport, ReasonChoice, audit_operations, export_audit_report, reprint_reasons,
};
pub use batches::{
    BatchReportView, BatchState, BatchStatus, Batches, ExportKind, Notify, Row, SampleProof,
    WrittenFile,
};
pub use error::{AppError, TerminalErrorCode};
pub use print_desk::{Preview, PrintDesk, Printed, SupervisorConsent};
pub use updates::UpdateAgent;
