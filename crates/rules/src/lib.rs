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
