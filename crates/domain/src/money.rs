//! Money: whole yen. Premiums and burdens are never fractional yen on a notice.

use std::fmt;
use std::ops::Add;

use serde::{Deserialize, Serialize};

/// An amount in yen (円).
#[derive(
    ts_rs::TS,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Yen(i64);

impl Yen {
    /// Zero yen.
    pub const ZERO: Yen = Yen(0);

    /// An amount.
    pub const fn new(yen: i64) -> Self {
        Yen(yen)
    }

    /// The amount.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Sum that refuses to overflow.
    pub fn checked_add(self, other: Yen) -> Option<Yen> {
        self.0.checked_add(other.0).map(Yen)
    }

    /// 「12,345」 without the unit, as amounts are printed in tables.
    pub fn grouped(self) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

impl Add for Yen {
    type Output = Option<Yen>;
    fn add(self, rhs: Yen) -> Option<Yen> {
        self.checked_add(rhs)
    }
}

/// 「12,345円」.
impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(Yen::new(0).to_string(), "0円");
        assert_eq!(Yen::new(999).to_string(), "999円");
        assert_eq!(Yen::new(1000).to_string(), "1,000円");
        assert_eq!(Yen::new(1234567).to_string(), "1,234,567円");
        assert_eq!(Yen::new(-45000).to_string(), "-45,000円");
        assert_eq!(Yen::new(i64::MAX).checked_add(Yen::new(1)), None);
    }
}
