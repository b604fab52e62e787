//! Which command needs what: one table for every command the window may call. Each command asks
//! [`crate::commands::Shell::guard`] with its own name before doing anything, so this table is what the
//! shell enforces, and the tests below check that no command is missing from it and that every role gets
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

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_protocol::v1::Role;

    fn staff(roles: &[Role], my_number: bool) -> StaffInfo {
        StaffInfo {
            user_id: "152111-test".into(),
            display_name: "試験".into(),
            municipality: "152111".parse().unwrap_or_else(|_| unreachable!()),
            roles: roles.to_vec(),
            my_number_permission: my_number,
        }
    }

    /// The commands the app registers (build.rs is the list the ACL is generated from).
    fn registered_commands() -> Vec<String> {
        let build = include_str!("../build.rs");
        let start = build.find("const COMMANDS").unwrap_or(0);
        let end = build[start..].find("];").map_or(build.len(), |e| start + e);
        build[start..end]
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.split('"').next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_registered_command_is_in_the_table_and_nothing_else() {
        let registered = registered_commands();
        assert!(registered.len() > 20, "build.rs list not found");
        for c in &registered {
            assert!(need(c).is_some(), "command {c} has no access entry");
        }
        for (c, _) in COMMAND_ACCESS {
            assert!(registered.iter().any(|r| r == c), "{c} is not registered");
        }
    }

    /// Every file that defines commands.
    const SOURCES: &[&str] = &[
        include_str!("commands.rs"),
        include_str!("audit_review.rs"),
        include_str!("distribution.rs"),
        include_str!("account_commands.rs"),
        include_str!("union_office.rs"),
    ];

    /// The body of command `name` in one of the [`SOURCES`].
    fn body_of(name: &str) -> Option<&'static str> {
        SOURCES.iter().find_map(|source| {
            let at = [format!("pub async fn {name}"), format!("pub fn {name}")]
                .iter()
                .find_map(|sig| {
                    source
                        .match_indices(sig.as_str())
                        .map(|(i, _)| i)
                        .find(|i| matches!(source.as_bytes().get(i + sig.len()), Some(b'(' | b'<')))
                })?;
            let body = &source[at..];
            let end = body[1..]
                .find("\n#[tauri::command]")
                .map_or(body.len(), |e| e + 1);
            Some(&body[..end])
        })
    }

    #[test]
    fn every_command_body_asks_the_guard_with_its_own_name() {
        for (name, need) in COMMAND_ACCESS {
            if *need == Need::Nobody {
                continue;
            }
            let body = body_of(name).unwrap_or_else(|| panic!("command {name} not found"));
            assert!(
                body.contains(&format!("guard(\"{name}\")"))
                    || body.contains(&format!("admin(&shell, \"{name}\")")),
                "command {name} does not ask the guard with its own name"
            );
        }
    }

    /// Role × command, written out for the commands that differ between roles.
    #[test]
    fn every_role_against_every_command() {
        let clerk = staff(&[Role::Clerk], false);
        let clerk_mn = staff(&[Role::Clerk], true);
        let supervisor = staff(&[Role::Clerk, Role::Supervisor], true);
        let admin = staff(&[Role::Admin], true);
        let union = staff(&[Role::UnionStaff], false);
        for (name, n) in COMMAND_ACCESS {
            let expect = |who: &str| -> bool {
                match n {
                    Need::Nobody => true,
                    Need::SignedIn => who != "nobody",
                    Need::Capability(Capability::CounterWork) => {
                        matches!(who, "clerk" | "clerk_mn" | "supervisor")
                    }
                    Need::Capability(Capability::MyNumber) => {
                        matches!(who, "clerk_mn" | "supervisor")
                    }
                    Need::Capability(
                        Capability::ApproveDistribution
                        | Capability::ExportDistribution
                        | Capability::ApproveReprint,
                    ) => who == "supervisor",
                    Need::Capability(Capability::ManageStaff | Capability::ReviewAudit) => {
                        who == "admin"
                    }
                    Need::Capability(Capability::ManageDistributions) => who == "union",
                }
            };
            for (who, s) in [
                ("nobody", None),
                ("clerk", Some(&clerk)),
                ("clerk_mn", Some(&clerk_mn)),
                ("supervisor", Some(&supervisor)),
                ("admin", Some(&admin)),
                ("union", Some(&union)),
            ] {
                assert_eq!(n.allows(s), expect(who), "{name} as {who}");
            }
        }
        // Spot checks that the table says what the seeds say.
        assert_eq!(
            need("reveal_my_number"),
            Some(Need::Capability(Capability::MyNumber))
        );
        assert!(!Need::Capability(Capability::MyNumber).allows(Some(&clerk)));
        assert!(!Need::Capability(Capability::CounterWork).allows(Some(&admin)));
    }
}
