//! Synthetic 所得情報 for the seeded residents ([`crate::store::IncomeRecord`]): until the file-linkage issue
//! brings the municipalities' 所得 files, this is the union's only source of income.
//!
//! Per household (世帯番号), deterministic from the seed, the municipality and the 年度: a band is drawn —
//! about 60% low pensions, 25% a pensioner with enough pension and taxable income for 2割, 15% a pensioner with
//! a large other income (rent or business) for 3割 — and given to the oldest member (the 世帯主); other members
//! get a low pension, or a salary when under 65. The amounts below are synthetic data shaped so that the
//! training 料率表 lands each band where intended (the test checks it with the rules); they are not rules: the
//! deductions are rough stand-ins, and no rule in the server reads them.

use std::collections::BTreeMap;

use chrono::Datelike;
use madoguchi_domain::Date;
use madoguchi_domain::age::age_on;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::money::Yen;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::store::{IncomeRecord, ResidentRecord, StoreError, UnionStore};

#[derive(Clone, Copy)]
enum Band {
    Low,
    Two,
    Three,
}

/// Stand-in of the 公的年金等控除 (65+, modest pensions) for synthetic figures.
const PENSION_DEDUCTION: i64 = 1_100_000;
/// Stand-in of the 基礎控除 for synthetic 課税所得.
const BASIC: i64 = 430_000;

fn record(resident: &ResidentRecord, fiscal_year: i32, head: bool) -> IncomeRecord {
    IncomeRecord {
        resident_id: resident.id,
        fiscal_year,
        taxable_income: Yen::ZERO,
        gross_income: Yen::ZERO,
        pension_income: Yen::ZERO,
        other_income: Yen::ZERO,
        total_income: Yen::ZERO,
        pension_income_amount: Yen::ZERO,
        salary_income: Yen::ZERO,
        salary_income_amount: Yen::ZERO,
        non_taxed: true,
        household_head: head,
    }
}

/// A pensioner: pension, other income (所得) and its gross (収入), other deductions.
fn pensioner(i: &mut IncomeRecord, pension: i64, other: i64, other_gross: i64, deductions: i64) {
    let pension_amount = (pension - PENSION_DEDUCTION).max(0);
    let total = pension_amount + other;
    let taxable = (total - BASIC - deductions).max(0);
    i.pension_income = Yen::new(pension);
    i.pension_income_amount = Yen::new(pension_amount);
    i.other_income = Yen::new(other);
    i.total_income = Yen::new(total);
    i.gross_income = Yen::new(pension + other_gross);
    i.taxable_income = Yen::new(taxable);
    i.non_taxed = taxable == 0;
}

fn income_for(
    rng: &mut StdRng,
    r: &ResidentRecord,
    fiscal_year: i32,
    head: bool,
    band: Band,
    jan1: Date,
) -> IncomeRecord {
    let mut i = record(r, fiscal_year, head);
    let elderly = age_on(r.birth_date, jan1).is_some_and(|a| a >= 65);
    if !elderly {
        let salary: i64 = rng.random_range(2_500_000..=4_500_000);
        let amount = salary * 7 / 10 - 180_000;
        let taxable = (amount - BASIC - rng.random_range(300_000..=600_000)).max(0);
        i.salary_income = Yen::new(salary);
        i.salary_income_amount = Yen::new(amount);
        i.other_income = Yen::new(amount);
        i.total_income = Yen::new(amount);
        i.gross_income = Yen::new(salary);
        i.taxable_income = Yen::new(taxable);
        i.non_taxed = taxable == 0;
        return i;
    }
    match (head, band) {
        (true, Band::Two) => {
            let other = rng.random_range(0..=200_000);
            pensioner(
                &mut i,
                rng.random_range(2_200_000..=2_800_000),
                other,
                other,
                rng.random_range(100_000..=300_000),
            );
        }
        (true, Band::Three) => {
            let other = rng.random_range(2_500_000..=4_000_000);
            pensioner(
                &mut i,
                rng.random_range(2_600_000..=3_200_000),
                other,
                other + rng.random_range(300_000..=800_000),
                rng.random_range(200_000..=500_000),
            );
        }
        _ => {
            pensioner(
                &mut i,
                rng.random_range(600_000..=1_600_000),
                0,
                0,
                rng.random_range(0..=200_000),
            );
        }
    }
    i
}

/// Stores synthetic incomes of `fiscal_year` for every resident of `municipality`; returns how many.
pub(crate) fn seed_incomes(
    store: &dyn UnionStore,
    municipality: &MunicipalityCode,
    fiscal_year: i32,
    seed: u64,
) -> Result<usize, StoreError> {
    let residents = store.residents_of(municipality)?;
    let mut households: BTreeMap<&str, Vec<&ResidentRecord>> = BTreeMap::new();
    for r in &residents {
        households.entry(r.household.as_str()).or_default().push(r);
    }
    let code: u64 = municipality.as_str().parse().unwrap_or(0);
    let mut rng = StdRng::seed_from_u64(seed ^ (code << 16) ^ fiscal_year as u64);
    let jan1 = Date::from_ymd_opt(fiscal_year, 1, 1).unwrap_or(Date::MIN);
    let mut incomes = Vec::with_capacity(residents.len());
    for members in households.values_mut() {
        // The oldest member is the 世帯主.
        members.sort_by_key(|r| (r.birth_date, r.id.0));
        let band = match rng.random_range(0..100) {
            0..=59 => Band::Low,
            60..=84 => Band::Two,
            _ => Band::Three,
        };
        for (n, r) in members.iter().enumerate() {
            incomes.push(income_for(&mut rng, r, fiscal_year, n == 0, band, jan1));
        }
    }
    store.put_incomes(&incomes)?;
    Ok(incomes.len())
}

/// The 年度 the seeder gives incomes for: that of the day the data describes.
pub(crate) fn seed_year(as_of: Date) -> i32 {
    if as_of.month() >= 4 {
        as_of.year()
    } else {
        as_of.year() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::HashCost;
    use crate::config::UnionConfig;
    use crate::rates::RateBook;
    use crate::reassess::{assess_household, households};
    use crate::seed::{SeedOptions, seed};
    use crate::store::SledStore;
    use madoguchi_domain::insurance::BurdenRatio;

    #[test]
    fn a_training_municipality_has_every_ratio_and_the_same_seed_the_same_incomes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let m: MunicipalityCode = "152111".parse().unwrap();
        let options = SeedOptions {
            municipalities: vec![m],
            residents: 150,
            seed: 11,
            as_of: Date::from_ymd_opt(2026, 11, 21).unwrap(),
            hash_cost: HashCost {
                memory_kib: 256,
                iterations: 1,
            },
        };
        let report = seed(&store, &UnionConfig::default_for("研修"), &options).unwrap();
        assert_eq!(report.incomes, 150);
        let rates = RateBook::training().unwrap();
        let table = rates.kouki(2026).unwrap();
        let on = Date::from_ymd_opt(2026, 8, 1).unwrap();
        let residents = store.residents_of(&m).unwrap();
        let mut counts = BTreeMap::new();
        for members in households(&residents).values() {
            if let Some(assessed) = assess_household(&store, &table, members, on).unwrap() {
                for a in assessed {
                    *counts.entry(a.decision.ratio.label_ja()).or_insert(0) += 1;
                }
            }
        }
        for ratio in [BurdenRatio::One, BurdenRatio::Two, BurdenRatio::Three] {
            assert!(
                counts.get(ratio.label_ja()).is_some_and(|n| *n > 0),
                "{counts:?}"
            );
        }
        // Deterministic: seeding again gives the same figures.
        let before: Vec<_> = residents
            .iter()
            .map(|r| store.income(r.id, 2026).unwrap().unwrap())
            .collect();
        seed_incomes(&store, &m, 2026, 11).unwrap();
        let after: Vec<_> = residents
            .iter()
            .map(|r| store.income(r.id, 2026).unwrap().unwrap())
            .collect();
        assert!(before == after);
        assert!(store.income(residents[0].id, 2025).unwrap().is_none());
        // Every record opens in the start-up check.
        assert_eq!(store.verify().unwrap().incomes, 150);
    }
}
