//! Signing a release (feature `signing`): for the administrators' offline tool and tests only. The
//! secret key stays on the signing machine; the insurer receives the package and its signature.

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::offer::ReleaseClaim;

/// Why a release could not be signed or a key pair made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The secret key text is not a minisign secret key (or the password is wrong).
    #[error("secret key unreadable")]
    SecretKey(#[source] minisign::PError),
    /// minisign failed.
    #[error("signing failed")]
    Sign(#[source] minisign::PError),
}

/// A new release key pair: (public key as `tauri signer` prints it, secret key box text). Unencrypted:
/// the signing machine's disk encryption and access control protect it.
pub fn generate_key_pair() -> Result<(String, String), SignError> {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().map_err(SignError::Sign)?;
    let public = pair.pk.to_box().map_err(SignError::Sign)?.to_string();
    let secret = pair.sk.to_box(None).map_err(SignError::Sign)?.to_string();
    Ok((STANDARD.encode(public), secret))
}

/// Signs `bytes` with the claim in the trusted comment; returns the signature as [`crate::Offer`] carries
/// it (base64 of the signature box).
pub fn sign_release(
    secret_box: &str,
    claim: &ReleaseClaim,
    bytes: &[u8],
) -> Result<String, SignError> {
    let sk = minisign::SecretKeyBox::from_string(secret_box)
        .and_then(|b| b.into_unencrypted_secret_key())
        .map_err(SignError::SecretKey)?;
    let signature = minisign::sign(
        None,
        &sk,
        Cursor::new(bytes),
        Some(&claim.to_trusted_comment()),
        Some("Madoguchi release"),
    )
    .map_err(SignError::Sign)?;
    Ok(STANDARD.encode(signature.to_string()))
}
