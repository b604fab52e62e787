//! The stable command line, end to end: `pki init|server|terminal|revoke`, `seed`, `serve`, and a terminal
//! connecting to the served port.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use madoguchi_union_server::pki::PkiPaths;
use reqwest::StatusCode;

#[tokio::test]
async fn pki_seed_serve_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let data = dir.path().join("data");
    ok(bin()
        .args(["pki", "init", "--dir"])
        .arg(&pki)
        .args(["--union", "新潟県後期高齢者医療広域連合"]));
    // A second init must not overwrite the CA.
    assert!(
        !bin()
            .args(["pki", "init", "--dir"])
            .arg(&pki)
            .args(["--union", "x"])
            .output()
            .unwrap()
            .status
            .success()
    );
    ok(bin()
        .args(["pki", "server", "--dir"])
        .arg(&pki)
        .args(["--host", "localhost", "127.0.0.1"]));
    let out = ok(bin().args(["pki", "terminal", "--dir"]).arg(&pki).args([
        "--municipality",
        "152111",
        "--terminal",
        "MITSUKE-07",
        "--days",
        "30",
    ]));
    assert!(out.contains("terminal-MITSUKE-07.pem"));
    // An invalid 地方公共団体コード (wrong check digit) is refused.
    assert!(
        !bin()
            .args(["pki", "terminal", "--dir"])
            .arg(&pki)
            .args(["--municipality", "152112", "--terminal", "X-1"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let paths = PkiPaths::new(&pki);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in [
            paths.ca_key(),
            paths.server_key(),
            paths.terminal_key("MITSUKE-07"),
        ] {
            assert_eq!(
                std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600,
                "{key:?}"
            );
        }
    }
    let out = ok(bin().args(["seed", "--data"]).arg(&data).args([
        "--municipality",
        "152111",
        "152021",
        "--residents",
        "30",
        "--seed",
        "5",
        "--as-of",
        "2026-11-21",
        "--light-hashes",
    ]));
    assert!(out.contains("152111-clerk"));
    assert!(data.join("TRAINING-STAFF.md").exists());

    // A personal account added by the administrator (password from the environment, never argv).
    ok(bin()
        .args(["staff", "add", "--data"])
        .arg(&data)
        .args([
            "--user",
            "m.tanaka",
            "--name",
            "田中 窓口",
            "--municipality",
            "152111",
            "--role",
            "clerk",
            "--my-number",
        ])
        .env("MADOGUCHI_STAFF_PASSWORD", "a-long-password-1"));
    let listed = ok(bin().args(["staff", "list", "--data"]).arg(&data));
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("m.tanaka\t152111") && l.ends_with("有効")),
        "{listed}"
    );

    // Serve on a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        bin()
            .args(["serve", "--pki"])
            .arg(&pki)
            .arg("--data")
            .arg(&data)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut pem = std::fs::read(paths.terminal_cert("MITSUKE-07")).unwrap();
    pem.extend(std::fs::read(paths.terminal_key("MITSUKE-07")).unwrap());
    let client = client_with(
        &paths.ca_cert(),
        Some(reqwest::Identity::from_pem(&pem).unwrap()),
    );
    let url = format!("https://127.0.0.1:{port}/v1/health");
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(&url).send().await {
            assert_eq!(r.status(), StatusCode::OK);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let res = client
        .post(format!("https://127.0.0.1:{port}/v1/session"))
        .json(&serde_json::json!({"user_id": "152111-clerk", "password": "kensyu-152111-clerk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = client
        .post(format!("https://127.0.0.1:{port}/v1/session"))
        .json(&serde_json::json!({"user_id": "m.tanaka", "password": "a-long-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Revoke from the command line; the served process refuses new connections without a restart.
    ok(bin()
        .args(["pki", "revoke", "--dir"])
        .arg(&pki)
        .args(["--terminal", "MITSUKE-07"]));
    let started = Instant::now();
    loop {
        let fresh = client_with(
            &paths.ca_cert(),
            Some(reqwest::Identity::from_pem(&pem).unwrap()),
        );
        if fresh.get(&url).send().await.is_err() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "revocation not picked up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
