//! The UI's IPC types, generated from the Rust ones with ts-rs (ARCHITECTURE.md says why ts-rs).
//!
//! `cargo test -p madoguchi export_bindings` writes one file per type into `ui/src/lib/generated/` (checked
//! in) plus an `index.ts` re-exporting them; `scripts/test.sh` runs it and fails when `git diff` shows the
//! checked-in files are stale. The roots listed here are every argument and result type of a command;
//! ts-rs follows their fields to the enums (限度区分, 証書, 本人確認書類, 届出の種類, …).
//!
//! The command names are checked the other way: `ui/src/lib/commands.ts` (the typed map the screens call
//! through) must name exactly the commands registered in `lib.rs`.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use ts_rs::{Config, TS};

    fn ui_lib() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib")
    }

    /// Exports `T` and everything it refers to.
    fn export<T: TS + 'static>(cfg: &Config) {
        T::export_all(cfg).unwrap_or_else(|e| panic!("export {}: {e}", T::ident(cfg)));
    }

    #[test]
    fn export_bindings() {
        let dir = ui_lib().join("generated");
        // Start clean so a type that no longer crosses IPC leaves no stale file behind.
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        // u64/i64 (queue seq, counts) cross as JSON numbers well below 2^53.
        let cfg = Config::new().with_out_dir(&dir).with_large_int("number");

        // Shell answers and arguments.
        export::<crate::commands::AppInfo>(&cfg);
        export::<crate::commands::SessionInfo>(&cfg);
        export::<crate::commands::ReturnForm>(&cfg);
        export::<crate::account_commands::SessionView>(&cfg);
        export::<crate::error::IpcError>(&cfg);
        // Session, search, intake, issuance.
        export::<madoguchi_link::LineState>(&cfg);
        export::<madoguchi_protocol::v1::StaffInfo>(&cfg);
        export::<madoguchi_counter::forms::SearchForm>(&cfg);
        export::<madoguchi_protocol::v1::ResidentSearchResponse>(&cfg);
        export::<madoguchi_counter::ResidentList>(&cfg);
        export::<madoguchi_counter::CaseSubject>(&cfg);
        export::<madoguchi_counter::Correction>(&cfg);
        export::<madoguchi_counter::ReturnRecorded>(&cfg);
        export::<madoguchi_protocol::v1::ResidentDetail>(&cfg);
        export::<madoguchi_counter::forms::NotificationForm>(&cfg);
        export::<madoguchi_counter::Submitted>(&cfg);
        export::<madoguchi_counter::QueueEntry>(&cfg);
        export::<madoguchi_counter::ReadyToIssue>(&cfg);
        export::<madoguchi_protocol::v1::DocumentData>(&cfg);
        export::<madoguchi_application::Preview>(&cfg);
        export::<madoguchi_application::Printed>(&cfg);
        export::<madoguchi_application::SupervisorConsent>(&cfg);
        export::<madoguchi_counter::ReprintReason>(&cfg);
        export::<madoguchi_counter::forms::IssuanceForm>(&cfg);
        // Audit review.
        export::<madoguchi_application::ReasonChoice>(&cfg);
        export::<madoguchi_counter::forms::AuditSearchForm>(&cfg);
        export::<madoguchi_protocol::v1::AuditSearchResponse>(&cfg);
        export::<madoguchi_protocol::v1::AuditFlagsResponse>(&cfg);
        export::<madoguchi_counter::ShippingStatus>(&cfg);
        export::<madoguchi_application::ExportedReport>(&cfg);
        // Distributions.
        export::<madoguchi_protocol::distribution::DistributionSummary>(&cfg);
        export::<madoguchi_application::SampleProof>(&cfg);
        export::<madoguchi_protocol::distribution::LedgerEntry>(&cfg);
        export::<madoguchi_application::BatchStatus>(&cfg);
        export::<madoguchi_application::BatchReportView>(&cfg);
        export::<madoguchi_application::WrittenFile>(&cfg);
        // Accounts.
        export::<madoguchi_protocol::v1::StaffList>(&cfg);
        export::<madoguchi_protocol::v1::StaffAccount>(&cfg);
        export::<madoguchi_protocol::v1::Grant>(&cfg);
        export::<madoguchi_protocol::access::Capability>(&cfg);
        // 広域連合事務.
        export::<madoguchi_counter::DistributionRequestForm>(&cfg);
        export::<madoguchi_counter::DisabilityReviewForm>(&cfg);
        export::<madoguchi_protocol::v1::DisabilityReview>(&cfg);
        export::<madoguchi_protocol::v1::DailyRun>(&cfg);
        export::<madoguchi_protocol::v1::NotificationDecision>(&cfg);
        // Vocabularies a screen offers or checks that no answer above names.
        export::<madoguchi_protocol::reveal::RevealPurpose>(&cfg);
        export::<madoguchi_protocol::error::ErrorCode>(&cfg);

        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".ts").map(str::to_owned))
            .collect();
        names.sort();
        let mut index = String::from(
            "// Generated by `cargo test -p madoguchi export_bindings` (src-tauri/src/bindings.rs). Do not edit.\n",
        );
        for n in &names {
            index.push_str(&format!("export type * from './{n}';\n"));
        }
        std::fs::write(dir.join("index.ts"), index).unwrap();
    }

    /// The command names registered with `generate_handler!` in `lib.rs`.
    fn registered_commands() -> BTreeSet<String> {
        let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
            .unwrap();
        let start = lib.find("generate_handler![").unwrap();
        let end = start + lib[start..].find(']').unwrap();
        lib[start + "generate_handler![".len()..end]
            .split(',')
            .filter_map(|p| p.trim().rsplit("::").next().map(str::to_owned))
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// The command names the screens' typed map declares: its members, `name: {` at the first indent.
    fn typed_commands() -> BTreeSet<String> {
        let ts = std::fs::read_to_string(ui_lib().join("commands.ts")).unwrap();
        let start = ts.find("export interface Commands {").unwrap();
        let body = &ts[start..];
        let body = &body[..body.find("\n}").unwrap()];
        body.lines()
            .filter_map(|l| {
                let l = l.strip_prefix("  ").filter(|l| !l.starts_with(' '))?;
                let (name, rest) = l.split_once(':')?;
                (rest.trim_start().starts_with('{')
                    && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .then(|| name.to_owned())
            })
            .collect()
    }

    #[test]
    fn the_typed_command_map_names_exactly_the_registered_commands() {
        let registered = registered_commands();
        let typed = typed_commands();
        assert!(
            registered.len() > 40,
            "parsed {} commands",
            registered.len()
        );
        let missing: Vec<_> = registered.difference(&typed).collect();
        let unknown: Vec<_> = typed.difference(&registered).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "commands.ts is out of step with lib.rs: missing {missing:?}, not registered {unknown:?}"
        );
    }
}
