//! The rig of the staff-account tests: a union with a movable clock, a terminal with a real vault, log
//! capture, and the helpers every test uses.

pub(crate) use std::io::Write;
pub(crate) use std::path::{Path, PathBuf};
pub(crate) use std::sync::{Arc, Mutex, OnceLock};
pub(crate) use std::time::Duration;

pub(crate) use chrono::{DateTime, Utc};
pub(crate) use madoguchi_audit::{Operation, Outcome};
pub(crate) use madoguchi_counter::{Background, Counter, CounterError, OfflinePolicy, Submitted};
pub(crate) use madoguchi_domain::Date;
pub(crate) use madoguchi_domain::StaffMessage;
pub(crate) use madoguchi_link::{LineMonitor, LinkError, Method, SessionToken, UnionClient};
pub(crate) use madoguchi_protocol::reveal::{RevealPurpose, RevealRequest};
pub(crate) use madoguchi_protocol::v1::{
    AccountState, Grant, NewStaffRequest, Notification, PasswordChangeReason, Reissue,
    ReissueReason, ResidentSearchRequest, RevocationList, Right, SignInRequest, SignInResponse,
    StaffAccount,
};
pub(crate) use madoguchi_system_tests::union_host::UnionAccess;
pub(crate) use madoguchi_system_tests::{eventually, link_config_via, open_vault};
pub(crate) use madoguchi_union_server::accounts::LOCKOUT_OPERATION;
pub(crate) use madoguchi_union_server::server::{self, RunningServer, ServeOptions};
pub(crate) use madoguchi_union_server::store::{SledStore, UnionStore};
pub(crate) use madoguchi_union_server::training::{self, TrainingOptions};
pub(crate) use madoguchi_vault::Vault;

/// Everything logged by every test of this file (one global subscriber for the binary); each test scans it
/// for its own passwords and tokens at its end.
#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

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

pub(crate) fn logs() -> &'static Captured {
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
pub(crate) fn assert_not_logged(secrets: &[&str]) {
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
pub(crate) struct Rig {
    pub(crate) union: Option<RunningServer>,
    pub(crate) clock: Arc<Mutex<DateTime<Utc>>>,
    /// The terminal's clock (offline window), apart from the union's so that moving one does not move the
    /// other.
    pub(crate) terminal_clock: Arc<Mutex<DateTime<Utc>>>,
    pub(crate) counter: Counter,
    pub(crate) background: Background,
    pub(crate) vault: Vault,
    /// A second mutual-TLS client on the same terminal certificate (the administrator's screen).
    pub(crate) client: UnionClient,
    pub(crate) admin: SessionToken,
    /// The administrator's bearer token as sent (for the log scan).
    pub(crate) admin_token: String,
    pub(crate) admin_user: String,
    pub(crate) clerk_user: String,
    pub(crate) clerk_password: String,
    pub(crate) _dir: tempfile::TempDir,
}

impl Rig {
    pub(crate) fn advance_terminal_clock(&self, by: chrono::Duration) {
        *self.terminal_clock.lock().expect("clock") += by;
    }

    pub(crate) fn set_clock(&self, at: DateTime<Utc>) {
        *self.clock.lock().expect("clock") = at;
    }

    pub(crate) fn store(&self) -> Arc<dyn UnionStore> {
        self.union.as_ref().expect("running").store()
    }

    pub(crate) async fn shutdown(mut self) {
        self.background.abort();
        if let Some(u) = self.union.take() {
            u.shutdown().await;
        }
    }

    /// An account created by the administrator, with `grants`.
    pub(crate) async fn create(
        &self,
        user_id: &str,
        password: &str,
        grants: Vec<Grant>,
    ) -> StaffAccount {
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
    pub(crate) async fn ready_account(&self, user_id: &str, password: &str, grants: Vec<Grant>) {
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

pub(crate) fn today_jst(at: DateTime<Utc>) -> Date {
    madoguchi_domain::jst::date(at)
}

pub(crate) fn clerk_from(from: Date, until: Option<Date>) -> Vec<Grant> {
    vec![Grant {
        right: Right::Clerk,
        from,
        until,
    }]
}

pub(crate) async fn sign_in(
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

pub(crate) async fn open_store(dir: &Path) -> SledStore {
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
pub(crate) async fn start() -> Rig {
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
    let terminal_clock = Arc::new(Mutex::new(Utc::now()));
    let terminal_clock_fn = {
        let c = terminal_clock.clone();
        Arc::new(move || *c.lock().expect("clock")) as madoguchi_counter::Clock
    };
    let (counter, background) = Counter::start_with_clock(
        UnionClient::new(&cfg, LineMonitor::new()).expect("client"),
        vault.clone(),
        None,
        Duration::from_millis(300),
        terminal_clock_fn,
    )
    .expect("counter");
    // Cheap verifiers in tests; the window is set per test.
    counter.session().set_offline_policy(OfflinePolicy {
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
        terminal_clock,
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

pub(crate) fn code_of<T: std::fmt::Debug>(r: Result<T, CounterError>) -> String {
    r.expect_err("refused")
        .code()
        .unwrap_or("terminal_error")
        .to_owned()
}

pub(crate) fn search() -> ResidentSearchRequest {
    ResidentSearchRequest {
        insured_number: None,
        kana: Some(madoguchi_domain::kana::KanaName::parse("ア").expect("kana")),
        birth_date: None,
        limit: Some(5),
    }
}

impl Rig {
    /// [`Rig::ready_account`] with the union's clock at `at` (grants that start later).
    pub(crate) async fn ready_account_at(
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
