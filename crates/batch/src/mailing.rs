//! 宛名一覧 for the post office and the envelope check: one line per mailed item in 通し番号 order, with
//! the 送付方法 (簡易書留・転送不要, 特定記録 …). Only from approved content.

use madoguchi_protocol::distribution::MailClass;
use zeroize::Zeroizing;

use crate::approved::ApprovedDistribution;
use crate::error::BatchError;

/// The list. The CSV holds personal data: keep it in memory, print it or export it encrypted; never log it.
pub struct MailingList {
    pub mail_class: MailClass,
    pub rows: u32,
    /// UTF-8 CSV with a header: 通し番号,郵便番号,住所,宛名,被保険者番号,送付方法.
    pub csv: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for MailingList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailingList")
            .field("mail_class", &self.mail_class)
            .field("rows", &self.rows)
            .field("csv", &"<redacted>")
            .finish()
    }
}

/// RFC 4180 quoting when needed.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// 〒123-4567 form of a 7-digit postal code (kept as given otherwise).
fn postal(code: &str) -> String {
    if code.len() == 7 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

/// The 宛名一覧 of an approved printed distribution. Every record must have a 宛名.
pub fn mailing_list(dist: &ApprovedDistribution) -> Result<MailingList, BatchError> {
    if !dist.kind().is_printed() {
        return Err(BatchError::WrongKind {
            kind: dist.kind_name(),
            what: "listed for mailing",
        });
    }
    let class = dist.mail_class();
    let mut out = String::from("通し番号,郵便番号,住所,宛名,被保険者番号,送付方法\r\n");
    for r in dist.records() {
        let to = r
            .mail_to
            .as_ref()
            .ok_or(BatchError::NoAddress { seq: r.seq })?;
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            r.seq,
            csv_field(&postal(&to.postal_code)),
            csv_field(&to.address),
            csv_field(&format!("{}　様", to.recipient)),
            r.payload.insured_number().as_str(),
            class.label_ja()
        ));
    }
    tracing::info!(distribution = %dist.distribution_id(), rows = dist.record_count(), class = ?class, "mailing list built");
    Ok(MailingList {
        mail_class: class,
        rows: dist.record_count(),
        csv: Zeroizing::new(out.into_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic;
    use madoguchi_protocol::distribution::DistributionKind;

    #[test]
    fn list_is_in_seq_order_with_every_column() {
        let (a, r) = synthetic::approved(DistributionKind::AnnualRenewal, 4, 3);
        let d = ApprovedDistribution::verify(
            DistributionKind::AnnualRenewal,
            MailClass::RecordedDelivery,
            a,
            r.clone(),
        )
        .expect("approved");
        let list = mailing_list(&d).expect("list");
        let text = String::from_utf8(list.csv.to_vec()).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("通し番号,郵便番号,住所,宛名,被保険者番号"));
        for (i, line) in lines[1..].iter().enumerate() {
            let cols: Vec<&str> = line.split(',').collect();
            assert_eq!(cols[0], (i + 1).to_string());
            assert_eq!(cols[1].len(), 8, "〒 with hyphen");
            assert_eq!(cols[4], r[i].payload.insured_number().as_str());
            assert_eq!(cols[5], "特定記録");
        }
        assert!(!format!("{list:?}").contains("見本"));
    }

    #[test]
    fn file_distributions_have_no_mailing_list() {
        let (a, r) = synthetic::approved(DistributionKind::PremiumFile, 2, 3);
        let d =
            ApprovedDistribution::verify(DistributionKind::PremiumFile, MailClass::Ordinary, a, r)
                .expect("approved");
        assert!(matches!(
            mailing_list(&d),
            Err(BatchError::WrongKind { .. })
        ));
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
