//! Bulk printing on the real CUPS cups-pdf queue: a page without the seal stops the batch before anything
//! reaches the printer; pause and resume; a reprint with its reason; tampered content refused.
//!
//! `keyctl session - env MADOGUCHI_REQUIRE_CUPS=1 cargo test -p madoguchi-batch --test cups_batch`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::time::Duration;

use madoguchi_batch::{
    ApprovedDistribution, BatchControl, BatchError, BatchSettings, RunOutcome, RunState, synthetic,
};
use madoguchi_print::{PreflightProblem, PrintError, ReprintReason, StaffId};
use madoguchi_protocol::distribution::{DistributionKind, MailClass, content_hash};

fn staff() -> StaffId {
    StaffId::parse("kensyu-kantoku").expect("staff")
}

fn seed() -> u64 {
    use rand::Rng;
    rand::rng().random_range(1..1_000_000)
}

/// Every 照合番号 printed by the report's jobs, in order (waits for cups-pdf, removes the files).
fn printed_seqs(job_ids: &[String]) -> Vec<u32> {
    let mut seqs = Vec::new();
    for id in job_ids {
        let pdf = common::wait_for_job_output(id);
        for n in common::control_numbers_of(&pdf) {
            let n = n.expect("readable 照合番号");
            seqs.push(
                n.rsplit('-')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("seq"),
            );
        }
        let _ = std::fs::remove_file(&pdf);
    }
    seqs
}

#[test]
fn page_without_the_seal_stops_the_batch_before_anything_is_spooled() {
    if !common::require_cups() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let dist = common::renewal(8, seed());
    let mut printer = common::cups_printer(common::open_vault(dir.path()), common::assets());
    // Injected fault: the page of record 2 is rendered without the 公印 (as in 出雲市).
    printer.inject_missing_seal(2);
    printer
        .start(&dist, &staff(), BatchSettings { chunk_size: 4 })
        .expect("start");
    let err = printer
        .run(&dist, &BatchControl::new(), &mut |_| {})
        .expect_err("pre-flight must stop the batch");
    match &err {
        BatchError::Page {
            seq: 2,
            source:
                PrintError::Preflight {
                    problem: PreflightProblem::SealMissing,
                    ..
                },
        } => {}
        other => panic!("expected a missing seal on record 2, got {other:?}"),
    }
    let msg = err.message_ja();
    assert!(msg.contains("通し番号2番") && msg.contains("印影"), "{msg}");
    // No personal data in the message (the record's name and number stay out).
    let r2 = &dist.records()[1];
    assert!(!msg.contains(r2.payload.insured_number().as_str()));
    // Nothing was recorded as spooled, nothing reached the spooler or paper.
    assert!(printer.units(&dist).expect("units").is_empty());
    let report = printer.report(&dist).expect("report");
    assert_eq!(report.records_spooled, 0);
    std::thread::sleep(Duration::from_secs(2));
    assert!(common::outputs_containing(&report.job_title_prefix).is_empty());
    assert!(common::spooler_jobs_with_prefix(&report.job_title_prefix).is_empty());

    // A missing seal image (asset) stops it as well, before anything is recorded.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let mut assets = common::assets();
    assets.seal_dir = dir2.path().join("no-seal-here");
    let printer2 = common::cups_printer(common::open_vault(dir2.path()), assets);
    printer2
        .start(&dist, &staff(), BatchSettings { chunk_size: 4 })
        .expect("start");
    let err = printer2
        .run(&dist, &BatchControl::new(), &mut |_| {})
        .expect_err("no seal image");
    assert!(
        matches!(
            err,
            BatchError::Page {
                seq: 1,
                source: PrintError::SealMissing { .. }
            }
        ),
        "{err:?}"
    );
    assert!(printer2.units(&dist).expect("units").is_empty());
}

#[test]
fn pause_resume_and_reprint_with_reason() {
    if !common::require_cups() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let dist = common::renewal(9, seed());
    let printer = common::cups_printer(common::open_vault(dir.path()), common::assets());
    printer
        .start(&dist, &staff(), BatchSettings { chunk_size: 3 })
        .expect("start");
    let control = BatchControl::new();
    let mut seen = Vec::new();
    let outcome = printer
        .run(&dist, &control, &mut |p| {
            seen.push(p.clone());
            if p.records_done == 3 {
                control.pause();
            }
        })
        .expect("run");
    match outcome {
        RunOutcome::Paused(p) => {
            assert_eq!(p.records_done, 3);
            assert_eq!(p.state, RunState::Paused);
            assert_eq!(p.chunks_done, 1);
            assert_eq!(p.chunks_total, 3);
        }
        RunOutcome::Completed(_) => panic!("pause ignored"),
    }
    assert!(seen.iter().any(|p| p.current_chunk == Some(1)));
    assert_eq!(
        printer
            .progress(&dist)
            .expect("progress")
            .map(|p| p.records_done),
        Some(3)
    );
    control.resume();
    let report = match printer.run(&dist, &control, &mut |_| {}).expect("resume") {
        RunOutcome::Completed(r) => r,
        RunOutcome::Paused(_) => panic!("still paused"),
    };
    assert!(report.complete);
    assert_eq!(report.chunks, 3);
    assert_eq!(printed_seqs(&report.job_ids), (1..=9).collect::<Vec<u32>>());

    // Reprint 5–6 (e.g. a jam), with a reason: printed again, counted apart.
    let reason = ReprintReason::other("紙詰まりによる再印刷").expect("reason");
    let units = printer
        .reprint(&dist, 5, 6, reason, &staff())
        .expect("reprint");
    assert_eq!(units.len(), 1);
    let job = units[0].job_id().expect("job").0.clone();
    assert_eq!(printed_seqs(&[job]), vec![5, 6]);
    let report = printer.report(&dist).expect("report");
    assert!(report.complete);
    assert_eq!(report.records_spooled, 9);
    assert_eq!(report.reprints.len(), 1);
    assert_eq!(report.reprint_pages, 2);
    assert_eq!(report.reprints[0].reason, "紙詰まりによる再印刷");
    let text = report.to_text();
    assert!(text.contains("紙詰まりによる再印刷") && text.contains("印刷件数　　　　：9件"));
    assert!(text.contains(&report.content_code) && text.contains("kensyu-kantoku"));
    // The report on paper (A4 queue): one page, through the same pre-flight as every document.
    let job = printer.print_report(&dist).expect("report printed");
    let pdf = common::wait_for_job_output(&job.0);
    let pages = common::control_numbers_of(&pdf);
    assert_eq!(pages.len(), 1);
    if std::env::var("KEEP_REPORT_PDF").is_err() {
        let _ = std::fs::remove_file(&pdf);
    }
    // Reprints only of what was printed.
    assert!(matches!(
        printer.reprint(
            &dist,
            8,
            12,
            ReprintReason::other("汚損").expect("r"),
            &staff()
        ),
        Err(BatchError::ReprintRange { .. })
    ));
}

#[test]
fn tampered_content_is_refused() {
    let seed = seed();
    let (approval, mut records) = synthetic::approved(DistributionKind::AnnualRenewal, 5, seed);
    // One record's 宛名 changed after the supervisor approved.
    if let Some(to) = records[3].mail_to.as_mut() {
        to.address.push_str("（改）");
    }
    let err = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        approval,
        records,
    )
    .expect_err("tampered");
    assert!(matches!(err, BatchError::ContentChanged { .. }));
    assert!(err.message_ja().contains("承認された内容と一致しません"));

    // Regenerated content approved again: a job started for the old content is not continued with it.
    if !common::require_cups() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let printer = common::cups_printer(common::open_vault(dir.path()), common::assets());
    let old = common::renewal(3, seed);
    printer
        .start(&old, &staff(), BatchSettings { chunk_size: 3 })
        .expect("start");
    let mut regenerated = synthetic::records(DistributionKind::AnnualRenewal, 4, seed);
    regenerated.truncate(4);
    let new = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        synthetic::approval_of(seed, &regenerated),
        regenerated.clone(),
    )
    .expect("new approval");
    assert_ne!(content_hash(&regenerated), *old.content_hash());
    assert!(matches!(
        printer.run(&new, &BatchControl::new(), &mut |_| {}),
        Err(BatchError::JobForOtherContent { .. })
    ));
}

/// A queue of our own (so that stopping it disturbs no other test): cups-pdf behind it, accepting.
fn fault_queue() -> Option<String> {
    const Q: &str = "MDG-BATCH-FAULT";
    const PPD: &str = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd";
    let ok = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    let ready = (ok("lpstat", &["-p", Q])
        || ok("lpadmin", &["-p", Q, "-v", "cups-pdf:/", "-E", "-P", PPD]))
        && ok("cupsaccept", &[Q])
        && ok("cupsenable", &[Q]);
    if ready {
        Some(Q.to_string())
    } else if std::env::var("MADOGUCHI_REQUIRE_CUPS").as_deref() == Ok("1") {
        panic!("cannot set up the {Q} queue (needs root: lpadmin, cupsaccept)");
    } else {
        eprintln!("SKIPPED: cannot set up the {Q} queue (needs root)");
        None
    }
}

#[test]
fn printer_fault_mid_batch_resumes_from_exactly_the_next_record() {
    if !common::require_cups() {
        return;
    }
    let Some(q) = fault_queue() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let dist = common::renewal(6, seed());
    let queue = madoguchi_print::QueueName::parse(&q).expect("queue");
    let printer = madoguchi_batch::BatchPrinter::new(
        common::open_vault(dir.path()),
        std::sync::Arc::new(madoguchi_print::Renderer::new(common::assets()).expect("renderer")),
        std::sync::Arc::new(madoguchi_print::CupsLp::new()),
        madoguchi_print::PrinterMap {
            card: Some(queue.clone()),
            a4: Some(queue),
        },
        madoguchi_batch::BatchLayouts::default(),
        false,
    );
    printer
        .start(&dist, &staff(), BatchSettings { chunk_size: 2 })
        .expect("start");
    // The printer stops taking jobs after the first chunk (out of paper, taken offline …).
    let err = printer
        .run(&dist, &BatchControl::new(), &mut |p| {
            if p.records_done == 2 {
                let _ = std::process::Command::new("cupsreject").arg(&q).output();
            }
        })
        .expect_err("the queue refuses jobs");
    let _ = std::process::Command::new("cupsaccept").arg(&q).output();
    assert!(matches!(err, BatchError::Printer(_)), "{err:?}");
    assert!(err.message_ja().contains("再開"), "{}", err.message_ja());
    assert_eq!(
        printer
            .progress(&dist)
            .expect("progress")
            .map(|p| p.records_done),
        Some(2)
    );
    // Back online: resume.
    let report = match printer
        .run(&dist, &BatchControl::new(), &mut |_| {})
        .expect("resume")
    {
        RunOutcome::Completed(r) => r,
        RunOutcome::Paused(_) => panic!("paused"),
    };
    assert!(report.complete);
    assert_eq!(printed_seqs(&report.job_ids), (1..=6).collect::<Vec<u32>>());
    std::thread::sleep(Duration::from_secs(2));
    assert!(common::outputs_containing(&report.job_title_prefix).is_empty());
}
