//! Benchmark: what registering a medium (clamscan over every file, then SHA-256) adds per GB. Not part of the
//! test command: `cargo bench -p madoguchi-media --bench scan_per_gb`. `MADOGUCHI_BENCH_MB` sets the medium's
//! size (default 256 MB, in four files); `MADOGUCHI_BENCH_CLAMAV_DB` a signature directory (default: the
//! shipped EICAR-only one, so the figure is a lower bound — a full ClamAV database adds its load time, about
//! 10–20 s, and more work per byte; run with the municipality's database for the real figure).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failed run

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use madoguchi_domain::StaffUserId;
use madoguchi_media::{Registration, ScanConfig, register};

fn main() {
    let mb: u64 = std::env::var("MADOGUCHI_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let db = std::env::var_os("MADOGUCHI_BENCH_CLAMAV_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/clamav"));
    let dir = std::env::temp_dir().join(format!("madoguchi-bench-medium-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Text-like records (digits, spaces, CP932 kanji bytes) rather than zeros, which scanners skip quickly.
    let mut record = Vec::new();
    for i in 0..342u32 {
        record.push(match i % 7 {
            0 => 0x8E,
            1 => 0x52,
            2 => b' ',
            _ => b'0' + (i % 10) as u8,
        });
    }
    record.extend_from_slice(b"\r\n");
    let per_file = mb * 1_000_000 / 4;
    for f in 0..4 {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(dir.join(format!("file{f}.dat"))).unwrap(),
        );
        let mut written = 0u64;
        while written < per_file {
            out.write_all(&record).unwrap();
            written += record.len() as u64;
        }
    }
    let config = ScanConfig {
        database: Some(db.clone()),
        ..ScanConfig::default()
    };
    let who = Registration {
        staff: StaffUserId::parse("bench").unwrap(),
        at: "2026-04-01T09:00:00+09:00".into(),
        volume_id: None,
    };
    let started = Instant::now();
    let entry = register(&dir, who, &config).unwrap();
    let secs = started.elapsed().as_secs_f64();
    let bytes: u64 = entry.files.iter().map(|f| f.size).sum();
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "registered {:.0} MB in {} files (clamscan + SHA-256, database {}) in {secs:.2} s: {:.1} s per GB",
        bytes as f64 / 1e6,
        entry.files.len(),
        db.display(),
        secs / (bytes as f64 / 1e9)
    );
}
