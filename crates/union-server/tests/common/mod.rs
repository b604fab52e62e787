//! Shared fixture for the system tests: a real PKI in a temp directory, a seeded store, the server started
//! in-process on 127.0.0.1 port 0, and reqwest clients with real terminal certificates over TLS 1.3.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use madoguchi_domain::ids::{MunicipalityCode, MyNumber};
use madoguchi_protocol::ErrorBody;
use madoguchi_union_server::api::Clock;
use madoguchi_union_server::auth::HashCost;
use madoguchi_union_server::config::UnionConfig;
use madoguchi_union_server::pki::{self, PkiPaths};
use madoguchi_union_server::seed::{self, SeedOptions};
use madoguchi_union_server::server::{self, RunningServer, ServeOptions};
use madoguchi_union_server::store::{PgLocation, PgStore, SledStore, UnionStore};
use reqwest::{Certificate, Client, Identity, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub mod stores;

pub const MITSUKE: &str = "152111";
pub const NAGAOKA: &str = "152021";
pub const T_MITSUKE: &str = "MITSUKE-01";
pub const T_MITSUKE_2: &str = "MITSUKE-02";
pub const T_NAGAOKA: &str = "NAGAOKA-01";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub pki: PathBuf,
    pub data: PathBuf,
    pub server: Option<RunningServer>,
    pub addr: std::net::SocketAddr,
    pub store: Arc<dyn UnionStore>,
}

// ----------------------------------------------------------------------------------------------------------
// Which store the system tests run on: sled, or PostgreSQL with MADOGUCHI_TEST_STORE=postgres (the URL of a
// running server in MADOGUCHI_TEST_PG_URL: `scripts/pg-test-cluster.sh start` prints one).

/// The test PostgreSQL server's URL; `None` (the PostgreSQL half is skipped) when there is none, unless
/// MADOGUCHI_REQUIRE_POSTGRES=1 (scripts/test.sh), which makes a missing server a failure.
pub fn pg_url() -> Option<String> {
    match std::env::var("MADOGUCHI_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("MADOGUCHI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "MADOGUCHI_REQUIRE_POSTGRES=1 but MADOGUCHI_TEST_PG_URL is not set \
                 (start one with scripts/pg-test-cluster.sh start)"
            );
            eprintln!("PostgreSQL half skipped: MADOGUCHI_TEST_PG_URL is not set");
            None
        }
    }
}

/// The system tests' store is PostgreSQL (MADOGUCHI_TEST_STORE=postgres).
pub fn postgres_selected() -> bool {
    std::env::var("MADOGUCHI_TEST_STORE").as_deref() == Ok("postgres")
}

/// The PostgreSQL location of one data directory: a schema of its own, named after the directory, so that
/// reopening the same directory reaches the same data and tests running side by side never share one.
pub fn pg_location(url: &str, data: &Path) -> PgLocation {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data.as_os_str().as_encoded_bytes());
    PgLocation {
        url: url.to_string(),
        schema: Some(format!("t_{}", hex::encode(&digest[..12]))),
    }
}

/// A PostgreSQL store for `data` (its key in `data`, its own schema).
pub fn open_pg(url: &str, data: &Path) -> PgStore {
    let key = madoguchi_union_server::crypt::StoreKey::load_or_create(data).unwrap();
    PgStore::open(&pg_location(url, data), key).unwrap()
}

/// The store the system tests use for `data`: sled, or PostgreSQL when selected.
pub fn open_test_store(data: &Path) -> Arc<dyn UnionStore> {
    if postgres_selected() {
        let url = pg_url().expect("MADOGUCHI_TEST_STORE=postgres needs MADOGUCHI_TEST_PG_URL");
        Arc::new(open_pg(&url, data))
    } else {
        Arc::new(SledStore::open(data).unwrap())
    }
}

pub fn jst_noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    // 12:00 JST = 03:00 UTC.
    Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).single().unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

impl Fixture {
    /// A union with 見附市 and 長岡市 terminals and `residents` seeded residents per municipality.
    pub async fn start(residents: usize, clock: Option<Clock>) -> Fixture {
        Self::start_configured(residents, clock, |_, _| {}).await
    }

    /// Like [`Fixture::start`], with the server options and configuration adjusted first.
    pub async fn start_configured(
        residents: usize,
        clock: Option<Clock>,
        configure: impl FnOnce(&mut ServeOptions, &mut UnionConfig),
    ) -> Fixture {
        Self::start_on(residents, clock, configure, postgres_selected()).await
    }

    /// Like [`Fixture::start`] on the sled store whatever MADOGUCHI_TEST_STORE says (tests of sled's own
    /// files: flipped bytes, its watermark).
    pub async fn start_sled(residents: usize, clock: Option<Clock>) -> Fixture {
        Self::start_on(residents, clock, |_, _| {}, false).await
    }

    async fn start_on(
        residents: usize,
        clock: Option<Clock>,
        configure: impl FnOnce(&mut ServeOptions, &mut UnionConfig),
        postgres: bool,
    ) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let pki = dir.path().join("pki");
        let data = dir.path().join("data");
        pki::init(&pki, "新潟県後期高齢者医療広域連合", 30).unwrap();
        pki::issue_server(&pki, &["localhost".into(), "127.0.0.1".into()], 30).unwrap();
        for (m, t) in [
            (MITSUKE, T_MITSUKE),
            (MITSUKE, T_MITSUKE_2),
            (NAGAOKA, T_NAGAOKA),
        ] {
            pki::issue_terminal(&pki, m, t, 30).unwrap();
        }
        let mut config = UnionConfig::default_for("新潟県後期高齢者医療広域連合");
        let mut options = ServeOptions::new(&pki, &data, "127.0.0.1:0".parse().unwrap());
        configure(&mut options, &mut config);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join(server::CONFIG_FILE), config.to_toml()).unwrap();
        let store: Arc<dyn UnionStore> = if postgres {
            open_test_store(&data)
        } else {
            Arc::new(SledStore::open(&data).unwrap())
        };
        seed::seed(
            store.as_ref(),
            &config,
            &SeedOptions {
                municipalities: vec![MITSUKE.parse().unwrap(), NAGAOKA.parse().unwrap()],
                residents,
                seed: 11,
                as_of: date(2026, 11, 21),
                hash_cost: HashCost {
                    memory_kib: 1024,
                    iterations: 1,
                },
            },
        )
        .unwrap();
        options.crl_poll = Duration::from_millis(200);
        options.clock = clock;
        let running = server::start_with(options, config, store.clone())
            .await
            .unwrap();
        Fixture {
            addr: running.addr,
            store,
            server: Some(running),
            pki,
            data,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{}", self.addr.port(), path)
    }

    pub fn paths(&self) -> PkiPaths {
        PkiPaths::new(&self.pki)
    }

    /// A client with the terminal's certificate, pinned to the union CA, TLS 1.3 only.
    pub fn client(&self, terminal: &str) -> Client {
        client_with(
            &self.paths().ca_cert(),
            Some(identity_of(&self.paths(), terminal)),
        )
    }

    pub async fn shutdown(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }
}

pub fn identity_of(paths: &PkiPaths, terminal: &str) -> Identity {
    let mut pem = std::fs::read(paths.terminal_cert(terminal)).unwrap();
    pem.extend(std::fs::read(paths.terminal_key(terminal)).unwrap());
    Identity::from_pem(&pem).unwrap()
}

pub fn client_with(ca: &Path, identity: Option<Identity>) -> Client {
    let ca = Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    let mut b = Client::builder()
        .tls_certs_only([ca])
        .tls_version_min(reqwest::tls::Version::TLS_1_3)
        .timeout(Duration::from_secs(20))
        .https_only(true);
    if let Some(id) = identity {
        b = b.identity(id);
    }
    b.build().unwrap()
}

/// A staff session on one client.
pub struct Desk {
    pub client: Client,
    pub token: String,
    pub base: String,
}

pub async fn sign_in(fx: &Fixture, terminal: &str, user: &str) -> Desk {
    let client = fx.client(terminal);
    let password = format!("kensyu-{user}");
    let res = client
        .post(fx.url("/v1/session"))
        .json(&serde_json::json!({"user_id": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "sign-in of {user}");
    let body: Value = res.json().await.unwrap();
    Desk {
        client,
        token: body["token"].as_str().unwrap().to_string(),
        base: fx.url(""),
    }
}

impl Desk {
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post<T: Serialize>(&self, path: &str, body: &T) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn put<T: Serialize>(&self, path: &str, body: &T) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    async fn send<T: Serialize>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &T,
    ) -> (StatusCode, Value) {
        let res = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn submit(&self, key: uuid::Uuid, body: &Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(format!("{}/v1/notifications", self.base))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key.to_string())
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn typed<T: DeserializeOwned>(&self, path: &str) -> T {
        let (status, v) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {v}");
        serde_json::from_value(v).unwrap()
    }
}

/// The error code of an error body.
pub fn code(v: &Value) -> String {
    let body: ErrorBody = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("not an error body: {v} ({e})"));
    assert!(!body.message_ja.is_empty());
    body.code.as_str().to_string()
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A fresh valid 個人番号.
pub fn my_number() -> String {
    let n = NEXT.fetch_add(1, Ordering::SeqCst) + 50_000_000_000;
    let s = format!("{n:011}");
    let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
    let arr: [u8; 11] = digits.try_into().unwrap();
    MyNumber::from_eleven_digits(arr)
        .unwrap()
        .reveal()
        .to_string()
}

/// A fresh 宛名番号 (the seed uses 10-digit numbers from 1000000001; these are 12 digits).
pub fn addressee() -> String {
    format!("9{:011}", NEXT.fetch_add(1, Ordering::SeqCst))
}

/// A 転入 notification body for a new resident.
pub fn move_in(birth: NaiveDate, moved_in: NaiveDate, received: NaiveDate, holder: bool) -> Value {
    serde_json::json!({
        "received_on": received,
        "notification": {"kind": "acquisition_move_in", "details": {
            "resident": {
                "addressee_number": addressee(),
                "household_number": addressee(),
                "name": "試験　花子",
                "kana": "シケン　ハナコ",
                "birth_date": birth,
                "sex": "female",
                "address": "新潟県見附市昭和町一丁目1番1号"
            },
            "my_number": my_number(),
            "moved_in_on": moved_in,
            "mynumber_health_card": holder
        }}
    })
}

pub fn municipality(code: &str) -> MunicipalityCode {
    code.parse().unwrap()
}

/// A fixed clock.
pub fn fixed(at: DateTime<Utc>) -> Option<Clock> {
    Some(Arc::new(move || at))
}

/// Fails if any file under `dir` contains `needle` (UTF-8) — personal data must not be on disk in plaintext.
pub fn assert_not_on_disk(dir: &Path, needle: &str) {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    assert!(!files.is_empty());
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "plaintext personal data found in {}",
            f.display()
        );
    }
}

// ----------------------------------------------------------------------------------------------------------
// The `madoguchi-union` binary, for the command-line tests.

/// The built `madoguchi-union` binary.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi-union"))
}

/// Runs `cmd`, which must succeed; its standard output.
pub fn ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A `serve` process, killed when dropped.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
