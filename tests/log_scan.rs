//! No password, session token, 個人番号, name or 被保険者番号 in the logs of union and counter, captured at
//! TRACE for every madoguchi crate (and DEBUG for the rest) during realistic flows: sign-ins with right and
//! wrong passwords (up to a lockout), a session used and closed, searches by 被保険者番号, record views,
//! 個人番号 reveals, notifications carrying a 個人番号 decided at once and queued while the line is down,
//! prints and a reprint, the audit chain shipped, and the administrator's audit search by 被保険者番号 and
//! export (N:4040–4043 the records exist; the logs must not become a second, unprotected copy).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::sync::{Arc, Mutex};
use std::time::Duration;

use madoguchi_counter::{PrintOccasion, ReprintReason, Submitted};
use madoguchi_domain::Date;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MyNumber};
use madoguchi_domain::insurance::Sex;
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_link::{LineMonitor, Method, SessionToken, UnionClient};
use madoguchi_protocol::reveal::{RevealPurpose, RevealRequest};
use madoguchi_protocol::v1::{
    AuditSearchRequest, MoveIn, NewResident, Notification, ResidentSearchRequest, SignInRequest,
    SignInResponse, StaffInfo,
};
use madoguchi_system_tests::{eventually, insured_residents, link_config, start, today};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Everything logged during the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
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

fn newcomer(n: u8, name: &str, kana: &str) -> (Notification, MyNumber) {
    let my_number =
        MyNumber::from_eleven_digits([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, n % 10]).expect("synthetic");
    let notification = Notification::AcquisitionMoveIn(MoveIn {
        resident: NewResident {
            addressee_number: AddresseeNumber::parse(&format!("5151{n:02}"))
                .expect("synthetic 宛名番号"),
            household_number: HouseholdNumber::parse(&format!("6161{n:02}"))
                .expect("synthetic 世帯番号"),
            name: PersonName::parse(name).expect("synthetic name"),
            kana: KanaName::parse(kana).expect("synthetic kana"),
            birth_date: Date::from_ymd_opt(1943, 3, 3).expect("date"),
            sex: Sex::Male,
            address: "新潟県見附市検査町4-5-6".into(),
            on_welfare: false,
        },
        my_number: my_number.clone(),
        moved_in_on: today(),
        mynumber_health_card: false,
    });
    (notification, my_number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_personal_data_in_the_logs() {
    let logs = Captured::default();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(
            "debug,sled=info,madoguchi_link=trace,madoguchi_counter=trace,madoguchi_vault=trace,\
             madoguchi_union_server=trace,madoguchi_audit=trace",
        ))
        .with_ansi(false)
        .with_writer(logs.clone())
        .init();

    let rig = start().await;
    let account = |suffix: &str| {
        rig.union
            .accounts
            .iter()
            .find(|a| a.user_id.ends_with(suffix))
            .unwrap_or_else(|| panic!("training account {suffix}"))
            .clone()
    };
    let (clerk, clerk2, admin) = (account("-clerk"), account("-clerk2"), account("-admin"));
    let mut secrets: Vec<(&str, String)> = vec![
        ("password", clerk.password.clone()),
        ("password", clerk2.password.clone()),
        ("password", admin.password.clone()),
    ];

    // Wrong passwords, enough of them to lock clerk2 out.
    for i in 0..6 {
        let wrong = format!("Falsch-Kennwort-{i}-{}", uuid::Uuid::new_v4().simple());
        assert!(
            rig.counter
                .session()
                .sign_in(&clerk2.user_id, &wrong)
                .await
                .is_err()
        );
        secrets.push(("wrong password", wrong));
    }
    // A session token, used and closed, outside the counter.
    let client = UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");
    let resp: SignInResponse = client
        .post(
            "/v1/session",
            None,
            None,
            &SignInRequest {
                user_id: admin.user_id.clone(),
                password: admin.password.clone(),
            },
        )
        .await
        .expect("admin signs in");
    secrets.push(("session token", resp.token.clone()));
    let token = SessionToken::new(resp.token);
    let _: StaffInfo = client
        .get("/v1/session", Some(&token))
        .await
        .expect("session");

    // Counter work: search, view, reveal, submit (online and queued), print and reprint.
    rig.counter
        .session()
        .sign_in(&clerk.user_id, &clerk.password)
        .await
        .expect("clerk signs in");
    let people = insured_residents(&rig.counter, 3).await;
    for p in &people {
        secrets.push(("氏名", p.name.as_str().to_owned()));
        secrets.push(("カナ", p.kana.as_str().to_owned()));
        let n = p.insured_number.clone().expect("insured");
        secrets.push(("被保険者番号", n.as_str().to_owned()));
        let found = rig
            .counter
            .search()
            .search(&ResidentSearchRequest {
                insured_number: Some(n),
                kana: None,
                birth_date: None,
                limit: None,
            })
            .await
            .expect("search by 被保険者番号");
        assert_eq!(found.residents.len(), 1);
        rig.counter
            .search()
            .resident(p.resident_id)
            .await
            .expect("view");
        let purpose = RevealRequest {
            purpose: RevealPurpose::IdentityCheck,
            purpose_text: None,
        };
        if let Ok(m) = rig
            .counter
            .search()
            .reveal_my_number(p.resident_id, &purpose)
            .await
        {
            secrets.push(("個人番号", m.reveal().to_owned()));
        }
    }
    let (online, m1) = newcomer(1, "検査　一郎", "ケンサ イチロウ");
    secrets.push(("個人番号", m1.reveal().to_owned()));
    secrets.push(("氏名", "検査　一郎".into()));
    let decided = match rig
        .counter
        .intake()
        .submit(online, today())
        .await
        .expect("submit")
    {
        Submitted::Decided { decision, .. } => decision,
        other => panic!("expected a decision, got {other:?}"),
    };
    if let Some(q) = &decided.qualification {
        secrets.push(("被保険者番号", q.insured_number.as_str().to_owned()));
    }
    let document = format!(
        "document:{}",
        decided.document.expect("document").document_id
    );
    let first = rig
        .counter
        .issuance()
        .print_occasion(&document, None)
        .await
        .expect("first");
    rig.counter
        .issuance()
        .record_print_job(&document, &first, None)
        .await
        .expect("print");
    let reprint = rig
        .counter
        .issuance()
        .print_occasion(&document, Some(ReprintReason::Other("窓口で汚れた".into())))
        .await
        .expect("reprint");
    assert!(matches!(reprint, PrintOccasion::Reprint { .. }));
    rig.counter
        .issuance()
        .record_print_job(&document, &reprint, Some("printer_unavailable"))
        .await
        .expect("failed reprint recorded");

    rig.counter.simulate_line_failure(true);
    let (queued, m2) = newcomer(2, "検査　二郎", "ケンサ ジロウ");
    secrets.push(("個人番号", m2.reveal().to_owned()));
    secrets.push(("氏名", "検査　二郎".into()));
    assert!(matches!(
        rig.counter
            .intake()
            .submit(queued, today())
            .await
            .expect("queued"),
        Submitted::Queued(_)
    ));
    rig.counter.simulate_line_failure(false);
    eventually(Duration::from_secs(30), "the queue drained", || {
        rig.counter
            .intake()
            .queue()
            .map(|q| {
                q.iter()
                    .all(|e| e.state != "queued" && e.state != "sending")
            })
            .unwrap_or(false)
    })
    .await;
    rig.counter.session().sign_out().await;

    // The administrator reviews the shipped chain by 被保険者番号 and exports it.
    rig.counter
        .audit_review()
        .ship_audit()
        .await
        .expect("shipped");
    rig.counter
        .session()
        .sign_in(&admin.user_id, &admin.password)
        .await
        .expect("admin at the counter");
    let by_resident = AuditSearchRequest {
        insured_number: people[0].insured_number.clone(),
        ..Default::default()
    };
    let found = rig
        .counter
        .audit_review()
        .audit_search(&by_resident)
        .await
        .expect("search");
    assert!(!found.entries.is_empty());
    let export = rig
        .counter
        .audit_review()
        .audit_export(&by_resident)
        .await
        .expect("export");
    assert!(export.matched > 0);
    let _: serde_json::Value = client
        .call::<(), _>(Method::DELETE, "/v1/session", Some(&token), None, None)
        .await
        .unwrap_or(serde_json::Value::Null);
    rig.counter.session().sign_out().await;
    rig.counter
        .audit_review()
        .ship_audit()
        .await
        .expect("shipped");
    rig.background.abort();
    rig.union.shutdown().await;

    let captured = logs.0.lock().map(|b| b.clone()).unwrap_or_default();
    let text = String::from_utf8_lossy(&captured);
    assert!(
        text.contains("request") && text.contains("POST /v1/audit/chain"),
        "the flows were logged at all"
    );
    // The scanner sees what is logged: staff user ids are (they are not personal data of residents).
    assert!(text.contains(&clerk2.user_id));
    let mut leaks = Vec::new();
    for (what, value) in &secrets {
        assert!(!value.is_empty());
        let mut parts = vec![value.clone()];
        // Names also by family and given name.
        if what.starts_with('氏') || what.starts_with('カ') {
            parts.extend(
                value
                    .split(['\u{3000}', ' '])
                    .filter(|p| p.chars().count() >= 2 && !p.starts_with("研修"))
                    .map(str::to_owned),
            );
        }
        for p in parts {
            if text.contains(&p) {
                // The value itself is not printed: this message may end up in CI logs.
                leaks.push(format!("{what} ({} characters)", p.chars().count()));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "found in {} bytes of logs: {leaks:?}",
        captured.len()
    );
    eprintln!(
        "scanned {} bytes of logs for {} values",
        captured.len(),
        secrets.len()
    );
}
