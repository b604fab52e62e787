//! `madoguchi-admin print-sample` writes a PDF for every kind the issue names, and refuses unknown kinds.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::Command;

const KINDS: [&str; 6] = [
    "shikaku-kakuninsho",
    "shikaku-kakuninsho-hagaki",
    "shikaku-joho-oshirase",
    "uketsuke-hikae",
    "kofu-kaishu",
    "hokenryo-kettei",
];

#[test]
fn every_kind_renders_a_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    for kind in KINDS {
        let out = dir.path().join(format!("{kind}.pdf"));
        let o = Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
            .args(["print-sample", "--kind", kind, "--training", "--out"])
            .arg(&out)
            .output()
            .expect("runs");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let pdf = std::fs::read(&out).expect("written");
        assert!(pdf.starts_with(b"%PDF-"), "{kind} is a PDF");
        assert!(
            pdf.len() < 200 * 1024,
            "{kind}: fonts are subset, {} bytes",
            pdf.len()
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("page"),
            "{kind}"
        );
    }
}

#[test]
fn unknown_kind_and_missing_assets_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(["print-sample", "--kind", "hihokenshasho", "--out"])
        .arg(dir.path().join("x.pdf"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "unknown kinds are usage errors");
    let o = Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(["print-sample", "--kind", "shikaku-kakuninsho", "--assets"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("y.pdf"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        !dir.path().join("y.pdf").exists(),
        "nothing written on failure"
    );
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("エラー: "));
}
