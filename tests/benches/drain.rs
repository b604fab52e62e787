//! Benchmark (prints its figures): the online submit round trip through the counter (outbox write, send,
//! decision, all over mutual TLS), then draining N queued notifications after the line returns
//! (target: 10,000 in < 60 s against the local union server).
//!
//! `MADOGUCHI_DRAIN_N` sets N (default 10,000). Run under `keyctl session -` (the vault uses the OS keyring):
//! `keyctl session - cargo bench -p madoguchi-system-tests --bench drain`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::{Duration, Instant};

use chrono::Utc;
use madoguchi_counter::Submitted;
use madoguchi_domain::Date;
use madoguchi_protocol::v1::{ChangeOfParticulars, Notification, ResidentId};
use madoguchi_system_tests::{insured_residents, start};

fn today() -> Date {
    madoguchi_domain::jst::date(Utc::now())
}

fn change(resident_id: ResidentId, i: usize) -> Notification {
    Notification::ChangeOfParticulars(ChangeOfParticulars {
        resident_id,
        changed_on: today(),
        name: None,
        kana: None,
        address: Some(format!("新潟県見附市研修町{}番地", i + 1)),
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let n: usize = std::env::var("MADOGUCHI_DRAIN_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let rig = start().await;
        let counter = &rig.counter;
        let clerk = rig.union.accounts.iter().find(|a| a.user_id.ends_with("-clerk")).expect("clerk");
        counter.session().sign_in(&clerk.user_id, &clerk.password).await.expect("sign in");

        let mut residents: Vec<ResidentId> = insured_residents(counter, usize::MAX)
            .await
            .into_iter()
            .map(|r| r.resident_id)
            .collect();
        residents.sort();
        residents.dedup();
        assert!(!residents.is_empty(), "insured residents in the training data");
        println!("residents used: {}", residents.len());

        // Online round trip: submit → decision, 200 times.
        let mut rtt = Vec::new();
        for i in 0..200 {
            let t = Instant::now();
            let r = counter.intake().submit(change(residents[i % residents.len()], i), today()).await.expect("submit");
            rtt.push(t.elapsed());
            assert!(matches!(r, Submitted::Decided { .. }), "online submissions are decided at once");
        }
        rtt.sort();
        println!(
            "submit round trip (outbox + mTLS + decision), 200 requests: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
            percentile(&rtt, 0.5).as_secs_f64() * 1e3,
            percentile(&rtt, 0.95).as_secs_f64() * 1e3,
            percentile(&rtt, 0.99).as_secs_f64() * 1e3
        );

        // Offline: queue N.
        counter.simulate_line_failure(true);
        let t = Instant::now();
        let mut enqueue = Vec::with_capacity(n);
        for i in 0..n {
            let s = Instant::now();
            // Numbered apart from the online phase: the same address twice is 「変更する項目がありません」.
            let r = counter
                .intake().submit(change(residents[i % residents.len()], 100_000 + i), today())
                .await
                .expect("queued");
            enqueue.push(s.elapsed());
            assert!(matches!(r, Submitted::Queued(_)));
        }
        enqueue.sort();
        println!(
            "queued {n} offline in {:.1} s: durable enqueue p50 {:.2} ms, p95 {:.2} ms",
            t.elapsed().as_secs_f64(),
            percentile(&enqueue, 0.5).as_secs_f64() * 1e3,
            percentile(&enqueue, 0.95).as_secs_f64() * 1e3
        );

        // The line returns: drain.
        let t = Instant::now();
        counter.simulate_line_failure(false);
        let mut last_report = Instant::now();
        loop {
            let queue = counter.intake().queue().expect("queue");
            let left = queue.iter().filter(|q| q.state == "queued" || q.state == "sending").count();
            let refused = queue.iter().filter(|q| q.needs_attention).count();
            if left == 0 {
                println!(
                    "drained {n} queued notifications in {:.1} s ({:.0}/s), refused {refused} — target < 60 s for 10,000",
                    t.elapsed().as_secs_f64(),
                    n as f64 / t.elapsed().as_secs_f64()
                );
                break;
            }
            if last_report.elapsed() > Duration::from_secs(5) {
                let mut states = std::collections::BTreeMap::new();
                for q in &queue {
                    *states.entry(q.state).or_insert(0usize) += 1;
                }
                let reasons: std::collections::BTreeSet<_> =
                    queue.iter().filter_map(|q| q.reason_ja.clone()).collect();
                println!(
                    "  … {left} left after {:.0} s: {states:?} {:?} {reasons:?}",
                    t.elapsed().as_secs_f64(),
                    *counter.sync_progress().borrow()
                );
                last_report = Instant::now();
            }
            if t.elapsed() > Duration::from_secs(900) {
                println!("drain did not finish in 900 s: {left} left");
                std::process::exit(1);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        rig.background.abort();
        rig.union.shutdown().await;
    });
}
