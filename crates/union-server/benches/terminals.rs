//! 200 concurrent terminals, each with its own certificate and staff session, submitting notifications
//! (資格取得（転入）) as fast as the union answers, for `MADOGUCHI_BENCH_SECS` seconds (default 60).
//! Prints throughput, p50/p99 and the error count (must be zero).
//!
//! `cargo bench -p madoguchi-union-server --bench terminals`; `MADOGUCHI_BENCH_TERMINALS=N` changes the count.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failed run

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use madoguchi_union_server::pki;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let secs = env_or("MADOGUCHI_BENCH_SECS", 60);
    let terminals = env_or("MADOGUCHI_BENCH_TERMINALS", 200) as usize;
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async move {
        let fx = Fixture::start(100, None).await;
        let mut desks = Vec::with_capacity(terminals);
        for i in 0..terminals {
            let (m, user) = if i % 2 == 0 {
                (MITSUKE, "152111-clerk")
            } else {
                (NAGAOKA, "152021-clerk")
            };
            let id = format!("BENCH-{i:03}");
            pki::issue_terminal(&fx.pki, m, &id, 5).expect("terminal certificate");
            desks.push(Arc::new(sign_in(&fx, &id, user).await));
        }
        let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for desk in desks {
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let body = move_in(date(1945, 6, 1), today, today, false);
                    let t = Instant::now();
                    let (s, _) = desk.submit(uuid::Uuid::new_v4(), &body).await;
                    latencies.push(t.elapsed());
                    if !s.is_success() {
                        errors += 1;
                    }
                }
                (latencies, errors)
            }));
        }
        tokio::time::sleep(Duration::from_secs(secs)).await;
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.expect("terminal task");
            all.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed();
        all.sort();
        let p = |q: f64| all[((all.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
        println!("{terminals} concurrent terminals (distinct certificates) for {secs} s");
        println!("  decisions  {}", all.len());
        println!("  errors     {errors}");
        println!(
            "  throughput {:.0} decisions/s",
            all.len() as f64 / elapsed.as_secs_f64()
        );
        println!("  p50        {:.2} ms", p(0.50));
        println!("  p99        {:.2} ms", p(0.99));
        println!("  max        {:.2} ms", p(1.0));
        println!("  ledger     {}", fx.store.ledger_len().unwrap_or(0));
        fx.shutdown().await;
    });
}
