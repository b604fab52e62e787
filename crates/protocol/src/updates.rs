//! Updates of the terminal program over the private line (更新プログラムの配信).
//!
//! The insurer hosts packages signed offline by the release key (it never holds that key); a terminal asks
//! what is on offer for its platform and version (`POST /v1/updates/check`), downloads the package in
//! chunks (`POST /v1/updates/package`), verifies it with `madoguchi-update`, and reports what it did
//! (`POST /v1/updates/reports`): staged, installed, or refused with the refusal's code. The client
//! certificate alone authenticates these calls: a terminal checks when nobody is signed in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Largest chunk of a package one request returns (bytes, before base64).
pub const MAX_PACKAGE_CHUNK: u64 = 1024 * 1024;

/// `POST /v1/updates/check` — what is the newest package for this terminal?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCheckRequest {
    /// The terminal's platform (`linux-x86_64-deb`, `windows-x86_64-nsis`, `windows-x86_64-msi`).
    pub platform: String,
    /// The running version (semantic version).
    pub running: String,
}

/// The answer to a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UpdateCheckResponse {
    /// The newest package released to this terminal's municipality, if newer than the running version.
    pub offer: Option<UpdateOffer>,
    /// The insurer holds updates for this municipality (保留): nothing is offered until released.
    pub held: bool,
}

/// One package on offer, as the release signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UpdateOffer {
    /// Semantic version.
    pub version: String,
    /// Platform name.
    pub platform: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// The minisign signature (base64 of the signature box), made offline with the release key.
    pub signature: String,
}

/// `POST /v1/updates/package` — one chunk of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageChunkRequest {
    /// Platform name of the offer.
    pub platform: String,
    /// Version of the offer.
    pub version: String,
    /// Bytes already received.
    pub offset: u64,
    /// Bytes wanted, at most [`MAX_PACKAGE_CHUNK`].
    pub limit: u64,
}

/// One chunk of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackageChunk {
    /// Where this chunk starts.
    pub offset: u64,
    /// The package's whole size.
    pub total: u64,
    /// The bytes, base64 (standard alphabet, padded).
    pub data: String,
}

/// What a terminal did with an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UpdateOutcome {
    /// Verified and waiting for the next moment nobody is signed in.
    Staged,
    /// Installed; the new version starts next.
    Installed,
    /// Refused; `code` is the refusal's stable code (`update_bad_signature`, `update_not_newer`, …).
    Refused {
        /// Stable refusal code.
        code: String,
    },
    /// Verified but the installer failed; the previous version keeps running.
    InstallFailed,
}

/// `POST /v1/updates/reports` — a terminal reports what it did with an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReport {
    /// Platform name of the offer.
    pub platform: String,
    /// Version of the offer.
    pub version: String,
    /// The version running on the terminal.
    pub running: String,
    /// What happened.
    pub outcome: UpdateOutcome,
}

/// The insurer recorded a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UpdateReportAck {
    /// Reports the insurer holds from this terminal.
    pub reports: u64,
}
