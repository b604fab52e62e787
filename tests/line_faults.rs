//! Line faults between terminal and union, through a TCP fault proxy: about a hundred queued notifications
//! drain while the line drops answers, delays, resets, goes half-open, refuses connections and the union
//! restarts. The queue drains exactly once: every notification is decided once at the union and shown
//! 決定 at the terminal, none 差戻し — including those the union decided while the terminal never heard
//! the answer (the resend with the same idempotency key gets the stored decision).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use madoguchi_counter::{Counter, CounterError, Submitted};
use madoguchi_link::sync::DecisionStore;
use madoguchi_link::{LineMonitor, LineState, LinkError, UnionClient};
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::ResidentSearchRequest;
use madoguchi_system_tests::proxy::{FaultProxy, Mode, Stats};
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{
    address_change, eventually, link_config_via, open_vault, synthetic_address, today,
};
use madoguchi_vault::{OutboxState, Vault};

const QUEUED: usize = 100;
const RESIDENTS: usize = 50;
/// The terminal gives up on a request after this; the proxy's delay is longer.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(1500);
const PHASE: Duration = Duration::from_secs(30);

fn states(vault: &Vault) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for i in vault.outbox().list().expect("outbox") {
        *m.entry(i.state.label_ja()).or_default() += 1;
    }
    m
}

/// Submits notification `n` as a clerk would while the line is in trouble: decided at once or queued,
/// never refused.
async fn submit(counter: &Counter, residents: &[madoguchi_protocol::v1::ResidentId], n: usize) {
    let r = residents[n % residents.len()];
    match counter
        .intake()
        .submit(address_change(r, n, today()), today())
        .await
        .expect("submit never fails on a line fault")
    {
        Submitted::Decided { .. } | Submitted::Queued(_) => {}
        Submitted::Refused { code, .. } => panic!("notification {n} refused: {code}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_drains_exactly_once_through_drops_delays_resets_half_open_and_a_union_restart() {
    let t0 = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut union = UnionHost::start(&dir.path().join("union")).await;
    let proxy = FaultProxy::start(union.addr).await;
    let residents: Vec<_> = union
        .insured_residents()
        .into_iter()
        .take(RESIDENTS)
        .map(|r| r.id)
        .collect();
    assert_eq!(residents.len(), RESIDENTS);
    let ledger_before = union.ledger_len();

    let vault = open_vault(&dir.path().join("terminal"), &union.access.terminal_id);
    let client = UnionClient::new(
        &link_config_via(&union.access, proxy.addr.port(), REQUEST_TIMEOUT),
        LineMonitor::new(),
    )
    .expect("client");
    let (counter, background) =
        Counter::start(client, vault.clone(), Duration::from_millis(200)).expect("counter starts");
    let (user, password) = (
        union.access.clerk_user.clone(),
        union.access.clerk_password.clone(),
    );
    counter
        .session()
        .sign_in(&user, &password)
        .await
        .expect("sign in");

    // A morning's work keeps a few connections open in the pool (they carry the first sends later).
    let search = ResidentSearchRequest {
        insured_number: None,
        kana: Some(madoguchi_domain::kana::KanaName::parse("ア").expect("kana")),
        birth_date: None,
        limit: Some(5),
    };
    let mut warm = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (counter, search) = (counter.clone(), search.clone());
        warm.spawn(async move { counter.search().search(&search).await.map(|_| ()) });
    }
    while let Some(r) = warm.join_next().await {
        r.expect("task").expect("search");
    }

    // The line is down for a while: the notifications are queued.
    counter.simulate_line_failure(true);
    for n in 0..QUEUED {
        submit(&counter, &residents, n).await;
    }
    assert_eq!(states(&vault).get("未送信"), Some(&QUEUED));
    let mut next = QUEUED;

    let line_back = |what: &'static str| {
        let counter = counter.clone();
        async move {
            eventually(PHASE, what, || counter.line_state() == LineState::Online).await;
        }
    };

    // 1. Answers lost: the line comes back but drops what the union says. The union decides what reaches
    //    it; the terminal times out and puts the item back to 未送信 — decided there, not heard here.
    proxy.set(Mode::DropReplies);
    counter.simulate_line_failure(false);
    let mut heard_nothing = Vec::new();
    eventually(
        PHASE,
        "an item decided at the union but back in the terminal's queue",
        || {
            heard_nothing = vault
                .outbox()
                .pending()
                .expect("pending")
                .into_iter()
                // Ask the union first, then the terminal: read the other way round, an item could be
                // sent and decided in between and only look unheard.
                .filter(|i| union.decided(i.idempotency_key.0).is_some())
                .filter(|i| {
                    vault
                        .outbox()
                        .get(i.seq)
                        .is_ok_and(|now| now.state == OutboxState::Queued)
                })
                .map(|i| i.seq)
                .collect();
            !heard_nothing.is_empty()
        },
    )
    .await;
    assert!(Stats::get(&proxy.stats.replies_dropped) > 0);
    println!(
        "drop replies: {} items decided unheard ({:.1} s)",
        heard_nothing.len(),
        t0.elapsed().as_secs_f64()
    );

    // 2. Delay longer than the terminal waits (open connections and new handshakes alike).
    proxy.set(Mode::Pass);
    line_back("line back after lost answers").await;
    let delayed = Stats::get(&proxy.stats.delayed);
    proxy.set(Mode::Delay(REQUEST_TIMEOUT * 2));
    submit(&counter, &residents, next).await;
    next += 1;
    eventually(PHASE, "requests time out behind the delay", || {
        Stats::get(&proxy.stats.delayed) > delayed && counter.line_state() == LineState::Offline
    })
    .await;
    println!(
        "delay: {:?} ({:.1} s)",
        states(&vault),
        t0.elapsed().as_secs_f64()
    );

    // 3. Resets.
    proxy.set(Mode::Pass);
    line_back("line back after the delay").await;
    let resets = Stats::get(&proxy.stats.resets);
    proxy.set(Mode::Reset);
    submit(&counter, &residents, next).await;
    next += 1;
    eventually(PHASE, "connections reset", || {
        Stats::get(&proxy.stats.resets) > resets && counter.line_state() == LineState::Offline
    })
    .await;
    println!(
        "reset: {:?} ({:.1} s)",
        states(&vault),
        t0.elapsed().as_secs_f64()
    );

    // 4. Half-open: connections accepted, nothing ever comes back.
    proxy.set(Mode::Pass);
    line_back("line back after resets").await;
    let half_open = Stats::get(&proxy.stats.half_open);
    proxy.set(Mode::Blackhole);
    submit(&counter, &residents, next).await;
    next += 1;
    eventually(PHASE, "half-open connections time out", || {
        Stats::get(&proxy.stats.half_open) > half_open && counter.line_state() == LineState::Offline
    })
    .await;
    println!(
        "half-open: {:?} ({:.1} s)",
        states(&vault),
        t0.elapsed().as_secs_f64()
    );

    // 5. Refused: nobody listens.
    proxy.set(Mode::Pass);
    line_back("line back after half-open").await;
    proxy.set(Mode::Refuse);
    submit(&counter, &residents, next).await;
    next += 1;
    eventually(PHASE, "connections refused", || {
        counter.line_state() == LineState::Offline
    })
    .await;
    println!(
        "refused: {:?} ({:.1} s)",
        states(&vault),
        t0.elapsed().as_secs_f64()
    );

    // 6. The union restarts (same data, same port) while the engine drains: sessions are gone, decisions
    //    are not. The clerk signs in again and the rest drains.
    proxy.set(Mode::Pass);
    line_back("line back after refused connections").await;
    union.stop().await;
    eventually(PHASE, "the terminal notices the union is down", || {
        counter.line_state() == LineState::Offline
    })
    .await;
    submit(&counter, &residents, next).await;
    next += 1;
    union.start_again().await;
    line_back("union back after its restart").await;
    match counter.search().search(&search).await {
        Err(CounterError::Link(LinkError::Refused { body, .. })) => {
            assert_eq!(
                body.code,
                ErrorCode::Unauthenticated,
                "session lost in the restart"
            )
        }
        other => panic!("the union forgot sessions in its restart, got {other:?}"),
    }
    counter
        .session()
        .sign_in(&user, &password)
        .await
        .expect("sign in again");
    for _ in 0..5 {
        submit(&counter, &residents, next).await;
        next += 1;
    }
    println!(
        "union restarted: {:?} ({:.1} s)",
        states(&vault),
        t0.elapsed().as_secs_f64()
    );

    let total = next;
    eventually(PHASE, "every notification decided", || {
        states(&vault).get("決定") == Some(&total)
    })
    .await;
    println!(
        "drained: {:?} ({:.1} s)",
        states(&vault),
        t0.elapsed().as_secs_f64()
    );

    // Terminal: all 決定, none 差戻し or 競合, each with the decision the union stored for its key.
    let items = vault.outbox().list().expect("outbox");
    assert_eq!(items.len(), total);
    assert!(items.iter().all(|i| i.state == OutboxState::Decided));
    assert!(counter.intake().work_list().expect("work list").is_empty());
    let kept: HashMap<u64, _> = DecisionStore::new(vault.clone())
        .ready()
        .expect("decisions")
        .into_iter()
        .map(|(s, d)| (s.0, d))
        .collect();
    assert_eq!(kept.len(), total);

    // Union: exactly one decision per notification.
    assert_eq!(
        union.ledger_len() - ledger_before,
        total,
        "decided exactly once"
    );
    for item in &items {
        let stored = union
            .decided(item.idempotency_key.0)
            .unwrap_or_else(|| panic!("{} not decided at the union", item.seq));
        assert_eq!(
            kept[&item.seq.0].notification_id, stored.decision.notification_id,
            "{}: the terminal holds the union's decision",
            item.seq
        );
    }
    // The ones decided unheard were answered again — from the stored decision, not decided again.
    let mut answers: HashMap<String, usize> = HashMap::new();
    for e in union.audit() {
        if e.operation == "POST /v1/notifications" && e.status == 200 {
            *answers.entry(e.target.expect("target")).or_default() += 1;
        }
    }
    assert_eq!(answers.len(), total);
    for seq in &heard_nothing {
        let id = kept[&seq.0].notification_id;
        assert!(
            answers[&format!("notification:{id}")] >= 2,
            "{seq}: decided unheard, then answered again from the stored decision"
        );
    }
    // Per resident in order: each address is the one of the resident's last notification.
    let by_id: HashMap<_, _> = union.residents().into_iter().map(|r| (r.id, r)).collect();
    let ids: HashSet<_> = residents.iter().collect();
    assert_eq!(ids.len(), RESIDENTS);
    for (j, id) in residents.iter().enumerate() {
        let last = (0..total).rev().find(|n| n % RESIDENTS == j).expect("n");
        assert_eq!(by_id[id].address, synthetic_address(last), "resident {j}");
    }
    println!(
        "line faults: {total} notifications, proxy {:?}, {:.1} s",
        proxy.stats,
        t0.elapsed().as_secs_f64()
    );
    background.abort();
    union.stop().await;
}
