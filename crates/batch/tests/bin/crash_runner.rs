//! Test support for `tests/crash.rs`: runs (or resumes) the bulk job of a synthetic 一斉更新 distribution on
//! the real CUPS queue, printing one line per progress step, and the report as JSON at the end. The test
//! kills it with SIGKILL at random points and starts it again.
//!
//! Usage: `batch-crash-runner VAULT_DIR QUEUE RECORDS CHUNK SEED` (inside `keyctl session -`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::io::Write;
use std::sync::Arc;

use madoguchi_batch::{
    ApprovedDistribution, BatchControl, BatchLayouts, BatchPrinter, BatchSettings, RunOutcome,
    synthetic,
};
use madoguchi_print::{CupsLp, PrintAssets, PrinterMap, QueueName, Renderer, StaffId};
use madoguchi_protocol::distribution::{DistributionKind, MailClass};
use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig};

fn main() {
    if let Err(e) = run() {
        eprintln!("batch-crash-runner: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        return Err("usage: batch-crash-runner VAULT_DIR QUEUE RECORDS CHUNK SEED".into());
    }
    let num = |i: usize| args[i].parse::<u64>().map_err(|e| format!("arg {i}: {e}"));
    let (records, chunk, seed) = (num(3)? as u32, num(4)? as u32, num(5)?);
    let keys = KeyringKeyStore::os_default().map_err(|e| e.to_string())?;
    let vault = Vault::open(VaultConfig::new(&args[1], "T01"), &keys).map_err(|e| e.to_string())?;
    let (approval, recs) = synthetic::approved(DistributionKind::AnnualRenewal, records, seed);
    let dist = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        approval,
        recs,
    )
    .map_err(|e| e.to_string())?;
    let mut assets = PrintAssets::repo_default();
    if let Ok(d) = std::env::var("MADOGUCHI_FONTS_DIR") {
        assets.fonts_dir = d.into();
    }
    let renderer = Arc::new(Renderer::new(assets).map_err(|e| e.to_string())?);
    let queue = QueueName::parse(&args[2]).map_err(|e| e.to_string())?;
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
    let staff = StaffId::parse("kensyu-kantoku").map_err(|e| e.to_string())?;
    printer
        .start(&dist, &staff, BatchSettings { chunk_size: chunk })
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout();
    let outcome = printer
        .run(&dist, &BatchControl::new(), &mut |p| {
            let _ = writeln!(out, "progress {} {}", p.records_done, p.records_total);
            let _ = out.flush();
        })
        .map_err(|e| e.to_string())?;
    match outcome {
        RunOutcome::Completed(report) => {
            let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
            println!("complete {json}");
            Ok(())
        }
        RunOutcome::Paused(_) => Err("paused without a pause request".into()),
    }
}
