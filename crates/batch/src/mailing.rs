//! 宛名一覧 for the post office and the envelope check: one line per mailed item in 通し番号 order, with
//! the 送付方法 (簡易書留・転送不要, 特定記録 …). Only from approved content.

use madoguchi_domain::csv;
use madoguchi_print::{
    DocumentRecord, ItemKey, ItemValue, PrintConfig, PrintError, PrintKind, RenderMode,
    RenderedDocument, Renderer,
};
use madoguchi_protocol::distribution::MailClass;
use zeroize::Zeroizing;

use crate::approved::ApprovedDistribution;
use crate::error::BatchError;

/// The list. The CSV holds personal data: keep it in memory, print it or export it encrypted; never log it.
pub struct MailingList {
    /// The mail class of the envelopes.
    pub mail_class: MailClass,
    /// Rows in the list.
    pub rows: u32,
    /// UTF-8 CSV with a header: 通し番号,郵便番号,住所,宛名,被保険者番号,送付方法.
    pub csv: Zeroizing<Vec<u8>>,
    /// The same rows as printed lines.
    lines: Vec<String>,
}

const ROWS_PER_PAGE: usize = 46;

/// One page of the printed list.
struct ListPage(Vec<String>);

impl DocumentRecord for ListPage {
    fn kind(&self) -> PrintKind {
        PrintKind::MailingList
    }
    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        (key == ItemKey::ReportBody).then(|| ItemValue::Lines(self.0.clone()))
    }
}

impl MailingList {
    /// The list as a printable A4 document (layout `atena-ichiran`): each page starts with the 送付方法 and
    /// its page number. Print it with the counter's print service or preview it; never save it unencrypted.
    pub fn render(
        &self,
        renderer: &Renderer,
        distribution_label: &str,
    ) -> Result<RenderedDocument, PrintError> {
        let layout = renderer.layout(PrintConfig::default().layout_for(PrintKind::MailingList))?;
        let chunks: Vec<&[String]> = self.lines.chunks(ROWS_PER_PAGE).collect();
        let total = chunks.len();
        let pages: Vec<ListPage> = chunks
            .into_iter()
            .enumerate()
            .map(|(i, rows)| {
                let mut lines = vec![
                    format!(
                        "{}　送付方法：{}　全{}件　{}／{}頁",
                        distribution_label,
                        self.mail_class.label_ja(),
                        self.rows,
                        i + 1,
                        total
                    ),
                    "通し番号　郵便番号　住所　宛名　被保険者番号".to_string(),
                ];
                lines.extend(rows.iter().cloned());
                ListPage(lines)
            })
            .collect();
        renderer.render(&layout, &pages, RenderMode::Production)
    }
}

impl std::fmt::Debug for MailingList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailingList")
            .field("mail_class", &self.mail_class)
            .field("rows", &self.rows)
            .field("csv", &"<redacted>")
            .field("lines", &self.lines.len())
            .finish()
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
    let mut out = csv::record(&[
        "通し番号",
        "郵便番号",
        "住所",
        "宛名",
        "被保険者番号",
        "送付方法",
    ]);
    let mut lines = Vec::with_capacity(dist.records().len());
    for r in dist.records() {
        let to = r
            .mail_to
            .as_ref()
            .ok_or(BatchError::NoAddress { seq: r.seq })?;
        lines.push(format!(
            "{:>6}　〒{}　{}　{}　様　{}",
            r.seq,
            postal(&to.postal_code),
            to.address,
            to.recipient,
            r.payload.insured_number().as_str()
        ));
        out.push_str(&csv::record(&[
            r.seq.to_string(),
            postal(&to.postal_code),
            to.address.clone(),
            format!("{}　様", to.recipient),
            r.payload.insured_number().as_str().to_owned(),
            class.label_ja().to_owned(),
        ]));
    }
    tracing::info!(distribution = %dist.distribution_id(), rows = dist.record_count(), class = ?class, "mailing list built");
    Ok(MailingList {
        mail_class: class,
        rows: dist.record_count(),
        csv: Zeroizing::new(out.into_bytes()),
        lines,
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
    fn printed_list_has_every_row_over_pages() {
        let (a, r) = synthetic::approved(DistributionKind::BurdenRatioChange, 50, 4);
        let d = ApprovedDistribution::verify(
            DistributionKind::BurdenRatioChange,
            MailClass::SimpleRegisteredNoForward,
            a,
            r.clone(),
        )
        .expect("approved");
        let list = mailing_list(&d).expect("list");
        let renderer = Renderer::new(madoguchi_print::PrintAssets::repo_default()).expect("fonts");
        let doc = list
            .render(&renderer, d.kind().label_ja())
            .expect("renders");
        assert_eq!(doc.page_count(), 2);
        let text = madoguchi_print::pdf_text(doc.pdf()).expect("pdftotext");
        assert!(text.contains("簡易書留・転送不要") && text.contains("2／2頁"));
        for rec in &r {
            assert!(text.contains(rec.payload.insured_number().as_str()));
        }
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
    }
}
