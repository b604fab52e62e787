//! 均等割 (and 平等割) 軽減: 7割 / 5割 / 2割 by the household's income (rules-2026.md §2, §3).
//!
//! The household income is the 総所得金額等 of the insured members and the 世帯主 even when not insured
//! (国保: also 特定同一世帯所属者), with the 65+ 高齢者特別控除 15万円 taken off 公的年金等所得. A level applies
//! when that income is at or below base + per_insured × 被保険者数 + per_earner × (給与・年金所得者 − 1).

use serde::Serialize;
use std::fmt;

use madoguchi_domain::Date;

use crate::error::RulesError;
use crate::household::Member;
use crate::money::{Rate, Yen, YenMath, yen_ja};
use crate::table::RateTable;

/// `ReductionJudgment` — 軽減判定: the figures and the level found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReductionJudgment {
    /// 判定所得: the household's counted income.
    pub income: Yen,
    /// 被保険者数 counted (国保: with 特定同一世帯所属者).
    pub insured_count: i64,
    /// 給与・年金所得者の数.
    pub earner_count: i64,
    /// The level applied (None: 軽減なし), with its limit.
    pub level: Option<(Rate, Yen)>,
    /// The smallest level's limit (to say why there is no 軽減).
    pub smallest_limit: Option<Yen>,
}

/// Who is counted: insured members, the 世帯主, and (国保) 特定同一世帯所属者.
pub(crate) fn counted(m: &Member, count_specified: bool) -> bool {
    m.insured || m.head || (count_specified && m.specified_same_household)
}

/// Decides the level for a household.
pub(crate) fn judge(
    table: &RateTable,
    members: &[Member],
    count_specified: bool,
    unemployed_share: Option<Rate>,
) -> Result<ReductionJudgment, RulesError> {
    let jan1 = table
        .fiscal_year
        .january_first()
        .ok_or(RulesError::Overflow)?;
    judge_on(table, members, count_specified, unemployed_share, jan1)
}

fn judge_on(
    table: &RateTable,
    members: &[Member],
    count_specified: bool,
    unemployed_share: Option<Rate>,
    jan1: Date,
) -> Result<ReductionJudgment, RulesError> {
    let mut income = Yen::ZERO;
    let mut insured_count = 0i64;
    let mut earner_count = 0i64;
    for m in members.iter().filter(|m| counted(m, count_specified)) {
        income = income.plus(m.reduction_income(table, jan1, unemployed_share)?)?;
        if m.insured || (count_specified && m.specified_same_household) {
            insured_count += 1;
        }
        if m.is_earner(table, jan1)? {
            earner_count += 1;
        }
    }
    let r = &table.reduction;
    let earners_extra = r.per_earner.times((earner_count - 1).max(0))?;
    let mut level = None;
    let mut smallest_limit = None;
    for l in &r.levels {
        let limit = r
            .base
            .plus(l.per_insured.times(insured_count)?)?
            .plus(earners_extra)?;
        smallest_limit = Some(limit);
        if level.is_none() && income <= limit {
            level = Some((l.rate, limit));
        }
    }
    Ok(ReductionJudgment {
        income,
        insured_count,
        earner_count,
        level,
        smallest_limit,
    })
}

impl ReductionJudgment {
    /// The reduction rate (0% when none).
    pub fn rate(&self) -> Rate {
        self.level.map_or(Rate::ZERO, |(r, _)| r)
    }
}

/// 「世帯の所得の合計が…以下のため7割軽減」 / 「…を超えるため軽減なし」.
impl fmt::Display for ReductionJudgment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.level, self.smallest_limit) {
            (Some((rate, limit)), _) => write!(
                f,
                "世帯の軽減判定所得の合計{}が{}以下のため均等割{}軽減",
                yen_ja(self.income),
                yen_ja(limit),
                rate.label_ja()
            ),
            (None, Some(limit)) => write!(
                f,
                "世帯の軽減判定所得の合計{}が{}を超えるため軽減なし",
                yen_ja(self.income),
                yen_ja(limit)
            ),
            (None, None) => f.write_str("軽減の定めなし"),
        }
    }
}
