//! 端末登録 from the command line while the server runs: `serve` with `[enrolment]` in union.toml, then
//! `pki enrolment-code` in another process; a terminal redeems the code with a CSR over server-authenticated
//! TLS and connects over mutual TLS with the certificate it got.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use madoguchi_protocol::enrol::{EnrolErrorBody, EnrolErrorCode, EnrolRequest, EnrolResponse};
use madoguchi_union_server::pki::PkiPaths;
use reqwest::StatusCode;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn enrolment_codes_from_the_cli_work_while_serve_runs() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let data = dir.path().join("data");
    ok(bin()
        .args(["pki", "init", "--dir"])
        .arg(&pki)
        .args(["--union", "新潟県後期高齢者医療広域連合"]));
    ok(bin()
        .args(["pki", "server", "--dir"])
        .arg(&pki)
        .args(["--host", "localhost", "127.0.0.1"]));
    ok(bin().args(["seed", "--data"]).arg(&data).args([
        "--municipality",
        "152111",
        "--residents",
        "5",
        "--light-hashes",
    ]));
    let (api, enrol) = (free_port(), free_port());
    let mut toml = std::fs::read_to_string(data.join("union.toml")).unwrap();
    toml.push_str(&format!(
        "\n[enrolment]\nlisten = \"127.0.0.1:{enrol}\"\napi_endpoint = \"https://localhost:{api}\"\n"
    ));
    std::fs::write(data.join("union.toml"), toml).unwrap();
    let _server = Server(
        bin()
            .args(["serve", "--pki"])
            .arg(&pki)
            .arg("--data")
            .arg(&data)
            .args(["--listen", &format!("127.0.0.1:{api}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let paths = PkiPaths::new(&pki);
    // No client certificate on the enrolment listener.
    let anonymous = client_with(&paths.ca_cert(), None);
    let enrol_url = format!("https://localhost:{enrol}/v1/enrolment");
    let key = rcgen::KeyPair::generate().unwrap();
    let csr_pem = rcgen::CertificateParams::default()
        .serialize_request(&key)
        .unwrap()
        .pem()
        .unwrap();
    let started = Instant::now();
    loop {
        let r = anonymous
            .post(&enrol_url)
            .json(&EnrolRequest {
                code: "00000-00000-00000-00000".into(),
                csr_pem: csr_pem.clone(),
            })
            .send()
            .await;
        if let Ok(r) = r {
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let body: EnrolErrorBody = r.json().await.unwrap();
            assert_eq!(body.code, EnrolErrorCode::UnknownCode);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The code is made after the server started, by another process.
    let out = ok(bin()
        .args(["pki", "enrolment-code", "--dir"])
        .arg(&pki)
        .args([
            "--municipality",
            "152111",
            "--terminal",
            "MITSUKE-11",
            "--hours",
            "1",
        ]));
    let code = out.lines().next().unwrap().to_owned();
    assert_eq!(code.len(), 23, "{out}");
    let r = anonymous
        .post(&enrol_url)
        .json(&EnrolRequest {
            code: code.clone(),
            csr_pem,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer: EnrolResponse = r.json().await.unwrap();
    assert_eq!(answer.terminal_id, "MITSUKE-11");
    assert_eq!(
        answer.api_endpoint.as_deref(),
        Some(format!("https://localhost:{api}").as_str())
    );

    // The new certificate passes the API's mutual TLS.
    let mut identity = answer.certificate_chain_pem.clone().into_bytes();
    identity.extend(key.serialize_pem().into_bytes());
    let terminal = client_with(
        &paths.ca_cert(),
        Some(reqwest::Identity::from_pem(&identity).unwrap()),
    );
    let health: serde_json::Value = terminal
        .get(format!("https://localhost:{api}/v1/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["terminal_id"], "MITSUKE-11");

    let listed = ok(bin().args(["pki", "enrolment-codes", "--dir"]).arg(&pki));
    assert!(
        listed.contains("MITSUKE-11\t152111") && listed.contains(&answer.serial),
        "{listed}"
    );
    assert!(!listed.contains(&code), "codes are never listed");
}
