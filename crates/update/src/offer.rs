//! The offer, the signed release claim, and the two checks.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use semver::Version;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::refusal::Refusal;

/// The kind of package a terminal installs: OS, architecture and installer format (see `installer/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Platform {
    /// Debian/Ubuntu, x86-64, `.deb`.
    LinuxX86_64Deb,
    /// Windows, x86-64, NSIS setup.
    WindowsX86_64Nsis,
    /// Windows, x86-64, MSI (Group Policy).
    WindowsX86_64Msi,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 3] = [
        Platform::LinuxX86_64Deb,
        Platform::WindowsX86_64Nsis,
        Platform::WindowsX86_64Msi,
    ];

    /// The stable name, as in the signed claim and the insurer's manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::LinuxX86_64Deb => "linux-x86_64-deb",
            Platform::WindowsX86_64Nsis => "windows-x86_64-nsis",
            Platform::WindowsX86_64Msi => "windows-x86_64-msi",
        }
    }

    /// The platform of the running program, if it is one we package.
    pub fn running() -> Option<Platform> {
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            Some(Platform::LinuxX86_64Deb)
        } else if cfg!(all(windows, target_arch = "x86_64")) {
            Some(Platform::WindowsX86_64Nsis)
        } else {
            None
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<Self, Refusal> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(Refusal::Malformed("unknown platform"))
    }
}

/// What the insurer says is available for a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The package's version.
    pub version: Version,
    /// Which kind of terminal it is for.
    pub platform: Platform,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of the package, lower-case hex.
    pub sha256: String,
    /// The minisign signature, base64 of the signature box (the `.sig` format of `tauri signer`).
    pub signature: String,
}

/// The release claim inside the signature's trusted comment: which version, for which platform. Signed
/// together with the package, so the insurer cannot relabel an old package as new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseClaim {
    /// The version signed.
    pub version: Version,
    /// The platform signed.
    pub platform: Platform,
}

const CLAIM_PREFIX: &str = "madoguchi-release";

impl ReleaseClaim {
    /// `madoguchi-release version=1.2.3 platform=linux-x86_64-deb`.
    pub fn to_trusted_comment(&self) -> String {
        format!(
            "{CLAIM_PREFIX} version={} platform={}",
            self.version, self.platform
        )
    }

    /// Reads a trusted comment written by [`ReleaseClaim::to_trusted_comment`]; anything else is `None`.
    pub fn parse(comment: &str) -> Option<ReleaseClaim> {
        let mut words = comment.split_whitespace();
        if words.next()? != CLAIM_PREFIX {
            return None;
        }
        let version = Version::parse(words.next()?.strip_prefix("version=")?).ok()?;
        let platform = words.next()?.strip_prefix("platform=")?.parse().ok()?;
        words
            .next()
            .is_none()
            .then_some(ReleaseClaim { version, platform })
    }
}

/// The release public key a terminal trusts, from its provisioning (never from the insurer at run time).
#[derive(Clone)]
pub struct TrustedKey(minisign_verify::PublicKey);

impl fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrustedKey(..)")
    }
}

impl TrustedKey {
    /// The key as `tauri signer generate` prints it (base64 of the public key box), the box text itself,
    /// or minisign's bare key line.
    pub fn parse(text: &str) -> Result<TrustedKey, Refusal> {
        let text = text.trim();
        let boxed = STANDARD
            .decode(text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|s| s.contains("untrusted comment"));
        let key = match boxed {
            Some(b) => minisign_verify::PublicKey::decode(&b),
            None if text.contains('\n') => minisign_verify::PublicKey::decode(text),
            None => minisign_verify::PublicKey::from_base64(text),
        };
        key.map(TrustedKey)
            .map_err(|_| Refusal::Malformed("release public key"))
    }
}

/// Before downloading: is the offer something this terminal could install at all?
pub fn check_offer(running: &Version, here: Platform, offer: &Offer) -> Result<(), Refusal> {
    if offer.platform != here {
        return Err(Refusal::WrongPlatform);
    }
    if offer.version <= *running {
        return Err(Refusal::NotNewer);
    }
    Ok(())
}

/// A package that passed every check: the only way to obtain one is [`verify_package`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPackage {
    /// Its version.
    pub version: Version,
    /// Its platform.
    pub platform: Platform,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

/// After downloading: the bytes are the offer's, signed by the trusted key, with the offer's version and
/// platform in the signed claim, and newer than what runs.
pub fn verify_package(
    key: &TrustedKey,
    running: &Version,
    here: Platform,
    offer: &Offer,
    bytes: &[u8],
) -> Result<VerifiedPackage, Refusal> {
    check_offer(running, here, offer)?;
    if u64::try_from(bytes.len()).ok() != Some(offer.size) {
        return Err(Refusal::SizeMismatch);
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    if !sha256.eq_ignore_ascii_case(offer.sha256.trim()) {
        return Err(Refusal::HashMismatch);
    }
    let sig_text = STANDARD
        .decode(offer.signature.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(Refusal::Malformed("signature encoding"))?;
    let signature = minisign_verify::Signature::decode(&sig_text)
        .map_err(|_| Refusal::Malformed("signature"))?;
    // Legacy (non-prehashed) signatures are refused: the current format only.
    key.0
        .verify(bytes, &signature, false)
        .map_err(|_| Refusal::BadSignature)?;
    let claim = ReleaseClaim::parse(signature.trusted_comment()).ok_or(Refusal::ClaimMismatch)?;
    if claim.version != offer.version || claim.platform != offer.platform {
        return Err(Refusal::ClaimMismatch);
    }
    Ok(VerifiedPackage {
        version: claim.version,
        platform: claim.platform,
        sha256,
    })
}
