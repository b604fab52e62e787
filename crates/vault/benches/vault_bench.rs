//! Benchmarks that print their figures (p50/p95/p99/max):
//! - durable enqueue (sealed, committed and flushed — what the counter waits for before printing the
//!   受付控); target p95 < 5 ms;
//! - the transitions the sync engine makes per item (送信中, 受理);
//! - offline-roster search by カナ prefix among 150,000 synthetic residents; target p95 < 10 ms.
//!
//! Uses a directory on disk under the target dir and the real OS keyring, so run it as
//! `keyctl session - cargo bench -p madoguchi-vault`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::kana::seion_key;
use madoguchi_vault::{KeyringKeyStore, Qualification, RosterEntry, Sequence, Vault, VaultConfig};

const ENQUEUES: usize = 2000;
const RESIDENTS: usize = 150_000;
const SEARCHES: usize = 2000;

struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SYLLABLES: [&str; 45] = [
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ",
    "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ",
    "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ン",
];

fn kana(g: &mut Gen, syllables: u64) -> String {
    (0..syllables)
        .map(|_| SYLLABLES[g.below(SYLLABLES.len() as u64) as usize])
        .collect()
}

fn report(name: &str, mut samples: Vec<Duration>, target: Option<Duration>) {
    samples.sort();
    let q = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = q(0.95);
    let verdict = match target {
        Some(t) if p95 < t => format!("  (target p95 < {} ms: met)", ms(t)),
        Some(t) => format!("  (target p95 < {} ms: NOT MET)", ms(t)),
        None => String::new(),
    };
    println!(
        "{name:<44} n={:<6} p50={:>8.3} ms  p95={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms{verdict}",
        samples.len(),
        ms(q(0.5)),
        ms(p95),
        ms(q(0.99)),
        ms(samples[samples.len() - 1])
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would run this too: keep that cheap.
    if !std::env::args().any(|a| a == "--bench") {
        println!("vault_bench: run with `keyctl session - cargo bench -p madoguchi-vault`");
        return;
    }
    let keys = match KeyringKeyStore::os_default() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("OS keyring unavailable ({e}); run under `keyctl session -`");
            std::process::exit(2);
        }
    };
    let base = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tempfile::tempdir_in(&base).expect("temp dir on disk");
    let vault = match Vault::open(VaultConfig::new(dir.path().join("vault"), "B01"), &keys) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cannot open vault: {e} — run under `keyctl session -`");
            std::process::exit(2);
        }
    };
    println!("vault benchmark, data on disk in {}", dir.path().display());
    let mut g = Gen(0x9e3779b97f4a7c15);

    // Durable enqueue.
    let ob = vault.outbox();
    let payload: Vec<u8> = (0..1024).map(|i| (i % 251) as u8).collect();
    for i in 0..20 {
        ob.enqueue(
            &format!("warmup{i}"),
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            &payload,
        )
        .expect("enqueue");
    }
    let mut enq = Vec::with_capacity(ENQUEUES);
    for i in 0..ENQUEUES {
        let resident = format!("151009:{:010}", g.below(5000) + i as u64);
        let t = Instant::now();
        ob.enqueue(
            &resident,
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            &payload,
        )
        .expect("enqueue");
        enq.push(t.elapsed());
    }
    report(
        "durable enqueue (1 KiB payload, flushed)",
        enq,
        Some(Duration::from_millis(5)),
    );

    // Transitions the sync engine makes per item.
    let mut sending = Vec::new();
    let mut accepted = Vec::new();
    for s in 1..=500u64 {
        let seq = Sequence(s);
        let t = Instant::now();
        ob.mark_sending(seq).expect("sending");
        sending.push(t.elapsed());
        let t = Instant::now();
        ob.mark_accepted(seq).expect("accepted");
        accepted.push(t.elapsed());
    }
    report("mark_sending (CAS, flushed)", sending, None);
    report(
        "mark_accepted (erase payload, receipt, flushed)",
        accepted,
        None,
    );
    let t = Instant::now();
    let batch = ob.next_sendable(50).expect("sendable");
    println!(
        "{:<44} {:>8.3} ms for {} items over a queue of {}",
        "next_sendable(50)",
        t.elapsed().as_secs_f64() * 1000.0,
        batch.len(),
        ENQUEUES + 20 - 500
    );

    // Offline roster.
    vault
        .settings()
        .set_roster_enabled(true)
        .expect("enable roster");
    let entries: Vec<RosterEntry> = (0..RESIDENTS)
        .map(|i| {
            let n = 4 + g.below(5);
            let birth = NaiveDate::from_ymd_opt(
                1925 + g.below(25) as i32,
                1 + g.below(12) as u32,
                1 + g.below(28) as u32,
            )
            .expect("date");
            let q = if g.below(20) == 0 {
                Qualification::Lost
            } else {
                Qualification::Qualified
            };
            let number = InsuredNumber::parse(&format!("{:08}", 10_000_000 + i)).expect("8 digits");
            let key = seion_key(&kana(&mut g, n)).expect("kana");
            RosterEntry::new(number, &key, birth, q).expect("entry")
        })
        .collect();
    let t = Instant::now();
    let info = vault
        .roster()
        .replace(
            entries,
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
        )
        .expect("replace");
    println!(
        "{:<44} {:>8.1} ms for {} residents",
        "roster refresh (seal + write + flush)",
        t.elapsed().as_secs_f64() * 1000.0,
        info.count
    );
    drop(ob);
    drop(vault);

    let t = Instant::now();
    let vault =
        Vault::open(VaultConfig::new(dir.path().join("vault"), "B01"), &keys).expect("reopen");
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let roster = vault.roster();
    let t = Instant::now();
    roster.load().expect("load");
    println!(
        "{:<44} {:>8.1} ms (vault open {open_ms:.1} ms)",
        "roster cold load (open chunks, sort)",
        t.elapsed().as_secs_f64() * 1000.0
    );

    let mut search = Vec::with_capacity(SEARCHES);
    let mut hits = 0usize;
    for _ in 0..SEARCHES {
        let len = 1 + g.below(3);
        let prefix = seion_key(&kana(&mut g, len)).expect("kana");
        let t = Instant::now();
        let r = roster.search_kana_prefix(&prefix, 50).expect("search");
        search.push(t.elapsed());
        hits += r.len();
    }
    report(
        "roster カナ prefix search (150,000, limit 50)",
        search,
        Some(Duration::from_millis(10)),
    );
    println!(
        "{:<44} average {:.1} hits per search",
        "",
        hits as f64 / SEARCHES as f64
    );
    let mut by_number = Vec::with_capacity(SEARCHES);
    for _ in 0..SEARCHES {
        let n = InsuredNumber::parse(&format!("{:08}", 10_000_000 + g.below(RESIDENTS as u64)))
            .expect("8 digits");
        let t = Instant::now();
        roster
            .find_insured_number(&n)
            .expect("find")
            .expect("listed");
        by_number.push(t.elapsed());
    }
    report("roster lookup by 被保険者番号", by_number, None);
    let id = vault.vault_id().to_owned();
    drop(roster);
    drop(vault);
    // Leave no key behind in the session keyring.
    #[cfg(target_os = "linux")]
    {
        use keyring_core::api::CredentialStoreApi;
        if let Ok(store) = linux_keyutils_keyring_store::Store::new()
            && let Ok(entry) = store.build(madoguchi_vault::KEYRING_SERVICE, &id, None)
        {
            let _ = entry.delete_credential();
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = id;
}
