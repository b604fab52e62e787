//! The distribution (配信) paths of API v1 (a child of [`crate::api`], behind the same guard and audit).
//!
//! Union side (広域連合職員 only): create, list, approve (never by whoever built the current content:
//! [`ErrorCode::SelfApproval`]; only the content shown: [`ErrorCode::ContentChanged`]), regenerate (new
//! content, earlier approvals void). Terminal side (監督者 of the distribution's municipality, scoped by the
//! session, which is bound to the terminal certificate's municipality): list, summary, samples, decision with
//! the password asked again, records only once approved, ledger. Also the reprint policy and a supervisor's
//! approval of one reprint of one document (their own credentials at the clerk's terminal).

use axum::Router;
use axum::extract::{Path, Query, State};
use madoguchi_protocol::distribution::{
    CreateDistribution, Decision, DistributionDecisionRequest, DistributionId, DistributionKind,
    DistributionList, DistributionRecordsPage, DistributionState, DistributionSummary, Ledger,
    LedgerAction, LedgerEntry, SampleRecords, UnionApproval,
};
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::reprint::{
    ReprintApproval, ReprintApprovalId, ReprintApprovalRequest, ReprintPolicy,
};
use madoguchi_protocol::v1::{DocumentState, Role};
use rand::seq::IteratorRandom;
use serde::Deserialize;

use super::{
    ApiError, ApiJson, ApiResult, MountEndpoint, Shared, Staff, Terminal, flush, parse_id,
};
use crate::distribution::{self, DistributionMeta, DistributionSpec, GenerateError};
use crate::password_gate::{AttemptKind, Checked};
use crate::reassess::ReassessError;
use crate::store::Commit;
use madoguchi_protocol::ErrorCode;

/// Longest note and 差戻し reason (characters).
const MAX_TEXT: usize = 500;
/// Random records in the samples, beside the first and the last.
const RANDOM_SAMPLES: usize = 5;
/// Largest records page.
const MAX_PAGE: u32 = 1000;

/// The distribution routes, merged into the main router before its layers.
pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .endpoint(&ep::CREATE_DISTRIBUTION, create)
        .endpoint(&ep::UNION_DISTRIBUTIONS, union_list)
        .endpoint(&ep::UNION_APPROVE_DISTRIBUTION, union_approve)
        .endpoint(&ep::REGENERATE_DISTRIBUTION, regenerate)
        .endpoint(&ep::DISTRIBUTIONS, terminal_list)
        .endpoint(&ep::DISTRIBUTION, terminal_summary)
        .endpoint(&ep::DISTRIBUTION_SAMPLES, samples)
        .endpoint(&ep::DECIDE_DISTRIBUTION, decide)
        .endpoint(&ep::DISTRIBUTION_RECORDS, records)
        .endpoint(&ep::DISTRIBUTION_LEDGER, ledger)
        .endpoint(&ep::REPRINT_POLICY, reprint_policy)
        .endpoint(&ep::APPROVE_REPRINT, approve_reprint)
}

impl From<GenerateError> for ApiError {
    fn from(e: GenerateError) -> Self {
        match e {
            GenerateError::Store(s) => s.into(),
            GenerateError::NoInsurerNumber => {
                ApiError::field(ErrorCode::InvalidField, "municipality")
            }
            GenerateError::Rules(e) => e.into(),
        }
    }
}

impl From<ReassessError> for ApiError {
    fn from(e: ReassessError) -> Self {
        let field = match &e {
            ReassessError::Store(_) => return ErrorCode::Internal.into(),
            ReassessError::NoRateTable { .. } => "reference_date",
            _ => "municipality",
        };
        tracing::warn!(error = %e, "money rules not applied");
        let mut body =
            madoguchi_protocol::ErrorBody::new(ErrorCode::InvalidField).with_field(field);
        body.message_ja = e.message_ja();
        body.message_en = e.to_string();
        ApiError(body)
    }
}

fn require(staff: &Staff, role: Role) -> ApiResult<()> {
    if staff.session.has_role(role) {
        Ok(())
    } else {
        Err(ErrorCode::Forbidden.into())
    }
}

fn load(state: &Shared, staff: &Staff, raw_id: &str) -> ApiResult<DistributionMeta> {
    let id: DistributionId = parse_id(raw_id)?;
    staff.note.target(format!("distribution:{id}"));
    state
        .store
        .distributions()
        .distribution(id)?
        .ok_or(ApiError::from(ErrorCode::NotFound))
}

/// A distribution as a terminal may see it: of the session's municipality and released at least once.
fn load_for_terminal(state: &Shared, staff: &Staff, raw_id: &str) -> ApiResult<DistributionMeta> {
    let meta = load(state, staff, raw_id)?;
    if meta.municipality != staff.session.municipality {
        return Err(ErrorCode::OutOfScope.into());
    }
    if !meta.ever_released {
        return Err(ErrorCode::NotFound.into());
    }
    Ok(meta)
}

/// Stores a change, then makes it durable before answering.
async fn store_change(
    state: &Shared,
    meta: &DistributionMeta,
    content: Option<&[madoguchi_protocol::distribution::DistributionRecord]>,
    entry: &LedgerEntry,
) -> ApiResult<()> {
    state
        .store
        .distributions()
        .write_distribution(meta, content, entry)?;
    let seq = state.group_flush.committed();
    flush(state, seq).await
}

fn check_spec(req: &CreateDistribution) -> ApiResult<()> {
    let needs_august_first = matches!(
        req.kind,
        DistributionKind::AnnualRenewal | DistributionKind::BurdenRatioChange
    );
    if needs_august_first
        && (chrono::Datelike::month(&req.reference_date) != 8
            || chrono::Datelike::day(&req.reference_date) != 1)
    {
        return Err(ApiError::field(ErrorCode::InvalidField, "reference_date"));
    }
    if req.note.chars().count() > MAX_TEXT {
        return Err(ApiError::field(ErrorCode::InvalidField, "note"));
    }
    Ok(())
}

/// Builds the content and numbers new 75歳到達 residents (stored first, so the numbers stay theirs).
fn build(
    state: &Shared,
    id: DistributionId,
    spec: &DistributionSpec,
) -> ApiResult<Vec<madoguchi_protocol::distribution::DistributionRecord>> {
    let generated = distribution::generate(
        state.store.as_ref(),
        &state.config,
        &state.rates,
        id,
        spec,
        state.today(),
    )?;
    if !generated.numbered_residents.is_empty() || !generated.documents.is_empty() {
        state.store.commit(Commit {
            residents: generated.numbered_residents,
            documents: generated.documents,
            ..Commit::default()
        })?;
    }
    Ok(generated.records)
}

async fn create(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    ApiJson(req): ApiJson<CreateDistribution>,
) -> ApiResult<axum::Json<DistributionSummary>> {
    require(&staff, Role::UnionStaff)?;
    check_spec(&req)?;
    let id = distribution::new_id();
    staff.note.target(format!("distribution:{id}"));
    let spec = DistributionSpec {
        kind: req.kind,
        municipality: req.municipality,
        reference_date: req.reference_date,
        mail_class: req.mail_class,
    };
    let _guard = state.write_lock.lock().await;
    let records = build(&state, id, &spec)?;
    let now = state.now();
    let user = staff.session.user_id.clone();
    let mut meta = DistributionMeta {
        id,
        kind: spec.kind,
        municipality: spec.municipality,
        reference_date: spec.reference_date,
        mail_class: spec.mail_class,
        note: req.note.trim().to_owned(),
        state: DistributionState::AwaitingUnionApproval,
        record_count: 0,
        page_count: 0,
        breakdown: Vec::new(),
        content_hash: madoguchi_protocol::distribution::content_hash(&[]),
        generation: 1,
        chunks: 0,
        created_by: user.clone(),
        created_at: now,
        content_by: user.clone(),
        union_approved_by: None,
        ever_released: false,
        decision: None,
        ledger_len: 0,
        ledger_head: String::new(),
    };
    meta.set_content(&records);
    let entry = meta.append_ledger(LedgerAction::Created, &user, &terminal.0.terminal_id, now);
    store_change(&state, &meta, Some(&records), &entry).await?;
    Ok(axum::Json(meta.summary()))
}

async fn union_list(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<DistributionList>> {
    require(&staff, Role::UnionStaff)?;
    let distributions = state
        .store
        .distributions()
        .all_distributions()?
        .iter()
        .map(DistributionMeta::summary)
        .collect();
    Ok(axum::Json(DistributionList { distributions }))
}

async fn union_approve(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    Path(raw_id): Path<String>,
    ApiJson(req): ApiJson<UnionApproval>,
) -> ApiResult<axum::Json<DistributionSummary>> {
    require(&staff, Role::UnionStaff)?;
    let _guard = state.write_lock.lock().await;
    let mut meta = load(&state, &staff, &raw_id)?;
    let user = staff.session.user_id.clone();
    // Four-eyes (N:4425–4426): neither the requester nor whoever built the current content approves it.
    if user == meta.created_by || user == meta.content_by {
        return Err(ErrorCode::SelfApproval.into());
    }
    if req.content_hash != meta.content_hash {
        return Err(ErrorCode::ContentChanged.into());
    }
    if meta.state != DistributionState::AwaitingUnionApproval {
        return Err(ErrorCode::AlreadyDecided.into());
    }
    let now = state.now();
    meta.state = DistributionState::Released;
    meta.union_approved_by = Some(user.clone());
    meta.ever_released = true;
    let entry = meta.append_ledger(
        LedgerAction::UnionApproved,
        &user,
        &terminal.0.terminal_id,
        now,
    );
    store_change(&state, &meta, None, &entry).await?;
    Ok(axum::Json(meta.summary()))
}

async fn regenerate(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    Path(raw_id): Path<String>,
) -> ApiResult<axum::Json<DistributionSummary>> {
    require(&staff, Role::UnionStaff)?;
    let _guard = state.write_lock.lock().await;
    let mut meta = load(&state, &staff, &raw_id)?;
    let spec = DistributionSpec {
        kind: meta.kind,
        municipality: meta.municipality,
        reference_date: meta.reference_date,
        mail_class: meta.mail_class,
    };
    let records = build(&state, meta.id, &spec)?;
    let now = state.now();
    let user = staff.session.user_id.clone();
    meta.generation = meta.generation.saturating_add(1);
    meta.set_content(&records);
    meta.content_by = user.clone();
    meta.state = DistributionState::AwaitingUnionApproval;
    meta.union_approved_by = None;
    meta.decision = None;
    let entry = meta.append_ledger(
        LedgerAction::Regenerated,
        &user,
        &terminal.0.terminal_id,
        now,
    );
    store_change(&state, &meta, Some(&records), &entry).await?;
    Ok(axum::Json(meta.summary()))
}

async fn terminal_list(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<DistributionList>> {
    require(&staff, Role::Supervisor)?;
    let distributions = state
        .store
        .distributions()
        .all_distributions()?
        .iter()
        .filter(|m| m.municipality == staff.session.municipality && m.ever_released)
        .map(DistributionMeta::summary)
        .collect();
    Ok(axum::Json(DistributionList { distributions }))
}

async fn terminal_summary(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
) -> ApiResult<axum::Json<DistributionSummary>> {
    require(&staff, Role::Supervisor)?;
    Ok(axum::Json(
        load_for_terminal(&state, &staff, &raw_id)?.summary(),
    ))
}

async fn samples(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
) -> ApiResult<axum::Json<SampleRecords>> {
    require(&staff, Role::Supervisor)?;
    let meta = load_for_terminal(&state, &staff, &raw_id)?;
    if meta.state == DistributionState::AwaitingUnionApproval {
        // Regenerated content the union has not approved yet is not shown to the municipality.
        return Err(ErrorCode::NotApproved.into());
    }
    let n = meta.record_count;
    let mut picks: Vec<u32> = Vec::new();
    if n > 0 {
        picks.push(0);
        picks.push(n - 1);
        let middle = (1..n.saturating_sub(1)).choose_multiple(&mut rand::rng(), RANDOM_SAMPLES);
        picks.extend(middle);
    }
    picks.sort_unstable();
    picks.dedup();
    let store = state.store.distributions();
    let mut records = Vec::with_capacity(picks.len());
    for p in picks {
        records.extend(store.distribution_records(&meta, p, 1)?);
    }
    Ok(axum::Json(SampleRecords {
        content_hash: meta.content_hash.clone(),
        records,
    }))
}

/// The outcome of checking a staff member's password outside sign-in.
/// Checks the signed-in user's password again (re-authentication). A wrong one counts as a failed
/// sign-in; when the account locks, this session ends too.
async fn reauthenticate(
    state: &Shared,
    terminal: &Terminal,
    staff: &Staff,
    password: String,
) -> ApiResult<()> {
    match crate::password_gate::check(
        state,
        &terminal.0,
        staff.session.municipality,
        &staff.session.user_id,
        password,
        AttemptKind::Reauthentication,
    )
    .await?
    {
        Checked::Right(_) => Ok(()),
        Checked::Wrong => Err(ErrorCode::ReauthenticationFailed.into()),
        Checked::Locked | Checked::LockedNow => {
            state.sessions.close(&staff.token);
            Err(ErrorCode::AccountLocked.into())
        }
    }
}

async fn decide(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    Path(raw_id): Path<String>,
    ApiJson(req): ApiJson<DistributionDecisionRequest>,
) -> ApiResult<axum::Json<LedgerEntry>> {
    require(&staff, Role::Supervisor)?;
    // Scope first: nothing about another municipality's distribution is checked or revealed.
    load_for_terminal(&state, &staff, &raw_id)?;
    reauthenticate(&state, &terminal, &staff, req.password.clone()).await?;
    let action = match &req.decision {
        Decision::Approve => LedgerAction::Approved,
        Decision::Reject { reason } => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > MAX_TEXT {
                return Err(ApiError::field(ErrorCode::InvalidField, "decision.reason"));
            }
            LedgerAction::Rejected {
                reason: reason.to_owned(),
            }
        }
    };
    let _guard = state.write_lock.lock().await;
    let mut meta = load_for_terminal(&state, &staff, &raw_id)?;
    if req.content_hash != meta.content_hash {
        return Err(ErrorCode::ContentChanged.into());
    }
    if meta.state != DistributionState::Released {
        return Err(ErrorCode::AlreadyDecided.into());
    }
    let user = staff.session.user_id.clone();
    if user == meta.created_by
        || user == meta.content_by
        || meta.union_approved_by.as_deref() == Some(user.as_str())
    {
        return Err(ErrorCode::SelfApproval.into());
    }
    let now = state.now();
    meta.state = match action {
        LedgerAction::Approved => DistributionState::Approved,
        _ => DistributionState::Rejected,
    };
    if meta.state == DistributionState::Approved {
        // The approved 8/1 判定 takes effect in the union's records before the decision is stored, so a
        // failure leaves the distribution waiting (applying again is harmless).
        crate::reassess::apply_approved(state.store.as_ref(), &state.rates, &meta)?;
    }
    let entry = meta.append_ledger(action, &user, &terminal.0.terminal_id, now);
    meta.decision = Some(entry.clone());
    store_change(&state, &meta, None, &entry).await?;
    if meta.state == DistributionState::Approved {
        // Each printed document becomes the person's current union document, 交付 by mail (issue 15): in
        // the background, chunk by chunk, each under the write lock (counters keep deciding in between).
        let (st, today, approved) = (state.clone(), state.today(), meta.clone());
        let approver = user.clone();
        tokio::spawn(async move {
            let (mut offset, mut recorded) = (0u32, 0u32);
            loop {
                let _guard = st.write_lock.lock().await;
                let (store, meta, who) = (st.store.clone(), approved.clone(), approver.clone());
                let step = tokio::task::spawn_blocking(move || {
                    distribution::mailed::record_chunk(store.as_ref(), &meta, &who, today, offset)
                })
                .await;
                match step {
                    Ok(Ok(Some((n, next)))) => {
                        recorded += n;
                        offset = next;
                    }
                    Ok(Ok(None)) => break,
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "distribution mailing not recorded");
                        return;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "distribution mailing task failed");
                        return;
                    }
                }
            }
            let store = st.store.clone();
            let _ = tokio::task::spawn_blocking(move || store.flush()).await;
            tracing::info!(documents = recorded, "distribution mailing recorded");
        });
    }
    Ok(axum::Json(entry))
}

/// `?offset=&limit=` of the records page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    offset: Option<u32>,
    limit: Option<u32>,
}

async fn records(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<axum::Json<DistributionRecordsPage>> {
    require(&staff, Role::Supervisor)?;
    let Query(q) = query.map_err(|_| ApiError::field(ErrorCode::InvalidField, "query"))?;
    let meta = load_for_terminal(&state, &staff, &raw_id)?;
    if meta.state != DistributionState::Approved {
        return Err(ErrorCode::NotApproved.into());
    }
    let offset = q.offset.unwrap_or(0);
    let limit = match q.limit {
        None => MAX_PAGE,
        Some(n @ 1..=MAX_PAGE) => n,
        Some(_) => return Err(ApiError::field(ErrorCode::InvalidField, "limit")),
    };
    if offset > meta.record_count {
        return Err(ApiError::field(ErrorCode::InvalidField, "offset"));
    }
    let records = state
        .store
        .distributions()
        .distribution_records(&meta, offset, limit)?;
    let end = offset + records.len() as u32;
    Ok(axum::Json(DistributionRecordsPage {
        content_hash: meta.content_hash.clone(),
        record_count: meta.record_count,
        next_offset: (end < meta.record_count).then_some(end),
        records,
    }))
}

async fn ledger(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
) -> ApiResult<axum::Json<Ledger>> {
    let s = &staff.session;
    let meta = if s.has_role(Role::UnionStaff) {
        load(&state, &staff, &raw_id)?
    } else if s.has_role(Role::Supervisor) || s.has_role(Role::Admin) {
        load_for_terminal(&state, &staff, &raw_id)?
    } else {
        return Err(ErrorCode::Forbidden.into());
    };
    let entries = state.store.distributions().distribution_ledger(meta.id)?;
    Ok(axum::Json(Ledger { entries }))
}

async fn reprint_policy(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<ReprintPolicy>> {
    staff.require_counter()?;
    Ok(axum::Json(ReprintPolicy {
        supervisor_approval_required: state.config.reprint_needs_supervisor,
    }))
}

/// A 監督者 approves one reprint of one document at the signed-in clerk's terminal, with their own user id
/// and password (which count toward their lockout) and a reason. Kept insert-only; audited with the
/// document as target.
async fn approve_reprint(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    Path(raw_id): Path<String>,
    ApiJson(req): ApiJson<ReprintApprovalRequest>,
) -> ApiResult<axum::Json<ReprintApproval>> {
    staff.require_counter()?;
    let document = super::document_in_scope(&state, &staff, &raw_id)?;
    if document.state == DocumentState::Voided {
        return Err(ErrorCode::DocumentVoided.into());
    }
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_TEXT {
        return Err(ApiError::field(ErrorCode::InvalidField, "reason"));
    }
    if req.supervisor_user_id == staff.session.user_id {
        return Err(ErrorCode::SelfApproval.into());
    }
    // Only supervisors of this terminal's municipality are visible; an unknown id costs the same time as a
    // known one (no timing oracle on the user id).
    let supervisor = match crate::password_gate::check(
        &state,
        &terminal.0,
        staff.session.municipality,
        &req.supervisor_user_id,
        req.password.clone(),
        AttemptKind::SupervisorApproval,
    )
    .await?
    {
        Checked::Right(record) => *record,
        Checked::Wrong => return Err(ErrorCode::ReauthenticationFailed.into()),
        Checked::Locked | Checked::LockedNow => return Err(ErrorCode::AccountLocked.into()),
    };
    // Rights in effect today (grants with periods included), as for a sign-in.
    if !supervisor
        .rights_on(state.today())
        .roles
        .contains(&Role::Supervisor)
    {
        return Err(ErrorCode::Forbidden.into());
    }
    let approval = ReprintApproval {
        approval_id: ReprintApprovalId(uuid::Uuid::new_v4()),
        document_id: document.id,
        requested_by: staff.session.user_id.clone(),
        approved_by: supervisor.user_id,
        reason: reason.to_owned(),
        terminal_id: terminal.0.terminal_id.clone(),
        approved_at: state.now(),
    };
    staff.note.target(format!(
        "document:{} reprint-approval:{}",
        approval.document_id, approval.approval_id
    ));
    state
        .store
        .distributions()
        .put_reprint_approval(&approval)?;
    let seq = state.group_flush.committed();
    flush(&state, seq).await?;
    Ok(axum::Json(approval))
}
