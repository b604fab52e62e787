//! The household as the rules see it: members of one 住民票 世帯 with last year's incomes.
//!
//! Field names are those of `madoguchi-admin burden-ratio` / `premium` input (issue 17). All amounts are yen
//! integers; an absent amount is 0. `Debug` never shows a member's values (they are personal data).

use std::fmt;

use madoguchi_domain::Date;
use madoguchi_domain::age::age_on;
use serde::Deserialize;

use crate::error::RulesError;
use crate::money::{Rate, Yen, YenMath};
use crate::table::RateTable;

/// `Member` — 世帯員: one person of the household with last year's income (前年所得).
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// 被保険者: insured in the scheme being computed (後期 for `kouki`, 国保 for `kokuho`).
    #[serde(default)]
    pub insured: bool,
    /// 生年月日.
    pub birth: Date,
    /// 課税所得 (住民税の課税標準額).
    #[serde(default)]
    pub taxable_income: Yen,
    /// 収入 (基準収入額適用の収入).
    #[serde(default)]
    pub gross_income: Yen,
    /// 年金収入 (公的年金等の収入; 遺族年金・障害年金を除く).
    #[serde(default)]
    pub pension_income: Yen,
    /// その他の合計所得金額 (合計所得金額 − 公的年金等に係る雑所得).
    #[serde(default)]
    pub other_income: Yen,
    /// 住民税非課税.
    #[serde(default)]
    pub non_taxed: bool,
    /// 総所得金額等.
    #[serde(default)]
    pub total_income: Yen,
    /// 公的年金等に係る所得.
    #[serde(default)]
    pub pension_income_amount: Yen,
    /// 給与所得.
    #[serde(default)]
    pub salary_income_amount: Yen,
    /// 給与収入 (for the 給与・年金所得者 test).
    #[serde(default)]
    pub salary_income: Yen,
    /// 世帯主.
    #[serde(default)]
    pub head: bool,
    /// 旧ただし書所得; when absent, 総所得金額等 − 基礎控除.
    #[serde(default)]
    pub kyu_tadashigaki_income: Option<Yen>,
    /// 後期: 被用者保険の被扶養者だった (資格取得日の前日).
    #[serde(default)]
    pub former_dependant: bool,
    /// 資格取得日 (when in the 年度; absent = insured since before it).
    #[serde(default)]
    pub acquired: Option<Date>,
    /// 資格喪失日 (when in the 年度; absent = insured to its end).
    #[serde(default)]
    pub lost: Option<Date>,
    /// 国保: 特定同一世帯所属者 (moved from 国保 to 後期, same 世帯主); `insured` is false.
    #[serde(default)]
    pub specified_same_household: bool,
    /// 国保: 非自発的失業者 (給与所得 counted at 30/100).
    #[serde(default)]
    pub involuntary_unemployed: bool,
    /// 国保: 産前産後 免除 — the expected (or actual) birth.
    #[serde(default)]
    pub perinatal: Option<Perinatal>,
    /// 国保: 資産割の基礎 (固定資産税額), where the city has 資産割.
    #[serde(default)]
    pub asset_tax_base: Yen,
}

/// 産前産後期間 (国保, since 2024-01): 所得割 and 均等割 are not charged for these months.
#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Perinatal {
    /// 出産予定日 (or 出産日).
    pub expected: Date,
    /// 多胎妊娠.
    #[serde(default)]
    pub multiple: bool,
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Member { .. }")
    }
}

impl fmt::Debug for Perinatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Perinatal { .. }")
    }
}

/// `Household` — 世帯: the JSON object `{"members":[…]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Household {
    /// 世帯員, in the input order (outputs keep it).
    pub members: Vec<Member>,
}

impl Household {
    /// Parses the JSON object (amounts as yen integers, dates as YYYY-MM-DD).
    pub fn from_json(text: &str) -> Result<Household, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Refuses impossible values: negative amounts, birth after `on`, loss before acquisition, no insured,
    /// two heads.
    pub fn validate(&self, on: Date) -> Result<(), RulesError> {
        if !self.members.iter().any(|m| m.insured) {
            return Err(RulesError::NoInsured);
        }
        if self.members.iter().filter(|m| m.head).count() > 1 {
            return Err(RulesError::SeveralHeads);
        }
        for (i, m) in self.members.iter().enumerate() {
            let index = i + 1;
            let bad = |field, reason| RulesError::InvalidMember {
                index,
                field,
                reason,
            };
            if m.birth > on {
                return Err(bad("birth", "born after the day asked about"));
            }
            for (field, y) in [
                ("taxable_income", m.taxable_income),
                ("gross_income", m.gross_income),
                ("pension_income", m.pension_income),
                ("other_income", m.other_income),
                ("total_income", m.total_income),
                ("pension_income_amount", m.pension_income_amount),
                ("salary_income_amount", m.salary_income_amount),
                ("salary_income", m.salary_income),
                ("asset_tax_base", m.asset_tax_base),
                (
                    "kyu_tadashigaki_income",
                    m.kyu_tadashigaki_income.unwrap_or_default(),
                ),
            ] {
                if y.get() < 0 {
                    return Err(bad(field, "must not be negative"));
                }
            }
            if let (Some(a), Some(l)) = (m.acquired, m.lost)
                && l < a
            {
                return Err(bad("lost", "before the acquisition"));
            }
            if m.acquired.is_some_and(|a| a < m.birth) {
                return Err(bad("acquired", "before birth"));
            }
            if m.insured && m.specified_same_household {
                return Err(bad(
                    "insured",
                    "a specified same-household member is not insured here",
                ));
            }
        }
        Ok(())
    }
}

impl Member {
    /// 満年齢 on a day (0 before birth, which `validate` refuses).
    pub fn age_on(&self, on: Date) -> u32 {
        age_on(self.birth, on).unwrap_or(0)
    }

    /// 65+ for the pension rules: reached by 1 January of the 年度's start year (前年12月31日現在).
    pub(crate) fn pension_elderly(
        &self,
        table: &RateTable,
        jan1: Date,
    ) -> Result<bool, RulesError> {
        let age = table.age(|a| a.pension_elderly, "pension_elderly")?;
        Ok(self.age_on(jan1) >= age)
    }

    /// 総所得金額等 as the rules count it: 非自発的失業者 have their 給与所得 at 30/100 (国保 only; pass
    /// `None` for 後期).
    pub(crate) fn counted_total_income(
        &self,
        unemployed_share: Option<Rate>,
    ) -> Result<Yen, RulesError> {
        match unemployed_share {
            Some(share) if self.involuntary_unemployed => {
                let salary = self.salary_income_amount.min(self.total_income);
                self.total_income
                    .minus(salary)?
                    .plus(salary.at_rate(share)?)
            }
            _ => Ok(self.total_income),
        }
    }

    /// The income the 軽減 judgment adds up: counted 総所得金額等, less the 高齢者特別控除 (15万円) from the
    /// 公的年金等所得 of a 65+ member (rules-2026.md §2).
    pub(crate) fn reduction_income(
        &self,
        table: &RateTable,
        jan1: Date,
        unemployed_share: Option<Rate>,
    ) -> Result<Yen, RulesError> {
        let counted = self.counted_total_income(unemployed_share)?;
        if self.pension_elderly(table, jan1)? {
            let off = self
                .pension_income_amount
                .min(table.income.elderly_pension_deduction)
                .min(counted);
            counted.minus(off)
        } else {
            Ok(counted)
        }
    }

    /// 給与・年金所得者: pension 収入 above 60万円 (under 65) or 125万円 (65+), or 給与収入 above 55万円.
    pub(crate) fn is_earner(&self, table: &RateTable, jan1: Date) -> Result<bool, RulesError> {
        let pension_limit = if self.pension_elderly(table, jan1)? {
            table.income.earner_pension_elderly
        } else {
            table.income.earner_pension_under_elderly
        };
        Ok(self.pension_income > pension_limit || self.salary_income > table.income.earner_salary)
    }

    /// 旧ただし書所得: as given, else 総所得金額等 − 基礎控除 (not below 0). `None` when neither was given
    /// (a 総所得金額等 of 0 is read as "not given", since 課税所得 cannot exceed it): the 210万円 exception is then
    /// not applied.
    pub(crate) fn kyu_tadashigaki(&self, table: &RateTable) -> Result<Option<Yen>, RulesError> {
        match self.kyu_tadashigaki_income {
            Some(y) => Ok(Some(y)),
            None if self.total_income.get() > 0 => self
                .total_income
                .minus_floor_zero(table.income.basic_deduction)
                .map(Some),
            None => Ok(None),
        }
    }

    /// 賦課のもととなる所得金額: counted 総所得金額等 − 基礎控除, not below 0.
    pub(crate) fn levy_base(
        &self,
        table: &RateTable,
        unemployed_share: Option<Rate>,
    ) -> Result<Yen, RulesError> {
        self.counted_total_income(unemployed_share)?
            .minus_floor_zero(table.income.basic_deduction)
    }

    /// Insured during the month starting `month` (the first day): from the month of acquisition to the month
    /// before the month of loss (rules-2026.md §3, 月割).
    pub fn insured_in_month(&self, month: Date) -> bool {
        let from_ok = self
            .acquired
            .is_none_or(|a| crate::calendar::month_of(a).is_some_and(|am| am <= month));
        let to_ok = self
            .lost
            .is_none_or(|l| crate::calendar::month_of(l).is_some_and(|lm| month < lm));
        from_ok && to_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_issue_format_and_refuses_unknown_fields() {
        let h = Household::from_json(
            r#"{"members":[{"insured":true,"birth":"1949-05-01","taxable_income":300000,"gross_income":2100000,
            "pension_income":1900000,"other_income":150000,"non_taxed":false}]}"#,
        )
        .expect("parses");
        assert_eq!(h.members[0].taxable_income, Yen::new(300_000));
        assert_eq!(h.members[0].total_income, Yen::ZERO);
        assert!(
            Household::from_json(r#"{"members":[{"birth":"1949-05-01","income":1}]}"#).is_err()
        );
        assert!(
            Household::from_json(r#"{"members":[{"birth":"1949-05-01","gross_income":1.5}]}"#)
                .is_err()
        );
        // Debug shows no personal values.
        assert_eq!(format!("{:?}", h.members[0]), "Member { .. }");
    }

    #[test]
    fn months_run_from_acquisition_to_before_loss() {
        let d = |y, m, day| Date::from_ymd_opt(y, m, day).expect("date");
        let m = Member {
            acquired: Some(d(2026, 6, 30)),
            lost: Some(d(2026, 9, 1)),
            ..Member::default()
        };
        assert!(!m.insured_in_month(d(2026, 5, 1)));
        assert!(m.insured_in_month(d(2026, 6, 1)));
        assert!(m.insured_in_month(d(2026, 8, 1)));
        assert!(!m.insured_in_month(d(2026, 9, 1)));
    }
}
