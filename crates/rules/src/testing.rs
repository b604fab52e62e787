//! Test helpers: the shipped training tables and a member builder (synthetic people only).

use madoguchi_domain::Date;

use crate::household::{Household, Member};
use crate::money::Yen;
use crate::table::RateTable;

pub(crate) const KOUKI_2025: &str = include_str!("../../../assets/rates/kouki-training-2025.toml");
pub(crate) const KOUKI_2026: &str = include_str!("../../../assets/rates/kouki-training-2026.toml");
pub(crate) const KOKUHO_2025: &str =
    include_str!("../../../assets/rates/kokuho-training-2025.toml");
pub(crate) const KOKUHO_2026: &str =
    include_str!("../../../assets/rates/kokuho-training-2026.json");

pub(crate) fn kouki_2025() -> RateTable {
    RateTable::from_toml(KOUKI_2025).expect("shipped table parses")
}
pub(crate) fn kouki_2026() -> RateTable {
    RateTable::from_toml(KOUKI_2026).expect("shipped table parses")
}
pub(crate) fn kokuho_2025() -> RateTable {
    RateTable::from_toml(KOKUHO_2025).expect("shipped table parses")
}
pub(crate) fn kokuho_2026() -> RateTable {
    RateTable::from_json(KOKUHO_2026).expect("shipped table parses")
}

pub(crate) fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("valid test date")
}

pub(crate) fn yen(v: i64) -> Yen {
    Yen::new(v)
}

/// An insured member born on `birth` with no income.
pub(crate) fn insured(birth: Date) -> Member {
    Member {
        insured: true,
        birth,
        ..Member::default()
    }
}

/// A member who is not insured here.
pub(crate) fn other(birth: Date) -> Member {
    Member {
        insured: false,
        birth,
        ..Member::default()
    }
}

pub(crate) fn household(members: Vec<Member>) -> Household {
    Household { members }
}

impl Member {
    pub(crate) fn taxable(mut self, v: i64) -> Self {
        self.taxable_income = Yen::new(v);
        self
    }
    pub(crate) fn gross(mut self, v: i64) -> Self {
        self.gross_income = Yen::new(v);
        self
    }
    pub(crate) fn pension(mut self, v: i64) -> Self {
        self.pension_income = Yen::new(v);
        self
    }
    pub(crate) fn other_inc(mut self, v: i64) -> Self {
        self.other_income = Yen::new(v);
        self
    }
    pub(crate) fn total(mut self, v: i64) -> Self {
        self.total_income = Yen::new(v);
        self
    }
    pub(crate) fn pension_amount(mut self, v: i64) -> Self {
        self.pension_income_amount = Yen::new(v);
        self
    }
    pub(crate) fn salary(mut self, revenue: i64, amount: i64) -> Self {
        self.salary_income = Yen::new(revenue);
        self.salary_income_amount = Yen::new(amount);
        self
    }
    pub(crate) fn head(mut self) -> Self {
        self.head = true;
        self
    }
    pub(crate) fn non_taxed(mut self) -> Self {
        self.non_taxed = true;
        self
    }
}
