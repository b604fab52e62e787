//! Documents (証書: data to print, 交付 and 回収 records), the union's audit trail and the offline roster (a
//! child of [`crate::api`], behind the same guard and audit).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::{
    self, AuditPage, AuditQuery, DocumentData, DocumentId, DocumentState, IssuanceRecord,
    IssuanceRequest, IssueMethod, ReturnRecord, ReturnRequest, Role, RosterResponse, RosterRow,
};

use super::{
    ApiError, ApiJson, ApiResult, AppState, Shared, Staff, blocking, flush, parse_id, state_of,
};
use crate::decide::summary;
use crate::store::{Commit, DocumentRecord};

pub(super) fn document_in_scope(
    state: &AppState,
    staff: &Staff,
    raw_id: &str,
) -> ApiResult<DocumentRecord> {
    let id: DocumentId = parse_id(raw_id)?;
    staff.note.target(format!("document:{id}"));
    let d = state
        .store
        .document(id)?
        .ok_or(ApiError::from(ErrorCode::NotFound))?;
    if d.municipality != staff.session.municipality {
        return Err(ErrorCode::OutOfScope.into());
    }
    Ok(d)
}

pub(super) async fn document_data(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
) -> ApiResult<axum::Json<DocumentData>> {
    staff.require_counter()?;
    let d = document_in_scope(&state, &staff, &raw_id)?;
    // The same print data a distribution freezes, with the document's own state (交付済, 回収対象…).
    let mut data = crate::distribution::data_of(&state.config, &d);
    data.state = d.state;
    Ok(axum::Json(data))
}

pub(super) async fn record_issuance(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
    ApiJson(req): ApiJson<IssuanceRequest>,
) -> ApiResult<axum::Json<v1::DocumentSummary>> {
    staff.require_counter()?;
    let _guard = state.write_lock.lock().await;
    let mut d = document_in_scope(&state, &staff, &raw_id)?;
    let mut identity = req.identity_documents.clone();
    identity.sort_by_key(|x| format!("{x:?}"));
    identity.dedup();
    let record = IssuanceRecord {
        issued_on: req.issued_on,
        method: req.method,
        identity_documents: identity,
        recorded_by: staff.session.user_id.clone(),
    };
    match d.state {
        DocumentState::ToIssue => {}
        DocumentState::Voided => return Err(ErrorCode::DocumentVoided.into()),
        _ => {
            // A retry of the same record answers the same; anything else is a second handover.
            let same = d.issuance.as_ref().is_some_and(|i| {
                i.issued_on == record.issued_on
                    && i.method == record.method
                    && i.identity_documents == record.identity_documents
            });
            return if same && d.state == DocumentState::Issued {
                Ok(axum::Json(summary(&d)))
            } else {
                Err(ErrorCode::AlreadyIssued.into())
            };
        }
    }
    if req.method == IssueMethod::Counter && record.identity_documents.is_empty() {
        return Err(ApiError::field(
            ErrorCode::IdentityDocumentRequired,
            "identity_documents",
        ));
    }
    if req.issued_on > state.today() || req.issued_on < d.issue_date {
        return Err(ApiError::field(ErrorCode::InvalidDates, "issued_on"));
    }
    d.state = DocumentState::Issued;
    d.issuance = Some(record);
    state.store.commit(Commit {
        documents: vec![d.clone()],
        ..Commit::default()
    })?;
    let seq = state.group_flush.committed();
    drop(_guard);
    flush(&state, seq).await?;
    Ok(axum::Json(summary(&d)))
}

pub(super) async fn record_return(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
    ApiJson(req): ApiJson<ReturnRequest>,
) -> ApiResult<axum::Json<v1::DocumentSummary>> {
    staff.require_counter()?;
    let _guard = state.write_lock.lock().await;
    let mut d = document_in_scope(&state, &staff, &raw_id)?;
    match d.state {
        DocumentState::ToIssue | DocumentState::Voided => return Err(ErrorCode::NotIssued.into()),
        // A document comes back once: a repeat (a double click, a retry, a second terminal) answers the
        // first record and changes nothing (issue #14 finding 6).
        DocumentState::Returned => return Ok(axum::Json(summary(&d))),
        DocumentState::Issued | DocumentState::ToReturn | DocumentState::Lost => {}
    }
    let issued_on = d
        .issuance
        .as_ref()
        .map(|i| i.issued_on)
        .unwrap_or(d.issue_date);
    if req.returned_on > state.today() || req.returned_on < issued_on {
        return Err(ApiError::field(ErrorCode::InvalidDates, "returned_on"));
    }
    d.state = DocumentState::Returned;
    d.returned = Some(ReturnRecord {
        returned_on: req.returned_on,
        recorded_by: staff.session.user_id.clone(),
    });
    state.store.commit(Commit {
        documents: vec![d.clone()],
        ..Commit::default()
    })?;
    let seq = state.group_flush.committed();
    drop(_guard);
    flush(&state, seq).await?;
    Ok(axum::Json(summary(&d)))
}

pub(super) async fn audit_trail(
    State(state): State<Shared>,
    staff: Staff,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<axum::Json<AuditPage>> {
    if !staff.session.has_role(Role::Admin) {
        return Err(ErrorCode::Forbidden.into());
    }
    let Query(q) = query.map_err(|_| ApiError::field(ErrorCode::InvalidField, "query"))?;
    let limit = match q.limit {
        None => 100,
        Some(n @ 1..=1000) => n as usize,
        Some(_) => return Err(ApiError::field(ErrorCode::InvalidField, "limit")),
    };
    let entries = state
        .store
        .audit(&staff.session.municipality, q.before, limit)?;
    Ok(axum::Json(AuditPage { entries }))
}

/// The offline roster of the terminal's municipality, only when the union's policy allows one. Minimal by
/// design: who the resident is (id, 氏名, カナ, 生年月日, 被保険者番号) and their state — no address or 個人番号.
pub(super) async fn roster(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<RosterResponse>> {
    staff.require_counter()?;
    let as_of = state.today();
    if !state.config.offline_roster {
        staff.note.target("roster:disabled".to_string());
        return Ok(axum::Json(RosterResponse {
            enabled: false,
            as_of,
            entries: Vec::new(),
        }));
    }
    let store = state.store.clone();
    let municipality = staff.session.municipality;
    let residents = blocking(move || store.residents_of(&municipality)).await??;
    let entries: Vec<RosterRow> = residents
        .iter()
        .filter_map(|r| {
            Some(RosterRow {
                insured_number: r.insured_number.clone()?,
                kana_key: r.kana.seion_key(),
                birth_date: r.birth_date,
                state: state_of(r, as_of),
                resident_id: Some(r.id),
                name: Some(r.name.clone()),
                kana: Some(r.kana.clone()),
            })
        })
        .collect();
    staff.note.target(format!("roster:{}", entries.len()));
    Ok(axum::Json(RosterResponse {
        enabled: true,
        as_of,
        entries,
    }))
}
