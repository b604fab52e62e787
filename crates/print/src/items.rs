//! The printable items (記載事項) a layout can place, and the formatted values documents provide for them.

use serde::Deserialize;

/// One printable item of a document. Layout files name these in snake_case (`item = "insured_number"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemKey {
    /// 氏名
    Name,
    /// 氏名（カナ）
    NameKana,
    /// 生年月日
    BirthDate,
    /// 性別
    Sex,
    /// 住所
    Address,
    /// 被保険者番号
    InsuredNumber,
    /// 資格取得年月日
    AcquisitionDate,
    /// 発効期日
    EffectiveDate,
    /// 交付年月日
    IssueDate,
    /// 有効期限
    ExpiryDate,
    /// 一部負担金の割合
    BurdenRatio,
    /// 保険者番号
    InsurerNumber,
    /// 保険者の名称
    InsurerName,
    /// 限度区分 (任意記載事項)
    LimitCategory,
    /// 限度区分の発効期日
    LimitCategoryEffectiveDate,
    /// 長期入院該当日 (任意記載事項)
    LongStayDate,
    /// 特定疾病区分 (任意記載事項)
    SpecificDisease,
    /// 特定疾病区分の発効期日
    SpecificDiseaseEffectiveDate,
    /// 市区町村名 (the counter that issued or received)
    MunicipalityName,
    /// 受付番号
    ReceiptNumber,
    /// 受付日時
    ReceivedAt,
    /// 届出の種類
    NotificationKind,
    /// 交付・回収の日
    HandoverDate,
    /// 交付した書類
    IssuedDocument,
    /// 回収した書類
    ReturnedDocument,
    /// 受領者（本人・代理人）
    Recipient,
    /// 通知日
    NoticeDate,
    /// 年度
    FiscalYear,
    /// 保険料の算定の基礎となる所得金額
    IncomeBasis,
    /// 均等割額
    PerCapitaAmount,
    /// 所得割額
    IncomeBasedAmount,
    /// 年間保険料額
    AnnualPremium,
    /// 徴収方法（特別徴収・普通徴収）
    CollectionMethod,
    /// 納期ごとの保険料額
    Instalments,
    /// 変更前の一部負担金の割合 (負担割合変更通知)
    PreviousBurdenRatio,
    /// 資格喪失年月日 (負担区分等証明書)
    LossDate,
    /// 照合番号: the distribution's code and the record's 通し番号 on a bulk-printed page, in text and as a
    /// QR code, so that a stack of pages can be checked against the reconciliation report (no personal data).
    ControlNumber,
    /// 本文: the lines of a list or report (e.g. the 一括印刷 突合表).
    ReportBody,
}

impl ItemKey {
    /// The name of the item as printed on forms and shown to staff.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Name => "氏名",
            Self::NameKana => "氏名（カナ）",
            Self::BirthDate => "生年月日",
            Self::Sex => "性別",
            Self::Address => "住所",
            Self::InsuredNumber => "被保険者番号",
            Self::AcquisitionDate => "資格取得年月日",
            Self::EffectiveDate => "発効期日",
            Self::IssueDate => "交付年月日",
            Self::ExpiryDate => "有効期限",
            Self::BurdenRatio => "一部負担金の割合",
            Self::InsurerNumber => "保険者番号",
            Self::InsurerName => "保険者の名称",
            Self::LimitCategory => "限度区分",
            Self::LimitCategoryEffectiveDate => "限度区分の発効期日",
            Self::LongStayDate => "長期入院該当日",
            Self::SpecificDisease => "特定疾病区分",
            Self::SpecificDiseaseEffectiveDate => "特定疾病区分の発効期日",
            Self::MunicipalityName => "市区町村名",
            Self::ReceiptNumber => "受付番号",
            Self::ReceivedAt => "受付日時",
            Self::NotificationKind => "届出の種類",
            Self::HandoverDate => "交付・回収日",
            Self::IssuedDocument => "交付した書類",
            Self::ReturnedDocument => "回収した書類",
            Self::Recipient => "受領者",
            Self::NoticeDate => "通知日",
            Self::FiscalYear => "年度",
            Self::IncomeBasis => "算定の基礎となる所得金額",
            Self::PerCapitaAmount => "均等割額",
            Self::IncomeBasedAmount => "所得割額",
            Self::AnnualPremium => "年間保険料額",
            Self::CollectionMethod => "徴収方法",
            Self::Instalments => "納期ごとの保険料額",
            Self::PreviousBurdenRatio => "変更前の割合",
            Self::LossDate => "資格喪失年月日",
            Self::ControlNumber => "照合番号",
            Self::ReportBody => "本文",
        }
    }
}

impl std::fmt::Display for ItemKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // English/log form: the snake_case key, as in layout files.
        let s = format!("{self:?}");
        let mut out = String::with_capacity(s.len() + 4);
        for (i, c) in s.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        f.write_str(&out)
    }
}

/// The formatted text of one item for one record: a single line or several lines (e.g. instalments).
/// Carries personal data, so `Debug` shows only the shape.
#[derive(Clone, PartialEq)]
pub enum ItemValue {
    /// One line.
    Line(String),
    /// Several lines.
    Lines(Vec<String>),
}

impl ItemValue {
    pub(crate) fn lines(&self) -> Vec<&str> {
        match self {
            Self::Line(s) => vec![s.as_str()],
            Self::Lines(v) => v.iter().map(String::as_str).collect(),
        }
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.lines().iter().all(|l| l.trim().is_empty())
    }
}

impl std::fmt::Debug for ItemValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Line(_) => f.write_str("Line(<redacted>)"),
            Self::Lines(v) => write!(f, "Lines(<{} redacted>)", v.len()),
        }
    }
}

/// The 外字 placeholder 「●」 (a character of a name not yet identified, 未同定), as the domain defines it.
pub use madoguchi_domain::kana::GAIJI_PLACEHOLDER;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_snake_case_like_layout_files() {
        assert_eq!(ItemKey::InsuredNumber.to_string(), "insured_number");
        assert_eq!(ItemKey::Name.to_string(), "name");
        let parsed: ItemKey = toml::from_str::<std::collections::HashMap<String, ItemKey>>(
            "k = \"limit_category_effective_date\"",
        )
        .map(|m| m["k"])
        .expect("parses");
        assert_eq!(parsed, ItemKey::LimitCategoryEffectiveDate);
        assert_eq!(parsed.to_string(), "limit_category_effective_date");
    }

    #[test]
    fn value_debug_redacts() {
        let v = ItemValue::Line("山田太郎".into());
        assert!(!format!("{v:?}").contains("山田"));
    }
}
