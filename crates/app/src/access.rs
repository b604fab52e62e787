//! Which command needs what: one table for every command the window may call. Each command of the desktop
//! shell asks its guard with its own name before doing anything, so this table is what the shell enforces;
//! the shell's tests check that no command is missing from it and that every role gets
//! exactly what the union's table ([`madoguchi_protocol::access`]) grants. The union still checks every
//! request itself; this mirror keeps a clerk from ever reaching a function they cannot use.

use madoguchi_protocol::access::{Capability, granted};
use madoguchi_protocol::v1::StaffInfo;

/// What a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: app information and signing in.
    Nobody,
    /// Someone signed in (whatever the role), screen unlocked.
    SignedIn,
    /// Someone signed in with this capability, screen unlocked.
    Capability(Capability),
}

/// Every command and what it needs.
pub const COMMAND_ACCESS: &[(&str, Need)] = &[
    ("app_info", Need::Nobody),
    ("sign_in", Need::Nobody),
    ("sign_out", Need::Nobody),
    ("session_info", Need::Nobody),
    ("lock_screen", Need::Nobody),
    ("unlock", Need::Nobody),
    ("line_state", Need::Nobody),
    ("simulate_line_failure", Need::SignedIn),
    ("search", Need::Capability(Capability::CounterWork)),
    ("resident", Need::Capability(Capability::CounterWork)),
    ("target", Need::Capability(Capability::CounterWork)),
    ("reveal_my_number", Need::Capability(Capability::MyNumber)),
    ("submit", Need::Capability(Capability::CounterWork)),
    ("queue", Need::Capability(Capability::CounterWork)),
    ("work_list", Need::Capability(Capability::CounterWork)),
    ("retry", Need::Capability(Capability::CounterWork)),
    ("withdraw", Need::Capability(Capability::CounterWork)),
    ("correction", Need::Capability(Capability::CounterWork)),
    ("correct", Need::Capability(Capability::CounterWork)),
    ("close_ready", Need::Capability(Capability::CounterWork)),
    ("ready_to_issue", Need::Capability(Capability::CounterWork)),
    ("document", Need::Capability(Capability::CounterWork)),
    (
        "preview_document",
        Need::Capability(Capability::CounterWork),
    ),
    ("print_document", Need::Capability(Capability::CounterWork)),
    ("preview_receipt", Need::Capability(Capability::CounterWork)),
    ("print_receipt", Need::Capability(Capability::CounterWork)),
    ("record_issuance", Need::Capability(Capability::CounterWork)),
    ("record_return", Need::Capability(Capability::CounterWork)),
    // Lists for dialogs: no data of anyone.
    ("reprint_reasons", Need::Nobody),
    ("audit_operations", Need::Nobody),
    ("audit_search", Need::Capability(Capability::ReviewAudit)),
    ("audit_flags", Need::Capability(Capability::ReviewAudit)),
    ("audit_shipping", Need::Capability(Capability::ReviewAudit)),
    ("audit_export", Need::Capability(Capability::ReviewAudit)),
    (
        "distributions",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "distribution_samples",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "decide_distribution",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "batch_status",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "batch_start",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "batch_pause",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "batch_resume",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "batch_report",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "mailing_list",
        Need::Capability(Capability::ExportDistribution),
    ),
    (
        "export_distribution",
        Need::Capability(Capability::ExportDistribution),
    ),
    (
        "batch_reprint",
        Need::Capability(Capability::ApproveDistribution),
    ),
    (
        "batch_print_report",
        Need::Capability(Capability::ApproveDistribution),
    ),
    // Staff accounts (account_commands.rs): the session's own state and password, and the administrator's
    // account operations.
    ("session_state", Need::Nobody),
    ("change_password", Need::SignedIn),
    ("staff_accounts", Need::Capability(Capability::ManageStaff)),
    ("create_staff", Need::Capability(Capability::ManageStaff)),
    (
        "set_staff_grants",
        Need::Capability(Capability::ManageStaff),
    ),
    ("revoke_staff", Need::Capability(Capability::ManageStaff)),
    ("unlock_staff", Need::Capability(Capability::ManageStaff)),
    (
        "reset_staff_password",
        Need::Capability(Capability::ManageStaff),
    ),
    // 広域連合事務 (union_office.rs): distributions, 障害認定の審査, 日次処理の結果 (広域連合職員).
    (
        "union_distributions",
        Need::Capability(Capability::ManageDistributions),
    ),
    (
        "create_distribution",
        Need::Capability(Capability::ManageDistributions),
    ),
    (
        "union_approve_distribution",
        Need::Capability(Capability::ManageDistributions),
    ),
    (
        "disability_reviews",
        Need::Capability(Capability::ManageDistributions),
    ),
    (
        "decide_disability_review",
        Need::Capability(Capability::ManageDistributions),
    ),
    (
        "daily_runs",
        Need::Capability(Capability::ManageDistributions),
    ),
];

/// What `command` needs; a command missing from the table needs a capability nobody has, so a command
/// added without an entry is refused rather than open.
pub fn need(command: &str) -> Option<Need> {
    COMMAND_ACCESS
        .iter()
        .find(|(name, _)| *name == command)
        .map(|(_, need)| *need)
}

impl Need {
    /// Whether `staff` (None: nobody signed in) may call a command with this need.
    pub fn allows(self, staff: Option<&StaffInfo>) -> bool {
        match (self, staff) {
            (Need::Nobody, _) => true,
            (Need::SignedIn, Some(_)) => true,
            (Need::Capability(c), Some(s)) => granted(&s.roles, s.my_number_permission, c),
            (_, None) => false,
        }
    }
}
