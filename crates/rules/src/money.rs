//! Money arithmetic: integer yen (`Yen` — 円, the domain crate's type) and exact rates (`Rate` — 率).
//!
//! Every operation is checked: an overflow is an error, never a wrapped or saturated amount. Rates are parts per
//! million, parsed from decimal text («8.61%»), so 8.61% × 1,000,000円 is exactly 86,100円 — no `f64` anywhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use madoguchi_domain::money::Yen;

use crate::error::RulesError;

/// Checked arithmetic on [`Yen`] beyond the domain crate's `checked_add`.
pub trait YenMath: Sized {
    /// `self + other`, refusing overflow.
    fn plus(self, other: Yen) -> Result<Yen, RulesError>;
    /// `self - other`, refusing overflow.
    fn minus(self, other: Yen) -> Result<Yen, RulesError>;
    /// `self - other`, not below 0 (控除後の所得).
    fn minus_floor_zero(self, other: Yen) -> Result<Yen, RulesError>;
    /// `self × n` (an amount per person or per month times a count).
    fn times(self, n: i64) -> Result<Yen, RulesError>;
    /// `self × rate`, 1円未満切り捨て.
    fn at_rate(self, rate: Rate) -> Result<Yen, RulesError>;
    /// `self × num / den`, 1円未満切り捨て (月割: × 月数 / 12).
    fn ratio_down(self, num: i64, den: i64) -> Result<Yen, RulesError>;
    /// Rounded down to a multiple of `unit` (100円未満切り捨て and the like).
    fn round_down_to(self, unit: Yen) -> Result<Yen, RulesError>;
}

fn overflow() -> RulesError {
    RulesError::Overflow
}

impl YenMath for Yen {
    fn plus(self, other: Yen) -> Result<Yen, RulesError> {
        self.checked_add(other).ok_or_else(overflow)
    }

    fn minus(self, other: Yen) -> Result<Yen, RulesError> {
        self.get()
            .checked_sub(other.get())
            .map(Yen::new)
            .ok_or_else(overflow)
    }

    fn minus_floor_zero(self, other: Yen) -> Result<Yen, RulesError> {
        Ok(Yen::new(self.minus(other)?.get().max(0)))
    }

    fn times(self, n: i64) -> Result<Yen, RulesError> {
        self.get().checked_mul(n).map(Yen::new).ok_or_else(overflow)
    }

    fn at_rate(self, rate: Rate) -> Result<Yen, RulesError> {
        self.ratio_down(i64::from(rate.ppm()), i64::from(Rate::ONE_PPM))
    }

    fn ratio_down(self, num: i64, den: i64) -> Result<Yen, RulesError> {
        if den <= 0 {
            return Err(overflow());
        }
        let product = i128::from(self.get()) * i128::from(num);
        // Floor division: amounts here are never negative, but a floor keeps the rule exact if one is.
        let q = product.div_euclid(i128::from(den));
        i64::try_from(q).map(Yen::new).map_err(|_| overflow())
    }

    fn round_down_to(self, unit: Yen) -> Result<Yen, RulesError> {
        if unit.get() <= 0 {
            return Err(overflow());
        }
        Ok(Yen::new(self.get().div_euclid(unit.get()) * unit.get()))
    }
}

/// Sum of amounts, refusing overflow.
pub fn sum<I: IntoIterator<Item = Yen>>(items: I) -> Result<Yen, RulesError> {
    items.into_iter().try_fold(Yen::ZERO, |acc, y| acc.plus(y))
}

/// An exact rate (率): parts per million, 0 ≤ rate ≤ 100%.
///
/// Written in tables as decimal text with a percent sign, «8.61%», «30%», «0.3%»; at most four decimals of a
/// percent. A rate never passes through a binary float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(u32);

impl Rate {
    /// 100% in parts per million.
    pub const ONE_PPM: u32 = 1_000_000;
    /// 0%.
    pub const ZERO: Rate = Rate(0);

    /// From parts per million (≤ 1,000,000).
    pub fn from_ppm(ppm: u32) -> Option<Rate> {
        (ppm <= Self::ONE_PPM).then_some(Rate(ppm))
    }

    /// Parts per million.
    pub const fn ppm(self) -> u32 {
        self.0
    }

    /// 1 − rate: what remains after a reduction (軽減) of this rate.
    pub fn complement(self) -> Rate {
        Rate(Self::ONE_PPM - self.0)
    }

    /// Tenths when the rate is a whole number of tenths (7割 → Some(7)).
    pub fn tenths(self) -> Option<u32> {
        self.0.is_multiple_of(100_000).then_some(self.0 / 100_000)
    }

    /// 「7割」 for whole tenths, else 「12.5%」.
    pub fn label_ja(self) -> String {
        match self.tenths() {
            Some(t) if t > 0 => format!("{t}割"),
            _ => self.to_string(),
        }
    }
}

/// «8.61%»: the shortest exact percent.
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 10_000;
        let frac = self.0 % 10_000;
        if frac == 0 {
            write!(f, "{whole}%")
        } else {
            let digits = format!("{frac:04}");
            write!(f, "{whole}.{}%", digits.trim_end_matches('0'))
        }
    }
}

/// Why a rate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateError {
    /// Not «N%», «N.NNNN%».
    #[error("a rate is written as a percent with at most four decimals, e.g. \"8.61%\"")]
    Format,
    /// Above 100%.
    #[error("a rate cannot exceed 100%")]
    AboveHundred,
}

impl FromStr for Rate {
    type Err = RateError;

    fn from_str(s: &str) -> Result<Rate, RateError> {
        let body = s.trim().strip_suffix('%').ok_or(RateError::Format)?.trim();
        let (whole, frac) = match body.split_once('.') {
            Some((w, f)) => (w, f),
            None => (body, ""),
        };
        let digits_ok = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 3
            || !digits_ok(whole)
            || frac.len() > 4
            || !digits_ok(frac)
        {
            return Err(RateError::Format);
        }
        let whole: u32 = whole.parse().map_err(|_| RateError::Format)?;
        let mut frac_ppm = 0u32;
        for (i, b) in frac.bytes().enumerate() {
            let scale = 10u32.pow(3 - u32::try_from(i).map_err(|_| RateError::Format)?);
            frac_ppm += u32::from(b - b'0') * scale;
        }
        let ppm = whole
            .checked_mul(10_000)
            .and_then(|w| w.checked_add(frac_ppm))
            .ok_or(RateError::AboveHundred)?;
        Rate::from_ppm(ppm).ok_or(RateError::AboveHundred)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// 「28万円」 when the amount is whole 万円 (or 0.5万円 steps, 「30.5万円」), else 「280,001円」: as a clerk says it.
pub fn yen_ja(y: Yen) -> String {
    let v = y.get();
    if v != 0 && v % 10_000 == 0 {
        format!("{}万円", v / 10_000)
    } else if v != 0 && v % 1_000 == 0 && v.abs() >= 100_000 {
        let man = v / 10_000;
        let rest = (v % 10_000).abs() / 1_000;
        format!("{man}.{rest}万円")
    } else {
        y.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_exactly() {
        for (text, ppm) in [
            ("8.61%", 86_100),
            ("30%", 300_000),
            ("0.3%", 3_000),
            ("100%", 1_000_000),
            ("0%", 0),
            ("11.79%", 117_900),
            ("2.0475%", 20_475),
        ] {
            assert_eq!(text.parse::<Rate>().map(Rate::ppm), Ok(ppm), "{text}");
            assert_eq!(Rate(ppm).to_string().parse::<Rate>(), Ok(Rate(ppm)));
        }
        for bad in [
            "8.61",
            "8.61234%",
            "-1%",
            "100.0001%",
            "abc%",
            "%",
            "1e2%",
            ".5%",
        ] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
        assert_eq!(
            "8.61%".parse::<Rate>().map(|r| r.to_string()),
            Ok("8.61%".into())
        );
        assert_eq!("70%".parse::<Rate>().map(Rate::label_ja), Ok("7割".into()));
    }

    #[test]
    fn arithmetic_is_exact_and_checked() {
        let rate: Rate = "8.61%".parse().expect("rate");
        assert_eq!(Yen::new(1_000_000).at_rate(rate), Ok(Yen::new(86_100)));
        // 1,000,001 × 8.61% = 86,100.0861 → 86,100 (1円未満切り捨て).
        assert_eq!(Yen::new(1_000_001).at_rate(rate), Ok(Yen::new(86_100)));
        assert_eq!(
            Yen::new(52_953).at_rate("30%".parse().expect("r")),
            Ok(Yen::new(15_885))
        );
        assert_eq!(
            Yen::new(123_456).round_down_to(Yen::new(100)),
            Ok(Yen::new(123_400))
        );
        assert_eq!(
            Yen::new(100).minus_floor_zero(Yen::new(430_000)),
            Ok(Yen::ZERO)
        );
        assert_eq!(Yen::new(i64::MAX).times(2), Err(RulesError::Overflow));
        assert_eq!(
            Yen::new(i64::MAX).plus(Yen::new(1)),
            Err(RulesError::Overflow)
        );
        assert_eq!(Yen::new(600_000).ratio_down(7, 12), Ok(Yen::new(350_000)));
    }

    #[test]
    fn amounts_read_aloud() {
        assert_eq!(yen_ja(Yen::new(280_000)), "28万円");
        assert_eq!(yen_ja(Yen::new(305_000)), "30.5万円");
        assert_eq!(yen_ja(Yen::new(280_001)), "280,001円");
        assert_eq!(yen_ja(Yen::new(0)), "0円");
    }
}
