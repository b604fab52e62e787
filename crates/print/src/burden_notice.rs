//! 一部負担金の割合の変更のお知らせ (負担割合変更通知): sent after the annual 判定 to residents whose
//! 一部負担金の割合 changes on 8月1日 (BRIEF: 「1割, 2割 (since 2022-10-01), 3割, reassessed every 8/1」).

use madoguchi_domain::Date;
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::insurance::BurdenRatio;
use madoguchi_domain::kana::PersonName;

use crate::documents::wareki;
use crate::items::{ItemKey, ItemValue};
use crate::kind::PrintKind;
use crate::render::{DocumentRecord, RecordProblem};

/// 負担割合変更通知. Holds personal data: `Debug` is redacted.
#[derive(Clone, PartialEq)]
pub struct BurdenRatioChangeNotice {
    /// 氏名
    pub name: PersonName,
    /// 被保険者番号
    pub insured_number: InsuredNumber,
    /// 変更前の割合
    pub before: BurdenRatio,
    /// 変更後の割合
    pub after: BurdenRatio,
    /// 適用開始日 (8月1日)
    pub effective_on: Date,
    /// 通知日
    pub notice_date: Date,
    /// 保険者の名称 (広域連合名)
    pub insurer_name: String,
}

impl std::fmt::Debug for BurdenRatioChangeNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BurdenRatioChangeNotice(<redacted>)")
    }
}

impl DocumentRecord for BurdenRatioChangeNotice {
    fn kind(&self) -> PrintKind {
        PrintKind::BurdenRatioNotice
    }

    fn validate(&self) -> Result<(), RecordProblem> {
        if self.before == self.after {
            return Err(RecordProblem::RatioUnchanged);
        }
        if self.effective_on < self.notice_date {
            return Err(RecordProblem::NoticeAfterEffective);
        }
        Ok(())
    }

    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        let line = |s: String| Some(ItemValue::Line(s));
        match key {
            ItemKey::Name => line(format!("{}　様", self.name.as_str())),
            ItemKey::InsuredNumber => line(self.insured_number.as_str().to_string()),
            ItemKey::PreviousBurdenRatio => line(self.before.label_ja().to_string()),
            ItemKey::BurdenRatio => line(self.after.label_ja().to_string()),
            ItemKey::EffectiveDate => line(wareki(self.effective_on)),
            ItemKey::NoticeDate => line(wareki(self.notice_date)),
            ItemKey::InsurerName => line(self.insurer_name.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn notice() -> BurdenRatioChangeNotice {
        BurdenRatioChangeNotice {
            name: PersonName::parse("見本　花子").expect("name"),
            insured_number: "12345678".parse().expect("number"),
            before: BurdenRatio::One,
            after: BurdenRatio::Two,
            effective_on: d(2026, 8, 1),
            notice_date: d(2026, 7, 15),
            insurer_name: "見本県後期高齢者医療広域連合".into(),
        }
    }

    #[test]
    fn notice_items_and_checks() {
        let n = notice();
        assert_eq!(n.validate(), Ok(()));
        assert_eq!(
            n.item(ItemKey::EffectiveDate),
            Some(ItemValue::Line("令和8年8月1日".into()))
        );
        assert!(!format!("{n:?}").contains("花子"));
        let mut same = n.clone();
        same.after = BurdenRatio::One;
        assert_eq!(same.validate(), Err(RecordProblem::RatioUnchanged));
        let mut late = n;
        late.notice_date = d(2026, 8, 2);
        assert_eq!(late.validate(), Err(RecordProblem::NoticeAfterEffective));
    }
}
