//! # madoguchi-rules — the money rules of 後期高齢者医療 and 国民健康保険
//!
//! Decides, from a household's previous-year income and a dated rate table (料率表, per insurer per 年度):
//! - 一部負担金の割合 (1割/2割/3割) of 後期 and of the 国保 高齢受給者証, and the 後期 限度区分 ([`burden`]);
//! - the 後期 保険料 of each insured person ([`kouki`]) and the 国保 保険税/保険料 of a household ([`kokuho`]),
//!   with 7/5/2割 軽減 ([`reduction`]), caps, 月割 and rounding;
//! - each decision's reason as a typed value whose `Display` is the Japanese sentence a clerk reads aloud.
//!
//! Rules follow `../shared/domain/rules-2026.md` (cited per module). Every amount, rate and threshold comes from
//! the [`table::RateTable`]; this crate holds no yen figure. Money is integer yen with checked arithmetic and rates
//! are exact parts per million ([`money`]): no `f64` touches money.
//!
//! This crate must never do I/O: no files (the caller reads a table and passes its text), no network, no clock
//! (the caller passes the day), no logging. Inputs are personal data: `Debug` of a member never shows its values
//! and errors name fields, never values.
//!
//! ```
//! use madoguchi_rules::{BurdenRatio, Household, RateTable, kouki_burden, kouki_premium};
//!
//! // The caller reads the file; the crate parses its text.
//! let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/rates/kouki-training-2026.toml"));
//! let table = RateTable::from_toml(text)?;
//! let household = Household::from_json(
//!     r#"{"members":[{"insured":true,"birth":"1949-05-01","taxable_income":300000,"gross_income":2100000,
//!        "pension_income":1900000,"other_income":150000,"total_income":450000,"pension_income_amount":300000}]}"#,
//! )?;
//! let on = chrono::NaiveDate::from_ymd_opt(2026, 8, 1).ok_or("date")?;
//! let decision = kouki_burden(&table, &household, on)?.remove(0).ok_or("insured")?;
//! assert_eq!(decision.ratio, BurdenRatio::Two);
//! assert_eq!(
//!     decision.reason.to_string(),
//!     "世帯の被保険者の課税所得が28万円以上で、年金収入とその他の合計所得金額の合計が200万円以上のため2割"
//! );
//! let premium = &kouki_premium(&table, &household)?[0];
//! assert_eq!(premium.total.get() % 100, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod burden;
pub mod calendar;
pub mod error;
pub mod household;
pub mod kokuho;
pub mod kouki;
pub mod money;
pub mod reduction;
pub mod table;

pub use burden::{
    BurdenDecision, BurdenReason, LimitDecision, LimitReason, kokuho_burden, kouki_burden,
    kouki_limit_category,
};
pub use calendar::FiscalYear;
pub use error::RulesError;
pub use household::{Household, Member};
pub use kokuho::{KokuhoLevy, kokuho_levy};
pub use kouki::{KoukiPremium, kouki_premium};
pub use madoguchi_domain::insurance::{BurdenRatio, LimitCategory, Scheme};
pub use money::{Rate, Yen};
pub use table::RateTable;

#[cfg(test)]
pub(crate) mod testing;
