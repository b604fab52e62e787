//! 広域連合事務 for a 広域連合職員 (over `madoguchi_counter::UnionOffice`): distributions asked for and
//! approved by a second person, 障害認定 applications examined and decided, the daily job's last runs. Each
//! command asks the access table first; the union checks the role and the four-eyes rule again and its
//! refusal reaches the screen in its own words.

use madoguchi_application::TerminalErrorCode;
use madoguchi_counter::{DisabilityReviewForm, DistributionRequestForm};
use madoguchi_protocol::distribution::{ContentHash, DistributionId, DistributionSummary};
use madoguchi_protocol::v1::{DailyRun, DisabilityReview, NotificationDecision};
use tauri::State;

use crate::commands::Shell;
use crate::error::IpcError;

/// 配信一覧: every distribution of the union, newest first.
#[tauri::command]
pub async fn union_distributions(
    shell: State<'_, Shell>,
) -> Result<Vec<DistributionSummary>, IpcError> {
    let (t, _) = shell.guard("union_distributions")?;
    Ok(t.counter.union_office().distributions().await?)
}

/// 配信の作成: waits for a second 広域連合職員's approval.
#[tauri::command]
pub async fn create_distribution(
    shell: State<'_, Shell>,
    form: DistributionRequestForm,
) -> Result<DistributionSummary, IpcError> {
    let (t, _) = shell.guard("create_distribution")?;
    let req = form.parse()?;
    Ok(t.counter.union_office().create_distribution(&req).await?)
}

/// 広域連合承認 of the content the approver saw (its 確認コード).
#[tauri::command]
pub async fn union_approve_distribution(
    shell: State<'_, Shell>,
    distribution_id: DistributionId,
    content_hash: String,
) -> Result<DistributionSummary, IpcError> {
    let (t, _) = shell.guard("union_approve_distribution")?;
    let hash: ContentHash = content_hash.parse().map_err(|_| {
        IpcError::new(
            TerminalErrorCode::InvalidInput,
            "確認コードが正しくありません。一覧を更新してください。",
        )
    })?;
    Ok(t.counter
        .union_office()
        .approve_distribution(distribution_id, &hash)
        .await?)
}

/// 障害認定 審査中の申請.
#[tauri::command]
pub async fn disability_reviews(
    shell: State<'_, Shell>,
) -> Result<Vec<DisabilityReview>, IpcError> {
    let (t, _) = shell.guard("disability_reviews")?;
    Ok(t.counter.union_office().disability_reviews().await?)
}

/// 認定 / 却下 of one application.
#[tauri::command]
pub async fn decide_disability_review(
    shell: State<'_, Shell>,
    form: DisabilityReviewForm,
) -> Result<NotificationDecision, IpcError> {
    let (t, _) = shell.guard("decide_disability_review")?;
    let (resident, decision) = form.parse()?;
    Ok(t.counter
        .union_office()
        .decide_disability_review(resident, &decision)
        .await?)
}

/// 日次処理の結果: the last runs, newest first.
#[tauri::command]
pub async fn daily_runs(shell: State<'_, Shell>) -> Result<Vec<DailyRun>, IpcError> {
    let (t, _) = shell.guard("daily_runs")?;
    Ok(t.counter.union_office().daily_runs().await?)
}
