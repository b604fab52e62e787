//! Benchmark (prints its figures): a 一斉更新 distribution of about 10,000 records through its whole approval
//! path over mutual TLS — the union builds it, a second union staff member releases it, the 監督者 looks at
//! samples and approves with the password again, and the counter fetches the approved content into the
//! vault (time to the first page and to all of it, hash checked), then reads it back as a batch would.
//! Printing itself is the batch crate's part of the "approve-and-print < 60 s" target.
//!
//! `MADOGUCHI_DIST_RESIDENTS` sets the synthetic residents (default 15,000 ≈ 10,000 insured). Run under
//! `keyctl session -`: `keyctl session - cargo bench -p madoguchi-system-tests --bench distribution`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Instant;

use madoguchi_link::{LineMonitor, SessionToken, UnionClient};
use madoguchi_protocol::distribution::{
    CreateDistribution, Decision, DistributionKind, MailClass, UnionApproval,
};
use madoguchi_protocol::v1::{SignInRequest, SignInResponse};
use madoguchi_system_tests::{link_config, start_with, today};
use madoguchi_union_server::training::TrainingOptions;

fn main() {
    let residents: usize = std::env::var("MADOGUCHI_DIST_RESIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let t = Instant::now();
        let rig = start_with(TrainingOptions {
            residents,
            ..TrainingOptions::default()
        })
        .await;
        println!(
            "training union with {residents} residents ready in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let account = |suffix: &str| {
            let a = rig
                .union
                .accounts
                .iter()
                .find(|a| a.user_id.ends_with(suffix))
                .expect("training account");
            (a.user_id.clone(), a.password.clone())
        };
        let client = UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");
        let mut tokens = Vec::new();
        for s in ["-union-staff1", "-union-staff2"] {
            let (user_id, password) = account(s);
            let r: SignInResponse = client
                .post("/v1/session", None, None, &SignInRequest { user_id, password })
                .await
                .expect("sign in");
            tokens.push(SessionToken::new(r.token));
        }
        let t8 = today();
        let year = chrono::Datelike::year(&t8);
        let aug = chrono::NaiveDate::from_ymd_opt(year, 8, 1).expect("date");
        let reference = if aug >= t8 {
            aug
        } else {
            chrono::NaiveDate::from_ymd_opt(year + 1, 8, 1).expect("date")
        };

        let t = Instant::now();
        let created = client
            .create_distribution(
                &tokens[0],
                &CreateDistribution {
                    kind: DistributionKind::AnnualRenewal,
                    municipality: rig.union.municipality,
                    reference_date: reference,
                    mail_class: MailClass::SimpleRegisteredNoForward,
                    note: String::new(),
                },
            )
            .await
            .expect("create");
        let create_s = t.elapsed().as_secs_f64();
        let id = created.distribution_id;
        let n = created.record_count;
        println!("union builds the 一斉更新: {n} records in {create_s:.2} s");
        let t = Instant::now();
        client
            .union_approve_distribution(
                &tokens[1],
                id,
                &UnionApproval {
                    content_hash: created.content_hash.clone(),
                },
            )
            .await
            .expect("release");
        println!("second union staff member releases it: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);

        let (user, password) = account("-supervisor");
        rig.counter.session().sign_in(&user, &password).await.expect("supervisor");
        let start = Instant::now();
        let samples = rig.counter.distributions().distribution_samples(id).await.expect("samples");
        println!(
            "supervisor: {} sample records in {:.0} ms",
            samples.records.len(),
            start.elapsed().as_secs_f64() * 1e3
        );
        let t = Instant::now();
        rig.counter
            .distributions().decide_distribution(id, Decision::Approve, &created.content_hash, &password)
            .await
            .expect("approve");
        println!("approval with re-authentication: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let mut first_page = None;
        let info = rig
            .counter
            .distributions().fetch_approved(id, |p| {
                if p.fetched > 0 && first_page.is_none() {
                    first_page = Some(t.elapsed());
                }
            })
            .await
            .expect("fetch");
        let all = t.elapsed();
        println!(
            "fetch approved content into the vault: first page after {:.0} ms, all {} records (hash checked) after {:.2} s",
            first_page.map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0),
            info.record_count,
            all.as_secs_f64()
        );
        let t = Instant::now();
        let (_, records) = rig.counter.distributions().approved_content(id).expect("read back");
        println!(
            "batch reads it back from the vault (offline, hash checked): {} records in {:.0} ms",
            records.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
        println!(
            "from the supervisor's first look to content ready for printing: {:.2} s",
            start.elapsed().as_secs_f64()
        );
        rig.background.abort();
        rig.union.shutdown().await;
    });
}
