//! `madoguchi-admin enroll`, the built binary, against a union with an enrolment listener on 127.0.0.1.
//! The terminal key is kept with the real OS keyring: run under `keyctl session -` (the binary inherits
//! the session keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use madoguchi_link::enrolment::EnrolledTerminal;
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_union_server::enrol;
use madoguchi_union_server::training::{self, TrainingOptions};
use madoguchi_vault::KeyringKeyStore;

async fn admin(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
            .args(&args)
            .env_remove("MADOGUCHI_ENROLMENT_CODE")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("joined")
}

fn enroll_args(url: &str, ca: &Path, code: &str, dir: &Path) -> Vec<String> {
    vec![
        "enroll".into(),
        "--union".into(),
        url.into(),
        "--ca".into(),
        ca.display().to_string(),
        "--code".into(),
        code.into(),
        "--terminal-dir".into(),
        dir.display().to_string(),
        "--timeout".into(),
        "5".into(),
    ]
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_binary_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let union = training::start_with(
        &dir.path().join("union"),
        TrainingOptions {
            residents: 10,
            enrolment_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            ..TrainingOptions::default()
        },
    )
    .await
    .expect("union starts");
    // The union names its API endpoint in union.toml in production; here the listener is on port 0, so the
    // endpoint comes from --endpoint.
    let url = format!(
        "https://localhost:{}",
        union.enrolment_addr.expect("listener").port()
    );
    let endpoint = format!("https://localhost:{}", union.addr.port());
    let code = enrol::create_code(
        &union.pki_dir,
        union.municipality.as_str(),
        "ADM-01",
        time::Duration::hours(1),
        30,
    )
    .expect("code")
    .code;

    // A wrong code: exit 1, the reason in Japanese and English.
    let o = admin(enroll_args(
        &url,
        &union.ca_cert,
        "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ",
        &dir.path().join("t0"),
    ))
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("登録コードが正しくありません"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("unknown enrolment code"),
        "{}",
        stderr(&o)
    );

    // The right code.
    let term_dir = dir.path().join("t1");
    let mut args = enroll_args(&url, &union.ca_cert, &code, &term_dir);
    args.extend(["--endpoint".to_string(), endpoint.clone()]);
    let o = admin(args).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.lines().next(),
        Some(format!("enrolled ADM-01 {}", union.municipality.as_str()).as_str())
    );
    assert!(!out.contains("PRIVATE KEY"));

    // What it installed is a working mutual-TLS identity.
    let keys = KeyringKeyStore::os_default().expect("run under `keyctl session -`");
    let enrolled = EnrolledTerminal::load(&term_dir).expect("terminal.toml");
    assert_eq!(enrolled.description.endpoint, endpoint);
    let cfg = enrolled.link_config(&keys).expect("identity opens");
    let health = UnionClient::new(&cfg, LineMonitor::new())
        .expect("client")
        .health()
        .await
        .expect("mutual TLS with the enrolled identity");
    assert_eq!(health.terminal_id, "ADM-01");

    // The same code again: used.
    let o = admin(enroll_args(
        &url,
        &union.ca_cert,
        &code,
        &dir.path().join("t2"),
    ))
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("使用済み"), "{}", stderr(&o));

    // The same terminal directory again: refused locally.
    let o = admin(enroll_args(&url, &union.ca_cert, &code, &term_dir)).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("登録済み"), "{}", stderr(&o));

    // A CA that did not sign the union's certificate.
    let other = dir.path().join("other-pki");
    madoguchi_union_server::pki::init(&other, "別の広域連合", 30).expect("other CA");
    let o = admin(enroll_args(
        &url,
        &other.join("ca.pem"),
        &code,
        &dir.path().join("t3"),
    ))
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("サーバー証明書"), "{}", stderr(&o));

    // Nobody listening.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let o = admin(enroll_args(
        &format!("https://localhost:{closed}"),
        &union.ca_cert,
        &code,
        &dir.path().join("t4"),
    ))
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("接続できません"), "{}", stderr(&o));
    tokio::time::sleep(Duration::from_millis(10)).await;
    union.shutdown().await;
}
