//! Why a package is refused.

use madoguchi_domain::StaffMessage;

/// Why an update is not installed. The previous version keeps running; the code is reported to the
/// insurer. Never carries file content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The offered version is not newer than the running one (ダウングレード or the same version).
    #[error("offered version is not newer than the running one")]
    NotNewer,
    /// The package is for another platform.
    #[error("package is for another platform")]
    WrongPlatform,
    /// Fewer (or more) bytes arrived than the offer announced.
    #[error("package size differs from the offer (truncated download?)")]
    SizeMismatch,
    /// The bytes are not the ones the offer's SHA-256 names.
    #[error("package hash differs from the offer")]
    HashMismatch,
    /// The signature does not verify with the terminal's release key (altered, or signed by another key).
    #[error("package signature does not verify with the release key")]
    BadSignature,
    /// The signature verifies but its signed release claim is missing or names another version/platform.
    #[error("signed release claim does not match the offer")]
    ClaimMismatch,
    /// The offer or key is malformed.
    #[error("malformed update data: {0}")]
    Malformed(&'static str),
}

impl Refusal {
    /// Stable code, reported to the insurer and branched on by screens.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotNewer => "update_not_newer",
            Refusal::WrongPlatform => "update_wrong_platform",
            Refusal::SizeMismatch => "update_truncated",
            Refusal::HashMismatch => "update_hash_mismatch",
            Refusal::BadSignature => "update_bad_signature",
            Refusal::ClaimMismatch => "update_claim_mismatch",
            Refusal::Malformed(_) => "update_malformed",
        }
    }
}

impl StaffMessage for Refusal {
    fn message_ja(&self) -> String {
        let why = match self {
            Refusal::NotNewer => "今より古いか同じ版のため",
            Refusal::WrongPlatform => "この端末の種類（OS）用ではないため",
            Refusal::SizeMismatch => "受信が途中で切れたため",
            Refusal::HashMismatch => "受信した内容が配信情報と一致しないため",
            Refusal::BadSignature => "署名が正しくない（改ざん、または別の鍵による署名の）ため",
            Refusal::ClaimMismatch => "署名された版・種類が配信情報と一致しないため",
            Refusal::Malformed(_) => "配信情報の形式が正しくないため",
        };
        format!(
            "更新プログラムを適用しませんでした（{why}）。今の版のまま使えます。この結果は広域連合（保険者）に報告されました。"
        )
    }
}
