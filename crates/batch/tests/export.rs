//! Encrypted export of an approved file distribution: the file decrypts with the approver's password (with
//! the `age` format's reference implementation in Rust) and not without it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::io::Read;

use madoguchi_batch::{
    ApprovedDistribution, BatchError, ExportPassword, export_encrypted, synthetic,
};
use madoguchi_protocol::distribution::{DistributionKind, MailClass};

fn decrypt(bytes: &[u8], password: &str) -> Result<Vec<u8>, String> {
    let d = age::Decryptor::new(bytes).map_err(|e| e.to_string())?;
    let id = age::scrypt::Identity::new(age::secrecy::SecretString::from(password.to_owned()));
    let mut r = d
        .decrypt(std::iter::once(&id as &dyn age::Identity))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    r.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[test]
fn export_decrypts_with_the_password_and_not_without() {
    for kind in [
        DistributionKind::QualificationFile,
        DistributionKind::PremiumFile,
    ] {
        let (a, r) = synthetic::approved(kind, 25, 77);
        let dist = ApprovedDistribution::verify(kind, MailClass::Ordinary, a, r.clone())
            .expect("approved");
        let password = "Mihon-Natsu-2026!";
        let export = export_encrypted(
            &dist,
            &ExportPassword::new(password).expect("password"),
            "kensyu-kantoku",
        )
        .expect("export");
        assert!(export.bytes.starts_with(b"age-encryption.org/v1"));
        // No plaintext in the file.
        let number = r[0].payload.insured_number().as_str().to_string();
        assert!(
            !export
                .bytes
                .windows(number.len())
                .any(|w| w == number.as_bytes())
        );
        let csv =
            String::from_utf8(decrypt(&export.bytes, password).expect("decrypts")).expect("utf-8");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 26);
        for (i, rec) in r.iter().enumerate() {
            let cols: Vec<&str> = lines[i + 1].split(',').collect();
            assert_eq!(cols[0], rec.seq.to_string());
            assert_eq!(cols[1], rec.payload.insured_number().as_str());
        }
        assert!(decrypt(&export.bytes, "Wrong-Password-2026").is_err());
        assert!(decrypt(&export.bytes, "").is_err());
        // The audit record: hash of the approved content and of the file, no password.
        let rec = &export.record;
        assert_eq!(rec.record_count, 25);
        assert_eq!(rec.content_hash, dist.content_hash().as_str());
        assert_eq!(rec.encrypted_bytes as usize, export.bytes.len());
        let json = serde_json::to_string(rec).expect("json");
        assert!(!json.contains(password) && !json.contains(&number));
    }
}

#[test]
fn only_file_distributions_and_good_passwords() {
    let (a, r) = synthetic::approved(DistributionKind::AnnualRenewal, 2, 5);
    let printed = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        a,
        r,
    )
    .expect("approved");
    let p = ExportPassword::new("Mihon-Natsu-2026!").expect("password");
    assert!(matches!(
        export_encrypted(&printed, &p, "kensyu-kantoku"),
        Err(BatchError::WrongKind { .. })
    ));
    assert!(matches!(
        ExportPassword::new("short1!"),
        Err(BatchError::WeakPassword(_))
    ));
}

#[test]
fn the_mailing_list_goes_to_the_medium_encrypted_in_seq_order() {
    let (a, r) = synthetic::approved(DistributionKind::AnnualRenewal, 12, 9);
    let dist = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        a,
        r.clone(),
    )
    .expect("approved");
    let password = "Atena-Natsu-2026!";
    let export = madoguchi_batch::export_mailing_list(
        &dist,
        &ExportPassword::new(password).expect("password"),
        "kensyu-kantoku",
    )
    .expect("mailing list");
    assert!(export.file_name.starts_with("atena-"));
    let postal = r[0]
        .mail_to
        .as_ref()
        .map(|m| m.postal_code.clone())
        .expect("mailed");
    assert!(!export.bytes.windows(7).any(|w| w == postal.as_bytes()));
    let csv =
        String::from_utf8(decrypt(&export.bytes, password).expect("decrypts")).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 13);
    for (i, rec) in r.iter().enumerate() {
        assert!(lines[i + 1].starts_with(&format!("{},", rec.seq)));
        assert!(lines[i + 1].ends_with("簡易書留・転送不要"));
    }
    // A file distribution has no 宛名一覧.
    let (fa, fr) = synthetic::approved(DistributionKind::PremiumFile, 2, 5);
    let file =
        ApprovedDistribution::verify(DistributionKind::PremiumFile, MailClass::Ordinary, fa, fr)
            .expect("approved");
    assert!(matches!(
        madoguchi_batch::export_mailing_list(
            &file,
            &ExportPassword::new(password).expect("pw"),
            "x"
        ),
        Err(BatchError::WrongKind { .. })
    ));
}
