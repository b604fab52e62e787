//! 後期高齢者医療 保険料: per insured person per 年度 (rules-2026.md §2).
//!
//! For each part (医療分, and from 令和8年度 子ども・子育て支援金分): 均等割額 (less the household's 7/5/2割 軽減, or
//! the former dependant's 5割 when larger; 1円未満切り捨て) + 所得割額 ((総所得金額等 − 基礎控除 43万円) × 所得割率,
//! none for former dependants), capped at the part's 賦課限度額. The year is charged by month from the month of
//! acquisition to the month before loss (年額 × 月数 ÷ 12), and the sum is rounded down to 100円 (新潟県後期高齢者
//! 医療広域連合: 「所得割額と均等割額を合計した額(100円未満切り捨て)」).

use serde::Serialize;
use std::fmt;

use chrono::Months;
use madoguchi_domain::insurance::Scheme;

use crate::calendar::{FiscalYear, month_of};
use crate::error::RulesError;
use crate::household::{Household, Member};
use crate::money::{Rate, Yen, YenMath, yen_ja};
use crate::reduction::{ReductionJudgment, judge};
use crate::table::{Part, PartTable, RateTable};

/// Why a 均等割 was reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "rate", rename_all = "snake_case")]
pub enum PerCapitaReduction {
    /// 軽減 by the household's income.
    Income(Rate),
    /// 被用者保険の被扶養者だった方 (for `months` months from acquisition).
    FormerDependant(Rate),
}

impl PerCapitaReduction {
    /// The rate.
    pub fn rate(self) -> Rate {
        match self {
            PerCapitaReduction::Income(r) | PerCapitaReduction::FormerDependant(r) => r,
        }
    }
}

/// One part's figures for one person, as a year (before 月割).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KoukiPartLine {
    /// Which part.
    pub part: Part,
    /// 均等割額 before 軽減.
    pub per_capita: Yen,
    /// 軽減 applied, if any.
    pub reduction: Option<PerCapitaReduction>,
    /// 均等割額 after 軽減.
    pub per_capita_after: Yen,
    /// 賦課のもととなる所得金額.
    pub income_base: Yen,
    /// 所得割率.
    pub income_rate: Rate,
    /// 所得割額 (0 for former dependants).
    pub income_part: Yen,
    /// 賦課限度額.
    pub cap: Yen,
    /// min(均等割 + 所得割, 限度額): the year's amount.
    pub annual: Yen,
    /// After 月割 (年額 × 月数 ÷ 12, months split when the dependant 軽減 ends mid-year).
    pub charged: Yen,
}

/// `KoukiPremium` — one insured person's 保険料 for a 年度, with every figure that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KoukiPremium {
    /// Position of the member in the household input (0-based).
    pub member: usize,
    /// 年度.
    pub fiscal_year: FiscalYear,
    /// The household's 軽減判定.
    pub reduction: ReductionJudgment,
    /// Parts.
    pub parts: Vec<KoukiPartLine>,
    /// Months charged (0–12).
    pub months: u32,
    /// 年間保険料 (100円未満切り捨て).
    pub total: Yen,
}

/// 後期 保険料 of every insured member of the household, in input order.
pub fn kouki_premium(
    table: &RateTable,
    household: &Household,
) -> Result<Vec<KoukiPremium>, RulesError> {
    if table.scheme != Scheme::Kouki {
        return Err(RulesError::WrongScheme);
    }
    let fy = table.fiscal_year;
    let last = fy.last_day().ok_or(RulesError::Overflow)?;
    household.validate(last)?;
    let judgment = judge(table, &household.members, false, None)?;
    household
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.insured)
        .map(|(i, m)| person(table, &judgment, i, m))
        .collect()
}

fn person(
    table: &RateTable,
    judgment: &ReductionJudgment,
    index: usize,
    m: &Member,
) -> Result<KoukiPremium, RulesError> {
    let fy = table.fiscal_year;
    // Months insured, split into those under the former dependant's rule and the others.
    let dependant_until = match (&table.former_dependant, m.former_dependant) {
        (Some(fd), true) => {
            let acquired = m.acquired.ok_or(RulesError::InvalidMember {
                index: index + 1,
                field: "acquired",
                reason: "required for a former dependant",
            })?;
            let start = month_of(acquired).ok_or(RulesError::Overflow)?;
            Some(
                start
                    .checked_add_months(Months::new(fd.months))
                    .ok_or(RulesError::Overflow)?,
            )
        }
        (None, true) => {
            return Err(RulesError::TableInvalid {
                field: "former_dependant".into(),
                reason: "missing, and a member is a former dependant",
            });
        }
        _ => None,
    };
    let mut normal_months = 0i64;
    let mut dependant_months = 0i64;
    for month in fy.months().filter(|mo| m.insured_in_month(*mo)) {
        if dependant_until.is_some_and(|until| month < until) {
            dependant_months += 1;
        } else {
            normal_months += 1;
        }
    }
    let base = m.levy_base(table, None)?;
    let mut parts = Vec::with_capacity(table.parts.len());
    let mut total = Yen::ZERO;
    for p in &table.parts {
        let normal = part_year(table, p, judgment.rate(), None, base)?;
        let line = if dependant_months > 0 {
            let fd = table
                .former_dependant
                .as_ref()
                .ok_or(RulesError::Overflow)?;
            let dep = part_year(
                table,
                p,
                judgment.rate(),
                Some(fd.per_capita_reduction),
                base,
            )?;
            let charged = normal
                .annual
                .times(normal_months)?
                .plus(dep.annual.times(dependant_months)?)?
                .ratio_down(1, 12)?;
            // The line shows the dependant figures: they are the ones that apply first.
            KoukiPartLine { charged, ..dep }
        } else {
            let charged = normal.annual.ratio_down(normal_months, 12)?;
            KoukiPartLine { charged, ..normal }
        };
        total = total.plus(line.charged)?;
        parts.push(line);
    }
    let total = total.round_down_to(table.rounding.total)?;
    Ok(KoukiPremium {
        member: index,
        fiscal_year: fy,
        reduction: judgment.clone(),
        parts,
        months: u32::try_from(normal_months + dependant_months)
            .map_err(|_| RulesError::Overflow)?,
        total,
    })
}

/// One part for a full year.
fn part_year(
    table: &RateTable,
    p: &PartTable,
    income_reduction: Rate,
    dependant: Option<Rate>,
    base: Yen,
) -> Result<KoukiPartLine, RulesError> {
    let reduction = match dependant {
        Some(d) if d > income_reduction => Some(PerCapitaReduction::FormerDependant(d)),
        _ if income_reduction > Rate::ZERO => Some(PerCapitaReduction::Income(income_reduction)),
        _ => None,
    };
    let per_capita_after = match reduction {
        Some(r) => p
            .per_capita
            .at_rate(r.rate().complement())?
            .round_down_to(table.rounding.reduced_per_capita)?,
        None => p.per_capita,
    };
    let income_part = if dependant.is_some() {
        Yen::ZERO
    } else {
        base.at_rate(p.income_rate)?
    };
    let annual = per_capita_after.plus(income_part)?.min(p.cap);
    Ok(KoukiPartLine {
        part: p.part,
        per_capita: p.per_capita,
        reduction,
        per_capita_after,
        income_base: base,
        income_rate: p.income_rate,
        income_part,
        cap: p.cap,
        annual,
        charged: annual,
    })
}

impl KoukiPartLine {
    /// Lines for `--explain` and the 保険料台帳: 「医療分 均等割 49,200円 → 7割軽減 14,760円」 ….
    pub fn explain_ja(&self) -> Vec<String> {
        let label = self.part.label_ja(Scheme::Kouki);
        let mut out = Vec::new();
        match self.reduction {
            Some(PerCapitaReduction::Income(r)) => out.push(format!(
                "{label} 均等割額 {} → {}軽減後 {}",
                self.per_capita,
                r.label_ja(),
                self.per_capita_after
            )),
            Some(PerCapitaReduction::FormerDependant(r)) => out.push(format!(
                "{label} 均等割額 {} → 被扶養者であった方の{}軽減後 {}",
                self.per_capita,
                r.label_ja(),
                self.per_capita_after
            )),
            None => out.push(format!("{label} 均等割額 {}", self.per_capita)),
        }
        out.push(format!(
            "{label} 所得割額 {} × {} = {}",
            self.income_base, self.income_rate, self.income_part
        ));
        if self.per_capita_after.get() + self.income_part.get() > self.cap.get() {
            out.push(format!("{label} 賦課限度額 {} を適用", yen_ja(self.cap)));
        }
        out.push(format!(
            "{label} 年額 {} (月割後 {})",
            self.annual, self.charged
        ));
        out
    }
}

/// 「保険料 123,400円 (12か月)」.
impl fmt::Display for KoukiPremium {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} 保険料 {} ({}か月)",
            self.fiscal_year, self.total, self.months
        )
    }
}

#[cfg(test)]
mod tests;
