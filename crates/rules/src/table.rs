//! The dated rate table (料率表): every amount, rate and threshold the rules use, per insurer per 年度.
//!
//! One serde schema read from TOML or JSON (`crates/rules/README.md` documents it; the training tables are in
//! `assets/rates/`). The crate parses text; reading the file is the caller's job. A table is validated once when
//! parsed, so the rules can trust it (rates ≤ 100%, 軽減 levels in order, amounts not negative).

use madoguchi_domain::insurance::Scheme;
use serde::{Deserialize, Serialize};

use crate::calendar::FiscalYear;
use crate::error::RulesError;
use crate::money::{Rate, Yen};

/// The only schema version so far.
pub const SCHEMA_VERSION: u32 = 1;

/// The 年度 the 子ども・子育て支援金 part begins (rules-2026.md §2, §3: 令和8年度).
const CHILD_PART_FIRST_YEAR: i32 = 2026;

/// `RateTable` — 料率表 of one insurer for one 年度.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateTable {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// 制度: `kouki` (後期高齢者医療) or `kokuho` (国民健康保険).
    pub scheme: Scheme,
    /// 保険者番号.
    pub insurer_number: String,
    /// 保険者名 as printed.
    pub insurer_name: String,
    /// 年度 (start year: 2026 = 令和8年度).
    pub fiscal_year: FiscalYear,
    /// 研修用: figures for training, not for real notices.
    #[serde(default)]
    pub training: bool,
    /// 国保: whether the city levies 保険税 or 保険料 (every screen uses the city's word).
    #[serde(default)]
    pub levy: Option<Levy>,
    /// Where the figures come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// A note on the figures (JSON has no comments).
    #[serde(default)]
    pub note: Option<String>,
    /// Ages the rules turn on.
    pub ages: Ages,
    /// 一部負担金の割合 thresholds.
    pub burden: BurdenTable,
    /// 限度区分 thresholds (後期).
    #[serde(default)]
    pub limit: Option<LimitTable>,
    /// Deductions and the 給与・年金所得者 test.
    pub income: IncomeTable,
    /// 均等割 (and 平等割) 軽減.
    pub reduction: ReductionTable,
    /// The parts of the premium or tax (医療分, 支援分, 介護分, 子ども・子育て支援金分).
    pub parts: Vec<PartTable>,
    /// 後期: 被用者保険の被扶養者だった方の軽減.
    #[serde(default)]
    pub former_dependant: Option<FormerDependantTable>,
    /// 国保 only rules.
    #[serde(default)]
    pub kokuho: Option<KokuhoTable>,
    /// Rounding units.
    pub rounding: RoundingTable,
}

/// 保険税 (地方税法) or 保険料 (国民健康保険法).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Levy {
    /// 国民健康保険税.
    Tax,
    /// 国民健康保険料.
    Premium,
}

impl Levy {
    /// 「保険税」 / 「保険料」.
    pub fn label_ja(self) -> &'static str {
        match self {
            Levy::Tax => "保険税",
            Levy::Premium => "保険料",
        }
    }
}

/// Ages (満年齢) the rules turn on. Optional in the file; a rule that needs a missing one refuses the table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ages {
    /// 65: 公的年金等 rules for the elderly (高齢者特別控除, 125万円 test).
    pub pension_elderly: Option<u32>,
    /// 70: 高齢受給者 (国保 2割/3割), and the 70–74 members of a 後期 household.
    pub elderly_recipient: Option<u32>,
    /// 6: 未就学 (until the 31 March after reaching it).
    pub preschool: Option<u32>,
    /// 18: 子ども・子育て支援納付金分 均等割 exemption (until the 31 March after reaching it).
    pub child_support_exempt: Option<u32>,
    /// 40: 介護第2号 begins.
    pub care_from: Option<u32>,
    /// 65: 介護第2号 ends.
    pub care_until: Option<u32>,
}

/// 一部負担金の割合 thresholds (rules-2026.md §1, §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurdenTable {
    /// 課税所得 from which a member makes the household 現役並み (145万円).
    pub geneki_taxable_income: Yen,
    /// 基準収入額: 収入 below which one member clears the 3割 test (383万円).
    pub income_limit_single: Yen,
    /// 基準収入額: 収入 total below which two or more clear it (520万円).
    pub income_limit_multiple: Yen,
    /// 旧ただし書所得 total at or below which a household is not 現役並み (210万円), where the insurer applies it.
    #[serde(default)]
    pub kyu_tadashigaki_limit: Option<Yen>,
    /// 後期 2割 thresholds.
    #[serde(default)]
    pub two_tenths: Option<TwoTenthsTable>,
}

/// 後期 2割 (一定以上所得者) thresholds (rules-2026.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoTenthsTable {
    /// 課税所得 (28万円).
    pub taxable_income: Yen,
    /// 年金収入 + その他の合計所得金額, one insured (200万円).
    pub single: Yen,
    /// The same, two or more insured together (320万円).
    pub multiple: Yen,
}

/// 限度区分 thresholds (後期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitTable {
    /// 課税所得 for 現役並みⅢ (690万円).
    pub geneki_iii_taxable_income: Yen,
    /// 課税所得 for 現役並みⅡ (380万円).
    pub geneki_ii_taxable_income: Yen,
    /// 区分Ⅰ: pension counted after this deduction (80万円).
    pub kubun_i_pension_deduction: Yen,
}

/// Deductions and the 給与・年金所得者 test (rules-2026.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeTable {
    /// 基礎控除 (43万円): the 所得割 base is 総所得金額等 − this.
    pub basic_deduction: Yen,
    /// 高齢者特別控除 of 公的年金等所得 for 軽減 (15万円, 65+).
    pub elderly_pension_deduction: Yen,
    /// 給与・年金所得者: pension 収入 above this, under 65 (60万円).
    pub earner_pension_under_elderly: Yen,
    /// The same, 65+ (125万円).
    pub earner_pension_elderly: Yen,
    /// 給与・年金所得者: 給与収入 above this (55万円).
    pub earner_salary: Yen,
}

/// 7/5/2割 軽減 (rules-2026.md §2, §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReductionTable {
    /// 基礎 (43万円).
    pub base: Yen,
    /// 給与・年金所得者 beyond the first (10万円 each).
    pub per_earner: Yen,
    /// Levels, largest reduction first.
    pub levels: Vec<ReductionLevel>,
}

/// One 軽減 level: households at or below base + per_insured × 被保険者数 + per_earner × (earners − 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReductionLevel {
    /// 軽減割合 (70%, 50%, 20%).
    pub rate: Rate,
    /// Amount per insured (0, 30.5万円, 56万円 in 令和7年度).
    pub per_insured: Yen,
}

/// Which part of the premium or tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 医療分 (基礎課税額; 後期: the premium itself).
    Medical,
    /// 後期高齢者支援金等分 (国保).
    Support,
    /// 介護納付金分 (国保, insured aged 40–64).
    Care,
    /// 子ども・子育て支援金分 (後期) / 子ども・子育て支援納付金分 (国保), from 令和8年度.
    Child,
}

impl Part {
    /// As printed on a notice.
    pub fn label_ja(self, scheme: Scheme) -> &'static str {
        match (self, scheme) {
            (Part::Medical, Scheme::Kouki) => "医療分",
            (Part::Medical, Scheme::Kokuho) => "医療分(基礎課税額)",
            (Part::Support, _) => "後期高齢者支援金等分",
            (Part::Care, _) => "介護納付金分",
            (Part::Child, Scheme::Kouki) => "子ども・子育て支援金分",
            (Part::Child, Scheme::Kokuho) => "子ども・子育て支援納付金分",
        }
    }
}

/// One part's rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartTable {
    /// Which part.
    pub part: Part,
    /// 所得割率.
    pub income_rate: Rate,
    /// 均等割額 per insured.
    pub per_capita: Yen,
    /// 平等割額 per household (国保; 0 where the city has none).
    #[serde(default)]
    pub per_household: Yen,
    /// 資産割率 on the 固定資産税額 (国保, a few cities only).
    #[serde(default)]
    pub asset_rate: Option<Rate>,
    /// 賦課限度額 / 課税限度額 of this part.
    pub cap: Yen,
    /// 子ども・子育て支援納付金分: 18歳未満 pay no 均等割.
    #[serde(default)]
    pub minor_per_capita_exempt: bool,
    /// 子ども・子育て支援納付金分: 18歳以上 均等割 加算額 where the city sets one.
    #[serde(default)]
    pub adult_per_capita_addition: Yen,
}

/// 後期: former dependants of 被用者保険 (rules-2026.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormerDependantTable {
    /// 均等割 軽減 (50%).
    pub per_capita_reduction: Rate,
    /// For how many months from the month of acquisition (24).
    pub months: u32,
}

/// 国保 only rules (rules-2026.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KokuhoTable {
    /// 未就学児 均等割 軽減 (50%).
    pub preschool_reduction: Rate,
    /// 非自発的失業者: 給与所得 counted at this share (30%).
    pub involuntary_unemployed_salary: Rate,
    /// 産前産後: months exempt before the expected month (1; 3 for multiple births).
    pub perinatal_months_before: u32,
    /// The same for a multiple birth.
    pub perinatal_multiple_months_before: u32,
    /// Months exempt after the expected month (2).
    pub perinatal_months_after: u32,
}

/// Rounding units (切り捨て).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundingTable {
    /// 軽減後の均等割額 unit (1円).
    pub reduced_per_capita: Yen,
    /// The annual amount (後期: per person; 国保: per household) unit (100円).
    pub total: Yen,
}

fn invalid(field: impl Into<String>, reason: &'static str) -> RulesError {
    RulesError::TableInvalid {
        field: field.into(),
        reason,
    }
}

impl RateTable {
    /// Parses and validates TOML text.
    pub fn from_toml(text: &str) -> Result<RateTable, RulesError> {
        let t: RateTable =
            toml::from_str(text).map_err(|e| RulesError::TableToml(e.message().to_owned()))?;
        t.validate()?;
        Ok(t)
    }

    /// Parses and validates JSON text.
    pub fn from_json(text: &str) -> Result<RateTable, RulesError> {
        let t: RateTable =
            serde_json::from_str(text).map_err(|e| RulesError::TableJson(e.to_string()))?;
        t.validate()?;
        Ok(t)
    }

    /// Parses by file name: `.json` is JSON, anything else TOML.
    pub fn parse(name: &str, text: &str) -> Result<RateTable, RulesError> {
        if name.to_ascii_lowercase().ends_with(".json") {
            Self::from_json(text)
        } else {
            Self::from_toml(text)
        }
    }

    /// The part's rates, if the table has that part.
    pub fn part(&self, part: Part) -> Option<&PartTable> {
        self.parts.iter().find(|p| p.part == part)
    }

    /// 保険税 or 保険料 (後期 is always 保険料).
    pub fn levy_label_ja(&self) -> &'static str {
        match (self.scheme, self.levy) {
            (Scheme::Kokuho, Some(l)) => l.label_ja(),
            _ => "保険料",
        }
    }

    /// Refuses a table for another scheme or 年度.
    pub fn check_for(&self, scheme: Scheme, year: FiscalYear) -> Result<(), RulesError> {
        if self.scheme != scheme {
            return Err(RulesError::WrongScheme);
        }
        if self.fiscal_year != year {
            return Err(RulesError::WrongFiscalYear {
                table: self.fiscal_year.start_year(),
                asked: year.start_year(),
            });
        }
        Ok(())
    }

    /// An age the rules need, or a refusal naming it.
    pub(crate) fn age(
        &self,
        pick: fn(&Ages) -> Option<u32>,
        name: &'static str,
    ) -> Result<u32, RulesError> {
        pick(&self.ages).ok_or_else(|| invalid(format!("ages.{name}"), "missing"))
    }

    /// Checks what serde cannot: signs, order, and which parts belong to which scheme and 年度.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.schema != SCHEMA_VERSION {
            return Err(invalid("schema", "unknown schema version"));
        }
        let nonneg = |field: &str, y: Yen| {
            if y.get() < 0 {
                Err(invalid(field, "must not be negative"))
            } else {
                Ok(())
            }
        };
        let b = &self.burden;
        nonneg("burden.geneki_taxable_income", b.geneki_taxable_income)?;
        nonneg("burden.income_limit_single", b.income_limit_single)?;
        nonneg("burden.income_limit_multiple", b.income_limit_multiple)?;
        let i = &self.income;
        for (f, y) in [
            ("income.basic_deduction", i.basic_deduction),
            (
                "income.elderly_pension_deduction",
                i.elderly_pension_deduction,
            ),
            (
                "income.earner_pension_under_elderly",
                i.earner_pension_under_elderly,
            ),
            ("income.earner_pension_elderly", i.earner_pension_elderly),
            ("income.earner_salary", i.earner_salary),
            ("reduction.base", self.reduction.base),
            ("reduction.per_earner", self.reduction.per_earner),
        ] {
            nonneg(f, y)?;
        }
        // Larger reductions need lower incomes: rates strictly falling, per-insured amounts not falling.
        for (n, w) in self.reduction.levels.windows(2).enumerate() {
            if w[0].rate <= w[1].rate || w[0].per_insured > w[1].per_insured {
                return Err(invalid(
                    format!("reduction.levels[{}]", n + 1),
                    "levels must go from the largest reduction to the smallest",
                ));
            }
        }
        for l in &self.reduction.levels {
            nonneg("reduction.levels.per_insured", l.per_insured)?;
        }
        if self.parts.is_empty() {
            return Err(invalid("parts", "at least one part"));
        }
        for (n, p) in self.parts.iter().enumerate() {
            let f = |name: &str| format!("parts[{n}].{name}");
            nonneg(&f("per_capita"), p.per_capita)?;
            nonneg(&f("per_household"), p.per_household)?;
            nonneg(&f("cap"), p.cap)?;
            nonneg(&f("adult_per_capita_addition"), p.adult_per_capita_addition)?;
            if self.parts[..n].iter().any(|q| q.part == p.part) {
                return Err(invalid(f("part"), "each part once"));
            }
            let allowed = match self.scheme {
                Scheme::Kouki => matches!(p.part, Part::Medical | Part::Child),
                Scheme::Kokuho => true,
            };
            if !allowed {
                return Err(invalid(f("part"), "not a part of this scheme"));
            }
            if p.part == Part::Child && self.fiscal_year.start_year() < CHILD_PART_FIRST_YEAR {
                return Err(invalid(
                    f("part"),
                    "the child-support part begins in fiscal 2026",
                ));
            }
            if self.scheme == Scheme::Kouki
                && (p.per_household.get() != 0 || p.asset_rate.is_some())
            {
                return Err(invalid(
                    f("per_household"),
                    "the elderly scheme charges per person",
                ));
            }
        }
        if self.rounding.reduced_per_capita.get() <= 0 || self.rounding.total.get() <= 0 {
            return Err(invalid("rounding", "units must be positive"));
        }
        match self.scheme {
            Scheme::Kouki => {
                if b.two_tenths.is_none() {
                    return Err(invalid(
                        "burden.two_tenths",
                        "required for the elderly scheme",
                    ));
                }
                if self.limit.is_none() {
                    return Err(invalid("limit", "required for the elderly scheme"));
                }
            }
            Scheme::Kokuho => {
                if self.kokuho.is_none() {
                    return Err(invalid(
                        "kokuho",
                        "required for the national health insurance",
                    ));
                }
                if self.levy.is_none() {
                    return Err(invalid("levy", "tax or premium"));
                }
            }
        }
        Ok(())
    }
}
