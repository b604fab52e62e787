//! 障害認定の審査: an application received at the counter is examined by a 広域連合職員, who decides it
//! later; the decision reaches the terminal like a queued item's (`GET /v1/notifications/{idempotency_key}`).

use super::*;
use crate::v1::notifications::DisabilityEvidence;

/// One application waiting for the union's examination (審査中). No name or address: the examiner needs
/// the age (65–74) and the evidence, and names the applicant by the opaque id.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// 理由 (却下 needs one; no personal data): up to 200 characters, no control or bidi characters. It is
    /// added to the decision's message the counter reads.
    #[serde(default, deserialize_with = "crate::checked::note")]
    #[schemars(with = "schema::Note")]
    pub reason: String,
}

/// What one run of the union's daily job (日次処理) did, by kind.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DailyRun {
    /// The day it ran for (処理日).
    pub on: Date,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// 75歳到達 in the window (decided now or earlier).
    pub age_75: u64,
    /// Of those, decided by this run.
    pub new_age_75: u64,
    /// 取得 taking effect on the day.
    pub acquisitions_effective: u64,
    /// 喪失 taking effect on the day.
    pub losses_effective: u64,
    /// Documents whose 有効期限 ended the day before.
    pub documents_expired: u64,
    /// Never handed over and past their 有効期限, voided by this run.
    pub new_documents_voided: u64,
}

/// `GET /v1/union/daily-runs`: the daily job's last runs since the server started, newest first (広域連合職員).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DailyRunList {
    /// The runs.
    pub runs: Vec<DailyRun>,
}
