//! The longest 氏名 the counter accepts (`madoguchi_domain::kana::PERSON_NAME_MAX`) prints on every document
//! that carries a name, in full-width characters (the widest the fonts print), at the layouts' minimum
//! size: the limit is what the narrowest name box (the ID-1 資格確認書, 62 mm at 5.7 pt) holds, so a name
//! the clerk could enter is never refused at the printer (issue #14 finding 11).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::{renderer, test_assets};
use madoguchi_domain::kana::{PERSON_NAME_MAX, PersonName};
use madoguchi_print::sample::{
    sample_certificate, sample_handover, sample_notice, sample_premium, sample_receipt,
};
use madoguchi_print::{DocumentRecord, RenderMode, Renderer};

fn longest() -> PersonName {
    PersonName::parse(&"龍".repeat(PERSON_NAME_MAX)).expect("the limit itself is accepted")
}

fn prints<R: DocumentRecord>(r: &Renderer, layout: &str, record: R) {
    let layout = r.layout(layout).expect("layout");
    r.render(&layout, &[record], RenderMode::Production)
        .unwrap_or_else(|e| panic!("{PERSON_NAME_MAX} full-width characters fit: {e}"));
}

#[test]
fn the_longest_accepted_name_prints_on_every_counter_document() {
    let t = test_assets();
    let r = renderer(&t);
    for layout in [
        "shikaku-kakuninsho-card",
        "shikaku-kakuninsho-card-id1",
        "shikaku-kakuninsho-hagaki",
    ] {
        let mut cert = sample_certificate();
        cert.name = longest();
        prints(&r, layout, cert);
    }
    let mut notice = sample_notice();
    notice.name = longest();
    prints(&r, "shikaku-joho-oshirase", notice);
    let mut receipt = sample_receipt();
    receipt.name = Some(longest());
    prints(&r, "uketsuke-hikae", receipt);
    let mut handover = sample_handover();
    handover.name = longest();
    prints(&r, "kofu-kaishu", handover);
    let mut premium = sample_premium();
    premium.name = longest();
    prints(&r, "hokenryo-kettei", premium);
}

#[test]
fn one_character_more_is_refused_when_typed() {
    let err = PersonName::parse(&"龍".repeat(PERSON_NAME_MAX + 1)).expect_err("over the limit");
    let msg = madoguchi_domain::StaffMessage::message_ja(&err);
    assert!(
        msg.contains("氏名") && msg.contains(&PERSON_NAME_MAX.to_string()),
        "{msg}"
    );
}
