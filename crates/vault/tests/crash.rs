//! Crash safety. (1) A child process enqueues and moves outbox items through their states in a loop (and now
//! and then rotates the data key); the test kills it with SIGKILL at random points, reopens the vault and
//! checks that nothing acknowledged was lost, nothing is duplicated, sequence numbers are unique and
//! gap-free, and every state on disk is the last one reported or the one being written at the kill.
//! (2) A child rotates the data key in a loop and is killed; the next open finishes the rotation and
//! every record still opens.
//!
//! The child is this same test binary, run with `--ignored --exact crash_child`. The KEK lives in the
//! kernel keyutils session keyring, which the children inherit: run under `keyctl session -`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use madoguchi_vault::{KeyringKeyStore, OutboxState, Sequence, Vault};

const KILLS: usize = 30;

fn parse_state(s: &str) -> Option<OutboxState> {
    Some(match s {
        "Queued" => OutboxState::Queued,
        "Sending" => OutboxState::Sending,
        "Accepted" => OutboxState::Accepted,
        "Decided" => OutboxState::Decided,
        "Rejected" => OutboxState::Rejected,
        "Conflict" => OutboxState::Conflict,
        "Withdrawn" => OutboxState::Withdrawn,
        _ => return None,
    })
}

#[derive(Debug)]
struct Known {
    idem: String,
    token: String,
    acked: OutboxState,
    tried: Option<OutboxState>,
}

#[derive(Default)]
struct Model {
    items: BTreeMap<u64, Known>,
    /// Enqueues started but not reported done (may or may not have landed).
    unconfirmed: HashSet<String>,
    tokens: HashSet<String>,
    ops_reported: usize,
}

impl Model {
    fn apply(&mut self, line: &str) {
        let f: Vec<&str> = line.split(' ').collect();
        match f.as_slice() {
            ["TRYENQ", token] => {
                self.unconfirmed.insert((*token).to_owned());
            }
            ["ENQ", seq, idem, token] => {
                let seq: u64 = seq.parse().expect("seq");
                self.unconfirmed.remove(*token);
                assert!(
                    self.tokens.insert((*token).to_owned()),
                    "token reported twice"
                );
                let prev = self.items.insert(
                    seq,
                    Known {
                        idem: (*idem).into(),
                        token: (*token).into(),
                        acked: OutboxState::Queued,
                        tried: None,
                    },
                );
                assert!(prev.is_none(), "sequence {seq} reported for two enqueues");
                self.ops_reported += 1;
            }
            ["TRY", seq, st] => {
                if let (Ok(seq), Some(st)) = (seq.parse::<u64>(), parse_state(st))
                    && let Some(k) = self.items.get_mut(&seq)
                {
                    k.tried = Some(st);
                }
            }
            ["ACK", seq, st] => {
                if let (Ok(seq), Some(st)) = (seq.parse::<u64>(), parse_state(st))
                    && let Some(k) = self.items.get_mut(&seq)
                {
                    k.acked = st;
                    k.tried = None;
                    self.ops_reported += 1;
                }
            }
            _ => {} // libtest chatter
        }
    }
}

/// Reopen the vault and check every invariant; then make the on-disk state the new baseline.
fn verify(dir: &Path, ks: &KeyringKeyStore, model: &mut Model, round: usize) {
    let v = Vault::open(config(dir), ks).unwrap_or_else(|e| {
        panic!(
            "round {round}: vault does not open after SIGKILL (sled crash-corruption evidence): {e}"
        )
    });
    let ob = v.outbox();
    let items = ob
        .list()
        .unwrap_or_else(|e| panic!("round {round}: outbox unreadable after SIGKILL: {e}"));

    // Unique and gap-free sequence numbers, unique idempotency keys.
    let seqs: Vec<u64> = items.iter().map(|i| i.seq.0).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "round {round}: sequence numbers not 1..=n"
    );
    let idems: HashSet<String> = items
        .iter()
        .map(|i| i.idempotency_key.to_string())
        .collect();
    assert_eq!(
        idems.len(),
        items.len(),
        "round {round}: duplicate idempotency key"
    );

    let mut seen_tokens = HashSet::new();
    let mut sending_residents = HashSet::new();
    let mut pending_residents_before = HashMap::new();
    for it in &items {
        let payload_token = if it.has_payload {
            let p = ob
                .payload(it.seq)
                .unwrap_or_else(|e| panic!("round {round}: payload {} unreadable: {e}", it.seq));
            let text = String::from_utf8(p.to_vec()).expect("utf8 payload");
            Some(
                text.strip_prefix("payload:")
                    .expect("payload format")
                    .to_owned(),
            )
        } else {
            None
        };
        match model.items.get_mut(&it.seq.0) {
            Some(k) => {
                assert_eq!(
                    k.idem,
                    it.idempotency_key.to_string(),
                    "round {round}: {} changed key",
                    it.seq
                );
                if let Some(t) = &payload_token {
                    assert_eq!(t, &k.token, "round {round}: {} payload changed", it.seq);
                }
                let ok = it.state == k.acked || Some(it.state) == k.tried;
                assert!(
                    ok,
                    "round {round}: {} is {:?}, reported {:?} (trying {:?})",
                    it.seq, it.state, k.acked, k.tried
                );
                k.acked = it.state;
                k.tried = None;
            }
            None => {
                // Landed although the child died before reporting it: must be one of the started enqueues.
                let t = payload_token
                    .clone()
                    .unwrap_or_else(|| panic!("round {round}: unknown receipt {}", it.seq));
                assert!(
                    model.unconfirmed.contains(&t),
                    "round {round}: {} has a token never enqueued",
                    it.seq
                );
                assert!(
                    model.tokens.insert(t.clone()),
                    "round {round}: enqueue {t} stored twice"
                );
                model.items.insert(
                    it.seq.0,
                    Known {
                        idem: it.idempotency_key.to_string(),
                        token: t,
                        acked: it.state,
                        tried: None,
                    },
                );
            }
        }
        if let Some(t) = payload_token {
            assert!(
                seen_tokens.insert(t),
                "round {round}: a payload is stored twice"
            );
        }
        if let Some(tag) = it.resident {
            if it.state == OutboxState::Sending {
                assert!(
                    sending_residents.insert(tag),
                    "round {round}: two items of one resident in flight"
                );
                assert!(
                    !pending_residents_before.contains_key(&tag),
                    "round {round}: {} in flight before an earlier item of the same resident",
                    it.seq
                );
            }
            pending_residents_before.entry(tag).or_insert(it.seq);
        }
    }
    // Everything reported is there.
    for seq in model.items.keys() {
        assert!(
            seqs.contains(seq),
            "round {round}: reported item #{seq} lost"
        );
    }
    model.unconfirmed.clear();
}

#[test]
fn crash_safety_under_sigkill() {
    let ks = os_keystore();
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), &ks));
    let exe = std::env::current_exe().unwrap();
    let mut model = Model::default();
    let mut rng = Gen::new(0x5eed ^ u64::from(std::process::id()));
    let started = Instant::now();
    let mut early_kills = 0;

    for round in 0..KILLS {
        let log = dir.path().join(format!("child-{round}.stderr"));
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("VAULT_CRASH_DIR", dir.path())
            .env("VAULT_CRASH_SEED", format!("{}", rng.next()))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                // libtest prints "test crash_child ... " without a newline before the test's own output.
                let l = l.rsplit("... ").next().unwrap_or_default().to_owned();
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        if round % 5 == 0 {
            // Some kills land during open / rotation resume / startup sweep.
            std::thread::sleep(Duration::from_millis(5 + rng.below(60)));
        } else {
            // The rest in the busy loop: wait for READY, then a random moment.
            let deadline = Instant::now() + Duration::from_secs(30);
            while !lines.iter().any(|l| l == "READY") {
                match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            std::thread::sleep(Duration::from_millis(10 + rng.below(400)));
        }
        if let Ok(Some(status)) = child.try_wait() {
            let err = std::fs::read_to_string(&log).unwrap_or_default();
            panic!(
                "round {round}: child exited by itself ({status}) instead of being killed:\n{err}"
            );
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        lines.extend(rx.try_iter());
        if !lines.iter().any(|l| l == "READY") {
            early_kills += 1;
        }
        for l in &lines {
            model.apply(l);
        }
        verify(dir.path(), &ks, &mut model, round);
    }

    // The counter survived too: the next number follows the last one.
    let v = open(dir.path(), &ks);
    let next = v
        .outbox()
        .enqueue(
            "R-final",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"payload:final",
        )
        .unwrap();
    assert_eq!(next.seq, Sequence(model.items.len() as u64 + 1));
    let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
    for it in v.outbox().list().unwrap() {
        *by_state.entry(it.state.label_ja()).or_default() += 1;
    }
    println!(
        "crash test: {KILLS} SIGKILLs ({early_kills} before the loop started), {} items, {} reported operations, \
         key {:?}, states {by_state:?}, {:.1}s",
        model.items.len(),
        model.ops_reported,
        v.key_status().unwrap(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        model.ops_reported > KILLS * 5,
        "the child did too little work to test anything"
    );
    delete_key(v.vault_id());
}

fn say(line: &str) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{line}");
    let _ = o.flush();
}

/// Child process of `crash_safety_under_sigkill`; does nothing useful on its own.
#[test]
#[ignore = "child process of crash_safety_under_sigkill"]
fn crash_child() {
    let dir = std::env::var_os("VAULT_CRASH_DIR").expect("only run by crash_safety_under_sigkill");
    let seed: u64 = std::env::var("VAULT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut g = Gen::new(seed);
    let ks = KeyringKeyStore::os_default().expect("keyring");
    let v = Vault::open(config(Path::new(&dir)), &ks).expect("open");
    let ob = v.outbox();
    let in_flight: Vec<Sequence> = ob
        .pending()
        .expect("pending")
        .into_iter()
        .filter(|i| i.state == OutboxState::Sending)
        .map(|i| i.seq)
        .collect();
    for s in &in_flight {
        say(&format!("TRY {} Queued", s.0));
    }
    ob.startup_sweep().expect("sweep");
    for s in &in_flight {
        say(&format!("ACK {} Queued", s.0));
    }
    say("READY");
    let mut n = 0u64;
    loop {
        n += 1;
        let backlog = ob.pending().expect("pending").len();
        match g.below(20) {
            // Keep the backlog bounded so every round does a similar amount of work.
            0..=6 if backlog < 40 => {
                let token = format!("{seed:x}-{n}");
                say(&format!("TRYENQ {token}"));
                let e = ob
                    .enqueue(
                        &format!("R{}", g.below(6)),
                        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                        format!("payload:{token}").as_bytes(),
                    )
                    .expect("enqueue");
                say(&format!("ENQ {} {} {token}", e.seq.0, e.idempotency_key));
            }
            7..=10 => {
                for s in ob.next_sendable(2).expect("sendable") {
                    say(&format!("TRY {} Sending", s.item.seq.0));
                    ob.mark_sending(s.item.seq).expect("sending");
                    say(&format!("ACK {} Sending", s.item.seq.0));
                }
            }
            11..=14 => {
                let sending = ob
                    .pending()
                    .expect("pending")
                    .into_iter()
                    .filter(|i| i.state == OutboxState::Sending);
                for it in sending.take(2) {
                    let to = match g.below(10) {
                        0..=5 => OutboxState::Accepted,
                        6 => OutboxState::Rejected,
                        7 => OutboxState::Conflict,
                        8 => OutboxState::Decided,
                        _ => OutboxState::Queued,
                    };
                    say(&format!("TRY {} {to:?}", it.seq.0));
                    match to {
                        OutboxState::Accepted => ob.mark_accepted(it.seq),
                        OutboxState::Rejected => ob.mark_rejected(it.seq, "記載不備"),
                        OutboxState::Conflict => ob.mark_conflict(it.seq, "資格情報が更新済み"),
                        OutboxState::Decided => ob.mark_decided(it.seq),
                        _ => ob.retry(it.seq),
                    }
                    .expect("transition");
                    say(&format!("ACK {} {to:?}", it.seq.0));
                }
            }
            15..=17 => {
                let list = ob.list().expect("list");
                for it in list
                    .into_iter()
                    .filter(|i| i.state == OutboxState::Accepted)
                    .take(3)
                {
                    say(&format!("TRY {} Decided", it.seq.0));
                    ob.mark_decided(it.seq).expect("decided");
                    say(&format!("ACK {} Decided", it.seq.0));
                }
            }
            18 => {
                let held =
                    ob.pending().expect("pending").into_iter().filter(|i| {
                        matches!(i.state, OutboxState::Rejected | OutboxState::Conflict)
                    });
                for it in held.take(2) {
                    if g.below(2) == 0 {
                        say(&format!("TRY {} Queued", it.seq.0));
                        ob.retry(it.seq).expect("retry");
                        say(&format!("ACK {} Queued", it.seq.0));
                    } else {
                        say(&format!("TRY {} Withdrawn", it.seq.0));
                        ob.withdraw(it.seq).expect("withdraw");
                        say(&format!("ACK {} Withdrawn", it.seq.0));
                    }
                }
            }
            _ => {
                if g.below(8) == 0 {
                    v.rotate_data_key().expect("rotate");
                    say("ROTATED");
                }
            }
        }
    }
}

const ROTATION_ITEMS: u64 = 200;
const ROTATION_KILLS: usize = 12;

/// Data-key rotation killed at random points resumes on the next open and loses nothing.
#[test]
fn rotation_survives_sigkill() {
    let ks = os_keystore();
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), &ks);
    for i in 1..=ROTATION_ITEMS {
        v.outbox()
            .enqueue(
                &format!("R{i}"),
                madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                format!("payload-{i}").as_bytes(),
            )
            .unwrap();
    }
    // Records in the other trees are re-encrypted too.
    v.settings().set("ui.mode", &"normal".to_string()).unwrap();
    v.audit_log().append(b"audit record").unwrap();
    let start_key = v.key_status().unwrap().active_data_key;
    drop(v);
    let exe = std::env::current_exe().unwrap();
    let mut rng = Gen::new(0x707a7e ^ u64::from(std::process::id()));
    let mut rotations = 0usize;
    for round in 0..ROTATION_KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash_rotate_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("VAULT_CRASH_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .filter(|l| l.ends_with("ROTATED"))
                .count()
        });
        std::thread::sleep(Duration::from_millis(100 + rng.below(900)));
        if let Ok(Some(status)) = child.try_wait() {
            panic!("round {round}: rotation child exited by itself ({status})");
        }
        child.kill().unwrap();
        child.wait().unwrap();
        rotations += reader.join().unwrap();

        let v = Vault::open(config(dir.path()), &ks).unwrap_or_else(|e| {
            panic!("round {round}: does not open after a kill during rotation: {e}")
        });
        let status = v.key_status().unwrap();
        assert!(
            !status.rotation_pending,
            "round {round}: open resumes and finishes the rotation"
        );
        let ob = v.outbox();
        let items = ob.list().unwrap();
        assert_eq!(items.len() as u64, ROTATION_ITEMS, "round {round}");
        for it in items {
            assert_eq!(
                ob.payload(it.seq).unwrap().as_slice(),
                format!("payload-{}", it.seq.0).as_bytes()
            );
        }
        assert_eq!(
            v.settings().get::<String>("ui.mode").unwrap().as_deref(),
            Some("normal")
        );
        assert_eq!(v.audit_log().read_from(1, 10).unwrap().len(), 1);
    }
    let v = open(dir.path(), &ks);
    let end_key = v.key_status().unwrap().active_data_key;
    println!(
        "rotation crash test: {ROTATION_KILLS} SIGKILLs, {rotations} completed rotations reported, key {start_key} → {end_key}"
    );
    assert!(
        end_key > start_key + ROTATION_KILLS as u32 / 2,
        "rotations did happen"
    );
    delete_key(v.vault_id());
}

/// Child process of `rotation_survives_sigkill`: rotates the data key over and over.
#[test]
#[ignore = "child process of rotation_survives_sigkill"]
fn crash_rotate_child() {
    let dir = std::env::var_os("VAULT_CRASH_DIR").expect("only run by rotation_survives_sigkill");
    let ks = KeyringKeyStore::os_default().expect("keyring");
    let v = Vault::open(config(Path::new(&dir)), &ks).expect("open");
    loop {
        v.rotate_data_key().expect("rotate");
        say("ROTATED");
    }
}
