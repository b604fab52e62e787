//! Decision round trip terminal → union → terminal on loopback over mutual TLS 1.3 with connection reuse:
//! 10,000 notifications (資格取得（転入）, each a new resident, decided, stored and flushed), one at a time
//! from one terminal. Prints p50/p95/p99 (target: p95 < 5 ms).
//!
//! `cargo bench -p madoguchi-union-server --bench roundtrip`; `MADOGUCHI_BENCH_REQUESTS=N` changes the count.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let requests: usize = std::env::var("MADOGUCHI_BENCH_REQUESTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async move {
        let fx = Fixture::start(100, None).await;
        let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
        let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
        let body = |_: usize| move_in(date(1945, 6, 1), today, today, false);
        // Warm-up: connection, caches.
        for i in 0..200 {
            let (s, v) = desk.submit(uuid::Uuid::new_v4(), &body(i)).await;
            assert!(s.is_success(), "{v}");
        }
        let mut latencies = Vec::with_capacity(requests);
        let mut errors = 0usize;
        let started = Instant::now();
        for i in 0..requests {
            let b = body(i);
            let key = uuid::Uuid::new_v4();
            let t = Instant::now();
            let (s, _) = desk.submit(key, &b).await;
            latencies.push(t.elapsed());
            if !s.is_success() {
                errors += 1;
            }
        }
        let total = started.elapsed();
        latencies.sort();
        println!("decision round trip over mutual TLS 1.3 (one terminal, connection reused)");
        println!("  requests   {requests}");
        println!("  errors     {errors}");
        println!(
            "  throughput {:.0} req/s",
            requests as f64 / total.as_secs_f64()
        );
        println!(
            "  p50        {:.3} ms",
            percentile(&latencies, 0.50).as_secs_f64() * 1e3
        );
        println!(
            "  p95        {:.3} ms  (target < 5 ms)",
            percentile(&latencies, 0.95).as_secs_f64() * 1e3
        );
        println!(
            "  p99        {:.3} ms",
            percentile(&latencies, 0.99).as_secs_f64() * 1e3
        );
        println!(
            "  max        {:.3} ms",
            latencies[latencies.len() - 1].as_secs_f64() * 1e3
        );
        fx.shutdown().await;
    });
}
