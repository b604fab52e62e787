//! Pre-flight: inspect the finished pages (the page operations printpdf will serialise) before anything
//! reaches a printer. Every page must carry the seal, every required item, the QR code where the kind
//! needs one, and the 見本 watermark in training; the page count must equal the record count.
//! This is the check the 出雲市 bulk run lacked (about 8,200 of 23,156 cards printed without the 公印).

use printpdf::{Op, PdfPage, TextItem, XObjectId};

use crate::error::{PreflightProblem, PrintError};
use crate::items::ItemKey;
use crate::render::WATERMARK_TEXT;

/// What one page must show.
#[derive(Debug, Clone)]
pub(crate) struct PageExpectation {
    pub record: usize,
    /// Required items and the exact lines that must appear as text on the page.
    pub items: Vec<(ItemKey, Vec<String>)>,
    pub seal: Option<XObjectId>,
    /// QR area (x, y_top, size) in pt.
    pub qr: Option<(f32, f32, f32)>,
    pub watermark: bool,
}

pub(crate) fn check(
    pages: &[PdfPage],
    expected: &[PageExpectation],
    records: usize,
    (page_w, page_h): (f32, f32),
) -> Result<(), PrintError> {
    if pages.len() != records || expected.len() != records {
        return Err(PrintError::PageCountMismatch {
            pages: pages.len(),
            records,
        });
    }
    for (page, exp) in pages.iter().zip(expected) {
        check_page(&page.ops, exp, page_w, page_h).map_err(|problem| {
            tracing::error!(record = exp.record, %problem, "pre-flight failed; job stopped");
            PrintError::Preflight {
                record: exp.record,
                problem,
            }
        })?;
    }
    Ok(())
}

fn check_page(
    ops: &[Op],
    exp: &PageExpectation,
    page_w: f32,
    page_h: f32,
) -> Result<(), PreflightProblem> {
    let texts: Vec<&str> = ops
        .iter()
        .filter_map(|op| match op {
            Op::ShowText { items } => Some(items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            TextItem::Text(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();

    if let Some(seal) = &exp.seal {
        let placed = ops.iter().any(|op| match op {
            Op::UseXobject { id, transform } => {
                let x = transform.translate_x.map(|p| p.0).unwrap_or(0.0);
                let y = transform.translate_y.map(|p| p.0).unwrap_or(0.0);
                id == seal
                    && (0.0..page_w).contains(&x)
                    && (0.0..page_h).contains(&y)
                    && transform.dpi.is_some_and(|d| d > 0.0)
            }
            _ => false,
        });
        if !placed {
            return Err(PreflightProblem::SealMissing);
        }
    }
    for (item, lines) in &exp.items {
        if lines.is_empty()
            || lines
                .iter()
                .any(|l| l.trim().is_empty() || !texts.contains(&l.as_str()))
        {
            return Err(PreflightProblem::ItemMissing(*item));
        }
    }
    if let Some((qx, qy, qs)) = exp.qr {
        let modules = ops
            .iter()
            .filter(|op| match op {
                Op::DrawRectangle { rectangle: r } => {
                    r.x.0 >= qx - 0.01
                        && r.x.0 + r.width.0 <= qx + qs + 0.01
                        && r.y.0 >= qy - qs - 0.01
                        && r.y.0 + r.height.0 <= qy + 0.01
                }
                _ => false,
            })
            .count();
        // The three finder patterns alone give 21 runs; fewer means the code is not there.
        if modules < 21 {
            return Err(PreflightProblem::QrMissing);
        }
    }
    if exp.watermark && !texts.contains(&WATERMARK_TEXT) {
        return Err(PreflightProblem::WatermarkMissing);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use printpdf::{Mm, Pt, XObjectTransform};

    use super::*;

    fn text(s: &str) -> Op {
        Op::ShowText {
            items: vec![TextItem::Text(s.into())],
        }
    }

    fn seal_op(id: &XObjectId) -> Op {
        Op::UseXobject {
            id: id.clone(),
            transform: XObjectTransform {
                translate_x: Some(Pt(10.0)),
                translate_y: Some(Pt(10.0)),
                dpi: Some(300.0),
                ..Default::default()
            },
        }
    }

    fn expectation(seal: &XObjectId) -> PageExpectation {
        PageExpectation {
            record: 3,
            items: vec![
                (ItemKey::Name, vec!["見本　花子".into()]),
                (ItemKey::InsuredNumber, vec!["12345678".into()]),
            ],
            seal: Some(seal.clone()),
            qr: None,
            watermark: false,
        }
    }

    #[test]
    fn complete_page_passes() {
        let seal = XObjectId::new();
        let page = PdfPage::new(
            Mm(91.0),
            Mm(55.0),
            vec![text("見本　花子"), text("12345678"), seal_op(&seal)],
        );
        check(&[page], &[expectation(&seal)], 1, (258.0, 156.0)).expect("passes");
    }

    #[test]
    fn page_without_seal_stops_the_job_naming_the_record() {
        let seal = XObjectId::new();
        let page = PdfPage::new(
            Mm(91.0),
            Mm(55.0),
            vec![text("見本　花子"), text("12345678")],
        );
        match check(&[page], &[expectation(&seal)], 1, (258.0, 156.0)) {
            Err(PrintError::Preflight {
                record: 3,
                problem: PreflightProblem::SealMissing,
            }) => {}
            other => panic!("expected SealMissing for record 3, got {other:?}"),
        }
    }

    #[test]
    fn another_image_is_not_the_seal() {
        let seal = XObjectId::new();
        let other = XObjectId::new();
        let page = PdfPage::new(
            Mm(91.0),
            Mm(55.0),
            vec![text("見本　花子"), text("12345678"), seal_op(&other)],
        );
        assert!(check(&[page], &[expectation(&seal)], 1, (258.0, 156.0)).is_err());
    }

    #[test]
    fn seal_off_the_page_is_missing() {
        let seal = XObjectId::new();
        let off = Op::UseXobject {
            id: seal.clone(),
            transform: XObjectTransform {
                translate_x: Some(Pt(900.0)),
                translate_y: Some(Pt(10.0)),
                dpi: Some(300.0),
                ..Default::default()
            },
        };
        let page = PdfPage::new(
            Mm(91.0),
            Mm(55.0),
            vec![text("見本　花子"), text("12345678"), off],
        );
        assert!(check(&[page], &[expectation(&seal)], 1, (258.0, 156.0)).is_err());
    }

    #[test]
    fn missing_item_text_is_reported() {
        let seal = XObjectId::new();
        let page = PdfPage::new(Mm(91.0), Mm(55.0), vec![text("見本　花子"), seal_op(&seal)]);
        match check(&[page], &[expectation(&seal)], 1, (258.0, 156.0)) {
            Err(PrintError::Preflight {
                problem: PreflightProblem::ItemMissing(ItemKey::InsuredNumber),
                ..
            }) => {}
            other => panic!("expected ItemMissing, got {other:?}"),
        }
    }

    #[test]
    fn page_count_must_equal_record_count() {
        let seal = XObjectId::new();
        let page = PdfPage::new(
            Mm(91.0),
            Mm(55.0),
            vec![text("見本　花子"), text("12345678"), seal_op(&seal)],
        );
        let e = expectation(&seal);
        match check(&[page], &[e.clone(), e], 2, (258.0, 156.0)) {
            Err(PrintError::PageCountMismatch {
                pages: 1,
                records: 2,
            }) => {}
            other => panic!("expected PageCountMismatch, got {other:?}"),
        }
    }

    #[test]
    fn training_page_needs_watermark() {
        let seal = XObjectId::new();
        let page = PdfPage::new(
            Mm(91.0),
            Mm(55.0),
            vec![text("見本　花子"), text("12345678"), seal_op(&seal)],
        );
        let mut e = expectation(&seal);
        e.watermark = true;
        match check(&[page], &[e], 1, (258.0, 156.0)) {
            Err(PrintError::Preflight {
                problem: PreflightProblem::WatermarkMissing,
                ..
            }) => {}
            other => panic!("expected WatermarkMissing, got {other:?}"),
        }
    }
}
