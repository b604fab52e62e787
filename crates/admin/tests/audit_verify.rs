//! `madoguchi-admin audit verify`: exit 0 with the length of an intact export, exit 1 naming the first
//! broken link of a tampered one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::Command;

use chrono::DateTime;
use madoguchi_audit::{AuditEvent, ChainHead, Operation, Outcome, write_export};

fn export_file(n: u32) -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let mut head = ChainHead::default();
    let entries: Vec<_> = (1..=n)
        .map(|i| {
            head.append(AuditEvent {
                at: DateTime::from_timestamp(1_790_000_000 + i64::from(i), 0).unwrap_or_default(),
                terminal: "152021-T01".into(),
                user: "clerk01".into(),
                operation: Operation::ViewResident,
                target: Some(format!("{:08}", 20_000_000 + i)),
                purpose: None,
                outcome: Outcome::Done,
            })
        })
        .collect();
    let mut buf = Vec::new();
    let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    write_export(&mut buf, "152021-T01", ChainHead::default(), at, &entries).expect("in memory");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let lines = String::from_utf8(buf)
        .expect("utf8")
        .lines()
        .map(str::to_owned)
        .collect();
    (dir, path, lines)
}

fn verify(path: &std::path::Path, lines: &[String]) -> std::process::Output {
    std::fs::write(path, lines.join("\n") + "\n").expect("write export");
    Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(["audit", "verify"])
        .arg(path)
        .output()
        .expect("runs")
}

#[test]
fn intact_export_reports_its_length() {
    let (_dir, path, lines) = export_file(12);
    let o = verify(&path, &lines);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("OK: 12 entries"));
}

#[test]
fn each_tampering_names_the_first_broken_link() {
    let (_dir, path, lines) = export_file(12);
    let mut edited = lines.clone();
    edited[6] = edited[6].replace("clerk01", "clerk02");
    let mut deleted = lines.clone();
    deleted.remove(4);
    let mut reordered = lines.clone();
    reordered.swap(8, 9);
    let truncated = lines[..10].to_vec();
    for (what, tampered, expect) in [
        ("edit", edited, "6件目"),
        ("delete", deleted, "4件目"),
        ("reorder", reordered, "8件目"),
        ("truncate", truncated, "末尾が切り取られています"),
    ] {
        let o = verify(&path, &tampered);
        assert_eq!(o.status.code(), Some(1), "{what}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expect), "{what}: {err}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(["audit", "verify", "/nonexistent/audit.jsonl"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
}
