//! 国保 保険税: parts, 軽減 boundaries ±1 yen (擬制世帯主, 特定同一世帯所属者), caps ±1 yen, 未就学児, 18歳未満,
//! 介護分 at the 40th and 65th birthdays, 産前産後, 非自発的失業者, 月割, and income monotonicity.

use proptest::prelude::*;

use super::*;
use crate::testing::*;

fn adult() -> Member {
    // 45 all through 令和7年度: 介護分 applies.
    insured(d(1980, 6, 15))
}

fn levy(t: &RateTable, members: Vec<Member>) -> KokuhoLevy {
    kokuho_levy(t, &household(members)).expect("computes")
}

fn part(l: &KokuhoLevy, p: Part) -> &KokuhoPartLine {
    l.parts.iter().find(|x| x.part == p).expect("part present")
}

#[test]
fn reduction_boundaries_plus_minus_one_yen() {
    let t = kokuho_2025();
    // One insured, no earner: 7割 ≤ 43万円, 5割 ≤ 73.5万円, 2割 ≤ 99万円.
    for (total, tenths) in [
        (430_000, 7),
        (430_001, 5),
        (735_000, 5),
        (735_001, 2),
        (990_000, 2),
        (990_001, 0),
    ] {
        let l = levy(&t, vec![adult().head().total(total)]);
        assert_eq!(l.reduction.rate().tenths(), Some(tenths), "{total}");
    }
    // 7割: 医療 7,560 + 6,600; 支援 2,850 + 2,220; 介護 3,540 + 2,790 = 25,560 → 25,500.
    assert_eq!(
        levy(&t, vec![adult().head().total(430_000)]).total,
        yen(25_500)
    );
    // 5割: 12,600 + 11,000 + 4,750 + 3,700 + 5,900 + 4,650 = 42,600.
    assert_eq!(
        levy(&t, vec![adult().head().total(430_001)]).total,
        yen(42_600)
    );
}

#[test]
fn fictitious_head_and_specified_members_count_for_the_reduction() {
    let t = kokuho_2025();
    // 擬制世帯主 (not insured): their 1円 leaves 7割, but they pay nothing themselves.
    let head = |total| other(d(1950, 2, 2)).head().total(total);
    let l = levy(&t, vec![head(0), adult().total(430_000)]);
    assert_eq!(l.reduction.rate().tenths(), Some(7));
    let l = levy(&t, vec![head(1), adult().total(430_000)]);
    assert_eq!(l.reduction.rate().tenths(), Some(5));
    assert_eq!(l.reduction.insured_count, 1);
    let rich = levy(&t, vec![head(50_000_000), adult().total(2_000_000)]);
    let alone = levy(&t, vec![adult().head().total(2_000_000)]);
    assert_eq!(
        part(&rich, Part::Medical).income_base,
        part(&alone, Part::Medical).income_base
    );
    // 特定同一世帯所属者: counted as an insured for the limits (735,001 ≤ 43万 + 30.5万 × 2) but not charged.
    let mut moved = other(d(1948, 1, 1));
    moved.specified_same_household = true;
    let l = levy(&t, vec![adult().head().total(735_001)]);
    assert_eq!(l.reduction.rate().tenths(), Some(2));
    let l = levy(&t, vec![adult().head().total(735_001), moved]);
    assert_eq!(l.reduction.rate().tenths(), Some(5));
    assert_eq!(part(&l, Part::Medical).per_capita_count, 1);
}

#[test]
fn caps_plus_minus_one_yen() {
    let t = kokuho_2025();
    // 医療分: floor(base × 7.89%) + 25,200 + 22,000 = 659,999 / 660,000 / 660,001.
    for (base, before, annual) in [
        (7_766_793, 659_999, 659_999),
        (7_766_794, 660_000, 660_000),
        (7_766_807, 660_001, 660_000),
    ] {
        let l = levy(&t, vec![adult().head().total(base + 430_000)]);
        let m = part(&l, Part::Medical);
        assert_eq!(
            (m.before_cap, m.annual),
            (yen(before), yen(annual)),
            "{base}"
        );
    }
    // Every part capped on a very high income: 66万 + 26万 + 17万.
    let l = levy(&t, vec![adult().head().total(100_000_000)]);
    assert_eq!(l.total, yen(1_090_000));
    assert_eq!(part(&l, Part::Care).annual, yen(170_000));
    let lines = part(&l, Part::Support).explain_ja(l.reduction.rate());
    assert!(
        lines
            .iter()
            .any(|s| s == "後期高齢者支援金等分 課税限度額 26万円 を適用"),
        "{lines:?}"
    );
}

#[test]
fn care_part_from_the_40th_to_before_the_65th_birthday_month() {
    let t = kokuho_2025();
    let total = 3_000_000; // base 2,570,000: care year 53,713 + 11,800 + 9,300 = 74,813.
    for (birth, months) in [
        (d(1985, 10, 1), 7), // reaches 40 on 30 Sep: from September
        (d(1985, 10, 2), 6), // reaches 40 on 1 Oct: from October
        (d(1960, 10, 1), 5), // reaches 65 on 30 Sep: until August
        (d(1960, 10, 2), 6), // reaches 65 on 1 Oct: until September
        (d(1990, 1, 1), 0),
        (d(1970, 1, 1), 12),
    ] {
        let l = levy(&t, vec![insured(birth).head().total(total)]);
        assert_eq!(
            part(&l, Part::Care).charged,
            yen(74_813 * months / 12),
            "{birth}"
        );
    }
}

#[test]
fn preschool_children_pay_half_their_per_capita() {
    let t = kokuho_2025();
    let parent = adult().head().total(5_000_000);
    let l = levy(&t, vec![parent.clone(), insured(d(2021, 5, 5))]);
    // 25,200 + 12,600.
    assert_eq!(part(&l, Part::Medical).per_capita_net, yen(37_800));
    // Entered school: the full amount.
    let l = levy(&t, vec![parent, insured(d(2018, 5, 5))]);
    assert_eq!(part(&l, Part::Medical).per_capita_net, yen(50_400));
    // With 7割 the child's 5割 applies to what is left: 7,560 + 3,780.
    let l = levy(&t, vec![adult().head(), insured(d(2021, 5, 5))]);
    assert_eq!(part(&l, Part::Medical).per_capita_net, yen(11_340));
}

#[test]
fn reiwa8_child_support_part_exempts_under_18() {
    let t = kokuho_2026();
    let parent = adult().head().total(5_000_000);
    for (birth, exempt) in [
        (d(2008, 4, 2), true),  // reaches 18 on 1 Apr 2026: 31 March 2027 ends it
        (d(2008, 4, 1), false), // reaches 18 on 31 Mar 2026
    ] {
        let l = levy(&t, vec![parent.clone(), insured(birth)]);
        let c = part(&l, Part::Child);
        // 18歳以上: 1,800 + 100 加算.
        let expect = if exempt { 1_900 } else { 3_800 };
        assert_eq!(c.per_capita_net, yen(expect), "{birth}");
        assert_eq!(c.per_capita_count, if exempt { 1 } else { 2 });
    }
    assert_eq!(levy(&kokuho_2025(), vec![adult().head()]).parts.len(), 3);
    assert_eq!(levy(&t, vec![adult().head()]).levy_label, "保険税");
}

#[test]
fn perinatal_months_are_exempt() {
    let t = kokuho_2025();
    let mut mother = insured(d(1995, 3, 3)).head().total(3_000_000);
    let full = part(&levy(&t, vec![mother.clone()]), Part::Medical).charged;
    assert_eq!(full, yen(249_973));
    mother.perinatal = Some(crate::household::Perinatal {
        expected: d(2025, 8, 10),
        multiple: false,
    });
    // July–October exempt from 所得割 and 均等割; 平等割 stays: (249,973 × 8 + 22,000 × 4) / 12.
    assert_eq!(
        part(&levy(&t, vec![mother.clone()]), Part::Medical).charged,
        yen(173_982)
    );
    mother.perinatal = Some(crate::household::Perinatal {
        expected: d(2025, 8, 10),
        multiple: true,
    });
    // May–October.
    assert_eq!(
        part(&levy(&t, vec![mother]), Part::Medical).charged,
        yen(135_986)
    );
}

#[test]
fn involuntary_unemployment_counts_salary_at_30_percent() {
    let t = kokuho_2025();
    let mut m = adult().head().salary(1_500_000, 1_000_000).total(1_000_000);
    assert_eq!(levy(&t, vec![m.clone()]).reduction.rate().tenths(), Some(0));
    m.involuntary_unemployed = true;
    let l = levy(&t, vec![m]);
    // 300,000 ≤ 43万円: 7割, and no 所得割.
    assert_eq!(l.reduction.rate().tenths(), Some(7));
    assert_eq!(part(&l, Part::Medical).income_base, Yen::ZERO);
}

#[test]
fn monthly_charging() {
    let t = kokuho_2025();
    let full = levy(&t, vec![adult().head().total(3_000_000)]);
    let mut m = adult().head().total(3_000_000);
    m.acquired = Some(d(2025, 6, 10));
    let l = levy(&t, vec![m]);
    assert_eq!(l.months, 10);
    let sum_full: i64 = full.parts.iter().map(|p| p.charged.get()).sum();
    let sum_part: i64 = l.parts.iter().map(|p| p.charged.get()).sum();
    assert!(
        (sum_part - sum_full * 10 / 12).abs() <= 3,
        "{sum_part} vs {sum_full}"
    );
    let mut m = adult().head().total(3_000_000);
    m.lost = Some(d(2025, 12, 20));
    assert_eq!(levy(&t, vec![m]).months, 8);
}

#[test]
fn refuses_what_it_cannot_compute() {
    let t = kokuho_2025();
    assert_eq!(
        kokuho_levy(&t, &household(vec![insured(d(1940, 1, 1))])),
        Err(RulesError::Kokuho75 { index: 1 })
    );
    assert_eq!(
        kokuho_levy(&kouki_2025(), &household(vec![adult()])),
        Err(RulesError::WrongScheme)
    );
    assert_eq!(
        kokuho_levy(
            &t,
            &household(vec![adult().head(), other(d(1990, 1, 1)).head()])
        ),
        Err(RulesError::SeveralHeads)
    );
}

#[test]
fn tables_parse_from_both_formats_and_refuse_nonsense() {
    let toml_table = kokuho_2025();
    let json = serde_json::to_string(&toml_table).expect("serialises");
    assert_eq!(RateTable::from_json(&json), Ok(toml_table.clone()));
    assert_eq!(RateTable::parse("x.JSON", &json), Ok(toml_table));
    let bad = KOKUHO_2025.replace("\"7.89%\"", "\"107.89%\"");
    assert!(matches!(
        RateTable::from_toml(&bad),
        Err(RulesError::TableToml(_))
    ));
    let bad = KOKUHO_2025.replace(
        "rate = \"50%\", per_insured = 305000",
        "rate = \"80%\", per_insured = 305000",
    );
    assert!(matches!(
        RateTable::from_toml(&bad),
        Err(RulesError::TableInvalid { .. })
    ));
    let bad = KOKUHO_2025.replace("cap = 170000", "cap = -1");
    assert!(matches!(
        RateTable::from_toml(&bad),
        Err(RulesError::TableInvalid { .. })
    ));
    let bad = KOUKI_2026.replace("fiscal_year = 2026", "fiscal_year = 2025");
    assert!(
        matches!(RateTable::from_toml(&bad), Err(RulesError::TableInvalid { ref field, .. }) if field.ends_with("part")),
        "a 子ども・子育て支援金 part before 令和8年度 is refused"
    );
    let t = kouki_2026();
    assert_eq!(t.check_for(Scheme::Kouki, FiscalYear::new(2026)), Ok(()));
    assert!(matches!(
        t.check_for(Scheme::Kouki, FiscalYear::new(2025)),
        Err(RulesError::WrongFiscalYear {
            table: 2026,
            asked: 2025
        })
    ));
}

proptest! {
    /// Raising one member's 総所得金額等 never lowers the household's 保険税.
    #[test]
    fn levy_never_decreases_when_income_rises(
        incomes in proptest::collection::vec(0i64..15_000_000, 1..5),
        births in proptest::collection::vec(1953i32..2024, 5),
        who in 0usize..5,
        raise in 1i64..5_000_000,
        unemployed in any::<bool>(),
    ) {
        let mut members: Vec<Member> = incomes
            .iter()
            .enumerate()
            .map(|(i, inc)| {
                let mut m = insured(d(births[i], 7, 7)).total(*inc).salary(0, *inc / 2);
                m.involuntary_unemployed = unemployed && i == 0;
                m
            })
            .collect();
        members[0].head = true;
        let t = kokuho_2026();
        let before = kokuho_levy(&t, &household(members.clone())).expect("computes");
        let i = who % members.len();
        members[i].total_income = yen(members[i].total_income.get() + raise);
        let after = kokuho_levy(&t, &household(members)).expect("computes");
        prop_assert!(after.total >= before.total, "{} < {}", after.total, before.total);
    }
}

/// The 所得割 base whose 所得割 is exactly `amount` (the smallest base that reaches it).
fn base_for(amount: i64, rate: Rate) -> i64 {
    let ppm = i64::from(rate.ppm());
    (amount * 1_000_000 + ppm - 1) / ppm
}

#[test]
fn every_part_cap_plus_minus_one_yen() {
    // A 45-year-old alone, no 軽減 (the base is large): before the cap = 所得割 + 均等割 + 平等割.
    for t in [kokuho_2025(), kokuho_2026()] {
        for p in &t.parts {
            let fixed =
                p.per_capita.get() + p.adult_per_capita_addition.get() + p.per_household.get();
            for delta in [-1i64, 0, 1] {
                let base = base_for(p.cap.get() - fixed + delta, p.income_rate);
                let l = levy(&t, vec![adult().head().total(base + 430_000)]);
                let line = part(&l, p.part);
                assert_eq!(
                    line.before_cap.get(),
                    p.cap.get() + delta,
                    "{:?} {delta}",
                    p.part
                );
                assert_eq!(
                    line.annual.get(),
                    p.cap.get() + delta.min(0),
                    "{:?} {delta}",
                    p.part
                );
            }
        }
    }
}

#[test]
fn asset_levy_where_the_city_has_it() {
    // A city with 資産割 on the medical part: 20% of the 固定資産税額.
    let text = KOKUHO_2025.replace(
        "income_rate = \"7.89%\"",
        "income_rate = \"7.89%\"\nasset_rate = \"20%\"",
    );
    let t = RateTable::from_toml(&text).expect("parses");
    let mut owner = adult().head().total(3_000_000);
    owner.asset_tax_base = yen(100_001);
    let with = levy(&t, vec![owner.clone()]);
    assert_eq!(part(&with, Part::Medical).asset_part, yen(20_000));
    owner.asset_tax_base = Yen::ZERO;
    let without = levy(&t, vec![owner]);
    assert_eq!(
        part(&with, Part::Medical).annual.get() - part(&without, Part::Medical).annual.get(),
        20_000
    );
    assert_eq!(part(&with, Part::Support).asset_part, Yen::ZERO);
    // The elderly scheme has no 資産割.
    let bad = KOUKI_2025.replace(
        "income_rate = \"8.61%\"",
        "income_rate = \"8.61%\"\nasset_rate = \"1%\"",
    );
    assert!(matches!(
        RateTable::from_toml(&bad),
        Err(RulesError::TableInvalid { .. })
    ));
}
