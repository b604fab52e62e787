//! 負担割合 and 限度区分 at every threshold of issue 17 (28万円, 145万円, 200/320万円, 383/520万円, 210万円,
//! 70th birthday on the 1st and the 2nd of a month).

use super::*;
use crate::testing::*;

const ON: (i32, u32, u32) = (2026, 8, 1);

fn on() -> Date {
    d(ON.0, ON.1, ON.2)
}

fn elder() -> Member {
    insured(d(1949, 5, 1))
}

fn kouki_ratio(members: Vec<Member>) -> BurdenDecision {
    let t = kouki_2026();
    let out = kouki_burden(&t, &household(members), on()).expect("decides");
    out.into_iter().flatten().next().expect("an insured member")
}

#[test]
fn kouki_single_insured_thresholds() {
    use BurdenRatio::*;
    // (taxable, gross, pension, other, expected)
    let cases = [
        (279_999, 2_600_000, 2_500_000, 0, One),
        (280_000, 2_100_000, 1_999_999, 0, One),
        (280_000, 2_100_000, 1_900_000, 99_999, One),
        (280_000, 2_100_000, 1_900_000, 100_000, Two),
        (280_000, 2_100_000, 2_000_000, 0, Two),
        (1_449_999, 4_000_000, 3_000_000, 0, Two),
        (1_450_000, 3_829_999, 3_000_000, 0, Two),
        (1_450_000, 3_830_000, 3_000_000, 0, Three),
        (1_450_000, 3_830_000, 1_000_000, 0, Three),
    ];
    for (taxable, gross, pension, other, expect) in cases {
        let m = elder()
            .taxable(taxable)
            .gross(gross)
            .pension(pension)
            .other_inc(other);
        let got = kouki_ratio(vec![m]);
        assert_eq!(
            got.ratio, expect,
            "{taxable} {gross} {pension} {other}: {}",
            got.reason
        );
    }
}

#[test]
fn kouki_two_insured_thresholds() {
    use BurdenRatio::*;
    // (taxable of the first, pension of each, gross of each, expected)
    let cases = [
        (280_000, 1_599_999, 1_700_000, One),     // 3,199,998 < 320万円
        (280_000, 1_600_000, 1_700_000, Two),     // 3,200,000
        (1_450_000, 1_600_000, 2_599_999, Two),   // 収入 5,199,998 < 520万円
        (1_450_000, 1_600_000, 2_600_000, Three), // 5,200,000
    ];
    for (taxable, pension, gross, expect) in cases {
        let a = elder().taxable(taxable).pension(pension).gross(gross);
        let b = insured(d(1948, 1, 10)).pension(pension).gross(gross);
        let out = kouki_burden(&kouki_2026(), &household(vec![a, b]), on()).expect("decides");
        assert_eq!(out.len(), 2);
        for dec in out.iter().flatten() {
            assert_eq!(
                dec.ratio, expect,
                "{taxable} {pension} {gross}: {}",
                dec.reason
            );
        }
    }
}

#[test]
fn kouki_lone_insured_with_a_70_to_74_member_uses_520() {
    let a = elder()
        .taxable(1_450_000)
        .gross(4_000_000)
        .pension(3_000_000);
    // 72 on the day: not in 後期, joins the 520万円 test.
    let young = |gross| other(d(1954, 1, 1)).gross(gross);
    let got = kouki_ratio(vec![a.clone(), young(1_199_999)]);
    assert_eq!(got.ratio, BurdenRatio::Two, "{}", got.reason);
    let got = kouki_ratio(vec![a.clone(), young(1_200_000)]);
    assert_eq!(got.ratio, BurdenRatio::Three);
    assert_eq!(
        got.reason.to_string(),
        "世帯の被保険者の課税所得が145万円以上で、収入の合計が520万円以上のため3割"
    );
    // A 69-year-old is not counted: the lone insured's 383万円 test fails.
    let got = kouki_ratio(vec![a, other(d(1957, 1, 1)).gross(0)]);
    assert_eq!(got.ratio, BurdenRatio::Three);
}

#[test]
fn kouki_kyu_tadashigaki_210() {
    let base = elder()
        .taxable(1_450_000)
        .gross(4_000_000)
        .pension(2_500_000);
    let mut m = base.clone();
    m.kyu_tadashigaki_income = Some(yen(2_100_000));
    let got = kouki_ratio(vec![m]);
    assert_eq!(got.ratio, BurdenRatio::Two);
    assert!(
        got.reason
            .to_string()
            .contains("旧ただし書所得の合計が210万円以下")
    );
    let mut m = base.clone();
    m.kyu_tadashigaki_income = Some(yen(2_100_001));
    assert_eq!(kouki_ratio(vec![m]).ratio, BurdenRatio::Three);
    // Derived from 総所得金額等 − 43万円 when not given: 2,530,000 − 430,000 = 2,100,000.
    assert_eq!(
        kouki_ratio(vec![base.clone().total(2_530_000)]).ratio,
        BurdenRatio::Two
    );
    assert_eq!(
        kouki_ratio(vec![base.clone().total(2_530_001)]).ratio,
        BurdenRatio::Three
    );
    // Unknown (no 総所得金額等): the exception is not applied.
    assert_eq!(kouki_ratio(vec![base]).ratio, BurdenRatio::Three);
}

#[test]
fn kouki_reasons_read_aloud() {
    let got = kouki_ratio(vec![
        elder()
            .taxable(300_000)
            .pension(1_900_000)
            .other_inc(150_000),
    ]);
    assert_eq!(
        got.reason.to_string(),
        "世帯の被保険者の課税所得が28万円以上で、年金収入とその他の合計所得金額の合計が200万円以上のため2割"
    );
    let got = kouki_ratio(vec![elder().taxable(0).pension(1_000_000)]);
    assert_eq!(
        got.reason.to_string(),
        "世帯の被保険者に課税所得が28万円以上の方がいないため1割"
    );
    let got = kouki_ratio(vec![
        elder()
            .taxable(1_500_000)
            .gross(3_000_000)
            .pension(2_500_000),
    ]);
    assert_eq!(
        got.reason.to_string(),
        "世帯の被保険者の課税所得が28万円以上で、年金収入とその他の合計所得金額の合計が200万円以上のため2割\
         (課税所得が145万円以上の方がいますが、収入が383万円未満のため3割ではありません)"
    );
}

#[test]
fn kouki_only_insured_members_get_a_line_and_bad_input_is_refused() {
    let t = kouki_2026();
    let h = household(vec![other(d(1960, 1, 1)).head(), elder()]);
    let out = kouki_burden(&t, &h, on()).expect("decides");
    assert!(out[0].is_none());
    assert!(out[1].is_some());
    let h = household(vec![other(d(1960, 1, 1))]);
    assert_eq!(kouki_burden(&t, &h, on()), Err(RulesError::NoInsured));
    let h = household(vec![elder().taxable(-1)]);
    assert!(matches!(
        kouki_burden(&t, &h, on()),
        Err(RulesError::InvalidMember {
            index: 1,
            field: "taxable_income",
            ..
        })
    ));
    let h = household(vec![insured(d(2027, 1, 1))]);
    assert!(matches!(
        kouki_burden(&t, &h, on()),
        Err(RulesError::InvalidMember { field: "birth", .. })
    ));
    assert_eq!(
        kouki_burden(&kokuho_2026(), &household(vec![elder()]), on()),
        Err(RulesError::WrongScheme)
    );
}

fn kokuho_ratio(members: Vec<Member>, day: Date, which: usize) -> BurdenDecision {
    let out = kokuho_burden(&kokuho_2026(), &household(members), day).expect("decides");
    out[which].clone().expect("insured")
}

#[test]
fn kokuho_by_age() {
    use BurdenRatio::*;
    let cases = [
        // 未就学: until the 31 March after reaching 6.
        (d(2020, 4, 2), d(2027, 3, 31), Two),
        (d(2020, 4, 2), d(2027, 4, 1), Three),
        (d(2020, 4, 1), d(2026, 3, 31), Two),
        (d(2020, 4, 1), d(2026, 4, 1), Three),
        (d(1980, 1, 1), on(), Three),
        // 70th birthday on the 1st: the 高齢受給者証 applies from that very month.
        (d(1956, 6, 1), d(2026, 5, 31), Three),
        (d(1956, 6, 1), d(2026, 6, 1), Two),
        // On the 2nd: from the 1st of the next month; 70 already but still 3割 until then.
        (d(1956, 6, 2), d(2026, 6, 2), Three),
        (d(1956, 6, 2), d(2026, 6, 30), Three),
        (d(1956, 6, 2), d(2026, 7, 1), Two),
    ];
    for (birth, day, expect) in cases {
        let got = kokuho_ratio(vec![insured(birth)], day, 0);
        assert_eq!(got.ratio, expect, "{birth} on {day}: {}", got.reason);
    }
    let got = kokuho_ratio(vec![insured(d(1956, 6, 2))], d(2026, 6, 15), 0);
    assert_eq!(
        got.reason.to_string(),
        "高齢受給者証は2026年7月1日から(70歳に達した月の翌月、1日生まれはその月)のため、それまでは3割"
    );
    assert_eq!(
        kokuho_ratio(vec![insured(d(2021, 1, 1))], on(), 0)
            .reason
            .to_string(),
        "義務教育就学前のため2割"
    );
}

#[test]
fn kokuho_elderly_income_test() {
    use BurdenRatio::*;
    let e = |taxable, gross| insured(d(1954, 3, 3)).taxable(taxable).gross(gross);
    let cases = [
        (vec![e(1_449_999, 9_000_000)], Two),
        (vec![e(1_450_000, 3_829_999)], Two),
        (vec![e(1_450_000, 3_830_000)], Three),
        (vec![e(1_450_000, 3_000_000), e(0, 2_199_999)], Two),
        (vec![e(1_450_000, 3_000_000), e(0, 2_200_000)], Three),
    ];
    for (members, expect) in cases {
        let got = kokuho_ratio(members, on(), 0);
        assert_eq!(got.ratio, expect, "{}", got.reason);
    }
    assert_eq!(
        kokuho_ratio(vec![e(1_450_000, 3_829_999)], on(), 0)
            .reason
            .to_string(),
        "世帯の70歳以上の被保険者の課税所得が145万円以上ですが、収入が383万円未満のため2割"
    );
    // With a 特定同一世帯所属者 (moved to 後期): the 520万円 test.
    let mut moved = other(d(1950, 1, 1)).gross(1_199_999);
    moved.specified_same_household = true;
    let got = kokuho_ratio(vec![e(1_450_000, 4_000_000), moved.clone()], on(), 0);
    assert_eq!(got.ratio, Two, "{}", got.reason);
    moved.gross_income = yen(1_200_000);
    assert_eq!(
        kokuho_ratio(vec![e(1_450_000, 4_000_000), moved], on(), 0).ratio,
        Three
    );
    // A working-age member of a 3割 elderly household stays 3割 by age; a child stays 2割.
    let out = kokuho_burden(
        &kokuho_2026(),
        &household(vec![e(1_450_000, 3_830_000), insured(d(2022, 5, 5))]),
        on(),
    )
    .expect("decides");
    assert_eq!(out[1].as_ref().map(|b| b.ratio), Some(Two));
    assert_eq!(
        kokuho_ratio(vec![e(1_450_000, 3_830_000)], on(), 0)
            .reason
            .to_string(),
        "世帯の70歳以上の被保険者の課税所得が145万円以上で、収入が383万円以上のため3割"
    );
}

#[test]
fn kokuho_refuses_75_and_over() {
    let h = household(vec![insured(d(1950, 1, 1))]);
    assert_eq!(
        kokuho_burden(&kokuho_2026(), &h, on()),
        Err(RulesError::Kokuho75 { index: 1 })
    );
}

#[test]
fn limit_categories() {
    use LimitCategory::*;
    let t = kouki_2026();
    let geneki = |taxable| household(vec![elder().taxable(taxable).gross(9_000_000)]);
    for (taxable, expect) in [
        (6_900_000, GenekiNamiIii),
        (6_899_999, GenekiNamiIi),
        (3_800_000, GenekiNamiIi),
        (3_799_999, GenekiNamiI),
        (1_450_000, GenekiNamiI),
    ] {
        let got = kouki_limit_category(&t, &geneki(taxable), BurdenRatio::Three).expect("category");
        assert_eq!(got.category, expect, "{taxable}");
    }
    let two = household(vec![elder().taxable(300_000).pension(2_100_000)]);
    assert_eq!(
        kouki_limit_category(&t, &two, BurdenRatio::Two).map(|l| l.category),
        Ok(IppanIi)
    );
    let one_taxed = household(vec![
        elder().taxable(100_000),
        other(d(1980, 1, 1)).head().non_taxed(),
    ]);
    assert_eq!(
        kouki_limit_category(&t, &one_taxed, BurdenRatio::One).map(|l| l.category),
        Ok(IppanI)
    );
    let poor = |pension| household(vec![elder().non_taxed().pension(pension)]);
    assert_eq!(
        kouki_limit_category(&t, &poor(800_000), BurdenRatio::One).map(|l| l.category),
        Ok(KubunI)
    );
    assert_eq!(
        kouki_limit_category(&t, &poor(800_001), BurdenRatio::One).map(|l| l.category),
        Ok(KubunIi)
    );
    let got = kouki_limit_category(&t, &geneki(3_800_000), BurdenRatio::Three).expect("category");
    assert_eq!(
        got.reason.to_string(),
        "世帯の被保険者の課税所得が380万円以上690万円未満のため"
    );
}

#[test]
fn decisions_serialise_as_tagged_values_for_the_wire() {
    let got = kouki_ratio(vec![elder().taxable(300_000).pension(2_000_000)]);
    let v = serde_json::to_value(&got).expect("serialises");
    assert_eq!(v["ratio"], "2");
    assert_eq!(v["reason"]["kind"], "kouki_two");
    assert_eq!(v["reason"]["taxable_threshold"], 280_000);
    let p =
        crate::kouki::kouki_premium(&kouki_2025(), &household(vec![elder()])).expect("computes");
    let v = serde_json::to_value(&p[0]).expect("serialises");
    assert_eq!(v["parts"][0]["reduction"]["kind"], "income");
    assert_eq!(v["parts"][0]["reduction"]["rate"], "70%");
}
