//! Adapts what the union returns (print data of a document, a queued receipt) to the print crate's
//! records, renders them, and hands them to the PNG preview or the printer. The layouts, the pre-flight
//! check and the back ends are `madoguchi-print`'s; nothing here decides what a document says.

use std::sync::Arc;

use base64::Engine;
use madoguchi_counter::QueueEntry;
use madoguchi_domain::insurance::DocumentKind;
use madoguchi_print::documents::{
    OptionalEntries, QualificationCertificate, QualificationNotice, ReceiptNumber, ReceptionReceipt,
};
use madoguchi_print::{
    CupsLp, DocumentRecord, JobOptions, MemoryPrintLog, PrintAssets, PrintConfig, PrintKind,
    PrintOccasion, PrintService, PrinterMap, QueueName, RenderMode, RenderedDocument, Renderer,
    StaffId,
};
use madoguchi_protocol::v1::DocumentData;
use serde::Serialize;

use crate::error::IpcError;

/// Preview resolution: sharp enough to read every item on a card at screen size, small enough to be quick.
const PREVIEW_DPI: u32 = 150;

/// What the print button reports back.
#[derive(Debug, Clone, Serialize)]
pub struct Printed {
    /// The print system's job id.
    pub job: String,
    /// The queue it went to.
    pub printer: String,
    /// Pages.
    pub pages: usize,
}

/// The terminal's printing: renderer (fonts parsed once), layout choice, printer and log.
pub struct Printing {
    renderer: Arc<Renderer>,
    config: PrintConfig,
    service: PrintService,
    log: Arc<MemoryPrintLog>,
    mode: RenderMode,
    municipality_name: String,
}

impl Printing {
    /// Loads the fonts and sets every paper to `queue`. `training`: every page carries 見本.
    pub fn new(
        assets: PrintAssets,
        queue: &str,
        training: bool,
        municipality_name: String,
    ) -> Result<Self, IpcError> {
        let queue = QueueName::parse(queue)?;
        let renderer = Arc::new(Renderer::new(assets.clone())?);
        let mut config = PrintConfig::default();
        config.assets = assets;
        // The job log of this session; the lasting print history (first print or reprint, with the reason)
        // is the counter's, sealed in the vault. Print records carry no personal data.
        let log = Arc::new(MemoryPrintLog::new());
        let service = PrintService::new(
            Box::new(CupsLp::new()),
            PrinterMap {
                card: Some(queue.clone()),
                a4: Some(queue),
            },
            log.clone(),
        );
        Ok(Printing {
            renderer,
            config,
            service,
            log,
            mode: if training {
                RenderMode::Training
            } else {
                RenderMode::Production
            },
            municipality_name,
        })
    }

    /// The renderer (fonts parsed once), shared with bulk printing.
    pub fn renderer(&self) -> Arc<Renderer> {
        self.renderer.clone()
    }

    /// How many jobs this terminal printed since start.
    pub fn jobs_printed(&self) -> usize {
        self.log.records().len()
    }

    fn render<R: DocumentRecord>(
        &self,
        kind: PrintKind,
        record: R,
        sample: bool,
    ) -> Result<RenderedDocument, IpcError> {
        let layout = self.renderer.layout(self.config.layout_for(kind))?;
        // A training union marks its documents as samples; a training terminal prints only samples.
        let mode = if sample {
            RenderMode::Training
        } else {
            self.mode
        };
        Ok(self.renderer.render(&layout, &[record], mode)?)
    }

    /// The 資格確認書 or 資格情報のお知らせ from the union's print data.
    pub fn render_document(&self, d: &DocumentData) -> Result<RenderedDocument, IpcError> {
        let optional = OptionalEntries {
            limit_category: d.limit_category.map(|c| (c, d.valid_from)),
            long_stay_date: d.long_term_hospitalization_on,
            specific_disease: None,
        };
        match d.kind {
            DocumentKind::ShikakuKakuninsho => self.render(
                PrintKind::QualificationCertificate,
                QualificationCertificate {
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
                    optional,
                },
                d.sample,
            ),
            DocumentKind::ShikakuJohoOshirase => self.render(
                PrintKind::QualificationNotice,
                QualificationNotice {
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
                    optional,
                },
                d.sample,
            ),
            DocumentKind::Hihokenshasho | DocumentKind::GendogakuNinteisho => Err(IpcError::new(
                "document_not_issuable",
                "この書類（被保険者証・限度額適用認定証）は令和6年12月2日以降は交付できません。",
            )),
        }
    }

    /// The 受付控 of a queued notification (no personal data on it: number, time, kind, municipality).
    pub fn render_receipt(&self, entry: &QueueEntry) -> Result<RenderedDocument, IpcError> {
        let number = ReceiptNumber::parse(&entry.reception_number).map_err(|_| {
            IpcError::new(
                "receipt_number",
                "受付番号の形式が正しくないため、受付控を印刷できません。情報システム管理者に連絡してください。",
            )
        })?;
        let receipt = ReceptionReceipt {
            receipt_number: number,
            received_at: madoguchi_domain::jst::datetime(entry.queued_at),
            notification: entry.kind.into(),
            name: None,
            municipality_name: self.municipality_name.clone(),
        };
        self.render(PrintKind::ReceptionReceipt, receipt, false)
    }

    /// PNG of the first page as a `data:` URL for an `<img>` (the CSP allows `img-src data:`).
    pub fn preview(&self, doc: &RenderedDocument) -> Result<String, IpcError> {
        let png = madoguchi_print::preview_png(doc, 1, PREVIEW_DPI)?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ))
    }

    /// Sends a checked document to the configured queue and logs it, as a first print or as the reprint
    /// the counter decided (with its reason).
    pub fn print(
        &self,
        doc: &RenderedDocument,
        staff_user: &str,
        occasion: &PrintOccasion,
    ) -> Result<Printed, IpcError> {
        let staff = StaffId::parse(staff_user)?;
        let record = self.service.print(
            doc,
            staff,
            occasion.clone(),
            chrono::Utc::now(),
            &JobOptions::default(),
        )?;
        Ok(Printed {
            job: record.job.0,
            printer: record.printer,
            pages: record.pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_receipts_are_samples_and_preview_as_png() {
        let p = Printing::new(
            PrintAssets::repo_default(),
            "CUPS-PDF",
            true,
            "見附市".into(),
        )
        .expect("printing");
        let entry = QueueEntry {
            seq: 1,
            reception_number: "KENSYU-01-000001-7".into(),
            kind: madoguchi_domain::NotificationKind::Reissue,
            kind_ja: madoguchi_domain::NotificationKind::Reissue
                .label_ja()
                .into(),
            state: "queued",
            state_ja: "未送信",
            reason_ja: None,
            attempts: 0,
            queued_at: chrono::Utc::now(),
            needs_attention: false,
        };
        let doc = p.render_receipt(&entry).expect("receipt");
        assert_eq!(doc.mode(), RenderMode::Training);
        let text = madoguchi_print::pdf_text(doc.pdf()).expect("text");
        assert!(text.contains("KENSYU-01-000001-7"), "{text}");
        // The 見本 watermark itself is the print crate's (tested there); here: the mode that draws it.
        let url = p.preview(&doc).expect("preview");
        assert!(url.starts_with("data:image/png;base64,iVBOR"));
    }
}
