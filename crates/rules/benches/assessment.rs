//! Assessment benchmark that prints its figures (`cargo bench -p madoguchi-rules`).
//!
//! Synthetic population generated here (no personal data): 1,000,000 insured in 400,000 households (half of
//! two insured, half of three), incomes from a fixed pseudo-random sequence.
//! - annual 賦課 (後期 保険料, 令和8年度 training table) of every insured: target < 30 s
//! - 8/1 reassessment (後期 負担割合 + 限度区分) of every insured: target < 30 s
//! - for comparison, the 国保 保険税 of 400,000 households (1,000,000 insured aged 0–74)
//!
//! Then criterion measures one household of each kind. Set `BENCH_HOUSEHOLDS` to change the population
//! (default 400000; insured = 2.5 × households).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use madoguchi_domain::Date;
use madoguchi_rules::{
    Household, Member, RateTable, Yen, kokuho_burden, kokuho_levy, kouki_burden,
    kouki_limit_category, kouki_premium,
};

const KOUKI: &str = include_str!("../../../assets/rates/kouki-training-2026.toml");
const KOKUHO: &str = include_str!("../../../assets/rates/kokuho-training-2026.json");

/// A small deterministic generator (xorshift): the same population every run.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).unwrap_or(0)
    }
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or(Date::MIN)
}

fn member(seq: &mut Seq, birth_from: i32, birth_span: u64, insured: bool) -> Member {
    let birth = date(
        birth_from + seq.below(birth_span) as i32,
        1 + seq.below(12) as u32,
        1 + seq.below(28) as u32,
    );
    // Mostly pensioners with modest incomes, a tail of high incomes to reach the 2割/3割 rules and caps.
    let pension = seq.below(3_000_000);
    let other = if seq.below(10) == 0 {
        seq.below(8_000_000)
    } else {
        seq.below(300_000)
    };
    let pension_amount = (pension - 1_100_000).max(0);
    let total = pension_amount + other;
    Member {
        insured,
        birth,
        taxable_income: Yen::new((total - 430_000 - 300_000).max(0)),
        gross_income: Yen::new(pension + other),
        pension_income: Yen::new(pension),
        other_income: Yen::new(other),
        non_taxed: total < 450_000,
        total_income: Yen::new(total),
        pension_income_amount: Yen::new(pension_amount),
        salary_income: Yen::new(if seq.below(4) == 0 {
            seq.below(4_000_000)
        } else {
            0
        }),
        ..Member::default()
    }
}

fn population(households: usize, kouki: bool) -> Vec<Household> {
    let mut seq = Seq(0x9E37_79B9_7F4A_7C15);
    (0..households)
        .map(|i| {
            let insured = if i % 2 == 0 { 2 } else { 3 };
            let mut members: Vec<Member> = (0..insured)
                .map(|_| {
                    if kouki {
                        member(&mut seq, 1925, 25, true)
                    } else {
                        member(&mut seq, 1953, 70, true)
                    }
                })
                .collect();
            members[0].head = true;
            Household { members }
        })
        .collect()
}

fn timed<F: FnMut() -> usize>(label: &str, insured: usize, mut f: F) -> Duration {
    let start = Instant::now();
    let done = f();
    let took = start.elapsed();
    let per_sec = insured as f64 / took.as_secs_f64().max(1e-9);
    println!(
        "{label}: {done} results for {insured} insured in {:.2} s ({per_sec:.0} insured/s; target < 30 s)",
        took.as_secs_f64()
    );
    took
}

fn full_runs() {
    let households: usize = std::env::var("BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400_000);
    let (kouki_t, kokuho_t) = match (RateTable::from_toml(KOUKI), RateTable::from_json(KOKUHO)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            eprintln!("the shipped training tables do not parse");
            return;
        }
    };
    let pop = population(households, true);
    let insured: usize = pop.iter().map(|h| h.members.len()).sum();
    println!("population: {households} households, {insured} insured (synthetic)");
    let on = date(2026, 8, 1);
    timed(
        "annual 賦課 (後期 保険料, 令和8年度)",
        insured,
        || {
            pop.iter()
                .filter_map(|h| kouki_premium(&kouki_t, h).ok())
                .map(|v| black_box(v).len())
                .sum()
        },
    );
    timed(
        "8/1 reassessment (後期 負担割合 + 限度区分)",
        insured,
        || {
            let mut n = 0;
            for h in &pop {
                if let Ok(d) = kouki_burden(&kouki_t, h, on)
                    && let Some(Some(first)) = d.first()
                    && kouki_limit_category(&kouki_t, h, first.ratio).is_ok()
                {
                    n += d.iter().flatten().count();
                }
            }
            n
        },
    );
    let mut by_ratio = [0usize; 3];
    for d in pop
        .iter()
        .filter_map(|h| kouki_burden(&kouki_t, h, on).ok())
        .flatten()
        .flatten()
    {
        by_ratio[usize::from(d.ratio.tenths()).saturating_sub(1).min(2)] += 1;
    }
    println!(
        "  (synthetic mix: 1割 {}, 2割 {}, 3割 {})",
        by_ratio[0], by_ratio[1], by_ratio[2]
    );
    drop(pop);
    let pop = population(households, false);
    timed(
        "annual 賦課 (国保 保険税, 令和8年度, per household)",
        insured,
        || {
            pop.iter()
                .filter_map(|h| kokuho_levy(&kokuho_t, h).ok())
                .map(|l| black_box(l).parts.len().min(1))
                .sum()
        },
    );
    timed(
        "8/1 reassessment (国保 一部負担 / 高齢受給者証)",
        insured,
        || {
            pop.iter()
                .filter_map(|h| kokuho_burden(&kokuho_t, h, on).ok())
                .map(|d| black_box(d).len())
                .sum()
        },
    );
}

fn per_household(c: &mut Criterion) {
    full_runs();
    let (Ok(kouki_t), Ok(kokuho_t)) = (RateTable::from_toml(KOUKI), RateTable::from_json(KOKUHO))
    else {
        return;
    };
    let kouki_pop = population(64, true);
    let kokuho_pop = population(64, false);
    let on = date(2026, 8, 1);
    let mut i = 0usize;
    c.bench_function("後期 保険料, one household", |b| {
        b.iter(|| {
            i = (i + 1) % kouki_pop.len();
            black_box(kouki_premium(&kouki_t, &kouki_pop[i]).ok())
        })
    });
    c.bench_function("後期 負担割合, one household", |b| {
        b.iter(|| {
            i = (i + 1) % kouki_pop.len();
            black_box(kouki_burden(&kouki_t, &kouki_pop[i], on).ok())
        })
    });
    c.bench_function("国保 保険税, one household", |b| {
        b.iter(|| {
            i = (i + 1) % kokuho_pop.len();
            black_box(kokuho_levy(&kokuho_t, &kokuho_pop[i]).ok())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = per_household
}
criterion_main!(benches);
