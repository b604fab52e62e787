//! Export of an approved file distribution (資格ファイル, 保険料ファイル) to electronic media, encrypted with a
//! password the approver sets.
//!
//! Format: `age` (age-encryption.org/v1) with a passphrase recipient — scrypt for the key, ChaCha20-Poly1305
//! in 64 KiB chunks for the data — through the `age` crate (rage). Why not our own construction over the
//! vault's XChaCha20: a municipality must be able to open the file on its own systems with a standard,
//! documented tool (`age -d file.csv.age`, or rage, on any OS) without our software, and a maintained
//! implementation of a published format is safer than a hand-rolled container. (Encrypted ZIP was the other
//! candidate: ZipCrypto is broken and AES-ZIP support is uneven across tools.)

use std::io::Write;

use age::secrecy::SecretString;
use chrono::{DateTime, Utc};
use madoguchi_domain::csv;
use madoguchi_protocol::distribution::{DistributionKind, RecordPayload};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::approved::ApprovedDistribution;
use crate::error::BatchError;

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The password the approver sets for an export. Never logged: `Debug` is redacted and the text is wiped
/// from memory when dropped.
pub struct ExportPassword(Zeroizing<String>);

impl std::fmt::Debug for ExportPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExportPassword(<secret>)")
    }
}

impl ExportPassword {
    /// At least [`MIN_PASSWORD_CHARS`] characters, at most 256, no control characters, not one character
    /// repeated, and at least 4 different characters.
    pub fn new(password: &str) -> Result<Self, BatchError> {
        let n = password.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err(BatchError::WeakPassword("too short"));
        }
        if n > 256 || password.chars().any(char::is_control) {
            return Err(BatchError::WeakPassword("too long or control characters"));
        }
        let mut distinct: Vec<char> = password.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 4 {
            return Err(BatchError::WeakPassword("too few different characters"));
        }
        Ok(Self(Zeroizing::new(password.to_string())))
    }
}

/// What the audit chain records of an export (no personal data, no password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRecord {
    /// The distribution.
    pub distribution_id: String,
    /// Its kind.
    pub kind: DistributionKind,
    /// The approved content hash the file was made from.
    pub content_hash: String,
    /// Who approved the content.
    pub approver: String,
    /// Who exported it.
    pub exported_by: String,
    /// When.
    pub exported_at: DateTime<Utc>,
    /// Records in the file.
    pub record_count: u32,
    /// File name on the medium.
    pub file_name: String,
    /// Size and SHA-256 of the encrypted file, to identify the medium's copy later.
    pub encrypted_bytes: u64,
    /// SHA-256 of the encrypted file (hex), to check the medium against the record.
    pub encrypted_sha256: String,
    /// "age-v1-scrypt".
    pub format: String,
}

/// The encrypted file and its audit record.
pub struct EncryptedExport {
    /// The file name (no personal data).
    pub file_name: String,
    /// The `age` file. Safe to write to the medium.
    pub bytes: Vec<u8>,
    /// What is recorded of the export.
    pub record: ExportRecord,
}

impl std::fmt::Debug for EncryptedExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedExport")
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

fn csv(dist: &ApprovedDistribution) -> Result<Zeroizing<Vec<u8>>, BatchError> {
    let mut s = Zeroizing::new(String::new());
    match dist.kind() {
        DistributionKind::QualificationFile => s.push_str(&csv::record(&[
            "通し番号",
            "被保険者番号",
            "氏名カナ",
            "生年月日",
            "資格取得年月日",
            "資格喪失年月日",
            "一部負担金の割合",
        ])),
        DistributionKind::PremiumFile => s.push_str(&csv::record(&[
            "通し番号",
            "被保険者番号",
            "年度",
            "年間保険料額",
        ])),
        _ => {
            return Err(BatchError::WrongKind {
                kind: dist.kind_name(),
                what: "exported",
            });
        }
    }
    for r in dist.records() {
        match &r.payload {
            RecordPayload::QualificationRow(q) => s.push_str(&csv::record(&[
                r.seq.to_string(),
                q.insured_number.as_str().to_owned(),
                q.kana.as_str().to_owned(),
                q.birth_date.format("%Y-%m-%d").to_string(),
                q.acquired_on.format("%Y-%m-%d").to_string(),
                q.lost_on
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                q.burden_ratio.label_ja().to_owned(),
            ])),
            RecordPayload::PremiumRow(p) => s.push_str(&csv::record(&[
                r.seq.to_string(),
                p.insured_number.as_str().to_owned(),
                p.fiscal_year.to_string(),
                p.annual_premium.get().to_string(),
            ])),
            _ => {
                return Err(BatchError::WrongPayload {
                    seq: r.seq,
                    kind: dist.kind_name(),
                });
            }
        }
    }
    Ok(Zeroizing::new(std::mem::take(&mut *s).into_bytes()))
}

/// Encrypt an approved file distribution for the medium. `exported_by` is the signed-in staff member (the
/// caller checks the role); the caller appends `record` to the audit chain.
pub fn export_encrypted(
    dist: &ApprovedDistribution,
    password: &ExportPassword,
    exported_by: &str,
) -> Result<EncryptedExport, BatchError> {
    let plain = csv(dist)?;
    let prefix = match dist.kind() {
        DistributionKind::QualificationFile => "shikaku",
        _ => "hokenryo",
    };
    seal_for_medium(dist, &plain, prefix, password, exported_by)
}

/// The 宛名一覧 of an approved printed distribution, encrypted for the medium like a file export (the list
/// holds names and addresses, so it never reaches the disk in plaintext). The caller records it in the
/// audit chain as an export.
pub fn export_mailing_list(
    dist: &ApprovedDistribution,
    password: &ExportPassword,
    exported_by: &str,
) -> Result<EncryptedExport, BatchError> {
    let list = crate::mailing::mailing_list(dist)?;
    seal_for_medium(dist, &list.csv, "atena", password, exported_by)
}

fn seal_for_medium(
    dist: &ApprovedDistribution,
    plain: &[u8],
    prefix: &str,
    password: &ExportPassword,
    exported_by: &str,
) -> Result<EncryptedExport, BatchError> {
    let encryptor =
        age::Encryptor::with_user_passphrase(SecretString::from(password.0.as_str().to_owned()));
    let mut bytes = Vec::with_capacity(plain.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut bytes)
        .map_err(|e| BatchError::Encrypt(e.to_string()))?;
    writer
        .write_all(plain)
        .map_err(|e| BatchError::Encrypt(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| BatchError::Encrypt(e.to_string()))?;
    let file_name = format!("{prefix}-{}.csv.age", dist.content_hash().short());
    let record = ExportRecord {
        distribution_id: dist.distribution_id().to_string(),
        kind: dist.kind(),
        content_hash: dist.content_hash().as_str().to_string(),
        approver: dist.approval().by.clone(),
        exported_by: exported_by.to_string(),
        exported_at: Utc::now(),
        record_count: dist.record_count(),
        file_name: file_name.clone(),
        encrypted_bytes: bytes.len() as u64,
        encrypted_sha256: hex::encode(Sha256::digest(&bytes)),
        format: "age-v1-scrypt".into(),
    };
    tracing::info!(distribution = %record.distribution_id, records = record.record_count, bytes = record.encrypted_bytes, file = %record.file_name, "approved distribution exported (encrypted)");
    Ok(EncryptedExport {
        file_name,
        bytes,
        record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(ExportPassword::new("short").is_err());
        assert!(ExportPassword::new("aaaaaaaaaaaaaaaa").is_err());
        assert!(ExportPassword::new("ababababababab").is_err());
        let p = ExportPassword::new("Mihon-2026-natsu").expect("ok");
        assert!(!format!("{p:?}").contains("Mihon"));
        assert!(matches!(
            BatchError::WeakPassword("too short").message_ja(),
            m if m.contains("12文字以上")
        ));
    }
}
