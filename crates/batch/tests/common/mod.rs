//! Shared helpers of the batch system tests: the real CUPS cups-pdf queue, reading the printed pages'
//! 照合番号 back (cups-pdf re-distils every page into an image, so there is no text layer: the QR code is
//! decoded from the rasterised page), the real OS keyring for the vault.
//!
//! Needs: `bash scripts/setup-cups-pdf.sh` (root), `MADOGUCHI_REQUIRE_CUPS=1` to fail instead of skip
//! without CUPS, `keyctl session -` around `cargo test`, poppler-utils (pdftoppm), cups-ipp-utils (ipptool).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use madoguchi_batch::{ApprovedDistribution, BatchLayouts, BatchPrinter, synthetic};
use madoguchi_print::{CupsLp, PrintAssets, PrinterMap, QueueName, Renderer};
use madoguchi_protocol::distribution::{DistributionKind, MailClass};
use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig};

pub const NEED_SESSION: &str =
    "the vault uses the real OS keyring: run as `keyctl session - cargo test -p madoguchi-batch`";

/// The cups-pdf queue; `MADOGUCHI_CUPS_QUEUE` overrides it.
pub fn queue() -> String {
    std::env::var("MADOGUCHI_CUPS_QUEUE").unwrap_or_else(|_| "CUPS-PDF".into())
}

/// `true` when CUPS with the queue is ready; otherwise skips (prints why) or, with
/// `MADOGUCHI_REQUIRE_CUPS=1`, fails.
pub fn require_cups() -> bool {
    let why = match Command::new("lpstat").arg("-r").output() {
        Err(e) => Some(format!("lpstat not runnable ({e})")),
        Ok(o) if !String::from_utf8_lossy(&o.stdout).contains("is running") => {
            Some("the CUPS scheduler is not running".to_string())
        }
        Ok(_) => match Command::new("lpstat").args(["-p", &queue()]).output() {
            Ok(o) if o.status.success() => None,
            _ => Some(format!("no {} queue", queue())),
        },
    };
    if let Some(why) = why {
        let msg = format!("batch CUPS test: {why}; run scripts/setup-cups-pdf.sh as root");
        if std::env::var("MADOGUCHI_REQUIRE_CUPS").as_deref() == Ok("1") {
            panic!("{msg} (MADOGUCHI_REQUIRE_CUPS=1)");
        }
        eprintln!("SKIPPED: {msg}");
        return false;
    }
    true
}

pub fn assets() -> PrintAssets {
    let mut a = PrintAssets::repo_default();
    if let Ok(d) = std::env::var("MADOGUCHI_FONTS_DIR") {
        a.fonts_dir = d.into();
    }
    a
}

pub fn open_vault(dir: &Path) -> Vault {
    let keys = KeyringKeyStore::os_default().unwrap_or_else(|e| panic!("{NEED_SESSION}: {e}"));
    Vault::open(VaultConfig::new(dir.join("vault"), "T01"), &keys)
        .unwrap_or_else(|e| panic!("{NEED_SESSION}: {e}"))
}

pub fn cups_printer(vault: Vault, assets: PrintAssets) -> BatchPrinter {
    let q = QueueName::parse(&queue()).expect("queue name");
    BatchPrinter::new(
        vault,
        Arc::new(Renderer::new(assets).expect("renderer")),
        Arc::new(CupsLp::new()),
        PrinterMap {
            card: Some(q.clone()),
            a4: Some(q),
        },
        BatchLayouts::default(),
        false,
    )
}

pub fn renewal(n: u32, seed: u64) -> ApprovedDistribution {
    let (a, r) = synthetic::approved(DistributionKind::AnnualRenewal, n, seed);
    ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        a,
        r,
    )
    .expect("synthetic content is approved")
}

/// Files in the cups-pdf output directory whose name contains `needle`.
pub fn outputs_containing(needle: &str) -> Vec<PathBuf> {
    madoguchi_print::cups_pdf::files_containing(&madoguchi_print::cups_pdf::out_dir(), needle)
}

/// Wait for cups-pdf's file of job `CUPS-PDF-<n>` (`…-job_<n>.pdf`) to appear and stop growing.
pub fn wait_for_job_output(job_id: &str) -> PathBuf {
    let n = job_id.rsplit('-').next().expect("job number");
    madoguchi_print::cups_pdf::wait_for_job_file(
        &madoguchi_print::cups_pdf::out_dir(),
        n,
        Duration::from_secs(180),
    )
    .unwrap_or_else(|| panic!("cups-pdf wrote no file for job {n} within 180 s"))
}

/// The 照合番号 of every page of a PDF, in page order: each page rasterised (pdftoppm, grey) and its QR
/// code decoded. A page without a readable code yields `None`.
pub fn control_numbers_of(pdf: &Path) -> Vec<Option<String>> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let prefix = tmp.path().join("p");
    let st = Command::new("pdftoppm")
        .args(["-r", "300", "-gray"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(st.success(), "pdftoppm failed on {}", pdf.display());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .expect("read tmp")
        .flatten()
        .map(|e| e.path())
        .collect();
    // pdftoppm pads page numbers to the same width, so names sort in page order.
    pages.sort();
    pages.iter().map(|p| decode_pgm_qr(p)).collect()
}

fn decode_pgm_qr(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    // P5 header: "P5\n<w> <h>\n<max>\n" (pdftoppm writes no comments).
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).to_string());
    }
    i += 1;
    let (w, h): (usize, usize) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let data = bytes.get(i..i + w * h)?;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| data[y * w + x]);
    img.detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, s)| s))
}

/// Jobs of the queue whose title starts with `prefix`, as (id number, title, state), via ipptool.
pub fn spooler_jobs_with_prefix(prefix: &str) -> Vec<(u32, String, String)> {
    let test = r#"{
  OPERATION Get-Jobs
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword which-jobs all
  ATTR boolean my-jobs false
  ATTR keyword requested-attributes job-id,job-name,job-state
  STATUS successful-ok
  DISPLAY job-id
  DISPLAY job-name
  DISPLAY job-state
}
"#;
    let tmp = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(tmp.path(), test).expect("write test");
    let out = Command::new("ipptool")
        .arg("-c")
        .arg(format!("ipp://localhost/printers/{}", queue()))
        .arg(tmp.path())
        .output()
        .expect("ipptool (cups-ipp-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (id, rest) = l.split_once(',')?;
            let (name, state) = rest.rsplit_once(',')?;
            Some((id.parse().ok()?, name.to_string(), state.to_string()))
        })
        .filter(|(_, name, _)| name.starts_with(prefix))
        .collect()
}
