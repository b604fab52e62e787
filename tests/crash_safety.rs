//! Crash safety of the terminal: a separate terminal process (`terminal-load`: vault on the OS keyring,
//! link over mutual TLS, counter) submits 1,000 notifications while its line flaps (the training switch
//! inside the terminal, and a fault proxy that resets and refuses connections), and is killed with
//! SIGKILL at random points — during start-up, while submitting, while draining. After the last restart
//! it drains; the union then holds exactly 1,000 decisions, one per idempotency key, none lost, none
//! twice, and every resident's address is the one of their last notification (order kept).
//!
//! Run under `keyctl session -` so the terminal processes share the session keyring (the vault's key
//! survives the kills, as the OS keyring survives a crash). `MADOGUCHI_CRASH_SEED` replays a run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::collections::{BTreeMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use madoguchi_link::sync::DecisionStore;
use madoguchi_system_tests::proxy::{FaultProxy, Mode};
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{LoadPlan, open_vault, synthetic_address, today};
use madoguchi_vault::OutboxState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const TOTAL: usize = 1_000;
const KILLS: usize = 12;
const RESIDENTS: usize = 60;

/// How a run of the terminal ends.
enum Ending {
    /// Killed by the harness after this many submissions of the run.
    Killed { submitted: usize },
    /// Exited by itself.
    Exited {
        status: std::process::ExitStatus,
        drained: bool,
    },
}

fn spawn(plan_path: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_terminal-load"))
        .arg(plan_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("terminal-load starts")
}

/// Runs the terminal until it has made `kill_after` submissions or `kill_at` has passed (then SIGKILL,
/// after a random few milliseconds so the kill lands anywhere in the next submission or drain step), or
/// until it exits.
async fn run_once(
    plan_path: &std::path::Path,
    kill_after: Option<(usize, Duration, Duration)>,
) -> Ending {
    let mut child = spawn(plan_path);
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let started = tokio::time::Instant::now();
    let mut submitted = 0;
    let mut drained = false;
    let (limit, kill_at, jitter) = match kill_after {
        Some((n, at, j)) => (Some(n), Some(started + at), j),
        None => (None, None, Duration::ZERO),
    };
    loop {
        let deadline = async {
            match kill_at {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(l)) => {
                    if l.starts_with("sub ") {
                        submitted += 1;
                        if limit.is_some_and(|n| submitted >= n) {
                            break;
                        }
                    } else if l == "drained" {
                        drained = true;
                    }
                }
                // Stdout closed: the process is exiting.
                _ => {
                    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
                        .await
                        .expect("terminal exits")
                        .expect("wait");
                    return Ending::Exited { status, drained };
                }
            },
            _ = deadline => break,
        }
    }
    tokio::time::sleep(jitter).await;
    // Child::start_kill sends SIGKILL on Unix: no destructor, no flush, no goodbye.
    child.start_kill().expect("SIGKILL");
    let status = child.wait().await.expect("wait");
    if status.code() == Some(0) {
        // It finished in the jitter window.
        return Ending::Exited {
            status,
            drained: true,
        };
    }
    Ending::Killed { submitted }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_while_submitting_1000_with_the_line_flapping() {
    let t0 = Instant::now();
    let seed: u64 = std::env::var("MADOGUCHI_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("crash-safety seed {seed} (MADOGUCHI_CRASH_SEED replays the kill points)");
    let mut rng = StdRng::seed_from_u64(seed);

    let dir = tempfile::tempdir().expect("tempdir");
    let union = UnionHost::start(&dir.path().join("union")).await;
    let proxy = Arc::new(FaultProxy::start(union.addr).await);
    let residents: Vec<_> = union
        .insured_residents()
        .into_iter()
        .take(RESIDENTS)
        .map(|r| r.id)
        .collect();
    assert!(
        residents.len() >= 20,
        "the training data has insured residents"
    );
    let ledger_before = union.ledger_len();

    let vault_dir = dir.path().join("terminal");
    let plan = LoadPlan {
        vault_dir: vault_dir.clone(),
        port: proxy.addr.port(),
        ca_cert: union.access.ca_cert.clone(),
        terminal_cert: union.access.terminal_cert.clone(),
        terminal_key: union.access.terminal_key.clone(),
        terminal_id: union.access.terminal_id.clone(),
        user_id: union.access.clerk_user.clone(),
        password: union.access.clerk_password.clone(),
        total: TOTAL,
        residents: residents.clone(),
        today: today(),
        flap: true,
    };
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, serde_json::to_vec(&plan).expect("plan")).expect("write plan");

    // The line between terminal and union flaps too: resets and refused connections at random.
    let flapping = Arc::new(AtomicBool::new(true));
    let flapper = {
        let proxy = proxy.clone();
        let flapping = flapping.clone();
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        tokio::spawn(async move {
            while flapping.load(Ordering::SeqCst) {
                let mode = match rng.random_range(0..10) {
                    0..=5 => Mode::Pass,
                    6 | 7 => Mode::Reset,
                    _ => Mode::Refuse,
                };
                proxy.set(mode);
                let ms = rng.random_range(30..400);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            proxy.set(Mode::Pass);
        })
    };

    let mut kills = 0;
    let mut kill_log = Vec::new();
    let mut finished_early = false;
    while kills < KILLS {
        // One run in five is killed on a timer only (start-up, sign-in, or the drain at the end);
        // the others after a random number of submissions.
        let by_count = rng.random_range(0..5) != 0;
        let limit = if by_count {
            rng.random_range(1..=110)
        } else {
            usize::MAX
        };
        let at = Duration::from_millis(if by_count {
            5_000
        } else {
            rng.random_range(0..1_500)
        });
        let jitter = Duration::from_micros(rng.random_range(0..15_000));
        match run_once(&plan_path, Some((limit, at, jitter))).await {
            Ending::Killed { submitted } => {
                kills += 1;
                kill_log.push(submitted);
            }
            Ending::Exited { status, drained } => {
                assert!(
                    status.success() && drained,
                    "terminal failed on its own: {status}"
                );
                finished_early = true;
                break;
            }
        }
    }
    println!(
        "{kills} SIGKILLs after {kill_log:?} submissions of their run ({:.1} s)",
        t0.elapsed().as_secs_f64()
    );
    assert!(
        kills >= 10 && !finished_early,
        "at least 10 kills while the terminal worked (it finished after {kills})"
    );
    flapping.store(false, Ordering::SeqCst);
    flapper.await.expect("flapper");
    assert_eq!(proxy.mode(), Mode::Pass);

    // The last run drains the queue.
    let last = run_once(&plan_path, None).await;
    let Ending::Exited { status, drained } = last else {
        panic!("the last run is not killed");
    };
    assert!(status.success() && drained, "last run: {status}");
    println!("drained after {:.1} s", t0.elapsed().as_secs_f64());

    // The terminal's view: 1,000 items, numbered without gaps, each decided, distinct keys, and the
    // decision it kept for each is for that item's key.
    let vault = open_vault(&vault_dir, &union.access.terminal_id);
    let items = vault.outbox().list().expect("outbox");
    assert_eq!(items.len(), TOTAL, "one outbox item per notification");
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item.seq.0, i as u64 + 1);
        assert_eq!(item.state, OutboxState::Decided, "{item:?}");
    }
    let keys: HashSet<_> = items.iter().map(|i| i.idempotency_key.0).collect();
    assert_eq!(keys.len(), TOTAL, "distinct idempotency keys");
    let kept: BTreeMap<u64, _> = DecisionStore::new(vault.clone())
        .ready()
        .expect("decisions")
        .into_iter()
        .map(|(s, d)| (s.0, d))
        .collect();
    assert_eq!(kept.len(), TOTAL, "a decision kept for every item");

    // The union's view: exactly 1,000 new decisions, one for each of the terminal's keys, and it is the
    // decision the terminal holds (a resend got the stored answer, not a second decision).
    assert_eq!(
        union.ledger_len() - ledger_before,
        TOTAL,
        "the union decided exactly 1,000 notifications"
    );
    for item in &items {
        let at_union = union
            .decided(item.idempotency_key.0)
            .unwrap_or_else(|| panic!("{} lost: not decided at the union", item.seq));
        let at_terminal = &kept[&item.seq.0];
        assert_eq!(at_terminal.idempotency_key, item.idempotency_key.0);
        assert_eq!(
            at_terminal.notification_id, at_union.decision.notification_id,
            "{}: the terminal holds the union's decision",
            item.seq
        );
    }
    // Per resident in order, nothing of the tail lost: each resident's address is the one of their last
    // notification.
    let by_id: BTreeMap<_, _> = union.residents().into_iter().map(|r| (r.id, r)).collect();
    for (j, id) in residents.iter().enumerate() {
        let last = (0..TOTAL)
            .rev()
            .find(|n| n % residents.len() == j)
            .expect("n");
        assert_eq!(
            by_id[id].address,
            synthetic_address(last),
            "resident {j}: last notification applied last"
        );
    }
    // The audit trail: every decision answered, replays included, for exactly 1,000 notifications.
    let answered: HashSet<_> = union
        .audit()
        .into_iter()
        .filter(|e| e.operation == "POST /v1/notifications" && e.status == 200)
        .filter_map(|e| e.target)
        .collect();
    assert_eq!(answered.len(), TOTAL);
    // The union's own ledger, read from its data directory after it stopped: exactly 1,000 new
    // entries, 1,000 distinct idempotency keys, and they are the terminal's.
    let mut union = union;
    union.stop().await;
    let ledger = union.ledger_keys_at_rest().await;
    assert_eq!(ledger.len() - ledger_before, TOTAL);
    let distinct: HashSet<_> = ledger.iter().copied().collect();
    assert_eq!(distinct.len(), ledger.len(), "one ledger entry per key");
    assert_eq!(
        ledger.iter().filter(|k| keys.contains(k)).count(),
        TOTAL,
        "the ledger holds every key of the terminal"
    );
    println!("crash safety: done in {:.1} s", t0.elapsed().as_secs_f64());
}
