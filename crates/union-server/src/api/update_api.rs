//! 更新プログラムの配信 over the API ([`crate::updates`]): a terminal, by its certificate alone, asks what is
//! on offer, downloads it in chunks and reports what it did. The shelf is file based; its work runs off
//! the async threads.

use axum::Router;
use axum::extract::State;
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::updates::{
    PackageChunk, PackageChunkRequest, UpdateCheckRequest, UpdateCheckResponse, UpdateReport,
    UpdateReportAck,
};

use super::{ApiError, ApiJson, ApiResult, MountEndpoint, Shared, Terminal};
use crate::updates::ShelfError;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .endpoint(&ep::UPDATE_CHECK, check)
        .endpoint(&ep::UPDATE_PACKAGE, package)
        .endpoint(&ep::UPDATE_REPORT, report)
}

impl From<ShelfError> for ApiError {
    fn from(e: ShelfError) -> Self {
        match e {
            ShelfError::Malformed => ApiError::field(ErrorCode::InvalidField, "version"),
            ShelfError::NoSuchRelease => ErrorCode::NotFound.into(),
            other => {
                tracing::error!(error = %other, "update shelf failure");
                ErrorCode::Internal.into()
            }
        }
    }
}

/// Runs shelf work on the blocking pool (file reads of up to a chunk, an fsync for reports).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ShelfError> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))?
        .map_err(ApiError::from)
}

async fn check(
    State(state): State<Shared>,
    terminal: Terminal,
    ApiJson(req): ApiJson<UpdateCheckRequest>,
) -> ApiResult<axum::Json<UpdateCheckResponse>> {
    let municipality = terminal.municipality()?.as_str().to_owned();
    let answer = blocking(move || {
        state
            .updates
            .offer(&municipality, &req.platform, &req.running)
    })
    .await?;
    Ok(axum::Json(answer))
}

async fn package(
    State(state): State<Shared>,
    _terminal: Terminal,
    ApiJson(req): ApiJson<PackageChunkRequest>,
) -> ApiResult<axum::Json<PackageChunk>> {
    Ok(axum::Json(
        blocking(move || state.updates.chunk(&req)).await?,
    ))
}

async fn report(
    State(state): State<Shared>,
    terminal: Terminal,
    ApiJson(req): ApiJson<UpdateReport>,
) -> ApiResult<axum::Json<UpdateReportAck>> {
    let municipality = terminal.municipality()?.as_str().to_owned();
    let terminal_id = terminal.0.terminal_id.clone();
    let now = state.now();
    tracing::info!(
        terminal = %terminal_id,
        version = %req.version,
        outcome = ?req.outcome,
        "terminal reported on an update"
    );
    let reports =
        blocking(move || state.updates.report(&terminal_id, &municipality, req, now)).await?;
    Ok(axum::Json(UpdateReportAck { reports }))
}
