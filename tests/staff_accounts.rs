//! Staff accounts end to end, over real mutual TLS with a real vault: the 情報システム管理者 creates an
//! account, its first sign-in must change the password and can do nothing else until then, the password
//! policy refuses weak and reused passwords in Japanese, grants take effect only within their validity
//! period (the union's injectable clock), revocation ends an open session at its next request, repeated
//! failures lock the account and the lockout is in the union's audit trail, and offline sign-in follows its
//! rules (window, cached revocation list, local lockout, queue only; N:3883–3888, 3951–3954).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use madoguchi_audit::{Operation, Outcome};
use madoguchi_counter::{Background, Counter, CounterError, OfflinePolicy, Submitted};
use madoguchi_domain::Date;
use madoguchi_domain::StaffMessage;
use madoguchi_link::{LineMonitor, LinkError, Method, SessionToken, UnionClient};
use madoguchi_protocol::reveal::{RevealPurpose, RevealRequest};
use madoguchi_protocol::v1::{
    AccountState, Grant, NewStaffRequest, Notification, PasswordChangeReason, Reissue,
    ReissueReason, ResidentSearchRequest, RevocationList, Right, SignInRequest, SignInResponse,
    StaffAccount,
};
use madoguchi_system_tests::union_host::UnionAccess;
use madoguchi_system_tests::{eventually, link_config_via, open_vault};
use madoguchi_union_server::accounts::LOCKOUT_OPERATION;
use madoguchi_union_server::server::{self, RunningServer, ServeOptions};
use madoguchi_union_server::store::{SledStore, UnionStore};
use madoguchi_union_server::training::{self, TrainingOptions};
use madoguchi_vault::Vault;

/// Everything logged by every test of this file (one global subscriber for the binary); each test scans it
/// for its own passwords and tokens at its end.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,sled=info,madoguchi_link=trace,madoguchi_counter=trace,\
                 madoguchi_vault=trace,madoguchi_union_server=trace",
            ))
            .with_ansi(false)
            .with_writer(logs.clone())
            .try_init();
        logs
    })
}

/// No password, token or hash in what was logged.
fn assert_not_logged(secrets: &[&str]) {
    let text = logs().0.lock().map(|b| b.clone()).unwrap_or_default();
    assert!(!text.is_empty(), "the logs were captured");
    for secret in secrets.iter().copied().chain(["$argon2id$"]) {
        assert!(
            !text.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a secret ({} bytes) appears in the logs",
            secret.len()
        );
    }
}

/// A union whose clock the test sets, with a terminal (counter + vault) and an admin client.
struct Rig {
    union: Option<RunningServer>,
    clock: Arc<Mutex<DateTime<Utc>>>,
    counter: Counter,
    background: Background,
    vault: Vault,
    /// A second mutual-TLS client on the same terminal certificate (the administrator's screen).
    client: UnionClient,
    admin: SessionToken,
    /// The administrator's bearer token as sent (for the log scan).
    admin_token: String,
    admin_user: String,
    clerk_user: String,
    clerk_password: String,
    _dir: tempfile::TempDir,
}

impl Rig {
    fn set_clock(&self, at: DateTime<Utc>) {
        *self.clock.lock().expect("clock") = at;
    }

    fn store(&self) -> Arc<dyn UnionStore> {
        self.union.as_ref().expect("running").store()
    }

    async fn shutdown(mut self) {
        self.background.abort();
        if let Some(u) = self.union.take() {
            u.shutdown().await;
        }
    }

    /// An account created by the administrator, with `grants`.
    async fn create(&self, user_id: &str, password: &str, grants: Vec<Grant>) -> StaffAccount {
        self.client
            .post(
                "/v1/staff",
                Some(&self.admin),
                None,
                &NewStaffRequest {
                    user_id: user_id.into(),
                    display_name: format!("試験 {user_id}"),
                    initial_password: password.into(),
                    grants,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("create {user_id}: {e}"))
    }

    /// An account that has already changed its initial password to `password`.
    async fn ready_account(&self, user_id: &str, password: &str, grants: Vec<Grant>) {
        let initial = "handed over on paper today".to_owned();
        self.create(user_id, &initial, grants).await;
        let resp = sign_in(&self.client, user_id, &initial)
            .await
            .expect("first sign-in");
        let token = SessionToken::new(resp.token);
        let _: serde_json::Value = self
            .client
            .post(
                "/v1/session/password",
                Some(&token),
                None,
                &serde_json::json!({"current_password": initial, "new_password": password}),
            )
            .await
            .expect("password changed");
    }
}

fn today_jst(at: DateTime<Utc>) -> Date {
    madoguchi_domain::jst::date(at)
}

fn clerk_from(from: Date, until: Option<Date>) -> Vec<Grant> {
    vec![Grant {
        right: Right::Clerk,
        from,
        until,
    }]
}

async fn sign_in(
    client: &UnionClient,
    user_id: &str,
    password: &str,
) -> Result<SignInResponse, LinkError> {
    client
        .post(
            "/v1/session",
            None,
            None,
            &SignInRequest {
                user_id: user_id.into(),
                password: password.into(),
            },
        )
        .await
}

async fn open_store(dir: &Path) -> SledStore {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match SledStore::open(dir) {
            Ok(s) => return s,
            Err(e) if tokio::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("union store: {e}"),
        }
    }
}

/// Training mode's PKI and data, served again with a clock the test controls.
async fn start() -> Rig {
    logs();
    let dir = tempfile::tempdir().expect("tempdir");
    let training = training::start_with(&dir.path().join("union"), TrainingOptions::default())
        .await
        .expect("training union");
    let account = |suffix: &str| {
        training
            .accounts
            .iter()
            .find(|a| a.user_id.ends_with(suffix))
            .expect("training account")
            .clone()
    };
    let (admin, clerk) = (account("-admin"), account("-clerk"));
    let access = UnionAccess {
        ca_cert: training.ca_cert.clone(),
        terminal_cert: training.terminal_cert.clone(),
        terminal_key: training.terminal_key.clone(),
        terminal_id: training.terminal_id.clone(),
        clerk_user: clerk.user_id.clone(),
        clerk_password: clerk.password.clone(),
    };
    let (pki_dir, data_dir): (PathBuf, PathBuf) =
        (training.pki_dir.clone(), training.data_dir.clone());
    training.shutdown().await;
    let config = server::load_or_create_config(&data_dir, "研修用広域連合").expect("config");
    let clock = Arc::new(Mutex::new(Utc::now()));
    let clock_fn = {
        let c = clock.clone();
        Arc::new(move || *c.lock().expect("clock")) as madoguchi_union_server::api::Clock
    };
    let mut options = ServeOptions::new(&pki_dir, &data_dir, "127.0.0.1:0".parse().expect("addr"));
    options.clock = Some(clock_fn);
    let store = Arc::new(open_store(&data_dir).await);
    let union = server::start_with(options, config, store)
        .await
        .expect("union starts");
    let cfg = link_config_via(&access, union.addr.port(), Duration::from_secs(10));
    let vault = open_vault(&dir.path().join("terminal"), &access.terminal_id);
    let (counter, background) = Counter::start(
        UnionClient::new(&cfg, LineMonitor::new()).expect("client"),
        vault.clone(),
        Duration::from_millis(300),
    )
    .expect("counter");
    // Cheap verifiers in tests; the window is set per test.
    counter.set_offline_policy(OfflinePolicy {
        verifier_memory_kib: 1024,
        verifier_iterations: 1,
        ..OfflinePolicy::default()
    });
    let client = UnionClient::new(&cfg, LineMonitor::new()).expect("admin client");
    let admin_token = sign_in(&client, &admin.user_id, &admin.password)
        .await
        .expect("admin signs in")
        .token;
    Rig {
        union: Some(union),
        clock,
        counter,
        background,
        vault,
        client,
        admin: SessionToken::new(admin_token.clone()),
        admin_token,
        admin_user: admin.user_id,
        clerk_user: clerk.user_id,
        clerk_password: clerk.password,
        _dir: dir,
    }
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CounterError>) -> String {
    r.expect_err("refused")
        .code()
        .unwrap_or("terminal_error")
        .to_owned()
}

fn search() -> ResidentSearchRequest {
    ResidentSearchRequest {
        insured_number: None,
        kana: Some(madoguchi_domain::kana::KanaName::parse("ア").expect("kana")),
        birth_date: None,
        limit: Some(5),
    }
}

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
        .sign_in("t.first", initial)
        .await
        .expect("first sign-in");
    assert_eq!(staff.user_id, "t.first");
    let state = rig.counter.session_state().expect("signed in");
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
        code_of(rig.counter.search(&search()).await),
        "password_change_required"
    );
    assert_eq!(
        code_of(rig.counter.refresh_roster().await),
        "password_change_required"
    );

    // Policy violations, each with its own code and Japanese message.
    let e = rig
        .counter
        .change_password(initial, "too short")
        .await
        .expect_err("short");
    assert_eq!(e.code(), Some("password_too_short"));
    assert!(e.message_ja().contains("12文字以上"));
    let e = rig
        .counter
        .change_password(initial, "T.First-at-the-counter")
        .await
        .expect_err("contains the user id");
    assert_eq!(e.code(), Some("password_weak"));
    assert!(e.message_ja().contains("ユーザID"));
    let e = rig
        .counter
        .change_password(initial, "Password2026!!")
        .await
        .expect_err("common");
    assert_eq!(e.code(), Some("password_weak"));
    let e = rig
        .counter
        .change_password(initial, initial)
        .await
        .expect_err("the same password");
    assert_eq!(e.code(), Some("password_reused"));
    assert!(e.message_ja().contains("使えません"));
    let e = rig
        .counter
        .change_password("not the current one", "a fresh passphrase here")
        .await
        .expect_err("wrong current password");
    assert_eq!(e.code(), Some("invalid_credentials"));

    rig.counter
        .change_password(initial, "a fresh passphrase here")
        .await
        .expect("changed");
    assert_eq!(
        rig.counter
            .session_state()
            .expect("signed in")
            .must_change_password,
        None
    );
    rig.counter
        .search(&search())
        .await
        .expect("search works now");

    // Reuse of a recent password is refused.
    let e = rig
        .counter
        .change_password("a fresh passphrase here", initial)
        .await
        .expect_err("recent password");
    assert_eq!(e.code(), Some("password_reused"));
    rig.counter
        .change_password("a fresh passphrase here", "another fresh passphrase")
        .await
        .expect("a new one is fine");

    // An administrator's reset makes the next sign-in change the password again.
    rig.counter.sign_out().await;
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
        .sign_in("t.first", "temporary from the admin")
        .await
        .expect("sign in after reset");
    assert_eq!(
        code_of(rig.counter.search(&search()).await),
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

impl Rig {
    /// [`Rig::ready_account`] with the union's clock at `at` (grants that start later).
    async fn ready_account_at(
        &self,
        user_id: &str,
        password: &str,
        grants: Vec<Grant>,
        at: DateTime<Utc>,
    ) {
        let before = *self.clock.lock().expect("clock");
        self.set_clock(at);
        self.ready_account(user_id, password, grants).await;
        self.set_clock(before);
    }
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
        .sign_in("t.leaving", "moving to another office")
        .await
        .expect("sign in");
    rig.counter.search(&search()).await.expect("works");

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
        code_of(rig.counter.search(&search()).await),
        "account_revoked"
    );
    assert!(rig.counter.staff().is_none(), "signed out on the terminal");
    assert_eq!(
        code_of(rig.counter.search(&search()).await),
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
    let list = rig.counter.refresh_revocations().await.expect("list");
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

fn offline_sign_ins(counter: &Counter) -> Vec<Outcome> {
    counter
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
        .refresh_revocations()
        .await
        .expect("revocation list cached");
    rig.counter.simulate_line_failure(true);
    assert_eq!(
        code_of(
            rig.counter
                .sign_in("t.offline", "line down at the desk")
                .await
        ),
        "offline_never_online"
    );
    rig.counter.simulate_line_failure(false);

    // Online sign-in keeps a verifier; a resident to work on is found online.
    rig.counter
        .sign_in("t.offline", "line down at the desk")
        .await
        .expect("online");
    let resident = rig
        .counter
        .search(&search())
        .await
        .expect("search")
        .residents[0]
        .resident_id;
    rig.counter.sign_out().await;
    rig.counter
        .sign_in("t.other", "another clerk at the desk")
        .await
        .expect("online");
    rig.counter.sign_out().await;

    // The line goes down: offline sign-in within the window.
    rig.counter.simulate_line_failure(true);
    let staff = rig
        .counter
        .sign_in("t.offline", "line down at the desk")
        .await
        .expect("offline sign-in");
    assert_eq!(staff.user_id, "t.offline");
    let state = rig.counter.session_state().expect("signed in");
    assert!(state.offline);

    // Only queueing: no 個人番号, no search, no record view; a notification is queued.
    let e = rig
        .counter
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
        code_of(rig.counter.search(&search()).await),
        "offline_session"
    );
    assert_eq!(
        code_of(rig.counter.resident(resident).await),
        "offline_session"
    );
    let submitted = rig
        .counter
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
        .roster_lookup(None, None, 10)
        .expect("the offline roster stays usable");

    // The line comes back: the offline session becomes an online one by itself and the queue drains.
    rig.counter.simulate_line_failure(false);
    let counter = rig.counter.clone();
    eventually(
        Duration::from_secs(15),
        "the offline session is online again",
        || counter.session_state().is_some_and(|s| !s.offline),
    )
    .await;
    eventually(
        Duration::from_secs(15),
        "the queued notification is decided",
        || {
            counter
                .queue()
                .is_ok_and(|q| q.iter().all(|i| i.state == "decided"))
        },
    )
    .await;
    rig.counter
        .search(&search())
        .await
        .expect("online work again");
    rig.counter.sign_out().await;
    rig.counter.simulate_line_failure(true);

    // Wrong password offline counts toward a local lockout.
    for _ in 0..4 {
        assert_eq!(
            code_of(rig.counter.sign_in("t.offline", "not my password").await),
            "offline_invalid_credentials"
        );
    }
    assert_eq!(
        code_of(rig.counter.sign_in("t.offline", "not my password").await),
        "offline_invalid_credentials"
    );
    assert_eq!(
        code_of(
            rig.counter
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
    rig.counter.refresh_revocations().await.expect("refresh");
    rig.counter.simulate_line_failure(true);
    assert_eq!(
        code_of(
            rig.counter
                .sign_in("t.other", "another clerk at the desk")
                .await
        ),
        "offline_revoked"
    );

    // After the window, no offline sign-in.
    rig.counter.simulate_line_failure(false);
    rig.counter.set_offline_policy(OfflinePolicy {
        window: Duration::from_secs(2),
        verifier_memory_kib: 1024,
        verifier_iterations: 1,
        ..OfflinePolicy::default()
    });
    rig.counter
        .sign_in(&rig.clerk_user, &rig.clerk_password)
        .await
        .expect("online");
    rig.counter.sign_out().await;
    rig.counter.simulate_line_failure(true);
    rig.counter
        .sign_in(&rig.clerk_user, &rig.clerk_password)
        .await
        .expect("within the window");
    rig.counter.sign_out().await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let e = rig
        .counter
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
