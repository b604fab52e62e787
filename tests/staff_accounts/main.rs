//! Staff accounts end to end, over real mutual TLS with a real vault: the 情報システム管理者 creates an
//! account, its first sign-in must change the password and can do nothing else until then, the password
//! policy refuses weak and reused passwords in Japanese, grants take effect only within their validity
//! period (the union's injectable clock), revocation ends an open session at its next request, repeated
//! failures lock the account and the lockout is in the union's audit trail, and offline sign-in follows its
//! rules (window, cached revocation list, local lockout, queue only; N:3883–3888, 3951–3954).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod offline;
mod rig;
use rig::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sign_in_must_change_the_password_before_anything_else() {
    let rig = start().await;
    let today = today_jst(Utc::now());
    let initial = "handed over on paper";
    let created = rig
        .create("t.first", initial, clerk_from(today, None))
        .await;
    assert_eq!(created.state, AccountState::Active);
    assert_eq!(
        created.must_change_password,
        Some(PasswordChangeReason::FirstSignIn)
    );
    let listed = serde_json::to_string(
        &rig.client
            .get::<serde_json::Value>("/v1/staff", Some(&rig.admin))
            .await
            .expect("list"),
    )
    .expect("json");
    assert!(listed.contains("t.first"));
    assert!(!listed.contains("argon2"), "no hash in the list: {listed}");

    // The policy refuses weak passwords at creation too, in Japanese.
    let weak = rig
        .client
        .post::<_, StaffAccount>(
            "/v1/staff",
            Some(&rig.admin),
            None,
            &NewStaffRequest {
                user_id: "t.weak".into(),
                display_name: "試験".into(),
                initial_password: "short".into(),
                grants: clerk_from(today, None),
            },
        )
        .await
        .expect_err("short initial password");
    assert_eq!(weak.code(), Some("password_too_short"));
    assert!(
        weak.message_ja().contains("12文字以上"),
        "{}",
        weak.message_ja()
    );

    let staff = rig
        .counter
        .session()
        .sign_in("t.first", initial)
        .await
        .expect("first sign-in");
    assert_eq!(staff.user_id, "t.first");
    let state = rig.counter.session().session_state().expect("signed in");
    assert!(!state.offline);
    assert_eq!(
        state.must_change_password,
        Some(PasswordChangeReason::FirstSignIn)
    );
    assert!(
        state
            .must_change_message_ja
            .expect("message")
            .contains("初回")
    );
    // Every other request of this session is refused until the password is changed.
    assert_eq!(
        code_of(rig.counter.search().search(&search()).await),
        "password_change_required"
    );
    assert_eq!(
        code_of(rig.counter.search().refresh_roster().await),
        "password_change_required"
    );

    // Policy violations, each with its own code and Japanese message.
    let e = rig
        .counter
        .session()
        .change_password(initial, "too short")
        .await
        .expect_err("short");
    assert_eq!(e.code(), Some("password_too_short"));
    assert!(e.message_ja().contains("12文字以上"));
    let e = rig
        .counter
        .session()
        .change_password(initial, "T.First-at-the-counter")
        .await
        .expect_err("contains the user id");
    assert_eq!(e.code(), Some("password_weak"));
    assert!(e.message_ja().contains("ユーザID"));
    let e = rig
        .counter
        .session()
        .change_password(initial, "Password2026!!")
        .await
        .expect_err("common");
    assert_eq!(e.code(), Some("password_weak"));
    let e = rig
        .counter
        .session()
        .change_password(initial, initial)
        .await
        .expect_err("the same password");
    assert_eq!(e.code(), Some("password_reused"));
    assert!(e.message_ja().contains("使えません"));
    let e = rig
        .counter
        .session()
        .change_password("not the current one", "a fresh passphrase here")
        .await
        .expect_err("wrong current password");
    assert_eq!(e.code(), Some("invalid_credentials"));

    rig.counter
        .session()
        .change_password(initial, "a fresh passphrase here")
        .await
        .expect("changed");
    assert_eq!(
        rig.counter
            .session()
            .session_state()
            .expect("signed in")
            .must_change_password,
        None
    );
    rig.counter
        .search()
        .search(&search())
        .await
        .expect("search works now");

    // Reuse of a recent password is refused.
    let e = rig
        .counter
        .session()
        .change_password("a fresh passphrase here", initial)
        .await
        .expect_err("recent password");
    assert_eq!(e.code(), Some("password_reused"));
    rig.counter
        .session()
        .change_password("a fresh passphrase here", "another fresh passphrase")
        .await
        .expect("a new one is fine");

    // An administrator's reset makes the next sign-in change the password again.
    rig.counter.session().sign_out().await;
    let reset: StaffAccount = rig
        .client
        .post(
            "/v1/staff/t.first/password",
            Some(&rig.admin),
            None,
            &serde_json::json!({"new_password": "temporary from the admin"}),
        )
        .await
        .expect("reset");
    assert_eq!(
        reset.must_change_password,
        Some(PasswordChangeReason::Reset)
    );
    rig.counter
        .session()
        .sign_in("t.first", "temporary from the admin")
        .await
        .expect("sign in after reset");
    assert_eq!(
        code_of(rig.counter.search().search(&search()).await),
        "password_change_required"
    );
    assert_not_logged(&[
        initial,
        "a fresh passphrase here",
        "another fresh passphrase",
        "temporary from the admin",
        "T.First-at-the-counter",
        &rig.admin_token,
    ]);
    rig.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_count_only_within_their_validity_period() {
    let rig = start().await;
    let now = Utc::now();
    let today = today_jst(now);
    let day = |n: i64| today + chrono::Duration::days(n);
    // A temporary clerk: from tomorrow for 30 days; the 個人番号 right only from day 10.
    let mut grants = clerk_from(day(1), Some(day(30)));
    grants.push(Grant {
        right: Right::MyNumber,
        from: day(10),
        until: Some(day(30)),
    });
    rig.ready_account_at(
        "t.temp",
        "temporary contract pass",
        grants,
        now + chrono::Duration::days(1),
    )
    .await;
    rig.set_clock(now);
    let e = sign_in(&rig.client, "t.temp", "temporary contract pass")
        .await
        .expect_err("not yet in effect");
    assert_eq!(e.code(), Some("no_grant_in_effect"));

    rig.set_clock(now + chrono::Duration::days(1));
    let token = SessionToken::new(
        sign_in(&rig.client, "t.temp", "temporary contract pass")
            .await
            .expect("in effect")
            .token,
    );
    let found: serde_json::Value = rig
        .client
        .post("/v1/residents/search", Some(&token), None, &search())
        .await
        .expect("search as a clerk");
    let resident = found["residents"][0]["resident_id"]
        .as_str()
        .expect("a resident")
        .to_owned();
    let purpose = RevealRequest {
        purpose: RevealPurpose::IdentityCheck,
        purpose_text: None,
    };
    let reveal = rig
        .client
        .post::<_, serde_json::Value>(
            &format!("/v1/residents/{resident}/my-number"),
            Some(&token),
            None,
            &purpose,
        )
        .await
        .expect_err("個人番号 right not yet in effect");
    assert_eq!(reveal.code(), Some("my_number_permission_required"));

    // Day 10: the same open session gets the 個人番号 right (rights are read on every request).
    rig.set_clock(now + chrono::Duration::days(10));
    let answer = rig
        .client
        .post::<_, serde_json::Value>(
            &format!("/v1/residents/{resident}/my-number"),
            Some(&token),
            None,
            &purpose,
        )
        .await;
    assert!(
        !matches!(&answer, Err(e) if e.code() == Some("my_number_permission_required")),
        "the right is in effect: {answer:?}"
    );

    // The day after the contract ends, the open session is refused at its next request.
    rig.set_clock(now + chrono::Duration::days(31));
    let e = rig
        .client
        .post::<_, serde_json::Value>("/v1/residents/search", Some(&token), None, &search())
        .await
        .expect_err("contract over");
    assert_eq!(e.code(), Some("no_grant_in_effect"));
    let list: RevocationList = rig.client.get("/v1/revocations", None).await.expect("list");
    assert!(list.user_ids.contains(&"t.temp".to_owned()));
    rig.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_user_is_refused_on_the_next_request() {
    let rig = start().await;
    let today = today_jst(Utc::now());
    rig.ready_account(
        "t.leaving",
        "moving to another office",
        clerk_from(today, None),
    )
    .await;
    rig.counter
        .session()
        .sign_in("t.leaving", "moving to another office")
        .await
        .expect("sign in");
    rig.counter.search().search(&search()).await.expect("works");

    let revoked: StaffAccount = rig
        .client
        .call::<(), _>(
            Method::POST,
            "/v1/staff/t.leaving/revoke",
            Some(&rig.admin),
            None,
            None,
        )
        .await
        .expect("revoke");
    assert_eq!(revoked.state, AccountState::Revoked);
    assert!(revoked.revoked_at.is_some());

    // The open session's next request is refused, and the terminal signs the user out.
    assert_eq!(
        code_of(rig.counter.search().search(&search()).await),
        "account_revoked"
    );
    assert!(rig.counter.staff().is_none(), "signed out on the terminal");
    assert_eq!(
        code_of(rig.counter.search().search(&search()).await),
        "terminal_error",
        "no session left to use"
    );
    let e = sign_in(&rig.client, "t.leaving", "moving to another office")
        .await
        .expect_err("no new session");
    assert_eq!(e.code(), Some("invalid_credentials"));
    // Kept, never reused.
    let e = rig
        .client
        .post::<_, StaffAccount>(
            "/v1/staff",
            Some(&rig.admin),
            None,
            &NewStaffRequest {
                user_id: "t.leaving".into(),
                display_name: "別人".into(),
                initial_password: "a brand new person".into(),
                grants: clerk_from(today, None),
            },
        )
        .await
        .expect_err("id reused");
    assert_eq!(e.code(), Some("user_id_taken"));
    let list = rig
        .counter
        .session()
        .refresh_revocations()
        .await
        .expect("list");
    assert!(list.user_ids.contains(&"t.leaving".to_owned()));
    assert_eq!(list.municipality.as_str(), "152111");
    // A revocation leaves the administrator able to work, and an admin cannot revoke themself.
    let e = rig
        .client
        .call::<(), serde_json::Value>(
            Method::POST,
            &format!("/v1/staff/{}/revoke", rig.admin_user),
            Some(&rig.admin),
            None,
            None,
        )
        .await
        .expect_err("self-revocation");
    assert_eq!(e.code(), Some("forbidden"));
    rig.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_account_and_the_lockout_is_audited() {
    let rig = start().await;
    let user = rig.clerk_user.clone();
    for i in 0..5 {
        let e = sign_in(&rig.client, &user, &format!("wrong password {i}"))
            .await
            .expect_err("wrong password");
        assert_eq!(e.code(), Some("invalid_credentials"));
    }
    let e = sign_in(&rig.client, &user, &rig.clerk_password)
        .await
        .expect_err("locked");
    assert_eq!(e.code(), Some("account_locked"));
    let audit = rig
        .store()
        .audit(&"152111".parse().expect("code"), None, 1000)
        .expect("audit");
    let lockout = audit
        .iter()
        .find(|e| e.operation == LOCKOUT_OPERATION)
        .expect("the lockout is in the union's audit trail");
    assert_eq!(lockout.user_id.as_deref(), Some(user.as_str()));
    assert_eq!(
        lockout.error,
        Some(madoguchi_protocol::ErrorCode::AccountLocked)
    );
    assert!(
        !serde_json::to_string(&audit)
            .expect("json")
            .contains("wrong password")
    );

    let listed: serde_json::Value = rig
        .client
        .get("/v1/staff", Some(&rig.admin))
        .await
        .expect("list");
    let me = listed["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["user_id"] == user.as_str())
        .expect("listed");
    assert_eq!(me["state"], "locked");
    let _: StaffAccount = rig
        .client
        .call::<(), _>(
            Method::POST,
            &format!("/v1/staff/{user}/unlock"),
            Some(&rig.admin),
            None,
            None,
        )
        .await
        .expect("unlock");
    sign_in(&rig.client, &user, &rig.clerk_password)
        .await
        .expect("unlocked");
    assert_not_logged(&["wrong password 0", "wrong password 4", &rig.clerk_password]);
    rig.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_password_must_be_changed_and_withdrawn_grants_count_at_once() {
    let rig = start().await;
    let now = Utc::now();
    let today = today_jst(now);
    rig.ready_account(
        "t.yearly",
        "first passphrase of the year",
        clerk_from(today, None),
    )
    .await;

    // A year later (union.toml max_age_days = 365 by default) the sign-in says the password expired.
    rig.set_clock(now + chrono::Duration::days(365));
    let resp = sign_in(&rig.client, "t.yearly", "first passphrase of the year")
        .await
        .expect("sign in");
    assert_eq!(
        resp.must_change_password,
        Some(PasswordChangeReason::Expired)
    );
    let token = SessionToken::new(resp.token);
    let e = rig
        .client
        .post::<_, serde_json::Value>("/v1/residents/search", Some(&token), None, &search())
        .await
        .expect_err("nothing before the change");
    assert_eq!(e.code(), Some("password_change_required"));
    let _: serde_json::Value = rig
        .client
        .post(
            "/v1/session/password",
            Some(&token),
            None,
            &serde_json::json!({
                "current_password": "first passphrase of the year",
                "new_password": "second passphrase of the year",
            }),
        )
        .await
        .expect("changed");
    let _: serde_json::Value = rig
        .client
        .post("/v1/residents/search", Some(&token), None, &search())
        .await
        .expect("works again");

    // Back to today (the administrator's own password would have expired too). The administrator ends
    // the grant yesterday: the open session's next request is refused.
    rig.set_clock(now);
    let account: StaffAccount = rig
        .client
        .call(
            Method::PUT,
            "/v1/staff/t.yearly/grants",
            Some(&rig.admin),
            None,
            Some(&serde_json::json!({"grants": [
                {
                    "right": "clerk",
                    "from": today - chrono::Duration::days(10),
                    "until": today - chrono::Duration::days(1),
                }
            ]})),
        )
        .await
        .expect("grants set");
    assert!(account.grants.iter().all(|g| !g.in_effect));
    let e = rig
        .client
        .post::<_, serde_json::Value>("/v1/residents/search", Some(&token), None, &search())
        .await
        .expect_err("grant withdrawn");
    assert_eq!(e.code(), Some("no_grant_in_effect"));
    // An administrator cannot take their own 情報システム管理者 right away.
    let e = rig
        .client
        .call::<_, serde_json::Value>(
            Method::PUT,
            &format!("/v1/staff/{}/grants", rig.admin_user),
            Some(&rig.admin),
            None,
            Some(&serde_json::json!({"grants": [{"right": "clerk", "from": today}]})),
        )
        .await
        .expect_err("self-demotion");
    assert_eq!(e.code(), Some("forbidden"));
    assert_not_logged(&[
        "first passphrase of the year",
        "second passphrase of the year",
    ]);
    rig.shutdown().await;
}
