//! The administrator's audit report written to the terminal's export directory: a CSV of the matching
//! entries and, per terminal, the chain range as a JSON Lines file that `madoguchi-admin audit verify`
//! checks. The files hold staff ids and opaque references, no resident's name or number; each written
//! file is recorded in the terminal's audit chain (媒体出力). Also the vocabularies the screens offer
//! (reprint reasons, audited operations).

use std::path::{Path, PathBuf};

use madoguchi_audit::Operation;
use madoguchi_counter::{Counter, ReprintReason};
use madoguchi_protocol::v1::{AuditExportResponse, AuditSearchRequest};
use serde::Serialize;

use crate::error::{AppError, TerminalErrorCode};

/// One choice of the reprint dialog.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct ReasonChoice {
    /// Stable code.
    pub code: &'static str,
    /// 「汚損・破損」 etc.
    pub label: &'static str,
}

/// 再印刷の理由 (the dialog's list).
pub fn reprint_reasons() -> Vec<ReasonChoice> {
    ReprintReason::CHOICES
        .iter()
        .map(|(code, label)| ReasonChoice { code, label })
        .collect()
}

/// The operations the audit search form offers (code, label).
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

/// Where an export went.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
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

/// 監査ログの出力: fetches the union's report and writes it to `dir`; each file is recorded.
pub async fn export_audit_report(
    counter: &Counter,
    req: &AuditSearchRequest,
    dir: &Path,
) -> Result<ExportedReport, AppError> {
    let report = counter.audit_review().audit_export(req).await?;
    let mut written = Vec::new();
    let created = std::fs::create_dir_all(dir);
    for (name, text) in report_files(&report) {
        let result = created
            .as_ref()
            .map_err(|e| e.kind())
            .and_then(|()| write_new(dir, &name, text).map_err(|e| e.kind()));
        let failure = result.as_ref().err().map(|_| "export_write_failed");
        counter
            .audit_review()
            .record_export(format!("audit-report:{name}"), failure)
            .await?;
        match result {
            Ok(path) => written.push(path.display().to_string()),
            Err(kind) => {
                tracing::warn!(error = ?kind, "audit report not written");
                return Err(AppError::new(
                    TerminalErrorCode::ExportWriteFailed,
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

    #[test]
    fn every_operation_the_form_offers_parses() {
        for choice in audit_operations() {
            assert!(
                madoguchi_counter::forms::parse_operation(choice.code).is_ok(),
                "{}",
                choice.code
            );
        }
        assert_eq!(reprint_reasons().len(), ReprintReason::CHOICES.len());
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
