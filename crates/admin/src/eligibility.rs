//! `madoguchi-admin eligibility --scheme kouki --birth … --on …`: one JSON object on stdout.

use clap::ValueEnum;
use madoguchi_domain::Date;
use madoguchi_domain::eligibility::{KoukiFacts, evaluate_kouki};
use madoguchi_domain::wareki::{WarekiError, parse_date};

use crate::Outcome;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// 制度. Only 後期高齢者医療 (`kouki`) has eligibility rules so far.
    #[arg(long)]
    scheme: Scheme,
    /// 生年月日 (YYYY-MM-DD or 和暦).
    #[arg(long)]
    birth: String,
    /// 判定日.
    #[arg(long)]
    on: String,
    /// 障害認定日.
    #[arg(long)]
    disability_certified: Option<String>,
    /// 生活保護受給中 (適用除外).
    #[arg(long)]
    welfare: bool,
    /// 転入日 (from another prefecture).
    #[arg(long)]
    moved_in: Option<String>,
    /// 転出日 (to another prefecture).
    #[arg(long)]
    moved_out: Option<String>,
    /// 死亡日.
    #[arg(long)]
    died: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Scheme {
    /// 後期高齢者医療.
    Kouki,
}

fn date(field_ja: &str, s: &str) -> Result<Date, Outcome> {
    parse_date(s).map(|(d, _)| d).map_err(|e: WarekiError| {
        let mut o = Outcome::refused(&e);
        if let Outcome::Refused { ja, en } = &mut o {
            *ja = format!("{field_ja}: {ja}");
            *en = format!("{field_ja}: {en}");
        }
        o
    })
}

fn opt_date(field_ja: &str, s: &Option<String>) -> Result<Option<Date>, Outcome> {
    s.as_deref().map(|v| date(field_ja, v)).transpose()
}

pub(crate) fn run(args: &Args) -> Outcome {
    match decide(args) {
        Ok(o) | Err(o) => o,
    }
}

fn decide(args: &Args) -> Result<Outcome, Outcome> {
    let Scheme::Kouki = args.scheme;
    let facts = KoukiFacts {
        birth: Some(date("生年月日", &args.birth)?),
        disability_certified: opt_date("障害認定日", &args.disability_certified)?,
        on_welfare: args.welfare,
        moved_in: opt_date("転入日", &args.moved_in)?,
        moved_out: opt_date("転出日", &args.moved_out)?,
        died: opt_date("死亡日", &args.died)?,
    };
    let on = date("判定日", &args.on)?;
    let e = evaluate_kouki(&facts, on).map_err(|e| Outcome::refused(&e))?;
    let json = serde_json::json!({
        "eligible": e.eligible,
        "acquisition_date": e.acquisition_date.map(|d| d.format("%Y-%m-%d").to_string()),
        "reason": e.reason.code(),
        "reason_ja": e.reason.label_ja(),
        "loss_date": e.loss_date.map(|d| d.format("%Y-%m-%d").to_string()),
        "expected_acquisition_date": e.expected_acquisition_date.map(|d| d.format("%Y-%m-%d").to_string()),
    });
    Ok(Outcome::Ok(json.to_string()))
}
