//! From distribution records to checked pages: the print crate's document types, the bulk-printing layouts
//! (each page carries its 照合番号 in text and as a QR code), and rendering a range of records with the
//! pre-flight check.

use madoguchi_domain::insurance::DocumentKind;
use madoguchi_print::burden_certificate::BurdenCategoryCertificate;
use madoguchi_print::burden_notice::BurdenRatioChangeNotice;
use madoguchi_print::documents::{OptionalEntries, QualificationCertificate, QualificationNotice};
use madoguchi_print::{
    DocumentRecord, ItemKey, ItemValue, Layout, PrintError, PrintKind, RenderMode,
    RenderedDocument, Renderer,
};
use madoguchi_protocol::distribution::{ContentHash, DistributionRecord, RecordPayload};
use madoguchi_protocol::v1::DocumentData;

use crate::error::BatchError;

/// Which layout prints which document in bulk (layout names in the layouts directory). The defaults are
/// the repository's `ikkatsu-*` layouts: the counter's layouts plus the 照合番号.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchLayouts {
    /// 資格確認書 (一斉更新, 75歳到達).
    pub certificate: String,
    /// 資格情報のお知らせ.
    pub notice: String,
    /// 負担割合変更通知.
    pub burden_ratio_notice: String,
}

impl Default for BatchLayouts {
    fn default() -> Self {
        Self {
            certificate: "ikkatsu-shikaku-kakuninsho".into(),
            notice: "ikkatsu-shikaku-joho-oshirase".into(),
            burden_ratio_notice: "ikkatsu-futan-wariai-henko".into(),
        }
    }
}

/// 照合番号 of a record: the first 8 hex digits of the approved content hash and the 通し番号, e.g.
/// `3F9A1C2B-000123`. Uppercase so that the QR code stays in the compact alphanumeric mode. It names no
/// person; a reprint carries the same number as the first print.
pub fn control_number(hash: &ContentHash, seq: u32) -> String {
    format!("{}-{seq:06}", hash.as_str()[..8].to_ascii_uppercase())
}

/// One page of a bulk job: the document plus its 照合番号.
pub(crate) enum BatchPage {
    Certificate(QualificationCertificate, String),
    Notice(QualificationNotice, String),
    BurdenRatio(BurdenRatioChangeNotice, String),
}

impl BatchPage {
    fn inner(&self) -> (&dyn DocumentRecord, &str) {
        match self {
            BatchPage::Certificate(d, c) => (d, c),
            BatchPage::Notice(d, c) => (d, c),
            BatchPage::BurdenRatio(d, c) => (d, c),
        }
    }
}

impl DocumentRecord for BatchPage {
    fn kind(&self) -> PrintKind {
        self.inner().0.kind()
    }
    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        let (doc, control) = self.inner();
        if key == ItemKey::ControlNumber {
            return Some(ItemValue::Line(control.to_string()));
        }
        doc.item(key)
    }
    fn validate(&self) -> Result<(), madoguchi_print::RecordProblem> {
        self.inner().0.validate()
    }
}

/// What decides the layout and mode of a page: pages of one chunk share both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageClass {
    pub kind: PrintKind,
    pub training: bool,
}

pub(crate) fn page_class(record: &DistributionRecord) -> Option<PageClass> {
    match &record.payload {
        RecordPayload::Certificate(d) => Some(PageClass {
            kind: match d.kind {
                DocumentKind::ShikakuJohoOshirase => PrintKind::QualificationNotice,
                DocumentKind::FutanKubunShomeisho => PrintKind::BurdenCategoryCertificate,
                _ => PrintKind::QualificationCertificate,
            },
            training: d.sample,
        }),
        RecordPayload::BurdenRatioNotice(n) => Some(PageClass {
            kind: PrintKind::BurdenRatioNotice,
            training: n.sample,
        }),
        RecordPayload::QualificationRow(_) | RecordPayload::PremiumRow(_) => None,
    }
}

fn optional(d: &DocumentData) -> OptionalEntries {
    OptionalEntries {
        limit_category: d.limit_category.map(|c| (c, d.valid_from)),
        long_stay_date: d.long_term_hospitalization_on,
        specific_disease: d.specific_disease,
    }
}

/// A union document as the print crate's record: the one mapping from [`DocumentData`] to what is printed,
/// for bulk pages here and for single prints at the counter (`madoguchi-application`).
#[derive(Debug, Clone)]
pub enum DocumentPage {
    /// 資格確認書.
    Certificate(QualificationCertificate),
    /// 資格情報のお知らせ.
    Notice(QualificationNotice),
    /// 負担区分等証明書 (県外転出).
    BurdenCategory(BurdenCategoryCertificate),
}

impl DocumentPage {
    fn inner(&self) -> &dyn DocumentRecord {
        match self {
            DocumentPage::Certificate(d) => d,
            DocumentPage::Notice(d) => d,
            DocumentPage::BurdenCategory(d) => d,
        }
    }
}

impl DocumentRecord for DocumentPage {
    fn kind(&self) -> PrintKind {
        self.inner().kind()
    }
    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        self.inner().item(key)
    }
    fn validate(&self) -> Result<(), madoguchi_print::RecordProblem> {
        self.inner().validate()
    }
}

/// The page of a union document; `None` for 被保険者証 / 限度額適用認定証, which are no longer issued (a
/// record sent as one is refused, never printed as the 資格確認書 that replaced them).
pub fn document_page(d: &DocumentData) -> Option<DocumentPage> {
    match d.kind {
        DocumentKind::ShikakuJohoOshirase => Some(DocumentPage::Notice(QualificationNotice {
            name: d.name.clone(),
            birth_date: d.birth_date,
            sex: d.sex,
            insured_number: d.insured_number.clone(),
            acquisition_date: d.acquired_on,
            burden_ratio: d.burden_ratio,
            insurer_number: d.insurer_number.clone(),
            insurer_name: d.insurer_name.clone(),
            issue_date: d.issue_date,
            expiry_date: Some(d.valid_until),
            optional: optional(d),
        })),
        DocumentKind::Hihokenshasho | DocumentKind::GendogakuNinteisho => None,
        // The union freezes the insured period as valid_from ..= valid_until (the last insured day).
        DocumentKind::FutanKubunShomeisho => {
            Some(DocumentPage::BurdenCategory(BurdenCategoryCertificate {
                name: d.name.clone(),
                birth_date: d.birth_date,
                insured_number: d.insured_number.clone(),
                insurer_number: d.insurer_number.clone(),
                acquisition_date: d.acquired_on,
                loss_date: d.valid_until.succ_opt().unwrap_or(d.valid_until),
                burden_ratio: d.burden_ratio,
                limit_category: d.limit_category,
                issue_date: d.issue_date,
                insurer_name: d.insurer_name.clone(),
            }))
        }
        DocumentKind::ShikakuKakuninsho => {
            Some(DocumentPage::Certificate(QualificationCertificate {
                name: d.name.clone(),
                birth_date: d.birth_date,
                sex: d.sex,
                insured_number: d.insured_number.clone(),
                acquisition_date: d.acquired_on,
                effective_date: d.valid_from,
                issue_date: d.issue_date,
                expiry_date: d.valid_until,
                burden_ratio: d.burden_ratio,
                insurer_number: d.insurer_number.clone(),
                insurer_name: d.insurer_name.clone(),
                optional: optional(d),
            }))
        }
    }
}

/// The page of one record, with its 照合番号.
pub(crate) fn page_of(record: &DistributionRecord, hash: &ContentHash) -> Option<BatchPage> {
    let control = control_number(hash, record.seq);
    match &record.payload {
        RecordPayload::Certificate(d) => match document_page(d)? {
            DocumentPage::Notice(n) => Some(BatchPage::Notice(n, control)),
            DocumentPage::Certificate(c) => Some(BatchPage::Certificate(c, control)),
            // Issued one at a time at the counter on 県外転出, never in a distribution.
            DocumentPage::BurdenCategory(_) => None,
        },
        RecordPayload::BurdenRatioNotice(n) => Some(BatchPage::BurdenRatio(
            BurdenRatioChangeNotice {
                name: n.name.clone(),
                insured_number: n.insured_number.clone(),
                before: n.before,
                after: n.after,
                effective_on: n.effective_on,
                notice_date: n.notice_date,
                insurer_name: n.insurer_name.clone(),
            },
            control,
        )),
        RecordPayload::QualificationRow(_) | RecordPayload::PremiumRow(_) => None,
    }
}

impl BatchLayouts {
    pub(crate) fn name_for(&self, kind: PrintKind) -> &str {
        match kind {
            PrintKind::QualificationNotice => &self.notice,
            PrintKind::BurdenRatioNotice => &self.burden_ratio_notice,
            _ => &self.certificate,
        }
    }
}

/// Which record of a range a print error is about (0-based index in the range), if any.
fn record_index(e: &PrintError) -> Option<usize> {
    match e {
        PrintError::MissingRequiredItem { record, .. }
        | PrintError::InvalidRecord { record, .. }
        | PrintError::TextTooLong { record, .. }
        | PrintError::UnprintableCharacter { record, .. }
        | PrintError::Encoding { record, .. }
        | PrintError::Preflight { record, .. } => Some(*record),
        _ => None,
    }
}

/// Render `records` (one page each, all of one [`PageClass`]) with `layout`, pre-flight included. A failure
/// names the record's 通し番号 (the first of the range when the problem is not one page's).
pub(crate) fn render_range(
    renderer: &Renderer,
    layout: &Layout,
    records: &[DistributionRecord],
    hash: &ContentHash,
    training_terminal: bool,
    drop_seal_on_seq: Option<u32>,
) -> Result<RenderedDocument, BatchError> {
    let first = records.first().map(|r| r.seq).unwrap_or(0);
    let mut pages = Vec::with_capacity(records.len());
    let mut training = training_terminal;
    for r in records {
        let class = page_class(r);
        training |= class.is_some_and(|c| c.training);
        match page_of(r, hash) {
            Some(p) => pages.push(p),
            None => {
                return Err(BatchError::WrongPayload {
                    seq: r.seq,
                    kind: "printed",
                });
            }
        }
    }
    let mode = if training {
        RenderMode::Training
    } else {
        RenderMode::Production
    };
    let fault = drop_seal_on_seq.and_then(|seq| records.iter().position(|r| r.seq == seq));
    let rendered = match fault {
        Some(i) => renderer.render_dropping_seal(layout, &pages, mode, i),
        None => renderer.render(layout, &pages, mode),
    };
    rendered.map_err(|source| {
        let seq = record_index(&source)
            .and_then(|i| records.get(i))
            .map(|r| r.seq)
            .unwrap_or(first);
        tracing::error!(seq, error = %source, "page failed; chunk not spooled");
        BatchError::Page { seq, source }
    })
}

/// A proof (校正見本) of one record for the 監督者 before approval: the page exactly as the batch will print
/// it — bulk layout, 照合番号, pre-flight — or `None` for a file distribution's row, which has no page.
pub fn render_proof(
    renderer: &Renderer,
    layouts: &BatchLayouts,
    record: &DistributionRecord,
    hash: &ContentHash,
    training_terminal: bool,
) -> Result<Option<RenderedDocument>, BatchError> {
    let Some(class) = page_class(record) else {
        return Ok(None);
    };
    let layout = renderer
        .layout(layouts.name_for(class.kind))
        .map_err(BatchError::Printer)?;
    render_range(
        renderer,
        &layout,
        std::slice::from_ref(record),
        hash,
        training_terminal,
        None,
    )
    .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_protocol::distribution::{DistributionKind, content_hash};

    #[test]
    fn a_proof_is_the_bulk_page_and_files_have_none() {
        let renderer = Renderer::new(madoguchi_print::PrintAssets::repo_default())
            .unwrap_or_else(|e| panic!("renderer: {e}"));
        let layouts = BatchLayouts::default();
        let recs = crate::synthetic::records(DistributionKind::AnnualRenewal, 2, 5);
        let h = content_hash(&recs);
        let proof = render_proof(&renderer, &layouts, &recs[1], &h, true)
            .unwrap_or_else(|e| panic!("proof: {e}"));
        let doc = proof.unwrap_or_else(|| panic!("a certificate has a page"));
        assert_eq!(doc.page_count(), 1);
        let text = madoguchi_print::pdf_text(doc.pdf()).unwrap_or_default();
        assert!(
            text.contains(&control_number(&h, 2)),
            "照合番号 on the proof"
        );
        let files = crate::synthetic::records(DistributionKind::PremiumFile, 1, 5);
        let fh = content_hash(&files);
        assert!(
            render_proof(&renderer, &layouts, &files[0], &fh, true)
                .unwrap_or_else(|e| panic!("file: {e}"))
                .is_none()
        );
    }

    #[test]
    fn a_recorded_specific_disease_is_printed_and_a_burden_certificate_is_an_a4_page() {
        use madoguchi_domain::insurance::SpecificDisease;
        let recs = crate::synthetic::records(DistributionKind::AnnualRenewal, 1, 3);
        let RecordPayload::Certificate(d) = &recs[0].payload else {
            panic!("a certificate")
        };
        let mut d = d.clone();
        d.specific_disease = Some((
            SpecificDisease::ChronicRenalFailure,
            madoguchi_domain::Date::from_ymd_opt(2026, 8, 1).unwrap_or_default(),
        ));
        let page = document_page(&d).unwrap_or_else(|| panic!("a page"));
        assert_eq!(
            page.item(ItemKey::SpecificDisease),
            Some(ItemValue::Line(
                SpecificDisease::ChronicRenalFailure.label_ja().into()
            ))
        );
        d.kind = DocumentKind::FutanKubunShomeisho;
        d.valid_until = madoguchi_domain::Date::from_ymd_opt(2027, 1, 10).unwrap_or_default();
        let page = document_page(&d).unwrap_or_else(|| panic!("a page"));
        assert_eq!(page.kind(), PrintKind::BurdenCategoryCertificate);
        assert_eq!(
            page.item(ItemKey::LossDate),
            Some(ItemValue::Line("令和9年1月11日".into()))
        );
    }

    #[test]
    fn control_number_is_short_hash_and_seq() {
        let recs = crate::synthetic::records(DistributionKind::AnnualRenewal, 2, 9);
        let h = content_hash(&recs);
        let c = control_number(&h, 123);
        assert_eq!(c.len(), 15);
        assert!(c.ends_with("-000123"));
        assert_eq!(&c[..8], h.as_str()[..8].to_ascii_uppercase());
    }

    #[test]
    fn every_printed_kind_maps_to_a_page_with_its_control_number() {
        for kind in [
            DistributionKind::AnnualRenewal,
            DistributionKind::BurdenRatioChange,
        ] {
            let recs = crate::synthetic::records(kind, 3, 1);
            let h = content_hash(&recs);
            for r in &recs {
                let p = page_of(r, &h).expect("printable");
                assert_eq!(
                    p.item(ItemKey::ControlNumber),
                    Some(ItemValue::Line(control_number(&h, r.seq)))
                );
                assert!(p.item(ItemKey::InsuredNumber).is_some());
                assert_eq!(p.validate(), Ok(()));
            }
        }
        let rows = crate::synthetic::records(DistributionKind::PremiumFile, 1, 1);
        assert!(page_of(&rows[0], &content_hash(&rows)).is_none());
    }
}
