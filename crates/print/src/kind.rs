//! The kinds of documents the counter prints, and what each must carry whatever the union's layout says.

use serde::{Deserialize, Serialize};

use crate::items::ItemKey;

/// A kind of printed document. Layout files say `kind = "shikaku-kakuninsho"` etc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrintKind {
    /// 資格確認書 (card or はがき size; the layout decides).
    #[serde(rename = "shikaku-kakuninsho")]
    QualificationCertificate,
    /// 資格情報のお知らせ (A4 with a card-size cut-off part).
    #[serde(rename = "shikaku-joho-oshirase")]
    QualificationNotice,
    /// 受付控: receipt for a notification queued while the line is down.
    #[serde(rename = "uketsuke-hikae")]
    ReceptionReceipt,
    /// 交付・回収 受領書: who received which document, which old one came back.
    #[serde(rename = "kofu-kaishu")]
    HandoverReceipt,
    /// 保険料額決定通知書 (A4).
    #[serde(rename = "hokenryo-kettei")]
    PremiumNotice,
    /// 負担割合変更通知: the 一部負担金の割合 changes from 8月1日 (annual 判定).
    #[serde(rename = "futan-wariai-henko")]
    BurdenRatioNotice,
    /// 一括印刷 突合表: the reconciliation report of a bulk print job (an internal list, no seal).
    #[serde(rename = "ikkatsu-totsugo")]
    ReconciliationReport,
    /// 宛名一覧: the list of mailed items of a distribution (送付方法, 〒, 住所, 宛名, 被保険者番号), for the post
    /// office and the envelope check.
    #[serde(rename = "atena-ichiran")]
    MailingList,
    /// 負担区分等証明書 (A4): issued on 県外転出 for the new prefecture's union.
    #[serde(rename = "futan-kubun-shomeisho")]
    BurdenCategoryCertificate,
}

impl PrintKind {
    /// Machine name, as in layout files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QualificationCertificate => "shikaku-kakuninsho",
            Self::QualificationNotice => "shikaku-joho-oshirase",
            Self::ReceptionReceipt => "uketsuke-hikae",
            Self::HandoverReceipt => "kofu-kaishu",
            Self::PremiumNotice => "hokenryo-kettei",
            Self::BurdenRatioNotice => "futan-wariai-henko",
            Self::ReconciliationReport => "ikkatsu-totsugo",
            Self::MailingList => "atena-ichiran",
            Self::BurdenCategoryCertificate => "futan-kubun-shomeisho",
        }
    }

    /// Name for staff.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::QualificationCertificate => "資格確認書",
            Self::QualificationNotice => "資格情報のお知らせ",
            Self::ReceptionReceipt => "受付控",
            Self::HandoverReceipt => "交付・回収 受領書",
            Self::PremiumNotice => "保険料額決定通知書",
            Self::BurdenRatioNotice => "一部負担金の割合の変更のお知らせ",
            Self::ReconciliationReport => "一括印刷 突合表",
            Self::MailingList => "宛名一覧",
            Self::BurdenCategoryCertificate => "負担区分等証明書",
        }
    }

    /// Items every layout of this kind must place as required fields. A union may add items and move
    /// them, but it cannot print one of these documents without them.
    pub fn statutory_items(self) -> &'static [ItemKey] {
        use ItemKey::*;
        match self {
            // 記載事項 of the 資格確認書 (domain-anchors §1.5/§1.6: 氏名, 生年月日, 被保険者番号, 資格取得年月日,
            // 発効期日, 交付年月日, 有効期限, 一部負担金の割合, 保険者番号並びに保険者の名称及び印).
            Self::QualificationCertificate => &[
                Name,
                BirthDate,
                InsuredNumber,
                AcquisitionDate,
                EffectiveDate,
                IssueDate,
                ExpiryDate,
                BurdenRatio,
                InsurerNumber,
                InsurerName,
            ],
            Self::QualificationNotice => &[
                Name,
                BirthDate,
                InsuredNumber,
                BurdenRatio,
                InsurerNumber,
                InsurerName,
                IssueDate,
            ],
            Self::ReceptionReceipt => &[
                ReceiptNumber,
                ReceivedAt,
                NotificationKind,
                MunicipalityName,
            ],
            Self::HandoverReceipt => &[
                Name,
                InsuredNumber,
                HandoverDate,
                IssuedDocument,
                MunicipalityName,
            ],
            Self::PremiumNotice => &[
                Name,
                InsuredNumber,
                NoticeDate,
                FiscalYear,
                AnnualPremium,
                CollectionMethod,
                InsurerName,
            ],
            Self::BurdenRatioNotice => &[
                Name,
                InsuredNumber,
                PreviousBurdenRatio,
                BurdenRatio,
                EffectiveDate,
                NoticeDate,
                InsurerName,
            ],
            Self::ReconciliationReport | Self::MailingList => &[ReportBody],
            // 被保険者であった期間 and the 一部負担金の割合 the next union carries over.
            Self::BurdenCategoryCertificate => &[
                Name,
                BirthDate,
                InsuredNumber,
                InsurerNumber,
                AcquisitionDate,
                LossDate,
                BurdenRatio,
                IssueDate,
                InsurerName,
            ],
        }
    }

    /// Whether the document must carry the seal (印影): the insurer's documents do, counter receipts do not.
    pub fn needs_seal(self) -> bool {
        matches!(
            self,
            Self::QualificationCertificate
                | Self::QualificationNotice
                | Self::PremiumNotice
                | Self::BurdenRatioNotice
                | Self::BurdenCategoryCertificate
        )
    }

    /// Whether the document must carry a QR code (the 受付控's number, machine-readable at the counter).
    pub fn needs_qr(self) -> bool {
        matches!(self, Self::ReceptionReceipt)
    }
}

impl std::fmt::Display for PrintKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
