//! # madoguchi-print — documents on paper, checked before they get there
//!
//! Renders the counter's documents (資格確認書 in card or はがき size, 資格情報のお知らせ, 受付控,
//! 交付・回収 受領書, 保険料額決定通知書) from typed data with layouts that are data (TOML in
//! `assets/layouts/`), embeds subsets of the BIZ UD fonts with printpdf, places the union's seal image
//! (印影), and runs a pre-flight check before a PDF can reach a printer back end (CUPS via `lp` on Linux,
//! the Windows spooler on Windows): on the page operations (seal, every required item, QR, 見本 watermark)
//! and again on the finished PDF bytes (page count = record count, seal painted on every page). Also: PNG
//! preview for the UI, a print log value type with a sink trait, synthetic samples for `print-sample`.
//!
//! This crate must never: print a page that failed the pre-flight check, write personal data to disk in
//! plaintext (PDFs go to `lp` and `pdftoppm` through pipes), or put personal data in logs or error
//! messages (errors name record positions and item keys only).

pub mod burden_certificate;
pub mod burden_notice;
pub mod config;
#[cfg(feature = "test-support")]
pub mod cups_pdf;
pub mod documents;
pub mod error;
pub mod fonts;
pub mod items;
pub mod kind;
pub mod layout;
pub mod log;
mod preflight;
pub mod preview;
pub mod printer;
pub mod render;
pub mod sample;
pub mod service;

pub use config::PrintConfig;
pub use error::{PreflightProblem, PrintError};
pub use fonts::{FontFace, FontSet};
pub use items::{GAIJI_PLACEHOLDER, ItemKey, ItemValue};
pub use kind::PrintKind;
pub use layout::{Layout, PaperClass};
pub use log::{
    MemoryPrintLog, PrintLogRecord, PrintLogSink, PrintOccasion, ReprintReason, StaffId,
};
pub use preview::{pdf_text, preview_png, rasterise_pdf};
pub use printer::{
    CupsLp, JobId, JobOptions, JobTitle, PrinterBackend, PrinterMap, QueueName, SpooledJob,
    SpooledJobState, default_backend,
};
pub use render::{
    DocumentRecord, GaijiNotice, PrintAssets, RecordProblem, RenderMode, RenderedDocument, Renderer,
};
pub use sample::{SampleKind, render_sample, render_sample_with};
pub use service::PrintService;
