//! The union applies the money rules: the 8/1 負担割合 判定 and the 後期 保険料, with `madoguchi-rules`, the
//! union's 料率表 ([`crate::rates`]) and the 所得情報 it holds ([`crate::store::IncomeRecord`]).
//!
//! - **Households**: residents of one municipality with the same 世帯番号, alive and living there. A member
//!   is 被保険者 when their qualification is active (and, for the 判定, acquired by the day judged).
//! - **Income**: the 年度 of the day judged (8/1 of 2026 → 2026 = 令和8年度, the income of 2025). Until the
//!   file-linkage issue brings the municipalities' 所得 files, the only source is the synthetic seeder. A
//!   household is judged only when every insured member has an income record for that 年度; otherwise it is
//!   left as it is (the union keeps the ratio it holds, no premium row is made). A member who is not insured
//!   and has no record counts with no income.
//! - **When the ratio changes**: the 負担割合変更 distribution lists each insured person whose judged ratio
//!   differs from the ratio on the document in their hands, with a notice and a new 資格確認書 (or 資格情報
//!   のお知らせ, by the dated document policy) valid from 8/1. The union's records change when the
//!   municipality's 監督者 **approves** the distribution ([`apply_approved`]): then the content is final
//!   (approved by the union's four eyes and the municipality) and its documents are the ones printed. The
//!   resident's `burden_ratio` and `limit_category` take the values of the new document, the document is
//!   stored (交付待ち), and the 判定 with its reason (`BurdenReason`, tagged and as the clerk's sentence) is
//!   kept as `burden_assessment` — for everyone of the municipality whose judged ratio is the one they hold.
//! - **限度区分**: derived with `kouki_limit_category` for the people who had one printed (任意記載事項);
//!   others get none printed. The 判定 kept on the record carries it, so a later 任意記載事項 application
//!   prints the derived 限度区分 instead of the one typed at the counter ([`crate::decide`]); without a 判定
//!   for the day (no income held) the typed one stays.

use std::collections::BTreeMap;

use chrono::Datelike;
use madoguchi_domain::Date;
use madoguchi_domain::money::Yen;
use madoguchi_protocol::distribution::{DistributionKind, DistributionRecord, RecordPayload};
use madoguchi_protocol::v1::ResidentId;
use madoguchi_rules::{
    BurdenDecision, FiscalYear, Household, LimitDecision, Member, RateTable, RulesError,
    kouki_burden, kouki_limit_category, kouki_premium,
};

use crate::distribution::DistributionMeta;
use crate::rates::RateBook;
use crate::store::{
    BurdenAssessment, Commit, DocumentRecord, IncomeRecord, ResidentRecord, StoreError, UnionStore,
};

/// Residents written per commit when an approval is applied.
const RESIDENTS_PER_COMMIT: usize = 500;

/// Why the rules could not be applied. Names no person and no amount.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ReassessError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No 後期高齢者医療 料率表 (rate table) is configured for the 年度.
    #[error("no 後期 rate table for fiscal year {fiscal_year}")]
    NoRateTable {
        /// The 年度 (賦課年度) asked for.
        fiscal_year: i32,
    },
    /// The money rules (`madoguchi_rules`) refused a household's data.
    #[error("the rules refused a household's data")]
    Rules(#[source] RulesError),
}

impl ReassessError {
    /// What union staff read.
    pub fn message_ja(&self) -> String {
        match self {
            ReassessError::Store(_) => "データストアの読み書きに失敗しました。".into(),
            ReassessError::NoRateTable { fiscal_year } => format!(
                "{}の後期高齢者医療の料率表がありません。union.toml の rates_dir に料率表を置いてください。",
                FiscalYear::new(*fiscal_year)
            ),
            ReassessError::Rules(e) => format!(
                "所得情報に誤りがある世帯があるため計算できません: {}",
                madoguchi_domain::StaffMessage::message_ja(e)
            ),
        }
    }
}

/// The 後期 table of a 年度, or the error that says which one is missing.
pub fn table(
    rates: &RateBook,
    fiscal_year: i32,
) -> Result<std::borrow::Cow<'_, RateTable>, ReassessError> {
    rates
        .kouki(fiscal_year)
        .ok_or(ReassessError::NoRateTable { fiscal_year })
}

fn alive_and_resident(r: &ResidentRecord) -> bool {
    r.died_on.is_none() && r.moved_out_on.is_none()
}

/// The residents of one municipality by 世帯番号 (alive and living there), each household in id order.
pub fn households(residents: &[ResidentRecord]) -> BTreeMap<String, Vec<&ResidentRecord>> {
    let mut out: BTreeMap<String, Vec<&ResidentRecord>> = BTreeMap::new();
    for r in residents.iter().filter(|r| alive_and_resident(r)) {
        out.entry(r.household.as_str().to_owned())
            .or_default()
            .push(r);
    }
    for members in out.values_mut() {
        members.sort_by_key(|r| r.id.0);
    }
    out
}

fn member(r: &ResidentRecord, income: Option<&IncomeRecord>, insured: bool) -> Member {
    let mut m = Member {
        insured,
        birth: r.birth_date,
        ..Member::default()
    };
    if let Some(i) = income {
        m.taxable_income = i.taxable_income;
        m.gross_income = i.gross_income;
        m.pension_income = i.pension_income;
        m.other_income = i.other_income;
        m.non_taxed = i.non_taxed;
        m.total_income = i.total_income;
        m.pension_income_amount = i.pension_income_amount;
        m.salary_income = i.salary_income;
        m.salary_income_amount = i.salary_income_amount;
        m.head = i.household_head;
    }
    m
}

/// The household as the rules see it, with the resident behind each member (same order). `None` when an
/// insured member has no income for the 年度, or nobody is insured.
fn rules_household<'a>(
    store: &dyn UnionStore,
    members: &[&'a ResidentRecord],
    fiscal_year: i32,
    on: Date,
    insured: impl Fn(&ResidentRecord) -> bool,
) -> Result<Option<(Vec<&'a ResidentRecord>, Household)>, StoreError> {
    let mut who = Vec::with_capacity(members.len());
    let mut household = Household::default();
    for r in members.iter().filter(|r| r.birth_date <= on) {
        let is_insured = insured(r);
        let income = store.income(r.id, fiscal_year)?;
        if is_insured && income.is_none() {
            return Ok(None);
        }
        household
            .members
            .push(member(r, income.as_ref(), is_insured));
        who.push(*r);
    }
    if !household.members.iter().any(|m| m.insured) {
        return Ok(None);
    }
    Ok(Some((who, household)))
}

/// One insured person's 判定.
#[derive(Debug, Clone)]
pub struct Assessed {
    /// The insured person judged.
    pub resident: ResidentId,
    /// 負担割合 (burden ratio) and its reason.
    pub decision: BurdenDecision,
    /// 限度区分 (limit category) and its reason.
    pub limit: LimitDecision,
}

/// The 8/1 判定 of one household on `on` (8/1), with the table of `on`'s 年度 and the income of the table's
/// 年度. `None` when the household cannot be judged (see the module doc).
pub fn assess_household(
    store: &dyn UnionStore,
    table: &RateTable,
    members: &[&ResidentRecord],
    on: Date,
) -> Result<Option<Vec<Assessed>>, ReassessError> {
    let fiscal_year = table.fiscal_year.start_year();
    let insured = |r: &ResidentRecord| r.active_qualification(on).is_some();
    let Some((who, household)) = rules_household(store, members, fiscal_year, on, insured)? else {
        return Ok(None);
    };
    let decisions = kouki_burden(table, &household, on).map_err(ReassessError::Rules)?;
    let mut out = Vec::new();
    for (r, decision) in who.iter().zip(decisions) {
        if let Some(decision) = decision {
            let limit = kouki_limit_category(table, &household, decision.ratio)
                .map_err(ReassessError::Rules)?;
            out.push(Assessed {
                resident: r.id,
                decision,
                limit,
            });
        }
    }
    Ok(Some(out))
}

/// The 年度's 保険料 (年額, `kouki_premium(...).total`) of each insured member of one household. `None` when
/// the household cannot be computed.
pub fn household_premiums(
    store: &dyn UnionStore,
    table: &RateTable,
    members: &[&ResidentRecord],
) -> Result<Option<Vec<(ResidentId, Yen)>>, ReassessError> {
    let fy = table.fiscal_year;
    let (Some(first), Some(last)) = (fy.first_day(), fy.last_day()) else {
        return Err(ReassessError::Rules(RulesError::Overflow));
    };
    let insured = |r: &ResidentRecord| r.active_qualification(last).is_some();
    let Some((who, mut household)) =
        rules_household(store, members, fy.start_year(), last, insured)?
    else {
        return Ok(None);
    };
    // Acquired during the 年度: 月割 from the month of acquisition.
    for (m, r) in household.members.iter_mut().zip(&who) {
        if let Some(q) = r.active_qualification(last)
            && q.acquired_on > first
        {
            m.acquired = Some(q.acquired_on);
        }
    }
    let premiums = kouki_premium(table, &household).map_err(ReassessError::Rules)?;
    Ok(Some(
        premiums
            .into_iter()
            .filter_map(|p| who.get(p.member).map(|r| (r.id, p.total)))
            .collect(),
    ))
}

/// The assessment kept on the resident record.
pub fn assessment_record(a: &Assessed, fiscal_year: i32, on: Date) -> BurdenAssessment {
    BurdenAssessment {
        fiscal_year,
        effective_on: on,
        ratio: a.decision.ratio,
        reason: serde_json::to_value(a.decision.reason).unwrap_or(serde_json::Value::Null),
        reason_ja: a.decision.reason.to_string(),
        limit_category: a.limit.category,
        limit_reason_ja: a.limit.reason.to_string(),
    }
}

/// Applies an approved 負担割合変更 distribution to the union's records (see the module doc): the new
/// documents are stored and given to their residents with the new ratio and 限度区分, and the 判定 of every
/// insured person whose judged ratio is the one they now hold is kept with its reason. Idempotent (a
/// document already given is not added twice). Returns the number of residents whose ratio changed.
pub fn apply_approved(
    store: &dyn UnionStore,
    rates: &RateBook,
    meta: &DistributionMeta,
) -> Result<u32, ReassessError> {
    if meta.kind != DistributionKind::BurdenRatioChange {
        return Ok(0);
    }
    let records: Vec<DistributionRecord> =
        store
            .distributions()
            .distribution_records(meta, 0, meta.record_count)?;
    let residents = store.residents_of(&meta.municipality)?;
    let mut by_id: BTreeMap<uuid::Uuid, (ResidentRecord, Vec<DocumentRecord>, bool)> = residents
        .iter()
        .map(|r| (r.id.0, (r.clone(), Vec::new(), false)))
        .collect();
    let mut changed = 0u32;
    for rec in &records {
        let RecordPayload::Certificate(d) = &rec.payload else {
            continue;
        };
        let Some((r, docs, dirty)) = by_id.get_mut(&rec.resident_id.0) else {
            continue;
        };
        if r.burden_ratio != d.burden_ratio {
            changed += 1;
        }
        r.burden_ratio = d.burden_ratio;
        r.limit_category = d.limit_category;
        if !r.documents.contains(&d.document_id) {
            r.documents.push(d.document_id);
            docs.push(DocumentRecord::to_issue(d, r));
        }
        *dirty = true;
    }
    let on = meta.reference_date;
    let fiscal_year = on.year();
    if let Some(table) = rates.kouki(fiscal_year) {
        for members in households(&residents).values() {
            let Some(assessed) = assess_household(store, &table, members, on)? else {
                continue;
            };
            for a in &assessed {
                if let Some((r, _, dirty)) = by_id.get_mut(&a.resident.0)
                    && r.burden_ratio == a.decision.ratio
                {
                    let kept = assessment_record(a, fiscal_year, on);
                    if r.burden_assessment.as_ref() != Some(&kept) {
                        r.burden_assessment = Some(kept);
                        *dirty = true;
                    }
                }
            }
        }
    }
    let mut commit = Commit::default();
    for (r, docs, dirty) in by_id.into_values() {
        if !dirty {
            continue;
        }
        commit.residents.push(r);
        commit.documents.extend(docs);
        if commit.residents.len() >= RESIDENTS_PER_COMMIT {
            store.commit(std::mem::take(&mut commit))?;
        }
    }
    if !commit.residents.is_empty() {
        store.commit(commit)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::insurance::{BurdenRatio, LimitCategory};

    #[test]
    fn a_kept_assessment_gives_its_limit_only_for_its_ratio_and_year() {
        let d = |y, m, day| Date::from_ymd_opt(y, m, day).unwrap();
        let a = BurdenAssessment {
            fiscal_year: 2026,
            effective_on: d(2026, 8, 1),
            ratio: BurdenRatio::Two,
            reason: serde_json::Value::Null,
            reason_ja: String::new(),
            limit_category: LimitCategory::IppanIi,
            limit_reason_ja: String::new(),
        };
        let two = BurdenRatio::Two;
        assert_eq!(a.limit_on(two, d(2026, 7, 31)), None, "before 8/1");
        assert_eq!(a.limit_on(two, d(2026, 8, 1)), Some(LimitCategory::IppanIi));
        assert_eq!(
            a.limit_on(two, d(2027, 7, 31)),
            Some(LimitCategory::IppanIi)
        );
        assert_eq!(a.limit_on(two, d(2027, 8, 1)), None, "the next 判定's year");
        assert_eq!(
            a.limit_on(BurdenRatio::One, d(2026, 9, 1)),
            None,
            "another ratio"
        );
    }
}
