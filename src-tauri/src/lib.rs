//! Madoguchi desktop shell (窓口端末): opens the counter window and adapts the use-case crates to the UI as
//! Tauri commands.
//!
//! It must never hold business rules, talk to the network, touch the disk for personal data or log personal
//! data: every command is a thin adapter over a crate that is tested without a window. What the webview may
//! call is fixed by `build.rs` (app manifest), `permissions/` and `capabilities/main.json`.

use serde::Serialize;
use tauri::{Builder, Runtime};

/// State of the leased line to the union (回線). The UI shows it as 未確認 / 接続中 / 切断.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// 未確認: the line monitor has not reported yet.
    Unknown,
    /// 接続中: the union answers.
    Online,
    /// 切断: the union does not answer; notifications go to the offline queue.
    Offline,
}

/// What the counter screen needs to know about the running app before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// The app version (from Cargo), shown in the header for support calls.
    pub version: String,
    /// 研修モード: the app runs against the embedded training union with synthetic residents.
    pub training_mode: bool,
    /// 回線 state as last reported by the line monitor.
    pub line_state: LineState,
}

impl AppInfo {
    /// The app as it starts today: no terminal configuration is read yet, and an unconfigured terminal runs
    /// in 研修モード (BRIEF "Training mode"). The line monitor is not wired yet, so the line is 未確認.
    pub fn unconfigured() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            training_mode: true,
            line_state: LineState::Unknown,
        }
    }
}

/// 端末情報: version, 研修モード and 回線 state for the header and banner.
#[tauri::command]
fn app_info() -> AppInfo {
    AppInfo::unconfigured()
}

/// Registers commands and state on any runtime, so tests can run it on `tauri::test::MockRuntime`.
pub fn app_builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![app_info])
}

/// Starts the desktop app with the real runtime and the window from `tauri.conf.json`.
pub fn run() -> Result<(), tauri::Error> {
    app_builder(Builder::default()).run(tauri::generate_context!())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        app_builder(mock_builder())
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
            })
        );
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
        // The counter window gets no core permission: it cannot even read its own title via the window plugin.
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

    #[test]
    fn line_state_serialises_as_snake_case() {
        let json =
            serde_json::to_value([LineState::Unknown, LineState::Online, LineState::Offline])
                .expect("serialise");
        assert_eq!(json, serde_json::json!(["unknown", "online", "offline"]));
    }
}
