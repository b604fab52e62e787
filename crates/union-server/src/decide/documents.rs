//! What a decision shows and issues: the 交付履歴 line of a document, the qualification the terminal shows,
//! and a new document record with its printed facts frozen (a child of [`crate::decide`]).

use super::*;

pub(crate) fn wareki(d: Date) -> String {
    WarekiDate::from_date(d)
        .map(|w| w.to_string())
        .unwrap_or_else(|_| d.to_string())
}

/// The 交付履歴 line of a document (kind, validity, state, 交付 and 回収) the terminal shows.
pub(crate) fn summary(d: &DocumentRecord) -> DocumentSummary {
    DocumentSummary {
        document_id: d.id,
        kind: d.kind,
        valid_from: d.valid_from,
        valid_until: d.valid_until,
        state: d.state,
        issuance: d.issuance.clone(),
        returned: d.returned.clone(),
    }
}

/// The qualification the terminal shows for `r` (its latest period with the 保険者番号, 負担割合 and 限度区分);
/// `None` when not qualified or the union has no 保険者番号 for the municipality.
pub(crate) fn qualification_of(
    r: &ResidentRecord,
    config: &UnionConfig,
) -> Option<madoguchi_protocol::v1::Qualification> {
    let q = r.qualification.as_ref()?;
    Some(Qualification {
        insured_number: q.insured_number.clone(),
        insurer_number: config.insurer_number(&r.municipality)?,
        acquired_on: q.acquired_on,
        lost_on: q.lost_on,
        reason: q.reason,
        burden_ratio: r.burden_ratio,
        limit_category: r.limit_category,
    })
}

/// A new document (交付前) for qualification `q` of `r`, effective from `from`: the facts printed on it are
/// frozen now. `None` when the union has no 保険者番号 for the resident's municipality.
pub(crate) fn document_record(
    config: &UnionConfig,
    r: &ResidentRecord,
    q: &QualificationRecord,
    kind: DocumentKind,
    from: Date,
    today: Date,
    id: DocumentId,
) -> Option<DocumentRecord> {
    let insurer_number = config.insurer_number(&r.municipality)?;
    Some(DocumentRecord {
        id,
        resident_id: r.id,
        municipality: r.municipality,
        kind,
        insured_number: q.insured_number.clone(),
        insurer_number,
        name: r.name.clone(),
        kana: r.kana.clone(),
        birth_date: r.birth_date,
        sex: r.sex,
        acquired_on: q.acquired_on,
        valid_from: from,
        valid_until: config.valid_until(from),
        issue_date: today,
        burden_ratio: r.burden_ratio.check_on(from).unwrap_or(BurdenRatio::One),
        limit_category: r.limit_category,
        long_term_hospitalization_on: r.long_term_hospitalization_on,
        mailing_address: r.mailing_address.clone(),
        specific_disease: r.specific_disease,
        state: DocumentState::ToIssue,
        issuance: None,
        returned: None,
    })
}
