//! 一部負担金の割合 (1割/2割/3割) and 限度区分, decided from the household's income (rules-2026.md §1, §4).
//!
//! 後期: 3割 when an insured member's 課税所得 ≥ 145万円, unless the 基準収入額 test clears the household (収入
//! < 383万円 alone; < 520万円 for two or more, or one with 70–74-year-olds) or the insured's 旧ただし書所得 total
//! ≤ 210万円. The union applies both from the income it holds, without waiting for an application (issue 17).
//! Then 2割 when an insured member's 課税所得 ≥ 28万円 and 年金収入 + その他の合計所得金額 ≥ 200万円 (one insured)
//! or ≥ 320万円 together (two or more). Else 1割.
//!
//! 国保 (高齢受給者証): 未就学 2割, under 70 3割; 70–74 (from the 1st of the month after reaching 70, or that
//! month when born on the 1st) 2割, or 3割 by the same 145万円 / 383万円 / 520万円 test among the 70–74 insured
//! (with a 特定同一世帯所属者 counted in the 520万円 test).

use serde::Serialize;
use std::fmt;

use madoguchi_domain::Date;
use madoguchi_domain::age::{attainment_day, first_of_next_month, kouki_age_date};
use madoguchi_domain::insurance::{BurdenRatio, LimitCategory, Scheme};

use crate::calendar::school_year_end_after;
use crate::error::RulesError;
use crate::household::{Household, Member};
use crate::money::{Yen, YenMath, sum, yen_ja};
use crate::table::RateTable;

/// `BurdenDecision` — 負担割合の判定: the ratio and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BurdenDecision {
    /// 1割, 2割 or 3割.
    pub ratio: BurdenRatio,
    /// Why, as a typed value; `to_string()` gives the sentence a clerk reads aloud.
    pub reason: BurdenReason,
}

/// Why the 3割 test did not apply although someone's 課税所得 reached its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GenekiCleared {
    /// 基準収入額: 収入 (alone, or together) below the limit.
    Income {
        /// 145万円.
        taxable_threshold: Yen,
        /// Persons whose 収入 was added up.
        people: usize,
        /// 383万円 or 520万円.
        limit: Yen,
    },
    /// 旧ただし書所得 total at or below the limit.
    KyuTadashigaki {
        /// 145万円.
        taxable_threshold: Yen,
        /// 210万円.
        limit: Yen,
    },
}

/// `BurdenReason` — 判定理由.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BurdenReason {
    /// 後期 3割: 課税所得 ≥ threshold and the 収入 (and 旧ただし書所得) test failed.
    KoukiGeneki {
        /// 145万円.
        taxable_threshold: Yen,
        /// Persons whose 収入 was added up.
        people: usize,
        /// 383万円 / 520万円.
        limit: Yen,
    },
    /// 後期 2割.
    KoukiTwo {
        /// 28万円.
        taxable_threshold: Yen,
        /// 200万円 / 320万円.
        limit: Yen,
        /// When a 3割 test was cleared first.
        cleared: Option<GenekiCleared>,
    },
    /// 後期 1割: nobody's 課税所得 reaches the 2割 threshold.
    KoukiOneTaxable {
        /// 28万円.
        taxable_threshold: Yen,
    },
    /// 後期 1割: 課税所得 reached but 年金収入 + その他の合計所得金額 below the limit.
    KoukiOneIncome {
        /// 28万円.
        taxable_threshold: Yen,
        /// 200万円 / 320万円.
        limit: Yen,
        /// When a 3割 test was cleared first.
        cleared: Option<GenekiCleared>,
    },
    /// 国保: 義務教育就学前.
    KokuhoPreschool,
    /// 国保: under 70, or 70 but before the 高齢受給者証 applies.
    KokuhoWorkingAge {
        /// 70.
        elderly_age: u32,
        /// The day the 高齢受給者証 applies, when it is in the future.
        elderly_from: Option<Date>,
    },
    /// 国保 70–74: 3割.
    KokuhoElderlyGeneki {
        /// 70.
        elderly_age: u32,
        /// 145万円.
        taxable_threshold: Yen,
        /// Persons whose 収入 was added up.
        people: usize,
        /// 383万円 / 520万円.
        limit: Yen,
    },
    /// 国保 70–74: 2割.
    KokuhoElderlyTwo {
        /// 70.
        elderly_age: u32,
        /// 145万円.
        taxable_threshold: Yen,
        /// When someone's 課税所得 reached it but a test cleared the household.
        cleared: Option<GenekiCleared>,
    },
}

fn income_phrase(people: usize, limit: Yen, below: bool) -> String {
    let what = if people > 1 {
        "収入の合計"
    } else {
        "収入"
    };
    let cmp = if below { "未満" } else { "以上" };
    format!("{what}が{}{cmp}", yen_ja(limit))
}

impl GenekiCleared {
    /// 「収入が383万円未満」 / 「旧ただし書所得の合計が210万円以下」.
    fn because(&self) -> String {
        match *self {
            GenekiCleared::Income { people, limit, .. } => income_phrase(people, limit, true),
            GenekiCleared::KyuTadashigaki { limit, .. } => {
                format!("旧ただし書所得の合計が{}以下", yen_ja(limit))
            }
        }
    }
}

impl fmt::Display for GenekiCleared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            GenekiCleared::Income {
                taxable_threshold,
                people,
                limit,
            } => write!(
                f,
                "課税所得が{}以上の方がいますが、{}のため3割ではありません",
                yen_ja(taxable_threshold),
                income_phrase(people, limit, true)
            ),
            GenekiCleared::KyuTadashigaki {
                taxable_threshold, ..
            } => write!(
                f,
                "課税所得が{}以上の方がいますが、{}のため3割ではありません",
                yen_ja(taxable_threshold),
                self.because()
            ),
        }
    }
}

/// The sentence a clerk reads aloud, e.g. 「世帯の被保険者の課税所得が28万円以上で、年金収入とその他の合計所得
/// 金額の合計が200万円以上のため2割」.
impl fmt::Display for BurdenReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let note = |f: &mut fmt::Formatter<'_>, c: &Option<GenekiCleared>| match c {
            Some(c) => write!(f, "({c})"),
            None => Ok(()),
        };
        match self {
            BurdenReason::KoukiGeneki {
                taxable_threshold,
                people,
                limit,
            } => write!(
                f,
                "世帯の被保険者の課税所得が{}以上で、{}のため3割",
                yen_ja(*taxable_threshold),
                income_phrase(*people, *limit, false)
            ),
            BurdenReason::KoukiTwo {
                taxable_threshold,
                limit,
                cleared,
            } => {
                write!(
                    f,
                    "世帯の被保険者の課税所得が{}以上で、年金収入とその他の合計所得金額の合計が{}以上のため2割",
                    yen_ja(*taxable_threshold),
                    yen_ja(*limit)
                )?;
                note(f, cleared)
            }
            BurdenReason::KoukiOneTaxable { taxable_threshold } => write!(
                f,
                "世帯の被保険者に課税所得が{}以上の方がいないため1割",
                yen_ja(*taxable_threshold)
            ),
            BurdenReason::KoukiOneIncome {
                taxable_threshold,
                limit,
                cleared,
            } => {
                write!(
                    f,
                    "世帯の被保険者の課税所得が{}以上ですが、年金収入とその他の合計所得金額の合計が{}未満のため1割",
                    yen_ja(*taxable_threshold),
                    yen_ja(*limit)
                )?;
                note(f, cleared)
            }
            BurdenReason::KokuhoPreschool => f.write_str("義務教育就学前のため2割"),
            BurdenReason::KokuhoWorkingAge {
                elderly_age,
                elderly_from: None,
            } => write!(f, "{elderly_age}歳未満のため3割"),
            BurdenReason::KokuhoWorkingAge {
                elderly_age,
                elderly_from: Some(d),
            } => write!(
                f,
                "高齢受給者証は{}から({elderly_age}歳に達した月の翌月、1日生まれはその月)のため、それまでは3割",
                d.format("%Y年%-m月%-d日")
            ),
            BurdenReason::KokuhoElderlyGeneki {
                elderly_age,
                taxable_threshold,
                people,
                limit,
            } => write!(
                f,
                "世帯の{elderly_age}歳以上の被保険者の課税所得が{}以上で、{}のため3割",
                yen_ja(*taxable_threshold),
                income_phrase(*people, *limit, false)
            ),
            BurdenReason::KokuhoElderlyTwo {
                elderly_age,
                taxable_threshold,
                cleared: None,
            } => write!(
                f,
                "世帯の{elderly_age}歳以上の被保険者に課税所得が{}以上の方がいないため2割",
                yen_ja(*taxable_threshold)
            ),
            BurdenReason::KokuhoElderlyTwo {
                elderly_age,
                taxable_threshold,
                cleared: Some(c),
            } => write!(
                f,
                "世帯の{elderly_age}歳以上の被保険者の課税所得が{}以上ですが、{}のため2割",
                yen_ja(*taxable_threshold),
                c.because()
            ),
        }
    }
}

/// The outcome of the 現役並み test on a group of members.
enum Geneki {
    /// Nobody reaches the 課税所得 threshold.
    NoTaxable,
    /// 3割: (people, limit) of the failed 収入 test.
    Applies(usize, Yen),
    /// Reached but cleared.
    Cleared(GenekiCleared),
}

/// The 現役並み test of `group` (the insured concerned), with `others` whose 収入 may be added in the 520万円
/// test when the group is one person (後期: 70–74-year-olds; 国保: 特定同一世帯所属者).
fn geneki(table: &RateTable, group: &[&Member], others: &[&Member]) -> Result<Geneki, RulesError> {
    let b = &table.burden;
    let threshold = b.geneki_taxable_income;
    if !group.iter().any(|m| m.taxable_income >= threshold) {
        return Ok(Geneki::NoTaxable);
    }
    if let Some(limit) = b.kyu_tadashigaki_limit {
        let mut kyu = Some(Yen::ZERO);
        for m in group {
            kyu = match (kyu, m.kyu_tadashigaki(table)?) {
                (Some(acc), Some(y)) => Some(acc.plus(y)?),
                _ => None,
            };
        }
        if kyu.is_some_and(|k| k <= limit) {
            return Ok(Geneki::Cleared(GenekiCleared::KyuTadashigaki {
                taxable_threshold: threshold,
                limit,
            }));
        }
    }
    let gross = sum(group.iter().map(|m| m.gross_income))?;
    let cleared = |people, limit| {
        Geneki::Cleared(GenekiCleared::Income {
            taxable_threshold: threshold,
            people,
            limit,
        })
    };
    if group.len() == 1 {
        if gross < b.income_limit_single {
            return Ok(cleared(1, b.income_limit_single));
        }
        if !others.is_empty() {
            let with_others = gross.plus(sum(others.iter().map(|m| m.gross_income))?)?;
            let people = 1 + others.len();
            if with_others < b.income_limit_multiple {
                return Ok(cleared(people, b.income_limit_multiple));
            }
            return Ok(Geneki::Applies(people, b.income_limit_multiple));
        }
        return Ok(Geneki::Applies(1, b.income_limit_single));
    }
    if gross < b.income_limit_multiple {
        return Ok(cleared(group.len(), b.income_limit_multiple));
    }
    Ok(Geneki::Applies(group.len(), b.income_limit_multiple))
}

/// 後期: one decision for the household's insured members (they share it). Members in input order; `None` for
/// members who are not insured. The caller picks the table of the 年度 of `on` (8/1 uses that 年度's table).
pub fn kouki_burden(
    table: &RateTable,
    household: &Household,
    on: Date,
) -> Result<Vec<Option<BurdenDecision>>, RulesError> {
    if table.scheme != Scheme::Kouki {
        return Err(RulesError::WrongScheme);
    }
    household.validate(on)?;
    let elderly = table.age(|a| a.elderly_recipient, "elderly_recipient")?;
    let insured: Vec<&Member> = household.members.iter().filter(|m| m.insured).collect();
    // 70–74-year-olds of the household (not in 後期) join the 520万円 test of a lone insured.
    let young_elderly: Vec<&Member> = household
        .members
        .iter()
        .filter(|m| {
            !m.insured && m.age_on(on) >= elderly && kouki_age_date(m.birth).is_some_and(|d| on < d)
        })
        .collect();
    let decision = kouki_decide(table, &insured, &young_elderly)?;
    Ok(household
        .members
        .iter()
        .map(|m| m.insured.then(|| decision.clone()))
        .collect())
}

fn kouki_decide(
    table: &RateTable,
    insured: &[&Member],
    young_elderly: &[&Member],
) -> Result<BurdenDecision, RulesError> {
    let two = table
        .burden
        .two_tenths
        .as_ref()
        .ok_or(RulesError::WrongScheme)?;
    let cleared = match geneki(table, insured, young_elderly)? {
        Geneki::Applies(people, limit) => {
            return Ok(BurdenDecision {
                ratio: BurdenRatio::Three,
                reason: BurdenReason::KoukiGeneki {
                    taxable_threshold: table.burden.geneki_taxable_income,
                    people,
                    limit,
                },
            });
        }
        Geneki::Cleared(c) => Some(c),
        Geneki::NoTaxable => None,
    };
    if !insured
        .iter()
        .any(|m| m.taxable_income >= two.taxable_income)
    {
        return Ok(BurdenDecision {
            ratio: BurdenRatio::One,
            reason: BurdenReason::KoukiOneTaxable {
                taxable_threshold: two.taxable_income,
            },
        });
    }
    let total = insured
        .iter()
        .map(|m| m.pension_income.plus(m.other_income))
        .try_fold(Yen::ZERO, |acc, y| acc.plus(y?))?;
    let limit = if insured.len() > 1 {
        two.multiple
    } else {
        two.single
    };
    if total >= limit {
        Ok(BurdenDecision {
            ratio: BurdenRatio::Two,
            reason: BurdenReason::KoukiTwo {
                taxable_threshold: two.taxable_income,
                limit,
                cleared,
            },
        })
    } else {
        Ok(BurdenDecision {
            ratio: BurdenRatio::One,
            reason: BurdenReason::KoukiOneIncome {
                taxable_threshold: two.taxable_income,
                limit,
                cleared,
            },
        })
    }
}

/// The day the 高齢受給者証 applies: the 1st of the month after the day the person reaches `age` (so the birthday
/// month itself when born on the 1st).
pub fn elderly_recipient_from(birth: Date, age: u32) -> Option<Date> {
    first_of_next_month(attainment_day(birth, age)?)
}

/// 国保: each insured member's ratio on `on` (the 高齢受給者証's for 70–74). `None` for members not insured.
pub fn kokuho_burden(
    table: &RateTable,
    household: &Household,
    on: Date,
) -> Result<Vec<Option<BurdenDecision>>, RulesError> {
    if table.scheme != Scheme::Kokuho {
        return Err(RulesError::WrongScheme);
    }
    household.validate(on)?;
    let elderly = table.age(|a| a.elderly_recipient, "elderly_recipient")?;
    let preschool = table.age(|a| a.preschool, "preschool")?;
    for (i, m) in household.members.iter().enumerate() {
        if m.insured && kouki_age_date(m.birth).is_some_and(|d| d <= on) {
            return Err(RulesError::Kokuho75 { index: i + 1 });
        }
    }
    let group: Vec<&Member> = household
        .members
        .iter()
        .filter(|m| m.insured && m.age_on(on) >= elderly)
        .collect();
    let specified: Vec<&Member> = household
        .members
        .iter()
        .filter(|m| m.specified_same_household)
        .collect();
    let threshold = table.burden.geneki_taxable_income;
    let elderly_decision = match geneki(table, &group, &specified)? {
        Geneki::Applies(people, limit) => BurdenDecision {
            ratio: BurdenRatio::Three,
            reason: BurdenReason::KokuhoElderlyGeneki {
                elderly_age: elderly,
                taxable_threshold: threshold,
                people,
                limit,
            },
        },
        Geneki::Cleared(c) => BurdenDecision {
            ratio: BurdenRatio::Two,
            reason: BurdenReason::KokuhoElderlyTwo {
                elderly_age: elderly,
                taxable_threshold: threshold,
                cleared: Some(c),
            },
        },
        Geneki::NoTaxable => BurdenDecision {
            ratio: BurdenRatio::Two,
            reason: BurdenReason::KokuhoElderlyTwo {
                elderly_age: elderly,
                taxable_threshold: threshold,
                cleared: None,
            },
        },
    };
    household
        .members
        .iter()
        .map(|m| {
            if !m.insured {
                return Ok(None);
            }
            let school_end =
                school_year_end_after(m.birth, preschool).ok_or(RulesError::Overflow)?;
            if on <= school_end {
                return Ok(Some(BurdenDecision {
                    ratio: BurdenRatio::Two,
                    reason: BurdenReason::KokuhoPreschool,
                }));
            }
            let from = elderly_recipient_from(m.birth, elderly).ok_or(RulesError::Overflow)?;
            if on < from {
                let elderly_from = (m.age_on(on) >= elderly).then_some(from);
                return Ok(Some(BurdenDecision {
                    ratio: BurdenRatio::Three,
                    reason: BurdenReason::KokuhoWorkingAge {
                        elderly_age: elderly,
                        elderly_from,
                    },
                }));
            }
            Ok(Some(elderly_decision.clone()))
        })
        .collect()
}

/// `LimitDecision` — 限度区分 and why (後期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitDecision {
    /// 限度区分.
    pub category: LimitCategory,
    /// Why.
    pub reason: LimitReason,
}

/// Why a 限度区分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LimitReason {
    /// 現役並み, by the highest 課税所得 among the insured: at least `from`, below `below` when there is one.
    Geneki {
        /// Lower bound.
        from: Yen,
        /// Upper bound (none for Ⅲ).
        below: Option<Yen>,
    },
    /// 一般Ⅱ: the 2割 households.
    TwoTenths,
    /// 一般Ⅰ: 1割 and someone in the household is taxed.
    Taxed,
    /// 区分Ⅱ: the whole household 住民税非課税.
    NonTaxed,
    /// 区分Ⅰ: non-taxed and every member's income 0 (pension after the deduction).
    NoIncome {
        /// The pension deduction (80万円).
        pension_deduction: Yen,
    },
}

impl fmt::Display for LimitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitReason::Geneki { from, below: None } => {
                write!(f, "世帯の被保険者の課税所得が{}以上のため", yen_ja(*from))
            }
            LimitReason::Geneki {
                from,
                below: Some(b),
            } => write!(
                f,
                "世帯の被保険者の課税所得が{}以上{}未満のため",
                yen_ja(*from),
                yen_ja(*b)
            ),
            LimitReason::TwoTenths => f.write_str("負担割合が2割のため"),
            LimitReason::Taxed => {
                f.write_str("負担割合が1割で、世帯に住民税が課税されている方がいるため")
            }
            LimitReason::NonTaxed => f.write_str("世帯全員が住民税非課税のため"),
            LimitReason::NoIncome { pension_deduction } => write!(
                f,
                "世帯全員が住民税非課税で、所得が0円(年金収入は{}を差し引いて計算)のため",
                yen_ja(*pension_deduction)
            ),
        }
    }
}

/// 後期 限度区分 of the household's insured members, from the ratio decided by [`kouki_burden`].
pub fn kouki_limit_category(
    table: &RateTable,
    household: &Household,
    ratio: BurdenRatio,
) -> Result<LimitDecision, RulesError> {
    let l = table.limit.as_ref().ok_or(RulesError::WrongScheme)?;
    let top = household
        .members
        .iter()
        .filter(|m| m.insured)
        .map(|m| m.taxable_income)
        .max()
        .unwrap_or_default();
    let (category, reason) = match ratio {
        BurdenRatio::Three if top >= l.geneki_iii_taxable_income => (
            LimitCategory::GenekiNamiIii,
            LimitReason::Geneki {
                from: l.geneki_iii_taxable_income,
                below: None,
            },
        ),
        BurdenRatio::Three if top >= l.geneki_ii_taxable_income => (
            LimitCategory::GenekiNamiIi,
            LimitReason::Geneki {
                from: l.geneki_ii_taxable_income,
                below: Some(l.geneki_iii_taxable_income),
            },
        ),
        BurdenRatio::Three => (
            LimitCategory::GenekiNamiI,
            LimitReason::Geneki {
                from: table.burden.geneki_taxable_income,
                below: Some(l.geneki_ii_taxable_income),
            },
        ),
        BurdenRatio::Two => (LimitCategory::IppanIi, LimitReason::TwoTenths),
        BurdenRatio::One => {
            if !household.members.iter().all(|m| m.non_taxed) {
                (LimitCategory::IppanI, LimitReason::Taxed)
            } else {
                let mut all_zero = true;
                for m in &household.members {
                    let pension = m
                        .pension_income
                        .minus_floor_zero(l.kubun_i_pension_deduction)?;
                    if pension.plus(m.other_income)?.get() > 0 {
                        all_zero = false;
                    }
                }
                if all_zero {
                    (
                        LimitCategory::KubunI,
                        LimitReason::NoIncome {
                            pension_deduction: l.kubun_i_pension_deduction,
                        },
                    )
                } else {
                    (LimitCategory::KubunIi, LimitReason::NonTaxed)
                }
            }
        }
    };
    Ok(LimitDecision { category, reason })
}

#[cfg(test)]
mod tests;
