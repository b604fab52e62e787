//! `madoguchi-admin check KIND VALUE`.

use clap::ValueEnum;
use madoguchi_domain::ids::{InsuredNumber, InsurerNumber, MunicipalityCode, MyNumber};

use crate::Outcome;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Which identifier.
    kind: Kind,
    /// The value as typed (full-width digits, spaces and hyphens are accepted).
    value: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// 個人番号 (12 digits with 検査用数字).
    MyNumber,
    /// 保険者番号 (8 digits with 法別番号, or 6 digits for 市町村国保).
    InsurerNumber,
    /// 地方公共団体コード (6 digits with 検査数字).
    MunicipalityCode,
    /// 被保険者番号 (8 digits).
    InsuredNumber,
}

pub(crate) fn run(args: &Args) -> Outcome {
    match args.kind {
        // The 個人番号 itself is not echoed: the operator knows what they typed, a terminal log should not.
        Kind::MyNumber => match MyNumber::parse(&args.value) {
            Ok(_) => Outcome::Ok("個人番号: 有効（12桁、検査用数字一致） / valid My Number".into()),
            Err(e) => Outcome::refused(&e),
        },
        Kind::InsurerNumber => match InsurerNumber::parse(&args.value) {
            Ok(n) => {
                let scheme = match n.law_code() {
                    Some(l) if n.is_kouki() => format!("後期高齢者医療（法別番号{:02}）", l.get()),
                    Some(l) => format!("法別番号{:02}", l.get()),
                    None => "市町村国保（6桁）".into(),
                };
                Outcome::Ok(format!(
                    "保険者番号 {}: 有効 — {scheme}、{}（都道府県番号{}）",
                    n.as_str(),
                    n.prefecture().name_ja(),
                    n.prefecture()
                ))
            }
            Err(e) => Outcome::refused(&e),
        },
        Kind::MunicipalityCode => match MunicipalityCode::parse(&args.value) {
            Ok(m) => Outcome::Ok(format!(
                "市区町村コード {}: 有効 — {}（都道府県番号{}）",
                m.as_str(),
                m.prefecture().name_ja(),
                m.prefecture()
            )),
            Err(e) => Outcome::refused(&e),
        },
        Kind::InsuredNumber => match InsuredNumber::parse(&args.value) {
            Ok(_) => Outcome::Ok("被保険者番号: 有効（8桁） / valid insured number".into()),
            Err(e) => Outcome::refused(&e),
        },
    }
}
