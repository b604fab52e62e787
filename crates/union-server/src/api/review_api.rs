//! 障害認定の審査 over the API: the 広域連合職員's list and decision ([`crate::review`]), and the terminal's read
//! of the union's current decision on a notification it sent; also the daily job's last runs for the same staff.

use axum::Router;
use axum::extract::{Path, State};
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::v1::{
    DailyRunList, DisabilityReviewDecision, DisabilityReviewList, NotificationDecision, ResidentId,
    Role,
};
use uuid::Uuid;

use super::{ApiError, ApiJson, ApiResult, MountEndpoint, Shared, Staff, parse_id};
use crate::review;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .endpoint(&ep::NOTIFICATION, notification)
        .endpoint(&ep::DISABILITY_REVIEWS, list)
        .endpoint(&ep::DECIDE_DISABILITY_REVIEW, decide)
        .endpoint(&ep::DAILY_RUNS, daily_runs)
}

fn union_staff(staff: &Staff) -> ApiResult<()> {
    if staff.session.has_role(Role::UnionStaff) {
        Ok(())
    } else {
        Err(ErrorCode::Forbidden.into())
    }
}

/// The decision kept under the idempotency key, for the terminal's own municipality only.
async fn notification(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_key): Path<String>,
) -> ApiResult<axum::Json<NotificationDecision>> {
    staff.require_counter()?;
    let key: Uuid = parse_id(&raw_key)?;
    let record = state
        .store
        .idempotency(&staff.session.municipality, key)?
        .ok_or(ApiError::from(ErrorCode::NotFound))?;
    staff
        .note
        .target(format!("notification:{}", record.decision.notification_id));
    Ok(axum::Json(record.decision))
}

async fn list(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<DisabilityReviewList>> {
    union_staff(&staff)?;
    let store = state.store.clone();
    let reviews = tokio::task::spawn_blocking(move || review::pending(store.as_ref()))
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))??;
    staff
        .note
        .target(format!("disability-reviews:{}", reviews.len()));
    Ok(axum::Json(DisabilityReviewList { reviews }))
}

async fn decide(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
    ApiJson(req): ApiJson<DisabilityReviewDecision>,
) -> ApiResult<axum::Json<NotificationDecision>> {
    union_staff(&staff)?;
    let resident: ResidentId = parse_id(&raw_id)?;
    staff.note.target(format!("resident:{resident}"));
    let decision = {
        let _guard = state.write_lock.lock().await;
        let (decision, commit) = review::decide(
            state.store.as_ref(),
            &state.config,
            resident,
            &req,
            &staff.session.user_id,
            state.today(),
            state.now(),
        )?;
        state.store.commit(commit)?;
        decision
    };
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))??;
    Ok(axum::Json(decision))
}

/// The daily job's last runs (counts only, no resident), newest first.
async fn daily_runs(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<DailyRunList>> {
    union_staff(&staff)?;
    let runs = state.daily_runs.list();
    staff.note.target(format!("daily-runs:{}", runs.len()));
    Ok(axum::Json(DailyRunList { runs }))
}
