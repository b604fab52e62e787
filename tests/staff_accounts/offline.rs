//! Offline sign-in: only within its window, never for a revoked id, locked locally, and the session may
//! only queue.

use super::*;

fn offline_sign_ins(counter: &Counter) -> Vec<Outcome> {
    counter
        .audit_review()
        .audit_entries()
        .expect("chain")
        .into_iter()
        .filter(|e| {
            e.event.operation == Operation::SignIn && e.event.target.as_deref() == Some("offline")
        })
        .map(|e| e.event.outcome)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_sign_in_follows_its_rules_and_only_queues() {
    let rig = start().await;
    let today = today_jst(Utc::now());
    let mut grants = clerk_from(today, None);
    grants.push(Grant {
        right: Right::MyNumber,
        from: today,
        until: None,
    });
    rig.ready_account("t.offline", "line down at the desk", grants.clone())
        .await;
    rig.ready_account("t.other", "another clerk at the desk", grants)
        .await;

    // Never signed in online here: no offline sign-in.
    rig.counter
        .session()
        .refresh_revocations()
        .await
        .expect("revocation list cached");
    rig.counter.simulate_line_failure(true);
    assert_eq!(
        code_of(
            rig.counter
                .session()
                .sign_in("t.offline", "line down at the desk")
                .await
        ),
        "offline_never_online"
    );
    rig.counter.simulate_line_failure(false);

    // Online sign-in keeps a verifier; a resident to work on is found online.
    rig.counter
        .session()
        .sign_in("t.offline", "line down at the desk")
        .await
        .expect("online");
    let resident = rig
        .counter
        .search()
        .search(&search())
        .await
        .expect("search")
        .residents[0]
        .resident_id;
    rig.counter.session().sign_out().await;
    rig.counter
        .session()
        .sign_in("t.other", "another clerk at the desk")
        .await
        .expect("online");
    rig.counter.session().sign_out().await;

    // The line goes down: offline sign-in within the window.
    rig.counter.simulate_line_failure(true);
    let staff = rig
        .counter
        .session()
        .sign_in("t.offline", "line down at the desk")
        .await
        .expect("offline sign-in");
    assert_eq!(staff.user_id, "t.offline");
    let state = rig.counter.session().session_state().expect("signed in");
    assert!(state.offline);

    // Only queueing: no 個人番号, no search, no record view; a notification is queued.
    let e = rig
        .counter
        .search()
        .reveal_my_number(
            resident,
            &RevealRequest {
                purpose: RevealPurpose::Notification,
                purpose_text: None,
            },
        )
        .await
        .expect_err("no reveal offline");
    assert_eq!(e.code(), Some("offline_session"));
    assert!(
        e.message_ja().contains("オフライン受付のみ"),
        "{}",
        e.message_ja()
    );
    assert_eq!(
        code_of(rig.counter.search().search(&search()).await),
        "offline_session"
    );
    assert_eq!(
        code_of(rig.counter.search().resident(resident).await),
        "offline_session"
    );
    let submitted = rig
        .counter
        .intake()
        .submit(
            Notification::Reissue(Reissue {
                resident_id: resident,
                reason: ReissueReason::Lost,
            }),
            today,
        )
        .await
        .expect("queued");
    match submitted {
        Submitted::Queued(receipt) => assert!(receipt.why_ja.contains("オフライン")),
        other => panic!("an offline session only queues: {other:?}"),
    }
    rig.counter
        .search()
        .roster_lookup(None, None, 10)
        .expect("the offline roster stays usable");

    // The line comes back: the offline session becomes an online one by itself and the queue drains.
    rig.counter.simulate_line_failure(false);
    let counter = rig.counter.clone();
    eventually(
        Duration::from_secs(15),
        "the offline session is online again",
        || {
            counter
                .session()
                .session_state()
                .is_some_and(|s| !s.offline)
        },
    )
    .await;
    eventually(
        Duration::from_secs(15),
        "the queued notification is decided",
        || {
            counter
                .intake()
                .queue()
                .is_ok_and(|q| q.iter().all(|i| i.state == "decided"))
        },
    )
    .await;
    rig.counter
        .search()
        .search(&search())
        .await
        .expect("online work again");
    rig.counter.session().sign_out().await;
    rig.counter.simulate_line_failure(true);

    // Wrong password offline counts toward a local lockout.
    for _ in 0..4 {
        assert_eq!(
            code_of(
                rig.counter
                    .session()
                    .sign_in("t.offline", "not my password")
                    .await
            ),
            "offline_invalid_credentials"
        );
    }
    assert_eq!(
        code_of(
            rig.counter
                .session()
                .sign_in("t.offline", "not my password")
                .await
        ),
        "offline_invalid_credentials"
    );
    assert_eq!(
        code_of(
            rig.counter
                .session()
                .sign_in("t.offline", "line down at the desk")
                .await
        ),
        "offline_locked"
    );

    // Revoked at the union while this terminal still hears it: the cached list refuses it offline.
    rig.counter.simulate_line_failure(false);
    let _: StaffAccount = rig
        .client
        .call::<(), _>(
            Method::POST,
            "/v1/staff/t.other/revoke",
            Some(&rig.admin),
            None,
            None,
        )
        .await
        .expect("revoke");
    rig.counter
        .session()
        .refresh_revocations()
        .await
        .expect("refresh");
    rig.counter.simulate_line_failure(true);
    assert_eq!(
        code_of(
            rig.counter
                .session()
                .sign_in("t.other", "another clerk at the desk")
                .await
        ),
        "offline_revoked"
    );

    // After the window (96 hours by default), no offline sign-in: the terminal's clock moves, nobody sleeps.
    rig.counter.simulate_line_failure(false);
    rig.counter
        .session()
        .sign_in(&rig.clerk_user, &rig.clerk_password)
        .await
        .expect("online");
    rig.counter.session().sign_out().await;
    rig.counter.simulate_line_failure(true);
    rig.advance_terminal_clock(chrono::Duration::hours(95));
    rig.counter
        .session()
        .sign_in(&rig.clerk_user, &rig.clerk_password)
        .await
        .expect("within the window");
    rig.counter.session().sign_out().await;
    rig.advance_terminal_clock(chrono::Duration::hours(2));
    let e = rig
        .counter
        .session()
        .sign_in(&rig.clerk_user, &rig.clerk_password)
        .await
        .expect_err("window passed");
    assert_eq!(e.code(), Some("offline_window_passed"));
    assert!(e.message_ja().contains("時間"));

    // Every offline sign-in, allowed or refused, is in the terminal's audit chain.
    let outcomes = offline_sign_ins(&rig.counter);
    let done = outcomes.iter().filter(|o| **o == Outcome::Done).count();
    assert_eq!(done, 2, "{outcomes:?}");
    for code in [
        "offline_never_online",
        "offline_invalid_credentials",
        "offline_locked",
        "offline_revoked",
        "offline_window_passed",
    ] {
        assert!(
            outcomes.contains(&Outcome::Refused { code: code.into() }),
            "{code} missing from {outcomes:?}"
        );
    }
    // The verifier and the list are sealed in the vault: no hash, password or user id in its files.
    rig.vault.flush().expect("flush");
    let mut files = vec![rig.vault.config().path.clone()];
    let mut scanned = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).expect("dir") {
                files.push(entry.expect("entry").path());
            }
            continue;
        }
        let bytes = std::fs::read(&p).expect("file");
        scanned += 1;
        for needle in [
            &b"$argon2id$"[..],
            b"line down at the desk",
            b"t.offline",
            b"t.other",
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?} in plaintext",
                p.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
    assert!(scanned > 0);
    assert_not_logged(&[
        "line down at the desk",
        "another clerk at the desk",
        "not my password",
        &rig.admin_token,
    ]);
    rig.shutdown().await;
}
