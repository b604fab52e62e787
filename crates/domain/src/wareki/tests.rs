use super::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("valid test date")
}

#[test]
fn every_era_boundary_in_both_directions() {
    // (last day of the old era, its 和暦, first day of the new era, its 和暦)
    let table = [
        (
            d(1912, 7, 29),
            "明治45年7月29日",
            d(1912, 7, 30),
            "大正元年7月30日",
        ),
        (
            d(1926, 12, 24),
            "大正15年12月24日",
            d(1926, 12, 25),
            "昭和元年12月25日",
        ),
        (
            d(1989, 1, 7),
            "昭和64年1月7日",
            d(1989, 1, 8),
            "平成元年1月8日",
        ),
        (
            d(2019, 4, 30),
            "平成31年4月30日",
            d(2019, 5, 1),
            "令和元年5月1日",
        ),
    ];
    for (last, last_w, first, first_w) in table {
        assert_eq!(
            WarekiDate::from_date(last).expect("last").to_string(),
            last_w
        );
        assert_eq!(
            WarekiDate::from_date(first).expect("first").to_string(),
            first_w
        );
        assert_eq!(parse_wareki(last_w).expect(last_w).date(), last);
        assert_eq!(parse_wareki(first_w).expect(first_w).date(), first);
    }
}

#[test]
fn impossible_dates_say_why() {
    let cases: [(&str, WarekiError); 9] = [
        (
            "平成31年5月1日",
            WarekiError::AfterEraEnd {
                era: Era::Heisei,
                last: d(2019, 4, 30),
            },
        ),
        (
            "昭和64年1月8日",
            WarekiError::AfterEraEnd {
                era: Era::Showa,
                last: d(1989, 1, 7),
            },
        ),
        (
            "大正15年12月25日",
            WarekiError::AfterEraEnd {
                era: Era::Taisho,
                last: d(1926, 12, 24),
            },
        ),
        (
            "明治45年7月30日",
            WarekiError::AfterEraEnd {
                era: Era::Meiji,
                last: d(1912, 7, 29),
            },
        ),
        (
            "令和元年4月30日",
            WarekiError::BeforeEraStart {
                era: Era::Reiwa,
                first: d(2019, 5, 1),
            },
        ),
        (
            "平成元年1月7日",
            WarekiError::BeforeEraStart {
                era: Era::Heisei,
                first: d(1989, 1, 8),
            },
        ),
        (
            "昭和元年12月24日",
            WarekiError::BeforeEraStart {
                era: Era::Showa,
                first: d(1926, 12, 25),
            },
        ),
        (
            "昭和26年2月30日",
            WarekiError::DayOutOfRange {
                month: 2,
                max_day: 28,
            },
        ),
        (
            "昭和26年13月1日",
            WarekiError::MonthOutOfRange { month: 13 },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_wareki(input), Err(expected), "{input}");
    }
    assert_eq!(
        parse_wareki("平成4年2月29日").map(|w| w.date()),
        Ok(d(1992, 2, 29))
    );
    assert_eq!(
        parse_wareki("平成5年2月29日"),
        Err(WarekiError::DayOutOfRange {
            month: 2,
            max_day: 28
        })
    );
    assert_eq!(parse_wareki("昭和0年1月1日"), Err(WarekiError::YearZero));
    assert_eq!(
        parse_wareki("明治5年12月1日"),
        Err(WarekiError::BeforeCalendarReform)
    );
    assert_eq!(parse_wareki("X26.12.1"), Err(WarekiError::UnknownEra));
    assert_eq!(parse_wareki("6261201"), Err(WarekiError::UnknownEra));
    assert_eq!(parse_wareki(""), Err(WarekiError::Empty));
    for malformed in [
        "昭和26年12月",
        "S26-12",
        "S26.12.1.",
        "昭和年12月1日",
        "S2612.1",
        "S26.123.1",
    ] {
        assert_eq!(
            parse_wareki(malformed),
            Err(WarekiError::Malformed),
            "{malformed}"
        );
    }
}

#[test]
fn staff_messages_explain_the_boundary() {
    let e = parse_wareki("平成31年5月1日").expect_err("after end");
    assert_eq!(
        e.message_ja(),
        "平成は平成31年4月30日までです。翌日からは令和です。"
    );
    let e = parse_wareki("令和元年4月30日").expect_err("before start");
    assert_eq!(
        e.message_ja(),
        "令和は令和元年5月1日からです。それより前は平成です。"
    );
    let e = parse_wareki("昭和64年1月8日").expect_err("after end");
    assert_eq!(
        e.message_ja(),
        "昭和は昭和64年1月7日までです。翌日からは平成です。"
    );
    let e = parse_wareki("S26.2.30").expect_err("no such day");
    assert_eq!(e.message_ja(), "2月は28日までです。日を確認してください。");
}

#[test]
fn accepted_forms() {
    let showa = d(1951, 12, 1);
    for input in [
        "昭和26年12月1日",
        "昭和２６年１２月１日",
        "昭和 26年 12月 1日",
        "昭26.12.1",
        "S26.12.1",
        "s26.12.01",
        "Ｓ２６．１２．１",
        "S26/12/1",
        "S26-12-1",
        "㍼26年12月1日",
        "3261201",
        "３２６１２０１",
    ] {
        assert_eq!(parse_wareki(input).map(|w| w.date()), Ok(showa), "{input}");
    }
    assert_eq!(
        parse_wareki("令和元年5月1日").map(|w| w.date()),
        Ok(d(2019, 5, 1))
    );
    assert_eq!(parse_wareki("R元.5.1").map(|w| w.date()), Ok(d(2019, 5, 1)));
    assert_eq!(
        parse_wareki("R8.11.21").map(|w| w.date()),
        Ok(d(2026, 11, 21))
    );
    assert_eq!(parse_wareki("2150101").map(|w| w.date()), Ok(d(1926, 1, 1)));
    assert_eq!(
        parse_wareki("1450729").map(|w| w.date()),
        Ok(d(1912, 7, 29))
    );
}

#[test]
fn gregorian_and_mixed_input() {
    let day = d(1951, 12, 1);
    for input in [
        "1951-12-01",
        "1951/12/1",
        "1951.12.1",
        "1951年12月1日",
        "19511201",
        "１９５１－１２－０１",
    ] {
        assert_eq!(parse_date(input), Ok((day, DateForm::Gregorian)), "{input}");
    }
    assert_eq!(parse_date("S26.12.1"), Ok((day, DateForm::Wareki)));
    assert_eq!(parse_date("3261201"), Ok((day, DateForm::Wareki)));
    assert_eq!(
        parse_date("2023-02-29"),
        Err(WarekiError::DayOutOfRange {
            month: 2,
            max_day: 28
        })
    );
    assert_eq!(
        parse_date("1872-12-31"),
        Err(WarekiError::BeforeCalendarReform)
    );
    assert_eq!(parse_date("195-12-01"), Err(WarekiError::Malformed));
}

#[test]
fn formatting() {
    let w = WarekiDate::from_date(d(2019, 5, 1)).expect("令和");
    assert_eq!(w.to_string(), "令和元年5月1日");
    assert_eq!(w.short(), "R1.5.1");
    assert_eq!(w.code7().as_deref(), Some("5010501"));
    assert_eq!(w.year_month(), "令和元年5月");
    let s = WarekiDate::from_date(d(1951, 12, 1)).expect("昭和");
    assert_eq!(s.code7().as_deref(), Some("3261201"));
    assert_eq!(s.short(), "S26.12.1");
    assert_eq!(
        WarekiDate::from_date(d(1872, 12, 31)),
        Err(WarekiError::BeforeCalendarReform)
    );
}

#[test]
fn eras_know_their_neighbours() {
    assert_eq!(Era::Showa.next(), Some(Era::Heisei));
    assert_eq!(Era::Showa.previous(), Some(Era::Taisho));
    assert_eq!(Era::Meiji.previous(), None);
    assert_eq!(Era::Reiwa.last_day(), None);
    assert_eq!(Era::Heisei.last_day(), Some(d(2019, 4, 30)));
    for e in Era::ALL {
        assert_eq!(Era::from_code(e.code()), Some(e));
        assert_eq!(Era::of(e.first_day()), Ok(e));
    }
}
