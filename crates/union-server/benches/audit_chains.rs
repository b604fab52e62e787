//! The union's store of terminal audit chains: how fast shipped entries are stored (verified batches of
//! 100, sealed, one transaction each) and how long a full scan of one municipality's chains takes — the
//! administrator's search without an indexed criterion reads every entry — and how long a search by user
//! through the index takes. Prints the figures.
//!
//! `cargo bench -p madoguchi-union-server --bench audit_chains`; `MADOGUCHI_BENCH_ENTRIES=N` (default
//! 50,000) over `MADOGUCHI_BENCH_TERMINALS=T` terminals (default 10).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failed run

use std::time::Instant;

use madoguchi_audit::{AuditEvent, ChainHead, Operation, Outcome};
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_union_server::store::{SledStore, UnionStore};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let total = env_or("MADOGUCHI_BENCH_ENTRIES", 50_000);
    let terminals = env_or("MADOGUCHI_BENCH_TERMINALS", 10).max(1);
    let per_terminal = total / terminals;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SledStore::open(dir.path()).expect("store");
    let m = MunicipalityCode::parse("152111").expect("municipality");
    let started = Instant::now();
    for t in 0..terminals {
        let terminal = format!("BENCH-{t:02}");
        let mut head = ChainHead::default();
        let mut stored = ChainHead::default();
        let mut n = 0;
        while n < per_terminal {
            let batch: Vec<_> = (0..100.min(per_terminal - n))
                .map(|i| {
                    head.append(AuditEvent {
                        at: chrono::Utc::now(),
                        terminal: terminal.clone(),
                        user: format!("152111-clerk{}", (n + i) % 7),
                        operation: Operation::ViewResident,
                        target: Some(format!("resident:{}", uuid::Uuid::new_v4())),
                        purpose: None,
                        outcome: Outcome::Done,
                    })
                })
                .collect();
            n += batch.len() as u64;
            stored = store
                .append_chain(&m, &terminal, stored, &batch)
                .expect("append");
        }
    }
    store.flush().expect("flush");
    let append = started.elapsed();
    let started = Instant::now();
    let mut seen = 0u64;
    for terminal in store.chain_terminals(&m).expect("terminals") {
        let mut from = 1;
        loop {
            let batch = store
                .chain_entries(&m, &terminal, from, 1000)
                .expect("entries");
            let Some(last) = batch.last() else { break };
            from = last.seq + 1;
            seen += batch.len() as u64;
        }
    }
    let scan = started.elapsed();
    // An indexed search: one staff member's entries (1 in 7), each opened and checked.
    let started = Instant::now();
    let index = madoguchi_union_server::chains::ChainIndex::User("152111-clerk3".into());
    let mut found = 0u64;
    for (terminal, seq) in store.chain_candidates(&m, &index).expect("candidates") {
        if store
            .chain_entry(&m, &terminal, seq)
            .expect("entry")
            .is_some()
        {
            found += 1;
        }
    }
    let by_user = started.elapsed();
    println!(
        "audit_chains: stored {} entries ({} terminals) in {:.2} s = {:.0} entries/s",
        seen,
        terminals,
        append.as_secs_f64(),
        seen as f64 / append.as_secs_f64()
    );
    println!(
        "audit_chains: full scan (what one administrator search reads) {:.0} ms = {:.1} µs/entry",
        scan.as_secs_f64() * 1000.0,
        scan.as_secs_f64() * 1e6 / seen.max(1) as f64
    );
    println!(
        "audit_chains: search by user through the index: {} entries in {:.0} ms",
        found,
        by_user.as_secs_f64() * 1000.0
    );
}
