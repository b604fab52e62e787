//! 広域連合事務 paths of the union API beyond distributions: the 障害認定 applications 審査中 and their
//! decision, and the daily job's last runs (all for 広域連合職員; the union checks the role).

use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::v1::{
    DailyRunList, DisabilityReviewDecision, DisabilityReviewList, NotificationDecision, ResidentId,
};

use crate::client::{SessionToken, UnionClient};
use crate::error::LinkError;

impl UnionClient {
    /// `GET /v1/union/disability-reviews` — applications 審査中, oldest first.
    pub async fn disability_reviews(
        &self,
        token: &SessionToken,
    ) -> Result<DisabilityReviewList, LinkError> {
        self.send(&ep::DISABILITY_REVIEWS, &[], Some(token), None, None)
            .await
    }

    /// `POST /v1/union/disability-reviews/{resident_id}/decision` — 認定 or 却下 of one application.
    pub async fn decide_disability_review(
        &self,
        token: &SessionToken,
        resident: ResidentId,
        decision: &DisabilityReviewDecision,
    ) -> Result<NotificationDecision, LinkError> {
        let id = resident.to_string();
        self.send(
            &ep::DECIDE_DISABILITY_REVIEW,
            &[&id],
            Some(token),
            None,
            Some(decision),
        )
        .await
    }

    /// `GET /v1/union/daily-runs` — the daily job's last runs, newest first.
    pub async fn daily_runs(&self, token: &SessionToken) -> Result<DailyRunList, LinkError> {
        self.send(&ep::DAILY_RUNS, &[], Some(token), None, None)
            .await
    }
}
