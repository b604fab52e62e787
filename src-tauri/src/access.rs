//! Which command needs what: the table is the application layer's ([`madoguchi_application::access`]);
//! the tests below check it against the commands this shell registers and calls.

pub use madoguchi_application::access::{COMMAND_ACCESS, Need, need};

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use madoguchi_protocol::access::{Capability, granted};
    use madoguchi_protocol::v1::Role;
    use madoguchi_protocol::v1::StaffInfo;

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
