//! Synthetic sample documents for each kind, so anyone can look at a layout
//! (`madoguchi-admin print-sample --kind KIND --out FILE.pdf`). The people are invented.

use std::str::FromStr;

use madoguchi_domain::Date;
use madoguchi_domain::ids::{InsuredNumber, InsurerNumber, PrefectureCode};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex};
use madoguchi_domain::kana::PersonName;
use madoguchi_domain::money::Yen;

use crate::documents::{
    CollectionMethod, HandoverReceipt, Instalment, NotificationKind, OptionalEntries,
    PremiumNotice, QualificationCertificate, QualificationNotice, ReceiptNumber, ReceptionReceipt,
    Recipient,
};
use crate::error::PrintError;
use crate::render::{PrintAssets, RenderMode, RenderedDocument, Renderer};

/// The sample kinds, named as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleKind {
    /// `shikaku-kakuninsho`: 資格確認書, card size.
    Certificate,
    /// `shikaku-kakuninsho-hagaki`: 資格確認書, はがき size.
    CertificateHagaki,
    /// `shikaku-joho-oshirase`: 資格情報のお知らせ.
    Notice,
    /// `uketsuke-hikae`: 受付控.
    Receipt,
    /// `kofu-kaishu`: 交付・回収 受領書.
    Handover,
    /// `hokenryo-kettei`: 保険料額決定通知書.
    Premium,
}

impl SampleKind {
    /// Every sample.
    pub const ALL: [SampleKind; 6] = [
        Self::Certificate,
        Self::CertificateHagaki,
        Self::Notice,
        Self::Receipt,
        Self::Handover,
        Self::Premium,
    ];

    /// The command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "shikaku-kakuninsho",
            Self::CertificateHagaki => "shikaku-kakuninsho-hagaki",
            Self::Notice => "shikaku-joho-oshirase",
            Self::Receipt => "uketsuke-hikae",
            Self::Handover => "kofu-kaishu",
            Self::Premium => "hokenryo-kettei",
        }
    }

    /// The layout in `assets/layouts/` the sample uses.
    pub fn layout_name(self) -> &'static str {
        match self {
            Self::Certificate => "shikaku-kakuninsho-card",
            Self::CertificateHagaki => "shikaku-kakuninsho-hagaki",
            Self::Notice => "shikaku-joho-oshirase",
            Self::Receipt => "uketsuke-hikae",
            Self::Handover => "kofu-kaishu",
            Self::Premium => "hokenryo-kettei",
        }
    }
}

impl std::fmt::Display for SampleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown sample kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown document kind {0:?}; expected one of: shikaku-kakuninsho, shikaku-kakuninsho-hagaki, shikaku-joho-oshirase, uketsuke-hikae, kofu-kaishu, hokenryo-kettei"
)]
pub struct UnknownSampleKind(pub String);

impl UnknownSampleKind {
    /// What staff read.
    pub fn message_ja(&self) -> String {
        format!("帳票の種類「{}」はありません。", self.0)
    }
}

impl madoguchi_domain::StaffMessage for UnknownSampleKind {
    fn message_ja(&self) -> String {
        UnknownSampleKind::message_ja(self)
    }
}

impl FromStr for SampleKind {
    type Err = UnknownSampleKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownSampleKind(s.to_string()))
    }
}

/// Render the synthetic sample of `kind` with the repository's assets (`assets/fonts`, `assets/layouts`,
/// `assets/seal`). `training` adds the 見本 watermark as in 研修モード.
pub fn render_sample(kind: SampleKind, training: bool) -> Result<RenderedDocument, PrintError> {
    let renderer = Renderer::new(PrintAssets::repo_default())?;
    render_sample_with(&renderer, kind, training)
}

/// Same as [`render_sample`] with a renderer of your own (other assets directories).
pub fn render_sample_with(
    renderer: &Renderer,
    kind: SampleKind,
    training: bool,
) -> Result<RenderedDocument, PrintError> {
    let layout = renderer.layout(kind.layout_name())?;
    let mode = if training {
        RenderMode::Training
    } else {
        RenderMode::Production
    };
    match kind {
        SampleKind::Certificate | SampleKind::CertificateHagaki => {
            renderer.render(&layout, &[sample_certificate()], mode)
        }
        SampleKind::Notice => renderer.render(&layout, &[sample_notice()], mode),
        SampleKind::Receipt => renderer.render(&layout, &[sample_receipt()], mode),
        SampleKind::Handover => renderer.render(&layout, &[sample_handover()], mode),
        SampleKind::Premium => renderer.render(&layout, &[sample_premium()], mode),
    }
}

// The synthetic values below are constants written in this file, not input: a failure is a programming
// error caught by the tests, so `expect` is acceptable here (and only here).
#[allow(clippy::expect_used)]
fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).expect("synthetic date is valid")
}

#[allow(clippy::expect_used)]
fn person(name: &str) -> PersonName {
    PersonName::parse(name).expect("synthetic name is valid")
}

#[allow(clippy::expect_used)]
fn insured(n: u32) -> InsuredNumber {
    InsuredNumber::from_serial(n).expect("synthetic insured number has 8 digits")
}

/// 保険者番号 of the fictitious 「見本県後期高齢者医療広域連合」 (法別39, prefecture 15, insurer 001).
#[allow(clippy::expect_used)]
pub fn sample_insurer_number() -> InsurerNumber {
    PrefectureCode::new(15)
        .and_then(|p| InsurerNumber::kouki(p, 1))
        .expect("synthetic insurer number is valid")
}

/// The fictitious insurer's name on samples.
pub const SAMPLE_INSURER_NAME: &str = "見本県後期高齢者医療広域連合";

/// A synthetic 資格確認書 with every 任意記載事項 filled.
pub fn sample_certificate() -> QualificationCertificate {
    QualificationCertificate {
        name: person("見本　花子"),
        birth_date: date(1949, 3, 15),
        sex: Sex::Female,
        insured_number: insured(12_345_678),
        acquisition_date: date(2024, 3, 15),
        effective_date: date(2026, 8, 1),
        issue_date: date(2026, 11, 21),
        expiry_date: date(2027, 7, 31),
        burden_ratio: BurdenRatio::One,
        insurer_number: sample_insurer_number(),
        insurer_name: SAMPLE_INSURER_NAME.into(),
        optional: OptionalEntries {
            limit_category: Some((LimitCategory::KubunIi, date(2026, 8, 1))),
            long_stay_date: Some(date(2026, 10, 5)),
            specific_disease: None,
        },
    }
}

/// A sample 資格情報のお知らせ.
pub fn sample_notice() -> QualificationNotice {
    QualificationNotice {
        name: person("見本　一郎"),
        birth_date: date(1950, 7, 1),
        sex: Sex::Male,
        insured_number: insured(23_456_789),
        acquisition_date: date(2025, 7, 1),
        burden_ratio: BurdenRatio::Two,
        insurer_number: sample_insurer_number(),
        insurer_name: SAMPLE_INSURER_NAME.into(),
        issue_date: date(2026, 11, 21),
        expiry_date: Some(date(2027, 7, 31)),
        optional: OptionalEntries::default(),
    }
}

#[allow(clippy::expect_used)]
/// A sample 受付控.
pub fn sample_receipt() -> ReceptionReceipt {
    ReceptionReceipt {
        receipt_number: ReceiptNumber::parse("U-152013-20261121-0007")
            .expect("synthetic receipt number is valid"),
        received_at: date(2026, 11, 21)
            .and_hms_opt(10, 42, 0)
            .expect("synthetic time is valid"),
        notification: NotificationKind::MoveIn,
        name: Some(person("見本　次郎")),
        municipality_name: "見本市 市民課".into(),
    }
}

/// A sample 交付控.
pub fn sample_handover() -> HandoverReceipt {
    HandoverReceipt {
        name: person("見本　花子"),
        insured_number: insured(12_345_678),
        handover_date: date(2026, 11, 21),
        issued: DocumentKind::ShikakuKakuninsho,
        returned: Some(DocumentKind::Hihokenshasho),
        recipient: Recipient::Insured,
        municipality_name: "見本市 市民課".into(),
    }
}

/// A sample 保険料額決定通知書.
pub fn sample_premium() -> PremiumNotice {
    let months = ["7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月"];
    PremiumNotice {
        name: person("見本　三郎"),
        address: Some("見本県見本市中央一丁目2番3号".into()),
        insured_number: insured(34_567_890),
        notice_date: date(2026, 7, 15),
        fiscal_year: 2026,
        income_basis: Yen::new(1_230_000),
        per_capita: Yen::new(47_300),
        income_based: Yen::new(112_930),
        annual_premium: Yen::new(160_200),
        collection: CollectionMethod::Ordinary,
        instalments: months
            .iter()
            .enumerate()
            .map(|(i, m)| Instalment {
                label: format!("第{}期（{m}）", i + 1),
                amount: Yen::new(20_025),
            })
            .collect(),
        issuer_name: "見本市長　見本　太郎".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_exact_names() {
        for k in SampleKind::ALL {
            assert_eq!(k.as_str().parse::<SampleKind>(), Ok(k));
        }
        assert!("shikaku".parse::<SampleKind>().is_err());
        assert!("Shikaku-Kakuninsho".parse::<SampleKind>().is_err());
    }

    #[test]
    fn render_sample_uses_the_repository_assets() {
        let fonts = PrintAssets::repo_default().fonts_dir;
        match render_sample(SampleKind::Certificate, true) {
            // The fonts are committed to assets/fonts by the foundation work.
            Ok(doc) => {
                assert!(fonts.join("BIZUDGothic-Regular.ttf").exists());
                assert_eq!(doc.page_count(), 1);
                assert_eq!(doc.mode(), RenderMode::Training);
            }
            Err(PrintError::FontMissing { path }) => {
                assert!(path.starts_with(&fonts), "{}", path.display());
                assert!(!path.exists());
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn sample_insurer_number_is_valid() {
        let n = sample_insurer_number();
        assert!(InsurerNumber::parse(&n.to_string()).is_ok());
        assert!(n.to_string().starts_with("3915001"));
    }
}
