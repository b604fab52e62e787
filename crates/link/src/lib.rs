//! # madoguchi-link — the terminal's only way to the union
//!
//! A mutual-TLS client for the union server (reqwest + rustls): the terminal's certificate from the union's
//! PKI as client identity, trust in the union's CA and nothing else (no system roots, no proxies, no
//! redirects), TLS 1.3 only. The seeds require an authenticated, encrypted private line that reaches only
//! the union (N:3811–3812, N:3927–3930).
//!
//! Beside the client: the line monitor, which turns health probes and request outcomes into an honest
//! online / degraded / offline state, and (with the vault) the sync engine that drains the offline queue.
//!
//! This crate must never talk to any host but the configured union endpoint, never fall back to plain HTTP
//! or to the system's trust store, and never log a request or response body (they carry personal data).

mod client;
mod distribution;
pub mod enrolment;
mod error;
mod line;
mod revocation;
pub mod sync;
mod union_office;

pub use client::{LinkConfig, SessionToken, UnionClient};
pub use error::{LinkError, TERMINAL_REVOKED_JA, TransportFailure};
pub use line::{LineMonitor, LineState};
pub use reqwest::Method;
