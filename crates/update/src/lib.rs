//! # madoguchi-update — 更新プログラムの検証: may this terminal install this package?
//!
//! Terminals take updates only from their insurer, over the same mutually authenticated private line as
//! everything else (FR-24: no internet on the counter network). The insurer only *hosts* packages: each one
//! is signed offline by the vendor's release key, which the insurer server never holds, so a compromised
//! server can withhold updates but cannot make a terminal run code of its choosing.
//!
//! This crate is the pure decision, without I/O:
//! - [`Offer`]: what the insurer says is available (version, platform, size, SHA-256, signature);
//! - [`check_offer`]: before downloading — refuse a downgrade, the same version, or another platform;
//! - [`verify_package`]: after downloading — refuse a truncated or altered file, a signature by another key,
//!   and a signature whose *signed* release claim (version and platform, in minisign's trusted comment) is
//!   not the offer's, so an old signed package cannot be replayed as a new one;
//! - [`Refusal`]: each refusal with a stable code (reported to the insurer) and the Japanese an
//!   administrator reads;
//! - with the `signing` feature, [`sign::sign_release`] for the administrators' offline tool and tests.
//!
//! The format is minisign as `tauri signer` writes it (base64 of the key and signature boxes) and the
//! verifier is `minisign-verify`, the one tauri-plugin-updater uses. The plugin itself is not used because
//! its HTTP client cannot present the terminal's client certificate, and every byte must come over the
//! mutual-TLS link (`madoguchi-link`).
//!
//! This crate must never fetch, install or execute anything, and never accept a package without a valid
//! signature by the configured key.

mod offer;
mod refusal;
// Tests sign with the dev-dependency; builds enable it with the `signing` feature.
#[cfg(any(test, feature = "signing"))]
pub mod sign;

pub use offer::{
    Offer, Platform, ReleaseClaim, TrustedKey, VerifiedPackage, check_offer, verify_package,
};
pub use refusal::Refusal;
pub use semver::Version;

#[cfg(test)]
mod tests;
