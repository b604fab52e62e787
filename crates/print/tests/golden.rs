//! Golden images and text layer: every kind is rendered, rasterised with pdftoppm at 100 dpi and compared
//! with the committed PNG in tests/golden/ (UPDATE_GOLDEN=1 rewrites them); pdftotext must find every
//! required item's text in what printpdf wrote. Needs poppler-utils.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::{assert_matches_golden, decode_png, pixel_diff_ratio, renderer, test_assets};
use madoguchi_domain::kana::PersonName;
use madoguchi_print::sample::{
    sample_certificate, sample_handover, sample_notice, sample_premium, sample_receipt,
};
use madoguchi_print::{
    DocumentRecord, ItemValue, Layout, RenderMode, Renderer, SampleKind, pdf_text, preview_png,
    render_sample_with,
};

/// Same renderer and poppler: allow 0.1 % of pixels for poppler anti-aliasing differences between builds.
const TOLERANCE: f64 = 0.001;

#[test]
fn every_kind_matches_its_golden_image() {
    let t = test_assets();
    let r = renderer(&t);
    for kind in SampleKind::ALL {
        let doc = render_sample_with(&r, kind, false).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(doc.page_count(), 1);
        let png = preview_png(&doc, 1, 100).expect("pdftoppm");
        assert_matches_golden(kind.as_str(), &png, TOLERANCE);
    }
}

#[test]
fn id1_card_layout_matches_its_golden_image() {
    // 85.6 × 54 mm (ID-1), the other card size a union may choose.
    let t = test_assets();
    let r = renderer(&t);
    let layout = r.layout("shikaku-kakuninsho-card-id1").expect("layout");
    let doc = r
        .render(&layout, &[sample_certificate()], RenderMode::Production)
        .expect("render");
    let (w, h) = doc.page_size_mm();
    assert!((w - 85.6).abs() < 0.01 && (h - 54.0).abs() < 0.01);
    let png = preview_png(&doc, 1, 100).expect("pdftoppm");
    assert_matches_golden("shikaku-kakuninsho-card-id1", &png, TOLERANCE);
    assert_required_text(&r, "shikaku-kakuninsho-card-id1", sample_certificate());
}

#[test]
fn training_mode_carries_the_watermark_on_every_kind() {
    let t = test_assets();
    let r = renderer(&t);
    let doc = render_sample_with(&r, SampleKind::Certificate, true).expect("render");
    let png = preview_png(&doc, 1, 100).expect("pdftoppm");
    assert_matches_golden("shikaku-kakuninsho-training", &png, TOLERANCE);
    for kind in SampleKind::ALL {
        let doc = render_sample_with(&r, kind, true).expect("render");
        let text = pdf_text(doc.pdf()).expect("pdftotext");
        assert!(text.contains("見本"), "{kind}: watermark text missing");
        // And it is visibly different from the production page.
        let prod = render_sample_with(&r, kind, false).expect("render");
        let (a, b) = (
            decode_png(&preview_png(&doc, 1, 100).expect("png")),
            decode_png(&preview_png(&prod, 1, 100).expect("png")),
        );
        assert!(
            pixel_diff_ratio(&a, &b) > 0.02,
            "{kind}: watermark hardly visible"
        );
    }
}

#[test]
fn golden_comparison_notices_a_changed_name() {
    let t = test_assets();
    let r = renderer(&t);
    let layout = r.layout("shikaku-kakuninsho-card").expect("layout");
    let mut cert = sample_certificate();
    cert.name = PersonName::parse("見本　花代").expect("name");
    let doc = r
        .render(&layout, &[cert], RenderMode::Production)
        .expect("render");
    let actual = decode_png(&preview_png(&doc, 1, 100).expect("png"));
    let golden = decode_png(
        &std::fs::read(common::golden_dir().join("shikaku-kakuninsho.png")).expect("golden"),
    );
    assert!(
        pixel_diff_ratio(&golden, &actual) > TOLERANCE,
        "a one-character change must fail the comparison"
    );
}

fn assert_required_text<R: DocumentRecord>(r: &Renderer, layout_name: &str, record: R) {
    let layout: Layout = r.layout(layout_name).expect("layout");
    let doc = r
        .render(
            &layout,
            std::slice::from_ref(&record),
            RenderMode::Production,
        )
        .expect("render");
    let text: String = pdf_text(doc.pdf())
        .expect("pdftotext")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let required = layout.required_items();
    assert!(!required.is_empty());
    for item in required {
        let value = record
            .item(item)
            .unwrap_or_else(|| panic!("{layout_name}: sample lacks {item}"));
        // The value's Debug is redacted (it may reach a log by accident).
        assert!(!format!("{value:?}").contains("見本"));
        let lines = match value {
            ItemValue::Line(s) => vec![s],
            ItemValue::Lines(v) => v,
        };
        for l in lines {
            let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                text.contains(&l),
                "{layout_name}: pdftotext did not find required item {item}"
            );
        }
    }
    // Fonts are embedded as subsets: a one-page document stays small.
    assert!(
        doc.pdf().len() < 120_000,
        "{layout_name}: {} bytes; fonts not subset?",
        doc.pdf().len()
    );
}

#[test]
fn pdftotext_finds_every_required_item() {
    let t = test_assets();
    let r = renderer(&t);
    assert_required_text(&r, "shikaku-kakuninsho-card", sample_certificate());
    assert_required_text(&r, "shikaku-kakuninsho-hagaki", sample_certificate());
    assert_required_text(&r, "shikaku-joho-oshirase", sample_notice());
    assert_required_text(&r, "uketsuke-hikae", sample_receipt());
    assert_required_text(&r, "kofu-kaishu", sample_handover());
    assert_required_text(&r, "hokenryo-kettei", sample_premium());
}

#[test]
fn optional_entries_print_only_when_applied_for() {
    let t = test_assets();
    let r = renderer(&t);
    let layout = r.layout("shikaku-kakuninsho-hagaki").expect("layout");
    let with = sample_certificate();
    let mut without = sample_certificate();
    without.optional = Default::default();
    let text = |c| {
        let doc = r
            .render(&layout, &[c], RenderMode::Production)
            .expect("render");
        pdf_text(doc.pdf()).expect("pdftotext")
    };
    assert!(text(with).contains("区分Ⅱ"));
    assert!(!text(without).contains("区分Ⅱ"));
}

#[test]
fn receipt_qr_code_reads_back_as_the_receipt_number() {
    let t = test_assets();
    let r = renderer(&t);
    let receipt = sample_receipt();
    let doc = render_sample_with(&r, SampleKind::Receipt, false).expect("render");
    let img = decode_png(&preview_png(&doc, 1, 150).expect("png"));
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(img.w, img.h, |x, y| {
        let p = img.px[y * img.w + x];
        ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code on the receipt");
    let (_, content) = grids[0].decode().expect("QR decodes");
    assert_eq!(content, receipt.receipt_number.as_str());
}
