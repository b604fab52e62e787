//! 国民健康保険 保険税 / 保険料 per household per 年度 (rules-2026.md §3).
//!
//! Each part (医療分, 後期高齢者支援金等分, 介護納付金分 for insured aged 40–64, 子ども・子育て支援納付金分 from
//! 令和8年度) = 所得割 (rate × Σ(総所得金額等 − 43万円)) + 資産割 where the city has it + 均等割 (per insured) +
//! 平等割 (per household), capped per part. 均等割 and 平等割 take the household's 7/5/2割 軽減 (the 世帯主 counted
//! even when not insured — 擬制世帯主 — and 特定同一世帯所属者 counted); 未就学児 pay half of their 均等割
//! (rules-2026.md §3, since 令和4年度); 18歳未満 pay no 子ども・子育て支援納付金分 均等割 (朝霞市: 「18歳未満の被保険者に
//! かかる子ども・子育て支援納付金分の均等割は全額減免」); in the 産前産後 months a member's 所得割 and 均等割 are not
//! charged; 非自発的失業者 have their 給与所得 counted at 30/100 for the 軽減 and the 所得割.
//!
//! The year is charged month by month: each month from the month of acquisition to the month before loss
//! carries one twelfth of that month's capped annual amount (so a 40th birthday or a birth mid-year changes the
//! months after it only). The household's sum is rounded down to 100円 (地方税法 第20条の4の2 for 保険税; the
//! table's unit for 保険料 cities).

use madoguchi_domain::Date;
use madoguchi_domain::insurance::Scheme;
use serde::Serialize;

use chrono::Months;

use crate::calendar::{FiscalYear, attainment_month, month_of, school_year_end_after};
use crate::error::RulesError;
use crate::household::{Household, Member};
use crate::money::{Rate, Yen, YenMath, yen_ja};
use crate::reduction::{ReductionJudgment, judge};
use crate::table::{KokuhoTable, Part, PartTable, RateTable};

/// One part's figures for a household: a year at the composition of the first month charged, and what the
/// months charged add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KokuhoPartLine {
    /// Which part.
    pub part: Part,
    /// Σ 基準総所得金額 of the members charged in this part.
    pub income_base: Yen,
    /// 所得割率.
    pub income_rate: Rate,
    /// 所得割額.
    pub income_part: Yen,
    /// 資産割額 (0 where the city has none).
    pub asset_part: Yen,
    /// Members charged 均等割 in this part.
    pub per_capita_count: i64,
    /// 均等割額 before any reduction.
    pub per_capita_gross: Yen,
    /// 均等割額 after 軽減, 未就学児 and 18歳未満 rules.
    pub per_capita_net: Yen,
    /// 平等割額 before 軽減.
    pub per_household_gross: Yen,
    /// 平等割額 after 軽減.
    pub per_household_net: Yen,
    /// 課税限度額 of the part.
    pub cap: Yen,
    /// Sum before the cap.
    pub before_cap: Yen,
    /// The year's amount (capped).
    pub annual: Yen,
    /// Σ over the months charged of the capped amount ÷ 12.
    pub charged: Yen,
}

/// `KokuhoLevy` — a household's 保険税 (or 保険料) for a 年度.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KokuhoLevy {
    /// 年度.
    pub fiscal_year: FiscalYear,
    /// 「保険税」 or 「保険料」.
    pub levy_label: &'static str,
    /// 軽減判定.
    pub reduction: ReductionJudgment,
    /// Parts in table order.
    pub parts: Vec<KokuhoPartLine>,
    /// Months in which someone was insured.
    pub months: u32,
    /// The year's amount for the household (100円未満切り捨て).
    pub total: Yen,
}

/// What one member contributes to a part in one month.
struct Share {
    base: Yen,
    asset: Yen,
    per_capita: Option<Yen>,
    gross_per_capita: Yen,
}

/// What the month loop needs of an insured member, computed once per household.
struct Facts<'a> {
    member: &'a Member,
    /// 基準総所得金額 (非自発的失業者 counted at 30/100).
    base: Yen,
    /// Insured in each month of the 年度 (April first).
    months: [bool; 12],
    /// 介護第2号: [month of the 40th 到達日, month of the 65th), when the table has a 介護分.
    care: Option<(Date, Date)>,
    /// Last day of 未就学.
    preschool_end: Date,
    /// Last day of 18歳未満 for the 子ども・子育て支援納付金分, when the table needs it.
    minor_end: Option<Date>,
    /// 産前産後 months (first days), inclusive.
    perinatal: Option<(Date, Date)>,
}

fn facts<'a>(
    table: &RateTable,
    k: &KokuhoTable,
    m: &'a Member,
    month_starts: &[Date; 12],
) -> Result<Facts<'a>, RulesError> {
    let overflow = || RulesError::Overflow;
    let care = if table.part(Part::Care).is_some() {
        let from = table.age(|a| a.care_from, "care_from")?;
        let until = table.age(|a| a.care_until, "care_until")?;
        Some((
            attainment_month(m.birth, from).ok_or_else(overflow)?,
            attainment_month(m.birth, until).ok_or_else(overflow)?,
        ))
    } else {
        None
    };
    let minor_end = match table.part(Part::Child) {
        Some(p) if p.minor_per_capita_exempt || p.adult_per_capita_addition.get() > 0 => {
            let age = table.age(|a| a.child_support_exempt, "child_support_exempt")?;
            Some(school_year_end_after(m.birth, age).ok_or_else(overflow)?)
        }
        _ => None,
    };
    let preschool = table.age(|a| a.preschool, "preschool")?;
    let perinatal = match m.perinatal {
        Some(p) => {
            let expected = month_of(p.expected).ok_or_else(overflow)?;
            let before = if p.multiple {
                k.perinatal_multiple_months_before
            } else {
                k.perinatal_months_before
            };
            Some((
                expected
                    .checked_sub_months(Months::new(before))
                    .ok_or_else(overflow)?,
                expected
                    .checked_add_months(Months::new(k.perinatal_months_after))
                    .ok_or_else(overflow)?,
            ))
        }
        None => None,
    };
    Ok(Facts {
        member: m,
        base: m.levy_base(table, Some(k.involuntary_unemployed_salary))?,
        months: month_starts.map(|mo| m.insured_in_month(mo)),
        care,
        preschool_end: school_year_end_after(m.birth, preschool).ok_or_else(overflow)?,
        minor_end,
        perinatal,
    })
}

/// 国保 保険税/保険料 of a household.
pub fn kokuho_levy(table: &RateTable, household: &Household) -> Result<KokuhoLevy, RulesError> {
    if table.scheme != Scheme::Kokuho {
        return Err(RulesError::WrongScheme);
    }
    let k = table.kokuho.as_ref().ok_or(RulesError::WrongScheme)?;
    let fy = table.fiscal_year;
    let first = fy.first_day().ok_or(RulesError::Overflow)?;
    household.validate(fy.last_day().ok_or(RulesError::Overflow)?)?;
    for (i, m) in household.members.iter().enumerate() {
        let start = m.acquired.map_or(first, |a| a.max(first));
        if m.insured && madoguchi_domain::age::kouki_age_date(m.birth).is_some_and(|d| d <= start) {
            return Err(RulesError::Kokuho75 { index: i + 1 });
        }
    }
    let judgment = judge(
        table,
        &household.members,
        true,
        Some(k.involuntary_unemployed_salary),
    )?;
    let mut month_starts = [first; 12];
    for (slot, mo) in month_starts.iter_mut().zip(fy.months()) {
        *slot = mo;
    }
    let insured = household
        .members
        .iter()
        .filter(|m| m.insured)
        .map(|m| facts(table, k, m, &month_starts))
        .collect::<Result<Vec<_>, _>>()?;
    let months_charged = (0..12)
        .filter(|i| insured.iter().any(|f| f.months[*i]))
        .count();
    let mut parts = Vec::with_capacity(table.parts.len());
    for p in &table.parts {
        let mut line: Option<KokuhoPartLine> = None;
        let mut twelfths = Yen::ZERO;
        for (i, month) in month_starts.iter().enumerate() {
            let figures = month_figures(table, k, p, &judgment, &insured, i, *month)?;
            twelfths = twelfths.plus(figures.annual)?;
            if line.is_none() && insured.iter().any(|f| f.months[i]) {
                line = Some(figures);
            }
        }
        let charged = twelfths.ratio_down(1, 12)?;
        let mut line = line.unwrap_or_else(|| empty_line(p));
        line.charged = charged;
        parts.push(line);
    }
    let total = parts
        .iter()
        .try_fold(Yen::ZERO, |acc, l| acc.plus(l.charged))?
        .round_down_to(table.rounding.total)?;
    Ok(KokuhoLevy {
        fiscal_year: fy,
        levy_label: table.levy_label_ja(),
        reduction: judgment,
        parts,
        months: u32::try_from(months_charged).map_err(|_| RulesError::Overflow)?,
        total,
    })
}

fn empty_line(p: &PartTable) -> KokuhoPartLine {
    KokuhoPartLine {
        part: p.part,
        income_base: Yen::ZERO,
        income_rate: p.income_rate,
        income_part: Yen::ZERO,
        asset_part: Yen::ZERO,
        per_capita_count: 0,
        per_capita_gross: Yen::ZERO,
        per_capita_net: Yen::ZERO,
        per_household_gross: Yen::ZERO,
        per_household_net: Yen::ZERO,
        cap: p.cap,
        before_cap: Yen::ZERO,
        annual: Yen::ZERO,
        charged: Yen::ZERO,
    }
}

/// Whether a member is in the part in a month (介護分: 40–64 by 到達日's month).
fn in_part(p: &PartTable, f: &Facts<'_>, month: Date) -> bool {
    match (p.part, f.care) {
        (Part::Care, Some((from, until))) => from <= month && month < until,
        (Part::Care, None) => false,
        _ => true,
    }
}

fn member_share(
    table: &RateTable,
    k: &KokuhoTable,
    p: &PartTable,
    reduction: Rate,
    f: &Facts<'_>,
    month: Date,
) -> Result<Share, RulesError> {
    let asset = match p.asset_rate {
        Some(r) => f.member.asset_tax_base.at_rate(r)?,
        None => Yen::ZERO,
    };
    // 産前産後: the months from `before` months ahead of the expected month to `after` months after it.
    if f.perinatal
        .is_some_and(|(from, to)| from <= month && month <= to)
    {
        return Ok(Share {
            base: Yen::ZERO,
            asset,
            per_capita: None,
            gross_per_capita: Yen::ZERO,
        });
    }
    let unit = table.rounding.reduced_per_capita;
    let minor = p.part == Part::Child && f.minor_end.is_some_and(|end| month <= end);
    if minor && p.minor_per_capita_exempt {
        return Ok(Share {
            base: f.base,
            asset,
            per_capita: None,
            gross_per_capita: p.per_capita,
        });
    }
    let gross = if p.part == Part::Child && !minor {
        p.per_capita.plus(p.adult_per_capita_addition)?
    } else {
        p.per_capita
    };
    let mut net = gross.at_rate(reduction.complement())?.round_down_to(unit)?;
    if month <= f.preschool_end {
        net = net
            .at_rate(k.preschool_reduction.complement())?
            .round_down_to(unit)?;
    }
    Ok(Share {
        base: f.base,
        asset,
        per_capita: Some(net),
        gross_per_capita: gross,
    })
}

fn month_figures(
    table: &RateTable,
    k: &KokuhoTable,
    p: &PartTable,
    judgment: &ReductionJudgment,
    insured: &[Facts<'_>],
    index: usize,
    month: Date,
) -> Result<KokuhoPartLine, RulesError> {
    let reduction = judgment.rate();
    let mut line = empty_line(p);
    let mut anyone = false;
    for f in insured {
        if !f.months[index] || !in_part(p, f, month) {
            continue;
        }
        anyone = true;
        let s = member_share(table, k, p, reduction, f, month)?;
        line.income_base = line.income_base.plus(s.base)?;
        line.asset_part = line.asset_part.plus(s.asset)?;
        line.per_capita_gross = line.per_capita_gross.plus(s.gross_per_capita)?;
        if let Some(net) = s.per_capita {
            line.per_capita_count += 1;
            line.per_capita_net = line.per_capita_net.plus(net)?;
        }
    }
    if !anyone {
        return Ok(line);
    }
    line.income_part = line.income_base.at_rate(p.income_rate)?;
    line.per_household_gross = p.per_household;
    line.per_household_net = p
        .per_household
        .at_rate(reduction.complement())?
        .round_down_to(table.rounding.reduced_per_capita)?;
    line.before_cap = line
        .income_part
        .plus(line.asset_part)?
        .plus(line.per_capita_net)?
        .plus(line.per_household_net)?;
    line.annual = line.before_cap.min(p.cap);
    Ok(line)
}

impl KokuhoPartLine {
    /// Lines for `--explain` and the 試算 screen.
    pub fn explain_ja(&self, reduction: Rate) -> Vec<String> {
        let label = self.part.label_ja(Scheme::Kokuho);
        let mut out = vec![format!(
            "{label} 所得割額 {} × {} = {}",
            self.income_base, self.income_rate, self.income_part
        )];
        if self.asset_part.get() > 0 {
            out.push(format!("{label} 資産割額 {}", self.asset_part));
        }
        let red = if reduction > Rate::ZERO {
            format!("{}軽減等の後 ", reduction.label_ja())
        } else {
            String::new()
        };
        out.push(format!(
            "{label} 均等割額 {} ({}人) → {red}{}",
            self.per_capita_gross, self.per_capita_count, self.per_capita_net
        ));
        if self.per_household_gross.get() > 0 {
            out.push(format!(
                "{label} 平等割額 {} → {red}{}",
                self.per_household_gross, self.per_household_net
            ));
        }
        if self.before_cap > self.cap {
            out.push(format!("{label} 課税限度額 {} を適用", yen_ja(self.cap)));
        }
        out.push(format!(
            "{label} 年額 {} (月割後 {})",
            self.annual, self.charged
        ));
        out
    }
}

#[cfg(test)]
mod tests;
