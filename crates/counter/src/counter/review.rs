//! The administrator's review of the audit trail the union collected (N:4040–4043; K:3794–3796, FR-24),
//! and the print history that makes a second print of the same document a reprint with a reason
//! (再印刷: FR-50, K:167, K:170–171 発行履歴). The history is kept sealed in the vault, so a restart does
//! not turn a reprint into a "first" print.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use madoguchi_audit::{Operation, Outcome};
use madoguchi_protocol::v1::{
    AuditExportResponse, AuditFlagsResponse, AuditSearchRequest, AuditSearchResponse,
};
use serde::{Deserialize, Serialize};

use madoguchi_domain::{PrintOccasion, ReprintReason};

use super::Counter;
use crate::error::CounterError;

/// Setting holding the print history.
const PRINT_HISTORY: &str = "print.history";
/// Documents remembered; the oldest are forgotten first (a document is reprinted within days, not years).
const PRINT_HISTORY_MAX: usize = 5000;

/// What the print history knows of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Printed {
    count: u32,
    last: DateTime<Utc>,
}

impl Counter {
    fn print_history(&self) -> Result<BTreeMap<String, Printed>, CounterError> {
        Ok(self
            .inner
            .vault
            .settings()
            .get(PRINT_HISTORY)?
            .unwrap_or_default())
    }

    /// How many times `document` (an opaque document id or a 受付番号) was printed on this terminal.
    pub fn times_printed(&self, document: &str) -> Result<u32, CounterError> {
        Ok(self
            .print_history()?
            .get(document)
            .map(|p| p.count)
            .unwrap_or(0))
    }

    /// Decides whether printing `document` now is the first print or a reprint: a reprint without a reason
    /// is refused (and the refusal recorded in the audit chain).
    pub async fn print_occasion(
        &self,
        document: &str,
        reason: Option<ReprintReason>,
    ) -> Result<PrintOccasion, CounterError> {
        let Some(before) = std::num::NonZeroU32::new(self.times_printed(document)?) else {
            return Ok(PrintOccasion::First);
        };
        let checked = match reason {
            Some(r) => r
                .validate()
                .map(|()| r)
                .map_err(|_| CounterError::ReprintReasonRequired),
            None => Err(CounterError::ReprintReasonRequired),
        };
        match checked {
            Ok(reason) => Ok(PrintOccasion::Reprint {
                count: before,
                reason,
            }),
            Err(e) => {
                let user = self.staff().map(|s| s.user_id).unwrap_or_default();
                self.inner
                    .audit
                    .record_with_purpose(
                        &user,
                        Operation::Reprint,
                        Some(document.to_owned()),
                        None,
                        Outcome::Refused {
                            code: "reprint_reason_required".into(),
                        },
                    )
                    .await?;
                Err(e)
            }
        }
    }

    /// Records a print job of `document` in the audit chain (印刷, or 再印刷 with its reason as purpose)
    /// and, when it went to the printer, in the print history.
    pub async fn record_print_job(
        &self,
        document: &str,
        occasion: &PrintOccasion,
        failure: Option<&str>,
    ) -> Result<(), CounterError> {
        let user = self.staff().map(|s| s.user_id).unwrap_or_default();
        let (operation, purpose) = match occasion {
            PrintOccasion::First => (Operation::Print, None),
            PrintOccasion::Reprint { reason, .. } => (Operation::Reprint, Some(reason.label_ja())),
        };
        let outcome = match failure {
            None => Outcome::Done,
            Some(code) => Outcome::Refused {
                code: code.to_owned(),
            },
        };
        self.inner
            .audit
            .record_with_purpose(
                &user,
                operation,
                Some(document.to_owned()),
                purpose,
                outcome,
            )
            .await?;
        if failure.is_none() {
            let mut history = self.print_history()?;
            let entry = history.entry(document.to_owned()).or_insert(Printed {
                count: 0,
                last: Utc::now(),
            });
            entry.count += 1;
            entry.last = Utc::now();
            while history.len() > PRINT_HISTORY_MAX {
                let oldest = history
                    .iter()
                    .min_by_key(|(_, p)| p.last)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => history.remove(&k),
                    None => break,
                };
            }
            self.inner.vault.settings().set(PRINT_HISTORY, &history)?;
        }
        Ok(())
    }

    /// Searches the audit trail the union collected from the terminals (情報システム管理者 only; the
    /// union refuses everyone else). The search is recorded in this terminal's chain.
    pub async fn audit_search(
        &self,
        req: &AuditSearchRequest,
    ) -> Result<AuditSearchResponse, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .post("/v1/audit/search", Some(&token), None, req)
            .await
            .map_err(CounterError::from);
        self.audited(None, Operation::Search, Some("audit-log".into()), result)
            .await
    }

    /// The union's continuity flags of the municipality's terminal chains (情報システム管理者 only).
    pub async fn audit_flags(&self) -> Result<AuditFlagsResponse, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .get("/v1/audit/flags", Some(&token))
            .await
            .map_err(CounterError::from);
        self.audited(None, Operation::Search, Some("audit-flags".into()), result)
            .await
    }

    /// Fetches an audit report (CSV and verifiable chain files) from the union; the union records the
    /// export in its own trail. Record where it was written with [`Counter::record_export`].
    pub async fn audit_export(
        &self,
        req: &AuditSearchRequest,
    ) -> Result<AuditExportResponse, CounterError> {
        let token = self.token()?;
        let result = self
            .inner
            .client
            .post("/v1/audit/export", Some(&token), None, req)
            .await
            .map_err(CounterError::from);
        match result {
            Ok(r) => Ok(r),
            Err(e) => {
                self.audited(None, Operation::Export, Some("audit-report".into()), Err(e))
                    .await
            }
        }
    }

    /// Records an export (媒体出力) in the audit chain: `target` names what was written (a file name,
    /// never personal data), `failure` the stable code when writing failed.
    pub async fn record_export(
        &self,
        target: String,
        failure: Option<&str>,
    ) -> Result<(), CounterError> {
        let user = self.staff().map(|s| s.user_id).unwrap_or_default();
        let outcome = match failure {
            None => Outcome::Done,
            Some(code) => Outcome::Refused {
                code: code.to_owned(),
            },
        };
        self.inner
            .audit
            .record_with_purpose(&user, Operation::Export, Some(target), None, outcome)
            .await
    }
}
