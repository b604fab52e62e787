//! No personal data at rest or in the logs after a scripted counter day: immediate issuance of a resident
//! who moved in, searches and record views, then the line goes down and notifications carrying names,
//! kana and a 個人番号 are queued, the line returns and the queue drains, documents are handed over.
//!
//! Then the raw bytes of every file under the terminal's data directory, and everything logged during the
//! day (`debug` everywhere, `trace` for the madoguchi crates, union included), are scanned for every
//! synthetic resident's 氏名 and カナ (UTF-8 and UTF-16LE), 個人番号 and 被保険者番号. None may appear.
//! The same scan finds them in the queued payloads as the vault opens them and in the union's records
//! as JSON — the needles and the scanner are right. The union's data directory (encrypted at rest) holds
//! none of them either.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aho_corasick::AhoCorasick;
use madoguchi_counter::{Counter, Submitted};
use madoguchi_domain::Date;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MyNumber};
use madoguchi_domain::insurance::Sex;
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_protocol::v1::{
    ChangeOfParticulars, IdentityDocument, IssuanceRequest, IssueMethod, MoveIn, NewResident,
    Notification, Reissue, ReissueReason,
};
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{
    address_change, eventually, insured_residents, link_config_via, open_vault, today,
};
use madoguchi_union_server::store::ResidentRecord;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Everything logged during the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

fn newcomer(addressee: &str, name: &str, kana: &str, my_number: [u8; 11]) -> Notification {
    Notification::AcquisitionMoveIn(MoveIn {
        resident: NewResident {
            addressee_number: AddresseeNumber::parse(addressee).expect("synthetic 宛名番号"),
            household_number: HouseholdNumber::parse(&format!("9{addressee}"))
                .expect("synthetic 世帯番号"),
            name: PersonName::parse(name).expect("synthetic name"),
            kana: KanaName::parse(kana).expect("synthetic kana"),
            birth_date: Date::from_ymd_opt(1944, 4, 4).expect("date"),
            sex: Sex::Female,
            address: "新潟県見附市研修町1-2-3".into(),
            on_welfare: false,
        },
        my_number: MyNumber::from_eleven_digits(my_number).expect("synthetic"),
        moved_in_on: today(),
        mynumber_health_card: false,
    })
}

/// A value that must not be found, and how to recognise it in raw bytes.
struct Needle {
    what: &'static str,
    patterns: Vec<Vec<u8>>,
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

fn text_needle(what: &'static str, s: &str) -> Needle {
    Needle {
        what,
        patterns: vec![s.as_bytes().to_vec(), utf16le(s)],
    }
}

/// Names and kana whole and by part (family / given name), 個人番号, 被保険者番号.
fn needles(residents: &[ResidentRecord]) -> Vec<Needle> {
    let mut out = Vec::new();
    for r in residents {
        for (what, s) in [("氏名", r.name.as_str()), ("カナ", r.kana.as_str())] {
            out.push(text_needle(what, s));
            for part in s.split(['\u{3000}', ' ']) {
                // Parts of our own 研修 names also occur in the union's name (研修用広域連合) and the
                // synthetic address; the whole name still counts for those.
                if part.chars().count() >= 2 && !part.starts_with("研修") {
                    out.push(text_needle(what, part));
                }
            }
        }
        if let Some(n) = &r.my_number {
            out.push(Needle {
                what: "個人番号",
                patterns: vec![n.reveal().as_bytes().to_vec()],
            });
        }
        if let Some(n) = &r.insured_number {
            out.push(Needle {
                what: "被保険者番号",
                patterns: vec![n.as_str().as_bytes().to_vec()],
            });
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every regular file under `dir`, with its raw bytes.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let e = e.expect("entry");
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read file")));
            }
        }
    }
    out
}

/// Which needles occur where: `what in file` lines.
fn findings(needles: &[Needle], blobs: &[(std::path::PathBuf, Vec<u8>)]) -> Vec<String> {
    let mut owner = Vec::new();
    let mut patterns = Vec::new();
    for n in needles {
        for p in &n.patterns {
            owner.push(n.what);
            patterns.push(p.as_slice());
        }
    }
    let scanner = AhoCorasick::new(&patterns).expect("patterns");
    let mut found = Vec::new();
    for (path, bytes) in blobs {
        let mut seen = std::collections::BTreeSet::new();
        for m in scanner.find_overlapping_iter(bytes.as_slice()) {
            seen.insert(owner[m.pattern().as_usize()]);
        }
        // The value itself is not printed: this message may end up in CI logs.
        found.extend(
            seen.into_iter()
                .map(|what| format!("{what} in {}", path.display())),
        );
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_on_disk_or_in_logs_after_a_counter_day() {
    let logs = Captured::default();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(
            "debug,sled=info,madoguchi_link=trace,madoguchi_counter=trace,\
             madoguchi_vault=trace,madoguchi_union_server=trace",
        ))
        .with_ansi(false)
        .with_writer(logs.clone())
        .init();

    let dir = tempfile::tempdir().expect("tempdir");
    let mut union = UnionHost::start(&dir.path().join("union")).await;
    let terminal_dir = dir.path().join("terminal");
    let vault = open_vault(&terminal_dir, &union.access.terminal_id);
    let client = UnionClient::new(
        &link_config_via(&union.access, union.addr.port(), Duration::from_secs(5)),
        LineMonitor::new(),
    )
    .expect("client");
    let (counter, background) =
        Counter::start(client, vault.clone(), Duration::from_millis(300)).expect("counter starts");
    counter
        .session()
        .sign_in(&union.access.clerk_user, &union.access.clerk_password)
        .await
        .expect("sign in");

    // Immediate issuance for a resident who moved in: print data fetched, handed over.
    let decided = counter
        .intake()
        .submit(
            newcomer(
                "880001",
                "研修　花子",
                "ケンシュウ ハナコ",
                [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9],
            ),
            today(),
        )
        .await
        .expect("submit");
    let Submitted::Decided { seq, decision } = decided else {
        panic!("expected an immediate decision, got {decided:?}");
    };
    let document = decision.document.clone().expect("a document");
    let data = counter
        .issuance()
        .document(document.document_id)
        .await
        .expect("print data");
    assert_eq!(data.name.as_str(), "研修\u{3000}花子");
    handover(&counter, document.document_id, Some(seq)).await;

    // Searches and record views bring names, kana and 被保険者番号 through the terminal.
    let insured = insured_residents(&counter, 3).await;
    assert_eq!(insured.len(), 3, "the training data has insured residents");
    for r in &insured {
        counter
            .search()
            .resident(r.resident_id)
            .await
            .expect("record view");
    }

    // The line goes down: a reissue, a change of name and kana, an address change and a second move-in
    // (with its 個人番号) are queued — their payloads sit in the vault until the union answers.
    counter.simulate_line_failure(true);
    let queued = [
        Notification::Reissue(Reissue {
            resident_id: insured[0].resident_id,
            reason: ReissueReason::Lost,
        }),
        Notification::ChangeOfParticulars(ChangeOfParticulars {
            resident_id: insured[1].resident_id,
            changed_on: today(),
            name: Some(PersonName::parse("記録　改子").expect("synthetic name")),
            kana: Some(KanaName::parse("キロク アラタコ").expect("synthetic kana")),
            address: None,
        }),
        address_change(insured[2].resident_id, 7, today()),
        newcomer(
            "880002",
            "転入　次郎",
            "テンニュウ ジロウ",
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1],
        ),
    ];
    for n in queued {
        let r = counter.intake().submit(n, today()).await.expect("submit");
        assert!(matches!(r, Submitted::Queued(_)), "{r:?}");
    }
    vault.flush().expect("flush");
    let while_queued = files(&terminal_dir);
    // What the vault holds sealed, opened through its API: the queued notifications themselves.
    let payloads: Vec<(std::path::PathBuf, Vec<u8>)> = vault
        .outbox()
        .pending()
        .expect("pending")
        .into_iter()
        .map(|i| {
            let p = vault.outbox().payload(i.seq).expect("payload");
            (format!("payload {}", i.seq).into(), p.to_vec())
        })
        .collect();
    assert_eq!(payloads.len(), 4);

    // The line returns; the queue drains; the documents are handed over.
    counter.simulate_line_failure(false);
    eventually(Duration::from_secs(30), "the queue drained", || {
        counter
            .intake()
            .queue()
            .map(|q| q.iter().all(|e| e.state == "decided"))
            .unwrap_or(false)
    })
    .await;
    for ready in counter.issuance().ready_to_issue().expect("ready") {
        if let Some(d) = &ready.decision.document {
            counter
                .issuance()
                .document(d.document_id)
                .await
                .expect("print data");
            handover(&counter, d.document_id, Some(ready.seq)).await;
        }
    }
    assert!(
        counter
            .issuance()
            .ready_to_issue()
            .expect("ready")
            .is_empty()
    );
    counter.session().sign_out().await;
    background.abort();
    let _ = background.sync.await;
    let _ = background.probe.await;
    drop(counter);
    vault.flush().expect("flush");
    drop(vault);

    // Every resident the union knows after the day, including the two who moved in and the new name.
    let residents = union.residents();
    assert!(residents.len() >= 200, "{} residents", residents.len());
    for name in ["研修\u{3000}花子", "転入\u{3000}次郎", "記録\u{3000}改子"] {
        assert!(residents.iter().any(|r| r.name.as_str() == name), "{name}");
    }
    let needles = needles(&residents);
    union.stop().await;

    let at_end = files(&terminal_dir);
    assert!(
        at_end.iter().map(|(_, b)| b.len()).sum::<usize>() > 0,
        "the terminal wrote its vault"
    );
    let captured = logs.bytes();
    assert!(
        contains(&captured, b"POST /v1/notifications"),
        "the day was logged"
    );

    let mut leaks = findings(&needles, &while_queued);
    leaks.extend(findings(&needles, &at_end));
    leaks.extend(findings(
        &needles,
        &[("the captured log".into(), captured.clone())],
    ));
    leaks.sort();
    leaks.dedup();
    assert!(leaks.is_empty(), "personal data found: {leaks:#?}");

    // Controls: the scanner finds the values where they are in plaintext — in the queued payloads as the
    // vault opens them (the move-in's 氏名, カナ, 個人番号), and in the union's records as JSON.
    let in_payloads = findings(&needles, &payloads);
    let in_records = findings(
        &needles,
        &[(
            "records".into(),
            serde_json::to_vec(&residents).expect("records as JSON"),
        )],
    );
    for what in ["氏名", "カナ", "個人番号"] {
        assert!(
            in_payloads.iter().any(|f| f.starts_with(what)),
            "the scan finds {what} in the opened payloads: {in_payloads:?}"
        );
    }
    for what in ["氏名", "カナ", "個人番号", "被保険者番号"] {
        assert!(
            in_records.iter().any(|f| f.starts_with(what)),
            "the scan finds {what} in the records"
        );
    }
    // The union encrypts its store too: its data directory holds none of them either.
    let in_union = findings(&needles, &files(&dir.path().join("union").join("data")));
    assert!(in_union.is_empty(), "union data directory: {in_union:#?}");
    println!(
        "scanned {} terminal files ({} bytes) and {} bytes of logs for {} values",
        while_queued.len() + at_end.len(),
        while_queued
            .iter()
            .chain(&at_end)
            .map(|(_, b)| b.len())
            .sum::<usize>(),
        captured.len(),
        needles.len()
    );
}

async fn handover(
    counter: &Counter,
    document: madoguchi_protocol::v1::DocumentId,
    seq: Option<u64>,
) {
    counter
        .issuance()
        .record_issuance(
            document,
            &IssuanceRequest {
                issued_on: today(),
                method: IssueMethod::Counter,
                identity_documents: vec![IdentityDocument::MyNumberCard],
            },
            seq,
        )
        .await
        .expect("handover recorded");
}
