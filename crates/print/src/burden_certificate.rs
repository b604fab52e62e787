//! 負担区分等証明書: issued by the union on 県外転出, for the new prefecture's 広域連合 to carry over the
//! 一部負担金の割合 (domain-anchors §1.1). A4, `assets/layouts/futan-kubun-shomeisho.toml`.

use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, InsurerNumber};
use madoguchi_domain::insurance::{BurdenRatio, LimitCategory};
use madoguchi_domain::kana::PersonName;

use crate::documents::wareki;
use crate::items::{ItemKey, ItemValue};
use crate::kind::PrintKind;
use crate::render::{DocumentRecord, RecordProblem};

/// 負担区分等証明書. Holds personal data: `Debug` is redacted.
#[derive(Clone, PartialEq)]
pub struct BurdenCategoryCertificate {
    /// 氏名
    pub name: PersonName,
    /// 生年月日
    pub birth_date: Date,
    /// 被保険者番号
    pub insured_number: InsuredNumber,
    /// 保険者番号
    pub insurer_number: InsurerNumber,
    /// 資格取得年月日
    pub acquisition_date: Date,
    /// 資格喪失年月日 (the day after the 転出, 高確法第53条)
    pub loss_date: Date,
    /// 一部負担金の割合
    pub burden_ratio: BurdenRatio,
    /// 限度区分, when one applies
    pub limit_category: Option<LimitCategory>,
    /// 証明日
    pub issue_date: Date,
    /// 保険者の名称 (広域連合名)
    pub insurer_name: String,
}

impl std::fmt::Debug for BurdenCategoryCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BurdenCategoryCertificate(<redacted>)")
    }
}

impl DocumentRecord for BurdenCategoryCertificate {
    fn kind(&self) -> PrintKind {
        PrintKind::BurdenCategoryCertificate
    }

    fn validate(&self) -> Result<(), RecordProblem> {
        if self.loss_date <= self.acquisition_date {
            return Err(RecordProblem::ExpiryBeforeEffective);
        }
        Ok(())
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        let line = |s: String| Some(ItemValue::Line(s));
        match key {
            ItemKey::Name => line(format!("{}　様", self.name.as_str())),
            ItemKey::BirthDate => line(wareki(self.birth_date)),
            ItemKey::InsuredNumber => line(self.insured_number.as_str().to_string()),
            ItemKey::InsurerNumber => line(self.insurer_number.as_str().to_string()),
            ItemKey::AcquisitionDate => line(wareki(self.acquisition_date)),
            ItemKey::LossDate => line(wareki(self.loss_date)),
            ItemKey::BurdenRatio => line(self.burden_ratio.label_ja().to_string()),
            ItemKey::LimitCategory => self
                .limit_category
                .and_then(|l| line(l.label_ja().to_string())),
            ItemKey::IssueDate => line(wareki(self.issue_date)),
            ItemKey::InsurerName => line(self.insurer_name.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{PrintAssets, RenderMode, Renderer};

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn certificate() -> BurdenCategoryCertificate {
        BurdenCategoryCertificate {
            name: PersonName::parse("見本　花子").expect("name"),
            birth_date: d(1946, 4, 1),
            insured_number: "12345678".parse().expect("number"),
            insurer_number: "39152111".parse().expect("insurer"),
            acquisition_date: d(2021, 4, 1),
            loss_date: d(2027, 1, 11),
            burden_ratio: BurdenRatio::Two,
            limit_category: None,
            issue_date: d(2027, 1, 5),
            insurer_name: "見本県後期高齢者医療広域連合".into(),
        }
    }

    #[test]
    fn items_and_checks() {
        let c = certificate();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(
            c.item(ItemKey::LossDate),
            Some(ItemValue::Line("令和9年1月11日".into()))
        );
        assert_eq!(
            c.item(ItemKey::BurdenRatio),
            Some(ItemValue::Line("2割".into()))
        );
        assert!(!format!("{c:?}").contains("花子"));
        let mut bad = c;
        bad.loss_date = bad.acquisition_date;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn the_a4_layout_renders_with_every_statutory_item() {
        let renderer = Renderer::new(PrintAssets::repo_default()).expect("assets");
        let layout = renderer
            .layout("futan-kubun-shomeisho")
            .expect("layout of the repository");
        let doc = renderer
            .render(&layout, &[certificate()], RenderMode::Production)
            .expect("renders");
        let text = crate::pdf_text(doc.pdf()).expect("text of the PDF");
        for needle in ["負担区分等証明書", "12345678", "令和9年1月11日", "2割"] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }
}
