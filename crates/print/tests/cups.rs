//! Real printing through CUPS with the cups-pdf virtual printer: a 資格確認書 goes through the CUPS back end
//! (`lp`), cups-pdf writes a PDF (re-distilled by Ghostscript: no usable text layer), which is rasterised
//! and compared with the golden image.
//!
//! Needs a running cupsd with the `CUPS-PDF` queue: run `scripts/setup-cups-pdf.sh` (as root) first.
//! Without CUPS the test prints why and passes, unless `MADOGUCHI_REQUIRE_CUPS=1`, when it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::{block_diff_ratio, decode_png, golden_dir, renderer, test_assets};
use madoguchi_print::layout::PaperClass;
use madoguchi_print::{
    CupsLp, JobOptions, MemoryPrintLog, PrintError, PrintKind, PrintOccasion, PrintService,
    PrinterBackend, PrinterMap, QueueName, RenderMode, SampleKind, StaffId, rasterise_pdf,
    render_sample_with,
};

/// The cups-pdf queue; `MADOGUCHI_CUPS_QUEUE` overrides it.
fn queue() -> String {
    std::env::var("MADOGUCHI_CUPS_QUEUE").unwrap_or_else(|_| "CUPS-PDF".into())
}
/// Share of 1.5 mm blocks allowed to differ after Ghostscript re-distils the page.
const CUPS_TOLERANCE: f64 = 0.02;

/// `None` when CUPS with the queue is ready, else why not.
fn cups_unavailable() -> Option<String> {
    let running = Command::new("lpstat").arg("-r").output();
    match running {
        Err(e) => return Some(format!("lpstat not runnable ({e}); install cups-client")),
        Ok(o) if !String::from_utf8_lossy(&o.stdout).contains("is running") => {
            return Some("the CUPS scheduler is not running".into());
        }
        Ok(_) => {}
    }
    match Command::new("lpstat").args(["-p", &queue()]).output() {
        Ok(o) if o.status.success() => None,
        _ => Some(format!("no {} queue", queue())),
    }
}

fn require_cups() -> bool {
    if let Some(why) = cups_unavailable() {
        let msg = format!("CUPS printing test: {why}; run scripts/setup-cups-pdf.sh as root");
        if std::env::var("MADOGUCHI_REQUIRE_CUPS").as_deref() == Ok("1") {
            panic!("{msg} (MADOGUCHI_REQUIRE_CUPS=1)");
        }
        eprintln!("SKIPPED: {msg}");
        return false;
    }
    true
}

#[test]
fn certificate_printed_through_cups_matches_the_golden_image() {
    if !require_cups() {
        return;
    }
    let t = test_assets();
    let r = renderer(&t);
    let doc = render_sample_with(&r, SampleKind::Certificate, false).expect("render");
    let printers = PrinterMap {
        card: Some(QueueName::parse(&queue()).expect("queue")),
        a4: None,
    };
    let log = Arc::new(MemoryPrintLog::new());
    let service = PrintService::new(Box::new(CupsLp::new()), printers, log.clone());
    let printed_at = chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("time");
    let record = service
        .print(
            &doc,
            StaffId::parse("test-staff").expect("staff"),
            PrintOccasion::First,
            printed_at,
            &JobOptions::default(),
        )
        .expect("printed");

    // The print log has the job.
    assert_eq!(log.records(), vec![record.clone()]);
    assert_eq!(record.kind, PrintKind::QualificationCertificate);
    assert_eq!(record.printer, queue());
    assert_eq!(record.reprint_count(), 0);
    let n: u32 = record
        .job
        .0
        .rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("job number in CUPS-PDF-<n>");

    let dir = madoguchi_print::cups_pdf::out_dir();
    let out =
        madoguchi_print::cups_pdf::wait_for_job_file(&dir, &n.to_string(), Duration::from_secs(60))
            .unwrap_or_else(|| {
                panic!(
                    "cups-pdf wrote no file for job {n} in {} within 60 s",
                    dir.display()
                )
            });
    let printed = std::fs::read(&out).expect("read cups-pdf output");
    let _ = std::fs::remove_file(&out);
    let png = rasterise_pdf(&printed, 1, 100).expect("rasterise cups-pdf output");
    let actual = decode_png(&png);
    let golden =
        decode_png(&std::fs::read(golden_dir().join("shikaku-kakuninsho.png")).expect("golden"));
    let ratio = block_diff_ratio(&golden, &actual);
    eprintln!(
        "cups-pdf output vs golden: {:.3}% of blocks differ",
        ratio * 100.0
    );
    if ratio > CUPS_TOLERANCE {
        let keep = std::env::temp_dir().join("madoguchi-print-cups-actual.png");
        let _ = std::fs::write(&keep, &png);
        panic!(
            "printed page differs from golden in {:.2}% of blocks (tolerance {:.2}%); see {}",
            ratio * 100.0,
            CUPS_TOLERANCE * 100.0,
            keep.display()
        );
    }
    // The comparison is strict enough to notice a different page (the training version, same size).
    let training = decode_png(
        &std::fs::read(golden_dir().join("shikaku-kakuninsho-training.png")).expect("golden"),
    );
    assert!(
        block_diff_ratio(&training, &actual) > CUPS_TOLERANCE,
        "comparison too lax to tell the 見本 page apart"
    );
}

#[test]
fn unknown_queue_is_a_printer_error() {
    if !require_cups() {
        return;
    }
    let t = test_assets();
    let r = renderer(&t);
    let doc = render_sample_with(&r, SampleKind::Receipt, false).expect("render");
    let err = CupsLp::new()
        .submit(
            &QueueName::parse("NO-SUCH-QUEUE-MADOGUCHI").expect("name"),
            &doc,
            &JobOptions::default(),
        )
        .expect_err("no such queue");
    assert!(matches!(err, PrintError::Printer { .. }), "{err:?}");
    assert!(err.message_ja().contains("NO-SUCH-QUEUE-MADOGUCHI"));
}

#[test]
fn no_printer_for_the_paper_means_nothing_is_sent() {
    // Independent of CUPS: the service refuses before calling the back end.
    struct Refuse;
    impl PrinterBackend for Refuse {
        fn backend_name(&self) -> &'static str {
            "refuse"
        }
        fn submit(
            &self,
            _: &QueueName,
            _: &madoguchi_print::RenderedDocument,
            _: &JobOptions,
        ) -> Result<madoguchi_print::JobId, PrintError> {
            panic!("must not be called");
        }
    }
    let t = test_assets();
    let r = renderer(&t);
    let doc = render_sample_with(&r, SampleKind::Notice, true).expect("render");
    assert_eq!(doc.mode(), RenderMode::Training);
    assert_eq!(doc.paper(), PaperClass::A4);
    let log = Arc::new(MemoryPrintLog::new());
    let service = PrintService::new(Box::new(Refuse), PrinterMap::default(), log.clone());
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("time");
    let err = service
        .print(
            &doc,
            StaffId::parse("s1").expect("staff"),
            PrintOccasion::First,
            now,
            &JobOptions::default(),
        )
        .expect_err("no printer");
    assert!(matches!(err, PrintError::NoPrinterConfigured("a4")));
    assert!(log.records().is_empty());
}
