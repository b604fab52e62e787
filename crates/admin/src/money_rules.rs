//! `madoguchi-admin burden-ratio` and `premium`: the money rules (`madoguchi-rules`) on a household file.
//!
//! JSON in (`{"members":[…]}`, yen integers), plain lines out. Bad input ends with a Japanese message and exit 1;
//! messages name the field, never a value from the file (incomes are personal data).

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use madoguchi_domain::Date;
use madoguchi_domain::wareki::parse_date;
use madoguchi_rules::{
    FiscalYear, Household, RateTable, Scheme, kokuho_burden, kokuho_levy, kouki_burden,
    kouki_limit_category, kouki_premium,
};

use crate::Outcome;

/// The training tables shipped in `assets/rates/`, used by `burden-ratio` when no `--rates` is given.
const TRAINING_TABLES: [(&str, &str); 4] = [
    (
        "kouki-training-2025.toml",
        include_str!("../../../assets/rates/kouki-training-2025.toml"),
    ),
    (
        "kouki-training-2026.toml",
        include_str!("../../../assets/rates/kouki-training-2026.toml"),
    ),
    (
        "kokuho-training-2025.toml",
        include_str!("../../../assets/rates/kokuho-training-2025.toml"),
    ),
    (
        "kokuho-training-2026.json",
        include_str!("../../../assets/rates/kokuho-training-2026.json"),
    ),
];

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SchemeArg {
    /// 後期高齢者医療.
    Kouki,
    /// 国民健康保険.
    Kokuho,
}

impl SchemeArg {
    fn scheme(self) -> Scheme {
        match self {
            SchemeArg::Kouki => Scheme::Kouki,
            SchemeArg::Kokuho => Scheme::Kokuho,
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct BurdenArgs {
    /// 制度.
    #[arg(long)]
    scheme: SchemeArg,
    /// 判定日 (YYYY-MM-DD or 和暦), e.g. the 8/1 of the reassessment.
    #[arg(long)]
    on: String,
    /// The household JSON file.
    #[arg(long)]
    household: PathBuf,
    /// 料率表 (TOML or JSON). Default: the shipped training table of the scheme for the 年度 of `--on`.
    #[arg(long)]
    rates: Option<PathBuf>,
    /// Add the reason (and for 後期 the 限度区分) after a tab.
    #[arg(long)]
    explain: bool,
}

#[derive(clap::Args)]
pub(crate) struct PremiumArgs {
    /// 制度.
    #[arg(long)]
    scheme: SchemeArg,
    /// 料率表 (TOML or JSON, schema in crates/rules/README.md).
    #[arg(long)]
    rates: PathBuf,
    /// The household JSON file.
    #[arg(long)]
    household: PathBuf,
    /// One line per part (indented) after each amount.
    #[arg(long)]
    explain: bool,
}

fn refused(ja: impl Into<String>, en: impl Into<String>) -> Outcome {
    Outcome::Refused {
        ja: ja.into(),
        en: en.into(),
    }
}

fn read(path: &Path, what_ja: &str, what_en: &str) -> Result<String, Outcome> {
    std::fs::read_to_string(path).map_err(|e| {
        refused(
            format!("{what_ja}を読めません({})。", path.display()),
            format!("cannot read the {what_en} {}: {e}", path.display()),
        )
    })
}

fn household(path: &Path) -> Result<Household, Outcome> {
    let text = read(path, "世帯ファイル", "household file")?;
    // serde_json's message can quote the value it choked on: only its category and position are shown.
    Household::from_json(&text).map_err(|e| {
        refused(
            format!(
                "世帯ファイルの内容が正しくありません({}行目{}文字目)。項目名と値(金額は円の整数、日付はYYYY-MM-DD)を確認してください。",
                e.line(),
                e.column()
            ),
            format!(
                "the household file is not valid ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })
}

fn table_from(path: &Path) -> Result<RateTable, Outcome> {
    let text = read(path, "料率表", "rate table")?;
    RateTable::parse(&path.to_string_lossy(), &text).map_err(|e| Outcome::refused(&e))
}

fn training_table(scheme: Scheme, year: FiscalYear) -> Result<RateTable, Outcome> {
    for (name, text) in TRAINING_TABLES {
        let t = RateTable::parse(name, text).map_err(|e| Outcome::refused(&e))?;
        if t.scheme == scheme && t.fiscal_year == year {
            return Ok(t);
        }
    }
    Err(refused(
        format!(
            "{year}の{}の料率表が同梱されていません。--rates で指定してください。",
            scheme.name_ja()
        ),
        format!(
            "no shipped rate table for fiscal year {}; pass --rates",
            year.start_year()
        ),
    ))
}

fn day(s: &str) -> Result<Date, Outcome> {
    parse_date(s).map(|(d, _)| d).map_err(|e| {
        let mut o = Outcome::refused(&e);
        if let Outcome::Refused { ja, en } = &mut o {
            *ja = format!("判定日: {ja}");
            *en = format!("--on: {en}");
        }
        o
    })
}

pub(crate) fn run_burden(args: &BurdenArgs) -> Outcome {
    match burden(args) {
        Ok(o) | Err(o) => o,
    }
}

fn burden(args: &BurdenArgs) -> Result<Outcome, Outcome> {
    let on = day(&args.on)?;
    let scheme = args.scheme.scheme();
    let table = match &args.rates {
        Some(p) => table_from(p)?,
        None => training_table(scheme, FiscalYear::of(on))?,
    };
    table
        .check_for(scheme, FiscalYear::of(on))
        .map_err(|e| Outcome::refused(&e))?;
    let h = household(&args.household)?;
    let decisions = match scheme {
        Scheme::Kouki => kouki_burden(&table, &h, on),
        Scheme::Kokuho => kokuho_burden(&table, &h, on),
    }
    .map_err(|e| Outcome::refused(&e))?;
    let mut lines = Vec::new();
    for d in decisions.into_iter().flatten() {
        if !args.explain {
            lines.push(d.ratio.label_ja().to_owned());
            continue;
        }
        let limit = if scheme == Scheme::Kouki {
            let l = kouki_limit_category(&table, &h, d.ratio).map_err(|e| Outcome::refused(&e))?;
            format!("\t限度区分 {}({})", l.category.label_ja(), l.reason)
        } else {
            String::new()
        };
        lines.push(format!("{}\t{}{limit}", d.ratio.label_ja(), d.reason));
    }
    Ok(Outcome::Ok(lines.join("\n")))
}

pub(crate) fn run_premium(args: &PremiumArgs) -> Outcome {
    match premium(args) {
        Ok(o) | Err(o) => o,
    }
}

fn premium(args: &PremiumArgs) -> Result<Outcome, Outcome> {
    let table = table_from(&args.rates)?;
    let scheme = args.scheme.scheme();
    if table.scheme != scheme {
        return Err(Outcome::refused(&madoguchi_rules::RulesError::WrongScheme));
    }
    let h = household(&args.household)?;
    let mut lines = Vec::new();
    match scheme {
        Scheme::Kouki => {
            for p in kouki_premium(&table, &h).map_err(|e| Outcome::refused(&e))? {
                lines.push(format!("{}円", p.total.get()));
                if args.explain {
                    lines.push(format!("  {}", p.reduction));
                    for part in &p.parts {
                        lines.extend(part.explain_ja().into_iter().map(|l| format!("  {l}")));
                    }
                    lines.push(format!("  {}月分、100円未満切り捨て", p.months));
                }
            }
        }
        Scheme::Kokuho => {
            let l = kokuho_levy(&table, &h).map_err(|e| Outcome::refused(&e))?;
            lines.push(format!("{}円", l.total.get()));
            if args.explain {
                lines.push(format!("  {}", l.reduction));
                for part in &l.parts {
                    lines.extend(
                        part.explain_ja(l.reduction.rate())
                            .into_iter()
                            .map(|s| format!("  {s}")),
                    );
                }
                lines.push(format!(
                    "  {} {}月分、100円未満切り捨て",
                    l.levy_label, l.months
                ));
            }
        }
    }
    Ok(Outcome::Ok(lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_table_parses() {
        for (name, text) in TRAINING_TABLES {
            assert!(RateTable::parse(name, text).is_ok(), "{name}");
        }
    }
}
