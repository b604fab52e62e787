//! Bad input: a missing required item, an over-long name, an unknown layout, a missing font or seal, an
//! unprintable character — each a clear error (Japanese for staff, English without personal data for
//! logs) and no document that could reach a printer. Also: 外字 placeholders are reported, multi-record
//! jobs have one page per record.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{renderer, test_assets};
use madoguchi_domain::kana::PersonName;
use madoguchi_print::sample::sample_certificate;
use madoguchi_print::{GaijiNotice, ItemKey, PrintError, RenderMode, Renderer, pdf_text};

fn card_layout(r: &Renderer) -> madoguchi_print::Layout {
    r.layout("shikaku-kakuninsho-card").expect("layout")
}

#[test]
fn missing_required_item_stops_the_job_and_names_the_record() {
    let t = test_assets();
    let r = renderer(&t);
    let good = sample_certificate();
    let mut bad = sample_certificate();
    bad.insurer_name = "  ".into();
    let err = r
        .render(
            &card_layout(&r),
            &[good.clone(), bad, good],
            RenderMode::Production,
        )
        .expect_err("must fail");
    assert!(
        matches!(
            err,
            PrintError::MissingRequiredItem {
                record: 1,
                item: ItemKey::InsurerName
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.message_ja(),
        "2件目：必須項目「保険者の名称」がありません。印刷を中止しました。"
    );
    assert_eq!(
        err.to_string(),
        "record 1: required item insurer_name is missing"
    );
}

#[test]
fn a_layout_can_make_an_optional_item_required() {
    let t = test_assets();
    let r = renderer(&t);
    let text = std::fs::read_to_string(t.assets.layouts_dir.join("shikaku-kakuninsho-card.toml"))
        .expect("read");
    let strict = text.replacen(
        "item = \"limit_category\"\n",
        "item = \"limit_category\"\nrequired = true\n",
        1,
    );
    assert_ne!(strict, text);
    let layout = madoguchi_print::Layout::parse("strict", &strict).expect("valid layout");
    let mut cert = sample_certificate();
    cert.optional.limit_category = None;
    let err = r
        .render(&layout, &[cert], RenderMode::Production)
        .expect_err("must fail");
    assert!(
        matches!(
            err,
            PrintError::MissingRequiredItem {
                record: 0,
                item: ItemKey::LimitCategory
            }
        ),
        "{err:?}"
    );
}

/// Word boxes from `pdftotext -bbox` (pt, origin top-left): (xMin, xMax, text).
fn word_boxes(pdf: &[u8]) -> Vec<(f64, f64, String)> {
    let mut child = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("write");
    let out = child.wait_with_output().expect("pdftotext output");
    let html = String::from_utf8(out.stdout).expect("utf8");
    let attr = |s: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        let i = s.find(&key).expect("attr") + key.len();
        s[i..]
            .split('"')
            .next()
            .expect("value")
            .parse()
            .expect("number")
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let text = l
                .split('>')
                .nth(1)
                .and_then(|s| s.split('<').next())
                .unwrap_or("")
                .to_string();
            (attr(l, "xMin"), attr(l, "xMax"), text)
        })
        .collect()
}

#[test]
fn long_name_shrinks_and_stays_inside_its_box() {
    let t = test_assets();
    let r = renderer(&t);
    let layout = card_layout(&r);
    let field = layout
        .fields
        .iter()
        .find(|f| f.item == ItemKey::Name)
        .expect("name field")
        .clone();
    let right_edge_pt = f64::from(field.x_mm + field.width_mm) * 72.0 / 25.4;
    // 22 characters do not fit at 12 pt in 66 mm (about 16 would).
    let long = "長谷川見本之助左衛門　寿限無寿限無五劫之擦切";
    let mut cert = sample_certificate();
    cert.name = PersonName::parse(long).expect("name");
    let doc = r
        .render(&layout, &[cert], RenderMode::Production)
        .expect("shrinks instead of failing");
    let words = word_boxes(doc.pdf());
    let name_words: Vec<_> = words
        .iter()
        .filter(|(_, _, w)| long.contains(w.as_str()) && w.chars().count() > 3)
        .collect();
    assert!(!name_words.is_empty(), "name not found in the text layer");
    for (x0, x1, _) in &name_words {
        assert!(
            *x0 >= f64::from(field.x_mm) * 72.0 / 25.4 - 0.5,
            "starts left of its box"
        );
        assert!(
            *x1 <= right_edge_pt + 0.5,
            "name overflows its box: ends at {x1:.1} pt, box ends at {right_edge_pt:.1} pt"
        );
    }
    let text: String = pdf_text(doc.pdf())
        .expect("pdftotext")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains(&long.replace('　', "")), "whole name printed");
}

#[test]
fn name_too_long_even_at_minimum_size_is_an_error() {
    let t = test_assets();
    let r = renderer(&t);
    let mut cert = sample_certificate();
    let longest = madoguchi_domain::kana::PERSON_NAME_MAX;
    cert.name = PersonName::parse(&"長".repeat(longest)).expect("the longest valid name");
    // Every accepted name fits the shipped layouts (tests/name_limit.rs): a layout with a narrower name box
    // shows what happens when one does not.
    let text = std::fs::read_to_string(t.assets.layouts_dir.join("shikaku-kakuninsho-card.toml"))
        .expect("layout text");
    let narrow = text.replacen("width_mm = 66.0", "width_mm = 30.0", 1);
    assert_ne!(narrow, text, "the card's name box is 66 mm wide");
    let layout =
        madoguchi_print::Layout::parse("shikaku-kakuninsho-card", &narrow).expect("layout");
    let err = r
        .render(&layout, &[cert], RenderMode::Production)
        .expect_err("must fail");
    assert!(
        matches!(
            err,
            PrintError::TextTooLong {
                record: 0,
                item: ItemKey::Name,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.message_ja().contains("長すぎて枠に収まりません"));
    assert!(
        !err.to_string().contains('長'),
        "no personal data in the log text"
    );
}

#[test]
fn unknown_layout_is_a_clear_error() {
    let t = test_assets();
    let r = renderer(&t);
    let err = r.layout("shikaku-kakuninsho-a5").expect_err("unknown");
    assert!(matches!(err, PrintError::UnknownLayout { .. }));
    assert_eq!(
        err.message_ja(),
        "帳票レイアウト「shikaku-kakuninsho-a5」が登録されていません。"
    );
}

#[test]
fn missing_font_is_a_clear_error() {
    let t = test_assets();
    let dir = tempfile::tempdir().expect("tempdir");
    // Only two of the three faces.
    for f in ["BIZUDGothic-Regular.ttf", "BIZUDGothic-Bold.ttf"] {
        std::fs::copy(t.assets.fonts_dir.join(f), dir.path().join(f)).expect("copy");
    }
    let mut assets = t.assets.clone();
    assets.fonts_dir = dir.path().to_path_buf();
    let err = Renderer::new(assets).expect_err("must fail");
    match &err {
        PrintError::FontMissing { path } => assert!(path.ends_with("BIZUDMincho-Regular.ttf")),
        other => panic!("expected FontMissing, got {other:?}"),
    }
    assert!(err.message_ja().contains("印刷用フォントが見つかりません"));
}

#[test]
fn missing_seal_is_a_clear_error_and_nothing_is_rendered() {
    let t = test_assets();
    let empty = tempfile::tempdir().expect("tempdir");
    let mut assets = t.assets.clone();
    assets.seal_dir = empty.path().to_path_buf();
    let r = Renderer::new(assets).expect("fonts load");
    let err = r
        .render(
            &card_layout(&r),
            &[sample_certificate()],
            RenderMode::Production,
        )
        .expect_err("must fail");
    match &err {
        PrintError::SealMissing { path } => assert!(path.ends_with("kouiki.png")),
        other => panic!("expected SealMissing, got {other:?}"),
    }
    assert!(err.message_ja().contains("印影なしでは印刷できません"));
}

#[test]
fn corrupt_or_blank_seal_is_rejected() {
    let t = test_assets();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("kouiki.png"), b"\x89PNG not really").expect("write");
    let mut assets = t.assets.clone();
    assets.seal_dir = dir.path().to_path_buf();
    let r = Renderer::new(assets).expect("fonts load");
    let err = r
        .render(
            &card_layout(&r),
            &[sample_certificate()],
            RenderMode::Production,
        )
        .expect_err("must fail");
    assert!(matches!(err, PrintError::SealInvalid { .. }), "{err:?}");

    // A fully transparent image would be "placed" but print nothing.
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, 8, 8);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("header");
        w.write_image_data(&[0u8; 8 * 8 * 4]).expect("data");
    }
    std::fs::write(dir.path().join("kouiki.png"), &png_bytes).expect("write");
    let err = r
        .render(
            &card_layout(&r),
            &[sample_certificate()],
            RenderMode::Production,
        )
        .expect_err("must fail");
    assert!(matches!(err, PrintError::SealInvalid { .. }), "{err:?}");
}

#[test]
fn character_missing_from_the_font_is_an_error_not_a_blank_box() {
    let t = test_assets();
    let r = renderer(&t);
    let mut cert = sample_certificate();
    cert.name = PersonName::parse("見本\u{E000}子")
        .expect("private-use character is accepted by the domain");
    let err = r
        .render(&card_layout(&r), &[cert], RenderMode::Production)
        .expect_err("must fail");
    assert!(
        matches!(
            err,
            PrintError::UnprintableCharacter {
                record: 0,
                item: ItemKey::Name,
                position: 2
            }
        ),
        "{err:?}"
    );
    assert!(err.message_ja().contains("3文字目"));
}

#[test]
fn gaiji_placeholder_prints_and_is_reported() {
    let t = test_assets();
    let r = renderer(&t);
    let mut cert = sample_certificate();
    cert.name = PersonName::parse("見本　●子").expect("name with 外字 placeholder");
    assert!(cert.name.has_gaiji());
    let doc = r
        .render(
            &card_layout(&r),
            &[sample_certificate(), cert],
            RenderMode::Production,
        )
        .expect("renders");
    assert_eq!(
        doc.gaiji(),
        &[GaijiNotice {
            record: 1,
            item: ItemKey::Name
        }]
    );
    assert!(pdf_text(doc.pdf()).expect("pdftotext").contains("●子"));
}

#[test]
fn one_page_per_record() {
    let t = test_assets();
    let r = renderer(&t);
    let records: Vec<_> = (0..5).map(|_| sample_certificate()).collect();
    let doc = r
        .render(&card_layout(&r), &records, RenderMode::Production)
        .expect("renders");
    assert_eq!(doc.page_count(), 5);
    let out = Command::new("pdfinfo")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().expect("stdin").write_all(doc.pdf())?;
            c.wait_with_output()
        })
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 5")),
        "{info}"
    );
    assert!(matches!(
        r.render::<madoguchi_print::documents::QualificationCertificate>(
            &card_layout(&r),
            &[],
            RenderMode::Production
        ),
        Err(PrintError::NoRecords)
    ));
}

#[test]
fn data_of_another_kind_is_refused() {
    let t = test_assets();
    let r = renderer(&t);
    let err = r
        .render(
            &card_layout(&r),
            &[madoguchi_print::sample::sample_premium()],
            RenderMode::Production,
        )
        .expect_err("kind mismatch");
    assert!(
        matches!(err, PrintError::LayoutKindMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn service_logs_reprints_with_reason_and_count() {
    use std::num::NonZeroU32;
    use std::sync::{Arc, Mutex};

    use madoguchi_print::{
        JobId, JobOptions, MemoryPrintLog, PrintOccasion, PrintService, PrinterBackend, PrinterMap,
        QueueName, RenderedDocument, ReprintReason, SampleKind, StaffId, render_sample_with,
    };

    /// Records what reached the "printer" (surrounding-code test; the real back end is tested in cups.rs).
    struct Recorder(Arc<Mutex<Vec<(String, usize)>>>);
    impl PrinterBackend for Recorder {
        fn backend_name(&self) -> &'static str {
            "recorder"
        }
        fn submit(
            &self,
            q: &QueueName,
            d: &RenderedDocument,
            _: &JobOptions,
        ) -> Result<JobId, PrintError> {
            let mut v = self.0.lock().expect("lock");
            v.push((q.to_string(), d.page_count()));
            Ok(JobId(format!("{q}-{}", v.len())))
        }
    }

    let t = test_assets();
    let r = renderer(&t);
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::new(MemoryPrintLog::new());
    let printers = PrinterMap {
        card: Some(QueueName::parse("CARD").expect("q")),
        a4: Some(QueueName::parse("A4").expect("q")),
    };
    let service = PrintService::new(Box::new(Recorder(sent.clone())), printers, log.clone());
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("time");
    let staff = StaffId::parse("s0042").expect("staff");

    let card = render_sample_with(&r, SampleKind::Certificate, false).expect("card");
    let notice = render_sample_with(&r, SampleKind::Notice, false).expect("notice");
    service
        .print(
            &card,
            staff.clone(),
            PrintOccasion::First,
            now,
            &JobOptions::default(),
        )
        .expect("print");
    let reprint = PrintOccasion::Reprint {
        count: NonZeroU32::new(2).expect("2"),
        reason: ReprintReason::other("汚損のため").expect("reason"),
    };
    service
        .print(&notice, staff, reprint, now, &JobOptions::default())
        .expect("reprint");

    // Each paper went to its own printer.
    assert_eq!(
        *sent.lock().expect("lock"),
        vec![("CARD".to_string(), 1), ("A4".to_string(), 1)]
    );
    let records = log.records();
    assert_eq!(records.len(), 2);
    assert_eq!(
        (records[0].printer.as_str(), records[0].reprint_count()),
        ("CARD", 0)
    );
    assert_eq!(
        (records[1].printer.as_str(), records[1].reprint_count()),
        ("A4", 2)
    );
    assert!(
        matches!(&records[1].occasion, PrintOccasion::Reprint { reason, .. } if reason.label_ja() == "その他: 汚損のため")
    );
    // The log record carries no personal data of the resident.
    let json = serde_json::to_string(&records).expect("json");
    assert!(
        !json.contains("見本") && !json.contains("12345678") && !json.contains("23456789"),
        "{json}"
    );
    assert!(
        ReprintReason::other(" ").is_err(),
        "a reprint without a reason cannot be expressed"
    );
}

/// The counter accepts an その他 reason of up to 200 characters; its label is 205 (「その他: 」). The log
/// takes the reason itself, so the longest reason the counter allows is one that prints — and one
/// character more is refused before anything reaches the printer.
#[test]
fn the_longest_reason_the_counter_accepts_prints() {
    use std::num::NonZeroU32;
    use std::sync::{Arc, Mutex};

    use madoguchi_print::{
        JobId, JobOptions, MemoryPrintLog, PrintOccasion, PrintService, PrinterBackend, PrinterMap,
        QueueName, RenderedDocument, ReprintReason, SampleKind, StaffId, render_sample_with,
    };

    struct Count(Arc<Mutex<usize>>);
    impl PrinterBackend for Count {
        fn backend_name(&self) -> &'static str {
            "count"
        }
        fn submit(
            &self,
            q: &QueueName,
            _: &RenderedDocument,
            _: &JobOptions,
        ) -> Result<JobId, PrintError> {
            let mut n = self.0.lock().expect("lock");
            *n += 1;
            Ok(JobId(format!("{q}-{n}")))
        }
    }

    let t = test_assets();
    let r = renderer(&t);
    let sent = Arc::new(Mutex::new(0));
    let log = Arc::new(MemoryPrintLog::new());
    let printers = PrinterMap {
        card: Some(QueueName::parse("CARD").expect("q")),
        a4: Some(QueueName::parse("A4").expect("q")),
    };
    let service = PrintService::new(Box::new(Count(sent.clone())), printers, log.clone());
    let card = render_sample_with(&r, SampleKind::Certificate, false).expect("card");
    let staff = StaffId::parse("s0042").expect("staff");
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("time");
    let longest = ReprintReason::Other("破".repeat(madoguchi_domain::reprint::OTHER_TEXT_MAX));
    assert!(longest.validate().is_ok(), "the counter's rule accepts it");
    assert_eq!(longest.label_ja().chars().count(), 205);
    let reprint = |reason| PrintOccasion::Reprint {
        count: NonZeroU32::MIN,
        reason,
    };
    service
        .print(
            &card,
            staff.clone(),
            reprint(longest),
            now,
            &JobOptions::default(),
        )
        .expect("a reason the counter accepted prints");
    let too_long = ReprintReason::Other("破".repeat(madoguchi_domain::reprint::OTHER_TEXT_MAX + 1));
    assert!(
        service
            .print(&card, staff, reprint(too_long), now, &JobOptions::default())
            .is_err()
    );
    assert_eq!(
        *sent.lock().expect("lock"),
        1,
        "the refused one never reached the printer"
    );
    assert_eq!(log.records().len(), 1);
}

#[test]
fn a_layout_changed_in_code_cannot_drop_the_seal() {
    let t = test_assets();
    let r = renderer(&t);
    let mut layout = card_layout(&r);
    layout.seal = None;
    let err = r
        .render(&layout, &[sample_certificate()], RenderMode::Production)
        .expect_err("must fail");
    assert!(matches!(err, PrintError::LayoutInvalid { .. }), "{err:?}");
    let mut layout = card_layout(&r);
    layout.fields.retain(|f| f.item != ItemKey::InsuredNumber);
    assert!(
        r.render(&layout, &[sample_certificate()], RenderMode::Production)
            .is_err()
    );
}
