//! Small value types of the insurance itself: 一部負担金の割合, 限度区分, 性別, schemes and documents.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::message::StaffMessage;

/// 制度: which insurance a record belongs to.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// 後期高齢者医療 (insurer: the prefecture's 広域連合).
    Kouki,
    /// 国民健康保険 (insurer: the municipality).
    Kokuho,
}

impl Scheme {
    /// 「後期高齢者医療」 / 「国民健康保険」.
    pub fn name_ja(self) -> &'static str {
        match self {
            Scheme::Kouki => "後期高齢者医療",
            Scheme::Kokuho => "国民健康保険",
        }
    }
}

/// 性別 as printed (where the union prints it).
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// 「男」 / 「女」.
    pub fn label_ja(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// 一部負担金の割合: the share of medical costs the insured pays at the window.
///
/// 1割 (原則), 2割 (since 2022-10-01), 3割 (現役並み所得), reassessed every 8/1 from residence-tax income
/// (domain-anchors §1.10).
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum BurdenRatio {
    /// 1割.
    #[serde(rename = "1")]
    One,
    /// 2割 (from 2022-10-01).
    #[serde(rename = "2")]
    Two,
    /// 3割 (現役並み所得者).
    #[serde(rename = "3")]
    Three,
}

/// The day the 2割 tier began (令和4年10月1日).
pub fn two_tenths_start() -> Date {
    Date::from_ymd_opt(2022, 10, 1).unwrap_or(Date::MIN)
}

/// A burden ratio that does not exist on the day asked about, or cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BurdenRatioError {
    /// Not 1, 2 or 3.
    #[error("burden ratio must be 1, 2 or 3 tenths")]
    Unknown,
    /// 2割 before 2022-10-01.
    #[error("the 2-tenths ratio applies only from 2022-10-01")]
    TwoBeforeStart,
}

impl StaffMessage for BurdenRatioError {
    fn message_ja(&self) -> String {
        match self {
            BurdenRatioError::Unknown => "一部負担金の割合は1割・2割・3割のいずれかです。".into(),
            BurdenRatioError::TwoBeforeStart => {
                "2割負担は令和4年10月1日から適用されます。それより前の日付には使えません。".into()
            }
        }
    }
}

impl BurdenRatio {
    /// The tenths (1, 2, 3).
    pub fn tenths(self) -> u8 {
        match self {
            BurdenRatio::One => 1,
            BurdenRatio::Two => 2,
            BurdenRatio::Three => 3,
        }
    }

    /// 「1割」 etc., as printed.
    pub fn label_ja(self) -> &'static str {
        match self {
            BurdenRatio::One => "1割",
            BurdenRatio::Two => "2割",
            BurdenRatio::Three => "3割",
        }
    }

    /// From tenths, checking the ratio existed on `on`.
    pub fn from_tenths_on(tenths: u8, on: Date) -> Result<Self, BurdenRatioError> {
        let r = match tenths {
            1 => BurdenRatio::One,
            2 => BurdenRatio::Two,
            3 => BurdenRatio::Three,
            _ => return Err(BurdenRatioError::Unknown),
        };
        r.check_on(on)
    }

    /// Refuses 2割 before 2022-10-01.
    pub fn check_on(self, on: Date) -> Result<Self, BurdenRatioError> {
        if self == BurdenRatio::Two && on < two_tenths_start() {
            Err(BurdenRatioError::TwoBeforeStart)
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for BurdenRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_ja())
    }
}

/// 限度区分 (後期), printed on the 資格確認書 on application (任意記載事項) since 限度額適用認定証 ended.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitCategory {
    /// 現役並みⅢ.
    GenekiNamiIii,
    /// 現役並みⅡ.
    GenekiNamiIi,
    /// 現役並みⅠ.
    GenekiNamiI,
    /// 一般Ⅱ.
    IppanIi,
    /// 一般Ⅰ.
    IppanI,
    /// 区分Ⅱ (住民税非課税世帯).
    KubunIi,
    /// 区分Ⅰ (住民税非課税世帯, 所得なし等).
    KubunI,
}

impl LimitCategory {
    /// All categories in the order the union lists them.
    pub const ALL: [LimitCategory; 7] = [
        LimitCategory::GenekiNamiIii,
        LimitCategory::GenekiNamiIi,
        LimitCategory::GenekiNamiI,
        LimitCategory::IppanIi,
        LimitCategory::IppanI,
        LimitCategory::KubunIi,
        LimitCategory::KubunI,
    ];

    /// As printed: 「現役並みⅢ」, 「区分Ⅱ」 ….
    pub fn label_ja(self) -> &'static str {
        match self {
            LimitCategory::GenekiNamiIii => "現役並みⅢ",
            LimitCategory::GenekiNamiIi => "現役並みⅡ",
            LimitCategory::GenekiNamiI => "現役並みⅠ",
            LimitCategory::IppanIi => "一般Ⅱ",
            LimitCategory::IppanI => "一般Ⅰ",
            LimitCategory::KubunIi => "区分Ⅱ",
            LimitCategory::KubunI => "区分Ⅰ",
        }
    }
}

/// Documents the counter hands over.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 資格確認書 (card or はがき size; from 2024-12-02).
    ShikakuKakuninsho,
    /// 資格情報のお知らせ (A4 with a card-size cut-off, for マイナ保険証 holders; from 2024-12-02).
    ShikakuJohoOshirase,
    /// 被保険者証: no longer issued since 2024-12-02; kept for the history of what was handed out.
    Hihokenshasho,
    /// 限度額適用認定証: no longer issued since 2024-12-02.
    GendogakuNinteisho,
}

/// The first day the counter no longer issues 被保険者証 and 限度額適用認定証 (令和6年12月2日).
pub fn insurance_card_end() -> Date {
    Date::from_ymd_opt(2024, 12, 2).unwrap_or(Date::MIN)
}

impl DocumentKind {
    /// 「資格確認書」 etc.
    pub fn name_ja(self) -> &'static str {
        match self {
            DocumentKind::ShikakuKakuninsho => "資格確認書",
            DocumentKind::ShikakuJohoOshirase => "資格情報のお知らせ",
            DocumentKind::Hihokenshasho => "被保険者証",
            DocumentKind::GendogakuNinteisho => "限度額適用認定証",
        }
    }

    /// Whether the document may be newly issued on `on`: 被保険者証 and 限度額適用認定証 only before
    /// 2024-12-02, 資格確認書 and 資格情報のお知らせ from that day.
    pub fn issuable_on(self, on: Date) -> bool {
        match self {
            DocumentKind::Hihokenshasho | DocumentKind::GendogakuNinteisho => {
                on < insurance_card_end()
            }
            DocumentKind::ShikakuKakuninsho | DocumentKind::ShikakuJohoOshirase => {
                on >= insurance_card_end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn two_tenths_only_from_2022_10_01() {
        assert_eq!(
            BurdenRatio::from_tenths_on(2, d(2022, 9, 30)),
            Err(BurdenRatioError::TwoBeforeStart)
        );
        assert_eq!(
            BurdenRatio::from_tenths_on(2, d(2022, 10, 1)),
            Ok(BurdenRatio::Two)
        );
        assert_eq!(
            BurdenRatio::from_tenths_on(1, d(2008, 4, 1)),
            Ok(BurdenRatio::One)
        );
        assert_eq!(
            BurdenRatio::from_tenths_on(4, d(2026, 1, 1)),
            Err(BurdenRatioError::Unknown)
        );
        assert_eq!(BurdenRatio::Three.label_ja(), "3割");
        assert_eq!(
            serde_json::to_string(&BurdenRatio::Two).expect("ser"),
            "\"2\""
        );
    }

    #[test]
    fn cards_end_on_2024_12_02() {
        assert!(DocumentKind::Hihokenshasho.issuable_on(d(2024, 12, 1)));
        assert!(!DocumentKind::Hihokenshasho.issuable_on(d(2024, 12, 2)));
        assert!(!DocumentKind::GendogakuNinteisho.issuable_on(d(2026, 11, 21)));
        assert!(!DocumentKind::ShikakuKakuninsho.issuable_on(d(2024, 12, 1)));
        assert!(DocumentKind::ShikakuKakuninsho.issuable_on(d(2024, 12, 2)));
        assert!(DocumentKind::ShikakuJohoOshirase.issuable_on(d(2026, 11, 21)));
    }
}
