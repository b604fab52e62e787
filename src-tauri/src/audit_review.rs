//! The 監査ログ screen (情報システム管理者 only, N:4040–4043; FR-24) and the reprint reasons: thin
//! adapters over `madoguchi-counter`. The union refuses everyone but administrators; the terminal mirrors
//! the rule so the screen is never offered to others.
//!
//! The export and the lists the screens offer are `madoguchi_application`'s (`audit_export`).

use madoguchi_application::{ExportedReport, ReasonChoice};
use madoguchi_counter::ShippingStatus;
use madoguchi_counter::forms::AuditSearchForm;
use madoguchi_protocol::v1::{AuditFlagsResponse, AuditSearchResponse};
use tauri::State;

use crate::commands::Shell;
use crate::error::IpcError;
use madoguchi_application::terminal::Terminal;

/// The terminal, if the signed-in staff member may call `command` (情報システム管理者; the access table).
fn admin(shell: &Shell, command: &str) -> Result<std::sync::Arc<Terminal>, IpcError> {
    let (t, _) = shell.guard(command)?;
    Ok(t)
}

/// 再印刷の理由 (the dialog's list).
#[tauri::command]
pub fn reprint_reasons() -> Vec<ReasonChoice> {
    madoguchi_application::reprint_reasons()
}

/// The operations the search form offers (code, label).
#[tauri::command]
pub fn audit_operations() -> Vec<ReasonChoice> {
    madoguchi_application::audit_operations()
}

/// 監査ログの検索.
#[tauri::command]
pub async fn audit_search(
    shell: State<'_, Shell>,
    form: AuditSearchForm,
) -> Result<AuditSearchResponse, IpcError> {
    let t = admin(&shell, "audit_search")?;
    let req = form.parse()?;
    Ok(t.counter.audit_review().audit_search(&req).await?)
}

/// 監査ログの連続性の指摘 (gaps, edits, reorderings found by the union).
#[tauri::command]
pub async fn audit_flags(shell: State<'_, Shell>) -> Result<AuditFlagsResponse, IpcError> {
    let t = admin(&shell, "audit_flags")?;
    Ok(t.counter.audit_review().audit_flags().await?)
}

/// This terminal's shipping of its own chain.
#[tauri::command]
pub fn audit_shipping(shell: State<'_, Shell>) -> Result<ShippingStatus, IpcError> {
    let t = admin(&shell, "audit_shipping")?;
    Ok(t.counter.audit_review().audit_shipping()?)
}

/// 監査ログの出力: the report goes to the terminal's export directory; each file is recorded.
#[tauri::command]
pub async fn audit_export(
    shell: State<'_, Shell>,
    form: AuditSearchForm,
) -> Result<ExportedReport, IpcError> {
    let t = admin(&shell, "audit_export")?;
    let req = form.parse()?;
    Ok(madoguchi_application::export_audit_report(&t.counter, &req, &t.export_dir).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_audit::Operation;
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
}
