//! ClamAV: every file of a medium is scanned by `clamscan` (Debian's `clamav`) in one run, before Madoguchi
//! reads a byte of it.
//!
//! One `clamscan` process for the whole medium (the file list goes on its standard input) because loading a
//! full signature database takes seconds; a file without a clear `OK` (or `Empty file`) line in its output is
//! unscannable, never assumed clean. Size limits are passed with `--alert-exceeds-max=yes`, so a file or an
//! archive (a zip bomb) too large to scan whole is reported as `Heuristics.Limits.Exceeded…` and refused.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How to run the scanner.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// The `clamscan` program (default: `clamscan` on the PATH).
    pub clamscan: PathBuf,
    /// A signature database directory (`clamscan -d`). `None`: ClamAV's own (`/var/lib/clamav`, kept up to
    /// date by `freshclam` or by the municipality's managed mirror). Tests use `assets/clamav/`, which holds
    /// only the EICAR test signature.
    pub database: Option<PathBuf>,
    /// Largest file accepted (bytes); larger files are refused before scanning (`--max-filesize` too).
    pub max_file_size: u64,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            clamscan: PathBuf::from("clamscan"),
            database: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// 2 GiB: the largest monthly file (1,000,000 所得 rows of ~300 bytes) with a wide margin, and below
/// clamscan's own 4 GB ceiling.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024 * 1024;

/// What the scanner said about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Scanned, nothing found.
    Clean,
    /// A signature matched (its name, e.g. `Eicar-Signature`, or `Heuristics.Limits.Exceeded…`).
    Infected(String),
    /// Not scanned (the scanner's reason, in English).
    Unscannable(String),
}

/// Why the scanner could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScannerError {
    /// `clamscan` is not installed.
    #[error("clamscan not found ({program})")]
    Missing {
        /// The program tried.
        program: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// It ran but failed as a whole (no database, bad option).
    #[error("clamscan failed (exit {status}): {detail}")]
    Failed {
        /// Exit status.
        status: i32,
        /// Its first error line (ClamAV's text, no file content).
        detail: String,
    },
    /// Talking to the process failed.
    #[error("cannot run clamscan")]
    Io(#[source] std::io::Error),
}

/// Scans `files` (absolute paths) in one `clamscan` run; a verdict per file.
pub fn scan(
    config: &ScanConfig,
    files: &[PathBuf],
) -> Result<HashMap<PathBuf, Verdict>, ScannerError> {
    let mut cmd = Command::new(&config.clamscan);
    cmd.arg("--no-summary")
        .arg("--stdout")
        .arg(format!("--max-filesize={}", config.max_file_size))
        .arg(format!("--max-scansize={}", config.max_file_size))
        .arg("--alert-exceeds-max=yes")
        .arg("--file-list=/dev/stdin");
    if let Some(db) = &config.database {
        cmd.arg("-d").arg(db);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| ScannerError::Missing {
            program: config.clamscan.display().to_string(),
            source,
        })?;
    let mut list = Vec::new();
    for f in files {
        list.extend_from_slice(f.as_os_str().as_encoded_bytes());
        list.push(b'\n');
    }
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| ScannerError::Io(std::io::Error::other("clamscan stdin is not piped")))?;
    // Written from a thread: a long list must not dead-lock against clamscan filling its stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(&list));
    let output = child.wait_with_output().map_err(ScannerError::Io)?;
    // A write error means clamscan stopped reading (it failed as a whole): its status says why, below.
    let _ = writer.join();
    let status = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let verdicts = parse(&stdout, files);
    // 0 clean, 1 found, 2 error: with 2 and no verdict at all, the scanner itself failed.
    if status != 0
        && status != 1
        && verdicts
            .values()
            .all(|v| matches!(v, Verdict::Unscannable(_)))
    {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let detail = stderr
            .lines()
            .find(|l| l.contains("ERROR") || l.contains("Error"))
            .unwrap_or("no output")
            .to_owned();
        return Err(ScannerError::Failed { status, detail });
    }
    Ok(verdicts)
}

/// Matches output lines `PATH: OK`, `PATH: NAME FOUND`, `PATH: Empty file` to the files scanned; a file
/// without such a line is unscannable.
fn parse(stdout: &str, files: &[PathBuf]) -> HashMap<PathBuf, Verdict> {
    let mut by_text: HashMap<String, &Path> = files
        .iter()
        .map(|f| (f.to_string_lossy().into_owned(), f.as_path()))
        .collect();
    let mut out = HashMap::new();
    for line in stdout.lines() {
        // The longest path that prefixes the line wins, so `a: b` and `a` cannot be confused.
        let Some((text, path)) = by_text
            .iter()
            .filter(|(t, _)| {
                line.len() > t.len() + 2
                    && line.starts_with(t.as_str())
                    && line[t.len()..].starts_with(": ")
            })
            .max_by_key(|(t, _)| t.len())
            .map(|(t, p)| (t.clone(), *p))
        else {
            continue;
        };
        let status = &line[text.len() + 2..];
        let verdict = if status == "OK" || status == "Empty file" {
            Verdict::Clean
        } else if let Some(name) = status.strip_suffix(" FOUND") {
            Verdict::Infected(name.to_owned())
        } else {
            Verdict::Unscannable(status.to_owned())
        };
        out.insert(path.to_path_buf(), verdict);
        by_text.remove(&text);
    }
    for path in by_text.into_values() {
        out.insert(
            path.to_path_buf(),
            Verdict::Unscannable("no result from clamscan".into()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_lines_are_matched_to_files_and_silence_is_unscannable() {
        let files = vec![
            PathBuf::from("/m/a.dat"),
            PathBuf::from("/m/a.dat: x"),
            PathBuf::from("/m/b.dat"),
            PathBuf::from("/m/c.dat"),
            PathBuf::from("/m/e.dat"),
        ];
        let out = "/m/a.dat: OK\n/m/a.dat: x: Eicar FOUND\n/m/b.dat: Access denied. ERROR\n/m/e.dat: Empty file\n";
        let v = parse(out, &files);
        assert_eq!(v[&files[0]], Verdict::Clean);
        assert_eq!(v[&files[1]], Verdict::Infected("Eicar".into()));
        assert_eq!(
            v[&files[2]],
            Verdict::Unscannable("Access denied. ERROR".into())
        );
        assert!(matches!(v[&files[3]], Verdict::Unscannable(_)));
        assert_eq!(v[&files[4]], Verdict::Clean);
    }
}
