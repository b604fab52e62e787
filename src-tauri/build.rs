//! Generates the Tauri context and the app's ACL. Listing the commands here is what switches on ACL
//! checking for app commands: without an app manifest Tauri lets every local window call every command.

/// Commands the UI may call; each also needs a grant in `permissions/` + `capabilities/`.
const COMMANDS: &[&str] = &[
    "app_info",
    "sign_in",
    "sign_out",
    "session_info",
    "lock_screen",
    "unlock",
    "line_state",
    "simulate_line_failure",
    "search",
    "resident",
    "target",
    "reveal_my_number",
    "submit",
    "queue",
    "work_list",
    "retry",
    "withdraw",
    "correction",
    "correct",
    "close_ready",
    "ready_to_issue",
    "document",
    "preview_document",
    "print_document",
    "preview_receipt",
    "print_receipt",
    "record_issuance",
    "record_return",
    "reprint_reasons",
    "audit_operations",
    "audit_search",
    "audit_flags",
    "audit_shipping",
    "audit_export",
    "distributions",
    "distribution_samples",
    "decide_distribution",
    "batch_status",
    "batch_start",
    "batch_pause",
    "batch_resume",
    "batch_report",
    "mailing_list",
    "export_distribution",
    "batch_reprint",
    "batch_print_report",
    "session_state",
    "change_password",
    "staff_accounts",
    "create_staff",
    "set_staff_grants",
    "revoke_staff",
    "unlock_staff",
    "reset_staff_password",
    "union_distributions",
    "create_distribution",
    "union_approve_distribution",
    "disability_reviews",
    "decide_disability_review",
    "daily_runs",
];

fn main() {
    // The UI is embedded at compile time; say how to build it instead of failing deep inside the macro.
    let dist = std::path::Path::new("../ui/dist/index.html");
    println!("cargo:rerun-if-changed=../ui/dist");
    if !dist.is_file() {
        panic!(
            "ui/dist is missing: build the UI first with `npm --prefix ui ci && npm --prefix ui run build` \
             (scripts/test-e2e.sh and scripts/run-app.sh do this)"
        );
    }
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; this is build time, never the clerk's screen.
        panic!("tauri-build failed: {error:#}");
    }
}
