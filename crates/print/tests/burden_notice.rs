//! The 負担割合変更通知 layout and the bulk-printing (`ikkatsu-*`) layouts: every required item reaches the
//! page as text, and a bulk layout cannot print a page without its 照合番号.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::{renderer, test_assets};
use madoguchi_domain::Date;
use madoguchi_domain::insurance::BurdenRatio;
use madoguchi_domain::kana::PersonName;
use madoguchi_print::burden_notice::BurdenRatioChangeNotice;
use madoguchi_print::sample::{sample_certificate, sample_notice};
use madoguchi_print::{DocumentRecord, ItemKey, ItemValue, PrintError, RenderMode, pdf_text};

fn notice() -> BurdenRatioChangeNotice {
    BurdenRatioChangeNotice {
        name: PersonName::parse("見本　花子").expect("name"),
        insured_number: "12345678".parse().expect("number"),
        before: BurdenRatio::One,
        after: BurdenRatio::Two,
        effective_on: Date::from_ymd_opt(2026, 8, 1).expect("date"),
        notice_date: Date::from_ymd_opt(2026, 7, 15).expect("date"),
        insurer_name: "見本県後期高齢者医療広域連合".into(),
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn burden_ratio_notice_prints_every_required_item_with_the_seal() {
    let t = test_assets();
    let r = renderer(&t);
    let layout = r.layout("futan-wariai-henko").expect("layout");
    let n = notice();
    let doc = r
        .render(&layout, std::slice::from_ref(&n), RenderMode::Production)
        .expect("renders (pre-flight: seal and items)");
    let text = squeeze(&pdf_text(doc.pdf()).expect("pdftotext"));
    for item in layout.required_items() {
        let Some(ItemValue::Line(v)) = n.item(item) else {
            panic!("notice lacks {item}");
        };
        assert!(text.contains(&squeeze(&v)), "{item} not on the page");
    }
    assert!(text.contains("1割") && text.contains("2割"));
}

/// A record of a kind with a 照合番号 (as the batch crate's pages are).
struct WithControl<R>(R, Option<&'static str>);

impl<R: DocumentRecord> DocumentRecord for WithControl<R> {
    fn kind(&self) -> madoguchi_print::PrintKind {
        self.0.kind()
    }
    fn item(&self, key: ItemKey) -> Option<ItemValue> {
        if key == ItemKey::ControlNumber {
            return self.1.map(|c| ItemValue::Line(c.to_string()));
        }
        self.0.item(key)
    }
}

#[test]
fn bulk_layouts_need_the_control_number() {
    let t = test_assets();
    let r = renderer(&t);
    let layout = r.layout("ikkatsu-futan-wariai-henko").expect("layout");
    let ok = r
        .render(
            &layout,
            &[WithControl(notice(), Some("3F9A1C2B-000001"))],
            RenderMode::Production,
        )
        .expect("renders");
    assert!(squeeze(&pdf_text(ok.pdf()).expect("text")).contains("3F9A1C2B-000001"));
    match r.render(
        &layout,
        &[WithControl(notice(), None)],
        RenderMode::Production,
    ) {
        Err(PrintError::MissingRequiredItem {
            record: 0,
            item: ItemKey::ControlNumber,
        }) => {}
        other => panic!("expected the missing 照合番号 to stop the page, got {other:?}"),
    }
    let cert = r.layout("ikkatsu-shikaku-kakuninsho").expect("layout");
    r.render(
        &cert,
        &[WithControl(sample_certificate(), Some("3F9A1C2B-000002"))],
        RenderMode::Production,
    )
    .expect("certificate renders");
    let oshirase = r.layout("ikkatsu-shikaku-joho-oshirase").expect("layout");
    let doc = r
        .render(
            &oshirase,
            &[WithControl(sample_notice(), Some("3F9A1C2B-000003"))],
            RenderMode::Production,
        )
        .expect("notice renders");
    if let Ok(dir) = std::env::var("KEEP_PREVIEWS") {
        let png = madoguchi_print::preview_png(&doc, 1, 72).expect("preview");
        std::fs::write(format!("{dir}/ikkatsu-oshirase.png"), png).expect("write");
        let png = madoguchi_print::preview_png(&ok, 1, 100).expect("preview");
        std::fs::write(format!("{dir}/ikkatsu-futan.png"), png).expect("write");
    }
    assert!(r.layout("ikkatsu-totsugo").is_ok());
}
