//! The terminal's audit chain reaches the union: shipped in order, checked per terminal, every kind of
//! tampering (edit, delete, reorder, renumber, rewrite of shipped history, restart/truncation, foreign
//! entries) flagged and visible to administrators; a restart resumes without gaps or duplicates; the
//! administrator's search filters and the export (verifiable like `madoguchi-admin audit verify`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use madoguchi_audit::{AuditEntry, AuditEvent, ChainHead, Operation, Outcome, verify_export};
use madoguchi_counter::{Counter, PrintOccasion, ReprintReason, Shipped};
use madoguchi_link::{LineMonitor, SessionToken, UnionClient};
use madoguchi_protocol::v1::{
    AuditChainAck, AuditChainBatch, AuditExportResponse, AuditFlagsResponse, AuditSearchRequest,
    AuditSearchResponse, ChainFlagKind, SignInRequest, SignInResponse,
};
use madoguchi_system_tests::{insured_residents, link_config, start, today};
use madoguchi_union_server::training;

fn account<'a>(
    union: &'a training::TrainingServer,
    suffix: &str,
) -> &'a madoguchi_union_server::seed::TrainingAccount {
    union
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with(suffix))
        .unwrap_or_else(|| panic!("training account {suffix}"))
}

async fn admin_token(client: &UnionClient, union: &training::TrainingServer) -> SessionToken {
    let a = account(union, "-admin");
    let resp: SignInResponse = client
        .post(
            "/v1/session",
            None,
            None,
            &SignInRequest {
                user_id: a.user_id.clone(),
                password: a.password.clone(),
            },
        )
        .await
        .expect("admin signs in");
    SessionToken::new(resp.token)
}

async fn search(
    client: &UnionClient,
    token: &SessionToken,
    req: &AuditSearchRequest,
) -> AuditSearchResponse {
    client
        .post("/v1/audit/search", Some(token), None, req)
        .await
        .expect("audit search")
}

fn event(n: u32, terminal: &str) -> AuditEvent {
    AuditEvent {
        at: chrono::Utc::now(),
        terminal: terminal.into(),
        user: format!("clerk{:02}", n % 3),
        operation: Operation::Search,
        target: Some(format!("test:{n}")),
        purpose: None,
        outcome: Outcome::Done,
    }
}

fn chain(n: u32, terminal: &str) -> Vec<AuditEntry> {
    let mut head = ChainHead::default();
    (1..=n).map(|i| head.append(event(i, terminal))).collect()
}

async fn ship(client: &UnionClient, entries: &[AuditEntry]) -> AuditChainAck {
    client
        .post(
            "/v1/audit/chain",
            None,
            None,
            &AuditChainBatch {
                entries: entries.to_vec(),
            },
        )
        .await
        .expect("shipment answered")
}

/// A union without a counter, so that this test alone ships the training terminal's chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_union_flags_every_kind_of_tampering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let union = training::start(&dir.path().join("union"))
        .await
        .expect("union");
    let client = UnionClient::new(&link_config(&union), LineMonitor::new()).expect("client");
    let t = union.terminal_id.clone();
    let c = chain(12, &t);

    let ack = ship(&client, &c[..5]).await;
    assert_eq!((ack.accepted.seq, ack.flag.is_none()), (5, true));
    // A retry after a lost answer repeats 3–5 and continues: accepted, nothing stored twice.
    let ack = ship(&client, &c[2..7]).await;
    assert_eq!((ack.accepted.seq, ack.flag.is_none()), (7, true));

    let flagged = |ack: AuditChainAck| {
        assert_eq!(
            ack.accepted.seq, 7,
            "a flagged shipment never moves the head"
        );
        ack.flag.expect("flagged")
    };
    // Edited: content changed, hash left as it was.
    let mut edited = c[7..10].to_vec();
    edited[1].event.user = "someone-else".into();
    let f = flagged(ship(&client, &edited).await);
    assert_eq!(
        (f.kind, f.expected_seq, f.found_seq),
        (ChainFlagKind::Edited, 8, Some(9))
    );
    // The same shipment again: the same flag record, not a second one.
    let again = flagged(ship(&client, &edited).await);
    assert_eq!(again.id, f.id);
    // Deleted: entry 9 missing.
    let deleted = vec![c[7].clone(), c[9].clone()];
    let f = flagged(ship(&client, &deleted).await);
    assert_eq!((f.kind, f.found_seq), (ChainFlagKind::Gap, Some(10)));
    // Reordered: 8 and 9 swapped.
    let reordered = vec![c[8].clone(), c[7].clone()];
    assert_eq!(
        flagged(ship(&client, &reordered).await).kind,
        ChainFlagKind::Gap
    );
    let back = vec![c[7].clone(), c[8].clone(), c[7].clone()];
    assert_eq!(
        flagged(ship(&client, &back).await).kind,
        ChainFlagKind::Reordered
    );
    // Renumbered after a deletion: the links give it away.
    let mut renumbered = vec![c[8].clone()];
    renumbered[0].seq = 8;
    assert_eq!(
        flagged(ship(&client, &renumbered).await).kind,
        ChainFlagKind::BrokenLink
    );
    // Shipped history rewritten (hash recomputed, so the chain alone looks fine).
    let mut rewritten = c[5..8].to_vec();
    rewritten[0].event.target = Some("test:other".into());
    rewritten[0].hash = AuditEntry::compute_hash(6, &rewritten[0].prev, &rewritten[0].event);
    let f = flagged(ship(&client, &rewritten).await);
    assert_eq!((f.kind, f.found_seq), (ChainFlagKind::Edited, Some(6)));
    // Truncated and started over (a reset or restored vault): a different chain from seq 1.
    let restarted = chain(3, &t);
    assert_eq!(
        flagged(ship(&client, &restarted).await).kind,
        ChainFlagKind::Restarted
    );
    // Entries recorded by another terminal.
    let mut foreign_head = ChainHead {
        seq: 7,
        hash: c[6].hash,
    };
    let foreign = vec![foreign_head.append(event(8, "OTHER-99"))];
    assert_eq!(
        flagged(ship(&client, &foreign).await).kind,
        ChainFlagKind::WrongTerminal
    );

    // The true continuation is still accepted.
    let ack = ship(&client, &c[7..]).await;
    assert_eq!((ack.accepted.seq, ack.flag.is_none()), (12, true));

    // Administrators see the flags; the union holds 1..=12 exactly once.
    let token = admin_token(&client, &union).await;
    let flags: AuditFlagsResponse = client
        .get("/v1/audit/flags", Some(&token))
        .await
        .expect("flags");
    assert_eq!(flags.flags.len(), 8, "{:?}", flags.flags);
    assert!(
        flags
            .flags
            .iter()
            .all(|f| f.terminal_id == t && !f.message_ja.is_empty())
    );
    let all = search(
        &client,
        &token,
        &AuditSearchRequest {
            limit: Some(1000),
            ..Default::default()
        },
    )
    .await;
    let mut seqs: Vec<u64> = all.entries.iter().map(|e| e.entry.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>());
    assert_eq!(
        all.entries.iter().map(|e| &e.entry).find(|e| e.seq == 6),
        Some(&c[5])
    );

    // The export's chain file verifies, and any edit, deletion, reordering or truncation of it is found.
    let export: AuditExportResponse = client
        .post(
            "/v1/audit/export",
            Some(&token),
            None,
            &AuditSearchRequest {
                user_id: Some("clerk01".into()),
                ..Default::default()
            },
        )
        .await
        .expect("export");
    assert_eq!(export.matched, 4, "clerk01 recorded entries 1, 4, 7 and 10");
    // The export is itself audited by the union: who exported how many entries.
    let trail: madoguchi_protocol::v1::AuditPage = client
        .get("/v1/audit", Some(&token))
        .await
        .expect("server audit");
    let admin_id = account(&union, "-admin").user_id.clone();
    assert!(
        trail
            .entries
            .iter()
            .any(|e| e.operation == "POST /v1/audit/export"
                && e.user_id.as_deref() == Some(admin_id.as_str())
                && e.target.as_deref() == Some("audit-export:4"))
    );
    assert_eq!(export.csv.lines().count(), 5, "{}", export.csv);
    let file = &export.chains[0];
    let v = verify_export(file.jsonl.as_bytes()).expect("export verifies");
    assert_eq!((v.count, v.header.from.seq, v.head.seq), (10, 0, 10));
    let lines: Vec<&str> = file.jsonl.lines().collect();
    let check = |ls: Vec<&str>| verify_export(ls.join("\n").as_bytes());
    let mut e = lines.clone();
    let changed = e[3].replace("clerk", "admin");
    e[3] = &changed;
    assert!(check(e).is_err(), "edit");
    let mut d = lines.clone();
    d.remove(4);
    assert!(check(d).is_err(), "delete");
    let mut r = lines.clone();
    r.swap(2, 3);
    assert!(check(r).is_err(), "reorder");
    assert!(check(lines[..6].to_vec()).is_err(), "truncate");
    union.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipping_resumes_after_a_restart_and_admins_search_it() {
    let rig = start().await;
    let clerk = account(&rig.union, "-clerk");
    assert!(
        rig.counter
            .session()
            .sign_in(&clerk.user_id, "wrong")
            .await
            .is_err()
    );
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    let people = insured_residents(&rig.counter, 2).await;
    let (x, y) = (&people[0], &people[1]);
    rig.counter
        .search()
        .resident(x.resident_id)
        .await
        .expect("view x");
    rig.counter
        .search()
        .resident(y.resident_id)
        .await
        .expect("view y");
    rig.counter
        .search()
        .resident(x.resident_id)
        .await
        .expect("view x again");

    // Reprints need a reason, and the print history survives a restart.
    let doc = format!("resident:{}", x.resident_id);
    let first = rig
        .counter
        .issuance()
        .print_occasion(&doc, None)
        .await
        .expect("first");
    assert_eq!(first, PrintOccasion::First);
    rig.counter
        .issuance()
        .record_print_job(&doc, &first, None)
        .await
        .expect("printed");
    let refused = rig.counter.issuance().print_occasion(&doc, None).await;
    assert_eq!(
        refused.expect_err("no reason").code(),
        Some("reprint_reason_required")
    );

    let up_to = match rig.counter.audit_review().ship_audit().await.expect("ship") {
        Shipped::UpTo(n) => n,
        Shipped::Flagged(f) => panic!("flagged: {f:?}"),
    };
    let local = rig.counter.audit_review().audit_entries().expect("entries");
    assert_eq!(up_to, local.last().expect("entries").seq);
    assert_eq!(
        rig.counter
            .audit_review()
            .audit_shipping()
            .expect("status")
            .pending,
        0
    );
    rig.background.abort();
    let client = || UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");

    // Restart: the acknowledged position was kept; new entries ship after it.
    let (again, bg) =
        Counter::start(client(), rig.vault.clone(), Duration::from_secs(60)).expect("restart");
    assert_eq!(
        again
            .audit_review()
            .audit_shipping()
            .expect("status")
            .acknowledged_seq,
        up_to
    );
    again
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in again");
    let reprint = again
        .issuance()
        .print_occasion(&doc, Some(ReprintReason::Damaged))
        .await
        .expect("reprint with reason");
    assert_eq!(reprint.reprint_count(), 1);
    again
        .issuance()
        .record_print_job(&doc, &reprint, None)
        .await
        .expect("reprinted");
    again.session().sign_out().await;
    // Drop everything acknowledged on the terminal: only the anchor stays.
    again.audit_review().set_audit_retention(Duration::ZERO);
    let total = match again.audit_review().ship_audit().await.expect("ship") {
        Shipped::UpTo(n) => n,
        Shipped::Flagged(f) => panic!("flagged: {f:?}"),
    };
    assert!(total > up_to);
    eventually_pruned(&again).await;
    bg.abort();
    drop(again);

    // The pruned chain still verifies at start (from its anchor) and keeps numbering.
    let (third, bg3) = Counter::start(client(), rig.vault.clone(), Duration::from_secs(60))
        .expect("a pruned chain opens from its anchor");
    let admin = account(&rig.union, "-admin");
    third
        .session()
        .sign_in(&admin.user_id, &admin.password)
        .await
        .expect("admin");
    let kept = third.audit_review().audit_entries().expect("entries");
    assert_eq!(
        kept.first().map(|e| e.seq),
        Some(total + 1),
        "continues after the anchor"
    );

    // The union holds every entry exactly once, in one unbroken run.
    let all = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            terminal_id: Some(rig.union.terminal_id.clone()),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("search");
    let mut seqs: Vec<u64> = all.entries.iter().map(|e| e.entry.seq).collect();
    seqs.sort_unstable();
    let last = seqs.last().copied().unwrap_or(0);
    assert!(last >= total);
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "no gap, no duplicate");

    // Filters: by resident (被保険者番号, resolved by the union), user, operation, dates.
    let insured = x.insured_number.clone().expect("insured number");
    let about_x = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            insured_number: Some(insured),
            ..Default::default()
        })
        .await
        .expect("by resident");
    let target = format!("resident:{}", x.resident_id);
    assert_eq!(
        about_x.entries.len(),
        5,
        "two views, a print, a refused reprint, a reprint"
    );
    assert!(
        about_x
            .entries
            .iter()
            .all(|e| e.entry.event.target.as_deref() == Some(target.as_str()))
    );
    let reprints: Vec<_> = about_x
        .entries
        .iter()
        .filter(|e| e.entry.event.operation == Operation::Reprint)
        .filter(|e| e.entry.event.outcome == Outcome::Done)
        .collect();
    assert_eq!(reprints.len(), 1);
    assert_eq!(
        reprints[0].entry.event.purpose.as_deref(),
        Some("汚損・破損")
    );
    let views = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            user_id: Some(clerk.user_id.clone()),
            operation: Some(Operation::ViewResident),
            from: Some(today()),
            to: Some(today()),
            ..Default::default()
        })
        .await
        .expect("views");
    assert_eq!(views.entries.len(), 3);
    let refused_sign_ins = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            operation: Some(Operation::SignIn),
            user_id: Some(clerk.user_id.clone()),
            ..Default::default()
        })
        .await
        .expect("sign-ins");
    assert_eq!(refused_sign_ins.entries.len(), 3, "one refused, two done");
    let yesterday = today() - chrono::Duration::days(1);
    let none = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            to: Some(yesterday),
            ..Default::default()
        })
        .await
        .expect("before today");
    assert!(none.entries.is_empty());
    let newest_first: Vec<_> = all.entries.iter().map(|e| e.entry.event.at).collect();
    assert!(newest_first.windows(2).all(|w| w[0] >= w[1]));
    // The day index finds exactly what a full scan finds (nothing ships between the two searches).
    bg3.abort();
    third.audit_review().ship_audit().await.expect("shipped");
    let scanned = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            to: Some(today()),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("full scan");
    let indexed = third
        .audit_review()
        .audit_search(&AuditSearchRequest {
            from: Some(today()),
            to: Some(today()),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("by day");
    assert_eq!(indexed, scanned);
    assert!(indexed.entries.len() as u64 >= total);
    rig.union.shutdown().await;
}

async fn eventually_pruned(counter: &Counter) {
    for _ in 0..50 {
        if counter
            .audit_review()
            .audit_entries()
            .expect("entries")
            .is_empty()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = counter.audit_review().ship_audit().await;
    }
    panic!("acknowledged entries were not pruned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_forged_on_a_running_terminal_is_flagged_when_shipped() {
    let rig = start().await;
    let clerk = account(&rig.union, "-clerk");
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    insured_residents(&rig.counter, 1).await;
    assert!(matches!(
        rig.counter.audit_review().ship_audit().await.expect("ship"),
        Shipped::UpTo(_)
    ));
    let entries = rig.counter.audit_review().audit_entries().expect("entries");
    let mut forged = entries[1].clone();
    forged.event.user = "someone-else".into();
    rig.vault
        .audit_log()
        .append(&serde_json::to_vec(&forged).expect("json"))
        .expect("append");
    match rig
        .counter
        .audit_review()
        .ship_audit()
        .await
        .expect("answered")
    {
        Shipped::Flagged(f) => assert_eq!(f.kind, ChainFlagKind::Edited),
        other => panic!("expected a flag, got {other:?}"),
    }
    assert!(
        rig.counter
            .audit_review()
            .audit_shipping()
            .expect("status")
            .flag
            .is_some()
    );
    rig.background.abort();
    rig.union.shutdown().await;
}

/// Entries with long purposes (a reprint's その他) ship in several bodies under the union's 64 KiB limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_entries_ship_in_several_batches() {
    let rig = start().await;
    let clerk = account(&rig.union, "-clerk");
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("sign in");
    let why = ReprintReason::Other("窓口で用紙が破れたため再印刷".repeat(14));
    for i in 0..90 {
        let doc = format!("receipt:queue:{i}");
        let first = rig
            .counter
            .issuance()
            .print_occasion(&doc, None)
            .await
            .expect("first");
        rig.counter
            .issuance()
            .record_print_job(&doc, &first, None)
            .await
            .expect("print");
        let again = rig
            .counter
            .issuance()
            .print_occasion(&doc, Some(why.clone()))
            .await
            .expect("reprint");
        rig.counter
            .issuance()
            .record_print_job(&doc, &again, None)
            .await
            .expect("reprint");
    }
    let last = rig
        .counter
        .audit_review()
        .audit_entries()
        .expect("entries")
        .last()
        .map(|e| e.seq)
        .expect("entries");
    assert_eq!(
        rig.counter
            .audit_review()
            .ship_audit()
            .await
            .expect("shipped"),
        Shipped::UpTo(last)
    );
    assert_eq!(
        rig.counter
            .audit_review()
            .audit_shipping()
            .expect("status")
            .pending,
        0
    );
    rig.background.abort();
    rig.union.shutdown().await;
}
