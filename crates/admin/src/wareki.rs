//! `madoguchi-admin wareki VALUE`: 西暦 → 和暦, 和暦 → 西暦.

use madoguchi_domain::wareki::{DateForm, WarekiDate, parse_date};

use crate::Outcome;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// 「1951-12-01」 becomes 「昭和26年12月1日」; 「昭和26年12月1日」, 「S26.12.1」, 「3261201」 become 「1951-12-01」.
    value: String,
}

pub(crate) fn run(args: &Args) -> Outcome {
    match parse_date(&args.value) {
        Ok((date, DateForm::Gregorian)) => match WarekiDate::from_date(date) {
            Ok(w) => Outcome::Ok(w.to_string()),
            Err(e) => Outcome::refused(&e),
        },
        Ok((date, DateForm::Wareki)) => Outcome::Ok(date.format("%Y-%m-%d").to_string()),
        Err(e) => Outcome::refused(&e),
    }
}
