//! Errors: what was wrong with a rate table or a household, in English for logs and Japanese for staff.
//!
//! Messages never carry an income or a birth date: they name the field and the member's position only.

use madoguchi_domain::StaffMessage;

use crate::calendar::FiscalYear;

/// Anything the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The rate table's text is not valid TOML.
    #[error("the rate table is not valid TOML: {0}")]
    TableToml(String),
    /// The rate table's text is not valid JSON.
    #[error("the rate table is not valid JSON: {0}")]
    TableJson(String),
    /// The rate table parsed but a value is out of place.
    #[error("rate table field `{field}`: {reason}")]
    TableInvalid {
        /// The field's path in the table.
        field: String,
        /// Why (English).
        reason: &'static str,
    },
    /// The table is for another scheme (後期 table given for 国保 or the reverse).
    #[error("the rate table is for another scheme")]
    WrongScheme,
    /// The table is not for the 年度 asked about.
    #[error("the rate table is for fiscal year {table}, not {asked}")]
    WrongFiscalYear {
        /// 年度 of the table (start year).
        table: i32,
        /// 年度 asked about.
        asked: i32,
    },
    /// A household with no member, or none insured.
    #[error("the household has no insured member")]
    NoInsured,
    /// More than one 世帯主.
    #[error("the household has more than one head")]
    SeveralHeads,
    /// A member's value is impossible (negative income, born after the day asked about…).
    #[error("member {index}: field `{field}`: {reason}")]
    InvalidMember {
        /// 1-based position in the input.
        index: usize,
        /// Field name.
        field: &'static str,
        /// Why (English).
        reason: &'static str,
    },
    /// A 国保 insured member aged 75 or over on the day (they belong to 後期).
    #[error(
        "member {index} is 75 or over on the day and cannot be insured in the national health insurance"
    )]
    Kokuho75 {
        /// 1-based position in the input.
        index: usize,
    },
    /// An amount left the range of the arithmetic.
    #[error("an amount overflowed")]
    Overflow,
}

impl StaffMessage for RulesError {
    fn message_ja(&self) -> String {
        match self {
            RulesError::TableToml(_) => "料率表(TOML)の書式が正しくありません。".into(),
            RulesError::TableJson(_) => "料率表(JSON)の書式が正しくありません。".into(),
            RulesError::TableInvalid { field, .. } => {
                format!("料率表の項目「{field}」の値が正しくありません。")
            }
            RulesError::WrongScheme => {
                "料率表の制度(後期高齢者医療/国民健康保険)が違います。".into()
            }
            RulesError::WrongFiscalYear { table, asked } => {
                let (t, a) = (FiscalYear::new(*table), FiscalYear::new(*asked));
                format!("料率表は{t}のものです。{a}の計算には使えません。")
            }
            RulesError::NoInsured => "世帯に被保険者がいません。".into(),
            RulesError::SeveralHeads => "世帯主が2人以上指定されています。".into(),
            RulesError::InvalidMember { index, field, .. } => {
                format!(
                    "{index}人目の「{}」の値が正しくありません。",
                    field_ja(field)
                )
            }
            RulesError::Kokuho75 { index } => {
                format!("{index}人目は75歳以上のため国民健康保険の被保険者になれません。")
            }
            RulesError::Overflow => "金額が計算できる範囲を超えました。".into(),
        }
    }
}

/// Japanese names of the input fields, for messages.
pub(crate) fn field_ja(field: &str) -> &'static str {
    match field {
        "birth" => "生年月日",
        "taxable_income" => "課税所得",
        "gross_income" => "収入",
        "pension_income" => "年金収入",
        "other_income" => "その他の合計所得金額",
        "total_income" => "総所得金額等",
        "pension_income_amount" => "公的年金等に係る所得",
        "salary_income_amount" => "給与所得",
        "salary_income" => "給与収入",
        "kyu_tadashigaki_income" => "旧ただし書所得",
        "asset_tax_base" => "資産割の基礎額",
        "acquired" => "資格取得日",
        "lost" => "資格喪失日",
        "perinatal" => "出産予定日",
        _ => "入力値",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_not_the_value() {
        let e = RulesError::InvalidMember {
            index: 2,
            field: "taxable_income",
            reason: "negative",
        };
        assert_eq!(
            e.message_ja(),
            "2人目の「課税所得」の値が正しくありません。"
        );
        assert!(e.to_string().contains("member 2"));
    }
}
