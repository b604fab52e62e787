//! 端末登録 (terminal enrolment) and revoked terminals, end to end: the union's enrolment listener over real
//! TLS, terminals enrolled with one-time codes whose keys are sealed with the real OS keyring (kernel
//! keyutils: run under `keyctl session -`), mutual TLS with the enrolled identity, revocation through the
//! PKI's live CRL, and the wipe of a revoked terminal's vault.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use madoguchi_counter::{Background, Counter, CounterError, TerminalStatus};
use madoguchi_domain::StaffMessage;
use madoguchi_link::enrolment::{self, EnrolError, EnrolOptions, EnrolledTerminal};
use madoguchi_link::{LineMonitor, LinkConfig, LinkError, UnionClient};
use madoguchi_protocol::enrol::{EnrolErrorCode, EnrolRequest, EnrolResponse};
use madoguchi_system_tests::proxy::{FaultProxy, Mode};
use madoguchi_system_tests::{eventually, insured_residents};
use madoguchi_union_server::enrol as union_enrol;
use madoguchi_union_server::pki;
use madoguchi_union_server::tls::TerminalIdentity;
use madoguchi_union_server::training::{self, TrainingOptions, TrainingServer};
use madoguchi_vault::{KeyStore, KeyringKeyStore, SecretKey, Vault, VaultConfig, VaultError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

async fn union(dir: &Path) -> TrainingServer {
    training::start_with(
        &dir.join("union"),
        TrainingOptions {
            residents: 40,
            enrolment_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            ..TrainingOptions::default()
        },
    )
    .await
    .expect("training union with an enrolment listener starts")
}

fn keys() -> Arc<KeyringKeyStore> {
    Arc::new(KeyringKeyStore::os_default().unwrap_or_else(|e| {
        panic!("OS keyring unavailable ({e}); run the tests under `keyctl session - cargo test`")
    }))
}

fn new_code(t: &TrainingServer, terminal: &str, valid_for: time::Duration) -> String {
    union_enrol::create_code(&t.pki_dir, t.municipality.as_str(), terminal, valid_for, 30)
        .expect("enrolment code")
        .code
}

fn options(t: &TrainingServer, code: &str, dir: PathBuf) -> EnrolOptions {
    EnrolOptions {
        enrol_url: format!(
            "https://localhost:{}",
            t.enrolment_addr.expect("enrolment listener").port()
        ),
        union_ca_pem: std::fs::read(&t.ca_cert).expect("CA"),
        code: Zeroizing::new(code.to_owned()),
        terminal_dir: dir,
        api_endpoint: Some(format!("https://localhost:{}", t.addr.port())),
        timeout: Duration::from_secs(10),
    }
}

/// A configured terminal: its link from the enrolled identity, its vault on the OS keyring, the counter.
struct Terminal {
    counter: Counter,
    background: Background,
    vault_dir: PathBuf,
    vault_id: String,
    link: LinkConfig,
}

fn quick(mut cfg: LinkConfig) -> LinkConfig {
    cfg.request_timeout = Duration::from_secs(3);
    cfg.connect_timeout = Duration::from_secs(1);
    cfg
}

fn start_terminal(
    enrolled: &EnrolledTerminal,
    link: LinkConfig,
    keys: &Arc<KeyringKeyStore>,
    vault_dir: PathBuf,
) -> Terminal {
    let vault = Vault::open(
        VaultConfig::new(&vault_dir, enrolled.description.terminal_id.as_str()),
        keys.as_ref(),
    )
    .expect("vault opens");
    let vault_id = vault.vault_id().to_owned();
    let client = UnionClient::new(&link, LineMonitor::new()).expect("client");
    let dyn_keys: Arc<dyn KeyStore> = keys.clone();
    let (counter, background) =
        Counter::start_with_keys(client, vault, Some(dyn_keys), Duration::from_millis(300))
            .expect("counter starts");
    Terminal {
        counter,
        background,
        vault_dir,
        vault_id,
        link,
    }
}

fn clerk(t: &TrainingServer) -> (String, String) {
    let a = t
        .accounts
        .iter()
        .find(|a| a.user_id.ends_with("-clerk"))
        .expect("a clerk account");
    (a.user_id.clone(), a.password.clone())
}

/// The 32-byte private scalar of a PKCS#8 P-256 key (the OCTET STRING `04 20 ..` of its ECPrivateKey).
fn private_scalar(pkcs8: &[u8]) -> Vec<u8> {
    let at = pkcs8
        .windows(2)
        .position(|w| w == [0x04, 0x20])
        .expect("ECPrivateKey octet string");
    pkcs8[at + 2..at + 34].to_vec()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn enrolled_terminals_work_over_mutual_tls_and_a_revoked_one_is_wiped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = union(dir.path()).await;
    let keys = keys();

    // Two terminals enrol with their own codes.
    let code_a = new_code(&t, "MADO-A", time::Duration::hours(1));
    let code_b = new_code(&t, "MADO-B", time::Duration::hours(1));
    let a = enrolment::enrol(&options(&t, &code_a, dir.path().join("a")), keys.as_ref())
        .await
        .expect("terminal A enrols");
    let b = enrolment::enrol(&options(&t, &code_b, dir.path().join("b")), keys.as_ref())
        .await
        .expect("terminal B enrols");
    assert_eq!(a.description.terminal_id, "MADO-A");
    assert_eq!(a.description.municipality, t.municipality.as_str());
    let a_loaded = EnrolledTerminal::load(&dir.path().join("a")).expect("terminal.toml");
    assert_eq!(a_loaded.description, a.description);

    // The private key is nowhere on disk in plaintext: not as DER, not its scalar, not as PEM.
    let link_a = quick(a.link_config(keys.as_ref()).expect("identity opens"));
    let der = PrivateKeyDer::from_pem_slice(&link_a.terminal_identity_pem).expect("key in memory");
    let der = der.secret_der().to_vec();
    let scalar = private_scalar(&der);
    for f in files_under(&dir.path().join("a")) {
        let bytes = std::fs::read(&f).expect("read");
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!has(&der), "PKCS#8 key in {}", f.display());
        assert!(!has(&scalar), "private scalar in {}", f.display());
        assert!(!has(b"PRIVATE KEY"), "PEM key in {}", f.display());
    }
    // Without the keyring entry the sealed file opens for nobody.
    let other_keys = FailingKeys::missing();
    assert!(matches!(
        a.link_config(&other_keys),
        Err(EnrolError::KeyMissing(_))
    ));

    // Both connect over mutual TLS with their enrolled identity; a staff member signs in and searches.
    let ta = start_terminal(&a, link_a, &keys, dir.path().join("a-vault"));
    let link_b = quick(b.link_config(keys.as_ref()).expect("identity B"));
    let tb = start_terminal(&b, link_b, &keys, dir.path().join("b-vault"));
    let (user, password) = clerk(&t);
    for term in [&ta, &tb] {
        let health = UnionClient::new(&term.link, LineMonitor::new())
            .expect("client")
            .health()
            .await
            .expect("mutual TLS with the enrolled certificate");
        assert!(health.terminal_id.starts_with("MADO-"));
        term.counter
            .session()
            .sign_in(&user, &password)
            .await
            .expect("staff signs in on an enrolled terminal");
        assert!(!insured_residents(&term.counter, 1).await.is_empty());
    }
    assert!(keys.load(&ta.vault_id).expect("keyring").is_some());

    // The union revokes terminal A (as `madoguchi-union pki revoke` does); the running server reloads the CRL.
    pki::revoke_terminal(&t.pki_dir, "MADO-A").expect("revoke");

    // A new handshake of A is refused with the TLS alert certificate_revoked, after A verified the union.
    // A new client each time: no pooled connection, so the answer is the handshake's, not the per-request
    // check's 403.
    // Under load the client may write its request before the server's alert arrives and see the
    // connection broken instead (TLS 1.3 verifies the client after the client's Finished): that attempt is
    // retried, as the counter's next contact would be; the alert must come.
    let mut seen = None;
    for _ in 0..100 {
        let fresh = UnionClient::new(&ta.link, LineMonitor::new()).expect("client");
        match fresh.health().await {
            Ok(_) | Err(LinkError::Transport(_)) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => {
                seen = Some(e);
                break;
            }
        }
    }
    assert!(
        matches!(seen, Some(LinkError::TerminalRevoked)),
        "handshake refused as revoked: {seen:?}"
    );

    // The counter of A meets the revocation at its next contact, stops and wipes its vault.
    eventually(Duration::from_secs(10), "terminal A wiped", || {
        ta.counter.terminal_status() == TerminalStatus::Revoked { wiped: true }
    })
    .await;
    assert!(!ta.vault_dir.exists(), "vault directory deleted");
    assert!(
        keys.load(&ta.vault_id).expect("keyring").is_none(),
        "vault key destroyed in the keyring"
    );
    let refused = ta
        .counter
        .session()
        .sign_in(&user, &password)
        .await
        .expect_err("a revoked terminal signs nobody in");
    assert!(matches!(
        refused,
        CounterError::Link(LinkError::TerminalRevoked)
    ));
    assert_eq!(
        refused.message_ja(),
        "この端末の証明書は失効しています。情報システム管理者に連絡してください。"
    );
    assert!(ta.counter.staff().is_none());

    // Terminal B keeps working.
    assert!(!insured_residents(&tb.counter, 1).await.is_empty());
    assert_eq!(tb.counter.terminal_status(), TerminalStatus::Active);
    assert!(tb.vault_dir.exists());
    assert!(keys.load(&tb.vault_id).expect("keyring").is_some());

    ta.background.abort();
    tb.background.abort();
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn used_expired_wrong_codes_and_a_missing_keyring_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = union(dir.path()).await;
    let keys = keys();
    let expect_refused = |r: Result<EnrolledTerminal, EnrolError>, want: EnrolErrorCode| match r {
        Err(EnrolError::Refused(code)) if code == want => {}
        other => panic!("expected {want:?}, got {other:?}"),
    };

    // No keyring: refused before the union is asked, so the code is not spent.
    let code = new_code(&t, "MADO-K", time::Duration::hours(1));
    let no_keyring = FailingKeys::unavailable();
    let err = enrolment::enrol(&options(&t, &code, dir.path().join("k0")), &no_keyring)
        .await
        .expect_err("no keyring");
    assert!(matches!(err, EnrolError::Keyring(_)), "{err:?}");
    assert!(err.message_ja().contains("キーリング"));
    assert!(!dir.path().join("k0").join("terminal-key.sealed").exists());
    enrolment::enrol(&options(&t, &code, dir.path().join("k1")), keys.as_ref())
        .await
        .expect("the same code still works with a keyring");

    // Used.
    let used = enrolment::enrol(&options(&t, &code, dir.path().join("k2")), keys.as_ref()).await;
    let leftovers = std::fs::read_dir(dir.path().join("k2"))
        .map(|d| d.count())
        .unwrap_or(0);
    expect_refused(used, EnrolErrorCode::UsedCode);
    assert_eq!(leftovers, 0, "a refused enrolment leaves no key behind");

    // Wrong.
    expect_refused(
        enrolment::enrol(
            &options(&t, "AAAAA-BBBBB-CCCCC-DDDDD", dir.path().join("w")),
            keys.as_ref(),
        )
        .await,
        EnrolErrorCode::UnknownCode,
    );

    // Expired.
    let expired = new_code(&t, "MADO-E", time::Duration::milliseconds(1));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let e = enrolment::enrol(&options(&t, &expired, dir.path().join("e")), keys.as_ref()).await;
    expect_refused(e, EnrolErrorCode::ExpiredCode);

    // Every attempt is in the enrolment log, never the code itself.
    let log = std::fs::read_to_string(t.pki_dir.join("enrolment-log.jsonl")).expect("log");
    for outcome in ["enrolled", "used_code", "unknown_code", "expired_code"] {
        assert!(log.contains(outcome), "{outcome} logged: {log}");
    }
    assert!(!log.contains(&code) && !log.contains(&expired));

    // After MAX_FAILURES failures from this address even a good code is turned away for a while.
    let good = new_code(&t, "MADO-L", time::Duration::hours(1));
    let mut last = None;
    for i in 0..union_enrol::MAX_FAILURES {
        let r = enrolment::enrol(
            &options(
                &t,
                "AAAAA-BBBBB-CCCCC-DDDDE",
                dir.path().join(format!("x{i}")),
            ),
            keys.as_ref(),
        )
        .await;
        last = Some(r);
    }
    expect_refused(
        last.expect("attempts made"),
        EnrolErrorCode::TooManyAttempts,
    );
    expect_refused(
        enrolment::enrol(&options(&t, &good, dir.path().join("l")), keys.as_ref()).await,
        EnrolErrorCode::TooManyAttempts,
    );
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_union_ignores_the_names_a_csr_asks_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = union(dir.path()).await;
    let code = new_code(&t, "MADO-N", time::Duration::hours(1));
    // A CSR asking for another municipality's terminal and an administrator-looking name.
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params =
        rcgen::CertificateParams::new(vec!["union.example.lg.jp".to_string()]).expect("params");
    params.subject_alt_names.push(rcgen::SanType::URI(
        "urn:madoguchi:terminal:131016:EVIL-ADMIN"
            .try_into()
            .expect("uri"),
    ));
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "EVIL-ADMIN");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let csr_pem = params
        .serialize_request(&key)
        .and_then(|c| c.pem())
        .expect("csr");

    let ca = reqwest::Certificate::from_pem(&std::fs::read(&t.ca_cert).expect("ca")).expect("ca");
    let http = reqwest::Client::builder()
        .tls_backend_rustls()
        .tls_certs_only([ca])
        .build()
        .expect("client");
    let resp = http
        .post(format!(
            "https://localhost:{}/v1/enrolment",
            t.enrolment_addr.expect("listener").port()
        ))
        .json(&EnrolRequest { code, csr_pem })
        .send()
        .await
        .expect("enrolment answered");
    assert_eq!(resp.status().as_u16(), 200);
    let answer: EnrolResponse = resp.json().await.expect("answer");
    let leaf = CertificateDer::pem_slice_iter(answer.certificate_chain_pem.as_bytes())
        .next()
        .expect("a certificate")
        .expect("PEM");
    let id = TerminalIdentity::from_certificate(leaf.as_ref()).expect("terminal identity");
    assert_eq!(id.terminal_id, "MADO-N");
    assert_eq!(id.municipality, t.municipality.as_str());
    let bytes = leaf.as_ref();
    for asked in [&b"EVIL-ADMIN"[..], b"131016", b"union.example.lg.jp"] {
        assert!(
            !bytes.windows(asked.len()).any(|w| w == asked),
            "the certificate must not carry {:?}",
            String::from_utf8_lossy(asked)
        );
    }
    let index = pki::load_index(&pki::PkiPaths::new(&t.pki_dir)).expect("index");
    assert!(
        index
            .certificates
            .iter()
            .any(|c| c.serial == answer.serial && c.terminal_id.as_deref() == Some("MADO-N")),
        "recorded in index.json"
    );
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn network_errors_and_an_impostor_alert_never_wipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = union(dir.path()).await;
    let keys = keys();
    let code = new_code(&t, "MADO-F", time::Duration::hours(1));
    let enrolled = enrolment::enrol(&options(&t, &code, dir.path().join("f")), keys.as_ref())
        .await
        .expect("enrols");
    let (user, password) = clerk(&t);

    // Behind a faulty line: resets, refusals, silence.
    let proxy = FaultProxy::start(t.addr).await;
    let mut link = quick(enrolled.link_config(keys.as_ref()).expect("identity"));
    link.endpoint = format!("https://localhost:{}", proxy.addr.port());
    link.request_timeout = Duration::from_millis(800);
    let term = start_terminal(&enrolled, link, &keys, dir.path().join("f-vault"));
    term.counter
        .session()
        .sign_in(&user, &password)
        .await
        .expect("signs in");
    for mode in [
        Mode::Reset,
        Mode::Refuse,
        Mode::Blackhole,
        Mode::DropReplies,
    ] {
        proxy.set(mode);
        tokio::time::sleep(Duration::from_millis(400)).await;
        let r = search_once(&term.counter).await;
        assert!(
            matches!(&r, Err(CounterError::Link(e)) if e.is_line_failure()),
            "{mode:?}: a line failure, got {r:?}"
        );
        assert_eq!(term.counter.terminal_status(), TerminalStatus::Active);
    }
    proxy.set(Mode::Pass);
    eventually(Duration::from_secs(10), "line back", || {
        term.counter.line_state() == madoguchi_link::LineState::Online
    })
    .await;
    assert!(!insured_residents(&term.counter, 1).await.is_empty());
    assert_eq!(term.counter.terminal_status(), TerminalStatus::Active);
    assert!(term.vault_dir.exists());
    assert!(keys.load(&term.vault_id).expect("keyring").is_some());
    term.background.abort();

    // An impostor that answers the ClientHello with a plaintext alert certificate_revoked: the union was
    // never verified, so it is a TLS failure, not a revocation.
    let impostor = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = impostor.local_addr().expect("addr").port();
    let serve = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut s, _)) = impostor.accept().await else {
                return;
            };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf).await;
            // TLS record: alert, TLS 1.2 legacy version, length 2, fatal (2), certificate_revoked (44).
            let _ = s
                .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x2c])
                .await;
            let _ = s.shutdown().await;
        }
    });
    let mut link = quick(enrolled.link_config(keys.as_ref()).expect("identity"));
    link.endpoint = format!("https://localhost:{port}");
    let fooled = start_terminal(&enrolled, link, &keys, dir.path().join("i-vault"));
    let err = fooled
        .counter
        .session()
        .sign_in(&user, &password)
        .await
        .expect_err("no union there");
    assert!(
        matches!(
            err,
            CounterError::Link(LinkError::Transport(madoguchi_link::TransportFailure::Tls))
        ),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(fooled.counter.terminal_status(), TerminalStatus::Active);
    assert!(fooled.vault_dir.exists());
    assert!(keys.load(&fooled.vault_id).expect("keyring").is_some());
    fooled.background.abort();
    serve.abort();
    t.shutdown().await;
}

async fn search_once(
    counter: &Counter,
) -> Result<madoguchi_protocol::v1::ResidentSearchResponse, CounterError> {
    counter
        .search()
        .search(&madoguchi_protocol::v1::ResidentSearchRequest {
            insured_number: None,
            kana: Some(madoguchi_domain::kana::KanaName::parse("ア").expect("kana")),
            birth_date: None,
            limit: Some(5),
        })
        .await
}

/// A key store standing in for a machine without a usable keyring (or without this terminal's entry).
struct FailingKeys {
    unavailable: bool,
}

impl FailingKeys {
    fn unavailable() -> Self {
        FailingKeys { unavailable: true }
    }
    fn missing() -> Self {
        FailingKeys { unavailable: false }
    }
    fn fail<T>(&self) -> Result<T, VaultError> {
        Err(VaultError::KeyringUnavailable {
            detail: "no keyring in this test".into(),
        })
    }
}

impl KeyStore for FailingKeys {
    fn load(&self, _id: &str) -> Result<Option<SecretKey>, VaultError> {
        if self.unavailable {
            self.fail()
        } else {
            Ok(None)
        }
    }
    fn store_new(&self, _id: &str, _key: &SecretKey) -> Result<(), VaultError> {
        self.fail()
    }
    fn destroy(&self, _id: &str) -> Result<(), VaultError> {
        if self.unavailable {
            self.fail()
        } else {
            Ok(())
        }
    }
}
