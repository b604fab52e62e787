//! Audit review: the administrator's search and export of the audit trail the union collected
//! (N:4040–4043; K:3794–3796, FR-24), and the terminal's own chain as shipped to the union.

use madoguchi_protocol::endpoint as ep;
use std::time::Duration;

use madoguchi_audit::{AuditEntry, Operation, Outcome};
use madoguchi_protocol::v1::{
    AuditExportResponse, AuditFlagsResponse, AuditSearchRequest, AuditSearchResponse,
};

use crate::context::Counter;
use crate::error::CounterError;
use crate::shipping::{Shipped, ShippingStatus};

/// 監査ログ — the terminal's own audit chain and its shipping to the union, and the union's collected
/// trail (search, flags, export) for administrators.
///
/// Obtained from the shared context with [`Counter::audit_review`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct AuditReview<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The audit review use cases (監査ログ).
    pub fn audit_review(&self) -> AuditReview<'_> {
        AuditReview { ctx: self }
    }
}

impl AuditReview<'_> {
    /// Ships the audit entries the union has not acknowledged, now (the background task does it after
    /// every contact and periodically).
    pub async fn ship_audit(&self) -> Result<Shipped, CounterError> {
        self.ctx.inner.shipper.ship().await
    }

    /// Where shipping of the audit chain stands.
    pub fn audit_shipping(&self) -> Result<ShippingStatus, CounterError> {
        self.ctx.inner.shipper.status()
    }

    /// How long acknowledged audit entries stay on this terminal (default a week).
    pub fn set_audit_retention(&self, keep: Duration) {
        self.ctx.inner.shipper.set_retention(keep);
        self.ctx.inner.shipper.wake();
    }

    /// The terminal's audit chain as kept locally, oldest first (acknowledged entries older than the
    /// retention window were removed; the first kept one continues the vault's anchor).
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, CounterError> {
        self.ctx.inner.audit.entries()
    }

    /// Searches the audit trail the union collected from the terminals (情報システム管理者 only; the
    /// union refuses everyone else). The search is recorded in this terminal's chain.
    pub async fn audit_search(
        &self,
        req: &AuditSearchRequest,
    ) -> Result<AuditSearchResponse, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .send(&ep::SEARCH_AUDIT, &[], Some(&token), None, Some(req))
            .await
            .map_err(CounterError::from);
        self.ctx
            .audited(None, Operation::Search, Some("audit-log".into()), result)
            .await
    }

    /// The union's continuity flags of the municipality's terminal chains (情報システム管理者 only).
    pub async fn audit_flags(&self) -> Result<AuditFlagsResponse, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .send(&ep::AUDIT_FLAGS, &[], Some(&token), None, None)
            .await
            .map_err(CounterError::from);
        self.ctx
            .audited(None, Operation::Search, Some("audit-flags".into()), result)
            .await
    }

    /// Fetches an audit report (CSV and verifiable chain files) from the union; the union records the
    /// export in its own trail. Record where it was written with [`AuditReview::record_export`].
    pub async fn audit_export(
        &self,
        req: &AuditSearchRequest,
    ) -> Result<AuditExportResponse, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .send(&ep::EXPORT_AUDIT, &[], Some(&token), None, Some(req))
            .await
            .map_err(CounterError::from);
        match result {
            Ok(r) => Ok(r),
            Err(e) => {
                self.ctx
                    .audited(None, Operation::Export, Some("audit-report".into()), Err(e))
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
        let user = self.ctx.staff().map(|s| s.user_id).unwrap_or_default();
        let outcome = match failure {
            None => Outcome::Done,
            Some(code) => Outcome::Refused {
                code: code.to_owned(),
            },
        };
        self.ctx
            .inner
            .audit
            .record_with_purpose(&user, Operation::Export, Some(target), None, outcome)
            .await
    }
}
