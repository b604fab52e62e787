//! HTTP API v1 of the union server (axum), behind mutual TLS.
//!
//! Every request passes [`guard_and_audit`]: the terminal identity from the client certificate must be
//! present and not revoked, the request is timed out after a bound, and one audit entry (terminal, staff user,
//! operation, opaque target, result) is written. Bodies are parsed by [`ApiJson`], which answers malformed
//! JSON, unknown fields and invalid values with a stable code and never echoes the values.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::reveal::{CheckedPurpose, PurposeError, RevealRequest};
use madoguchi_protocol::v1::{
    self, AuditEntry, HealthResponse, MyNumberResponse, Notification, NotificationDecision,
    NotificationRequest, QualificationState, ResidentDetail, ResidentId, ResidentSearchRequest,
    ResidentSearchResponse, ResidentSummary, SignInRequest, SignInResponse, StaffInfo,
};
use madoguchi_protocol::{ErrorBody, ErrorCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::{Session, Sessions};
use crate::config::UnionConfig;
use crate::decide::{self, Context, Refusal, qualification_of, summary};
use crate::store::{
    IdempotencyRecord, LedgerEntry, ResidentQuery, ResidentRecord, StoreError, UnionStore,
};
use crate::tls::{RevokedSerials, TerminalIdentity};

mod chain_api;
mod distribution_api;
mod document_api;
mod extract;
mod mount;
mod review_api;
mod update_api;

use madoguchi_protocol::endpoint as ep;
pub(crate) use mount::MountEndpoint;

use document_api::document_in_scope;
pub use extract::{ApiJson, parse_json};
pub(crate) use extract::{Staff, Terminal};

/// Largest accepted request body. A notification is well under 4 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The clock, injectable so tests can decide "as of" a given day.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Shared state of the API.
pub struct AppState {
    /// The union store (residents, documents, staff, ledgers).
    pub store: Arc<dyn UnionStore>,
    /// Every staff password passes here ([`crate::password_gate`]).
    pub password_gate: crate::password_gate::PasswordGate,
    /// The union's configuration (`union.toml`: 保険者番号 per municipality, dated document rules, sign-in
    /// and password rules, policies).
    pub config: UnionConfig,
    /// The 後期 料率表 by 年度 ([`crate::rates`]).
    pub rates: crate::rates::RateBook,
    /// Signed-in staff sessions.
    pub sessions: Sessions,
    /// Serialises decisions and document records so an idempotency key is checked and committed as one step.
    pub write_lock: tokio::sync::Mutex<()>,
    /// Serials of revoked terminal certificates (the current CRL), checked on every request.
    pub revoked: RevokedSerials,
    /// Bound on one request's handling; a request that takes longer is answered with a timeout.
    pub request_timeout: Duration,
    /// Where "now" comes from (the system clock, or a fixed one in tests).
    pub clock: Clock,
    /// Group flush of the commits of writes (decisions, document and distribution records, chains).
    pub group_flush: GroupFlush,
    /// Group flush of the audit entries of reads (see `guard_and_audit`).
    pub audit_flush: GroupFlush,
    /// The daily job's last runs in this process, for the 広域連合職員's screen.
    pub daily_runs: crate::daily::DailyRuns,
    /// The terminal packages this insurer hosts ([`crate::updates`]).
    pub updates: crate::updates::UpdateShelf,
}

impl AppState {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
    /// Today in Japan (JST, UTC+9, no daylight saving).
    pub(crate) fn today(&self) -> Date {
        (self.now() + chrono::Duration::hours(9)).date_naive()
    }
}

pub(crate) type Shared = Arc<AppState>;

// ----------------------------------------------------------------------------------------------------------
// Errors

/// An error answer: status from the code, body `{code, message_ja, message_en, field?}`.
#[derive(Debug)]
pub struct ApiError(pub(crate) ErrorBody);

impl ApiError {
    pub(crate) fn field(code: ErrorCode, field: impl Into<String>) -> Self {
        ApiError(ErrorBody::new(code).with_field(field))
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError(ErrorBody::new(code))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        ErrorCode::Internal.into()
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Code(c) => c.into(),
            Refusal::Field {
                code,
                field,
                message_ja,
                message_en,
            } => ApiError(ErrorBody {
                code,
                message_ja: message_ja.to_owned(),
                message_en: message_en.to_owned(),
                field: Some(field.to_owned()),
            }),
            Refusal::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        let code = self.0.code;
        let mut response = (status, axum::Json(self.0)).into_response();
        response.extensions_mut().insert(code);
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

// ----------------------------------------------------------------------------------------------------------
// Audit note and middleware

#[derive(Default)]
struct NoteInner {
    user_id: Option<String>,
    target: Option<String>,
    purpose: Option<String>,
}

/// Filled by extractors and handlers while a request runs; read by the audit middleware afterwards.
#[derive(Clone, Default)]
pub(crate) struct AuditNote(Arc<Mutex<NoteInner>>);

impl AuditNote {
    pub(crate) fn user(&self, user_id: &str) {
        if let Ok(mut n) = self.0.lock() {
            n.user_id = Some(user_id.to_string());
        }
    }
    pub(crate) fn target(&self, target: String) {
        if let Ok(mut n) = self.0.lock() {
            n.target = Some(target);
        }
    }
    /// The 利用目的 of a 個人番号 reveal (a code, never personal data from the record).
    pub(crate) fn purpose(&self, purpose: String) {
        if let Ok(mut n) = self.0.lock() {
            n.purpose = Some(purpose);
        }
    }
}

/// `GET /v1/residents/<uuid>` → `GET /v1/residents/{id}`: the operation name never carries ids or input.
fn operation_name(method: &str, path: &str) -> String {
    let mut out = String::from(method);
    out.push(' ');
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        if Uuid::parse_str(segment).is_ok() {
            out.push_str("{id}");
        } else if i == 3 && segments.get(2) == Some(&"staff") {
            // Staff accounts are named by user id; the audit target names the account.
            out.push_str("{user_id}");
        } else if segment.len() <= 32
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            out.push_str(segment);
        } else {
            out.push_str("{other}");
        }
    }
    out
}

/// Whether an answer shows personal data or a staff account: its audit entry must be durable before the
/// answer leaves (a reveal answered and then lost to a crash would be a view no one can trace).
///
/// Only reads of persons pay the flush: a resident, a document, the roster, a distribution's records or
/// samples, the audit trail, a search, a 個人番号 reveal — not the session, the policy or lists of ids.
fn is_audited_read(method: &str, operation: &str) -> bool {
    let person_read = [
        "GET /v1/residents/",
        "GET /v1/documents/",
        "GET /v1/roster",
        "GET /v1/audit",
        "GET /v1/staff",
    ]
    .iter()
    .any(|p| operation.starts_with(p))
        || (method == "GET"
            && (operation.ends_with("/records") || operation.ends_with("/samples")));
    person_read || operation.ends_with("/my-number") || operation.ends_with("/search")
}

/// Line probes are not audited events: a terminal probes every 2 s, which would add ~2 MB a day per
/// terminal to the trail and bury the views that matter.
fn is_probe(method: &str, path: &str) -> bool {
    method == ep::HEALTH.method().as_str() && path == ep::HEALTH.template()
}

async fn guard_and_audit(State(state): State<Shared>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let Some(terminal) = req.extensions().get::<Arc<TerminalIdentity>>().cloned() else {
        // Unreachable behind the TLS acceptor; refuse rather than serve an unscoped request.
        return ApiError::from(ErrorCode::Unauthenticated).into_response();
    };
    let method = req.method().as_str().to_string();
    let probe = is_probe(&method, req.uri().path());
    let operation = operation_name(&method, req.uri().path());
    let note = AuditNote::default();
    req.extensions_mut().insert(note.clone());
    let response = if state.revoked.contains(&terminal.serial) {
        ApiError::from(ErrorCode::TerminalRevoked).into_response()
    } else {
        match tokio::time::timeout(state.request_timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::from(ErrorCode::Timeout).into_response(),
        }
    };
    let code = response.extensions().get::<ErrorCode>().copied();
    let status = response.status().as_u16();
    let (user_id, target, purpose) = match note.0.lock() {
        Ok(n) => (n.user_id.clone(), n.target.clone(), n.purpose.clone()),
        Err(_) => (None, None, None),
    };
    tracing::info!(
        terminal = %terminal.terminal_id,
        municipality = %terminal.municipality,
        user = user_id.as_deref().unwrap_or("-"),
        op = %operation,
        target = target.as_deref().unwrap_or("-"),
        status,
        code = code.map(|c| c.as_str()).unwrap_or("-"),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    if probe {
        return response;
    }
    let must_be_durable = (200..300).contains(&status) && is_audited_read(&method, &operation);
    if let Ok(municipality) = MunicipalityCode::from_str(&terminal.municipality) {
        let entry = AuditEntry {
            seq: 0,
            at: state.now(),
            terminal_id: terminal.terminal_id.clone(),
            municipality,
            user_id,
            operation,
            target,
            status,
            error: code,
            purpose,
        };
        match state.store.append_audit(entry) {
            Ok(_) if must_be_durable => {
                // Audit first, flushed, then the answer.
                let seq = state.audit_flush.committed();
                if let Err(e) = flush_group(&state, &state.audit_flush, seq).await {
                    tracing::error!(error = ?e.0.code, "audit flush failed; the answer is withheld");
                    return ApiError::from(ErrorCode::Internal).into_response();
                }
            }
            Ok(_) => {}
            Err(e) if must_be_durable => {
                tracing::error!(error = %e, "audit write failed; the answer is withheld");
                return ApiError::from(ErrorCode::Internal).into_response();
            }
            Err(e) => tracing::error!(error = %e, "audit write failed"),
        }
    }
    response
}

// ----------------------------------------------------------------------------------------------------------
// Extractors

/// Runs store work on the blocking pool.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))
}

fn parse_id<T: FromStr>(raw: &str) -> ApiResult<T> {
    raw.parse()
        .map_err(|_| ApiError::field(ErrorCode::NotFound, "path"))
}

// ----------------------------------------------------------------------------------------------------------
// Handlers

async fn health(
    State(state): State<Shared>,
    terminal: Terminal,
) -> ApiResult<axum::Json<HealthResponse>> {
    Ok(axum::Json(HealthResponse {
        status: "ok".into(),
        terminal_id: terminal.0.terminal_id.clone(),
        municipality: terminal.municipality()?,
        union_name: state.config.union_name.clone(),
        server_time: state.now(),
        api_version: "v1".into(),
    }))
}

pub(crate) fn staff_info(s: &Session) -> StaffInfo {
    StaffInfo {
        user_id: s.user_id.clone(),
        display_name: s.display_name.clone(),
        municipality: s.municipality,
        roles: s.roles.clone(),
        my_number_permission: s.my_number_permission,
    }
}

async fn sign_in(
    State(state): State<Shared>,
    terminal: Terminal,
    note: axum::Extension<AuditNote>,
    ApiJson(req): ApiJson<SignInRequest>,
) -> ApiResult<axum::Json<SignInResponse>> {
    use crate::password_gate::{AttemptKind, Checked};
    let municipality = terminal.municipality()?;
    let checked = crate::password_gate::check(
        &state,
        &terminal.0,
        municipality,
        &req.user_id,
        req.password,
        AttemptKind::SignIn,
    )
    .await?;
    let staff = match checked {
        Checked::Right(staff) => *staff,
        // The attempt that locks answers like any wrong one; the next one is told.
        Checked::Wrong | Checked::LockedNow => return Err(ErrorCode::InvalidCredentials.into()),
        Checked::Locked => {
            // Only an account visible to this terminal can be locked, so naming it tells nothing new.
            note.0.user(&req.user_id);
            return Err(ErrorCode::AccountLocked.into());
        }
    };
    note.0.user(&staff.user_id);
    let now = state.now();
    // Rights in effect today (a temporary contract that ended, or one not yet begun, has none).
    let rights = staff.rights_on(state.today());
    if rights.roles.is_empty() {
        return Err(ErrorCode::NoGrantInEffect.into());
    }
    let must_change_password = staff.password_change_due(now, &state.config.password);
    let session = Session {
        user_id: staff.user_id.clone(),
        display_name: staff.display_name.clone(),
        municipality: staff.municipality,
        roles: rights.roles,
        my_number_permission: rights.my_number,
        scope: staff.scope,
        terminal_fingerprint: terminal.0.fingerprint.clone(),
        expires_at: now,
    };
    let info = staff_info(&session);
    let (token, expires_at) = state.sessions.open(session);
    Ok(axum::Json(SignInResponse {
        token,
        expires_at,
        staff: info,
        must_change_password,
    }))
}

async fn session_info(staff: Staff) -> axum::Json<StaffInfo> {
    axum::Json(staff_info(&staff.session))
}

async fn sign_out(State(state): State<Shared>, staff: Staff) -> StatusCode {
    state.sessions.close(&staff.token);
    StatusCode::NO_CONTENT
}

/// The state on `day`, from the dated history (喪失予定 and 取得予定 included).
fn state_of(r: &ResidentRecord, day: Date) -> QualificationState {
    use madoguchi_domain::qualification::Status;
    match r.qualification_status(day) {
        Status::Insured { .. } => QualificationState::Insured,
        Status::LossScheduled { .. } => QualificationState::LossScheduled,
        Status::AcquisitionScheduled { .. } => QualificationState::AcquisitionScheduled,
        Status::Lost { .. } => QualificationState::Lost,
        Status::NotInsured => QualificationState::NotInsured,
    }
}

async fn search(
    State(state): State<Shared>,
    staff: Staff,
    ApiJson(req): ApiJson<ResidentSearchRequest>,
) -> ApiResult<axum::Json<ResidentSearchResponse>> {
    staff.require_counter()?;
    if req.insured_number.is_none() && req.kana.is_none() && req.birth_date.is_none() {
        return Err(ApiError::field(
            ErrorCode::MissingField,
            "insured_number|kana|birth_date",
        ));
    }
    let limit = match req.limit {
        None => 50,
        Some(n @ 1..=200) => n as usize,
        Some(_) => return Err(ApiError::field(ErrorCode::InvalidField, "limit")),
    };
    let query = ResidentQuery {
        insured_number: req.insured_number,
        kana_prefix: req.kana.map(|k| k.seion_key()),
        birth_date: req.birth_date,
    };
    // Off the async workers, so the request timeout can answer even if the walk is slow; the walk itself
    // is bounded (store::MAX_INDEX_WALK, keys must increase), so it also ends.
    let store = state.store.clone();
    let municipality = staff.session.municipality;
    let (found, truncated) =
        blocking(move || store.search_residents(&municipality, &query, limit)).await??;
    staff.note.target(format!("search:{}", found.len()));
    let today = state.today();
    let residents = found
        .iter()
        .map(|r| ResidentSummary {
            resident_id: r.id,
            name: r.name.clone(),
            kana: r.kana.clone(),
            birth_date: r.birth_date,
            sex: r.sex,
            insured_number: r.insured_number.clone(),
            state: state_of(r, today),
            name_has_gaiji: r.name.has_gaiji(),
            addressee_number: Some(r.addressee.clone()),
            address_area: Some(madoguchi_domain::address::AddressArea::of(&r.address)),
        })
        .collect();
    Ok(axum::Json(ResidentSearchResponse {
        residents,
        truncated,
    }))
}

fn resident_in_scope(state: &AppState, staff: &Staff, raw_id: &str) -> ApiResult<ResidentRecord> {
    let id: ResidentId = parse_id(raw_id)?;
    staff.note.target(format!("resident:{id}"));
    let r = state
        .store
        .resident(id)?
        .ok_or(ApiError::from(ErrorCode::NotFound))?;
    if r.municipality != staff.session.municipality {
        return Err(ErrorCode::OutOfScope.into());
    }
    Ok(r)
}

async fn resident_detail(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
) -> ApiResult<axum::Json<ResidentDetail>> {
    staff.require_counter()?;
    let r = resident_in_scope(&state, &staff, &raw_id)?;
    let mut documents = Vec::new();
    for id in r.documents.iter().rev() {
        if let Some(d) = state.store.document(*id)? {
            documents.push(summary(&d));
        }
    }
    Ok(axum::Json(ResidentDetail {
        resident_id: r.id,
        municipality: r.municipality,
        addressee_number: r.addressee.clone(),
        household_number: r.household.clone(),
        name: r.name.clone(),
        kana: r.kana.clone(),
        birth_date: r.birth_date,
        sex: r.sex,
        address: r.address.clone(),
        mailing_address: r.mailing_address.clone(),
        state: state_of(&r, state.today()),
        qualification: qualification_of(&r, &state.config),
        on_welfare: r.on_welfare,
        disability_certified_on: r.disability_certified_on,
        mynumber_health_card: r.mynumber_health_card,
        has_my_number: r.my_number.is_some(),
        documents,
    }))
}

/// `POST /v1/residents/{id}/my-number`: the right is checked before the body, so a clerk without the
/// 個人番号 permission is refused the same whatever they send; then the purpose (利用目的) must be valid
/// and goes into the audit entry of this request (N:3886–3888, N:4040–4043).
async fn my_number(
    State(state): State<Shared>,
    staff: Staff,
    Path(raw_id): Path<String>,
    body: Result<ApiJson<RevealRequest>, ApiError>,
) -> ApiResult<axum::Json<MyNumberResponse>> {
    staff.require_counter()?;
    if !staff.session.my_number_permission {
        return Err(ErrorCode::MyNumberPermissionRequired.into());
    }
    let r = resident_in_scope(&state, &staff, &raw_id)?;
    let purpose = reveal_purpose(body)?;
    staff.note.purpose(purpose.audit_code());
    let my_number = r.my_number.ok_or(ApiError::from(ErrorCode::NotFound))?;
    Ok(axum::Json(MyNumberResponse {
        resident_id: r.id,
        my_number,
    }))
}

/// Any fault in the body of a reveal (none, not JSON, no purpose, a purpose not in the list, a bad text) is
/// answered as `invalid_field` on the purpose, with a message that tells the clerk what to choose.
fn reveal_purpose(body: Result<ApiJson<RevealRequest>, ApiError>) -> ApiResult<CheckedPurpose> {
    let refused = |e: PurposeError| ApiError(e.body());
    match body {
        Ok(ApiJson(req)) => req.check().map_err(refused),
        Err(e) if e.0.code == ErrorCode::PayloadTooLarge => Err(e),
        Err(e) if e.0.field.as_deref() == Some("purpose_text") => {
            Err(refused(PurposeError::TextRequired))
        }
        Err(_) => Err(refused(PurposeError::Missing)),
    }
}

fn request_hash(req: &NotificationRequest) -> ApiResult<String> {
    let canonical = serde_json::to_vec(req).map_err(|_| ApiError::from(ErrorCode::Internal))?;
    Ok(hex::encode(Sha256::digest(&canonical)))
}

fn replay(record: IdempotencyRecord, hash: &str) -> ApiResult<axum::Json<NotificationDecision>> {
    if record.request_hash == hash {
        Ok(axum::Json(record.decision))
    } else {
        Err(ErrorCode::IdempotencyKeyReused.into())
    }
}

/// Group commit: every commit takes a sequence number (under the write lock); a request waits until a
/// flush that started after its commit has finished. One fsync then covers every commit queued behind it,
/// instead of one fsync per request.
#[derive(Default)]
pub struct GroupFlush {
    committed: std::sync::atomic::AtomicU64,
    flushed: std::sync::atomic::AtomicU64,
    running: tokio::sync::Mutex<()>,
}

impl GroupFlush {
    /// Call right after a commit, while still holding the write lock.
    fn committed(&self) -> u64 {
        self.committed
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1
    }
}

async fn flush(state: &Shared, seq: u64) -> ApiResult<()> {
    flush_group(state, &state.group_flush, seq).await
}

/// Flushes the store once for every caller of `group` whose commit `seq` is not durable yet.
async fn flush_group(state: &Shared, group: &GroupFlush, seq: u64) -> ApiResult<()> {
    use std::sync::atomic::Ordering;
    if group.flushed.load(Ordering::SeqCst) >= seq {
        return Ok(());
    }
    let _running = group.running.lock().await;
    if group.flushed.load(Ordering::SeqCst) >= seq {
        return Ok(());
    }
    let target = group.committed.load(Ordering::SeqCst);
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .map_err(|_| ApiError::from(ErrorCode::Internal))??;
    group.flushed.fetch_max(target, Ordering::SeqCst);
    Ok(())
}

async fn submit_notification(
    State(state): State<Shared>,
    terminal: Terminal,
    staff: Staff,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NotificationRequest>,
) -> ApiResult<axum::Json<NotificationDecision>> {
    staff.require_counter()?;
    let key = headers
        .get(v1::IDEMPOTENCY_KEY_HEADER)
        .ok_or(ApiError::from(ErrorCode::MissingIdempotencyKey))?
        .to_str()
        .ok()
        .and_then(|s| Uuid::parse_str(s.trim()).ok())
        .ok_or(ApiError::from(ErrorCode::InvalidIdempotencyKey))?;
    let carries_my_number = matches!(
        req.notification,
        Notification::AcquisitionMoveIn(_) | Notification::AcquisitionDisability(_)
    );
    if carries_my_number && !staff.session.my_number_permission {
        return Err(ErrorCode::MyNumberPermissionRequired.into());
    }
    let municipality = staff.session.municipality;
    let hash = request_hash(&req)?;
    // Plausible dates for today (受付日 within a year, no future birth, events within five years of the
    // 受付日): refused with the field before anything is looked up or decided.
    req.check_dates_on(state.today())
        .map_err(|e| ApiError(e.body()))?;
    if let Some(record) = state.store.idempotency(&municipality, key)? {
        staff
            .note
            .target(format!("notification:{}", record.decision.notification_id));
        return replay(record, &hash);
    }
    let decided = {
        let _guard = state.write_lock.lock().await;
        if let Some(record) = state.store.idempotency(&municipality, key)? {
            staff
                .note
                .target(format!("notification:{}", record.decision.notification_id));
            return replay(record, &hash);
        }
        let ctx = Context {
            municipality: &municipality,
            terminal_id: &terminal.0.terminal_id,
            user_id: &staff.session.user_id,
            today: state.today(),
            now: state.now(),
            idempotency_key: key,
        };
        let decide::Decided {
            decision,
            mut commit,
        } = decide::decide(state.store.as_ref(), &state.config, &ctx, &req)?;
        commit.ledger = Some(LedgerEntry {
            decision: decision.clone(),
            terminal_id: ctx.terminal_id.to_string(),
            user_id: ctx.user_id.to_string(),
            received_on: req.received_on,
        });
        commit.idempotency = Some((
            municipality,
            key,
            IdempotencyRecord {
                request_hash: hash.clone(),
                decision: decision.clone(),
            },
        ));
        match state.store.commit(commit) {
            Ok(()) => {}
            // Another server instance on the same database committed this key first (the write lock is
            // per process): answer as for a repeated request — its decision, or the reuse refusal.
            Err(crate::store::StoreError::IdempotencyRace) => {
                if let Some(record) = state.store.idempotency(&municipality, key)? {
                    return replay(record, &hash);
                }
                return Err(crate::store::StoreError::IdempotencyRace.into());
            }
            Err(e) => return Err(e.into()),
        }
        (decision, state.group_flush.committed())
    };
    let (decided, seq) = decided;
    staff
        .note
        .target(format!("notification:{}", decided.notification_id));
    // Durable before the terminal is told: it will print on the strength of this answer.
    flush(&state, seq).await?;
    Ok(axum::Json(decided))
}

async fn not_found() -> ApiError {
    ErrorCode::NotFound.into()
}

async fn method_not_allowed() -> ApiError {
    ErrorCode::MethodNotAllowed.into()
}

/// The router with all routes, limits and the audit layer.
pub fn router(state: Shared) -> Router {
    Router::new()
        .endpoint(&ep::HEALTH, health)
        .endpoint(&ep::SIGN_IN, sign_in)
        .endpoint(&ep::SESSION, session_info)
        .endpoint(&ep::SIGN_OUT, sign_out)
        .endpoint(&ep::SEARCH_RESIDENTS, search)
        .endpoint(&ep::RESIDENT, resident_detail)
        .endpoint(&ep::REVEAL_MY_NUMBER, my_number)
        .endpoint(&ep::SUBMIT_NOTIFICATION, submit_notification)
        .endpoint(&ep::DOCUMENT, document_api::document_data)
        .endpoint(&ep::RECORD_ISSUANCE, document_api::record_issuance)
        .endpoint(&ep::RECORD_RETURN, document_api::record_return)
        .endpoint(&ep::AUDIT_TRAIL, document_api::audit_trail)
        .endpoint(&ep::SHIP_AUDIT_CHAIN, chain_api::ship_chain)
        .endpoint(&ep::SEARCH_AUDIT, chain_api::search)
        .endpoint(&ep::EXPORT_AUDIT, chain_api::export)
        .endpoint(&ep::AUDIT_FLAGS, chain_api::flags)
        .endpoint(&ep::ROSTER, document_api::roster)
        .merge(crate::accounts_api::routes())
        .merge(distribution_api::routes())
        .merge(review_api::routes())
        .merge(update_api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard_and_audit,
        ))
        .with_state(state)
}

#[cfg(test)]
mod tests;
