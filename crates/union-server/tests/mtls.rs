//! Mutual TLS over real sockets on 127.0.0.1: which connections the union server refuses, and that the
//! terminal side refuses a server that is not the union's.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use madoguchi_union_server::config::UnionConfig;
use madoguchi_union_server::pki::{self, PkiPaths};
use madoguchi_union_server::server::{self, ServeOptions};
use madoguchi_union_server::store::SledStore;
use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair, SanType};
use reqwest::{Client, Identity, StatusCode};

async fn health(client: &Client, fx: &Fixture) -> Result<StatusCode, reqwest::Error> {
    client
        .get(fx.url("/v1/health"))
        .send()
        .await
        .map(|r| r.status())
}

/// The whole error chain as text (reqwest wraps the rustls alert several levels down).
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Asserts the request failed in the TLS layer with one of the expected reasons.
async fn refused(client: &Client, fx: &Fixture, expected: &[&str]) {
    let err = health(client, fx)
        .await
        .expect_err("the connection must be refused");
    let text = chain(&err);
    eprintln!("refused: {text}");
    assert!(
        expected.iter().any(|x| text.contains(x)),
        "unexpected refusal reason: {text}"
    );
}

#[tokio::test]
async fn only_valid_terminal_certificates_from_the_union_ca_connect() {
    let fx = Fixture::start(5, None).await;

    // A valid terminal: 200, and the body names the terminal from its certificate.
    let ok = fx.client(T_MITSUKE);
    let res = ok.get(fx.url("/v1/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["terminal_id"], T_MITSUKE);
    assert_eq!(body["municipality"], MITSUKE);

    // No client certificate.
    let anonymous = client_with(&fx.paths().ca_cert(), None);
    refused(&anonymous, &fx, &["CertificateRequired"]).await;

    // Self-signed client certificate carrying a plausible terminal URN.
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.subject_alt_names = vec![SanType::URI(
        "urn:madoguchi:terminal:152111:FAKE-01".try_into().unwrap(),
    )];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.self_signed(&key).unwrap();
    let pem = format!("{}{}", cert.pem(), key.serialize_pem());
    let self_signed = client_with(
        &fx.paths().ca_cert(),
        Some(Identity::from_pem(pem.as_bytes()).unwrap()),
    );
    refused(&self_signed, &fx, &["UnknownCA", "BadCertificate"]).await;

    // A terminal certificate from another CA.
    let other = tempfile::tempdir().unwrap();
    pki::init(other.path(), "別の広域連合", 30).unwrap();
    pki::issue_terminal(other.path(), MITSUKE, "MITSUKE-01", 30).unwrap();
    let foreign = client_with(
        &fx.paths().ca_cert(),
        Some(identity_of(&PkiPaths::new(other.path()), "MITSUKE-01")),
    );
    refused(&foreign, &fx, &["UnknownCA", "BadCertificate"]).await;

    // An expired terminal certificate from the union CA.
    let now = time::OffsetDateTime::now_utc();
    pki::issue_terminal_with_validity(
        &fx.pki,
        MITSUKE,
        "EXPIRED-01",
        now - time::Duration::days(10),
        now - time::Duration::days(1),
    )
    .unwrap();
    let expired = fx.client("EXPIRED-01");
    refused(&expired, &fx, &["CertificateExpired"]).await;

    // A TLS 1.2 client with a valid certificate.
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fx.paths().ca_cert()).unwrap()).unwrap();
    let tls12 = Client::builder()
        .tls_certs_only([ca])
        .identity(identity_of(&fx.paths(), T_MITSUKE))
        .tls_version_max(reqwest::tls::Version::TLS_1_2)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    refused(&tls12, &fx, &["ProtocolVersion", "HandshakeFailure"]).await;

    // The valid terminal still works after all that.
    assert_eq!(health(&ok, &fx).await.unwrap(), StatusCode::OK);
    fx.shutdown().await;
}

#[tokio::test]
async fn revocation_takes_effect_without_restart() {
    let fx = Fixture::start(5, None).await;
    pki::issue_terminal(&fx.pki, MITSUKE, "REVOKE-ME", 30).unwrap();
    let before = fx.client("REVOKE-ME");
    assert_eq!(health(&before, &fx).await.unwrap(), StatusCode::OK);

    // Revoke with the real command-line tool, as an administrator would.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi-union"))
        .args(["pki", "revoke", "--dir"])
        .arg(&fx.pki)
        .args(["--terminal", "REVOKE-ME"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // New connections are refused within seconds.
    let started = Instant::now();
    loop {
        let fresh = fx.client("REVOKE-ME");
        if let Err(e) = health(&fresh, &fx).await {
            assert!(chain(&e).contains("CertificateRevoked"), "{}", chain(&e));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "CRL not reloaded in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The connection opened before the revocation (kept alive) is refused per request.
    let res = before.get(fx.url("/v1/health")).send().await;
    // The pooled connection is still open, so the refusal comes from the per-request check.
    let r = res.expect("the kept-alive connection is still open");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(code(&v), "terminal_revoked");
    // Other terminals are unaffected.
    assert_eq!(
        health(&fx.client(T_MITSUKE), &fx).await.unwrap(),
        StatusCode::OK
    );
    fx.shutdown().await;
}

#[tokio::test]
async fn terminal_refuses_a_server_not_from_the_union_ca() {
    let fx = Fixture::start(1, None).await;
    // An impostor server with its own CA, on another port.
    let other = tempfile::tempdir().unwrap();
    let opki = other.path().join("pki");
    let odata = other.path().join("data");
    pki::init(&opki, "なりすまし", 30).unwrap();
    pki::issue_server(&opki, &["127.0.0.1".into()], 30).unwrap();
    pki::issue_terminal(&opki, MITSUKE, "X-01", 30).unwrap();
    let store = Arc::new(SledStore::open(&odata).unwrap());
    let impostor = server::start_with(
        ServeOptions::new(&opki, &odata, "127.0.0.1:0".parse().unwrap()),
        UnionConfig::default_for("なりすまし"),
        store,
    )
    .await
    .unwrap();
    // The union terminal pins the union CA.
    let client = fx.client(T_MITSUKE);
    let res = client
        .get(format!(
            "https://127.0.0.1:{}/v1/health",
            impostor.addr.port()
        ))
        .send()
        .await;
    let err =
        res.expect_err("a server certificate from another CA must be refused by the terminal");
    assert!(chain(&err).contains("UnknownIssuer"), "{}", chain(&err));
    // The real server is accepted by the same client.
    assert_eq!(health(&client, &fx).await.unwrap(), StatusCode::OK);
    impostor.shutdown().await;
    fx.shutdown().await;
}

/// A terminal that connects and then sends its request headers too slowly is cut off (slowloris).
#[tokio::test]
async fn slow_request_headers_are_cut_off() {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let fx = Fixture::start(1, None).await;
    // A second server on the same PKI with a short header timeout.
    let data = fx.dir.path().join("data-slow");
    let mut options = ServeOptions::new(&fx.pki, &data, "127.0.0.1:0".parse().unwrap());
    options.handshake_timeout = Duration::from_millis(500);
    let store = Arc::new(SledStore::open(&data).unwrap());
    let server = server::start_with(options, UnionConfig::default_for("x"), store)
        .await
        .unwrap();

    let paths = fx.paths();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(paths.ca_cert()).unwrap())
        .unwrap();
    let certs = vec![CertificateDer::from_pem_file(paths.terminal_cert(T_MITSUKE)).unwrap()];
    let key = PrivateKeyDer::from_pem_file(paths.terminal_key(T_MITSUKE)).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_root_certificates(roots)
    .with_client_auth_cert(certs, key)
    .unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    let started = Instant::now();
    tls.write_all(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    // ...and never finish the headers. The server must close the connection on its own.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept a half-sent request open");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    server.shutdown().await;
    fx.shutdown().await;
}
