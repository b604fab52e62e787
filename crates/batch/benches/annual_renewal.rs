//! Approve-and-print of a 10,000-record 一斉更新 (annual renewal), printing its figures:
//! time to approve (verify the content against the approval), to the first page spooled (the first chunk
//! accepted by the print system) and to the whole batch spooled. Target: whole batch < 60 s.
//!
//! `keyctl session - cargo bench -p madoguchi-batch --bench annual_renewal`
//!
//! The spooler is the real CUPS scheduler: every chunk is submitted held through `lp`, its id recorded in the
//! (real, sealed, flushed) vault, and released, exactly as in production. By default the queue is
//! `MDG-BENCH`, a cups-pdf queue the bench creates (root) and *disables*, so CUPS accepts and spools the jobs
//! but does not run Ghostscript over 10,000 pages on the shared machine; the jobs are cancelled afterwards.
//! `BENCH_QUEUE=CUPS-PDF` sends them through the full cups-pdf queue instead. `BENCH_RECORDS`, `BENCH_CHUNK`
//! change the size (default 10000, 100).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use madoguchi_batch::{
    ApprovedDistribution, BatchControl, BatchLayouts, BatchPrinter, BatchSettings, RunOutcome,
    synthetic,
};
use madoguchi_print::{CupsLp, PrintAssets, PrinterMap, QueueName, Renderer, StaffId};
use madoguchi_protocol::distribution::{DistributionKind, MailClass};
use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig};

const BENCH_QUEUE: &str = "MDG-BENCH";
const PPD: &str = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd";

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The disabled bench queue: accepts jobs (spooled by cupsd), prints nothing.
fn bench_queue() -> Result<(), String> {
    if !run("lpstat", &["-p", BENCH_QUEUE])
        && !run(
            "lpadmin",
            &["-p", BENCH_QUEUE, "-v", "cups-pdf:/", "-E", "-P", PPD],
        )
    {
        return Err(format!(
            "cannot create the {BENCH_QUEUE} queue (needs root and printer-driver-cups-pdf); \
             or set BENCH_QUEUE to an existing queue"
        ));
    }
    if !run("cupsaccept", &[BENCH_QUEUE]) || !run("cupsdisable", &[BENCH_QUEUE]) {
        return Err(format!(
            "cannot set up {BENCH_QUEUE} (cupsaccept/cupsdisable)"
        ));
    }
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let records = env_u32("BENCH_RECORDS", 10_000);
    let chunk = env_u32("BENCH_CHUNK", 100);
    let queue_name = std::env::var("BENCH_QUEUE").unwrap_or_else(|_| BENCH_QUEUE.to_string());
    let own_queue = queue_name == BENCH_QUEUE;
    if own_queue && let Err(e) = bench_queue() {
        eprintln!("annual_renewal bench: {e}");
        std::process::exit(1);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let keys = KeyringKeyStore::os_default().expect(
        "the vault uses the OS keyring: run as `keyctl session - cargo bench -p madoguchi-batch`",
    );
    let vault = Vault::open(VaultConfig::new(tmp.path().join("vault"), "T01"), &keys)
        .expect("vault (inside `keyctl session -`)");
    let mut assets = PrintAssets::repo_default();
    if let Ok(d) = std::env::var("MADOGUCHI_FONTS_DIR") {
        assets.fonts_dir = d.into();
    }
    let renderer = Arc::new(Renderer::new(assets).expect("fonts"));
    let queue = QueueName::parse(&queue_name).expect("queue");
    let printer = BatchPrinter::new(
        vault,
        renderer,
        Arc::new(CupsLp::new()),
        PrinterMap {
            card: Some(queue.clone()),
            a4: Some(queue),
        },
        BatchLayouts::default(),
        false,
    );
    let (approval, recs) = synthetic::approved(DistributionKind::AnnualRenewal, records, 4711);
    let staff = StaffId::parse("kensyu-kantoku").expect("staff");

    let t0 = Instant::now();
    let dist = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        approval,
        recs,
    )
    .expect("approved");
    let approved = t0.elapsed();
    printer
        .start(&dist, &staff, BatchSettings { chunk_size: chunk })
        .expect("start");
    let mut first: Option<Duration> = None;
    let outcome = printer
        .run(&dist, &BatchControl::new(), &mut |p| {
            if first.is_none() && p.records_done > 0 {
                first = Some(t0.elapsed());
            }
        })
        .expect("bulk run");
    let total = t0.elapsed();
    let report = match outcome {
        RunOutcome::Completed(r) => r,
        RunOutcome::Paused(_) => panic!("paused"),
    };
    assert!(report.complete && report.pages_spooled == records);
    if own_queue {
        run("cancel", &["-a", BENCH_QUEUE]);
    }
    let first = first.unwrap_or(total);
    println!("annual renewal bench: {records} records, chunks of {chunk}, queue {queue_name}");
    println!(
        "  approve (content hash + checks):   {:>8.3} s",
        secs(approved)
    );
    println!(
        "  first page spooled (first chunk):  {:>8.3} s",
        secs(first)
    );
    println!(
        "  whole batch spooled:               {:>8.3} s   (target < 60 s: {})",
        secs(total),
        if secs(total) < 60.0 { "met" } else { "NOT met" }
    );
    println!(
        "  throughput:                        {:>8.0} pages/s, {} jobs, {:.1} ms per job",
        f64::from(records) / secs(total),
        report.chunks,
        secs(total) * 1000.0 / f64::from(report.chunks.max(1))
    );
}
