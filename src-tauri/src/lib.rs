//! Madoguchi desktop shell (窓口端末): opens the counter window and adapts the use-case crates to the UI as
//! Tauri commands.
//!
//! It must never hold business rules, talk to the network, touch the disk for personal data or log personal
//! data: every command checks access (`access`), calls one method of a crate that is tested without a
//! window (`madoguchi-application` for the print desk, bulk printing, exports, configuration and start-up;
//! `madoguchi-counter` for the counter's use cases) and maps the error (`error`). What the webview may call
//! is fixed by `build.rs` (app manifest), `permissions/` and `capabilities/main.json`. The layers are
//! described in `ARCHITECTURE.md`.
//!
//! Started without configuration (no `madoguchi.toml` in the data directory) it runs in 研修モード — an
//! embedded union server with a generated PKI and synthetic residents, every print marked 見本 — when built
//! with the `training` feature (the default); without it, it says the terminal is not enrolled and how to
//! enrol.

pub mod access;
pub mod account_commands;
pub mod audit_review;
mod bindings;
pub mod commands;
pub mod distribution;
pub mod error;
/// Starting the terminal lives in the application layer; re-exported for the commands and tests.
pub use madoguchi_application::terminal;
pub mod union_office;

use std::sync::Arc;
use std::time::Instant;

use tauri::{Builder, Emitter, Manager, Runtime};

pub use commands::{AppInfo, Shell, Startup};
use error::IpcError;
use madoguchi_application::config::{self, TerminalConfig};

/// Registers commands and state on any runtime, so tests can run it on `tauri::test::MockRuntime`.
pub fn app_builder<R: Runtime>(builder: Builder<R>, shell: Shell) -> Builder<R> {
    builder
        .manage(shell)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::sign_in,
            commands::sign_out,
            commands::session_info,
            commands::lock_screen,
            commands::unlock,
            commands::line_state,
            commands::simulate_line_failure,
            commands::search,
            commands::resident,
            commands::target,
            commands::reveal_my_number,
            commands::submit,
            commands::queue,
            commands::work_list,
            commands::retry,
            commands::withdraw,
            commands::correction,
            commands::correct,
            commands::close_ready,
            commands::ready_to_issue,
            commands::document,
            commands::preview_document,
            commands::print_document,
            commands::preview_receipt,
            commands::print_receipt,
            commands::record_issuance,
            commands::record_return,
            audit_review::reprint_reasons,
            audit_review::audit_operations,
            audit_review::audit_search,
            audit_review::audit_flags,
            audit_review::audit_shipping,
            audit_review::audit_export,
            distribution::distributions,
            distribution::distribution_samples,
            distribution::decide_distribution,
            distribution::batch_status,
            distribution::batch_start,
            distribution::batch_pause,
            distribution::batch_resume,
            distribution::batch_report,
            distribution::mailing_list,
            distribution::export_distribution,
            distribution::batch_reprint,
            distribution::batch_print_report,
            account_commands::session_state,
            account_commands::change_password,
            account_commands::staff_accounts,
            account_commands::create_staff,
            account_commands::set_staff_grants,
            account_commands::revoke_staff,
            account_commands::unlock_staff,
            account_commands::reset_staff_password,
            union_office::union_distributions,
            union_office::create_distribution,
            union_office::union_approve_distribution,
            union_office::disability_reviews,
            union_office::decide_disability_review,
            union_office::daily_runs,
        ])
}

/// Starts the terminal in the background and then forwards its changes to the window as events:
/// `line-state` (the 回線 state) and `queue-changed` (queue progress).
fn start_terminal<R: Runtime>(
    app: tauri::AppHandle<R>,
    data_dir: std::path::PathBuf,
    config: TerminalConfig,
) {
    let started = Instant::now();
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        match madoguchi_application::terminal::start(&data_dir, &config).await {
            Ok(t) => {
                tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    training = t.training,
                    "terminal ready"
                );
                let t = Arc::new(t);
                let mut line = t.counter.line_changes();
                let mut progress = t.counter.sync_progress();
                let mut status = t.counter.terminal_status_changes();
                shell.set_startup(Startup::Ready(t));
                let _ = app.emit("startup", "ready");
                // A revoked terminal: the counter has stopped and wiped its vault; the window says why.
                let status_app = app.clone();
                let terminal_dir = config.terminal_dir.clone();
                tauri::async_runtime::spawn(async move {
                    while status.changed().await.is_ok() {
                        let s = *status.borrow_and_update();
                        let _ = status_app.emit("terminal-status", s);
                        if let (
                            madoguchi_counter::TerminalStatus::Revoked { wiped: true },
                            Some(dir),
                        ) = (s, terminal_dir.as_deref())
                        {
                            madoguchi_application::startup::destroy_enrolled_key(dir);
                        }
                    }
                });
                let line_app = app.clone();
                tauri::async_runtime::spawn(async move {
                    while line.changed().await.is_ok() {
                        let state = *line.borrow_and_update();
                        let _ = line_app.emit("line-state", state);
                    }
                });
                tauri::async_runtime::spawn(async move {
                    while progress.changed().await.is_ok() {
                        let p = progress.borrow_and_update().clone();
                        let _ = app.emit("queue-changed", p);
                    }
                });
            }
            Err(e) => {
                tracing::error!(code = %e.code, "terminal failed to start");
                shell.set_startup(Startup::Failed(e.into()));
                let _ = app.emit("startup", "failed");
            }
        }
    });
}

/// The print assets an installed package ships (`/usr/lib/Madoguchi/assets` from the `.deb`, beside the
/// program on Windows; see `installer/`), when they are there; a build run from the repository finds the
/// repository's `assets/` instead.
fn installed_assets<R: Runtime>(app: &tauri::AppHandle<R>) -> Option<std::path::PathBuf> {
    let dir = app.path().resource_dir().ok()?.join("assets");
    dir.join("layouts").is_dir().then_some(dir)
}

/// Starts the desktop app with the real runtime and the window from `tauri.conf.json`.
pub fn run() -> Result<(), tauri::Error> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,madoguchi_union_server::api=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .try_init();
    // Configuration problems become the start-up error screen, never a crash.
    let loaded = config::data_dir().and_then(|d| {
        TerminalConfig::load_provisioned(&d, config::system_config_dir().as_deref()).map(|c| (d, c))
    });
    // Unconfigured means 研修モード only in a build that has it.
    let training =
        cfg!(feature = "training") && loaded.as_ref().map(|(_, c)| c.training()).unwrap_or(true);
    let shell = Shell::starting(training);
    let pending: Result<_, IpcError> = loaded.map_err(IpcError::from);
    app_builder(Builder::default(), shell)
        .setup(move |app| {
            match pending {
                Ok((dir, mut config)) => {
                    if config.assets_dir.is_none()
                        && std::env::var_os("MADOGUCHI_ASSETS_DIR").is_none()
                    {
                        config.assets_dir = installed_assets(app.handle());
                    }
                    start_terminal(app.handle().clone(), dir, config)
                }
                Err(e) => app.state::<Shell>().set_startup(Startup::Failed(e)),
            }
            Ok(())
        })
        .run(tauri::generate_context!())
}

#[cfg(test)]
mod tests;
