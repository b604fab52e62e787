//! 障害認定の審査: an application received at the counter is examined by a 広域連合職員, who decides it
//! later; the decision reaches the terminal like a queued item's (`GET /v1/notifications/{idempotency_key}`).

use super::*;
use crate::v1::notifications::DisabilityEvidence;

/// One application waiting for the union's examination (審査中).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DisabilityReview {
    /// The applicant.
    pub resident_id: ResidentId,
    /// The municipality that received it.
    #[schemars(with = "schema::MunicipalityCode")]
    pub municipality: MunicipalityCode,
    /// 受付日.
    pub received_on: Date,
    /// 生年月日 (65–74 can be certified).
    pub birth_date: Date,
    /// The evidence shown at the counter.
    pub evidence: DisabilityEvidence,
}

/// `GET /v1/union/disability-reviews`: applications 審査中, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DisabilityReviewList {
    /// The applications.
    pub reviews: Vec<DisabilityReview>,
}

/// `POST /v1/union/disability-reviews/{resident_id}/decision`: the 広域連合職員's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisabilityReviewDecision {
    /// 認定 (true) or 却下 (false).
    pub certified: bool,
    /// 認定日; the day of the decision when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certified_on: Option<Date>,
}
