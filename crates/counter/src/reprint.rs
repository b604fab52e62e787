//! Reprints and corrections under the union's four-eyes policy: when the policy says so, a 監督者 approves one
//! reprint of one document at the clerk's terminal with their own user id and password, and the reprint is
//! recorded in the terminal's audit chain with that approval — once.

use madoguchi_audit::{Operation, Outcome};
use madoguchi_protocol::reprint::{ReprintApproval, ReprintApprovalRequest, ReprintPolicy};
use madoguchi_protocol::v1::DocumentId;
use zeroize::Zeroizing;

use crate::distribution::DistributionError;
use crate::error::CounterError;
use crate::issuance::Issuance;

fn approval_target(a: &ReprintApproval) -> String {
    format!(
        "document:{} reprint-approval:{} by:{}",
        a.document_id, a.approval_id, a.approved_by
    )
}

/// How long a 監督者's approval of a reprint can be used: the reprint follows at once at the counter.
pub const REPRINT_APPROVAL_VALID_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 60);

impl Issuance<'_> {
    /// The union's policy: do reprints and corrections need a 監督者's approval first?
    pub async fn reprint_policy(&self) -> Result<ReprintPolicy, CounterError> {
        let token = self.ctx.token()?;
        Ok(self.ctx.inner.client.reprint_policy(&token).await?)
    }

    /// A 監督者 approves one reprint of `document` here, with their own user id and password (never the
    /// signed-in clerk's). Recorded in the audit chain as 承認 with the document as target.
    pub async fn approve_reprint(
        &self,
        document: DocumentId,
        supervisor_user_id: &str,
        password: &str,
        reason: &str,
    ) -> Result<ReprintApproval, CounterError> {
        let token = self.ctx.token()?;
        let req = ReprintApprovalRequest {
            supervisor_user_id: supervisor_user_id.to_owned(),
            password: password.to_owned(),
            reason: reason.to_owned(),
        };
        let result = self
            .ctx
            .inner
            .client
            .approve_reprint(&token, document, &req)
            .await
            .map_err(CounterError::from);
        drop(Zeroizing::new(req.password));
        let target = match &result {
            Ok(a) => approval_target(a),
            Err(_) => format!("document:{document} reprint-approval by:{supervisor_user_id}"),
        };
        self.ctx
            .audited(None, Operation::Approve, Some(target), result)
            .await
    }

    /// Records a reprint made under `approval` (再印刷) in the audit chain, done or failed (`failure`: the
    /// stable error code). An approval covers one reprint: once a reprint under it was recorded as done,
    /// it is refused ([`DistributionError::ReprintApprovalUsed`]).
    pub async fn record_reprint(
        &self,
        approval: &ReprintApproval,
        failure: Option<&str>,
    ) -> Result<(), CounterError> {
        let target = approval_target(approval);
        let age = chrono::Utc::now().signed_duration_since(approval.approved_at);
        if age
            > chrono::Duration::from_std(REPRINT_APPROVAL_VALID_FOR)
                .unwrap_or(chrono::Duration::MAX)
        {
            return Err(DistributionError::ReprintApprovalLapsed.into());
        }
        let used = self.ctx.audit_review().audit_entries()?.iter().any(|e| {
            e.event.operation == Operation::Reprint
                && e.event.outcome == Outcome::Done
                && e.event.target.as_deref() == Some(target.as_str())
        });
        if used {
            return Err(DistributionError::ReprintApprovalUsed.into());
        }
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
            .record(&user, Operation::Reprint, Some(target), outcome)
            .await
    }
}
