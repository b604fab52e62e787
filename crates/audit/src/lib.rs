//! # madoguchi-audit — the tamper-evident audit trail
//!
//! Every search, view of a resident, print, reprint, export, 個人番号 reveal, sign-in, sign-out and refusal
//! is recorded with user, terminal, time, target and purpose (N:4040–4043: logins and operations recorded
//! and reviewed by the 情報システム管理者; K:3640–3641). Entries form a hash chain: each commits to the one
//! before it, so an edit, a deletion, a reordering or a truncation shows.
//!
//! This crate defines the entries, the chain arithmetic, the verification that names the first broken link,
//! the per-terminal continuity check the union runs on what terminals ship, and the export file format
//! (JSON Lines with a header and a closing line) that `madoguchi-admin audit verify` reads.
//!
//! It must never do I/O or keep state beyond a chain head: storing entries (encrypted) is the vault's job,
//! shipping them is the link's. Entries hold references to residents because an audit trail must say who
//! was seen; they are personal data and live only encrypted at rest and in the union's audit store.

mod chain;
mod export;

pub use chain::{
    AuditEntry, AuditEvent, ChainError, ChainErrorKind, ChainHead, Continuity, Digest, Operation,
    Outcome, verify_entries,
};
pub use export::{ExportHeader, ExportTrailer, VerifiedExport, verify_export, write_export};
