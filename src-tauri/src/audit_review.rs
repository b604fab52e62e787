//! The 監査ログ screen (情報システム管理者 only, N:4040–4043; FR-24) and the reprint reasons: thin
//! adapters over `madoguchi-counter`. The union refuses everyone but administrators; the terminal mirrors
//! the rule so the screen is never offered to others.
//!
//! The export writes the union's report into the terminal's export directory: a CSV of the matching
//! entries and, per terminal, the chain range as a JSON Lines file that `madoguchi-admin audit verify`
//! checks. The files hold staff ids and opaque references, no resident's name or number; each written
//! file is recorded in the terminal's audit chain (媒体出力).

use std::path::{Path, PathBuf};

use madoguchi_audit::Operation;
use madoguchi_counter::forms::AuditSearchForm;
use madoguchi_counter::{ReprintReason, ShippingStatus};
use madoguchi_protocol::v1::{AuditExportResponse, AuditFlagsResponse, AuditSearchResponse};
use serde::Serialize;
use tauri::State;

use crate::commands::Shell;
use crate::error::IpcError;
use crate::terminal::Terminal;

/// The terminal, if the signed-in staff member may call `command` (情報システム管理者; the access table).
fn admin(shell: &Shell, command: &str) -> Result<std::sync::Arc<Terminal>, IpcError> {
    let (t, _) = shell.guard(command)?;
    Ok(t)
}

/// One choice of the reprint dialog.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonChoice {
    /// Stable code.
    pub code: &'static str,
    /// 「汚損・破損」 etc.
    pub label: &'static str,
}

/// 再印刷の理由 (the dialog's list).
#[tauri::command]
pub fn reprint_reasons() -> Vec<ReasonChoice> {
    ReprintReason::CHOICES
        .iter()
        .map(|(code, label)| ReasonChoice { code, label })
        .collect()
}

/// The operations the search form offers (code, label).
#[tauri::command]
pub fn audit_operations() -> Vec<ReasonChoice> {
    use Operation as O;
    [
        (O::SignIn, "sign_in"),
        (O::SignOut, "sign_out"),
        (O::Unlock, "unlock"),
        (O::Search, "search"),
        (O::ViewResident, "view_resident"),
        (O::RevealMyNumber, "reveal_my_number"),
        (O::Submit, "submit"),
        (O::Print, "print"),
        (O::Reprint, "reprint"),
        (O::Handover, "handover"),
        (O::Export, "export"),
        (O::Approve, "approve"),
        (O::Reject, "reject"),
        (O::Configure, "configure"),
    ]
    .into_iter()
    .map(|(o, code)| ReasonChoice {
        code,
        label: o.label_ja(),
    })
    .collect()
}

/// 監査ログの検索.
#[tauri::command]
pub async fn audit_search(
    shell: State<'_, Shell>,
    form: AuditSearchForm,
) -> Result<AuditSearchResponse, IpcError> {
    let t = admin(&shell, "audit_search")?;
    let req = form.parse()?;
    Ok(t.counter.audit_search(&req).await?)
}

/// 監査ログの連続性の指摘 (gaps, edits, reorderings found by the union).
#[tauri::command]
pub async fn audit_flags(shell: State<'_, Shell>) -> Result<AuditFlagsResponse, IpcError> {
    let t = admin(&shell, "audit_flags")?;
    Ok(t.counter.audit_flags().await?)
}

/// This terminal's shipping of its own chain.
#[tauri::command]
pub fn audit_shipping(shell: State<'_, Shell>) -> Result<ShippingStatus, IpcError> {
    let t = admin(&shell, "audit_shipping")?;
    Ok(t.counter.audit_shipping()?)
}

/// Where an export went.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedReport {
    /// The directory.
    pub dir: String,
    /// Files written (CSV first).
    pub files: Vec<String>,
    /// Matching entries.
    pub matched: u64,
}

/// File names of a report: 監査ログ_<JST time>.csv and 監査ログ_<JST time>_<terminal>.jsonl.
fn report_files(report: &AuditExportResponse) -> Vec<(String, &str)> {
    let stamp = madoguchi_domain::jst::datetime(report.exported_at).format("%Y%m%d-%H%M%S");
    let mut files = vec![(format!("監査ログ_{stamp}.csv"), report.csv.as_str())];
    for c in &report.chains {
        let safe: String = c
            .terminal_id
            .chars()
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || ch == '-' {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        files.push((format!("監査ログ_{stamp}_{safe}.jsonl"), c.jsonl.as_str()));
    }
    files
}

/// Writes a file so that a half-written report never carries the final name.
fn write_new(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.part"));
    std::fs::write(&tmp, text.as_bytes())?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// 監査ログの出力: the report goes to the terminal's export directory; each file is recorded.
#[tauri::command]
pub async fn audit_export(
    shell: State<'_, Shell>,
    form: AuditSearchForm,
) -> Result<ExportedReport, IpcError> {
    let t = admin(&shell, "audit_export")?;
    let req = form.parse()?;
    let report = t.counter.audit_export(&req).await?;
    let dir = t.export_dir.clone();
    let mut written = Vec::new();
    let created = std::fs::create_dir_all(&dir);
    for (name, text) in report_files(&report) {
        let result = created
            .as_ref()
            .map_err(|e| e.kind())
            .and_then(|()| write_new(&dir, &name, text).map_err(|e| e.kind()));
        let failure = result.as_ref().err().map(|_| "export_write_failed");
        t.counter
            .record_export(format!("audit-report:{name}"), failure)
            .await?;
        match result {
            Ok(path) => written.push(path.display().to_string()),
            Err(kind) => {
                tracing::warn!(error = ?kind, "audit report not written");
                return Err(IpcError::new(
                    "export_write_failed",
                    format!(
                        "監査ログを出力先（{}）に書き込めませんでした。空き容量と権限を確認してください。",
                        dir.display()
                    ),
                ));
            }
        }
    }
    Ok(ExportedReport {
        dir: dir.display().to_string(),
        files: written,
        matched: report.matched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_protocol::v1::AuditSearchRequest;

    #[test]
    fn the_form_parses_and_names_bad_fields() {
        let form = AuditSearchForm {
            user_id: " clerk01 ".into(),
            insured_number: String::new(),
            from: "R8.11.1".into(),
            to: "2026-11-30".into(),
            operation: "view_resident".into(),
        };
        let req = form.parse().expect("valid");
        assert_eq!(req.user_id.as_deref(), Some("clerk01"));
        assert_eq!(req.operation, Some(Operation::ViewResident));
        assert!(req.from.is_some() && req.to.is_some());

        let bad = AuditSearchForm {
            insured_number: "12".into(),
            from: "2026-12-01".into(),
            to: "2026-11-01".into(),
            operation: "delete_everything".into(),
            ..Default::default()
        };
        let e = bad.parse().expect_err("invalid");
        let fields: Vec<_> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"insured_number"), "{fields:?}");
        assert!(fields.contains(&"operation"), "{fields:?}");
        // Nothing typed: every entry (the union still limits the answer).
        assert_eq!(
            AuditSearchForm::default().parse().expect("empty"),
            AuditSearchRequest {
                limit: Some(500),
                ..Default::default()
            }
        );
    }

    #[test]
    fn every_operation_the_form_offers_parses() {
        for choice in audit_operations() {
            assert!(
                madoguchi_counter::forms::parse_operation(choice.code).is_ok(),
                "{}",
                choice.code
            );
        }
    }

    #[test]
    fn report_file_names_are_safe() {
        let report = AuditExportResponse {
            exported_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("time"),
            matched: 1,
            csv: "x".into(),
            chains: vec![madoguchi_protocol::v1::AuditChainExport {
                terminal_id: "../T 1".into(),
                count: 1,
                jsonl: "{}".into(),
            }],
        };
        let names: Vec<String> = report_files(&report).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names[0], "監査ログ_20260921-231320.csv");
        assert_eq!(names[1], "監査ログ_20260921-231320____T_1.jsonl");
    }
}
