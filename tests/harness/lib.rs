//! Shared set-up for the system tests: a union server in training mode on 127.0.0.1 with its generated
//! PKI, and a terminal (vault on the real OS keyring, link over mutual TLS, counter) wired to it.
//!
//! The vault uses the kernel keyutils keyring, which needs a session keyring of the test's own: run the
//! tests under `keyctl session - cargo test …` (the project's test script does).

// Test support: a failed set-up is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

pub mod proxy;
pub mod union_host;

use madoguchi_counter::{Background, Counter};
use madoguchi_link::{LineMonitor, LinkConfig, UnionClient};
use madoguchi_union_server::training::{self, TrainingServer};
use madoguchi_vault::{KeyringKeyStore, Vault, VaultConfig};

/// A terminal and the union it talks to.
pub struct Rig {
    /// The union server (training mode).
    pub union: TrainingServer,
    /// The terminal's use cases.
    pub counter: Counter,
    /// Its background tasks.
    pub background: Background,
    /// The terminal's vault.
    pub vault: Vault,
    /// Everything on disk lives under here.
    pub dir: tempfile::TempDir,
}

/// The union's client configuration for the training terminal.
pub fn link_config(union: &TrainingServer) -> LinkConfig {
    let read =
        |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
    let mut identity = read(&union.terminal_cert);
    identity.extend_from_slice(&read(&union.terminal_key));
    let mut cfg = LinkConfig::new(
        format!("https://localhost:{}", union.addr.port()),
        read(&union.ca_cert),
        identity,
    );
    cfg.request_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(1);
    cfg
}

/// Mutual-TLS client configuration for the training terminal, reaching the union at
/// `https://localhost:{port}` (the union itself or a [`proxy::FaultProxy`] in front of it).
pub fn link_config_via(
    access: &union_host::UnionAccess,
    port: u16,
    request_timeout: Duration,
) -> LinkConfig {
    let read =
        |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
    let mut identity = read(&access.terminal_cert);
    identity.extend_from_slice(&read(&access.terminal_key));
    let mut cfg = LinkConfig::new(
        format!("https://localhost:{port}"),
        read(&access.ca_cert),
        identity,
    );
    cfg.request_timeout = request_timeout;
    cfg.connect_timeout = Duration::from_millis(500);
    cfg
}

/// Today at the counter (Japan time).
pub fn today() -> madoguchi_domain::Date {
    madoguchi_domain::jst::date(chrono::Utc::now())
}

/// 記載事項変更 (address) of a resident to a synthetic address unique to `n`: valid whatever the
/// resident's current address, as long as every `n` is used once.
pub fn address_change(
    resident: madoguchi_protocol::v1::ResidentId,
    n: usize,
    on: madoguchi_domain::Date,
) -> madoguchi_protocol::v1::Notification {
    madoguchi_protocol::v1::Notification::ChangeOfParticulars(
        madoguchi_protocol::v1::ChangeOfParticulars {
            resident_id: resident,
            changed_on: on,
            name: None,
            kana: None,
            address: Some(synthetic_address(n)),
        },
    )
}

/// The synthetic address of [`address_change`] `n`.
pub fn synthetic_address(n: usize) -> String {
    format!("新潟県見附市研修町{}丁目{}番", n / 100 + 1, n % 100 + 1)
}

/// Opens the terminal's vault on the OS keyring.
pub fn open_vault(dir: &Path, terminal: &str) -> Vault {
    let keys = KeyringKeyStore::os_default().unwrap_or_else(|e| {
        panic!("OS keyring unavailable ({e}); run the tests under `keyctl session - cargo test`")
    });
    Vault::open(VaultConfig::new(dir, terminal), &keys).unwrap_or_else(|e| {
        panic!("vault: {e} — run under `keyctl session -` for a session keyring")
    })
}

/// Starts a union in training mode and a terminal wired to it.
pub async fn start() -> Rig {
    start_with(training::TrainingOptions::default()).await
}

/// Same, with the training union's options (e.g. its offline-roster policy).
pub async fn start_with(options: training::TrainingOptions) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let union = training::start_with(&dir.path().join("union"), options)
        .await
        .expect("training union server starts");
    let vault = open_vault(&dir.path().join("terminal"), &union.terminal_id);
    let client = UnionClient::new(&link_config(&union), LineMonitor::new()).expect("client");
    let (counter, background) =
        Counter::start(client, vault.clone(), Duration::from_millis(300)).expect("counter starts");
    Rig {
        union,
        counter,
        background,
        vault,
        dir,
    }
}

/// Waits until `f` holds, polling every 50 ms, or panics after `timeout` with `what`.
pub async fn eventually<F: FnMut() -> bool>(timeout: Duration, what: &str, mut f: F) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !f() {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the crash-safety harness asks of its terminal process (`terminal-load`), as JSON in a file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LoadPlan {
    /// The terminal's vault.
    pub vault_dir: std::path::PathBuf,
    /// Port of the union (or of the proxy in front of it) on 127.0.0.1.
    pub port: u16,
    /// Union CA, terminal certificate and key (PEM files).
    pub ca_cert: std::path::PathBuf,
    /// Terminal certificate.
    pub terminal_cert: std::path::PathBuf,
    /// Terminal key.
    pub terminal_key: std::path::PathBuf,
    /// 端末ID.
    pub terminal_id: String,
    /// Clerk's user id.
    pub user_id: String,
    /// Clerk's (synthetic training) password.
    pub password: String,
    /// Notifications to submit in all (numbered 0..total).
    pub total: usize,
    /// Residents; notification `n` is for `residents[n % len]`.
    pub residents: Vec<madoguchi_protocol::v1::ResidentId>,
    /// 受付日 and 変更日.
    pub today: madoguchi_domain::Date,
    /// Toggle the training switch for a line failure at random while submitting.
    pub flap: bool,
}

/// Insured residents of the training data, found as a clerk would: by カナ prefix, one syllable at a time,
/// until `wanted` are found (or every prefix was tried). Needs a signed-in counter.
pub async fn insured_residents(
    counter: &Counter,
    wanted: usize,
) -> Vec<madoguchi_protocol::v1::ResidentSummary> {
    use madoguchi_domain::kana::KanaName;
    use madoguchi_protocol::v1::{QualificationState, ResidentSearchRequest};
    const PREFIXES: [&str; 34] = [
        "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ",
        "タ", "チ", "ツ", "テ", "ト", "ナ", "ニ", "ハ", "ヒ", "フ", "ホ", "マ", "ミ", "ム", "メ",
        "モ", "ヤ", "ヨ", "ワ",
    ];
    let mut found = Vec::new();
    for prefix in PREFIXES {
        let page = counter
            .search()
            .search(&ResidentSearchRequest {
                insured_number: None,
                kana: Some(KanaName::parse(prefix).expect("kana")),
                birth_date: None,
                limit: Some(200),
            })
            .await
            .expect("search by kana prefix");
        found.extend(
            page.residents
                .into_iter()
                .filter(|r| r.state == QualificationState::Insured),
        );
        if found.len() >= wanted {
            break;
        }
    }
    found.truncate(wanted);
    found
}
