//! The server process as an operator runs it (issue #13 findings 5, 13, 15, 16): a 個人番号 reveal is in
//! the audit trail even when the process is killed right after answering; SIGTERM drains and flushes;
//! idle connections are closed; seeded data is training data and its password file is private.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use madoguchi_union_server::pki::PkiPaths;
use madoguchi_union_server::store::{SledStore, UnionStore};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// PKI, one terminal and a seeded union from the command line.
fn union_on_disk(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let pki = dir.join("pki");
    let data = dir.join("data");
    ok(bin()
        .args(["pki", "init", "--dir"])
        .arg(&pki)
        .args(["--union", "新潟県後期高齢者医療広域連合"]));
    ok(bin()
        .args(["pki", "server", "--dir"])
        .arg(&pki)
        .args(["--host", "localhost", "127.0.0.1"]));
    ok(bin().args(["pki", "terminal", "--dir"]).arg(&pki).args([
        "--municipality",
        "152111",
        "--terminal",
        "MITSUKE-01",
    ]));
    ok(bin().args(["seed", "--data"]).arg(&data).args([
        "--municipality",
        "152111",
        "--residents",
        "30",
        "--seed",
        "3",
        "--light-hashes",
    ]));
    (pki, data)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(pki: &Path, data: &Path, port: u16) -> std::process::Child {
    bin()
        .args(["serve", "--pki"])
        .arg(pki)
        .arg("--data")
        .arg(data)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn terminal_client(pki: &Path) -> reqwest::Client {
    let paths = PkiPaths::new(pki);
    let mut pem = std::fs::read(paths.terminal_cert("MITSUKE-01")).unwrap();
    pem.extend(std::fs::read(paths.terminal_key("MITSUKE-01")).unwrap());
    client_with(
        &paths.ca_cert(),
        Some(reqwest::Identity::from_pem(&pem).unwrap()),
    )
}

async fn wait_up(client: &reqwest::Client, port: u16) {
    let started = Instant::now();
    while client
        .get(format!("https://127.0.0.1:{port}/v1/health"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn post(
    client: &reqwest::Client,
    port: u16,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = client
        .post(format!("https://127.0.0.1:{port}{path}"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn wait_exit(child: &mut std::process::Child, bound: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if started.elapsed() > bound {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_reveal_is_audited_before_it_is_answered_even_under_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, data) = union_on_disk(dir.path());
    let client = terminal_client(&pki);
    let residents: Vec<_> = {
        let store = SledStore::open(&data).unwrap();
        store
            .residents_of(&municipality(MITSUKE))
            .unwrap()
            .into_iter()
            .filter(|r| r.my_number.is_some())
            .map(|r| r.id)
            .take(5)
            .collect()
    };
    assert_eq!(residents.len(), 5);
    for id in &residents {
        let port = free_port();
        let mut child = serve(&pki, &data, port);
        wait_up(&client, port).await;
        let (s, v) = post(
            &client,
            port,
            "/v1/session",
            None,
            json!({"user_id": "152111-clerk", "password": "kensyu-152111-clerk"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let token = v["token"].as_str().unwrap().to_string();
        let (s, v) = post(
            &client,
            port,
            &format!("/v1/residents/{id}/my-number"),
            Some(&token),
            json!({"purpose": "identity_check"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // Killed the moment the answer arrived.
        child.kill().unwrap();
        child.wait().unwrap();
        let store = SledStore::open(&data).unwrap();
        let entries = store.audit(&municipality(MITSUKE), None, 100_000).unwrap();
        let reveal = entries.iter().find(|e| {
            e.operation == "POST /v1/residents/{id}/my-number"
                && e.status == 200
                && e.target
                    .as_deref()
                    .is_some_and(|t| t.contains(&id.to_string()))
        });
        assert!(
            reveal.is_some(),
            "the reveal of {id} is not in the audit trail"
        );
    }
}

#[tokio::test]
async fn sigterm_drains_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, data) = union_on_disk(dir.path());
    let client = terminal_client(&pki);
    let port = free_port();
    let mut child = serve(&pki, &data, port);
    wait_up(&client, port).await;
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_exit(&mut child, Duration::from_secs(20)).expect("exits on SIGTERM");
    assert!(status.success(), "a clean exit, not a kill: {status:?}");
    // Flushed and unlocked: the store opens and verifies at once.
    let store = SledStore::open(&data).unwrap();
    store.verify().unwrap();
}

#[tokio::test]
async fn idle_connections_are_closed() {
    use tokio::io::AsyncReadExt;
    let fx = Fixture::start_configured(5, None, |options, _| {
        options.idle_timeout = Duration::from_millis(800);
    })
    .await;
    let paths = fx.paths();
    let provider = madoguchi_union_server::tls::provider();
    let mut roots = rustls::RootCertStore::empty();
    let ca = std::fs::read(paths.ca_cert()).unwrap();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&ca) {
        roots.add(cert.unwrap()).unwrap();
    }
    use rustls_pki_types::pem::PemObject;
    let chain: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(
        &std::fs::read(paths.terminal_cert(T_MITSUKE)).unwrap(),
    )
    .map(|c| c.unwrap())
    .collect();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(
        &std::fs::read(paths.terminal_key(T_MITSUKE)).unwrap(),
    )
    .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .unwrap();
    for alpn in [b"http/1.1".to_vec(), b"h2".to_vec()] {
        let mut config = config.clone();
        config.alpn_protocols = vec![alpn.clone()];
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(fx.addr).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        if alpn == b"h2" {
            use tokio::io::AsyncWriteExt;
            tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
                .await
                .unwrap();
        }
        // Nothing more is sent: the server closes the connection after the idle bound.
        let mut buf = vec![0u8; 4096];
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue, // h2 settings frames
                }
            }
        })
        .await;
        assert!(
            closed.is_ok(),
            "an idle {} connection stayed open",
            String::from_utf8_lossy(&alpn)
        );
    }
    fx.shutdown().await;
}

#[test]
fn seeded_data_is_training_data_and_its_passwords_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // A union configured for production…
    let mut config =
        madoguchi_union_server::config::UnionConfig::default_for("新潟県後期高齢者医療広域連合");
    config.training = false;
    std::fs::write(
        data.join(madoguchi_union_server::server::CONFIG_FILE),
        config.to_toml(),
    )
    .unwrap();
    ok(bin().args(["seed", "--data"]).arg(&data).args([
        "--municipality",
        "152111",
        "--residents",
        "5",
        "--light-hashes",
    ]));
    // …becomes a training union once seeded: everything it prints carries 見本.
    let config = madoguchi_union_server::config::UnionConfig::load(
        &data.join(madoguchi_union_server::server::CONFIG_FILE),
    )
    .unwrap();
    assert!(config.training);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("TRAINING-STAFF.md"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
