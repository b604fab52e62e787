//! 障害認定の審査 (examination by the union): an application received at a counter waits as
//! [`PendingReview`] (審査中) until a 広域連合職員 certifies or refuses it. The decision is a new entry of the
//! decision ledger and replaces the answer kept under the terminal's idempotency key, so the terminal reads it
//! like the decision of a queued item (`GET /v1/notifications/{idempotency_key}`) and the document appears in
//! its 交付待ち list.
//!
//! Dates (高確法 第50条第2号, [`madoguchi_domain::eligibility`]): insured from the certification date, never
//! before the 65th birthday.

use chrono::{DateTime, Utc};
use madoguchi_domain::Date;
use madoguchi_domain::eligibility::Reason;
use madoguchi_protocol::ErrorCode;
use madoguchi_protocol::v1::{
    DisabilityReview, DisabilityReviewDecision, NotificationDecision, NotificationId,
    NotificationKind, Outcome, ResidentId,
};
use uuid::Uuid;

use crate::config::UnionConfig;
use crate::decide::{Refusal, Work, evaluate, qualification_of, summary, wareki};
use crate::store::{
    Commit, IdempotencyRecord, LedgerEntry, ResidentRecord, StoreError, UnionStore,
};

/// Every application 審査中, oldest first.
pub fn pending(store: &dyn UnionStore) -> Result<Vec<DisabilityReview>, StoreError> {
    let mut out = Vec::new();
    store.each_resident(&mut |r| {
        if let Some(p) = &r.disability_review {
            out.push(DisabilityReview {
                resident_id: r.id,
                municipality: p.municipality,
                received_on: p.received_on,
                birth_date: r.birth_date,
                evidence: p.evidence,
            });
        }
        Ok(())
    })?;
    out.sort_by_key(|x| (x.received_on, x.resident_id.0));
    Ok(out)
}

/// Decides the application of `resident` as the 広域連合職員 `reviewer` on `today`: the decision and every
/// change, to be committed at once.
pub fn decide(
    store: &dyn UnionStore,
    config: &UnionConfig,
    resident: ResidentId,
    request: &DisabilityReviewDecision,
    reviewer: &str,
    today: Date,
    now: DateTime<Utc>,
) -> Result<(NotificationDecision, Commit), Refusal> {
    let mut r: ResidentRecord = store
        .resident(resident)?
        .ok_or(Refusal::Code(ErrorCode::NotFound))?;
    let pending = r
        .disability_review
        .take()
        .ok_or(Refusal::Code(ErrorCode::NotFound))?;
    // A 却下 says why, for the counter and the applicant.
    if !request.certified && request.reason.trim().is_empty() {
        return Err(ErrorCode::MissingField.into());
    }
    let mut w = Work::new(store, config);
    let mut outcome = Outcome::NotEligible;
    let mut document = None;
    let mut expected = None;
    let reason;
    let mut message;
    if request.certified {
        let certified_on = request.certified_on.unwrap_or(today);
        if certified_on > today || certified_on < r.birth_date {
            return Err(ErrorCode::InvalidDates.into());
        }
        let mut candidate = r.clone();
        candidate.disability_certified_on = Some(certified_on);
        let on = today.max(certified_on);
        let e = evaluate(&candidate, on)?;
        reason = Some(e.reason);
        if e.eligible && r.active_qualification(on).is_none() {
            r = candidate;
            w.qualify(&mut r, &e, today)?;
            let from = e.acquisition_date.unwrap_or(certified_on);
            document = Some(w.new_document(&mut r, from, today, None)?);
            outcome = Outcome::Decided;
            message = format!(
                "障害認定により資格取得を決定しました（広域連合審査）。資格取得年月日 {}。",
                wareki(from)
            );
        } else {
            expected = e.expected_acquisition_date;
            message = format!(
                "障害認定を審査しました。資格なし（{}）。",
                e.reason.label_ja()
            );
        }
    } else {
        reason = Some(Reason::Under75);
        message = "障害認定の申請は認定されませんでした（広域連合審査）。".to_string();
    }
    let why = request.reason.trim();
    if !why.is_empty() {
        message.push_str(&format!("理由: {why}。"));
    }
    if let Some(d) = &document {
        message.push_str(&format!(
            "{}（有効期限 {}）を交付してください。",
            d.kind.name_ja(),
            wareki(d.valid_until)
        ));
    }
    let decision = NotificationDecision {
        notification_id: NotificationId(Uuid::new_v4()),
        idempotency_key: pending.idempotency_key,
        kind: NotificationKind::AcquisitionDisability,
        resident_id: r.id,
        decided_at: now,
        outcome,
        reason,
        expected_acquisition_on: expected,
        qualification: qualification_of(&r, config),
        document: document.as_ref().map(summary),
        documents_to_return: Vec::new(),
        message_ja: message,
    };
    let mut commit = w.commit;
    commit.residents.push(r);
    commit.ledger = Some(LedgerEntry {
        decision: decision.clone(),
        terminal_id: pending.terminal_id.clone(),
        user_id: reviewer.to_owned(),
        received_on: pending.received_on,
    });
    // The terminal's answer under its key becomes this decision (the request's fingerprint is kept, so a
    // resend of the same application still replays instead of conflicting).
    if let Some(old) = store.idempotency(&pending.municipality, pending.idempotency_key)? {
        commit.idempotency = Some((
            pending.municipality,
            pending.idempotency_key,
            IdempotencyRecord {
                request_hash: old.request_hash,
                decision: decision.clone(),
            },
        ));
        commit.replace_idempotency = true;
    }
    Ok((decision, commit))
}
