//! The content of the 負担割合変更 distribution: the 8/1 判定 of every insured resident of a municipality
//! ([`crate::reassess`]) against the ratio on the document in their hands.

use chrono::Datelike;
use madoguchi_domain::Date;
use madoguchi_domain::ids::InsurerNumber;
use madoguchi_protocol::distribution::{BurdenRatioNotice, DistributionId, RecordPayload};
use madoguchi_protocol::v1::DocumentState;

use crate::config::UnionConfig;
use crate::distribution::{
    CertificateFacts, DistributionSpec, GenerateError, Item, alive_and_resident, certificate,
    mail_to,
};
use crate::rates::RateBook;
use crate::reassess;
use crate::store::{ResidentRecord, UnionStore};

/// The ratio on the newest document that is not voided: what the resident holds now.
fn shown_ratio(
    store: &dyn UnionStore,
    r: &ResidentRecord,
) -> Result<Option<madoguchi_domain::insurance::BurdenRatio>, GenerateError> {
    for doc_id in r.documents.iter().rev() {
        if let Some(d) = store.document(*doc_id)?
            && d.state != DocumentState::Voided
        {
            return Ok(Some(d.burden_ratio));
        }
    }
    Ok(None)
}

/// A notice and a new document for each insured resident whose judged ratio differs from the one shown.
#[allow(clippy::too_many_arguments)]
pub(crate) fn items(
    store: &dyn UnionStore,
    config: &UnionConfig,
    rates: &RateBook,
    id: DistributionId,
    spec: &DistributionSpec,
    today: Date,
    insurer: &InsurerNumber,
    residents: &[ResidentRecord],
) -> Result<Vec<Item>, GenerateError> {
    let on = spec.reference_date;
    let table = reassess::table(rates, on.year())?;
    let mut items = Vec::new();
    for members in reassess::households(residents).values() {
        let assessed = reassess::assess_household(store, &table, members, on)?;
        for r in members {
            let Some(q) = r.active_qualification(on) else {
                continue;
            };
            if !alive_and_resident(r) {
                continue;
            }
            let judged = assessed
                .as_ref()
                .and_then(|a| a.iter().find(|a| a.resident == r.id));
            // Not judged (no income for the 年度, or insured after 8/1): the ratio the union holds.
            let (after, limit) = match judged {
                Some(a) => (a.decision.ratio, Some(a.limit.category)),
                None => (r.burden_ratio, None),
            };
            let Some(before) = shown_ratio(store, r)? else {
                continue;
            };
            if before == after {
                continue;
            }
            let mut renewed = (*r).clone();
            renewed.burden_ratio = after;
            // 限度区分 is printed only for those who asked for it (任意記載事項); it is derived, not kept.
            if renewed.limit_category.is_some() {
                renewed.limit_category = limit.or(renewed.limit_category);
            }
            let notice = BurdenRatioNotice {
                insured_number: q.insured_number.clone(),
                name: r.name.clone(),
                kana: r.kana.clone(),
                before,
                after,
                effective_on: on,
                notice_date: today,
                insurer_name: config.union_name.clone(),
                sample: config.training,
            };
            let to = mail_to(r);
            items.push((
                renewed.clone(),
                Some(to.clone()),
                RecordPayload::BurdenRatioNotice(notice),
            ));
            let valid_from = on.max(q.acquired_on);
            if let Some(kind) = config.document_for(valid_from, r.mynumber_health_card) {
                let facts = CertificateFacts {
                    kind,
                    acquired_on: q.acquired_on,
                    valid_from,
                };
                if let Some(p) = certificate(config, id, &renewed, facts, today, insurer) {
                    items.push((renewed, Some(to), p));
                }
            }
        }
    }
    Ok(items)
}
