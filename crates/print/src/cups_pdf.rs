//! The CUPS-PDF virtual printer (printer-driver-cups-pdf): where it writes its files, and finding the file of
//! one job. 研修 terminals and the test suites print to it; a real counter prints to a real printer.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The directory cups-pdf writes to: the last `Out` line of `/etc/cups/cups-pdf.conf`, `${HOME}/PDF` when
/// there is none (cups-pdf's own default).
pub fn out_dir() -> PathBuf {
    let conf = std::fs::read_to_string("/etc/cups/cups-pdf.conf").unwrap_or_default();
    let out = conf
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("Out")
                .filter(|r| r.starts_with([' ', '\t']))
                .map(|r| r.trim().to_string())
        })
        .next_back()
        .unwrap_or_else(|| "${HOME}/PDF".to_string());
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(out.replace("${HOME}", &home))
}

/// Files in `dir` whose name contains `needle` (cups-pdf names files after the job title).
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.contains(needle))
        })
        .collect()
}

/// Waits up to `timeout` for the file of job number `job` (`…-job_<job>.pdf`) to appear in `dir` and stop
/// growing (cups-pdf writes it while Ghostscript runs). `None` when it did not.
pub fn wait_for_job_file(dir: &Path, job: &str, timeout: Duration) -> Option<PathBuf> {
    let suffix = format!("-job_{job}.pdf");
    let deadline = Instant::now() + timeout;
    let mut last_size = None;
    while Instant::now() < deadline {
        let found = files_containing(dir, &suffix)
            .into_iter()
            .find(|p| p.to_str().is_some_and(|f| f.ends_with(&suffix)));
        if let Some(path) = found {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if size > 0 && last_size == Some(size) {
                return Some(path);
            }
            last_size = Some(size);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_finished_job_file_and_gives_up_on_a_missing_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        std::fs::write(
            dir.path().join("mdg-x-c00001__files-job_42.pdf"),
            b"%PDF-1.7",
        )
        .unwrap_or_else(|e| panic!("write: {e}"));
        let found = wait_for_job_file(dir.path(), "42", Duration::from_secs(5));
        assert_eq!(
            found.as_deref(),
            Some(dir.path().join("mdg-x-c00001__files-job_42.pdf").as_path())
        );
        assert!(wait_for_job_file(dir.path(), "4", Duration::from_millis(700)).is_none());
        assert_eq!(files_containing(dir.path(), "c00001").len(), 1);
    }
}
