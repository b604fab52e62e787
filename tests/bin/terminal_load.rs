//! The terminal of the crash-safety test: opens the vault (OS keyring), signs in, and submits
//! notifications `n = next..total` through the counter's use case while the line flaps, then waits until
//! the queue has drained. Killed with SIGKILL at random points and started again by `crash_safety.rs`.
//!
//! Where to resume comes only from the vault: every submission enqueues exactly one outbox item in one
//! atomic, flushed write, and sequence numbers are gap-free from 1, so the number of items in the outbox
//! is the number of notifications already taken. A kill before the enqueue is durable leaves no item (the
//! notification is submitted by the next run); a kill after it leaves the item for the sync engine (the
//! next run does not submit it again). There is no second marker that could disagree with the outbox.
//!
//! Usage: `terminal-load PLAN.json`. Prints `ready N`, one `sub N STATE` per submission, `drained`.
//! Exit codes: 0 drained, 2 set-up failed, 3 a notification was refused (the test's data is wrong).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use madoguchi_counter::{Counter, Submitted};
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_system_tests::{LoadPlan, address_change, link_config_via, union_host::UnionAccess};
use madoguchi_vault::{KeyringKeyStore, OutboxState, Vault, VaultConfig};
use rand::Rng;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: terminal-load PLAN.json");
        return ExitCode::from(2);
    };
    let plan: LoadPlan = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("plan {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(plan)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Setup(e)) => {
            eprintln!("terminal-load: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Refused(e)) => {
            eprintln!("terminal-load: {e}");
            ExitCode::from(3)
        }
    }
}

enum Failure {
    Setup(String),
    Refused(String),
}

fn setup<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> Failure {
    move |e| Failure::Setup(format!("{what}: {e}"))
}

/// Notifications already taken: the items in the outbox, which must be numbered 1..=len without gaps.
fn taken(vault: &Vault) -> Result<usize, Failure> {
    let items = vault.outbox().list().map_err(setup("outbox"))?;
    for (i, item) in items.iter().enumerate() {
        if item.seq.0 != i as u64 + 1 {
            return Err(Failure::Setup(format!(
                "outbox sequence has a gap at {} (found {})",
                i + 1,
                item.seq
            )));
        }
    }
    Ok(items.len())
}

async fn run(plan: LoadPlan) -> Result<(), Failure> {
    let keys = KeyringKeyStore::os_default().map_err(setup("OS keyring"))?;
    let vault = Vault::open(VaultConfig::new(&plan.vault_dir, &plan.terminal_id), &keys)
        .map_err(setup("vault"))?;
    let access = UnionAccess {
        ca_cert: plan.ca_cert.clone(),
        terminal_cert: plan.terminal_cert.clone(),
        terminal_key: plan.terminal_key.clone(),
        terminal_id: plan.terminal_id.clone(),
        clerk_user: plan.user_id.clone(),
        clerk_password: plan.password.clone(),
    };
    let cfg = link_config_via(&access, plan.port, Duration::from_secs(2));
    let client = UnionClient::new(&cfg, LineMonitor::new()).map_err(setup("client"))?;
    let (counter, background) = Counter::start(client, vault.clone(), Duration::from_millis(100))
        .map_err(setup("counter"))?;
    let mut next = taken(&vault)?;
    println!("ready {next}");

    // The proxy may be cutting the line: a clerk would try again.
    let mut tries = 0;
    while let Err(e) = counter
        .session()
        .sign_in(&plan.user_id, &plan.password)
        .await
    {
        tries += 1;
        if tries > 600 {
            return Err(Failure::Setup(format!("sign-in: {e}")));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let submitting = Arc::new(AtomicBool::new(true));
    let flapper = plan.flap.then(|| {
        let counter = counter.clone();
        let submitting = submitting.clone();
        tokio::spawn(async move {
            let mut down = false;
            while submitting.load(Ordering::SeqCst) {
                down = !down;
                counter.simulate_line_failure(down);
                let ms = if down {
                    rand::rng().random_range(10..150)
                } else {
                    rand::rng().random_range(30..300)
                };
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            counter.simulate_line_failure(false);
        })
    });

    while next < plan.total {
        let resident = plan.residents[next % plan.residents.len()];
        match counter
            .intake()
            .submit(address_change(resident, next, plan.today), plan.today)
            .await
        {
            Ok(Submitted::Decided { .. }) => println!("sub {next} decided"),
            Ok(Submitted::Queued(_)) => println!("sub {next} queued"),
            Ok(Submitted::Refused { code, .. }) => {
                return Err(Failure::Refused(format!("notification {next}: {code}")));
            }
            Err(e) => {
                // Whether the item was enqueued before the error is for the vault to say.
                eprintln!("submit {next}: {e}");
                next = taken(&vault)?;
                continue;
            }
        }
        next += 1;
    }
    submitting.store(false, Ordering::SeqCst);
    if let Some(f) = flapper {
        let _ = f.await;
    }
    counter.simulate_line_failure(false);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    loop {
        let pending = vault.outbox().pending().map_err(setup("outbox"))?;
        if let Some(bad) = pending
            .iter()
            .find(|i| matches!(i.state, OutboxState::Rejected | OutboxState::Conflict))
        {
            return Err(Failure::Refused(format!(
                "item {} is {}: {}",
                bad.seq,
                bad.state.label_ja(),
                bad.reason.clone().unwrap_or_default()
            )));
        }
        if pending.is_empty() {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(Failure::Setup(format!(
                "{} items still pending",
                pending.len()
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("drained");
    background.abort();
    Ok(())
}
