//! The shell on Tauri's mock runtime: the ACL, the commands' answers, the training terminal.

use super::*;
use madoguchi_application::TerminalErrorCode;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::{InvokeRequest, WebviewWindow, WebviewWindowBuilder};

/// The origin the bundled UI has on Linux and macOS (`http://tauri.localhost` on Windows).
#[cfg(not(windows))]
const LOCAL_ORIGIN: &str = "tauri://localhost";
#[cfg(windows)]
const LOCAL_ORIGIN: &str = "http://tauri.localhost";

/// The app with its real context (capabilities, CSP, windows from tauri.conf.json) on the mock runtime.
fn app() -> tauri::App<MockRuntime> {
    app_builder(mock_builder(), Shell::starting(true))
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime")
}

fn request(cmd: &str, origin: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: origin.parse().expect("valid origin"),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

/// Opens the `main` window exactly as declared in tauri.conf.json (the real runtime does this when its
/// event loop starts, which the mock runtime never runs).
fn main_window(app: &tauri::App<MockRuntime>) -> WebviewWindow<MockRuntime> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .expect("tauri.conf.json declares the `main` window");
    assert_eq!(config.title, "Madoguchi 窓口端末");
    WebviewWindowBuilder::from_config(app.handle(), config)
        .expect("window config")
        .build()
        .expect("mock window")
}

/// The refusal must come from the ACL (debug builds explain it with "not allowed"), not from some other
/// failure that would also make the call fail.
fn assert_refused_by_acl(response: Result<tauri::ipc::InvokeResponseBody, serde_json::Value>) {
    let message = match response {
        Ok(body) => panic!("expected a refusal, got {body:?}"),
        Err(message) => message.to_string(),
    };
    assert!(
        message.contains("not allowed"),
        "unexpected refusal: {message}"
    );
}

#[test]
fn app_info_answers_the_main_window() {
    let app = app();
    let body = get_ipc_response(&main_window(&app), request("app_info", LOCAL_ORIGIN))
        .expect("app_info is granted to the main window");
    let info: serde_json::Value = body.deserialize().expect("json body");
    assert_eq!(
        info,
        serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "training_mode": true,
            "line_state": "unknown",
            "startup": "starting",
            "idle_lock_seconds": 60,
            "terminal_revoked": false,
            // Still starting: the training union's accounts are listed once it is ready.
            "training_accounts": [],
        })
    );
}

#[test]
fn resident_commands_wait_for_the_start_with_a_japanese_message() {
    let app = app();
    let window = main_window(&app);
    for cmd in ["queue", "ready_to_issue", "session_info", "line_state"] {
        let err = get_ipc_response(&window, request(cmd, LOCAL_ORIGIN))
            .expect_err("refused while starting");
        assert_eq!(err["code"], "starting", "{cmd}: {err}");
        assert_eq!(err["message_ja"], "起動中です。しばらくお待ちください。");
    }
}

#[test]
fn a_failed_start_is_reported_not_crashed() {
    let app = app();
    app.state::<Shell>()
        .set_startup(Startup::Failed(IpcError::new(
            TerminalErrorCode::KeyringUnavailable,
            "キーリングを利用できません。",
        )));
    let window = main_window(&app);
    let body =
        get_ipc_response(&window, request("app_info", LOCAL_ORIGIN)).expect("app_info answers");
    let info: serde_json::Value = body.deserialize().expect("json body");
    assert_eq!(info["startup"], "failed");
    assert_eq!(info["error"]["code"], "keyring_unavailable");
    let err = get_ipc_response(&window, request("queue", LOCAL_ORIGIN)).expect_err("refused");
    assert_eq!(err["code"], "keyring_unavailable");
}

#[test]
fn unknown_command_is_refused() {
    let app = app();
    let refused = get_ipc_response(
        &main_window(&app),
        request("delete_everything", LOCAL_ORIGIN),
    );
    assert_refused_by_acl(refused);
}

#[test]
fn core_plugins_are_not_granted() {
    // Besides listening to app events the counter window gets no core permission: it cannot even read its
    // own title via the window plugin.
    let app = app();
    let refused = get_ipc_response(
        &main_window(&app),
        request("plugin:window|title", LOCAL_ORIGIN),
    );
    assert_refused_by_acl(refused);
}

#[test]
fn other_windows_get_nothing() {
    let app = app();
    let other = WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .expect("mock window");
    let refused = get_ipc_response(&other, request("app_info", LOCAL_ORIGIN));
    assert_refused_by_acl(refused);
}

#[test]
fn remote_origin_gets_nothing() {
    let app = app();
    let refused = get_ipc_response(
        &main_window(&app),
        request("app_info", "https://example.invalid"),
    );
    assert_refused_by_acl(refused);
}

#[test]
fn csp_allows_nothing_but_the_app_itself() {
    let app = app();
    let csp = app
        .config()
        .app
        .security
        .csp
        .as_ref()
        .expect("tauri.conf.json sets a CSP")
        .to_string();
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for expected in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src ipc: http://ipc.localhost",
        "object-src 'none'",
    ] {
        assert!(
            directives.contains(&expected),
            "missing `{expected}` in {csp}"
        );
    }
    for forbidden in ["unsafe-inline", "unsafe-eval", "https:", "*"] {
        assert!(!csp.contains(forbidden), "`{forbidden}` in {csp}");
    }
}

#[cfg(feature = "training")]
fn call(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let mut req = request(cmd, LOCAL_ORIGIN);
    req.body = InvokeBody::Json(args);
    get_ipc_response(window, req).map(|b| b.deserialize().expect("json body"))
}

#[cfg(feature = "training")]
/// The app on the mock runtime with a real, started training terminal in `dir` (embedded union over
/// mutual TLS, vault on the OS keyring). `None` (the test says it skipped) when there is no session
/// keyring, unless `MADOGUCHI_REQUIRE_KEYRING=1` demands one (`keyctl session - env … cargo test`).
fn training_app(test: &str) -> Option<(tempfile::TempDir, tauri::App<MockRuntime>)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let started =
        tauri::async_runtime::block_on(terminal::start(dir.path(), &TerminalConfig::default()));
    let terminal = match started {
        Ok(t) => t,
        Err(e)
            if e.code == TerminalErrorCode::KeyringUnavailable
                && std::env::var("MADOGUCHI_REQUIRE_KEYRING").as_deref() != Ok("1") =>
        {
            eprintln!("SKIPPED {test}: no OS keyring here; run it under `keyctl session -`");
            return None;
        }
        Err(e) => panic!("training terminal starts (run under `keyctl session -`): {e:?}"),
    };
    let app = app();
    app.state::<Shell>()
        .set_startup(Startup::Ready(Arc::new(terminal)));
    Some((dir, app))
}

#[cfg(feature = "training")]
fn move_in_form(addressee: &str) -> serde_json::Value {
    serde_json::json!({"form": {
        "kind": "acquisition_move_in",
        "addressee_number": addressee,
        "household_number": format!("9{addressee}"),
        "name": "研修　花子",
        "kana": "ケンシュウ ハナコ",
        "birth_date": "S19.4.4",
        "sex": "female",
        "address": "新潟県見附市研修町1-2-3",
        "my_number": madoguchi_domain::ids::MyNumber::from_eleven_digits([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9])
            .expect("synthetic")
            .reveal(),
        "moved_in_on": "R8.4.1",
    }})
}

/// The commands against a real training terminal (embedded union over mutual TLS, vault on the OS
/// keyring — run under `keyctl session -`): session checks, screen lock, 和暦 search, submit online
/// and offline, previews, the drain into 交付待ち. Printing itself is covered by the E2E run (CUPS).
#[cfg(feature = "training")]
#[test]
fn the_commands_over_a_training_terminal() {
    let Some((_dir, app)) = training_app("the_commands_over_a_training_terminal") else {
        return;
    };
    let w = main_window(&app);
    let none = serde_json::json!({});

    let err = call(&w, "queue", none.clone()).expect_err("nobody signed in");
    assert_eq!(err["code"], "not_signed_in");
    let err = call(
        &w,
        "sign_in",
        serde_json::json!({"userId": "152111-clerk", "password": "wrong"}),
    )
    .expect_err("wrong password");
    assert!(
        !err["message_ja"].as_str().unwrap_or_default().is_empty(),
        "{err}"
    );
    let staff = call(
        &w,
        "sign_in",
        serde_json::json!({"userId": "152111-clerk", "password": "kensyu-152111-clerk"}),
    )
    .expect("sign in");
    assert_eq!(staff["user_id"], "152111-clerk");

    // Validation in Japanese, per field, before anything is sent.
    let err = call(
        &w,
        "submit",
        serde_json::json!({"form": {"kind": "reissue", "resident_id": ""}}),
    )
    .expect_err("invalid");
    assert_eq!(err["code"], "invalid_input");
    assert_eq!(err["fields"][0]["field"], "resident_id");

    // Online: decided at once, a sample 資格確認書 to preview.
    let decided = call(&w, "submit", move_in_form("880001")).expect("submit");
    assert_eq!(decided["result"], "decided", "{decided}");
    let document_id = decided["decision"]["document"]["document_id"].clone();
    let preview = call(
        &w,
        "preview_document",
        serde_json::json!({"documentId": document_id}),
    )
    .expect("preview");
    assert!(
        preview["data_url"]
            .as_str()
            .unwrap_or_default()
            .starts_with("data:image/png;base64,")
    );
    assert_eq!(preview["sample"], true);
    let err = call(
        &w,
        "record_issuance",
        serde_json::json!({"form": {"document_id": document_id, "method": "counter"}}),
    )
    .expect_err("窓口 needs an identity document");
    assert_eq!(err["fields"][0]["field"], "identity_documents");

    // 和暦 search finds the new resident; rows carry no 個人番号.
    let found = call(
        &w,
        "search",
        serde_json::json!({"form": {"kana": "ケンシュウ", "birth_date": "S19.4.4"}}),
    )
    .expect("search");
    let rows = found["residents"].as_array().expect("rows");
    assert!(!rows.is_empty());
    assert!(!found.to_string().contains("98765432109"));
    let resident_id = rows[0]["resident_id"].clone();

    // Screen lock: everything refused until the same user's password is given again.
    call(&w, "lock_screen", none.clone()).expect("lock");
    assert_eq!(
        call(&w, "queue", none.clone()).expect_err("locked")["code"],
        "locked"
    );
    call(&w, "unlock", serde_json::json!({"password": "nope"})).expect_err("wrong password");
    assert_eq!(
        call(&w, "queue", none.clone()).expect_err("still locked")["code"],
        "locked"
    );
    call(
        &w,
        "unlock",
        serde_json::json!({"password": "kensyu-152111-clerk"}),
    )
    .expect("unlock");

    // Offline (training switch): queued with a receipt, previewable 受付控.
    let line = call(&w, "simulate_line_failure", serde_json::json!({"on": true})).expect("cut");
    assert_eq!(line, "offline");
    let queued = call(
        &w,
        "submit",
        serde_json::json!({"form": {"kind": "reissue", "resident_id": resident_id, "reason": "lost"}}),
    )
    .expect("queued");
    assert_eq!(queued["result"], "queued", "{queued}");
    let seq = queued["seq"].clone();
    let receipt = call(&w, "preview_receipt", serde_json::json!({"seq": seq})).expect("receipt");
    assert_eq!(receipt["sample"], true);
    let q = call(&w, "queue", none.clone()).expect("queue");
    assert!(
        q.as_array()
            .expect("list")
            .iter()
            .any(|e| e["seq"] == seq && e["state"] == "queued")
    );

    // The line returns: the drain decides it and it is ready to issue.
    call(
        &w,
        "simulate_line_failure",
        serde_json::json!({"on": false}),
    )
    .expect("restore");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ready = call(&w, "ready_to_issue", none.clone()).expect("ready");
        if ready
            .as_array()
            .is_some_and(|r| r.iter().any(|i| i["seq"] == seq))
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not decided: {ready}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    call(&w, "sign_out", none.clone()).expect("sign out");
    assert_eq!(
        call(&w, "queue", none).expect_err("signed out")["code"],
        "not_signed_in"
    );
    if let Ok(t) = app.state::<Shell>().terminal() {
        tauri::async_runtime::block_on(t.shutdown());
    }
}

/// The 監査ログ commands over a training terminal: refused to a clerk (mirroring the union), an
/// administrator searches by 被保険者番号 and exports into the export directory; the chain file verifies.
#[cfg(feature = "training")]
#[test]
fn the_audit_commands_over_a_training_terminal() {
    let Some((dir, app)) = training_app("the_audit_commands_over_a_training_terminal") else {
        return;
    };
    let w = main_window(&app);
    let none = serde_json::json!({});
    let sign_in = |who: &str| {
        call(
            &w,
            "sign_in",
            serde_json::json!({"userId": format!("152111-{who}"), "password": format!("kensyu-152111-{who}")}),
        )
        .expect("sign in")
    };
    sign_in("clerk");
    let found = call(&w, "search", serde_json::json!({"form": {"kana": "ア"}})).expect("search");
    let row = found["residents"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["insured_number"].is_string()))
        .cloned()
        .expect("an insured resident");
    call(
        &w,
        "resident",
        serde_json::json!({"residentId": row["resident_id"]}),
    )
    .expect("view");
    let err =
        call(&w, "audit_search", serde_json::json!({"form": {}})).expect_err("a clerk cannot");
    assert_eq!(err["code"], "forbidden");
    call(&w, "sign_out", none.clone()).expect("sign out");

    sign_in("admin");
    let t = app.state::<Shell>().terminal().expect("terminal");
    tauri::async_runtime::block_on(t.counter.audit_review().ship_audit()).expect("shipped");
    let form = serde_json::json!({"form": {"insured_number": row["insured_number"], "operation": "view_resident"}});
    let result = call(&w, "audit_search", form.clone()).expect("search");
    let entries = result["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{result}");
    assert_eq!(entries[0]["entry"]["event"]["user"], "152111-clerk");
    let err = call(
        &w,
        "audit_search",
        serde_json::json!({"form": {"insured_number": "12"}}),
    )
    .expect_err("invalid");
    assert_eq!(err["fields"][0]["field"], "insured_number");

    let exported = call(&w, "audit_export", form).expect("export");
    assert_eq!(exported["matched"], 1);
    let files: Vec<String> = exported["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect();
    assert_eq!(files.len(), 2, "{exported}");
    assert!(
        files
            .iter()
            .all(|f| f.starts_with(&dir.path().join("exports").display().to_string()))
    );
    let jsonl = std::fs::read(&files[1]).expect("chain file");
    madoguchi_audit::verify_export(jsonl.as_slice()).expect("the chain file verifies");
    let csv = std::fs::read_to_string(&files[0]).expect("csv");
    assert!(csv.contains("被保険者情報の表示"), "{csv}");
    assert!(!csv.contains(row["insured_number"].as_str().unwrap_or("-")));
    // The export is in the terminal's own chain.
    let own = t.counter.audit_review().audit_entries().expect("entries");
    assert!(
        own.iter()
            .filter(|e| e.event.operation == madoguchi_audit::Operation::Export)
            .count()
            >= 2
    );
    call(&w, "sign_out", none).expect("sign out");
    tauri::async_runtime::block_on(t.shutdown());
}

/// 配信承認 over a real training terminal: only a 監督者 sees the queue, the proofs are rendered pages,
/// a wrong password is refused, the approval unlocks bulk printing (through CUPS when it is there) and
/// the encrypted 宛名一覧, which holds no plaintext.
#[cfg(feature = "training")]
#[test]
fn the_distribution_commands_over_a_training_terminal() {
    let Some((_dir, app)) = training_app("the_distribution_commands_over_a_training_terminal")
    else {
        return;
    };
    let w = main_window(&app);
    let none = serde_json::json!({});
    let sign_in = |who: &str| {
        call(
            &w,
            "sign_in",
            serde_json::json!({"userId": format!("152111-{who}"), "password": format!("kensyu-152111-{who}")}),
        )
        .expect("sign in")
    };
    sign_in("clerk");
    let err = call(&w, "distributions", none.clone()).expect_err("a clerk cannot");
    assert_eq!(err["code"], "forbidden");
    call(&w, "sign_out", none.clone()).expect("sign out");

    sign_in("supervisor");
    let list = call(&w, "distributions", none.clone()).expect("queue");
    let d = list
        .as_array()
        .and_then(|l| l.iter().find(|d| d["state"] == "released"))
        .cloned()
        .expect("the training union released a 一斉更新");
    let id = d["distribution_id"].clone();
    let total = d["record_count"].as_u64().expect("count");
    let proofs = call(
        &w,
        "distribution_samples",
        serde_json::json!({"distributionId": id}),
    )
    .expect("proofs");
    let proofs = proofs.as_array().expect("list");
    assert!(proofs.len() >= 2, "first and last at least");
    assert_eq!(proofs[0]["position_ja"], "先頭");
    assert!(
        proofs.iter().all(|p| p["preview"]["data_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("data:image/png;base64,"))),
        "every proof is a rendered page"
    );
    // Nothing before approval.
    let err = call(
        &w,
        "mailing_list",
        serde_json::json!({"distributionId": id, "password": "Atena-Natsu-2027"}),
    )
    .expect_err("not approved yet");
    assert!(!err["message_ja"].as_str().unwrap_or_default().is_empty());
    let decide = |password: &str| {
        call(
            &w,
            "decide_distribution",
            serde_json::json!({"distributionId": id, "decision": "approve", "reason": null,
                "contentHash": d["content_hash"], "password": password}),
        )
    };
    let err = decide("not my password").expect_err("re-authentication");
    assert_eq!(err["code"], "reauthentication_failed");
    let entry = decide("kensyu-152111-supervisor").expect("approved");
    assert_eq!(entry["action"]["action"], "approved");
    assert_eq!(entry["by"], "152111-supervisor");

    // The 宛名一覧, encrypted: a weak password is refused, a good one writes an age file.
    let err = call(
        &w,
        "mailing_list",
        serde_json::json!({"distributionId": id, "password": "short"}),
    )
    .expect_err("weak password");
    assert!(
        err["message_ja"]
            .as_str()
            .unwrap_or_default()
            .contains("12文字")
    );
    let written = call(
        &w,
        "mailing_list",
        serde_json::json!({"distributionId": id, "password": "Atena-Natsu-2027"}),
    )
    .expect("mailing list");
    assert_eq!(written["records"].as_u64(), Some(total));
    let bytes = std::fs::read(written["path"].as_str().expect("path")).expect("file");
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(
        !bytes
            .windows("見附市".len())
            .any(|w| w == "見附市".as_bytes())
    );

    // Bulk printing, when the CUPS-PDF queue is there (the E2E run checks the pages).
    let cups = std::process::Command::new("lpstat")
        .args(["-p", "CUPS-PDF"])
        .output()
        .is_ok_and(|o| o.status.success());
    if cups {
        let status = call(&w, "batch_start", serde_json::json!({"distributionId": id}))
            .expect("batch starts");
        assert_eq!(status["records_total"].as_u64(), Some(total));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
        let finished = loop {
            let s = call(
                &w,
                "batch_status",
                serde_json::json!({"distributionId": id}),
            )
            .expect("status");
            if s["state"] == "finished" || s["state"] == "stopped" {
                break s;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "batch did not finish: {s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(300));
        };
        assert_eq!(finished["state"], "finished", "{finished}");
        assert_eq!(finished["records_done"].as_u64(), Some(total));
        let report = call(
            &w,
            "batch_report",
            serde_json::json!({"distributionId": id}),
        )
        .expect("report");
        let text = report.to_string();
        assert!(text.contains("全件を一度ずつ"), "{text}");
        // A damaged pair of pages printed again, with the reason, counted in the report.
        let err = call(
            &w,
            "batch_reprint",
            serde_json::json!({"distributionId": id, "first": 2, "last": total + 1, "reason": "紙詰まり"}),
        )
        .expect_err("beyond what was printed");
        assert_eq!(err["code"], "batch");
        let report = call(
            &w,
            "batch_reprint",
            serde_json::json!({"distributionId": id, "first": 2, "last": 3, "reason": "紙詰まり"}),
        )
        .expect("reprint");
        let text = report.to_string();
        assert!(
            text.contains("件（2ページ）") && text.contains("理由: 紙詰まり"),
            "{text}"
        );
    } else if std::env::var("MADOGUCHI_REQUIRE_CUPS").as_deref() == Ok("1") {
        panic!("CUPS-PDF queue required (scripts/setup-cups-pdf.sh)");
    } else {
        eprintln!("bulk printing not exercised: no CUPS-PDF queue here");
    }
    let t = app.state::<Shell>().terminal().expect("terminal");
    call(&w, "sign_out", none).expect("sign out");
    tauri::async_runtime::block_on(t.shutdown());
}

#[test]
fn line_state_serialises_as_snake_case() {
    use madoguchi_link::LineState;
    let json = serde_json::to_value([
        LineState::Unknown,
        LineState::Online,
        LineState::Degraded,
        LineState::Offline,
    ])
    .expect("serialise");
    assert_eq!(
        json,
        serde_json::json!(["unknown", "online", "degraded", "offline"])
    );
}
