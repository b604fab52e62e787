//! PNG preview for the UI and rasterisation for tests, with poppler's `pdftoppm` (Linux: Debian package
//! poppler-utils). The PDF goes in through stdin and the PNG comes out through stdout: the pages hold
//! personal data, and this way no plaintext copy ever lands on disk.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use crate::error::PrintError;
use crate::render::RenderedDocument;

/// PNG of one page (1-based) of a checked document, at `dpi` (72–600).
pub fn preview_png(doc: &RenderedDocument, page: usize, dpi: u32) -> Result<Vec<u8>, PrintError> {
    rasterise_pdf(doc.pdf(), page, dpi)
}

/// PNG of one page (1-based) of any PDF bytes (used by tests on what CUPS wrote).
pub fn rasterise_pdf(pdf: &[u8], page: usize, dpi: u32) -> Result<Vec<u8>, PrintError> {
    let tool_err = |reason: String| PrintError::Tool {
        tool: "pdftoppm",
        reason,
    };
    if page == 0 || !(72..=600).contains(&dpi) {
        return Err(tool_err(format!(
            "page {page} at {dpi} dpi is not a valid preview request"
        )));
    }
    let mut child = Command::new("pdftoppm")
        .args(["-png", "-singlefile", "-r"])
        .arg(dpi.to_string())
        .arg("-f")
        .arg(page.to_string())
        .arg("-l")
        .arg(page.to_string())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            tool_err(format!(
                "cannot start pdftoppm (install poppler-utils): {e}"
            ))
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| tool_err("no stdin".into()))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| tool_err("no stdout".into()))?;
    // Write and read concurrently: a large PDF would otherwise fill one pipe while we block on the other.
    let (write_result, png) = std::thread::scope(|s| {
        let writer = s.spawn(move || {
            let r = stdin.write_all(pdf);
            drop(stdin);
            r
        });
        let mut png = Vec::new();
        let read = stdout.read_to_end(&mut png).map(|_| png);
        (writer.join(), read)
    });
    let status = child
        .wait_with_output()
        .map_err(|e| tool_err(e.to_string()))?;
    let png = png.map_err(|e| tool_err(e.to_string()))?;
    match write_result {
        Ok(Ok(())) => {}
        // A broken pipe just means pdftoppm stopped reading; its exit status tells why.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Ok(Err(e)) => return Err(tool_err(e.to_string())),
        Err(_) => return Err(tool_err("writer thread failed".into())),
    }
    if !status.status.success() || !png.starts_with(b"\x89PNG") {
        return Err(tool_err(format!(
            "pdftoppm exited with {}: {}",
            status.status,
            String::from_utf8_lossy(&status.stderr).trim()
        )));
    }
    Ok(png)
}

/// Text layer of a PDF via poppler's `pdftotext` (UTF-8), for checks that what was drawn is text.
pub fn pdf_text(pdf: &[u8]) -> Result<String, PrintError> {
    let tool_err = |reason: String| PrintError::Tool {
        tool: "pdftotext",
        reason,
    };
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            tool_err(format!(
                "cannot start pdftotext (install poppler-utils): {e}"
            ))
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| tool_err("no stdin".into()))?;
    let writer = std::thread::spawn({
        let pdf = pdf.to_vec();
        move || stdin.write_all(&pdf)
    });
    let out = child
        .wait_with_output()
        .map_err(|e| tool_err(e.to_string()))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(tool_err(format!("pdftotext exited with {}", out.status)));
    }
    String::from_utf8(out.stdout).map_err(|e| tool_err(e.to_string()))
}
