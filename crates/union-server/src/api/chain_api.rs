//! Terminal audit chains on the union: shipping (`POST /v1/audit/chain`, terminal certificate only), and the
//! administrator's search, export and flag list (情報システム管理者 only: N:4040–4043, K:3794–3796).
//!
//! A shipment is checked with [`madoguchi_audit::Continuity`] against the head the union holds for the
//! terminal named by the certificate; entries it already holds may be repeated but must be unchanged.
//! Anything else is stored as a flag record, logged (ids and numbers only) and answered to the terminal;
//! nothing of a flagged shipment is stored and the head does not move.

use axum::extract::State;
use chrono::{DateTime, Utc};
use madoguchi_audit::{
    AuditEntry as ChainEntry, ChainError, ChainErrorKind, ChainHead, Continuity, Digest,
    write_export,
};
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::{
    AuditChainAck, AuditChainBatch, AuditChainExport, AuditChainFlag, AuditExportResponse,
    AuditFlagsResponse, AuditSearchRequest, AuditSearchResponse, ChainFlagKind,
    CollectedAuditEntry, MAX_CHAIN_BATCH, Role,
};

use super::{ApiError, ApiJson, ApiResult, AuditNote, Shared, Staff, Terminal, flush};
use crate::chains::ChainIndex;
use crate::store::{ResidentQuery, UnionStore};

/// Entries read from the store per batch when scanning a chain.
const SCAN_BATCH: usize = 1000;
/// Most entries one export may hold.
const EXPORT_LIMIT: usize = 100_000;

fn flag_of(
    e: &ChainError,
    head: ChainHead,
    first: &ChainEntry,
) -> (ChainFlagKind, u64, Option<u64>) {
    let expected = head.seq + 1;
    let kind = match &e.kind {
        ChainErrorKind::SequenceGap { expected, found } if found < expected => {
            ChainFlagKind::Reordered
        }
        ChainErrorKind::SequenceGap { .. } => ChainFlagKind::Gap,
        ChainErrorKind::BrokenLink => ChainFlagKind::BrokenLink,
        ChainErrorKind::WrongTerminal => ChainFlagKind::WrongTerminal,
        ChainErrorKind::Edited
            if head.seq > 0 && first.seq == 1 && first.prev == Digest::GENESIS =>
        {
            ChainFlagKind::Restarted
        }
        ChainErrorKind::Edited | ChainErrorKind::Truncated | ChainErrorKind::Malformed(_) => {
            ChainFlagKind::Edited
        }
    };
    (kind, expected, e.seq)
}

/// `POST /v1/audit/chain`.
pub(super) async fn ship_chain(
    State(state): State<Shared>,
    terminal: Terminal,
    note: axum::Extension<AuditNote>,
    ApiJson(batch): ApiJson<AuditChainBatch>,
) -> ApiResult<axum::Json<AuditChainAck>> {
    let municipality = terminal.municipality()?;
    let terminal_id = terminal.0.terminal_id.clone();
    if batch.entries.is_empty() || batch.entries.len() > MAX_CHAIN_BATCH {
        return Err(ApiError::field(ErrorCode::InvalidField, "entries"));
    }
    let (first_seq, last_seq) = match (batch.entries.first(), batch.entries.last()) {
        (Some(f), Some(l)) => (f.seq, l.seq),
        _ => return Err(ApiError::field(ErrorCode::InvalidField, "entries")),
    };
    note.0.target(format!("audit-chain:{first_seq}-{last_seq}"));
    let guard = state.write_lock.lock().await;
    let store = state.store.as_ref();
    let head = store.chain_head(&municipality, &terminal_id)?;
    // Entries the union holds already must be exactly what it holds: Continuity checks only the last of
    // them against the head, a reset or rolled-back terminal would otherwise replay a different history.
    let mut refusal: Option<ChainError> = None;
    for (i, e) in batch.entries.iter().enumerate() {
        if e.seq > head.seq || e.seq == 0 {
            break;
        }
        let same = store
            .chain_entry(&municipality, &terminal_id, e.seq)?
            .is_some_and(|stored| stored.hash == e.hash && stored == *e);
        if !same {
            refusal = Some(ChainError {
                position: i + 1,
                seq: Some(e.seq),
                kind: ChainErrorKind::Edited,
            });
            break;
        }
    }
    let accepted = match refusal {
        Some(e) => Err(e),
        None => {
            let mut continuity = Continuity::from_heads([(terminal_id.clone(), head)]);
            continuity.accept(&terminal_id, &batch.entries)
        }
    };
    match accepted {
        Ok(new_head) => {
            let fresh: Vec<ChainEntry> = batch
                .entries
                .into_iter()
                .filter(|e| e.seq > head.seq)
                .collect();
            let stored = store.append_chain(&municipality, &terminal_id, head, &fresh)?;
            debug_assert_eq!(stored, new_head);
            let seq = state.group_flush.committed();
            drop(guard);
            // Durable before the terminal is told: it may drop what the union acknowledged.
            flush(&state, seq).await?;
            Ok(axum::Json(AuditChainAck {
                accepted: stored,
                flag: None,
            }))
        }
        Err(e) => {
            let first = batch.entries.first().cloned();
            let (kind, expected_seq, found_seq) = match &first {
                Some(f) => flag_of(&e, head, f),
                None => (ChainFlagKind::Edited, head.seq + 1, e.seq),
            };
            let flag = store.add_chain_flag(AuditChainFlag {
                id: 0,
                at: state.now(),
                terminal_id: terminal_id.clone(),
                municipality,
                kind,
                expected_seq,
                found_seq,
                message_ja: format!(
                    "端末{terminal_id}の監査ログ: {}。{}",
                    kind.label_ja(),
                    madoguchi_domain::StaffMessage::message_ja(&e)
                ),
            })?;
            drop(guard);
            tracing::warn!(
                terminal = %terminal_id,
                kind = ?kind,
                expected_seq,
                found_seq = ?found_seq,
                flag = flag.id,
                "terminal audit chain does not continue; flagged"
            );
            Ok(axum::Json(AuditChainAck {
                accepted: head,
                flag: Some(flag),
            }))
        }
    }
}

fn require_admin(staff: &Staff) -> ApiResult<()> {
    if staff.session.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ErrorCode::Forbidden.into())
    }
}

/// The search criteria, with the resident resolved to the opaque references the chains carry.
struct Filter {
    req: AuditSearchRequest,
    /// `None`: no resident criterion; `Some(empty)`: a 被保険者番号 nobody has, nothing matches.
    targets: Option<Vec<String>>,
}

impl Filter {
    fn new(store: &dyn UnionStore, staff: &Staff, req: AuditSearchRequest) -> ApiResult<Filter> {
        if let (Some(from), Some(to)) = (req.from, req.to)
            && from > to
        {
            return Err(ApiError::field(ErrorCode::InvalidDates, "from"));
        }
        let targets = match &req.insured_number {
            None => None,
            Some(n) => {
                let query = ResidentQuery {
                    insured_number: Some(n.clone()),
                    ..ResidentQuery::default()
                };
                let (found, _) = store.search_residents(&staff.session.municipality, &query, 1)?;
                Some(
                    found
                        .iter()
                        .flat_map(|r| {
                            std::iter::once(format!("resident:{}", r.id))
                                .chain(r.documents.iter().map(|d| format!("document:{d}")))
                        })
                        .collect(),
                )
            }
        };
        Ok(Filter { req, targets })
    }

    fn matches(&self, terminal: &str, e: &ChainEntry) -> bool {
        let r = &self.req;
        let day = (e.event.at + chrono::Duration::hours(9)).date_naive();
        r.terminal_id.as_deref().is_none_or(|t| t == terminal)
            && r.user_id.as_deref().is_none_or(|u| u == e.event.user)
            && r.operation.is_none_or(|o| o == e.event.operation)
            && r.from.is_none_or(|d| day >= d)
            && r.to.is_none_or(|d| day <= d)
            && self.targets.as_ref().is_none_or(|targets| {
                e.event.target.as_deref().is_some_and(|t| {
                    t.split_whitespace()
                        .any(|part| targets.iter().any(|x| x == part))
                })
            })
    }
}

/// Every matching entry of the municipality's chains (terminal, entry), oldest first per terminal.
fn collect(
    store: &dyn UnionStore,
    staff: &Staff,
    filter: &Filter,
    cap: usize,
) -> ApiResult<(Vec<(String, ChainEntry)>, bool)> {
    let m = &staff.session.municipality;
    let mut out = Vec::new();
    let mut more = false;
    if filter.targets.as_ref().is_some_and(Vec::is_empty) {
        return Ok((out, more));
    }
    // An index narrows what has to be opened; every candidate is still checked against every criterion.
    let index = match (
        &filter.targets,
        &filter.req.user_id,
        filter.req.from,
        filter.req.to,
    ) {
        (Some(targets), _, _, _) => Some(ChainIndex::Targets(targets.clone())),
        (None, Some(user), _, _) => Some(ChainIndex::User(user.clone())),
        (None, None, Some(from), Some(to)) => Some(ChainIndex::Days(from, to)),
        _ => None,
    };
    if let Some(index) = index {
        for (terminal, seq) in store.chain_candidates(m, &index)? {
            let Some(e) = store.chain_entry(m, &terminal, seq)? else {
                continue;
            };
            if filter.matches(&terminal, &e) {
                if out.len() == cap {
                    more = true;
                    break;
                }
                out.push((terminal, e));
            }
        }
        return Ok((out, more));
    }
    for terminal in store.chain_terminals(m)? {
        if filter
            .req
            .terminal_id
            .as_deref()
            .is_some_and(|t| t != terminal)
        {
            continue;
        }
        let mut from = 1;
        loop {
            let batch = store.chain_entries(m, &terminal, from, SCAN_BATCH)?;
            let Some(last) = batch.last() else { break };
            from = last.seq + 1;
            for e in batch {
                if filter.matches(&terminal, &e) {
                    if out.len() == cap {
                        more = true;
                    } else {
                        out.push((terminal.clone(), e));
                    }
                }
            }
        }
    }
    Ok((out, more))
}

/// `POST /v1/audit/search`.
pub(super) async fn search(
    State(state): State<Shared>,
    staff: Staff,
    ApiJson(req): ApiJson<AuditSearchRequest>,
) -> ApiResult<axum::Json<AuditSearchResponse>> {
    require_admin(&staff)?;
    let limit = match req.limit {
        None => 200,
        Some(n @ 1..=1000) => n as usize,
        Some(_) => return Err(ApiError::field(ErrorCode::InvalidField, "limit")),
    };
    let filter = Filter::new(state.store.as_ref(), &staff, req)?;
    let (mut found, _) = collect(state.store.as_ref(), &staff, &filter, EXPORT_LIMIT)?;
    found.sort_by(|a, b| b.1.event.at.cmp(&a.1.event.at).then(b.1.seq.cmp(&a.1.seq)));
    let truncated = found.len() > limit;
    found.truncate(limit);
    staff.note.target(format!("audit-search:{}", found.len()));
    Ok(axum::Json(AuditSearchResponse {
        entries: found
            .into_iter()
            .map(|(terminal_id, entry)| CollectedAuditEntry { terminal_id, entry })
            .collect(),
        truncated,
    }))
}

/// A CSV field: the one writer of every export (madoguchi_domain::csv), defusing formulas.
fn csv_field(s: &str) -> String {
    madoguchi_domain::csv::field(s)
}

fn csv_report(rows: &[(String, ChainEntry)]) -> String {
    let mut out =
        String::from("\u{feff}端末ID,連番,日時,利用者ID,操作,対象,目的,結果,ハッシュ\r\n");
    for (terminal, e) in rows {
        let at = (e.event.at + chrono::Duration::hours(9))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let result = match &e.event.outcome {
            madoguchi_audit::Outcome::Done => "実施".to_owned(),
            madoguchi_audit::Outcome::Refused { code } => format!("拒否({code})"),
        };
        let fields = [
            terminal.clone(),
            e.seq.to_string(),
            at,
            e.event.user.clone(),
            e.event.operation.label_ja().to_owned(),
            e.event.target.clone().unwrap_or_default(),
            e.event.purpose.clone().unwrap_or_default(),
            result,
            e.hash.to_hex(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The chain range of `terminal` from `first` to `last` as an export file.
fn chain_export(
    store: &dyn UnionStore,
    staff: &Staff,
    terminal: &str,
    first: u64,
    last: u64,
    at: DateTime<Utc>,
) -> ApiResult<AuditChainExport> {
    let m = &staff.session.municipality;
    let mut entries = Vec::new();
    let mut from = first;
    while from <= last {
        let batch = store.chain_entries(m, terminal, from, SCAN_BATCH)?;
        let Some(tail) = batch.last() else { break };
        from = tail.seq + 1;
        entries.extend(batch.into_iter().filter(|e| e.seq <= last));
    }
    let start = match entries.first() {
        Some(e) => ChainHead {
            seq: e.seq - 1,
            hash: e.prev,
        },
        None => ChainHead::default(),
    };
    let mut buf = Vec::new();
    write_export(&mut buf, terminal, start, at, &entries)
        .map_err(|_| ApiError::from(ErrorCode::Internal))?;
    Ok(AuditChainExport {
        terminal_id: terminal.to_owned(),
        count: entries.len() as u64,
        jsonl: String::from_utf8(buf).map_err(|_| ApiError::from(ErrorCode::Internal))?,
    })
}

/// `POST /v1/audit/export`: audited like every request (the union's own trail records who exported what).
pub(super) async fn export(
    State(state): State<Shared>,
    staff: Staff,
    ApiJson(req): ApiJson<AuditSearchRequest>,
) -> ApiResult<axum::Json<AuditExportResponse>> {
    require_admin(&staff)?;
    let filter = Filter::new(state.store.as_ref(), &staff, req)?;
    let (found, more) = collect(state.store.as_ref(), &staff, &filter, EXPORT_LIMIT)?;
    if more {
        return Err(ApiError::field(ErrorCode::InvalidField, "limit"));
    }
    let at = state.now();
    let mut ranges: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for (t, e) in &found {
        let r = ranges.entry(t.as_str()).or_insert((e.seq, e.seq));
        r.0 = r.0.min(e.seq);
        r.1 = r.1.max(e.seq);
    }
    let mut chains = Vec::new();
    for (t, (first, last)) in ranges {
        chains.push(chain_export(
            state.store.as_ref(),
            &staff,
            t,
            first,
            last,
            at,
        )?);
    }
    let mut rows = found;
    rows.sort_by(|a, b| a.1.event.at.cmp(&b.1.event.at).then(a.1.seq.cmp(&b.1.seq)));
    staff.note.target(format!("audit-export:{}", rows.len()));
    Ok(axum::Json(AuditExportResponse {
        exported_at: at,
        matched: rows.len() as u64,
        csv: csv_report(&rows),
        chains,
    }))
}

/// `GET /v1/audit/flags`.
pub(super) async fn flags(
    State(state): State<Shared>,
    staff: Staff,
) -> ApiResult<axum::Json<AuditFlagsResponse>> {
    require_admin(&staff)?;
    let flags = state.store.chain_flags(&staff.session.municipality)?;
    staff.note.target(format!("audit-flags:{}", flags.len()));
    Ok(axum::Json(AuditFlagsResponse { flags }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(csv_field("-1"), "\"'-1\"");
    }
}
