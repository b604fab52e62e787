//! The 宛名一覧 (issue 13, finding 6 and the limits of finding 7): a 宛名 or 住所 that starts like a formula
//! comes out of the CSV export defused, every field reads back unchanged through a standard CSV reader, and
//! the longest 住所 and 宛名 the protocol accepts fit the printed list and the 保険料決定通知書.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_batch::{ApprovedDistribution, mailing_list, synthetic};
use madoguchi_domain::csv::undefuse;
use madoguchi_domain::text::{ADDRESS_MAX, RECIPIENT_MAX};
use madoguchi_protocol::distribution::{DistributionKind, DistributionRecord, MailClass};

const SEED: u64 = 13;

fn approved(records: Vec<DistributionRecord>) -> ApprovedDistribution {
    let approval = synthetic::approval_of(SEED, &records);
    ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::RecordedDelivery,
        approval,
        records,
    )
    .expect("approved")
}

#[test]
fn formulas_in_names_and_addresses_come_out_defused() {
    let dangerous = [
        "=HYPERLINK(\"http://example.invalid\",\"x\")",
        "+81-258-00-0000",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ];
    let mut records = synthetic::records(DistributionKind::AnnualRenewal, 12, SEED);
    let mut expected = Vec::new();
    for (i, r) in records.iter_mut().enumerate() {
        let to = r.mail_to.as_mut().expect("printed kinds are mailed");
        let d = dangerous[i % dangerous.len()];
        if i < dangerous.len() {
            to.address = d.to_owned();
        } else {
            to.recipient = d.to_owned();
        }
        expected.push((to.address.clone(), format!("{}　様", to.recipient)));
    }
    let list = mailing_list(&approved(records)).expect("list");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(list.csv.as_slice());
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    assert_eq!(rows.len(), 12);
    for (row, (address, recipient)) in rows.iter().zip(&expected) {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
        assert_eq!(undefuse(&row[2]), address);
        assert_eq!(undefuse(&row[3]), recipient);
    }
}

#[test]
fn the_longest_accepted_address_and_recipient_fit_the_printed_list() {
    let mut records = synthetic::records(DistributionKind::AnnualRenewal, 3, SEED);
    for r in records.iter_mut() {
        let to = r.mail_to.as_mut().expect("mailed");
        // Full-width characters: the widest the fonts print.
        to.address = "龍".repeat(ADDRESS_MAX);
        to.recipient = "Ｗ".repeat(RECIPIENT_MAX);
    }
    let dist = approved(records);
    let list = mailing_list(&dist).expect("list");
    let renderer = madoguchi_print::Renderer::new(madoguchi_print::PrintAssets::repo_default())
        .expect("fonts");
    let doc = list
        .render(&renderer, dist.kind().label_ja())
        .expect("the longest accepted values fit the 宛名一覧 line");
    assert_eq!(doc.page_count(), 1);
    // One character more on both would not fit: the limits are what the document prints.
    let mut records = synthetic::records(DistributionKind::AnnualRenewal, 1, SEED);
    if let Some(to) = records[0].mail_to.as_mut() {
        to.address = "龍".repeat(ADDRESS_MAX + 10);
        to.recipient = "Ｗ".repeat(RECIPIENT_MAX + 10);
    }
    let dist = approved(records);
    assert!(
        mailing_list(&dist)
            .expect("list")
            .render(&renderer, dist.kind().label_ja())
            .is_err()
    );
}

#[test]
fn the_longest_accepted_address_fits_the_premium_notice_and_one_more_does_not() {
    // ADDRESS_MAX comes from the 保険料決定通知書's address box (hokenryo-kettei.toml: 100 mm at 7 pt).
    let renderer = madoguchi_print::Renderer::new(madoguchi_print::PrintAssets::repo_default())
        .expect("fonts");
    let layout = renderer.layout("hokenryo-kettei").expect("layout");
    let mut notice = madoguchi_print::sample::sample_premium();
    notice.address = Some("龍".repeat(ADDRESS_MAX));
    renderer
        .render(
            &layout,
            &[notice.clone()],
            madoguchi_print::RenderMode::Production,
        )
        .expect("40 full-width characters print");
    notice.address = Some("龍".repeat(ADDRESS_MAX + 1));
    assert!(matches!(
        renderer.render(&layout, &[notice], madoguchi_print::RenderMode::Production),
        Err(madoguchi_print::PrintError::TextTooLong { .. })
    ));
}
