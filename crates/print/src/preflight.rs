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

/// Second pre-flight, on the finished PDF bytes: read them back and check the page count and that every
/// page paints the seal image (an Image XObject of the seal's pixel size, invoked with `Do` in the page's
/// content). This catches a serialiser that drops pages or images, which the check on page operations
/// cannot see.
pub(crate) fn check_pdf(
    pdf: &[u8],
    records: usize,
    seal_px: Option<(usize, usize)>,
) -> Result<(), PrintError> {
    let unreadable = |e: lopdf::Error| PrintError::Tool {
        tool: "pre-flight",
        reason: format!("PDF unreadable: {e}"),
    };
    let doc = lopdf::Document::load_mem(pdf).map_err(unreadable)?;
    let pages = doc.get_pages();
    if pages.len() != records {
        return Err(PrintError::PageCountMismatch {
            pages: pages.len(),
            records,
        });
    }
    let Some((sw, sh)) = seal_px else {
        return Ok(());
    };
    for (index, page_id) in pages.values().enumerate() {
        let seal_names: Vec<Vec<u8>> = doc
            .get_dictionary(*page_id)
            .and_then(|page| doc.get_dict_in_dict(page, b"Resources"))
            .and_then(|res| doc.get_dict_in_dict(res, b"XObject"))
            .map(|xobjects| {
                xobjects
                    .iter()
                    .filter(|(_, v)| {
                        v.as_reference()
                            .and_then(|id| doc.get_object(id))
                            .and_then(|o| o.as_stream())
                            .is_ok_and(|s| {
                                let d = &s.dict;
                                d.get(b"Subtype")
                                    .and_then(|t| t.as_name())
                                    .is_ok_and(|t| t == b"Image")
                                    && d.get(b"Width")
                                        .and_then(|w| w.as_i64())
                                        .is_ok_and(|w| w == sw as i64)
                                    && d.get(b"Height")
                                        .and_then(|h| h.as_i64())
                                        .is_ok_and(|h| h == sh as i64)
                            })
                    })
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        let painted = !seal_names.is_empty()
            && doc
                .get_and_decode_page_content(*page_id)
                .is_ok_and(|content| {
                    content.operations.iter().any(|op| {
                        op.operator == "Do"
                            && op
                                .operands
                                .first()
                                .and_then(|o| o.as_name().ok())
                                .is_some_and(|n| seal_names.iter().any(|s| s == n))
                    })
                });
        if !painted {
            tracing::error!(
                record = index,
                "pre-flight on the PDF: seal not painted; job stopped"
            );
            return Err(PrintError::Preflight {
                record: index,
                problem: PreflightProblem::SealMissing,
            });
        }
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

    fn pdf_with_seal_on(pages_with_seal: &[bool]) -> Vec<u8> {
        use printpdf::{PdfDocument, PdfSaveOptions, RawImage, RawImageData, RawImageFormat};
        let mut doc = PdfDocument::new("t");
        let img = RawImage {
            width: 4,
            height: 3,
            data_format: RawImageFormat::RGB8,
            pixels: RawImageData::U8(vec![200; 4 * 3 * 3]),
            tag: Vec::new(),
        };
        let id = doc.add_image(&img);
        let pages = pages_with_seal
            .iter()
            .map(|&with| {
                let ops = if with {
                    vec![seal_op(&id)]
                } else {
                    vec![Op::SaveGraphicsState, Op::RestoreGraphicsState]
                };
                PdfPage::new(Mm(91.0), Mm(55.0), ops)
            })
            .collect();
        let opts = PdfSaveOptions {
            image_optimization: None,
            ..Default::default()
        };
        doc.with_pages(pages).save(&opts, &mut Vec::new())
    }

    #[test]
    fn finished_pdf_with_seal_on_every_page_passes() {
        check_pdf(&pdf_with_seal_on(&[true, true]), 2, Some((4, 3))).expect("passes");
    }

    #[test]
    fn finished_pdf_missing_the_seal_on_one_page_fails_for_that_record() {
        match check_pdf(&pdf_with_seal_on(&[true, false, true]), 3, Some((4, 3))) {
            Err(PrintError::Preflight {
                record: 1,
                problem: PreflightProblem::SealMissing,
            }) => {}
            other => panic!("expected SealMissing for record 1, got {other:?}"),
        }
        // An image of another size is not the seal.
        assert!(check_pdf(&pdf_with_seal_on(&[true]), 1, Some((5, 3))).is_err());
    }

    #[test]
    fn finished_pdf_page_count_must_equal_records() {
        match check_pdf(&pdf_with_seal_on(&[true, true]), 3, Some((4, 3))) {
            Err(PrintError::PageCountMismatch {
                pages: 2,
                records: 3,
            }) => {}
            other => panic!("expected PageCountMismatch, got {other:?}"),
        }
        assert!(check_pdf(b"%PDF-1.3 garbage", 1, None).is_err());
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
