use super::*;

#[test]
fn my_number_check_digit_table() {
    // Valid numbers computed by hand from the rule (see the type's docs).
    for ok in [
        "123456789018",             // remainder 3 → 8
        "000000000000",             // remainder 0 → 0
        "000000000060",             // remainder 1 → 0 (not 11 − 1 = 10)
        "0000 0000 0060",           // spaces between groups
        "１２３４５６７８９０１８", // full-width
        "1234-5678-9018",
    ] {
        assert!(MyNumber::parse(ok).is_ok(), "should accept {ok}");
    }
    for (bad, kind) in [
        ("123456789012", "check"),
        ("123456789017", "check"),
        ("000000000061", "check"),
        ("12345678901", "length"),
        ("1234567890180", "length"),
        ("12345678901a", "digits"),
        ("", "empty"),
        ("   ", "empty"),
    ] {
        let err = MyNumber::parse(bad).expect_err(bad);
        let matches = match kind {
            "check" => matches!(err, IdError::CheckDigit { .. }),
            "length" => matches!(err, IdError::WrongLength { .. }),
            "digits" => matches!(err, IdError::NotDigits { .. }),
            _ => matches!(err, IdError::Empty { .. }),
        };
        assert!(matches, "{bad}: {err:?}");
    }
}

#[test]
fn my_number_never_shows_itself() {
    let n = MyNumber::parse("123456789018").expect("valid");
    assert_eq!(format!("{n:?}"), "MyNumber(<redacted>)");
    assert_eq!(n.to_string(), "<redacted>");
    assert_eq!(n.reveal(), "123456789018");
    let err = MyNumber::parse("123456789012").expect_err("bad check digit");
    assert!(!err.to_string().contains("123456789012"));
    assert!(!err.message_ja().contains("123456789012"));
    assert_eq!(
        err.message_ja(),
        "個人番号の検査用数字が一致しません。番号を確認してください。"
    );
}

#[test]
fn my_number_from_eleven_digits_is_valid() {
    let n = MyNumber::from_eleven_digits([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]).expect("digits");
    assert_eq!(n.reveal(), "123456789018");
    assert!(MyNumber::from_eleven_digits([10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
}

#[test]
fn insurer_number_table() {
    // 呉市 (domain-anchors §1.4) and the worked example of the 保険者番号設定要領.
    let kure = InsurerNumber::parse("39342027").expect("呉市");
    assert!(kure.is_kouki());
    assert_eq!(kure.law_code(), Some(LawCode::KOUKI));
    assert_eq!(kure.prefecture().name_ja(), "広島県");
    let example = InsurerNumber::parse("33120015").expect("worked example");
    assert!(!example.is_kouki());
    assert_eq!(example.law_code().map(LawCode::get), Some(33));
    // 6-digit 市町村国保 (新宿区 131045).
    let nhi = InsurerNumber::parse("131045").expect("国保");
    assert!(nhi.is_municipal_nhi());
    assert_eq!(nhi.law_code(), None);
    assert_eq!(nhi.prefecture().name_ja(), "東京都");
    // Full-width input.
    assert_eq!(
        InsurerNumber::parse("３９３４２０２７").expect("full width"),
        kure
    );

    for bad in ["39342026", "39342028", "33120016", "131046"] {
        assert!(
            matches!(InsurerNumber::parse(bad), Err(IdError::CheckDigit { .. })),
            "{bad}"
        );
    }
    // Valid check digit, but prefecture 48 does not exist.
    assert!(matches!(
        InsurerNumber::parse("39482005"),
        Err(IdError::UnknownPrefecture { .. })
    ));
    assert!(matches!(
        InsurerNumber::parse("3934202"),
        Err(IdError::WrongLength { found: 7, .. })
    ));
}

#[test]
fn insurer_number_built_for_a_prefecture() {
    let niigata = PrefectureCode::new(15).expect("新潟県");
    let n = InsurerNumber::kouki(niigata, 201).expect("valid parts");
    assert!(n.as_str().starts_with("3915201"));
    assert_eq!(InsurerNumber::parse(n.as_str()).expect("round trip"), n);
    assert!(InsurerNumber::kouki(niigata, 1000).is_err());
}

#[test]
fn municipality_code_table() {
    for (code, pref) in [
        ("151009", "新潟県"), // 新潟市: remainder 2 → 9
        ("152021", "新潟県"), // 長岡市: remainder 10 → 1
        ("152111", "新潟県"), // 見附市: remainder 0 → 11 → 1
        ("131016", "東京都"), // 千代田区
        ("011002", "北海道"), // 札幌市
        ("101010", "群馬県"), // synthetic: remainder 1 → 10 → 0
    ] {
        let m = MunicipalityCode::parse(code).expect(code);
        assert_eq!(m.prefecture().name_ja(), pref);
        assert_eq!(m.as_str(), code);
    }
    for bad in ["151008", "152022", "152110", "131015"] {
        assert!(
            matches!(
                MunicipalityCode::parse(bad),
                Err(IdError::CheckDigit { .. })
            ),
            "{bad}"
        );
    }
    // 48xxxx with a correct check digit: no such prefecture.
    let body = [4u8, 8, 1, 0, 0];
    let code = format!("48100{}", MunicipalityCode::check_digit(&body));
    assert!(matches!(
        MunicipalityCode::parse(&code),
        Err(IdError::UnknownPrefecture { .. })
    ));
    assert_eq!(
        MunicipalityCode::from_five_digits("15202")
            .expect("長岡")
            .as_str(),
        "152021"
    );
}

#[test]
fn local_numbers_are_unique_only_with_their_municipality() {
    let nagaoka = MunicipalityCode::parse("152021").expect("長岡市");
    let mitsuke = MunicipalityCode::parse("152111").expect("見附市");
    let a = AddresseeNumber::parse("0000012345").expect("宛名番号");
    let k1 = ResidentKey::new(nagaoka, a.clone());
    let k2 = ResidentKey::new(mitsuke, a);
    assert_ne!(k1, k2);
    assert!(format!("{k1:?}").contains("<redacted>"));
    assert!(!format!("{k1:?}").contains("12345"));
    assert!(AddresseeNumber::parse("1234567890123456").is_err());
    assert!(HouseholdNumber::parse("").is_err());
}

#[test]
fn insured_number_is_eight_digits() {
    let n = InsuredNumber::parse("1234 5678").expect("8 digits");
    assert_eq!(n.as_str(), "12345678");
    assert_eq!(format!("{n:?}"), "InsuredNumber(<redacted>)");
    assert!(InsuredNumber::parse("1234567").is_err());
    assert_eq!(
        InsuredNumber::from_serial(42).expect("small").as_str(),
        "00000042"
    );
    assert!(InsuredNumber::from_serial(100_000_000).is_err());
}

#[test]
fn serde_validates_and_never_echoes_the_value() {
    let n: MunicipalityCode = serde_json::from_str("\"152021\"").expect("valid");
    assert_eq!(serde_json::to_string(&n).expect("ser"), "\"152021\"");
    let err = serde_json::from_str::<MyNumber>("\"123456789012\"").expect_err("bad check digit");
    assert!(!err.to_string().contains("123456789012"));
}

#[test]
fn japanese_messages_name_the_field() {
    let e = InsuredNumber::parse("123").expect_err("short");
    assert_eq!(
        e.message_ja(),
        "被保険者番号は8桁の数字です（入力は3桁です）。"
    );
    let e = InsurerNumber::parse("12345").expect_err("short");
    assert_eq!(
        e.message_ja(),
        "保険者番号は6桁または8桁の数字です（入力は5桁です）。"
    );
    let e = MunicipalityCode::parse("15202x").expect_err("letter");
    assert_eq!(
        e.message_ja(),
        "市区町村コードには数字だけを入力してください。"
    );
}
