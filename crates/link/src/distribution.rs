//! Distribution (配信) paths of the union API: the union side for 広域連合職員 and the terminal side for the
//! municipality's 監督者 (see `madoguchi_protocol::distribution` for the life of a distribution).
//! Also the reprint policy and a 監督者's approval of one reprint.

use madoguchi_protocol::distribution::{
    CreateDistribution, DistributionDecisionRequest, DistributionId, DistributionList,
    DistributionRecordsPage, DistributionSummary, Ledger, LedgerEntry, SampleRecords,
    UnionApproval,
};
use madoguchi_protocol::endpoint as ep;

use crate::client::{SessionToken, UnionClient};
use crate::error::LinkError;

impl UnionClient {
    /// `POST /v1/union/distributions` — a 広域連合職員 asks for a distribution.
    pub async fn create_distribution(
        &self,
        token: &SessionToken,
        req: &CreateDistribution,
    ) -> Result<DistributionSummary, LinkError> {
        self.send(&ep::CREATE_DISTRIBUTION, &[], Some(token), None, Some(req))
            .await
    }

    /// `GET /v1/union/distributions` — every distribution, newest first (広域連合職員).
    pub async fn union_distributions(
        &self,
        token: &SessionToken,
    ) -> Result<DistributionList, LinkError> {
        self.send(&ep::UNION_DISTRIBUTIONS, &[], Some(token), None, None)
            .await
    }

    /// `POST /v1/union/distributions/{id}/approval` — a second 広域連合職員 approves this content and
    /// releases it to the municipality.
    pub async fn union_approve_distribution(
        &self,
        token: &SessionToken,
        id: DistributionId,
        approval: &UnionApproval,
    ) -> Result<DistributionSummary, LinkError> {
        let id = id.to_string();
        self.send(
            &ep::UNION_APPROVE_DISTRIBUTION,
            &[&id],
            Some(token),
            None,
            Some(approval),
        )
        .await
    }

    /// `POST /v1/union/distributions/{id}/regeneration` — rebuild the content from today's records;
    /// earlier approvals no longer apply.
    pub async fn regenerate_distribution(
        &self,
        token: &SessionToken,
        id: DistributionId,
    ) -> Result<DistributionSummary, LinkError> {
        let id = id.to_string();
        self.send(
            &ep::REGENERATE_DISTRIBUTION,
            &[&id],
            Some(token),
            None,
            None,
        )
        .await
    }

    /// `GET /v1/distributions` — distributions released to this terminal's municipality (監督者).
    pub async fn distributions(&self, token: &SessionToken) -> Result<DistributionList, LinkError> {
        self.send(&ep::DISTRIBUTIONS, &[], Some(token), None, None)
            .await
    }

    /// `GET /v1/distributions/{id}` — counts, per-kind summary and content hash.
    pub async fn distribution(
        &self,
        token: &SessionToken,
        id: DistributionId,
    ) -> Result<DistributionSummary, LinkError> {
        let id = id.to_string();
        self.send(&ep::DISTRIBUTION, &[&id], Some(token), None, None)
            .await
    }

    /// `GET /v1/distributions/{id}/samples` — the first, the last and random records, for proofs.
    pub async fn distribution_samples(
        &self,
        token: &SessionToken,
        id: DistributionId,
    ) -> Result<SampleRecords, LinkError> {
        let id = id.to_string();
        self.send(&ep::DISTRIBUTION_SAMPLES, &[&id], Some(token), None, None)
            .await
    }

    /// `POST /v1/distributions/{id}/decision` — approve or reject this exact content, with the password again.
    pub async fn decide_distribution(
        &self,
        token: &SessionToken,
        id: DistributionId,
        req: &DistributionDecisionRequest,
    ) -> Result<LedgerEntry, LinkError> {
        let id = id.to_string();
        self.send(
            &ep::DECIDE_DISTRIBUTION,
            &[&id],
            Some(token),
            None,
            Some(req),
        )
        .await
    }

    /// `GET /v1/distributions/{id}/records?offset=&limit=` — one page of the approved content.
    pub async fn distribution_records(
        &self,
        token: &SessionToken,
        id: DistributionId,
        offset: u32,
        limit: u32,
    ) -> Result<DistributionRecordsPage, LinkError> {
        let id = id.to_string();
        self.send_with_query(
            &ep::DISTRIBUTION_RECORDS,
            &[&id],
            &format!("offset={offset}&limit={limit}"),
            Some(token),
            None,
            None,
        )
        .await
    }

    /// `GET /v1/distributions/{id}/ledger` — the insert-only decision ledger.
    pub async fn distribution_ledger(
        &self,
        token: &SessionToken,
        id: DistributionId,
    ) -> Result<Ledger, LinkError> {
        let id = id.to_string();
        self.send(&ep::DISTRIBUTION_LEDGER, &[&id], Some(token), None, None)
            .await
    }
}

impl UnionClient {
    /// `GET /v1/reprint-policy` — whether reprints and corrections need a 監督者's approval.
    pub async fn reprint_policy(
        &self,
        token: &SessionToken,
    ) -> Result<madoguchi_protocol::reprint::ReprintPolicy, LinkError> {
        self.send(&ep::REPRINT_POLICY, &[], Some(token), None, None)
            .await
    }

    /// `POST /v1/documents/{id}/reprint-approval` — a 監督者 approves one reprint with their own credentials.
    pub async fn approve_reprint(
        &self,
        token: &SessionToken,
        document: madoguchi_protocol::v1::DocumentId,
        req: &madoguchi_protocol::reprint::ReprintApprovalRequest,
    ) -> Result<madoguchi_protocol::reprint::ReprintApproval, LinkError> {
        let document = document.to_string();
        self.send(
            &ep::APPROVE_REPRINT,
            &[&document],
            Some(token),
            None,
            Some(req),
        )
        .await
    }
}
