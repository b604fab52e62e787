"""The CUPS-PDF queue's output as the end-to-end test sees it: which PDFs cups-pdf has written, and waiting
for a new one after a print."""

from __future__ import annotations

from pathlib import Path

from webdriver import check, wait_for


def cups_pdf_out() -> Path:
    """cups-pdf's Out directory for the submitting user (root: /root/PDF)."""
    out = "${HOME}/PDF"
    try:
        for raw in Path("/etc/cups/cups-pdf.conf").read_text(encoding="utf-8").splitlines():
            if raw.startswith("Out ") or raw.startswith("Out\t"):
                out = raw.split(None, 1)[1].strip()
    except OSError:
        pass
    return Path(out.replace("${HOME}", str(Path.home())))


def pdfs() -> set[Path]:
    out = cups_pdf_out()
    return set(out.glob("*.pdf")) if out.is_dir() else set()


def wait_new_pdf(before: set[Path], what: str) -> Path:
    def probe() -> Path | None:
        new = [p for p in pdfs() - before if p.stat().st_size > 0]
        return new[0] if new else None

    pdf = wait_for(f"a new PDF from cups-pdf for {what} in {cups_pdf_out()}", probe, timeout=60)
    check(pdf.read_bytes().startswith(b"%PDF"), f"cups-pdf wrote {pdf.name} for {what}")
    return pdf
