//! 後期 保険料: 軽減 boundaries ±1 yen, the cap ±1 yen, rounding, 月割, former dependants, the 令和8年度
//! 子ども・子育て支援金 part, and the property that the premium never falls when income rises.

use proptest::prelude::*;

use super::*;
use crate::testing::*;

fn elder() -> Member {
    // 76 on 1 January 2025: the 65+ pension rules apply.
    insured(d(1949, 5, 1))
}

fn premium(t: &RateTable, members: Vec<Member>) -> KoukiPremium {
    kouki_premium(t, &household(members))
        .expect("computes")
        .into_iter()
        .next()
        .expect("one insured")
}

#[test]
fn reduction_boundaries_plus_minus_one_yen() {
    let t = kouki_2025();
    // (総所得金額等 other than pension, expected 軽減, expected premium): 7割 ≤ 43万円, 5割 ≤ 43万 + 30.5万,
    // 2割 ≤ 43万 + 56万 (one insured, no second earner).
    let cases = [
        (430_000, Some(7), 13_200), // 13,260 + 0
        (430_001, Some(5), 22_100), // 22,100 + 0 (1 × 8.61% = 0)
        (735_000, Some(5), 48_300), // 22,100 + 26,260
        (735_001, Some(2), 61_600), // 35,360 + 26,260
        (990_000, Some(2), 83_500), // 35,360 + 48,216
        (990_001, None, 92_400),    // 44,200 + 48,216
    ];
    for (total, level, expect) in cases {
        let p = premium(&t, vec![elder().total(total)]);
        assert_eq!(p.reduction.rate().tenths(), level.or(Some(0)), "{total}");
        assert_eq!(p.total, yen(expect), "{total}");
    }
}

#[test]
fn pension_special_deduction_and_the_non_insured_head() {
    let t = kouki_2025();
    // 65+: 公的年金等所得 580,000 − 15万円 = 430,000 → 7割; 580,001 → 5割.
    let pensioner = |amount| {
        elder()
            .total(amount)
            .pension_amount(amount)
            .pension(amount + 1_100_000)
    };
    assert_eq!(
        premium(&t, vec![pensioner(580_000)])
            .reduction
            .rate()
            .tenths(),
        Some(7)
    );
    assert_eq!(
        premium(&t, vec![pensioner(580_001)])
            .reduction
            .rate()
            .tenths(),
        Some(5)
    );
    // A non-insured 世帯主 is counted: 1円 of theirs leaves 7割.
    let head = |total| other(d(1970, 1, 1)).head().total(total);
    let p = premium(&t, vec![elder().total(430_000), head(0)]);
    assert_eq!(p.reduction.rate().tenths(), Some(7));
    let p = premium(&t, vec![elder().total(430_000), head(1)]);
    assert_eq!(p.reduction.rate().tenths(), Some(5));
    assert_eq!(p.reduction.insured_count, 1, "the head is not an insured");
    // A non-insured member who is not the head is not counted.
    let p = premium(
        &t,
        vec![
            elder().total(430_000),
            other(d(1970, 1, 1)).total(5_000_000),
        ],
    );
    assert_eq!(p.reduction.rate().tenths(), Some(7));
}

#[test]
fn second_earner_raises_the_limits() {
    let t = kouki_2025();
    // Insured with pension 収入 1,250,001 (an earner at 65+), head with 給与収入 at 55万円 ± 1.
    let a = || elder().pension(1_250_001).total(300_000);
    let head = |salary| other(d(1980, 1, 1)).head().salary(salary, 0).total(230_000);
    // 300,000 + 230,000 = 530,000: 7割 only with two earners (43万 + 10万).
    assert_eq!(
        premium(&t, vec![a(), head(550_000)])
            .reduction
            .rate()
            .tenths(),
        Some(5)
    );
    assert_eq!(
        premium(&t, vec![a(), head(550_001)])
            .reduction
            .rate()
            .tenths(),
        Some(7)
    );
    // 65+ pension 収入 at 125万円 is not an earner.
    let a2 = elder().pension(1_250_000).total(300_000);
    assert_eq!(
        premium(&t, vec![a2, head(550_001)])
            .reduction
            .rate()
            .tenths(),
        Some(5)
    );
    // Under 65 (障害認定): 60万円.
    let young = |p| insured(d(1962, 3, 3)).pension(p).total(300_000);
    assert_eq!(
        premium(&t, vec![young(600_001), head(550_001)])
            .reduction
            .earner_count,
        2
    );
    assert_eq!(
        premium(&t, vec![young(600_000), head(550_001)])
            .reduction
            .earner_count,
        1
    );
}

#[test]
fn cap_plus_minus_one_yen() {
    let t = kouki_2025();
    // 所得割 base = total − 430,000; 44,200 + floor(base × 8.61%) = 799,999 / 800,000 / 800,001.
    for (base, before, annual, total) in [
        (8_778_164, 799_999, 799_999, 799_900),
        (8_778_165, 800_000, 800_000, 800_000),
        (8_778_177, 800_001, 800_000, 800_000),
    ] {
        let p = premium(&t, vec![elder().total(base + 430_000)]);
        let l = &p.parts[0];
        assert_eq!(
            l.per_capita_after.get() + l.income_part.get(),
            before,
            "{base}"
        );
        assert_eq!(l.annual, yen(annual), "{base}");
        assert_eq!(p.total, yen(total), "{base}");
    }
}

#[test]
fn monthly_charging_and_rounding() {
    let t = kouki_2025();
    // 7割, 所得割 150,000 × 8.61% = 12,915: 13,260 + 12,915 = 26,175 → 26,100.
    let p = premium(&t, vec![elder().total(580_000).pension_amount(580_000)]);
    assert_eq!(p.total, yen(26_100));
    assert_eq!(p.months, 12);
    // Acquired in June: June–March, 10 months: 26,175 × 10 / 12 = 21,812 → 21,800.
    let mut m = elder().total(580_000).pension_amount(580_000);
    m.acquired = Some(d(2025, 6, 10));
    let p = premium(&t, vec![m]);
    assert_eq!((p.months, p.total), (10, yen(21_800)));
    // Lost on 20 December: April–November, 8 months: 17,450 → 17,400.
    let mut m = elder().total(580_000).pension_amount(580_000);
    m.lost = Some(d(2025, 12, 20));
    let p = premium(&t, vec![m]);
    assert_eq!((p.months, p.total), (8, yen(17_400)));
}

#[test]
fn former_dependants() {
    let t = kouki_2025();
    // Joined in October: 5割 (22,100) and no 所得割, 6 months: 11,050 → 11,000.
    let mut m = elder().total(2_000_000);
    m.former_dependant = true;
    m.acquired = Some(d(2025, 10, 15));
    let p = premium(&t, vec![m.clone()]);
    assert_eq!(p.parts[0].income_part, Yen::ZERO);
    assert_eq!(p.total, yen(11_000));
    // 7割 by income beats the dependant's 5割: 13,260 × 6 / 12 = 6,630 → 6,600.
    m.total_income = Yen::ZERO;
    assert_eq!(premium(&t, vec![m]).total, yen(6_600));
    // Joined October 2023: the 24 months end with September 2025, then the ordinary premium.
    let mut m = elder().total(2_000_000);
    m.former_dependant = true;
    m.acquired = Some(d(2023, 10, 1));
    // (22,100 × 6 + 179,377 × 6) / 12 = 100,738 → 100,700.
    assert_eq!(premium(&t, vec![m]).total, yen(100_700));
    // A table without the rule cannot decide it.
    let mut no_rule = t.clone();
    no_rule.former_dependant = None;
    let mut m = elder();
    m.former_dependant = true;
    m.acquired = Some(d(2025, 10, 15));
    assert!(matches!(
        kouki_premium(&no_rule, &household(vec![m])),
        Err(RulesError::TableInvalid { .. })
    ));
    // Without an acquisition day the rule cannot be applied.
    let mut m = elder();
    m.former_dependant = true;
    assert!(matches!(
        kouki_premium(&t, &household(vec![m])),
        Err(RulesError::InvalidMember {
            field: "acquired",
            ..
        })
    ));
}

#[test]
fn reiwa8_adds_the_child_support_part() {
    let t = kouki_2026();
    let p = premium(&t, vec![elder()]);
    assert_eq!(p.parts.len(), 2);
    // 49,200 × 0.3 = 14,760; 1,300 × 0.3 = 390: 15,150 → 15,100.
    assert_eq!(p.parts[0].per_capita_after, yen(14_760));
    assert_eq!(p.parts[1].per_capita_after, yen(390));
    assert_eq!(p.total, yen(15_100));
    let lines: Vec<String> = p.parts.iter().flat_map(KoukiPartLine::explain_ja).collect();
    assert_eq!(lines[0], "医療分 均等割額 49,200円 → 7割軽減後 14,760円");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("子ども・子育て支援金分"))
    );
    assert_eq!(p.to_string(), "令和8年度 保険料 15,100円 (12か月)");
    // The 令和7年度 table has no such part.
    assert_eq!(premium(&kouki_2025(), vec![elder()]).parts.len(), 1);
}

#[test]
fn every_insured_member_gets_a_premium_in_order() {
    let t = kouki_2025();
    let h = household(vec![
        other(d(1975, 1, 1)).head().total(3_000_000),
        elder().total(1_000_000),
        insured(d(1947, 2, 2)),
    ]);
    let all = kouki_premium(&t, &h).expect("computes");
    assert_eq!(all.iter().map(|p| p.member).collect::<Vec<_>>(), vec![1, 2]);
    assert!(all[0].total > all[1].total);
    assert_eq!(
        kouki_premium(&kokuho_2025(), &h),
        Err(RulesError::WrongScheme)
    );
}

fn arb_member() -> impl Strategy<Value = Member> {
    (
        any::<bool>(),
        0i64..12_000_000,
        0i64..3_000_000,
        0i64..2_500_000,
        0i64..1_000_000,
    )
        .prop_map(
            |(is_insured, total, pension_amount, pension, salary)| Member {
                insured: is_insured,
                birth: d(1945, 6, 6),
                total_income: yen(total),
                pension_income_amount: yen(pension_amount.min(total)),
                pension_income: yen(pension),
                salary_income: yen(salary),
                ..Member::default()
            },
        )
}

proptest! {
    /// Raising one member's 総所得金額等 never lowers anybody's premium (軽減 can only shrink, 所得割 only grow).
    #[test]
    fn premium_never_decreases_when_income_rises(
        mut members in proptest::collection::vec(arb_member(), 1..4),
        who in 0usize..4,
        raise in 1i64..3_000_000,
        head_first in any::<bool>(),
    ) {
        members[0].insured = true;
        members[0].head = head_first;
        let t = kouki_2026();
        let before = kouki_premium(&t, &household(members.clone())).expect("computes");
        let i = who % members.len();
        members[i].total_income = yen(members[i].total_income.get() + raise);
        let after = kouki_premium(&t, &household(members)).expect("computes");
        for (b, a) in before.iter().zip(after.iter()) {
            prop_assert!(a.total >= b.total, "{} < {}", a.total, b.total);
        }
    }
}

#[test]
fn child_support_part_cap_plus_minus_one_yen() {
    let t = kouki_2026();
    let p = t.part(Part::Child).expect("令和8年度 has the part");
    let ppm = i64::from(p.income_rate.ppm());
    for delta in [-1i64, 0, 1] {
        let income = p.cap.get() - p.per_capita.get() + delta;
        let base = (income * 1_000_000 + ppm - 1) / ppm;
        let prem = premium(&t, vec![elder().total(base + 430_000)]);
        let line = prem
            .parts
            .iter()
            .find(|l| l.part == Part::Child)
            .expect("line");
        assert_eq!(
            line.per_capita_after.get() + line.income_part.get(),
            p.cap.get() + delta
        );
        assert_eq!(line.annual.get(), p.cap.get() + delta.min(0));
    }
}
